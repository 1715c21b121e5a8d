#!/bin/sh
# In a batch no new instance is released before all have initialised,
# and a failure of any rolls all back.  First rb's new instance crashes
# in its init (-q -x): upd_run returns ERESTART (85).  Then rb's new
# instance hangs in its init (-z, -maxtime 1HZ) while ra's new one has
# long initialised: ra's new instance is never released (ra's client is
# answered by the old instance only, and not at all for the 2 s), and
# upd_run returns EINTR (4).  Both times both services keep their old
# instances, which had prepared (state_save run, state_changed(1 -> 0)),
# and ra's counter goes on (ref §8 item 76).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ra -args lu
expect_rc 0 reinc up "$SVC" -label rb -args lu
pa=$(pid_of ra)
pb=$(pid_of rb)
hammer h ra -max-gap-us
wait_counter_past ra 50

# rolled_back SAVES: both services are back on their old instances, which
# have run state_save SAVES times in all.
rolled_back()
{
	[ "$(pid_of ra)" = "$pa" ] || fail "ra: pid $(pid_of ra), expected the old $pa"
	[ "$(pid_of rb)" = "$pb" ] || fail "rb: pid $(pid_of rb), expected the old $pb"
	wait_kids "$pa $pb"
	for l in ra rb; do
		luinfo $l
		[ "$(lget state)" = 0 ] && [ "$(lget saves)" = "$1" ] &&
			[ "$(lget last)" = "1->0" ] || fail "$l after the rollback: $LU"
		[ "$(state_of $l)" = running ] || fail "$l: state $(state_of $l)"
	done
	expect_rc 0 reinc sysctl upd_status
	[ "$OUT" = "no update" ] || fail "upd_status: $OUT"
	luinfo ra
	wait_counter_past ra "$(lget counter)" "$pa"
}

expect_rc 0 reinc -q update self -label ra
expect_rc 0 reinc -q -x update self -label rb
expect_rc 85 reinc sysctl upd_run
rolled_back 1

expect_rc 0 reinc -q update self -label ra -maxtime 1HZ
expect_rc 0 reinc -q -z update self -label rb -maxtime 1HZ
t0=$(now_ms)
expect_rc 4 reinc sysctl upd_run
el=$(ms_since "$t0")
[ "$el" -ge 2000 ] || fail "rb's init was given only $el ms"
rolled_back 2

hammer_end h
grep -q '^pids=1$' "$RT/h.out" || fail "ra's client was answered by another instance"
gap=$(sed -n 's/^max_gap_us=//p' "$RT/h.out")
[ "$gap" -ge 1500000 ] || fail "longest pause of ra $gap us: not frozen during rb's init"
add0 ra
[ "$(aget counter)" = "$HSENT" ] ||
	fail "ra: counter $(aget counter) after $HSENT adds of 1"
exit 0
