#!/bin/sh
# From the moment the old instance has reported ready it takes no message
# until the update ends: here the new instance hangs in its init (-z), so
# the update stays in its init phase for 2 x 2 s; meanwhile the old
# instance is alive (not killed before the new one has initialised) and
# answers nothing; after the rollback (EINTR) it answers every queued
# request, and the counter goes on (ref §8 items 61, 60).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label fz -args lu
p=$(pid_of fz)
hammer h fz -max-gap-us
wait_counter_past fz 50

t0=$(now_ms)
bg upd reinc -z update self -label fz -maxtime 2HZ
u=$BG_PID
_initialising()
{
	reinc sysctl upd_status 2>&1 |
	    grep -q '^update initialising: fz(self, state 1, initialising)$'
}
wait_for -m "the update's init phase" _initialising
alive "$p" || fail "the old instance died before the new one initialised"
[ "$(kids | wc -w)" = 2 ] || fail "reincd's children: $(kids), expected two"
# a request now gets no answer within 1 s (the client gives up: exit 2)
expect_rc 2 "$CLIENT" fz -type luinfo -timeout 1
_initialising || fail "the init phase ended before the probe did: no proof"
alive "$p" || fail "the old instance died before the new one initialised"

wait "$u"
rc=$?
[ "$rc" = 4 ] || fail "update exited $rc, expected 4 (EINTR): $(cat "$RT/upd.out")"
el=$(ms_since "$t0")
[ "$el" -ge 4000 ] || fail "the new instance's init was given only $el ms"
[ "$(pid_of fz)" = "$p" ] || fail "pid $(pid_of fz), expected the old $p"
wait_kids "$p"
luinfo fz
[ "$(lget saves)" = 1 ] && [ "$(lget last)" = "1->0" ] && [ "$(lget state)" = 0 ] ||
	fail "old instance after the rollback: $LU"
wait_counter_past fz "$(lget counter)" "$p"

hammer_end h
gap=$(sed -n 's/^max_gap_us=//p' "$RT/h.out")
[ "$gap" -ge 3000000 ] || fail "longest pause $gap us: the old instance answered during the init"
add0 fz
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
