#!/bin/sh
# Bad input to the data store (ref §8 item 94 and §4.1): keys of length 0
# or 80 and more are EINVAL (79 is fine), through the library and in
# hand-made requests that bypass its checks (length 0, 80, 200, a NUL
# inside the key); a pattern that does not compile, an empty or too long
# one, unknown flag bits, an unknown, missing or double type, DS_SNAPSHOT,
# DS_GETSYSINFO and an unknown request are EINVAL; a notification sent to
# dsd is ignored.  Afterwards dsd is the same process and still serves,
# and a failed subscribe left the old subscription in place.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up a
ea=$(ep_of a)
dp=$(ds_pid)
[ -n "$dp" ] || fail "no dsd"

ds_expect a <<EOF
pub u32 @0:k 1           => EINVAL
pub u32 @80:k 1          => EINVAL
pub str @80:k x          => EINVAL
pub u32 @79:k 1          => OK
get u32 @79:k            => OK 1
get u32 @80:k            => EINVAL
get u32 @0:k             => EINVAL
get mem @200:k           => EINVAL
del u32 @80:k            => EINVAL
del u32 @0:k             => EINVAL
sub @0:k                 => EINVAL
sub @256:k               => EINVAL
sub a(b                  => EINVAL
sub [z-a]                => EINVAL
sub x{2,1}               => EINVAL
sub ((a{1,100}){1,100}){1,100} => EINVAL
sub (a)\\1                => EINVAL
sub k{2,}x{1,100}        => EINVAL
sub @255:k               => OK
sub a(b ow               => EINVAL
sub k{2,}x{1,16} ow      => OK
sub @255:k ow            => OK
sub k* flags=0x10000     => EINVAL
pub u32 fl 1 flags=0x10000 => EINVAL
get u32 fl               => ESRCH
raw publish 0x10 0 x     => EINVAL
raw publish 0x10 80 x    => EINVAL
raw retrieve 0x10 200 x  => EINVAL
raw delete 0x10 0 x      => EINVAL
raw subscribe 0 0 x      => EINVAL
raw subscribe 0 2 a(     => EINVAL
raw publish 0x10 5 ab    => EINVAL
raw publish 0x80 1 x     => EINVAL
raw publish 0x0 1 x      => EINVAL
raw publish 0x30 1 x     => EINVAL
raw retrieve 0x200 1 x   => EINVAL
raw retrieve 0 1 x       => EINVAL
raw delete 0x0 1 x       => EINVAL
raw snapshot 0x10 1 x    => EINVAL
raw getsysinfo 0 0 x     => EINVAL
raw 0x8ff 0x10 1 x       => EINVAL
raw 0x7ff 0x10 1 x       => EINVAL
notifyds                 => OK
get u32 x                => ESRCH
EOF
# the subscription to 255 k's is still there after the failed "sub a(b
# ow": EEXIST, and check answers ENOENT, not ESRCH
ds_expect a <<EOF
sub .*                   => EEXIST
pub u32 @79:k 2 ow       => OK
check                    => ENOENT
EOF

# the same from a user process, which dsd answers just as well
ds_expect -user <<EOF
get u32 @80:k            => EINVAL
get u32 @0:k             => EINVAL
raw publish 0x10 0 x     => EINVAL
raw retrieve 0x10 80 x   => EINVAL
raw retrieve 0x80 1 x    => EINVAL
raw 0x8ff 0 1 x          => EINVAL
notifyds                 => OK
get u32 @79:k            => OK 2
get label a              => OK $ea
EOF

ds_alive "$dp"
[ "$(restarts_of ds)" = 0 ] || fail "dsd restarted $(restarts_of ds) times"
ds_expect a <<EOF
pub u32 after 1          => OK
get u32 after            => OK 1
EOF
exit 0
