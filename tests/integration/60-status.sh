#!/bin/sh
# reinc status: a table for people, --json for programs, with label,
# endpoint, pid, state and restarts; endpoints are distinct and never
# reused.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label one
expect_rc 0 reinc up "$SVC" -label two -period 1s
expect_rc 0 reinc status
printf '%s\n' "$OUT" | head -n 1 | grep -q LABEL || fail "no table header: $OUT"
printf '%s\n' "$OUT" | grep -q '^one ' || fail "one missing: $OUT"
printf '%s\n' "$OUT" | grep -q '^two ' || fail "two missing: $OUT"

expect_rc 0 reinc status one --json
js=$OUT
for f in label endpoint pid state restarts; do
	printf '%s\n' "$js" | grep -q "\"$f\": " || fail "no $f in: $js"
done
[ "$(status_field one label)" = one ] || fail "label: $js"
[ "$(status_field one state)" = running ] || fail "state: $js"
[ "$(status_field one restarts)" = 0 ] || fail "restarts: $js"
[ "$(status_field one pid)" = "$(info_field one pid)" ] || fail "pid: $js"
[ "$(status_field two period_ms)" = 1000 ] || fail "period: $(reinc status two --json)"
e1=$(ep_of one)
e2=$(ep_of two)
[ "$e1" -ge 16 ] && [ "$e2" -ge 16 ] || fail "endpoints $e1 $e2 below 16"
[ "$e1" != "$e2" ] || fail "two services share endpoint $e1"
[ "$(info_field one endpoint)" = "$e1" ] || fail "the service has endpoint $(info_field one endpoint)"

if command -v python3 >/dev/null 2>&1; then
	reinc status --json | python3 -c 'import json, sys; json.load(sys.stdin)' ||
		fail "status --json is not valid JSON: $(reinc status --json)"
	reinc status one --json | python3 -c 'import json, sys; json.load(sys.stdin)' ||
		fail "status one --json is not valid JSON"
fi

# an endpoint is never reused while reincd runs
expect_rc 0 reinc down one
expect_rc 0 reinc up "$SVC" -label three
e3=$(ep_of three)
[ "$e3" != "$e1" ] && [ "$e3" != "$e2" ] || fail "endpoint $e3 reused"
expect_rc 0 reinc sysctl srv_status
exit 0
