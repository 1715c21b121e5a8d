#!/bin/sh
# A region written by the new instance during its LU init (copy-on-write
# until the commit) keeps those writes once the update commits: they are
# in the region itself, so a crash restart afterwards still sees them.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label rc -args "lu luregion lubump restartcb"
expect_rc 0 "$CLIENT" rc -type add -arg 5
echo "$OUT" | grep -q '^add counter=5 region=5 ' || fail "before: $OUT"
p=$(pid_of rc)
expect_rc 0 reinc update self -label rc
[ "$(pid_of rc)" != "$p" ] || fail "no new instance after the update"
# counter from the blob, region bumped by 1000 in the LU init
expect_rc 0 "$CLIENT" rc -type add -arg 0
echo "$OUT" | grep -q '^add counter=5 region=1005 ' ||
	fail "after the update: $OUT"
p=$(pid_of rc)
kill -9 "$p"
wait_restarted rc "$p"
# the restart callback maps the region again: the committed write is there
expect_rc 0 "$CLIENT" rc -type add -arg 1
echo "$OUT" | grep -q '^add counter=1 region=1006 ' ||
	fail "after a crash: $OUT"
exit 0
