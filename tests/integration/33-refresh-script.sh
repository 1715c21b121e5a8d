#!/bin/sh
# refresh of a service with a recovery script runs the script with reason
# "restart" (ref §8 item 33).
. "$(dirname "$0")/lib.sh"
start_reincd

cat >"$RT/restart.sh" <<SCRIPT
echo "\$@" >>"$RT/script.log"
exec "$REINC_BIN" restart "\$1"
SCRIPT
expect_rc 0 reinc up "$SVC" -label rc -script "$RT/restart.sh" -args termhandler
p=$(pid_of rc)
expect_rc 0 reinc refresh rc
wait_restarted rc "$p" 5
[ "$(cat "$RT/script.log")" = "rc restart 0" ] ||
	fail "script arguments '$(cat "$RT/script.log")', expected 'rc restart 0'"
exit 0
