#!/bin/sh
# A service with its own restart callback is restarted after a crash with
# init type RESTART, old_endpoint set, restarts + 1, the same endpoint
# (ref §8 items 7, 8, 25).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label rc -args restartcb
ep=$(ep_of rc)
p=$(pid_of rc)
[ "$(restarts_of rc)" = 0 ] || fail "restarts $(restarts_of rc) after up"
read_info rc
[ "$(iget type)" = 0 ] || fail "first init type $(iget type), expected FRESH"
[ "$(iget restarts)" = 1 ] || fail "first init restarts $(iget restarts)"

kill -9 "$p"
wait_restarted rc "$p"
[ "$(ep_of rc)" = "$ep" ] || fail "endpoint changed: $ep -> $(ep_of rc)"
[ "$(restarts_of rc)" = 1 ] || fail "status restarts $(restarts_of rc), expected 1"
read_info rc
log "after the crash: $INFO"
[ "$(iget type)" = 2 ] || fail "init type $(iget type), expected RESTART (2)"
[ "$(iget cbmask)" = 4 ] || fail "callbacks run: $(iget cbmask), expected restart only (4)"
# counter + 1 at the time of the init: the restart completes after it
[ "$(iget restarts)" = 1 ] || fail "init restarts $(iget restarts), expected 1"
[ "$(iget endpoint)" = "$ep" ] || fail "init endpoint $(iget endpoint)"
[ "$(iget old_endpoint)" != 27342 ] || fail "RESTART init with old_endpoint NONE"
[ "$(iget pid)" = "$NEWPID" ] || fail "answered by pid $(iget pid), status says $NEWPID"
exit 0
