#!/bin/sh
# A service that registered the null ping-reply callback and has a
# period is killed once more than 2 periods passed without a heartbeat,
# and restarted (ref §8 items 10, 15).
. "$(dirname "$0")/lib.sh"
start_reincd

# t0 before up: the kill comes more than 2 periods after init, so at
# least 400 ms after t0 whatever the shell's delays.
t0=$(now_ms)
expect_rc 0 reinc up "$SVC" -label mute -period 200ms -args noping
p=$(pid_of mute)
wait_restarted mute "$p" 5
dt=$(($(now_ms) - t0))
[ "$dt" -gt 400 ] || fail "killed after $dt ms, not more than 2 periods (400 ms)"
[ "$(restarts_of mute)" -ge 1 ] || fail "restarts $(restarts_of mute)"
wait_log 'no heartbeat'
exit 0
