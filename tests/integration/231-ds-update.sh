#!/bin/sh
# The data store survives live updates, without a single call dying
# (ref §4.4, §8 items 89-102, and the live-update items 59 ff.): the
# load of 230-ds-kill50 (two load services, a reader, a subscriber) runs
# while dsd is updated 10 times in place (`reinc update self -label ds`)
# and 3 times from its binary (`reinc update .../dsd -label ds`).  Each
# update succeeds with a new instance at the same endpoint, and no
# restart is counted.  Afterwards every acknowledged write is there, no
# call failed, and none even got -EDEADSRCDST (an update hands the
# requests over; only a death may cut one); the subscription made before
# the updates still notifies.
# DS_SOAK=1: 200 + 50 updates.  DS_UPDATES=N, DS_BIN_UPDATES=N.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dsload-lib.inc"
SELF_N=${DS_UPDATES:-10}
BIN_N=${DS_BIN_UPDATES:-3}
if [ -n "$DS_SOAK" ]; then
	SELF_N=${DS_UPDATES:-200}
	BIN_N=${DS_BIN_UPDATES:-50}
fi
start_reincd
# reincd starts dsd without waiting for it: a service still starting is busy
wait_state ds running

ds_sub sub 'l[ab]\..*'
ds_load la
ds_load lb keys 200 del 25 u32only
ds_reader r1 la
wait_ops la 200
wait_ops lb 200
ep=$(ep_of ds)

t0=$(now_ms)
i=0
while [ "$i" -lt $((SELF_N + BIN_N)) ]; do
	alive "$READER_PID" || fail "reader ended early: $(tail -n 5 "$RT/r1.out")"
	p=$(pid_of ds)
	# the binary updates spread among the self ones
	if [ $((i * BIN_N / (SELF_N + BIN_N))) != \
	    $(((i + 1) * BIN_N / (SELF_N + BIN_N))) ]; then
		expect_rc 0 reinc update "$B/bin/dsd" -label ds
	else
		expect_rc 0 reinc update self -label ds
	fi
	np=$(pid_of ds)
	[ -n "$np" ] && [ "$np" != "$p" ] || fail "update $i: no new instance ($np)"
	wait_dead "$p"
	[ "$(ep_of ds)" = "$ep" ] || fail "update $i: endpoint $(ep_of ds), was $ep"
	[ "$(state_of ds)" = running ] || fail "update $i: ds is $(state_of ds)"
	# the new instance serves the load
	n=$(ds_ops la)
	wait_ops la "$n"
	i=$((i + 1))
done
log "$((SELF_N + BIN_N)) updates in $(($(now_ms) - t0)) ms"
[ "$(restarts_of ds)" = 0 ] || fail "restarts $(restarts_of ds) after updates"
_nupd() { [ "$(grep -c 'dsd: updated with' "$RT/reincd.out")" = "$1" ]; }
wait_for -m "dsd to log $((SELF_N + BIN_N)) updates" _nupd $((SELF_N + BIN_N))

ds_stop
ds_check_load la
ds_check_load lb
ds_check_reader r1
ds_wait_finals sub 2
for f in "$RT/la.result" "$RT/lb.result" "$RT/r1.out" "$RT/sub.sub"; do
	[ "$(ds_field "$f" dead)" = 0 ] ||
		fail "a call got EDEADSRCDST during live updates: $(cat "$f")"
done
exit 0
