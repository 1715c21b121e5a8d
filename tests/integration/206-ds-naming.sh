#!/bin/sh
# Naming through the data store (ref §4.4): ds_retrieve_label_endpt and
# ds_retrieve_label_name agree with reinc status, for services, for dsd
# itself ("ds", endpoint 6) and for a user process asking; unknown labels
# and endpoints are ESRCH.  A subscriber to a label pattern (anchored: x,
# not xx) is notified, and checks the label, when the service comes up,
# after a restart (same endpoint) and after a live update; when it goes
# down it is notified and there is nothing to check, and the label no
# longer resolves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up w -autocheck
ew=$(ep_of w)
ds_expect w <<EOF
sub x label              => OK
EOF

ds_up x
ex=$(ep_of x)
wait_events w "check x label NONE" 1
ds_up xx
exx=$(ep_of xx)

ds_expect -user <<EOF
get label x              => OK $ex
get label xx             => OK $exx
get label w              => OK $ew
get label ds             => OK 6
name $ex                 => OK x
name $exx                => OK xx
name 6                   => OK ds
get label nosuch         => ESRCH
get label @15:q          => ESRCH
name 12345               => ESRCH
name 0x100000            => ESRCH
EOF
ds_expect x <<EOF
self                     => OK x $ex
name %E                  => OK x
get label %L             => OK $ex
get label w              => OK $ew
EOF

# restart: the label is published again, with the same endpoint
p=$(pid_of x)
kill -9 "$p"
wait_restarted x "$p"
wait_events w "check x label NONE" 2
[ "$(ep_of x)" = "$ex" ] || fail "x's endpoint changed: $(ep_of x), was $ex"
ds_expect -user <<EOF
get label x              => OK $ex
name $ex                 => OK x
EOF

# live update: published again
expect_rc 0 reinc update self -label x
wait_events w "check x label NONE" 3
ds_expect -user <<EOF
get label x              => OK $ex
EOF

# down: notified, nothing to check, the name is gone
n=$(ds_nevents w '^notify$')
expect_rc 0 reinc down x
wait_gone x
wait_events w '^notify$' $((n + 1))
ds_expect -user <<EOF
get label x              => ESRCH
name $ex                 => ESRCH
get label xx             => OK $exx
EOF
sleep 0.2
# exactly: up, restart, update, down; xx never
[ "$(ds_nevents w '^notify$')" = 4 ] ||
	fail "$(ds_nevents w '^notify$') notifications, expected 4: $(ds_events w)"
[ "$(ds_nevents w 'check .*')" = 3 ] ||
	fail "expected 3 checks of x: $(ds_events w)"
exit 0
