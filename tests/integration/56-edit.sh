#!/bin/sh
# edit changes a running service's settings without restarting it: here
# a period, after which a service that does not answer pings is killed
# (ref §8 item 56).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label ed -args noping
p=$(pid_of ed)
sleep 0.5
[ "$(pid_of ed)" = "$p" ] || fail "killed without a period"
expect_rc 0 reinc edit self -label ed -period 200ms
[ "$(pid_of ed)" = "$p" ] || fail "edit restarted the service"
[ "$(status_field ed period_ms)" = 200 ] || fail "period_ms $(status_field ed period_ms)"
wait_restarted ed "$p" 5
wait_log 'no heartbeat'
exit 0
