#!/bin/sh
# Who may do what in the data store (ref §8 items 92, 93, and the PRIV_*
# flags of §4.1/4.3): labels are reincd's alone (a service publishing or
# deleting one, even its own, gets EPERM and the label stays); a user
# process (no label) may retrieve but publishing or deleting is EPERM and
# subscribing or checking ESRCH (it cannot reset anyone's entries
# either); DSF_PRIV_RETRIEVE hides the value from all but the owner,
# DSF_PRIV_OVERWRITE keeps others from overwriting, DSF_PRIV_SUBSCRIBE
# keeps the key out of other services' subscriptions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up a
ds_up b
ea=$(ep_of a)
eb=$(ep_of b)

# item 92
ds_expect a <<EOF
pub label foo $ea        => EPERM
pub label a $ea ow       => EPERM
pub label b $ea ow       => EPERM
del label a              => EPERM
del label b              => EPERM
del label ds             => EPERM
get label a              => OK $ea
get label b              => OK $eb
get label foo            => ESRCH
name $ea                 => OK a
EOF

ds_expect a <<EOF
pub u32 plain 1          => OK
pub u32 pr 1 priv_r      => OK
pub u32 po 1 priv_o      => OK
pub u32 ps 1 priv_s      => OK
pub str priv x private   => OK
get u32 pr               => OK 1
get str priv             => OK x
EOF

# item 93: a user process
ds_expect -user <<EOF
self                     => OK - *
pub u32 x 1              => EPERM
pub str x y              => EPERM
pub mem x y              => EPERM
pub label x 5            => EPERM
pub u32 plain 2 ow       => EPERM
del u32 plain            => EPERM
del label a              => EPERM
sub .*                   => ESRCH
check                    => ESRCH
raw reset 0 0 x          => EPERM
get u32 plain            => OK 1
get u32 po               => OK 1
get u32 ps               => OK 1
get u32 pr               => EPERM
get str priv             => EPERM
get label a              => OK $ea
name $ea                 => OK a
EOF
ds_expect a <<EOF
get u32 plain            => OK 1
get u32 x                => ESRCH
EOF

# the PRIV_* flags, seen by another service
ds_expect b <<EOF
get u32 pr               => EPERM
get str priv             => EPERM
get u32 po               => OK 1
pub u32 po 2 ow          => EPERM
pub u32 pr 2 ow          => OK
pub u32 plain 2 ow       => OK
pub str priv y ow        => EPERM
del u32 po               => EPERM
sub p.* initial          => OK
checkall                 => OK plain:u32:$eb pr:u32:$eb po:u32:$ea
EOF
# pr was overwritten by b without priv_r: its flags are b's now
ds_expect -user <<EOF
get u32 pr               => OK 2
get u32 po               => OK 1
EOF
# the owner still may overwrite and delete its protected entries, and its
# own subscription sees its PRIV_SUBSCRIBE key
ds_expect a <<EOF
pub u32 po 3 ow          => OK
get u32 po               => OK 3
sub p.* initial          => OK
checkall                 => OK plain:u32:$eb pr:u32:$eb po:u32:$ea ps:u32:$ea priv:str:$ea
pub u32 ps 2 ow priv_s   => OK
check                    => OK ps u32 $ea
del str priv             => OK
EOF
# b sees po change, not ps (PRIV_SUBSCRIBE) nor priv's deletion
ds_expect b <<EOF
checkall                 => OK po:u32:$ea
EOF
exit 0
