#!/bin/sh
# A persistent region and a stored descriptor survive a successful live
# update: the new instance maps the same region (its counter going on
# with the hammering client's adds, equal to the counter carried in the
# blob) and retrieves the same memfd (same inode); nothing is lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ru -args "lu luregion fdstore"
p=$(pid_of ru)
luinfo ru
ino=$(lget fdino)
[ "${ino:-0}" -gt 0 ] || fail "no stored descriptor: $LU"
hammer h ru
wait_counter_past ru 50

expect_rc 0 reinc update self -label ru
np=$(pid_of ru)
[ "$np" != "$p" ] || fail "no new instance"
luinfo ru
[ "$(lget fdino)" = "$ino" ] || fail "stored descriptor inode $(lget fdino), was $ino"
[ "$(lget blobver)" = 1 ] || fail "no blob: $LU"
add0 ru
[ "$(aget region)" = "$(aget counter)" ] ||
	fail "region $(aget region), counter $(aget counter): $ADD"
wait_counter_past ru "$(aget counter)" "$np"
wait_kids "$np"

hammer_end h
add0 ru
[ "$(aget counter)" = "$HSENT" ] && [ "$(aget region)" = "$HSENT" ] ||
	fail "after $HSENT adds of 1: $ADD"
exit 0
