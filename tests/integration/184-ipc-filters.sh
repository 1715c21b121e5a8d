#!/bin/sh
# IPC filters while preparing (ref §8 items 84, 85): with -ipc_wl ",266"
# only SVC_ADD (0x10a = 266) requests are received while the service
# prepares; an echo waits, queued, until the preparation ends (here a
# prepare timeout: EINTR), then is answered.  -ipc_bl ",266" the other
# way round.  An unknown label in a filter is ESRCH (3), a malformed one
# EINVAL (22), and nothing is started.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label fl -args lu
p=$(pid_of fl)

expect_rc 3 reinc update self -label fl -ipc_wl "nosuch,1"
expect_rc 22 reinc update self -label fl -ipc_wl ","
expect_rc 22 reinc update self -label fl -ipc_wl "fl,x"
[ "$(pid_of fl)" = "$p" ] || fail "an update ran after a refused filter"

# whitelist: adds pass, an echo is held
expect_rc 0 reinc -n update self -label fl -state 5 -maxtime 2s -ipc_wl ",266"
wait_state fl updating
bg echo "$CLIENT" fl -type echo -v -timeout 20
e=$BG_PID
t0=$(now_ms)
expect_rc 0 "$CLIENT" fl -type add -arg 1
alive "$e" || fail "the echo was not held: $(cat "$RT/echo.out")"
[ "$(state_of fl)" = updating ] || fail "the preparation ended too early"
wait "$e" || fail "echo client: $(cat "$RT/echo.out")"
el=$(( $(now_ms) - t0 ))
[ "$el" -ge 1000 ] || fail "the echo was answered after $el ms, while preparing"
[ "$(state_of fl)" = running ] || fail "state $(state_of fl) after the echo"
[ "$(pid_of fl)" = "$p" ] || fail "pid changed"

# blacklist: an echo passes, an add is held
expect_rc 0 reinc -n update self -label fl -state 5 -maxtime 2s -ipc_bl ",266"
wait_state fl updating
bg add "$CLIENT" fl -type add -arg 1 -v -timeout 20
a=$BG_PID
expect_rc 0 "$CLIENT" fl -type echo
alive "$a" || fail "the add was not held: $(cat "$RT/add.out")"
wait "$a" || fail "add client: $(cat "$RT/add.out")"
[ "$(state_of fl)" = running ] || fail "state $(state_of fl) after the add"
expect_rc 0 "$CLIENT" fl -type add -arg 0
echo "$OUT" | grep -q '^add counter=2 ' || fail "counter: $OUT"
exit 0
