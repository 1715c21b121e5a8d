#!/bin/sh
# `reinc down` and the data store (ref §8 item 100): the label goes, every
# entry the service owned goes (those it published last, including
# another's key it overwrote; not its keys another service overwrote
# since), the subscribers of those keys are notified (once) and find
# nothing left to check but the keys that survived (the marks went with
# the entries), and its subscription goes too: a new service under the
# same label has none and owns nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up o
ds_up w
ds_up v
ew=$(ep_of w)

ds_expect w <<EOF
pub u32 w.k 1            => OK
pub u32 o.taken 1        => OK
EOF
ds_expect o <<EOF
pub u32 o.a 1            => OK
pub str o.b x            => OK
pub u32 o.moved 1        => OK
pub u32 o.taken 2 ow     => OK
pub u32 w.k 2 ow         => OK
sub .*                   => OK
EOF
ds_expect w <<EOF
pub u32 o.moved 3 ow     => OK
sub o\..* initial        => OK
EOF
# v watches a key o does not own: not notified by the down
ds_expect v <<EOF
sub o\.moved             => OK
EOF
wait_events w '^notify$' 1
[ -z "$(ds_events v)" ] || fail "v notified: $(ds_events v)"

expect_rc 0 reinc down o
wait_gone o
# o.a, o.b and o.taken went in one request: one notification
wait_events w '^notify$' 2
ds_expect w <<EOF
checkall                 => OK o.moved:u32:$ew
get u32 o.a              => ESRCH
get str o.b              => ESRCH
get u32 o.taken          => ESRCH
get u32 w.k              => ESRCH
get u32 o.moved          => OK 3
get label o              => ESRCH
EOF
sleep 0.2
[ "$(ds_nevents w '^notify$')" = 2 ] ||
	fail "w: $(ds_nevents w '^notify$') notifications, expected 2"
[ -z "$(ds_events v)" ] || fail "v notified: $(ds_events v)"
ds_expect -user <<EOF
get u32 o.a              => ESRCH
get u32 o.moved          => OK 3
EOF

# the same label again: no subscription, no entries
ds_up o
eo=$(ep_of o)
ds_expect o <<EOF
check                    => ESRCH
get u32 o.a              => ESRCH
get label o              => OK $eo
pub u32 o.a 5            => OK
sub .*                   => OK
EOF
wait_events w '^notify$' 3
ds_expect w <<EOF
checkall                 => OK o.a:u32:$eo
EOF
exit 0
