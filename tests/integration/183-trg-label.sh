#!/bin/sh
# update -trg-label T: the new instance's init info names T's endpoint as
# its old endpoint (its state source, ref §8 item 83); the update itself
# is the service's own (same endpoint, its state carried).  An unknown
# label is ESRCH (3) and changes nothing.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label src
expect_rc 0 reinc up "$SVC" -label tg -args lu
src_ep=$(ep_of src)
ep=$(ep_of tg)
p=$(pid_of tg)
expect_rc 0 "$CLIENT" tg -type add -arg 7
expect_rc 3 reinc update self -label tg -trg-label nosuch
[ "$(pid_of tg)" = "$p" ] || fail "an update happened after ESRCH"
expect_rc 0 reinc update self -label tg -trg-label src
[ "$(pid_of tg)" != "$p" ] || fail "no new instance"
read_info tg
[ "$(iget type)" = 1 ] || fail "init type $(iget type)"
[ "$(iget old_endpoint)" = "$src_ep" ] ||
	fail "old_endpoint $(iget old_endpoint), expected src's $src_ep"
[ "$(iget endpoint)" = "$ep" ] || fail "endpoint $(iget endpoint), was $ep"
expect_rc 0 "$CLIENT" tg -type add -arg 0
echo "$OUT" | grep -q '^add counter=7 ' || fail "state not carried: $OUT"
exit 0
