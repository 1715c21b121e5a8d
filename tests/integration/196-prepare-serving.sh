#!/bin/sh
# A service keeps serving while it prepares: in a request-free state (2)
# whose prepare callback says ready only on its 3001st call, the old
# instance answers requests (the counter and the number of prepare calls
# grow, one call per request) until a hammering client has driven it to
# ready; then the update completes (exit 0, no deadline) and the new
# instance goes on from the counter the old one saved.  Nothing is lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label ps -args "lu isvalid-standard prepare-after 3000"
p=$(pid_of ps)
expect_rc 0 "$CLIENT" ps -type add -arg 1 -n 10

bg upd reinc update self -label ps -state 2 -maxtime 0
u=$BG_PID
_preparing() { luinfo ps; [ "$(lget state)" = 2 ]; }
wait_for -m "ps to be preparing (state 2)" _preparing
i=0
while [ $i -lt 5 ]; do
	luinfo ps
	n=$(lget prepares)
	expect_rc 0 "$CLIENT" ps -type add -arg 1
	echo "$OUT" | grep -q "^add counter=$((11 + i)) .* pid=$p\$" ||
		fail "add $((11 + i)) while preparing: $OUT"
	luinfo ps
	[ "$(lget state)" = 2 ] || fail "no longer preparing: $LU"
	[ "$(lget prepares)" -gt "$n" ] || fail "no prepare call for a request: $LU"
	i=$((i + 1))
done
[ "$(lget saves)" = 0 ] || fail "saved before ready: $LU"
alive "$u" || fail "the update ended: $(cat "$RT/upd.out")"

# the hammering client drives the prepare callback to ready
hammer h ps
wait "$u"
rc=$?
[ "$rc" = 0 ] || fail "update exited $rc: $(cat "$RT/upd.out")"
np=$(pid_of ps)
[ "$np" != "$p" ] || fail "no new instance"
luinfo ps
wait_counter_past ps "$(lget counter)" "$np"
wait_kids "$np"

hammer_end h
add0 ps
[ "$(aget counter)" = $((15 + HSENT)) ] ||
	fail "counter $(aget counter) after 15 + $HSENT adds of 1"
exit 0
