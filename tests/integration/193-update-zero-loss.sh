#!/bin/sh
# Zero loss across live updates: two clients hammer one service (c1 adds
# 1 and checks that every reply is the previous one plus 1; c2 echoes and
# checks its payload) while it is updated 40 times: 30 successful self
# updates and 10 rolled back ones (the new instance crashing (-x) or
# failing (-y) its init, alternately).  Every request is answered, none
# fails, the counter carries on through every update and rollback (no
# add lost or applied twice), and the label, endpoint and restart count
# never change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
OK_N=${ZL_UPDATES:-30}
RB_N=${ZL_ROLLBACKS:-10}
start_reincd

expect_rc 0 reinc up "$SVC" -label zu -args lu
p=$(pid_of zu)
ep=$(ep_of zu)
hammer c1 zu
bg c2 "$CLIENT" zu -n 0 -loop-until-file "$RT/c2.stop" -max-gap-us
c2=$BG_PID
wait_counter_past zu 50

t0=$(now_ms)
i=0 ok=0 rb=0
while [ $((ok + rb)) -lt $((OK_N + RB_N)) ]; do
	i=$((i + 1))
	alive "$c2" || fail "c2 ended early: $(tail -n 5 "$RT/c2.out")"
	# one rollback after every OK_N / RB_N successful updates
	if [ $((rb * OK_N)) -lt $((ok * RB_N)) ] || [ "$ok" -ge "$OK_N" ]; then
		if [ $((rb % 2)) = 0 ]; then
			expect_rc 85 reinc -x update self -label zu
		else
			expect_rc 38 reinc -y update self -label zu
		fi
		rb=$((rb + 1))
		[ "$(pid_of zu)" = "$p" ] ||
			fail "update $i (rollback): pid $(pid_of zu), expected $p"
	else
		expect_rc 0 reinc update self -label zu
		ok=$((ok + 1))
		np=$(pid_of zu)
		[ "$np" != "$p" ] || fail "update $i: no new instance"
		wait_dead "$p"
		p=$np
	fi
	# c1 is served by the instance now running, from where it stood
	luinfo zu
	[ "$(lget pid)" = "$p" ] || fail "update $i: answered by $(lget pid), not $p"
	wait_counter_past zu "$(lget counter)" "$p"
done
log "$ok updates and $rb rollbacks in $(ms_since "$t0") ms"
[ "$(ep_of zu)" = "$ep" ] || fail "endpoint changed"
[ "$(restarts_of zu)" = 0 ] || fail "restarts $(restarts_of zu)"
wait_kids "$p"

hammer_end c1
c1sent=$HSENT
touch "$RT/c2.stop"
wait "$c2"
rc=$?
log "client c2: $(grep -E '^(sent|pids|max_gap_us)=' "$RT/c2.out" | tr '\n' ' ')"
[ "$rc" = 0 ] || fail "c2 exited $rc: $(tail -n 5 "$RT/c2.out")"
grep -Eq '^sent=([0-9]+) ok=\1 dead=0 other=0$' "$RT/c2.out" ||
	fail "c2: $(grep '^sent=' "$RT/c2.out")"
# c1 was answered by every instance in turn, never by one again
n=$(sed -n 's/^pids=//p' "$RT/c1.out")
[ "$n" = $((OK_N + 1)) ] ||
	fail "c1 was answered by $n instances in turn, expected $((OK_N + 1))"
n=$(sed -n 's/^pids=//p' "$RT/c2.out")
[ "$n" -gt 1 ] && [ "$n" -le $((OK_N + 1)) ] ||
	fail "c2 was answered by $n instances in turn"
add0 zu
[ "$(aget counter)" = "$c1sent" ] ||
	fail "counter $(aget counter) after $c1sent adds of 1"
exit 0
