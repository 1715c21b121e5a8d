#!/bin/sh
# An unsolicited notify to RS counts as a heartbeat: a service that does
# not answer pings stays alive while it notifies, and is killed once it
# stops (ref §8 item 17).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label hb -period 300ms -args noping
p=$(pid_of hb)
# a notify every 100 ms for 1.5 s, i.e. 5 periods
"$CLIENT" hb -type notify -n 15 -interval 100 >"$RT/cl.out" 2>&1 ||
	fail "client: $(cat "$RT/cl.out")"
[ "$(pid_of hb)" = "$p" ] || fail "killed although it sent heartbeats"
wait_restarted hb "$p" 5
exit 0
