#!/bin/sh
# The hello example across live updates and a crash (ref §6, §8 item 113):
# after `reinc update self -label hello` (and an update naming the binary)
# the open counter continues where it was, under the same endpoint and
# restart count, and the new instance says "Hey, I'm a new version!";
# after a kill -9 the restarted instance counts from 0 again under the
# same endpoint; a later update keeps that new count.
. "$(dirname "$0")/lib.sh"
[ -x "$HELLO" ] && [ -x "$HELLO_CLIENT" ] || fail "examples not built"
start_reincd

# opens CLIENT-ARGS...: run the client; the "opens: N" values it printed,
# on one line, in $OPENS
OPENS=
opens()
{
	expect_rc 0 "$HELLO_CLIENT" "$@"
	OPENS=$(printf '%s\n' "$OUT" | sed -n 's/^opens: //p' | tr '\n' ' ')
}

expect_rc 0 reinc up "$HELLO" -period 1s
wait_log '^hello: Hello, World!$'
opens -n 3; [ "$OPENS" = "1 2 3 " ] || fail "counts before the update: $OUT"
ep=$(ep_of hello)
p=$(pid_of hello)

# update self: same binary, new instance, the count continues
expect_rc 0 reinc update self -label hello
wait_log "^hello: Hey, I'm a new version!$"
p2=$(pid_of hello)
[ -n "$p2" ] && [ "$p2" != "$p" ] || fail "no new instance after the update ($p -> $p2)"
wait_dead "$p"
[ "$(ep_of hello)" = "$ep" ] || fail "endpoint changed by the update: $ep -> $(ep_of hello)"
[ "$(restarts_of hello)" = 0 ] || fail "restarts after the update: $(restarts_of hello)"
opens -n 2; [ "$OPENS" = "4 5 " ] || fail "counts after update self: $OUT"
wait_log '^hello: hello_open\(\)\. Called 5 time\(s\)\.$'

# an update naming the binary: the same again
expect_rc 0 reinc update "$HELLO" -label hello
p3=$(pid_of hello)
[ -n "$p3" ] && [ "$p3" != "$p2" ] || fail "no new instance after the 2nd update"
[ "$(grep -c "^hello: Hey, I'm a new version!$" "$RT/reincd.out")" = 2 ] ||
	fail "expected two 'new version' messages"
opens; [ "$OPENS" = "6 " ] || fail "count after the 2nd update: $OUT"
[ "$(ep_of hello)" = "$ep" ] || fail "endpoint changed by the 2nd update"

# a crash: restarted at once, same endpoint, the count starts again at 0
kill -9 "$p3"
wait_restarted hello "$p3" 5
wait_log "^hello: Hey, I've just been restarted!$"
opens -n 2; [ "$OPENS" = "1 2 " ] || fail "counts after the crash: $OUT"
[ "$(ep_of hello)" = "$ep" ] || fail "endpoint changed by the crash: $ep -> $(ep_of hello)"
[ "$(restarts_of hello)" = 1 ] || fail "restarts after the crash: $(restarts_of hello)"

# and a live update after the crash keeps the new count
expect_rc 0 reinc update self -label hello
opens; [ "$OPENS" = "3 " ] || fail "count after the update that followed the crash: $OUT"
[ "$(restarts_of hello)" = 1 ] || fail "restarts changed by the update"
[ "$(ep_of hello)" = "$ep" ] || fail "endpoint changed"

expect_rc 0 reinc down hello
expect_rc 3 "$HELLO_CLIENT"
exit 0
