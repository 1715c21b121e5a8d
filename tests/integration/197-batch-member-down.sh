#!/bin/sh
# A service of a scheduled batch that crashed and waits in its back-off
# has no instance to prepare: upd_run answers EBUSY and keeps the batch;
# once the service runs again, upd_run carries the batch out.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label bm -args "lu restartcb"
expect_rc 0 reinc -q update self -label bm
# first crash: restarted at once; second: a 2 s back-off
p=$(pid_of bm)
kill -9 "$p"
wait_restarted bm "$p"
kill -9 "$NEWPID"
wait_state bm backoff
expect_rc 16 reinc sysctl upd_run
echo "$OUT" | grep -q "not running" || fail "upd_run: $OUT"
expect_rc 0 reinc sysctl upd_status
echo "$OUT" | grep -q "^update scheduled: bm(self" || fail "batch lost: $OUT"
wait_state bm running
p=$(pid_of bm)
expect_rc 0 reinc sysctl upd_run
[ "$(pid_of bm)" != "$p" ] || fail "not updated"
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "no update" ] || fail "after the run: $OUT"
exit 0
