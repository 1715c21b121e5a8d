#!/bin/sh
# The new instance hangs in its init (-z, -maxtime 1HZ: killed after
# more than 2 s) while a client hammers the service: the update rolls
# back with EINTR (4); the old instance, frozen meanwhile, resumes with
# its counter intact (same pid, endpoint and restart count;
# state_changed(1 -> 0), state_save run once) and answers every
# request, none lost; the new instance is gone (ref §8 item 67).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label rh -args lu
p=$(pid_of rh)
ep=$(ep_of rh)
r=$(restarts_of rh)
hammer h rh
wait_counter_past rh 50

t0=$(now_ms)
expect_rc 4 reinc -z update self -label rh -maxtime 1HZ
el=$(ms_since "$t0")
log "rolled back after $el ms"
# killed after more than 2 x the -maxtime
[ "$el" -ge 2000 ] || fail "the new instance's init was given only $el ms"
log_has "update failed: no answer to the new instance's init request" ||
	fail "no log line for the init deadline"
[ "$(pid_of rh)" = "$p" ] || fail "pid $(pid_of rh), expected the old $p"
[ "$(ep_of rh)" = "$ep" ] || fail "endpoint $(ep_of rh), was $ep"
[ "$(restarts_of rh)" = "$r" ] || fail "restarts $(restarts_of rh), was $r"
[ "$(state_of rh)" = running ] || fail "state $(state_of rh)"
wait_kids "$p"
luinfo rh
[ "$(lget state)" = 0 ] && [ "$(lget last)" = "1->0" ] &&
	[ "$(lget changes)" = 2 ] && [ "$(lget saves)" = 1 ] ||
	fail "old instance after the rollback: $LU"
read_info rh
[ "$(iget type)" = 0 ] || fail "init type $(iget type): not the old instance"
wait_counter_past rh "$(lget counter)" "$p"

hammer_end h
add0 rh
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
[ "$(aget pid)" = "$p" ] || fail "answered by $(aget pid), not $p"
exit 0
