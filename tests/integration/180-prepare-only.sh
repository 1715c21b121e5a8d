#!/bin/sh
# Prepare only (-o): the service is brought to the requested state
# (state_save runs) and released without being replaced: exit 0, the
# same instance, state_changed(1 -> 0), no new instance ever started.
# A state it never reaches ends with EINTR at the deadline (our
# decision: -o waits for the service).  The hammering client loses
# nothing and the counter goes on (ref §8 item 80).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label po -args lu
p=$(pid_of po)
ep=$(ep_of po)
r=$(restarts_of po)
hammer h po
wait_counter_past po 50

expect_rc 0 reinc -o update self -label po
log_has "service 'po': prepared and released" || fail "no log line"
[ "$(pid_of po)" = "$p" ] || fail "pid $(pid_of po), expected $p"
[ "$(ep_of po)" = "$ep" ] && [ "$(restarts_of po)" = "$r" ] ||
	fail "endpoint or restarts changed"
[ "$(kids)" = "$p" ] || fail "reincd's children: $(kids)"
_resumed() { luinfo po; [ "$(lget state)" = 0 ]; }
wait_for -m "po back in state 0" _resumed
[ "$(lget saves)" = 1 ] && [ "$(lget changes)" = 2 ] && [ "$(lget last)" = "1->0" ] ||
	fail "after prepare-only: $LU"
read_info po
[ "$(iget type)" = 0 ] || fail "init type $(iget type): not the first instance"
wait_counter_past po "$(lget counter)" "$p"

expect_rc 4 reinc -o update self -label po -state 5 -maxtime 500ms
wait_for -m "po back in state 0" _resumed
[ "$(lget last)" = "5->0" ] && [ "$(lget saves)" = 1 ] ||
	fail "after the prepare-only timeout: $LU"
[ "$(pid_of po)" = "$p" ] || fail "pid $(pid_of po), expected $p"
wait_counter_past po "$(lget counter)" "$p"
[ "$(kids)" = "$p" ] || fail "reincd's children: $(kids)"

hammer_end h
add0 po
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
