#!/bin/sh
# The first crash of a service is restarted at once (ref §8 item 21).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label fc
p=$(pid_of fc)
t0=$(now_ms)
kill -9 "$p"
wait_restarted fc "$p" 5
dt=$(($(now_ms) - t0))
log "restarted $dt ms after the crash"
[ "$dt" -lt 1000 ] || fail "first restart took $dt ms: not immediate"
[ "$(restarts_of fc)" = 1 ] || fail "restarts $(restarts_of fc)"
exit 0
