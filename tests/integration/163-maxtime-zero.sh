#!/bin/sh
# -maxtime 0 disables the prepare deadline: a never-ready state (5) is
# still preparing well after the default 2 s, the service serving all the
# while; upd_stop then aborts it (the caller gets EINTR) and the same
# instance carries on (ref §8 items 63, 79).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label mz -args lu
p=$(pid_of mz)
hammer h mz
wait_counter_past mz 50

t0=$(now_ms)
bg upd reinc update self -label mz -state 5 -maxtime 0
u=$BG_PID
_preparing() { luinfo mz; [ "$(lget state)" = 5 ]; }
wait_for -m "the old instance to be preparing (state 5)" _preparing
# past the default deadline, briefly: nothing must happen
sleep 2.5
[ "$(ms_since "$t0")" -ge 2500 ] || fail "clock"
alive "$u" || fail "the update ended ($(cat "$RT/upd.out")) despite -maxtime 0"
luinfo mz
[ "$(lget state)" = 5 ] || fail "no longer preparing: $LU"
[ "$(state_of mz)" = updating ] || fail "status state $(state_of mz)"
c=$(lget counter)
wait_counter_past mz "$c" "$p"
log_has "maximum prepare time" && fail "a prepare deadline with -maxtime 0"

expect_rc 0 reinc sysctl upd_stop
wait "$u"
rc=$?
[ "$rc" = 4 ] || fail "update exited $rc, expected 4 (EINTR): $(cat "$RT/upd.out")"
expect_rc 0 reinc sysctl upd_status
[ "$OUT" = "no update" ] || fail "upd_status: $OUT"
[ "$(pid_of mz)" = "$p" ] || fail "pid $(pid_of mz), expected the old $p"
wait_kids "$p"
_resumed() { luinfo mz; [ "$(lget state)" = 0 ]; }
wait_for -m "state 0 again" _resumed
[ "$(lget last)" = "5->0" ] && [ "$(lget saves)" = 0 ] || fail "after upd_stop: $LU"
wait_counter_past mz "$(lget counter)" "$p"

hammer_end h
add0 mz
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
