#!/bin/sh
# With -f a crashed service is not restarted and its label disappears
# (ref §8 item 31).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc -f up "$SVC" -label nr
p=$(pid_of nr)
kill -9 "$p"
wait_gone nr 5
expect_rc 3 reinc lookup nr
expect_rc 3 "$CLIENT" nr
exit 0
