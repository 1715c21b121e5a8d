#!/bin/sh
# A service with its own ping callback is pinged about every period, and
# the pings are handled by the callback, never returned by sef_receive
# (ref §8 items 11, 14).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label pc -period 200ms -args countping
read_info pc
n0=$(iget pings)
sleep 1.2
read_info pc
n1=$(iget pings)
n=$((n1 - n0))
log "pings in 1.2 s at a 200 ms period: $n"
[ "$n" -ge 3 ] || fail "only $n pings in 1.2 s with a 200 ms period"
[ "$n" -le 9 ] || fail "$n pings in 1.2 s with a 200 ms period"
[ "$(iget events)" = 0 ] || fail "pings reached the main loop"
[ "$(restarts_of pc)" = 0 ] || fail "a service answering pings was restarted"
exit 0
