#!/bin/sh
# reinc's own errors: an unknown subcommand is ENOSYS (38), a bad command
# line EINVAL (22), each reported as "reinc: ... (error N)"
# (docs/behaviour.md).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 38 reinc frobnicate hello
printf '%s\n' "$OUT" | grep -q '^reinc: .*(error 38)$' || fail "message: $OUT"
expect_rc 22 reinc up "$SVC" -period notaduration
expect_rc 22 reinc up "$SVC" -label
expect_rc 0 reinc up "$SVC" -label ok -period 5HZ
[ "$(status_field ok period_ms)" = 5000 ] || fail "5HZ is $(status_field ok period_ms) ms"
expect_rc 0 reinc up "$SVC" -label ticks -period 30
[ "$(status_field ticks period_ms)" = 500 ] || fail "30 ticks is $(status_field ticks period_ms) ms"
exit 0
