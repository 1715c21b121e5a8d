#!/bin/sh
# A crash of any service while an update runs aborts the update with
# ERESTART (85) before that service is recovered: ca prepares slowly (a
# state 2 it is not ready for, no deadline) while another service, cb, is
# killed; the update fails, ca carries on with its old instance (cancelled:
# state_changed(2 -> 0), no state_save) and its hammering client loses
# nothing, and cb is restarted (ref §8 item 78).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ca -args "lu isvalid-standard prepare-after 1000000000"
expect_rc 0 reinc up "$SVC" -label cb -args restartcb
pa=$(pid_of ca)
pb=$(pid_of cb)
hammer h ca
wait_counter_past ca 50

bg upd reinc update self -label ca -state 2 -maxtime 0
u=$BG_PID
_preparing() { luinfo ca; [ "$(lget state)" = 2 ]; }
wait_for -m "ca to be preparing (state 2)" _preparing
kill -9 "$pb"
wait "$u"
rc=$?
[ "$rc" = 85 ] || fail "update exited $rc, expected 85 (ERESTART): $(cat "$RT/upd.out")"
wait_restarted cb "$pb"
nb=$NEWPID
# reincd's log: the update ended before cb's recovery began
n1=$(grep -n "service 'cb': pid $pb died during the update" "$RT/reincd.out" | cut -d: -f1)
n2=$(grep -n "update failed: an instance died during the update" "$RT/reincd.out" | cut -d: -f1)
n3=$(grep -n "service 'cb': .*restart" "$RT/reincd.out" | head -n 1 | cut -d: -f1)
[ -n "$n1" ] && [ -n "$n2" ] && [ -n "$n3" ] && [ "$n1" -lt "$n2" ] &&
	[ "$n2" -lt "$n3" ] || fail "log order: died $n1, update failed $n2, restart $n3"

[ "$(pid_of ca)" = "$pa" ] || fail "ca: pid $(pid_of ca), expected the old $pa"
_resumed() { luinfo ca; [ "$(lget state)" = 0 ]; }
wait_for -m "ca back in state 0" _resumed
[ "$(lget last)" = "2->0" ] && [ "$(lget saves)" = 0 ] || fail "ca: $LU"
wait_counter_past ca "$(lget counter)" "$pa"
wait_kids "$pa $nb"

hammer_end h
add0 ca
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
