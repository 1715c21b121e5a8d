#!/bin/sh
# reincd starts an update only when it is idle: while another service is
# still starting (a 3 s init), a direct update fails with EAGAIN (11) and
# the service is not even asked to prepare; a batch can be scheduled, but
# upd_start and upd_run fail with EAGAIN and keep it scheduled; once the
# other service runs, upd_run updates.  The hammering client notices
# nothing (ref §8 item 77).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ot -args lu
p=$(pid_of ot)
hammer h ot
wait_counter_past ot 50

expect_rc 0 reinc -n up "$SVC" -label slow -args "initsleep 3000"
ps=$(pid_of slow)
[ "$(state_of slow)" = starting ] || fail "slow: state $(state_of slow)"
expect_rc 11 reinc update self -label ot
expect_rc 0 reinc -q update self -label ot
expect_rc 11 reinc sysctl upd_start
expect_rc 11 reinc sysctl upd_run
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "update scheduled: ot(self, state 1, scheduled)" ] ||
	fail "upd_status: $OUT"
[ "$(pid_of ot)" = "$p" ] || fail "ot: pid $(pid_of ot), expected $p"
luinfo ot
[ "$(lget changes)" = 0 ] && [ "$(lget saves)" = 0 ] ||
	fail "ot was asked to prepare: $LU"
wait_counter_past ot "$(lget counter)" "$p"

wait_state slow running
expect_rc 0 reinc sysctl upd_run
np=$(pid_of ot)
[ "$np" != "$p" ] || fail "ot: no new instance"
wait_kids "$np $ps"
luinfo ot
wait_counter_past ot "$(lget counter)" "$np"

hammer_end h
add0 ot
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
