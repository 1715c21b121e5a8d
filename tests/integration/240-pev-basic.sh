#!/bin/sh
# Process events, the basics (ref §8 items 103, 104, 105): a user process
# may not subscribe (EPERM); with -event-subs 4 (MINIX's NR_SUBS, the
# default) a fifth subscriber gets ENOMEM, and a replaced or cleared mask
# frees no slot until cleared; a subscriber receives the exit of every
# process, user processes and services alike; a crashed service is not
# restarted (state "exiting") before its exit is acknowledged; a user
# process's exit is acknowledged once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ev-lib.inc"
start_reincd

# item 103
OUT=$("$EVSVC" -user-mask 1)
[ "$OUT" = EPERM ] || fail "user proceventmask: $OUT, expected EPERM"
OUT=$("$EVSVC" -user-mask 0)
[ "$OUT" = EPERM ] || fail "user proceventmask(0): $OUT, expected EPERM"

# item 104
for l in s1 s2 s3 s4; do ev_up $l; done
for l in s1 s2 s3 s4; do
	ev_has $l '^mask 3 OK$' || fail "$l did not subscribe: $(cat "$RT/$l.events")"
done
ev_up s5
ev_has s5 '^mask 3 ENOMEM$' || fail "fifth subscriber: $(cat "$RT/s5.events")"
log_has "too many process event subscribers" || fail "no log line for ENOMEM"
ev_ctl s5 mask 8
[ "$OUT" = EINVAL ] || fail "mask with unknown bits: $OUT"
# s4 leaves: now s5 fits
ev_ctl s4 mask 0
[ "$OUT" = "OK 0" ] || fail "unsubscribe: $OUT"
ev_ctl s5 mask 1
[ "$OUT" = "OK 0" ] || fail "subscribe after a slot was freed: $OUT"
ev_ctl s4 mask 1
[ "$OUT" = ENOMEM ] || fail "s4 back in a full table: $OUT"

# item 105: a user process's exit reaches every subscriber, once
ev_join u1
kill "$BG_PID"
for l in s1 s2 s3 s5; do ev_wait $l "^ack $JOIN_EP exit OK$"; done
ev_has s4 "^event $JOIN_EP " && fail "s4 unsubscribed but got the event"

# a service's exit, held by s1: no restart until s1 acknowledges
reinc down s2; reinc down s3; reinc down s5; reinc down s4
ev_ctl s1 hold 1
reinc up "$SVC" -label victim -period 1s || fail "up victim"
vep=$(ep_of victim)
vpid=$(pid_of victim)
kill -9 "$vpid"
ev_wait s1 "^event $vep exit$"
wait_state victim exiting
sleep 0.3
[ "$(state_of victim)" = exiting ] || fail "victim restarted before the ack"
case $(pid_of victim) in null|0|'') ;; *) false ;; esac ||
    fail "victim has a pid while exiting: $(pid_of victim)"
ev_ctl s1 ack 0    # also the exits of earlier evsvc -ctl processes
case $OUT in "OK "[1-9]*) ;; *) fail "ack: $OUT" ;; esac
ev_has s1 "^ack $vep exit OK$" || fail "victim's exit not acknowledged"
wait_restarted victim "$vpid"
[ "$(ep_of victim)" = "$vep" ] || fail "victim's endpoint changed"
# and the down of a subscriber: its exit reaches nobody else (none left)
ev_ctl s1 hold 0
reinc down victim
ev_wait s1 "^ack $vep exit OK$"
[ "$(ev_count s1 "^event $vep exit")" = 2 ] || fail "victim's exits: $(ev_count s1 "^event $vep exit")"
