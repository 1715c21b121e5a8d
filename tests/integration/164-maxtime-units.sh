#!/bin/sh
# -maxtime NHZ is N seconds, a bare number MINIX ticks (60 a second):
# with a never-ready state (5) the update fails with EINTR once the
# prepare deadline has passed, after 1 s for 1HZ and 0.5 s for 30; the
# old instance serves throughout and carries on (ref §8 item 64).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label mu -args lu
p=$(pid_of mu)
hammer h mu
wait_counter_past mu 50

_preparing() { luinfo mu; [ "$(lget state)" = 5 ]; }
# try MAXTIME MS SLACK: the update must fail with EINTR no sooner than MS
# after it was asked for, and at most MS + SLACK after the service was
# seen preparing.
try()
{
	t0=$(now_ms)
	bg upd reinc update self -label mu -state 5 -maxtime "$1"
	u=$BG_PID
	wait_for -m "the old instance to be preparing (state 5)" _preparing
	t1=$(now_ms)
	wait "$u"
	rc=$?
	t2=$(now_ms)
	log "-maxtime $1: failed after $((t2 - t0)) ms ($((t2 - t1)) ms after preparing was seen)"
	[ "$rc" = 4 ] || fail "-maxtime $1: exited $rc, expected 4: $(cat "$RT/upd.out")"
	[ $((t2 - t0)) -ge "$2" ] || fail "-maxtime $1: deadline after $((t2 - t0)) ms, expected $2"
	[ $((t2 - t1)) -lt $(($2 + $3)) ] ||
		fail "-maxtime $1: deadline $((t2 - t1)) ms after the service was seen preparing, expected $2"
	[ "$(pid_of mu)" = "$p" ] || fail "pid $(pid_of mu), expected the old $p"
	_resumed() { luinfo mu; [ "$(lget state)" = 0 ]; }
	wait_for -m "state 0 again" _resumed
	[ "$(lget last)" = "5->0" ] || fail "after -maxtime $1: $LU"
	wait_counter_past mu "$(lget counter)" "$p"
}
try 1HZ 1000 700
try 30 500 500
try 500ms 500 500

wait_kids "$p"
hammer_end h
add0 mu
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
