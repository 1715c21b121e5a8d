#!/bin/sh
# Subscriptions (ref §8 items 95, 96, 98): the pattern is anchored (abc
# does not match xabcx, abcx or xabc); the subscriber gets one
# notification per change of a matching key, publish or delete, and
# ds_check returns the changed keys one by one, lowest entry slot (here:
# publication order) first, with type and owner endpoint, then ENOENT; a
# deleted key notifies but leaves nothing to check, a key changed twice is
# checked once; a second subscribe is EEXIST and leaves the first in
# place, with DSF_OVERWRITE it replaces it (the old pattern no longer
# notifies); the type filter; a service's own publications notify it too.
# dssvc counts the notifications in $RT/s.events.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up s
ds_up p
es=$(ep_of s)
ep=$(ep_of p)

# count NOTIFIES: exactly that many notifications so far (each change of
# a matching key sends one), none on the way
count()
{
	wait_events s '^notify$' "$1"
	sleep 0.2
	_n=$(ds_nevents s '^notify$')
	[ "$_n" = "$1" ] || fail "$_n notifications, expected $1"
}

# item 95
ds_expect s <<EOF
sub abc                  => OK
EOF
ds_expect p <<EOF
pub u32 xabcx 1          => OK
pub u32 abcx 1           => OK
pub u32 xabc 1           => OK
pub u32 ab 1             => OK
pub str abc x            => OK
EOF
count 1
ds_expect s <<EOF
checkall                 => OK abc:str:$ep
EOF

# item 98
ds_expect s <<EOF
sub t\..*                => EEXIST
sub abc initial          => EEXIST
EOF
ds_expect p <<EOF
pub u32 abc 1            => OK
pub u32 t.x 1            => OK
EOF
count 2
ds_expect s <<EOF
checkall                 => OK abc:u32:$ep
sub t\..* ow             => OK
check                    => ENOENT
EOF

# item 96: publication order (entry slots), not key order
ds_expect p <<EOF
pub u32 t.c 1            => OK
pub str t.a x            => OK
pub mem t.b y            => OK
pub u32 abc 2 ow         => OK
EOF
count 5
ds_expect s <<EOF
check                    => OK t.c u32 $ep
check                    => OK t.a str $ep
check                    => OK t.b mem $ep
check                    => ENOENT
check                    => ENOENT
EOF
# delete: notified, nothing to check
ds_expect p <<EOF
del u32 t.c              => OK
EOF
count 6
ds_expect s <<EOF
check                    => ENOENT
EOF
# published then deleted before the check: nothing to check either
ds_expect p <<EOF
pub u32 t.d 1            => OK
del u32 t.d              => OK
EOF
count 8
ds_expect s <<EOF
check                    => ENOENT
EOF
# changed twice: checked once; a slot freed by t.c is reused by t.e,
# which then comes first
ds_expect p <<EOF
pub str t.a y ow         => OK
pub str t.a z ow         => OK
pub u32 t.e 1            => OK
EOF
count 11
ds_expect s <<EOF
checkall                 => OK t.e:u32:$ep t.a:str:$ep
get str t.a              => OK z
EOF

# the type filter
ds_expect s <<EOF
sub t\..* ow str mem     => OK
EOF
ds_expect p <<EOF
pub u32 t.u 1            => OK
pub str t.s x            => OK
pub mem t.m x            => OK
del u32 t.u              => OK
EOF
count 13
ds_expect s <<EOF
checkall                 => OK t.s:str:$ep t.m:mem:$ep
EOF

# the subscriber's own changes
ds_expect s <<EOF
pub str t.own x          => OK
EOF
count 14
ds_expect s <<EOF
checkall                 => OK t.own:str:$es
EOF
exit 0
