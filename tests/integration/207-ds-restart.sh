#!/bin/sh
# A service's DS entries across its restarts and updates (ref §8 items 27,
# 28 and §4.4 "crash/update state"): a restart whose init resets the
# state (the default restart callback) drops the service's own entries
# and its subscription, and only those (its label stays, with the same
# endpoint; another's key it read is untouched), subscribers of the
# dropped keys being notified; a stateful restart (restart callback
# returns 0) keeps entries and subscription, marks included; a live
# update keeps them too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up r
ds_up s -stateful
ds_up u
ds_up w
er=$(ep_of r)
es=$(ep_of s)
eu=$(ep_of u)

for l in r s u; do
	ds_expect $l <<EOF
pub u32 %L.k 1           => OK
pub str %L.s hello       => OK
sub %L\..*               => OK
pub u32 %L.m 1           => OK
EOF
done
ds_expect w <<EOF
pub u32 w.k 7            => OK
sub r\..*                => OK
EOF

# reset: r's entries and subscription go
p=$(pid_of r)
kill -9 "$p"
wait_restarted r "$p"
[ "$(grep -c '^init fresh' "$RT/r.init")" = 2 ] ||
	fail "r's inits: $(cat "$RT/r.init")"
ds_expect r <<EOF
get u32 r.k              => ESRCH
get str r.s              => ESRCH
get u32 r.m              => ESRCH
check                    => ESRCH
get label r              => OK $er
get u32 w.k              => OK 7
get u32 s.k              => OK 1
EOF
wait_events w '^notify$' 1
ds_expect w <<EOF
checkall                 => OK
EOF

# stateful restart: everything stays, r.m's mark included
p=$(pid_of s)
kill -9 "$p"
wait_restarted s "$p"
grep -q '^init restart' "$RT/s.init" || fail "s's inits: $(cat "$RT/s.init")"
ds_expect s <<EOF
get u32 s.k              => OK 1
get str s.s              => OK hello
check                    => OK s.m u32 $es
check                    => ENOENT
pub u32 s.k 2 ow         => OK
check                    => OK s.k u32 $es
EOF

# live update: everything stays
expect_rc 0 reinc update self -label u
grep -q '^init lu' "$RT/u.init" || fail "u's inits: $(cat "$RT/u.init")"
ds_expect u <<EOF
get u32 u.k              => OK 1
get str u.s              => OK hello
check                    => OK u.m u32 $eu
check                    => ENOENT
pub u32 u.k 2 ow         => OK
check                    => OK u.k u32 $eu
EOF

# seen from outside
ds_expect -user <<EOF
get u32 r.k              => ESRCH
get u32 s.k              => OK 2
get u32 u.k              => OK 2
get u32 w.k              => OK 7
EOF
exit 0
