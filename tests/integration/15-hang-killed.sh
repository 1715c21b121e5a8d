#!/bin/sh
# A service stuck in a busy loop (or blocked outside sef_receive) stops
# answering pings and is killed with SIGKILL after more than 2 periods,
# then restarted; the request it was serving fails with EDEADSRCDST
# (ref §8 item 15).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label spin -period 200ms
ep=$(ep_of spin)
p=$(pid_of spin)
bg hang "$CLIENT" spin -type hang -expect-errors -timeout 20
c=$BG_PID
t0=$(now_ms)
wait_restarted spin "$p" 5
dt=$(($(now_ms) - t0))
# The last sign of life is the last tick (50 ms) that saw it idle, which
# may come up to a tick before the hang began: more than 2P - 1 tick.
[ "$dt" -gt 350 ] || fail "killed $dt ms after it hung: not more than 2 periods"
wait "$c" || fail "client: $(cat "$RT/hang.out")"
grep -q 'dead=1' "$RT/hang.out" || fail "client: $(cat "$RT/hang.out")"
[ "$(ep_of spin)" = "$ep" ] || fail "endpoint changed"
"$CLIENT" spin >/dev/null || fail "the restarted service does not answer"

# the same for a service blocked outside sef_receive
expect_rc 0 reinc up "$SVC" -label blk -period 200ms
p=$(pid_of blk)
bg block "$CLIENT" blk -type block -expect-errors -timeout 20
c=$BG_PID
wait_restarted blk "$p" 5
wait "$c" || fail "client: $(cat "$RT/block.out")"
grep -q 'dead=1' "$RT/block.out" || fail "client: $(cat "$RT/block.out")"
exit 0
