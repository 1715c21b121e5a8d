#!/bin/sh
# Services die with reincd, even when it is killed with SIGKILL; and
# SIGINT to reincd is a shutdown like SIGTERM (docs/behaviour.md).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label a
expect_rc 0 reinc -p up "$SVC" -label b
_standby() { sp=$(standby_of b); [ -n "$sp" ] && [ "$sp" != 0 ]; }
wait_for -m "b's standby" _standby
pids="$(pid_of a) $(pid_of b) $sp"
kill -9 "$REINCD_PID"
wait "$REINCD_PID"
REINCD_STOPPED=1
for p in $pids; do
	wait_dead "$p" 5
done

# a new reincd on the same directory (stale socket and lock file left by
# the killed one), stopped with SIGINT
mv "$RT/reincd.out" "$RT/reincd-1.out"
"$REINCD" -r "$RT" -tick 50ms -stop-grace 500ms >"$RT/reincd.out" 2>&1 &
REINCD_PID=$!
REINCD_STOPPED=
echo "$REINCD_PID" >>"$RT/.pids"
_serving() { _reincd_listening && reinc status >/dev/null 2>&1; }
wait_for -m "a new reincd serving in the same directory" _serving
expect_rc 0 reinc up "$SVC" -label c
p=$(pid_of c)
kill -INT "$REINCD_PID"
wait_dead "$REINCD_PID" 10
wait "$REINCD_PID"
st=$?
REINCD_STOPPED=1
[ "$st" -eq 0 ] || fail "reincd exited $st after SIGINT"
alive "$p" && fail "service $p survived reincd's SIGINT shutdown"
exit 0
