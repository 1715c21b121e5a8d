#!/bin/sh
# hello -ds keeps its count of opens in the data store: it survives a
# crash (kill -9) and a live update, and goes with `reinc down` (the
# label's entries are removed), so the next `up` starts at 0 again.
. "$(dirname "$0")/lib.sh"
[ -x "$HELLO" ] && [ -x "$HELLO_CLIENT" ] || fail "examples not built"
start_reincd

opens() { printf '%s\n' "$OUT" | grep '^opens:' | tr '\n' ' ' | sed 's/ $//'; }

expect_rc 0 reinc up "$HELLO" -args -ds
expect_rc 0 "$HELLO_CLIENT" -n 3
[ "$(opens)" = "opens: 1 opens: 2 opens: 3" ] || fail "counts: $OUT"

p=$(pid_of hello)
kill -9 "$p"
wait_restarted hello "$p" 5
wait_log "^hello: Hey, I've just been restarted!$"
expect_rc 0 "$HELLO_CLIENT"
[ "$(opens)" = "opens: 4" ] || fail "count after the crash: $OUT"

# and the data store itself may crash meanwhile
d=$(pid_of ds)
kill -9 "$d"
wait_restarted ds "$d" 5
expect_rc 0 "$HELLO_CLIENT" -n 2
[ "$(opens)" = "opens: 5 opens: 6" ] || fail "count after dsd's crash: $OUT"

expect_rc 0 reinc update self -label hello
wait_log "^hello: Hey, I'm a new version!$"
expect_rc 0 "$HELLO_CLIENT"
[ "$(opens)" = "opens: 7" ] || fail "count after the update: $OUT"

expect_rc 0 reinc down hello
expect_rc 0 reinc up "$HELLO" -args -ds
expect_rc 0 "$HELLO_CLIENT"
[ "$(opens)" = "opens: 1" ] || fail "count after down and up: $OUT"
exit 0
