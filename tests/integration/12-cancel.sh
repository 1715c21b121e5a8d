#!/bin/sh
# sef_cancel() from a callback makes the pending sef_receive return EINTR
# (ref §8 item 12); without it a signal never ends a receive.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label can -args cancel
expect_rc 0 reinc up "$SVC" -label plain
p=$(pid_of can)
_eintr_is() { [ "$(sigs_field can 10 eintr)" = "$1" ]; }
kill -USR1 "$p"
wait_for -m "sef_receive to return EINTR once" _eintr_is 1
kill -USR1 "$p"
wait_for -m "sef_receive to return EINTR twice" _eintr_is 2
[ "$(sigs_field can 10 count)" = 2 ] || fail "SIGUSR1 count $(sigs_field can 10 count)"
[ "$(pid_of can)" = "$p" ] || fail "the service was restarted"

pp=$(pid_of plain)
kill -USR1 "$pp"
_got_usr1() { [ "$(sigs_field plain 10 count)" = 1 ]; }
wait_for -m "the signal to reach plain's handler" _got_usr1
[ "$(sigs_field plain 10 eintr)" = 0 ] || fail "EINTR without sef_cancel"
exit 0
