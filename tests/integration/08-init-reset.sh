#!/bin/sh
# With the default restart callback (sef_cb_init_reset) a crashed service
# is restarted fresh: the fresh init runs with old_endpoint NONE, restarts
# + 1, and (our decision, docs/behaviour.md) the endpoint is kept
# (ref §8 items 8, 26).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label reset
ep=$(ep_of reset)
p=$(pid_of reset)
kill -9 "$p"
wait_restarted reset "$p"
[ "$(ep_of reset)" = "$ep" ] || fail "endpoint changed: $ep -> $(ep_of reset)"
[ "$(restarts_of reset)" = 1 ] || fail "status restarts $(restarts_of reset)"
read_info reset
log "after the crash: $INFO"
[ "$(iget cbmask)" = 1 ] || fail "callbacks run: $(iget cbmask), expected fresh only (1)"
[ "$(iget type)" = 0 ] || fail "fresh callback got type $(iget type)"
[ "$(iget old_endpoint)" = 27342 ] || fail "reset init old_endpoint $(iget old_endpoint)"
# counter + 1 at the time of the init: the restart completes after it
[ "$(iget restarts)" = 1 ] || fail "init restarts $(iget restarts), expected 1"
exit 0
