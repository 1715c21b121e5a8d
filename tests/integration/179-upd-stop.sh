#!/bin/sh
# `sysctl upd_stop` drops a scheduled batch (its waiting new instances
# are killed; exit 0, then ENOENT with nothing left to stop) and aborts
# an update in progress: here one whose new instance hangs in its init
# with no deadline (-z -maxtime 0), which only upd_stop can end; the
# waiting upd_run gets EINTR (4) and the old instance resumes with its
# state, its hammering client losing nothing (ref §8 item 79).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label sa -args lu
expect_rc 0 reinc up "$SVC" -label sb -args lu
pa=$(pid_of sa)
pb=$(pid_of sb)
hammer h sa
wait_counter_past sa 50

# a scheduled batch
expect_rc 0 reinc -q update self -label sa
expect_rc 0 reinc -q update self -label sb
[ "$(kids | wc -w)" = 4 ] || fail "reincd's children: $(kids), expected four"
expect_rc 0 reinc sysctl upd_stop
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "no update" ] || fail "upd_status after upd_stop: $OUT"
wait_kids "$pa $pb"
expect_rc 2 reinc sysctl upd_stop
expect_rc 22 reinc sysctl upd_run
for l in sa sb; do
	luinfo $l
	[ "$(lget changes)" = 0 ] || fail "$l was asked to prepare: $LU"
done

# an update in progress, stuck in its init phase
expect_rc 0 reinc -q -z update self -label sa -maxtime 0
bg run reinc sysctl upd_run
u=$BG_PID
_initialising()
{
	reinc sysctl upd_status 2>&1 |
	    grep -q '^update initialising: sa(self, state 1, initialising)$'
}
wait_for -m "the update's init phase" _initialising
alive "$u" || fail "upd_run ended: $(cat "$RT/run.out")"
expect_rc 0 reinc sysctl upd_stop
wait "$u"
rc=$?
[ "$rc" = 4 ] || fail "upd_run exited $rc, expected 4 (EINTR): $(cat "$RT/run.out")"
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "no update" ] || fail "upd_status after upd_stop: $OUT"
[ "$(pid_of sa)" = "$pa" ] || fail "sa: pid $(pid_of sa), expected the old $pa"
wait_kids "$pa $pb"
luinfo sa
[ "$(lget state)" = 0 ] && [ "$(lget last)" = "1->0" ] && [ "$(lget saves)" = 1 ] ||
	fail "sa after upd_stop: $LU"
wait_counter_past sa "$(lget counter)" "$pa"
expect_rc 2 reinc sysctl upd_stop

hammer_end h
add0 sa
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
