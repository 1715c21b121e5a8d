#!/bin/sh
# The hello example (ref §6): every open increments the counter; after a
# crash the counter starts again at 0 under the same endpoint, and the
# restarted instance says so (ref §8 items 112, 113).
. "$(dirname "$0")/lib.sh"
[ -x "$HELLO" ] && [ -x "$HELLO_CLIENT" ] || fail "examples not built"
start_reincd

expect_rc 0 reinc up "$HELLO" -period 1s
wait_log '^hello: Hello, World!$'
expect_rc 0 "$HELLO_CLIENT" -n 3
printf '%s\n' "$OUT" | grep -qx 'Hello, World!' || fail "no message: $OUT"
[ "$(printf '%s\n' "$OUT" | grep '^opens:' | tr '\n' ' ')" = "opens: 1 opens: 2 opens: 3 " ] ||
	fail "counts: $OUT"
wait_log '^hello: hello_open\(\)\. Called 3 time\(s\)\.$'
ep=$(ep_of hello)
p=$(pid_of hello)

kill -9 "$p"
wait_restarted hello "$p" 5
wait_log "^hello: Hey, I've just been restarted!$"
expect_rc 0 "$HELLO_CLIENT"
printf '%s\n' "$OUT" | grep -qx 'opens: 1' || fail "count after the crash: $OUT"
[ "$(ep_of hello)" = "$ep" ] || fail "endpoint changed: $ep -> $(ep_of hello)"
[ "$(restarts_of hello)" = 1 ] || fail "restarts $(restarts_of hello)"

expect_rc 0 reinc down hello
expect_rc 3 "$HELLO_CLIENT"
exit 0
