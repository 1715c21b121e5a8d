#!/bin/sh
# Delivery is serialised (ref §8 items 106, 107): with two subscribers the
# second sees an event only after the first acknowledged it; a subscriber
# that dies while processes wait on it holds nobody up any more: ten
# user processes whose exits wait on a held subscriber all move on to the
# next one when it is killed, each exactly once, and a service crash
# waiting on it is then recovered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ev-lib.inc"
start_reincd

ev_up a -hold
ev_up b

# item 106
ev_join u1
kill "$BG_PID"
ev_wait a "^event $JOIN_EP exit$"
sleep 0.3
ev_has b "^event $JOIN_EP " && fail "b got the event before a acknowledged"
ev_ctl a ack 0
ev_wait b "^ack $JOIN_EP exit OK$"
ev_wait a "^ack $JOIN_EP exit OK$"

# item 107 and ten waiters: a holds ten exits and a service crash
eps=
for i in 0 1 2 3 4 5 6 7 8 9; do
	ev_join "j$i"
	eps="$eps $JOIN_EP"
	kill "$BG_PID"
done
reinc up "$SVC" -label victim || fail "up victim"
vep=$(ep_of victim)
vpid=$(pid_of victim)
kill -9 "$vpid"
for e in $eps $vep; do ev_wait a "^event $e exit$"; done
wait_state victim exiting
for e in $eps $vep; do
	ev_has b "^event $e " && fail "b got $e's exit before a died"
done
apid=$(pid_of a)
kill -9 "$apid"
for e in $eps $vep; do ev_wait b "^ack $e exit OK$"; done
wait_restarted victim "$vpid"
# a restarted (reset) and subscribed again, behind b; b saw a's exit too
wait_restarted a "$apid"
aep=$(ep_of a)
ev_wait b "^ack $aep exit OK$"
for e in $eps $vep $aep; do
	n=$(ev_count b "^event $e exit$")
	[ "$n" = 1 ] || fail "b got $e's exit $n times"
done
[ "$(ev_count a '^mask 3 OK$')" = 2 ] || fail "a did not subscribe again"
# now a is second: it sees the next exit only after b
ev_join u2
kill "$BG_PID"
ev_wait a "^event $JOIN_EP exit$"
ev_has b "^ack $JOIN_EP exit OK$" || fail "a got u2's exit before b acknowledged"
