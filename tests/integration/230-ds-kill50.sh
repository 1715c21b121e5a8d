#!/bin/sh
# The data store survives kill -9 (ref §4.4 "DS itself restarts
# statefully", §8 items 89-102): two load services publish, overwrite and
# delete keys of every type (u32, strings with keys through the grant,
# memory values up to 257 KiB) while a user process retrieves them, and
# dsd is killed with SIGKILL 50 times (each once the new instance is
# running).  A call dsd died serving (-EDEADSRCDST: unknown outcome) is
# sent again.  Afterwards every acknowledged write is there with its
# value and every acknowledged delete stayed deleted; no call failed
# otherwise; no value a reader got was torn; a subscription made before
# the kills still notifies (a key published after them reaches it); at
# most one request died per kill; `reinc status ds` counts 50 restarts.
# DS_SOAK=1: 1000 kills.  DS_KILLS=N: N kills.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dsload-lib.inc"
KILLS=${DS_KILLS:-50}
[ -n "$DS_SOAK" ] && KILLS=${DS_KILLS:-1000}
start_reincd
# reincd starts dsd without waiting for it: a service still starting is busy
wait_state ds running

# back-off: restart at once after 100 ms of health, not after 60 s
expect_rc 0 reinc edit -label ds -reset-after 100ms
ds_sub sub 'l[ab]\..*'
ds_load la
ds_load lb keys 200 del 25 u32only
ds_reader r1 la
wait_ops la 200
wait_ops lb 200

t0=$(now_ms)
i=0
while [ "$i" -lt "$KILLS" ]; do
	alive "$READER_PID" || fail "reader ended early: $(tail -n 5 "$RT/r1.out")"
	ds_kill -9
	i=$((i + 1))
	[ $((i % 10)) = 0 ] && log "$i kills, la $(ds_ops la) ops, lb $(ds_ops lb) ops"
done
log "$KILLS kills in $(($(now_ms) - t0)) ms"
[ "$(restarts_of ds)" = "$KILLS" ] ||
	fail "reinc status ds: restarts $(restarts_of ds), expected $KILLS"
[ "$(state_of ds)" = running ] || fail "ds is $(state_of ds)"
# the loads went on through the kills
n=$(ds_ops la)
wait_ops la "$n"
n=$(ds_ops lb)
wait_ops lb "$n"

ds_stop
ds_check_load la
dla=$(ds_field "$RT/la.result" dead)
ds_check_load lb
dlb=$(ds_field "$RT/lb.result" dead)
ds_check_reader r1
dr=$(ds_field "$RT/r1.out" dead)
# la.final and lb.final, published after the last kill, reach the
# subscription made before the first
ds_wait_finals sub 2
ds=$(ds_field "$RT/sub.sub" dead)
[ $((dla + dlb + dr + ds)) -le "$KILLS" ] ||
	fail "$((dla + dlb + dr + ds)) calls died (la $dla lb $dlb reader $dr sub $ds) for $KILLS kills"
[ $((dla + dlb)) -gt 0 ] || log "note: no kill hit a write in service"
[ "$(restarts_of ds)" = "$KILLS" ] || fail "ds restarted after the kills"
exit 0
