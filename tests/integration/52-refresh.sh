#!/bin/sh
# refresh stops the service and starts it again: same endpoint, RESTART
# init, restarts + 1 (ref §8 item 52).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label rf -args restartcb
p=$(pid_of rf)
ep=$(ep_of rf)
expect_rc 0 reinc refresh rf
wait_restarted rf "$p" 5
[ "$(ep_of rf)" = "$ep" ] || fail "endpoint changed"
[ "$(info_field rf type)" = 2 ] || fail "init type $(info_field rf type), expected RESTART"
[ "$(restarts_of rf)" = 1 ] || fail "restarts $(restarts_of rf)"
alive "$p" && fail "the old instance $p still runs"
exit 0
