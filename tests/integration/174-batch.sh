#!/bin/sh
# A batch: `-q update` schedules and returns 0 at once (the new instance
# is started and waits); the same service twice is EINVAL, a direct
# update while the batch is scheduled EBUSY; upd_status lists both;
# `sysctl upd_run` runs it and returns 0: both services have new
# instances (init LU with SEF_LU_SELF and SEF_LU_MULTI), the same
# endpoints, and their counters go on; neither hammering client lost
# anything (ref §8 items 74, 73).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ba -args lu
expect_rc 0 reinc up "$SVC" -label bb -args lu
pa=$(pid_of ba)
pb=$(pid_of bb)
ea=$(ep_of ba)
eb=$(ep_of bb)
hammer ha ba
hammer hb bb
wait_counter_past ba 50
wait_counter_past bb 50

expect_rc 0 reinc -q update self -label ba
expect_rc 0 reinc -q update self -label bb
expect_rc 22 reinc -q update self -label ba
expect_rc 16 reinc update self -label ba
expect_rc 16 reinc update self -label bb
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "update scheduled: ba(self, state 1, scheduled) bb(self, state 1, scheduled)" ] ||
	fail "upd_status: $OUT"
# the new instances wait; the old ones serve on
[ "$(kids | wc -w)" = 4 ] || fail "reincd's children: $(kids), expected four"
luinfo ba
wait_counter_past ba "$(lget counter)" "$pa"
[ "$(state_of ba)" = running ] && [ "$(state_of bb)" = running ] ||
	fail "states $(state_of ba) $(state_of bb) while scheduled"

expect_rc 0 reinc sysctl upd_run
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "no update" ] || fail "upd_status after the run: $OUT"
na=$(pid_of ba)
nb=$(pid_of bb)
[ "$na" != "$pa" ] && [ "$nb" != "$pb" ] ||
	fail "pids $na $nb, were $pa $pb: not both updated"
[ "$(ep_of ba)" = "$ea" ] && [ "$(ep_of bb)" = "$eb" ] || fail "endpoints changed"
for l in ba bb; do
	read_info $l
	[ "$(iget type)" = 1 ] || fail "$l: init type $(iget type)"
	has_flag 0x500 "$(iget flags)" ||
		fail "$l: flags $(iget flags) lack SEF_LU_SELF | SEF_LU_MULTI"
done
wait_kids "$na $nb"
luinfo ba
wait_counter_past ba "$(lget counter)" "$na"
luinfo bb
wait_counter_past bb "$(lget counter)" "$nb"

hammer_end ha
add0 ba
[ "$(aget counter)" = "$HSENT" ] ||
	fail "ba: counter $(aget counter) after $HSENT adds of 1"
hammer_end hb
add0 bb
[ "$(aget counter)" = "$HSENT" ] ||
	fail "bb: counter $(aget counter) after $HSENT adds of 1"
exit 0
