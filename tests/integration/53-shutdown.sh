#!/bin/sh
# shutdown brings every service down, allows no restart meanwhile, and
# reincd exits 0 (ref §8 item 53).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label a
expect_rc 0 reinc up "$SVC" -label b -args termhandler
expect_rc 0 reinc -p up "$SVC" -label c
_standby() { sp=$(standby_of c); [ -n "$sp" ] && [ "$sp" != 0 ]; }
wait_for -m "c's standby" _standby
pids="$(pid_of a) $(pid_of b) $(pid_of c) $sp"
expect_rc 0 reinc shutdown
wait_dead "$REINCD_PID" 10
wait "$REINCD_PID"
st=$?
REINCD_STOPPED=1
[ "$st" -eq 0 ] || fail "reincd exited with status $st"
for p in $pids; do
	alive "$p" && fail "pid $p survived the shutdown"
done
if sed -n '/shutdown requested/,$p' "$RT/reincd.out" | grep -Eq 'restarting|completed restart'; then
	fail "a service was restarted during the shutdown"
fi
exit 0
