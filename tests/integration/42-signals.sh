#!/bin/sh
# Non-termination signals reach the service's signal handler (not its
# main loop); SIGTERM is ignored by default; SIGSEGV and SIGKILL are
# crashes and recovered (ref §8 items 11, 42).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label sig
p=$(pid_of sig)
kill -USR1 "$p"
kill -USR2 "$p"
kill -HUP "$p"
kill -TERM "$p"
_all4() { [ "$(sigs_field sig 10 all)" = 4 ]; }
wait_for -m "four signals at the handler" _all4
for s in 10 12 1 15; do
	[ "$(sigs_field sig $s count)" = 1 ] ||
		fail "signal $s counted $(sigs_field sig $s count) times"
done
[ "$(pid_of sig)" = "$p" ] || fail "a non-lethal signal ended the instance"
[ "$(info_field sig events)" = 0 ] || fail "signal events reached the main loop"
[ "$(sigs_field sig 10 eintr)" = 0 ] || fail "a signal interrupted sef_receive"

kill -SEGV "$p"
wait_restarted sig "$p" 5
wait_log '^sig: .*backtrace'
p=$NEWPID
kill -9 "$p"
wait_restarted sig "$p" 5
[ "$(restarts_of sig)" = 2 ] || fail "restarts $(restarts_of sig)"
exit 0
