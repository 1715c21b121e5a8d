#!/bin/sh
# The new instance fails its init with ENOSYS (-y) while a client
# hammers the service: the update rolls back with ENOSYS (38); the old
# instance, frozen meanwhile, resumes with its counter intact (same pid,
# endpoint and restart count; state_changed(1 -> 0), state_save run
# once) and answers every request, none lost; the new instance is gone
# (ref §8 item 66).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ri -args lu
p=$(pid_of ri)
ep=$(ep_of ri)
r=$(restarts_of ri)
hammer h ri
wait_counter_past ri 50

t0=$(now_ms)
expect_rc 38 reinc -y update self -label ri
el=$(ms_since "$t0")
log "rolled back after $el ms"
[ "$(pid_of ri)" = "$p" ] || fail "pid $(pid_of ri), expected the old $p"
[ "$(ep_of ri)" = "$ep" ] || fail "endpoint $(ep_of ri), was $ep"
[ "$(restarts_of ri)" = "$r" ] || fail "restarts $(restarts_of ri), was $r"
[ "$(state_of ri)" = running ] || fail "state $(state_of ri)"
wait_kids "$p"
luinfo ri
[ "$(lget state)" = 0 ] && [ "$(lget last)" = "1->0" ] &&
	[ "$(lget changes)" = 2 ] && [ "$(lget saves)" = 1 ] ||
	fail "old instance after the rollback: $LU"
read_info ri
[ "$(iget type)" = 0 ] || fail "init type $(iget type): not the old instance"
wait_counter_past ri "$(lget counter)" "$p"

hammer_end h
add0 ri
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
[ "$(aget pid)" = "$p" ] || fail "answered by $(aget pid), not $p"
exit 0
