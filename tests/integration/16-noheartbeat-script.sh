#!/bin/sh
# A service killed for missing heartbeats is flagged N and its recovery
# script is run with reason no-heartbeat; it stays terminated until
# someone acts, and down cleans it up (ref §8 items 16, 32, 35).
. "$(dirname "$0")/lib.sh"
start_reincd

cat >"$RT/record.sh" <<SCRIPT
echo "\$1 \$2 \$3" >>"$RT/script.log"
SCRIPT
expect_rc 0 reinc up "$SVC" -label nh -period 200ms -args noping \
	-script "$RT/record.sh"
wait_for -t 5 -m "the recovery script" test -s "$RT/script.log"
[ "$(cat "$RT/script.log")" = "nh no-heartbeat 0" ] ||
	fail "script got '$(cat "$RT/script.log")', expected 'nh no-heartbeat 0'"
wait_state nh terminated
flags=$(status_field nh flags)
case $flags in
*N*) ;;
*) fail "status flags '$flags' of a service killed for no heartbeat lack N" ;;
esac
sleep 0.3
[ "$(state_of nh)" = terminated ] || fail "not left terminated: $(state_of nh)"
expect_rc 0 reinc down nh
expect_rc 3 reinc lookup nh
exit 0
