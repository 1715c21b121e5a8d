#!/bin/sh
# An error from state_save aborts the update with that error (EIO, 5):
# the old instance resumes (same pid, state_changed(1 -> 0)), serves the
# hammering client on, and the counter is intact (ref §8 item 71).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label sf -args "lu savefail"
p=$(pid_of sf)
ep=$(ep_of sf)
hammer h sf
wait_counter_past sf 50

expect_rc 5 reinc update self -label sf
log_has "service 'sf': update failed: " || fail "no log line"
[ "$(pid_of sf)" = "$p" ] || fail "pid $(pid_of sf), expected the old $p"
[ "$(ep_of sf)" = "$ep" ] || fail "endpoint changed"
[ "$(state_of sf)" = running ] || fail "state $(state_of sf)"
wait_kids "$p"
luinfo sf
[ "$(lget saves)" = 1 ] && [ "$(lget changes)" = 2 ] &&
	[ "$(lget last)" = "1->0" ] && [ "$(lget state)" = 0 ] ||
	fail "after the failed save: $LU"
wait_counter_past sf "$(lget counter)" "$p"
# and it can be asked again: the same answer
expect_rc 5 reinc update self -label sf
[ "$(pid_of sf)" = "$p" ] || fail "pid $(pid_of sf), expected the old $p"

hammer_end h
add0 sf
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
