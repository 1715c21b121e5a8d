#!/bin/sh
# On an abort the old instance's state_changed callback sees its state
# go back to NULL, whether the update was aborted while it was still
# preparing (a never-ready custom state 7 past -maxtime: cancelled,
# EINTR, no state_save) or after it had reported ready (-y: its ready
# call answered ENOSYS, state_save run once).  Both services serve their
# hammering clients on, counters intact (ref §8 item 72).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ap -args "lu isvalid-custom prepare-after 1000000000"
expect_rc 0 reinc up "$SVC" -label ar -args "lu isvalid-custom prepare-ready"
pp=$(pid_of ap)
pr=$(pid_of ar)
hammer hp ap
hammer hr ar
wait_counter_past ap 50
wait_counter_past ar 50

# aborted while preparing
expect_rc 4 reinc update self -label ap -state 7 -maxtime 1HZ
_resumed() { luinfo ap; [ "$(lget state)" = 0 ]; }
wait_for -m "ap back in state 0" _resumed
[ "$(lget last)" = "7->0" ] && [ "$(lget changes)" = 2 ] &&
	[ "$(lget saves)" = 0 ] || fail "ap after the cancel: $LU"
[ "$(lget prepares)" -gt 0 ] || fail "ap: the prepare callback never ran: $LU"
[ "$(pid_of ap)" = "$pp" ] || fail "ap: pid $(pid_of ap), expected $pp"
wait_counter_past ap "$(lget counter)" "$pp"

# aborted after ready
expect_rc 38 reinc -y update self -label ar -state 7
luinfo ar
[ "$(lget state)" = 0 ] && [ "$(lget last)" = "7->0" ] &&
	[ "$(lget changes)" = 2 ] && [ "$(lget saves)" = 1 ] ||
	fail "ar after the rollback: $LU"
[ "$(pid_of ar)" = "$pr" ] || fail "ar: pid $(pid_of ar), expected $pr"
wait_counter_past ar "$(lget counter)" "$pr"
wait_kids "$pp $pr"

hammer_end hp
add0 ap
[ "$(aget counter)" = "$HSENT" ] ||
	fail "ap: counter $(aget counter) after $HSENT adds of 1"
hammer_end hr
add0 ar
[ "$(aget counter)" = "$HSENT" ] ||
	fail "ar: counter $(aget counter) after $HSENT adds of 1"
exit 0
