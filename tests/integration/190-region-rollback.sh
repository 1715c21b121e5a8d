#!/bin/sh
# A persistent region survives a rolled-back update untouched: the new
# instance maps the region (copy-on-write during its LU init), writes
# 999999 into it and fails its init (EIO); after the rollback the old
# instance's region counter is intact and goes on with the hammering
# client's adds, equal to the counter kept in memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label rr -args "lu luregion luscribble print"
p=$(pid_of rr)
hammer h rr
wait_counter_past rr 50

expect_rc 5 reinc update self -label rr
wait_log "rr: svc: scribbled on the region, failing init"
[ "$(pid_of rr)" = "$p" ] || fail "pid $(pid_of rr), expected the old $p"
wait_kids "$p"
add0 rr
[ "$(aget region)" = "$(aget counter)" ] ||
	fail "region $(aget region), counter $(aget counter): $ADD"
luinfo rr
[ "$(lget last)" = "1->0" ] || fail "after the rollback: $LU"
wait_counter_past rr "$(lget counter)" "$p"

hammer_end h
add0 rr
[ "$(aget counter)" = "$HSENT" ] && [ "$(aget region)" = "$HSENT" ] ||
	fail "after $HSENT adds of 1: $ADD"
exit 0
