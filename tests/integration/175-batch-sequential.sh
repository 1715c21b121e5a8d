#!/bin/sh
# A batch prepares its services strictly one after another: while the
# first (sa, custom state 7, ready only after 300 calls of its prepare
# callback) prepares, the second (sb, hammered by a client) is not asked
# and stays in state 0; once requests to sa have driven it to ready, sb
# is asked, and the batch commits: both updated, exit 0 (ref §8 item 75).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label sa -args "lu isvalid-custom prepare-after 300"
expect_rc 0 reinc up "$SVC" -label sb -args lu
pa=$(pid_of sa)
pb=$(pid_of sb)
hammer hb sb
wait_counter_past sb 50

expect_rc 0 reinc -q update self -label sa -state 7 -maxtime 0
expect_rc 0 reinc -q update self -label sb -maxtime 0
bg run reinc sysctl upd_run
u=$BG_PID
_preparing() { luinfo sa; [ "$(lget state)" = 7 ]; }
wait_for -m "sa to be preparing (state 7)" _preparing
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "update preparing: sa(self, state 7, preparing) sb(self, state 1, scheduled)" ] ||
	fail "upd_status: $OUT"
i=0
while [ $i -lt 5 ]; do
	luinfo sb
	[ "$(lget state)" = 0 ] && [ "$(lget changes)" = 0 ] ||
		fail "sb asked to prepare while sa prepares: $LU"
	c=$(lget counter)
	wait_counter_past sb "$c" "$pb"
	i=$((i + 1))
done
alive "$u" || fail "upd_run ended: $(cat "$RT/run.out")"
luinfo sa
[ "$(lget prepares)" -lt 300 ] || fail "sa ready too soon: $LU"

# drive sa's prepare callback with requests: it gets ready, sb is asked,
# the batch commits; the requests that queued meanwhile are answered by
# the new sa
bg drive "$CLIENT" sa -type add -arg 1 -check-counter -n 400
d=$BG_PID
wait "$u"
rc=$?
[ "$rc" = 0 ] || fail "upd_run exited $rc: $(cat "$RT/run.out")"
wait "$d" || fail "client of sa: $(tail -n 5 "$RT/drive.out")"
grep -q '^sent=400 ok=400 dead=0 other=0$' "$RT/drive.out" ||
	fail "client of sa: $(tail -n 3 "$RT/drive.out")"
na=$(pid_of sa)
nb=$(pid_of sb)
[ "$na" != "$pa" ] && [ "$nb" != "$pb" ] ||
	fail "pids $na $nb, were $pa $pb: not both updated"
wait_kids "$na $nb"
add0 sa
[ "$(aget counter)" = 400 ] || fail "sa: counter $(aget counter) after 400 adds"
luinfo sb
wait_counter_past sb "$(lget counter)" "$nb"

hammer_end hb
add0 sb
[ "$(aget counter)" = "$HSENT" ] ||
	fail "sb: counter $(aget counter) after $HSENT adds of 1"
exit 0
