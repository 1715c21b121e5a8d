#!/bin/sh
# Unsubscribing with acknowledgements due (ref §8 item 108): a subscriber
# that sets mask 0 while holding events stays in the table, with its
# waiters, until it acknowledges the last; then it is removed, the
# processes move on to the next subscriber, and later events pass it by.
# Events it receives after changing its mask still need acknowledging.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ev-lib.inc"
start_reincd

ev_up a -hold
ev_up b
ev_join u1
e1=$JOIN_EP
kill "$BG_PID"
ev_join u2
e2=$JOIN_EP
kill "$BG_PID"
ev_wait a "^event $e1 exit$"
ev_wait a "^event $e2 exit$"
ev_ctl a mask 0
[ "$OUT" = "OK 0" ] || fail "mask 0: $OUT"
sleep 0.3
ev_has b "^event $e1 " && fail "b got e1 while a still owed its ack"
ev_has b "^event $e2 " && fail "b got e2 while a still owed its ack"
# one acknowledged: that process moves on, the other still waits on a
ev_ctl a ack 1
ev_wait b "^ack $e1 exit OK$"
sleep 0.2
ev_has b "^event $e2 " && fail "b got e2 before a acknowledged it"
# a new exit passes a by (mask 0) while a is still in the table
ev_join u3
e3=$JOIN_EP
kill "$BG_PID"
ev_wait b "^ack $e3 exit OK$"
ev_has a "^event $e3 " && fail "a got an event after mask 0"
# the last acknowledgement removes a; a slot is free again (-event-subs 4)
ev_ctl a ack 0
ev_wait b "^ack $e2 exit OK$"
ev_up c
ev_up d
ev_up e
ev_has e '^mask 3 OK$' || fail "a's slot was not freed: $(cat "$RT/e.events")"
ev_join u4
kill "$BG_PID"
ev_wait e "^ack $JOIN_EP exit OK$"
if ev_has a "^event $JOIN_EP "; then fail "a got an event after it was removed"; fi
