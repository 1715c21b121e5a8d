#!/bin/sh
# Label requests on a service that is still initialising fail with EBUSY
# (ref §8 item 48).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc -n up "$SVC" -label slow -args "initsleep 1500"
[ "$(state_of slow)" = starting ] || fail "state $(state_of slow), expected starting"
expect_rc 16 reinc down slow
expect_rc 16 reinc refresh slow
expect_rc 16 reinc edit self -label slow -period 1s
wait_state slow running 5
expect_rc 0 reinc down slow
exit 0
