#!/bin/sh
# Driver-up announcements (ref §8 item 101, §4.4): a driver publishes
# drv.chr.<label> = DS_DRIVER_UP (with DSF_OVERWRITE) in its init, after a
# fresh start and after each restart (a reset one, whose init starts
# afresh, and a stateful one); a VFS-like subscriber (drv\.chr\..*, u32,
# DSF_INITIAL | DSF_OVERWRITE, checking until ENOENT on each
# notification) sees the key each time with the driver's endpoint as its
# owner, and one subscribing late learns of every driver at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd

printf 'pub u32 drv.chr.%%L 1 ow\n' >"$RT/drv.cmds"
printf 'pub u32 drv.blk.%%L 1 ow\n' >"$RT/blk.cmds"

ds_up vfs -autocheck
ds_expect vfs <<EOF
sub drv\.chr\..* ow initial u32 => OK
EOF
ds_up d -init "$RT/drv.cmds"
ds_up e -stateful -init "$RT/drv.cmds"
ds_up b -init "$RT/blk.cmds"
ed=$(ep_of d)
ee=$(ep_of e)
wait_events vfs "check drv\.chr\.d u32 $ed" 1
wait_events vfs "check drv\.chr\.e u32 $ee" 1
ds_expect vfs <<EOF
get u32 drv.chr.d        => OK 1
get u32 drv.chr.e        => OK 1
get u32 drv.blk.b        => OK 1
EOF

# restarts: announced again, same endpoints
p=$(pid_of d)
kill -9 "$p"
wait_restarted d "$p"
wait_events vfs "check drv\.chr\.d u32 $ed" 2
p=$(pid_of e)
kill -9 "$p"
wait_restarted e "$p"
wait_events vfs "check drv\.chr\.e u32 $ee" 2
for l in d e; do
	[ "$(grep -c '^  OK$' "$RT/$l.init")" = 2 ] ||
		fail "$l's init publications: $(cat "$RT/$l.init")"
done
grep -q '^init restart' "$RT/e.init" || fail "e: no stateful restart"
ds_expect vfs <<EOF
get u32 drv.chr.d        => OK 1
get u32 drv.chr.e        => OK 1
EOF

# a late subscriber (VFS restarted) learns of both at once
ds_up vfs2 -autocheck
ds_expect vfs2 <<EOF
sub drv\.chr\..* ow initial u32 => OK
EOF
wait_events vfs2 "check drv\.chr\.d u32 $ed" 1
wait_events vfs2 "check drv\.chr\.e u32 $ee" 1
[ "$(ds_nevents vfs2 '^notify$')" = 1 ] ||
	fail "vfs2: not one notification: $(ds_events vfs2)"
sleep 0.2
grep -q 'blk' "$RT/vfs.events" "$RT/vfs2.events" &&
	fail "the block driver was reported: $(cat "$RT/vfs.events")"
exit 0
