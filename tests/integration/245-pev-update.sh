#!/bin/sh
# Process events across live updates of a subscriber: the subscription
# survives the update (it belongs to the service, as MINIX's to the
# endpoint); an event the old instance was handed and had not
# acknowledged when it became ready is delivered again to the new
# instance (docs/events.md); and with exits streaming in during repeated
# updates, every exit reaches both subscribers exactly once: none lost in
# the pause, none doubled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ev-lib.inc"
start_reincd

ev_up a -hold
ev_up b
ev_join u1
e1=$JOIN_EP
kill "$BG_PID"
ev_wait a "^event $e1 exit$"
reinc update self -label a || fail "update a"
# the new instance (also -hold) is handed e1 again
wait_for -m "e1 again" sh -c "[ \$(grep -c '^event $e1 exit\$' '$RT/a.events') = 2 ]"
[ "$(ev_count a '^mask 3 OK$')" = 2 ] || fail "a's LU init did not run"
ev_ctl a ack 0
ev_wait b "^ack $e1 exit OK$"

# exits during updates of a subscriber that acknowledges at once (c)
reinc down a
ev_up c
eps=
i=0
while [ $i -lt 8 ]; do
	ev_join "j$i"
	eps="$eps $JOIN_EP"
	kill "$BG_PID"
	reinc update self -label c || fail "update $i"
	i=$((i + 1))
done
for e in $eps; do
	ev_wait b "^ack $e exit OK$"
	ev_wait c "^ack $e exit OK$"
	nc=$(ev_count c "^event $e exit$")
	nb=$(ev_count b "^event $e exit$")
	[ "$nc" = 1 ] && [ "$nb" = 1 ] || fail "exit of $e: c got it $nc times, b $nb"
done
