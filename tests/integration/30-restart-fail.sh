#!/bin/sh
# A restarted instance whose RESTART init fails (other than ERESTART)
# brings the service down (ref §8 item 30).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label rf -args restartfail
p=$(pid_of rf)
kill -9 "$p"
wait_gone rf 5
expect_rc 3 reinc lookup rf
exit 0
