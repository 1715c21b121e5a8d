#!/bin/sh
# -reset-after D: once a service ran healthy for D the back-off starts
# again from "restart at once" (docs/behaviour.md).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label br -reset-after 300ms
p=$(pid_of br)
kill -9 "$p"
wait_restarted br "$p" 3
p=$NEWPID
_healthy() { _u=$(status_field br uptime_ms); [ "${_u:-0}" -ge 450 ]; }
wait_for -m "uptime beyond -reset-after" _healthy
t0=$(now_ms)
kill -9 "$p"
wait_restarted br "$p" 5
dt=$(($(now_ms) - t0))
log "restart after a healthy stretch: $dt ms"
[ "$dt" -lt 1000 ] || fail "restart after $dt ms: the back-off was not reset"
# a crash right away is a second crash again: 2 s
p=$NEWPID
kill -9 "$p"
wait_state br backoff 2
b=$(status_field br backoff_ms)
[ "$b" -gt 1000 ] && [ "$b" -le 2000 ] || fail "backoff_ms $b, expected about 2000"
exit 0
