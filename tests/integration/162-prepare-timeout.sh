#!/bin/sh
# A state the service never reaches (5, "unreachable") with the default
# -maxtime: the update fails with EINTR after the 2 s prepare deadline;
# meanwhile the old instance serves on (the counter moves while it is
# preparing), and afterwards it is the same instance, back in state 0 and
# told so by state_changed(5 -> 0), with no state_save run (ref §8 item 62).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label pt -args lu
p=$(pid_of pt)
ep=$(ep_of pt)
hammer h pt
wait_counter_past pt 50

t0=$(now_ms)
bg upd reinc update self -label pt -state 5
u=$BG_PID
_preparing() { luinfo pt; [ "$(lget state)" = 5 ]; }
wait_for -m "the old instance to be preparing (state 5)" _preparing
c=$(lget counter)
# serving while it prepares
wait_counter_past pt "$c" "$p"
[ "$(lget state)" = 5 ] || fail "no longer preparing: $LU"
[ "$(state_of pt)" = updating ] || fail "status state $(state_of pt)"
case $(status_field pt flags) in
*U*) ;;
*) fail "status flags $(status_field pt flags) lack U" ;;
esac

wait "$u"
rc=$?
[ "$rc" = 4 ] || fail "update exited $rc, expected 4 (EINTR): $(cat "$RT/upd.out")"
el=$(ms_since "$t0")
[ "$el" -ge 2000 ] || fail "the prepare deadline came after $el ms, not 2 s"
log_has "update failed: maximum prepare time reached" || fail "no log line"
[ "$(pid_of pt)" = "$p" ] || fail "pid $(pid_of pt), expected the old $p"
[ "$(ep_of pt)" = "$ep" ] || fail "endpoint changed"
[ "$(state_of pt)" = running ] || fail "status state $(state_of pt)"
wait_kids "$p"
luinfo pt
[ "$(lget state)" = 0 ] && [ "$(lget last)" = "5->0" ] &&
	[ "$(lget changes)" = 2 ] && [ "$(lget saves)" = 0 ] ||
	fail "old instance after the timeout: $LU"
wait_counter_past pt "$(lget counter)" "$p"

hammer_end h
add0 pt
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
exit 0
