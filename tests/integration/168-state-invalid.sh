#!/bin/sh
# The requested state: 0 is refused by reinc itself (EINVAL); a state
# the service does not support fails the update with ENOSYS under
# libsef's default state_isvalid callback and with EINVAL under the
# service's own; the EVAL state (4) is refused (EINVAL: no expressions
# here).  A custom state (7) the service's own callbacks accept succeeds.
# The refused ones leave the service as it was: no state_save, no
# state_changed (ref §8 item 68).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label sd -args lu
expect_rc 0 reinc up "$SVC" -label sc -args "lu isvalid-custom prepare-ready"
pd=$(pid_of sd)
pc=$(pid_of sc)
hammer hd sd
hammer hc sc
wait_counter_past sd 50
wait_counter_past sc 50

expect_rc 22 reinc update self -label sd -state 0
log_has "update to self" && fail "-state 0 reached reincd"
expect_rc 38 reinc update self -label sd -state 2
expect_rc 22 reinc update self -label sd -state 4
expect_rc 22 reinc update self -label sc -state 3
for l in sd sc; do
	luinfo $l
	[ "$(lget state)" = 0 ] && [ "$(lget changes)" = 0 ] &&
		[ "$(lget saves)" = 0 ] || fail "$l after refused updates: $LU"
done
[ "$(pid_of sd)" = "$pd" ] || fail "sd: pid $(pid_of sd), expected $pd"
[ "$(pid_of sc)" = "$pc" ] || fail "sc: pid $(pid_of sc), expected $pc"
wait_kids "$pd $pc"

expect_rc 0 reinc update self -label sc -state 7
npc=$(pid_of sc)
[ "$npc" != "$pc" ] || fail "sc: no new instance for state 7"
luinfo sc
wait_counter_past sc "$(lget counter)" "$npc"
wait_kids "$pd $npc"

hammer_end hd
add0 sd
[ "$(aget counter)" = "$HSENT" ] ||
	fail "sd: counter $(aget counter) after $HSENT adds of 1"
hammer_end hc
add0 sc
[ "$(aget counter)" = "$HSENT" ] ||
	fail "sc: counter $(aget counter) after $HSENT adds of 1"
exit 0
