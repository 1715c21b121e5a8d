#!/bin/sh
# A service whose fresh init fails or crashes is killed, up fails with
# EDEADEPT (215) and the label is free again (ref §8 item 3; the -x/-y
# debug flags).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 215 reinc up "$SVC" -label bad -args initfail
printf '%s\n' "$OUT" | grep -q 'error 215' || fail "no '(error 215)' in: $OUT"
expect_rc 3 reinc lookup bad
expect_rc 3 reinc status bad
# the label is free again
expect_rc 0 reinc up "$SVC" -label bad
expect_rc 0 reinc down bad

expect_rc 215 reinc up "$SVC" -label crash -args initcrash
expect_rc 3 reinc lookup crash
wait_log '^crash: Simulating a crash at initialization time'

expect_rc 215 reinc -y up "$SVC" -label y
expect_rc 3 reinc lookup y
expect_rc 215 reinc -x up "$SVC" -label x
expect_rc 3 reinc lookup x
exit 0
