#!/bin/sh
# After a rollback the heartbeat checks start afresh.  MINIX forces a
# ping at the next tick (ref §8 item 87); reinc does not (our decision,
# docs/behaviour.md: the liveness page shows whether a service moves),
# so what applies here: a service with its own ping callback and a
# 300 ms period, frozen for 2 s by an update whose new instance hangs in
# its init (-z -maxtime 1HZ, far past 2 periods), is not killed for
# missing heartbeats after the rollback, and is pinged again within
# about a period; its hammering client loses nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label hb -period 300ms -args "lu countping"
p=$(pid_of hb)
_pinged() { [ "$(info_field hb pings)" -gt "$1" ]; }
wait_for -m "a first ping" _pinged 0
hammer h hb
wait_counter_past hb 50

expect_rc 4 reinc -z update self -label hb -maxtime 1HZ
n=$(info_field hb pings)
t0=$(now_ms)
wait_for -t 3 -m "a ping after the rollback" _pinged "$n"
log "pinged $(ms_since "$t0") ms after the rollback"
# a few periods more: no kill
sleep 1
[ "$(pid_of hb)" = "$p" ] || fail "pid $(pid_of hb), expected the old $p"
[ "$(restarts_of hb)" = 0 ] || fail "restarts $(restarts_of hb)"
log_has "no heartbeat" && fail "killed for missing heartbeats after the rollback"
n2=$(info_field hb pings)
[ "$n2" -gt "$((n + 1))" ] || fail "only $((n2 - n)) pings in more than 3 periods"
luinfo hb
[ "$(lget last)" = "1->0" ] || fail "after the rollback: $LU"
wait_counter_past hb "$(lget counter)" "$p"

hammer_end h
add0 hb
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
