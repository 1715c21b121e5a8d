#!/bin/sh
# A service that never answers its init is killed once more than twice
# the init time has passed; up fails with EDEADEPT (ref §8 item 5, with
# reincd -init-time 300ms instead of MINIX's 10 s; -z debug flag).
. "$(dirname "$0")/lib.sh"
start_reincd -init-time 300ms

t0=$(now_ms)
expect_rc 215 reinc up "$SVC" -label hang -args inithang
dt=$(($(now_ms) - t0))
[ "$dt" -gt 600 ] || fail "killed after $dt ms, not more than 2 x 300 ms"
[ "$dt" -lt 5000 ] || fail "killed only after $dt ms"
expect_rc 3 reinc lookup hang

expect_rc 215 reinc -z up "$SVC" -label z
expect_rc 3 reinc lookup z
exit 0
