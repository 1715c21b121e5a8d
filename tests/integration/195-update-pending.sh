#!/bin/sh
# A request the old instance had taken and not yet answered when it froze
# for the update is answered by the new instance: the record of the
# request being served moves with the channel (docs/update.md), and the
# service moves its list of kept requests in its state blob.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label pd -args "lu print"
p=$(pid_of pd)
bg waiter "$CLIENT" pd -type defer -v -timeout 20
w=$BG_PID
# the service has taken the request and keeps it unanswered
wait_for -m "the deferred request was not taken" \
	sh -c "'$CLIENT' pd -type luinfo | grep -q ' defer=1 '"
expect_rc 0 reinc update self -label pd
np=$(pid_of pd)
[ "$np" != "$p" ] || fail "no new instance"
expect_rc 0 "$CLIENT" pd -type luinfo
echo "$OUT" | grep -q ' defer=1 ' || fail "kept request not in the state: $OUT"
alive "$w" || fail "the waiting client gave up: $(cat "$RT/waiter.out")"
expect_rc 0 "$CLIENT" pd -type flush -v
wait "$w" || fail "waiting client: $(cat "$RT/waiter.out")"
grep -q '^sent=1 ok=1 dead=0 other=0' "$RT/waiter.out" ||
	fail "waiting client: $(cat "$RT/waiter.out")"
grep -q "^reply .* pid=$np " "$RT/waiter.out" ||
	fail "not answered by the new instance: $(cat "$RT/waiter.out")"
exit 0
