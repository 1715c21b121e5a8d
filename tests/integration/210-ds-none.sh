#!/bin/sh
# reincd -ds none: no data store runs, yet naming works, answered by
# reincd itself: ds_retrieve_label_endpt and ds_retrieve_label_name agree
# with reinc status, for services and user processes (dssvc -run finds
# its service that way too), unknown names are ESRCH; the other calls
# fail at once with ENOSYS instead of hanging, and the services keep
# working.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd -ds none

ds_up a
ds_up b
ea=$(ep_of a)
eb=$(ep_of b)
expect_rc 3 reinc status ds

ds_expect -user <<EOF
get label a              => OK $ea
get label b              => OK $eb
name $ea                 => OK a
name $eb                 => OK b
get label nosuch         => ESRCH
get label ds             => ESRCH
name 6                   => ESRCH
name 12345               => ESRCH
get label @20:x          => ESRCH
EOF
ds_expect a <<EOF
self                     => OK a $ea
get label b              => OK $eb
name %E                  => OK a
name $eb                 => OK b
pub u32 k 1              => ENOSYS
get u32 k                => ENOSYS
sub .*                   => ENOSYS
check                    => ENOSYS
EOF
# a restarted service is found again, same endpoint
p=$(pid_of b)
kill -9 "$p"
wait_restarted b "$p"
ds_expect -user <<EOF
get label b              => OK $eb
name $eb                 => OK b
EOF
ds_expect b <<EOF
get label a              => OK $ea
EOF
exit 0
