#!/bin/sh
# A service without a period is never pinged nor killed, even when it
# hangs (ref §8 item 19).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label np -args countping
p=$(pid_of np)
sleep 0.5
[ "$(info_field np pings)" = 0 ] || fail "pinged without a period"
bg hang "$CLIENT" np -type hang -expect-errors -timeout 0
sleep 1.5
[ "$(pid_of np)" = "$p" ] || fail "a hung service without a period was killed"
[ "$(state_of np)" = running ] || fail "state $(state_of np)"
alive "$p" || fail "process $p is gone"
exit 0
