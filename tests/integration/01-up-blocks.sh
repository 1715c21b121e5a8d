#!/bin/sh
# up blocks until the service answered its init, then returns 0, and the
# instance got a FRESH init (ref §8 items 1, 7).
. "$(dirname "$0")/lib.sh"
start_reincd

t0=$(now_ms)
expect_rc 0 reinc up "$SVC" -label slow -args "initsleep 400"
dt=$(($(now_ms) - t0))
[ "$dt" -ge 400 ] || fail "up returned after $dt ms, before the 400 ms init"
[ "$(state_of slow)" = running ] ||
	fail "state right after up: '$(state_of slow)', expected running"

read_info slow
[ "$(iget type)" = 0 ] || fail "init type $(iget type), expected FRESH (0)"
[ "$(iget cbmask)" = 1 ] || fail "callbacks run: $(iget cbmask), expected fresh only"
[ "$(iget endpoint)" = "$(ep_of slow)" ] ||
	fail "init endpoint $(iget endpoint), status says $(ep_of slow)"
[ "$(iget old_endpoint)" = 27342 ] ||
	fail "fresh init old_endpoint $(iget old_endpoint), expected NONE (27342)"
[ "$(iget restarts)" = 1 ] || fail "fresh init restarts $(iget restarts), expected 1"
[ "$(iget events)" = 0 ] || fail "SEF events reached the main loop"
exit 0
