#!/bin/sh
# THE zero-loss test: two clients hammer an echo service while its
# instance is killed 100 times.  Every request is answered, or (only the
# one being served at the moment of death) fails with EDEADSRCDST; none is
# lost, none hangs, none gets another request's reply.
#
# The service keeps a hot standby (-p) so that recovery is a hand-over,
# and -reset-after 100ms, waited for before each kill, keeps the back-off
# at "restart at once" (otherwise 100 kills would take 100 x 30 s).
. "$(dirname "$0")/lib.sh"
KILLS=${ZL_KILLS:-100}
start_reincd

expect_rc 0 reinc -p up "$SVC" -label zl -reset-after 100ms
_standby() { _s=$(standby_of zl); [ -n "$_s" ] && [ "$_s" != 0 ]; }
wait_for -m "a standby" _standby
ep=$(ep_of zl)

bg c1 "$CLIENT" zl -n 0 -loop-until-file "$RT/stop" -expect-errors -timeout 10
c1=$BG_PID
bg c2 "$CLIENT" zl -n 0 -loop-until-file "$RT/stop" -expect-errors -timeout 10
c2=$BG_PID

_healthy() { _u=$(status_field zl uptime_ms); [ "${_u:-0}" -ge 150 ]; }
t0=$(now_ms)
i=0
while [ "$i" -lt "$KILLS" ]; do
	alive "$c1" || fail "client 1 ended early: $(tail -n 5 "$RT/c1.out")"
	alive "$c2" || fail "client 2 ended early: $(tail -n 5 "$RT/c2.out")"
	wait_for -t 5 -m "kill $i: instance healthy past -reset-after" _healthy
	p=$(pid_of zl)
	kill -9 "$p"
	wait_restarted zl "$p" 5
	i=$((i + 1))
done
log "$KILLS kills in $(($(now_ms) - t0)) ms"
touch "$RT/stop"
wait "$c1"
rc1=$?
wait "$c2"
rc2=$?
log "client 1: $(grep -E '^(sent|pids)=' "$RT/c1.out" | tr '\n' ' ')"
log "client 2: $(grep -E '^(sent|pids)=' "$RT/c2.out" | tr '\n' ' ')"
[ "$rc1" -eq 0 ] || fail "client 1 exited $rc1: $(tail -n 5 "$RT/c1.out")"
[ "$rc2" -eq 0 ] || fail "client 2 exited $rc2: $(tail -n 5 "$RT/c2.out")"
dead=0
for c in c1 c2; do
	sent=$(summary_field "$RT/$c.out" sent)
	ok=$(summary_field "$RT/$c.out" ok)
	d=$(summary_field "$RT/$c.out" dead)
	other=$(summary_field "$RT/$c.out" other)
	[ "$other" = 0 ] || fail "$c: $other requests failed otherwise"
	[ $((ok + d)) -eq "$sent" ] || fail "$c: sent $sent, ok $ok, dead $d: lost some"
	[ "$ok" -gt $((KILLS * 10)) ] || fail "$c: only $ok answers"
	pids=$(sed -n 's/^pids=//p' "$RT/$c.out")
	[ "$pids" -gt $((KILLS / 2)) ] || fail "$c: answers came from only $pids instances"
	dead=$((dead + d))
done
# one request in service per instance at most
[ "$dead" -le "$KILLS" ] || fail "$dead requests dead for $KILLS kills"
[ "$(ep_of zl)" = "$ep" ] || fail "endpoint changed"
exit 0
