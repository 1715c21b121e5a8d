#!/bin/sh
# State 6 makes the old instance crash while it prepares: the update is
# aborted with ERESTART (85), the new instance killed, and the service
# recovered as after any crash (a new instance, restarts + 1, same
# endpoint).  The client hammering it loses nothing: the crash happens
# between two requests, and the region's counter survives (ref §8 item 70).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label pc -args "lu luregion restartcb"
p=$(pid_of pc)
ep=$(ep_of pc)
r=$(restarts_of pc)
hammer h pc -crash
wait_counter_past pc 50

expect_rc 85 reinc update self -label pc -state 6
wait_restarted pc "$p"
np=$NEWPID
[ "$(restarts_of pc)" = $((r + 1)) ] || fail "restarts $(restarts_of pc), expected $((r + 1))"
[ "$(ep_of pc)" = "$ep" ] || fail "endpoint $(ep_of pc), was $ep"
log_has "service 'pc': pid $p died during the update" || fail "no log line for the death"
read_info pc
[ "$(iget type)" = 2 ] || fail "init type $(iget type), expected 2 (restart)"
wait_kids "$np"
luinfo pc
wait_counter_past pc "$(lget counter)" "$np"

hammer_end h
add0 pc
[ "$(aget region)" = "$HSENT" ] ||
	fail "region counter $(aget region) after $HSENT adds of 1"
exit 0
