#!/bin/sh
# Process events under churn: never lost, never delivered twice.  Three
# subscribers that acknowledge at once: k, m and a, subscribed in that
# order, so that a starts behind the two that leave and come back.  Six
# rounds; in each, at the same moment:
#  - the round's batch of 10 user processes (evsvc -join, joined before)
#    is killed, half with SIGTERM, half with SIGKILL, while the next
#    batch is starting and joining;
#  - k (odd rounds: it restarts and subscribes again, at the end of the
#    table) or the service v (even rounds; tests/services/svc) is killed
#    with SIGKILL, once it has run past -reset-after so that it restarts
#    at once;
#  - m sets mask 0 (it stays in the table while it owes
#    acknowledgements, or leaves it); in even rounds mask 3 right after,
#    in odd ones at the start of the next round (it comes back at the end
#    of the table).
# Afterwards, in a's log (a is never killed, its mask never changes):
# the exit of every joined endpoint exactly once, acknowledged once; v's
# exit (its endpoint survives restarts) once per crash, and k's once per
# kill; every acknowledgement OK.  Also: no subscriber was killed as hung,
# k subscribed again after every kill, nobody got ENOMEM, a last user
# process's exit reaches all three, one more crash of v is recovered (its
# exit passed every subscriber), all run, `reinc status` answers.
# The exits of the `evsvc -ctl` processes (mask changes) are events too;
# only the joined endpoints are counted.  k and m may see an event twice
# by design (MINIX's order: a subscriber that comes back is appended and
# can be reached again by an event it had already had); logged, not
# checked.  PEV_SOAK=1: 10 times as many rounds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ev-lib.inc"

SCALE=1
[ -n "$PEV_SOAK" ] && [ "$PEV_SOAK" != 0 ] && SCALE=10
ROUNDS=$((6 * SCALE))
BATCH=10
[ -x "$EVSVC" ] || fail "$EVSVC not built"
T0=$(now_ms)

start_reincd -v

# -reset-after: a service healthy for 150 ms restarts at once next time
# (the tests wait for that before each kill), not after a back-off.
reinc up "$EVSVC" -label k -reset-after 150ms -args "-dir $RT" ||
    fail "up k failed"
ev_wait k '^mask '
ev_up m
ev_up a
for l in k m a; do
	ev_has $l '^mask 3 OK$' || fail "$l did not subscribe: $(cat "$RT/$l.events")"
done
reinc up "$SVC" -label v -reset-after 150ms || fail "up v failed"
VEP=$(ep_of v)
[ -n "$VEP" ] || fail "no endpoint for v"
KEP=$(ep_of k)
: >"$RT/eps"

# _healthy LABEL: running past -reset-after (150 ms); its pid in $_hp.
# One status call for all three, so that the pid is that instance's.  A
# failed `reinc status` is noted in $RT/status-errors: a failure at the
# end (reincd must answer throughout), unless the command was killed by
# a signal, which is not reincd's doing (logged only).
_jf()
{
	printf '%s\n' "$1" | sed -n \
	    "s/.*\"$2\": *\(\"\([^\"]*\)\"\|\([^,}]*\)\).*/\2\3/p" |
	    head -n 1 | sed 's/^null$//'
}
_healthy()
{
	_js=$(reinc status "$1" --json 2>&1) || {
		_rc=$?
		echo "reinc status $1 exited $_rc: $(printf '%s' "$_js" | tr '\n' ' ')" \
		    >>"$RT/status-errors"
		return 1
	}
	_u=$(_jf "$_js" uptime_ms)
	[ "$(_jf "$_js" state)" = running ] && [ "${_u:-0}" -ge 150 ] ||
	    return 1
	_hp=$(_jf "$_js" pid)
	[ -n "$_hp" ] && [ "$_hp" != 0 ] ||
	    fail "$1 running for $_u ms without a pid: $_js"
	echo "$_hp" >>"$RT/.pids"
}

_subscribed_n() { [ "$(ev_count "$1" '^mask 3 OK$')" -ge "$2" ]; }

# The victims' disturber: in round r, once the victim (k in odd rounds,
# v in even ones) is healthy, its pid goes to $RT/victim.r; the main
# loop kills it together with a batch; then this waits for the restart
# (and for k, its new subscription) and says so in $RT/victim.done.r.
_file() { [ -e "$1" ]; }
victims()
{
	_r=1 _nk=0
	while [ $_r -le $ROUNDS ]; do
		wait_for -t 60 -m "round $_r" _file "$RT/round.$_r"
		if [ $((_r % 2)) = 1 ]; then _l=k; else _l=v; fi
		wait_for -m "$_l healthy before round $_r" _healthy $_l
		_vp=$_hp
		echo "$_vp" >"$RT/victim.tmp" && mv "$RT/victim.tmp" "$RT/victim.$_r"
		wait_for -t 60 -m "the kills of round $_r" _file "$RT/killed.$_r"
		wait_restarted $_l "$_vp" 10
		if [ $_l = k ]; then
			_nk=$((_nk + 1))
			wait_for -m "k to subscribe again (kill $_nk)" \
			    _subscribed_n k $((_nk + 1))
		fi
		echo "round $_r $_l pid $_vp"
		touch "$RT/victim.done.$_r"
		_r=$((_r + 1))
	done
}

# m's mask: in odd rounds 0 while the kills happen, 3 again at the start
# of the next round; in even rounds 0 and 3 again at once.
_mask()
{
	ev_ctl m mask "$1"
	[ "$OUT" = "OK 0" ] || fail "m: mask $1: $OUT"
	echo "mask $1" >>"$RT/toggles"
}
toggle()
{
	_mask 0
	[ $(($1 % 2)) = 0 ] && _mask 3
	touch "$RT/m.done.$1"
}

_joined()
{
	for _f in "$RT"/j"$1".*.out; do
		grep -q '^ep ' "$_f" 2>/dev/null || return 1
	done
}
# spawn_batch R: BATCH user processes; their pids in $RT/pids.R
spawn_batch()
{
	_i=0
	: >"$RT/pids.$1"
	while [ $_i -lt $BATCH ]; do
		bg "j$1.$_i" "$EVSVC" -join
		echo "$BG_PID" >>"$RT/pids.$1"
		_i=$((_i + 1))
	done
}
# joined R: wait for batch R to join; record its endpoints
joined()
{
	wait_for -m "batch $1 to join" _joined "$1"
	for _f in "$RT"/j"$1".*.out; do
		sed -n 's/^ep //p' "$_f" >>"$RT/eps"
	done
}
# forget reaped background jobs (lib.sh's cleanup looks at each)
_drop()
{
	_keep=
	for _p in $BG_PIDS; do
		case " $* " in
		*" $_p "*) ;;
		*) _keep="$_keep $_p" ;;
		esac
	done
	BG_PIDS=$_keep
}
_round_done()
{
	[ -s "$RT/.failed" ] && fail "a disturber failed: $(cat "$RT/.failed")"
	[ -e "$RT/victim.done.$1" ] && [ -e "$RT/m.done.$1" ]
}

: >"$RT/toggles"
bg victims victims
VICTIMS=$BG_PID
spawn_batch 1
joined 1
r=1
while [ $r -le $ROUNDS ]; do
	touch "$RT/round.$r"
	[ $r -gt 1 ] && [ $((r % 2)) = 0 ] && _mask 3
	wait_for -m "round $r's victim" _file "$RT/victim.$r"
	vp=$(cat "$RT/victim.$r")
	[ -n "$vp" ] || fail "round $r: no pid for the victim"
	# the next batch joins while this one, the victim and m's
	# subscription go
	[ $r -lt $ROUNDS ] && spawn_batch $((r + 1))
	term= kill9= i=0
	for p in $(cat "$RT/pids.$r"); do
		if [ $((i % 2)) = 0 ]; then term="$term $p"; else kill9="$kill9 $p"; fi
		i=$((i + 1))
	done
	touch "$RT/killed.$r"
	bg "t$r" toggle $r
	kill -KILL $kill9 "$vp" || fail "round $r: kill -KILL$kill9 $vp"
	kill -TERM $term || fail "round $r: kill -TERM$term"
	tp=$BG_PID
	for p in $(cat "$RT/pids.$r"); do wait "$p" 2>/dev/null; done
	[ $r -lt $ROUNDS ] && joined $((r + 1))
	wait_for -t 30 -m "the disturbers' round $r" _round_done "$r"
	wait "$tp"
	_drop "$tp" $(cat "$RT/pids.$r")
	r=$((r + 1))
done
wait "$VICTIMS" || fail "the victims' loop exited $?: $(cat "$RT/.failed" 2>/dev/null)"
[ -s "$RT/.failed" ] && fail "a disturber failed: $(cat "$RT/.failed")"
grep -q '^mask 0' "$RT/toggles" && [ "$(tail -n 1 "$RT/toggles")" = "mask 0" ] && _mask 3
KILLS=$(grep -c ' k pid ' "$RT/victims.out")
CRASHES=$(grep -c ' v pid ' "$RT/victims.out")
NEPS=$(grep -c . "$RT/eps")
log "churn: $ROUNDS rounds, $NEPS user processes, $KILLS kills of k," \
    "$CRASHES crashes of v, $(grep -c . "$RT/toggles") mask changes of m," \
    "in $(($(now_ms) - T0)) ms"
if [ -s "$RT/status-errors" ]; then
	log "reinc status failed: $(head -n 3 "$RT/status-errors" | tr '\n' ';')"
	grep -Eqv '^reinc status [a-z]+ exited (12[89]|1[3-9][0-9]|2[0-9][0-9]):' \
	    "$RT/status-errors" && fail "reinc status failed during the churn"
fi
[ "$NEPS" = $((ROUNDS * BATCH)) ] || fail "$NEPS endpoints recorded"
[ "$(sort -u "$RT/eps" | grep -c .)" = "$NEPS" ] ||
    fail "an endpoint was handed out twice: $(sort "$RT/eps" | uniq -d)"

# every joined exit reaches a
_unacked()
{
	awk 'FNR == NR { want[$1] = 1; next }
	     $1 == "ack" && $3 == "exit" { got[$2] = 1 }
	     END { for (e in want) if (!(e in got)) print e }' \
	    "$RT/eps" "$RT/a.events"
}
# (wait_for's message could not name the missing ones: a deadline here)
_acked_or_late() { [ -z "$(_unacked)" ] || [ "$(now_ms)" -ge "$1" ]; }
wait_for -t 20 _acked_or_late $(($(now_ms) + 15000))
missing=$(_unacked | tr '\n' ' ')
[ -z "$missing" ] || fail "a never acknowledged the exits of: $missing"

# a last user process's exit reaches all three; one more crash of v is
# recovered, which needs every subscriber's acknowledgement
ev_join last
kill "$BG_PID"
for l in k m a; do ev_wait $l "^ack $JOIN_EP exit OK$"; done
wait_for -m "v healthy before the last crash" _healthy v
vp=$_hp
kill -9 "$vp"
wait_restarted v "$vp" 10
CRASHES=$((CRASHES + 1))
wait_state v running
# a second copy would come late: give it a moment
sleep 0.3

# exactly once, in a's log
awk -v vep="$VEP" -v crashes="$CRASHES" '
	FNR == NR { want[$1] = 1; next }
	$1 == "event" && $3 == "exit" { ev[$2]++ }
	$1 == "ack" && $3 == "exit" { ack[$2]++ }
	END {
		bad = 0
		for (e in want)
			if (ev[e] != 1 || ack[e] != 1) {
				printf "endpoint %s: %d events, %d acks\n", e, ev[e], ack[e]
				bad++
			}
		if (ev[vep] != crashes || ack[vep] != crashes) {
			printf "v (endpoint %s): %d events, %d acks for %d crashes\n",
			    vep, ev[vep], ack[vep], crashes
			bad++
		}
		exit bad != 0
	}' "$RT/eps" "$RT/a.events" >"$RT/a.check" ||
    fail "a's log: $(head -n 20 "$RT/a.check" | tr '\n' ';')"
bad=$(grep '^ack ' "$RT/a.events" | grep -v ' OK$' | head -n 5)
[ -z "$bad" ] || fail "a's acknowledgements failed: $bad"
[ "$(ev_count a '^mask ')" = 1 ] || fail "a's init ran again: $(grep '^mask' "$RT/a.events")"
[ "$(ev_count a "^event $KEP exit$")" = "$KILLS" ] ||
    fail "a saw k exit $(ev_count a "^event $KEP exit$") times for $KILLS kills"

# nobody hung, k subscribed again after each kill, m was never refused
log_has "no acknowledgement of the" &&
    fail "a subscriber was killed as hung: $(grep 'no acknowledgement' "$RT/reincd.out" | head -n 3)"
[ "$(ev_count k '^mask 3 OK$')" = $((KILLS + 1)) ] ||
    fail "k subscribed $(ev_count k '^mask 3 OK$') times for $KILLS kills"
for l in k m a; do
	ev_has $l 'ENOMEM|EINVAL' && fail "$l: $(grep -E 'ENOMEM|EINVAL' "$RT/$l.events" | head -n 3)"
done
[ "$(restarts_of a)" = 0 ] || fail "a restarted $(restarts_of a) times"
[ "$(restarts_of m)" = 0 ] || fail "m restarted $(restarts_of m) times"

# for the record: k and m may see an event twice by design (an event
# sent to k's old instance, or passed by m before it came back at the end
# of the table, can reach the new subscription again)
dups()
{
	awk 'FNR == NR { want[$1] = 1; next }
	     $1 == "event" && ($2 in want) { n[$2]++ }
	     END { d = 0; s = 0; w = 0
		   for (e in want) w++
		   for (e in n) { s++; if (n[e] > 1) d++ }
		   printf "%d of %d seen, %d twice or more", s, w, d }' \
	    "$RT/eps" "$RT/$1.events"
}
log "k: $(dups k); m: $(dups m)"

expect_rc 0 reinc status
[ "$(state_of v)" = running ] || fail "v is $(state_of v)"
for l in k m a; do
	[ "$(state_of $l)" = running ] || fail "$l is $(state_of $l)"
done
log "done in $(($(now_ms) - T0)) ms"
exit 0
