#!/bin/sh
# A service with SEF's default callbacks and a period stays alive while
# idle: its liveness counter / pings keep it so; the SEF events never reach
# its main loop (ref §8 items 9, 11).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label idle -period 200ms
p=$(pid_of idle)
# 5 periods: a missed heartbeat would have killed it after 2.
sleep 1
"$CLIENT" idle -n 20 >/dev/null || fail "echo requests failed"
sleep 0.5
[ "$(pid_of idle)" = "$p" ] || fail "an idle service with default ping was killed"
[ "$(restarts_of idle)" = 0 ] || fail "restarts $(restarts_of idle)"
[ "$(info_field idle events)" = 0 ] || fail "SEF events reached the main loop"
! log_has 'no heartbeat' || fail "reincd reported a missed heartbeat"
exit 0
