#!/bin/sh
# `update self` with the default state (1, work free) succeeds while a
# client hammers the service: exit 0, a new instance with the same
# endpoint and restart count, init type LU with SEF_LU_SELF, the counter
# carried over in the state blob, every request answered (ref §8 item 59).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label us -args lu
p=$(pid_of us)
ep=$(ep_of us)
r=$(restarts_of us)
hammer h us
wait_counter_past us 50

expect_rc 0 reinc update self -label us
np=$(pid_of us)
[ "$np" != "$p" ] || fail "no new instance (pid $np)"
wait_dead "$p"
[ "$(ep_of us)" = "$ep" ] || fail "endpoint $(ep_of us), was $ep"
[ "$(restarts_of us)" = "$r" ] || fail "restarts $(restarts_of us), was $r"
[ "$(state_of us)" = running ] || fail "state $(state_of us)"
read_info us
[ "$(iget type)" = 1 ] || fail "init type $(iget type), expected 1 (LU): $INFO"
has_flag 0x100 "$(iget flags)" || fail "flags $(iget flags) lack SEF_LU_SELF"
[ "$(iget old_endpoint)" = "$ep" ] && [ "$(iget endpoint)" = "$ep" ] ||
	fail "old_endpoint/endpoint not $ep: $INFO"
luinfo us
[ "$(lget blobver)" = 1 ] || fail "no blob in the new instance: $LU"
c=$(lget counter)
# the new instance serves the client, the counter going on from the old one
wait_counter_past us "$c" "$np"

hammer_end h
add0 us
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
[ "$(aget pid)" = "$np" ] || fail "answered by $(aget pid), not $np"
wait_kids "$np"
exit 0
