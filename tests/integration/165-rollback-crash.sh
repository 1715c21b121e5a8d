#!/bin/sh
# The new instance crashes in its init (-x) while a client hammers the
# service: the update rolls back with ERESTART (85); the old instance,
# frozen meanwhile, resumes with its counter intact (same pid, endpoint
# and restart count; state_changed(1 -> 0), state_save run once) and
# answers every request, none lost; the new instance is gone
# (ref §8 item 65).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label rc -args lu
p=$(pid_of rc)
ep=$(ep_of rc)
r=$(restarts_of rc)
hammer h rc
wait_counter_past rc 50

t0=$(now_ms)
expect_rc 85 reinc -x update self -label rc
el=$(ms_since "$t0")
log "rolled back after $el ms"
[ "$(pid_of rc)" = "$p" ] || fail "pid $(pid_of rc), expected the old $p"
[ "$(ep_of rc)" = "$ep" ] || fail "endpoint $(ep_of rc), was $ep"
[ "$(restarts_of rc)" = "$r" ] || fail "restarts $(restarts_of rc), was $r"
[ "$(state_of rc)" = running ] || fail "state $(state_of rc)"
wait_kids "$p"
luinfo rc
[ "$(lget state)" = 0 ] && [ "$(lget last)" = "1->0" ] &&
	[ "$(lget changes)" = 2 ] && [ "$(lget saves)" = 1 ] ||
	fail "old instance after the rollback: $LU"
read_info rc
[ "$(iget type)" = 0 ] || fail "init type $(iget type): not the old instance"
wait_counter_past rc "$(lget counter)" "$p"

hammer_end h
add0 rc
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
[ "$(aget pid)" = "$p" ] || fail "answered by $(aget pid), not $p"
exit 0
