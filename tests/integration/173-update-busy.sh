#!/bin/sh
# While an update is in progress (here a slow prepare: a request-free
# state 2 the service is not ready for), a second update of the same
# service or of another one gets EBUSY, and so do the batch commands and
# every label request on any service (down, refresh, restart, clone,
# unclone, fi, edit); `reinc status` shows the service as updating with
# flag U.  The service serves its hammering client throughout, and once
# the prepare deadline (-maxtime 4s) has passed everything works again
# (ref §8 items 73, 49).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label bu -args "lu isvalid-standard prepare-after 1000000000"
expect_rc 0 reinc up "$SVC" -label ot -args lu
p=$(pid_of bu)
po=$(pid_of ot)
hammer h bu
wait_counter_past bu 50

expect_rc 0 reinc -n update self -label bu -state 2 -maxtime 4s
_preparing() { luinfo bu; [ "$(lget state)" = 2 ]; }
wait_for -m "bu to be preparing (state 2)" _preparing

expect_rc 16 reinc update self -label bu
expect_rc 16 reinc update self -label ot
expect_rc 16 reinc -q update self -label ot
expect_rc 16 reinc sysctl upd_run
expect_rc 16 reinc sysctl upd_start
for l in bu ot; do
	for c in down refresh restart clone unclone 'fi'; do
		expect_rc 16 reinc $c $l
	done
	expect_rc 16 reinc edit self -label $l -period 1s
done
[ "$(state_of bu)" = updating ] || fail "bu: status state $(state_of bu)"
case $(status_field bu flags) in
*U*) ;;
*) fail "bu: status flags $(status_field bu flags) lack U" ;;
esac
[ "$(state_of ot)" = running ] || fail "ot: status state $(state_of ot)"
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "update preparing: bu(self, state 2, preparing)" ] ||
	fail "upd_status: $OUT"
c=$(lget counter)
wait_counter_past bu "$c" "$p"
[ "$(pid_of bu)" = "$p" ] && [ "$(pid_of ot)" = "$po" ] || fail "pids changed"

# the deadline ends it; then requests work again
wait_log "service 'bu': update failed: maximum prepare time reached"
_resumed() { luinfo bu; [ "$(lget state)" = 0 ]; }
wait_for -m "bu back in state 0" _resumed
[ "$(lget last)" = "2->0" ] || fail "bu after the deadline: $LU"
[ "$(pid_of bu)" = "$p" ] || fail "bu: pid $(pid_of bu), expected $p"
[ "$(state_of bu)" = running ] || fail "bu: status state $(state_of bu)"
expect_rc 0 reinc edit self -label ot -period 1s
expect_rc 0 reinc down ot
wait_gone ot
wait_kids "$p"

hammer_end h
add0 bu
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
