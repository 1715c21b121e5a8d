#!/bin/sh
# Zero loss without a standby: the same check as 90-zero-loss.sh, with
# recovery spawning a new instance each time (30 kills).
. "$(dirname "$0")/lib.sh"
KILLS=${ZL_KILLS:-30}
start_reincd

expect_rc 0 reinc up "$SVC" -label zs -reset-after 100ms
bg c1 "$CLIENT" zs -n 0 -loop-until-file "$RT/stop" -expect-errors -timeout 10
c1=$BG_PID
bg c2 "$CLIENT" zs -n 0 -loop-until-file "$RT/stop" -expect-errors -timeout 10
c2=$BG_PID

_healthy() { _u=$(status_field zs uptime_ms); [ "${_u:-0}" -ge 150 ]; }
i=0
while [ "$i" -lt "$KILLS" ]; do
	alive "$c1" || fail "client 1 ended early: $(tail -n 5 "$RT/c1.out")"
	alive "$c2" || fail "client 2 ended early: $(tail -n 5 "$RT/c2.out")"
	wait_for -t 5 -m "kill $i: instance healthy past -reset-after" _healthy
	p=$(pid_of zs)
	kill -9 "$p"
	wait_restarted zs "$p" 5
	i=$((i + 1))
done
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
	dead=$((dead + d))
done
[ "$dead" -le "$KILLS" ] || fail "$dead requests dead for $KILLS kills"
exit 0
