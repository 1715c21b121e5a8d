#!/bin/sh
# The data store's limits are configurable (ref §8 item 102, with dsd's
# options instead of MINIX's 128 entries and 256 subscriptions): with
# -entries 50 the table holds 50 entries, labels included, and the next
# publish is ENOMEM (an overwrite, a retrieval and a delete still work,
# and a deleted entry's slot is taken again); with -subs 3 the fourth
# subscriber gets EAGAIN until one goes down; with -max-value 1000 a
# 1001-byte value (a string's NUL counts) is EFBIG and the old value
# stays.  dsd keeps running throughout: same pid, no restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd -ds-arg -entries -ds-arg 50 -ds-arg -subs -ds-arg 3 \
	-ds-arg -max-value -ds-arg 1000

ds_up a
ds_up b
ds_up c
ds_up d
dp=$(ds_pid)
[ -n "$dp" ] || fail "no dsd"
# the labels ds, a, b, c and d take 5 of the 50 entries

# -max-value
ds_expect b <<EOF
pub mem m @1000:x        => OK
pub mem m2 @1001:x       => EFBIG
pub mem m @1001:y ow     => EFBIG
get mem m 2000           => OK 1000 @1000:x
pub str s @999:x         => OK
pub str s2 @1000:x       => EFBIG
get str s 2000           => OK @999:x
get mem m2               => ESRCH
EOF

# -entries: 45 - 2 (b's) = 43 more
ds_expect a <<EOF
fill u32 k 100           => ENOMEM 43
pub str x y              => ENOMEM
pub u32 k0 9 ow          => OK
get u32 k0               => OK 9
get u32 k42              => OK 1
del u32 k0               => OK
pub mem k0 abc           => OK
pub u32 k0 1             => ENOMEM
EOF
ds_expect b <<EOF
pub mem m @1001:x        => EFBIG
pub u32 bb 1             => ENOMEM
EOF
ds_alive "$dp"

# -subs (subscribing needs no entry)
ds_expect a <<EOF
sub k.*                  => OK
EOF
ds_expect b <<EOF
sub .*                   => OK
EOF
ds_expect c <<EOF
sub .*                   => OK
EOF
ds_expect d <<EOF
sub .*                   => EAGAIN
sub .* ow initial        => EAGAIN
check                    => ESRCH
EOF
ds_alive "$dp"
# a full table still lets a subscriber replace its own subscription
# (MINIX frees the old slot first; dsd writes the new one in a spare slot)
ds_expect a <<EOF
sub k.* ow               => OK
EOF
ds_expect d <<EOF
sub .*                   => EAGAIN
EOF

# c going down frees its subscription and its label's entry
expect_rc 0 reinc down c
wait_gone c
ds_expect d <<EOF
sub .* initial           => OK
pub u32 dd 1             => OK
pub u32 de 1             => ENOMEM
EOF
wait_events d '^notify$' 1

ds_alive "$dp"
[ "$(restarts_of ds)" = 0 ] || fail "dsd restarted $(restarts_of ds) times"
exit 0
