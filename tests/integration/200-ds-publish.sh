#!/bin/sh
# Publish, overwrite, retrieve and delete through the data store (ref §8
# items 89, 90, 91, 99): EEXIST without DSF_OVERWRITE, and with it the
# value changes and the entry's owner becomes the publisher (ds_check
# reports the new owner's endpoint, only the new owner may delete); the
# same key lives on independently under each type; retrieving or deleting
# what does not exist is ESRCH, deleting another's entry EPERM;
# retrieve_mem copies min(buffer, stored) bytes and says how many,
# retrieve_str truncates to the buffer; long keys and large values travel
# through the grant.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up a
ds_up b
ea=$(ep_of a)
eb=$(ep_of b)

# item 89 (first half) and 90
ds_expect a <<EOF
pub u32 k 1              => OK
pub u32 k 2              => EEXIST
get u32 k                => OK 1
pub u32 k 2 ow           => OK
get u32 k                => OK 2
pub str k hello          => OK
pub mem k @5:m           => OK
pub str k other          => EEXIST
get u32 k                => OK 2
get str k                => OK hello
get mem k                => OK 5 mmmmm
del str k                => OK
get str k                => ESRCH
get u32 k                => OK 2
get mem k                => OK 5 mmmmm
pub u32 max 4294967295   => OK
get u32 max              => OK 4294967295
EOF

# item 91
ds_expect a <<EOF
get u32 nosuch           => ESRCH
get str nosuch           => ESRCH
get mem nosuch           => ESRCH
get label nosuch         => ESRCH
del u32 nosuch           => ESRCH
del mem nosuch           => ESRCH
get str max              => ESRCH
del str max              => ESRCH
EOF

# item 89 (second half): ownership moves to the last publisher.  a
# watches the key: ds_check names the owner's endpoint.
ds_expect a <<EOF
pub u32 own 1            => OK
sub own                  => OK
EOF
ds_expect b <<EOF
del u32 own              => EPERM
del u32 k                => EPERM
pub u32 own 2            => EEXIST
pub u32 own 3 ow         => OK
EOF
ds_expect a <<EOF
check                    => OK own u32 $eb
check                    => ENOENT
get u32 own              => OK 3
del u32 own              => EPERM
pub u32 own 4 ow         => OK
check                    => OK own u32 $ea
EOF
ds_expect b <<EOF
del u32 own              => EPERM
EOF
ds_expect a <<EOF
del u32 own              => OK
get u32 own              => ESRCH
EOF

# item 99, and values and keys that need the grant
ds_expect a <<EOF
pub mem m ABCDEFGHIJ     => OK
get mem m 4              => OK 4 ABCD
get mem m 10             => OK 10 ABCDEFGHIJ
get mem m 100            => OK 10 ABCDEFGHIJ
get mem m 0              => OK 0 @0:
pub str s abcdefghij     => OK
get str s 3              => OK abc
get str s 10             => OK abcdefghij
get str s 100            => OK abcdefghij
get str s 0              => OK @0:
pub mem empty @0:x       => OK
get mem empty            => OK 0 @0:
pub mem big @200000:z    => OK
get mem big 200000       => OK 200000 @200000:z
get mem big 150000       => OK 150000 @150000:z
pub str bigs @100000:y   => OK
get str bigs 100000      => OK @100000:y
get str bigs 99999       => OK @99999:y
pub u32 @79:L 79         => OK
pub str @79:L long       => OK
get u32 @79:L            => OK 79
get str @79:L            => OK long
del str @79:L            => OK
get str @79:L            => ESRCH
get u32 @79:L            => OK 79
pub u32 @27:M 27         => OK
pub u32 @28:M 28         => OK
get u32 @27:M            => OK 27
get u32 @28:M            => OK 28
EOF

# anyone retrieves: b and a user process see a's values
ds_expect b <<EOF
get mem m 4              => OK 4 ABCD
get str s 3              => OK abc
get u32 @79:L            => OK 79
EOF
ds_expect -user <<EOF
get u32 k                => OK 2
get mem big 200000       => OK 200000 @200000:z
get str s                => OK abcdefghij
EOF
exit 0
