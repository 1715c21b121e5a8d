#!/bin/sh
# -restarts N sets the restart counter (ref §8 items 8, 57).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label rn -restarts 5
[ "$(restarts_of rn)" = 5 ] || fail "restarts $(restarts_of rn), expected 5"
[ "$(info_field rn restarts)" = 6 ] || fail "init restarts $(info_field rn restarts), expected 6"
p=$(pid_of rn)
kill -9 "$p"
wait_restarted rn "$p" 5
[ "$(restarts_of rn)" = 6 ] || fail "restarts $(restarts_of rn), expected 6"
exit 0
