#!/bin/sh
# state_save runs exactly once, in the old instance, once its prepare
# callback has said ready (here on its 21st call, the hammering client
# driving the calls), and not again however long the update then takes:
# after a rollback (-x) the old instance has 21 prepare calls and one
# save behind it.  The next update (which succeeds) carries the counter
# the single save took plus everything that queued after it
# (ref §8 item 71).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label so -args "lu isvalid-standard prepare-after 20"
p=$(pid_of so)
hammer h so
wait_counter_past so 50

expect_rc 85 reinc -x update self -label so -state 2
[ "$(pid_of so)" = "$p" ] || fail "pid $(pid_of so), expected the old $p"
luinfo so
[ "$(lget saves)" = 1 ] && [ "$(lget prepares)" = 21 ] &&
	[ "$(lget last)" = "2->0" ] && [ "$(lget state)" = 0 ] ||
	fail "after the rollback: $LU"
wait_counter_past so "$(lget counter)" "$p"

expect_rc 0 reinc update self -label so -state 2
np=$(pid_of so)
[ "$np" != "$p" ] || fail "no new instance"
luinfo so
[ "$(lget saves)" = 0 ] && [ "$(lget prepares)" = 0 ] && [ "$(lget blobver)" = 1 ] ||
	fail "the new instance: $LU"
wait_counter_past so "$(lget counter)" "$np"
wait_kids "$np"

hammer_end h
add0 so
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
