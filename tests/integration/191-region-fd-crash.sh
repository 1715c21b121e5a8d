#!/bin/sh
# A persistent region and a stored descriptor survive a crash: the
# service (restart callback, region "svc-count", memfd stored as "memo")
# is killed with SIGKILL while a client hammers it; the restarted
# instance finds the region's counter where the old one left it and
# retrieves the same memfd (same inode).  Nothing is lost but, at most,
# the one request in service at the kill (EDEADSRCDST).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label rf -args "restartcb luregion fdstore"
p=$(pid_of rf)
ep=$(ep_of rf)
luinfo rf
ino=$(lget fdino)
[ "${ino:-0}" -gt 0 ] || fail "no stored descriptor: $LU"
hammer h rf -crash
wait_counter_past rf 50

kill -9 "$p"
wait_restarted rf "$p"
np=$NEWPID
[ "$(ep_of rf)" = "$ep" ] || fail "endpoint changed"
read_info rf
[ "$(iget type)" = 2 ] || fail "init type $(iget type), expected 2 (restart)"
luinfo rf
[ "$(lget fdino)" = "$ino" ] || fail "stored descriptor inode $(lget fdino), was $ino"
wait_counter_past rf "$(lget counter)" "$np"

hammer_end h -dead-ok
[ "$HDEAD" -le 1 ] || fail "$HDEAD requests dead for one kill"
add0 rf
reg=$(aget region)
[ "$reg" -ge "$HOK" ] && [ "$reg" -le $((HOK + HDEAD)) ] ||
	fail "region counter $reg after $HOK answered adds of 1 ($HDEAD dead)"
# the counter in memory started afresh; the region did not
[ "$(aget counter)" -lt "$reg" ] || fail "counter $(aget counter) not reset: $ADD"
exit 0
