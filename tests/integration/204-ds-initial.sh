#!/bin/sh
# DSF_INITIAL (ref §8 item 97): a subscription made with it marks every
# existing matching key (of the filtered types) and sends one notification
# at once, so that the subscriber lists them with ds_check; without it,
# or when nothing matches, no notification comes and there is nothing to
# check.  With DSF_OVERWRITE the replaced subscription's marks are
# dropped and the new one lists again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

ds_up p
ds_up s
ds_up s2
ds_up s3
ep=$(ep_of p)

ds_expect p <<EOF
pub u32 i.1 1            => OK
pub str i.2 x            => OK
pub u32 j.1 1            => OK
pub mem i.3 y            => OK
EOF

ds_expect s <<EOF
sub i\..* initial        => OK
EOF
ds_expect s2 <<EOF
sub i\..*                => OK
EOF
ds_expect s3 <<EOF
sub nomatch.* initial    => OK
EOF
wait_events s '^notify$' 1
sleep 0.2
[ "$(ds_nevents s '^notify$')" = 1 ] ||
	fail "s: $(ds_nevents s '^notify$') notifications, expected 1"
[ -z "$(ds_events s2)" ] || fail "s2 notified without DSF_INITIAL"
[ -z "$(ds_events s3)" ] || fail "s3 notified with nothing matching"

ds_expect s <<EOF
checkall                 => OK i.1:u32:$ep i.2:str:$ep i.3:mem:$ep
EOF
ds_expect s2 <<EOF
checkall                 => OK
EOF
ds_expect s3 <<EOF
checkall                 => OK
EOF

# replaced with a type filter: lists again, only those types
ds_expect s2 <<EOF
sub i\..* ow initial u32 mem => OK
EOF
wait_events s2 '^notify$' 1
ds_expect s2 <<EOF
checkall                 => OK i.1:u32:$ep i.3:mem:$ep
EOF
# replaced before checking: the old marks go with the old subscription,
# even when the next one takes its slot again (the replacement takes a
# new slot, then frees the old one)
ds_expect s <<EOF
sub i\..* ow initial     => OK
sub i\..* ow             => OK
checkall                 => OK
sub i\..* ow             => OK
checkall                 => OK
sub j\..* ow initial     => OK
checkall                 => OK j.1:u32:$ep
EOF
exit 0
