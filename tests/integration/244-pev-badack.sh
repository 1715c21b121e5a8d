#!/bin/sh
# Bad acknowledgements and hostile subscribers (ref §8 item 109, issue 5
# item 6): an acknowledgement for the wrong process, the wrong event, from
# the wrong subscriber, for an endpoint with no event, or from a user
# process is ignored and logged, and the process stays blocked; a flood
# of them is logged 16 times and no more and does not slow reincd down;
# a subscriber that never acknowledges is killed after -event-timeout and
# the waiting processes move on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ev-lib.inc"
start_reincd -event-timeout 3s

ev_up a -hold
ev_up b
ev_join u1
e1=$JOIN_EP
kill "$BG_PID"
ev_wait a "^event $e1 exit$"

ev_ctl a raw "$e1" 2            # wrong event
wait_log "service 'a': process event acknowledgement for endpoint $e1 for event 2 instead of 1"
ev_ctl a raw 999999 1           # no such process
wait_log "service 'a': process event acknowledgement for endpoint 999999, which has no event"
ev_ctl b raw "$e1" 1            # wrong subscriber
wait_log "service 'b': process event acknowledgement for endpoint $e1, whose event waits on 'a'"
OUT=$("$EVSVC" -user-ack "$e1" 1)   # a user process
[ "$OUT" = OK ] || fail "user ack send: $OUT"
wait_log "pid [0-9]+: process event acknowledgement from a user process"
sleep 0.2
ev_has b "^event $e1 " && fail "a bad acknowledgement moved the process on"

# a flood: 16 lines at most, reincd keeps serving
i=0
while [ $i -lt 40 ]; do ev_ctl b raw 999999 1; i=$((i + 1)); done
n=$(grep -c "service 'b': process event acknowledgement" "$RT/reincd.out")
[ "$n" -le 16 ] || fail "$n log lines for b's bad acknowledgements"
log_has "service 'b': .*further ones not logged" || fail "no suppression note"
reinc status a >/dev/null || fail "reincd stopped answering"

# the good one
ev_ctl a ack 0
ev_wait b "^ack $e1 exit OK$"

# a subscriber that never acknowledges: killed after 3 s
ev_join u2
e2=$JOIN_EP
kill "$BG_PID"
apid=$(pid_of a)
ev_wait a "^event $e2 exit$"
wait_log "service 'a': no acknowledgement of the exit event of endpoint [0-9]+ for 3[0-9]{3} ms" 8
wait_restarted a "$apid"
ev_wait b "^ack $e2 exit OK$"
