#!/bin/sh
# With -b a service whose init fails is retried (after 1 s) instead of
# being brought down; once init succeeds it runs (ref §8 item 4).
. "$(dirname "$0")/lib.sh"
start_reincd

flag=$RT/init-may-succeed
expect_rc 0 reinc -b -n up "$SVC" -label retry -args "initfail-unless $flag"

_a_pid() { p=$(pid_of retry); [ -n "$p" ] && [ "$p" != 0 ]; }
_another_pid() { _a_pid && [ "$p" != "$p1" ]; }
wait_for -m "a first instance" _a_pid
p1=$p
wait_for -t 5 -m "a second attempt (new instance after the failed init)" \
	_another_pid
reinc status retry >/dev/null || fail "the label was dropped despite -b"
touch "$flag"
wait_state retry running 5
exit 0
