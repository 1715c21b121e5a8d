#!/bin/sh
# run = up that brings the service down on its first termination
# (ref §8 item 36).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc run "$SVC" -label once
[ "$(state_of once)" = running ] || fail "state $(state_of once)"
p=$(pid_of once)
kill -9 "$p"
wait_gone once 5
expect_rc 3 reinc lookup once
exit 0
