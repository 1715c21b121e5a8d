#!/bin/sh
# lookup gives the endpoint of a label; unknown: ESRCH; an empty or too
# long name: EINVAL (ref §8 item 54).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label lk
ep=$(ep_of lk)
expect_rc 0 reinc lookup lk
printf '%s\n' "$OUT" | grep -qw "$ep" || fail "lookup printed '$OUT', endpoint is $ep"
expect_rc 3 reinc lookup nosuch
expect_rc 22 reinc lookup ""
long=$(printf '%0200d' 0)
expect_rc 22 reinc lookup "$long"
exit 0
