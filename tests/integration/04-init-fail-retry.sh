#!/bin/sh
# With -b a service whose init fails is retried (after 1 s) instead of
# being brought down; once init succeeds it runs (ref §8 item 4).
. "$(dirname "$0")/lib.sh"
start_reincd

flag=$RT/init-may-succeed
t0=$(now_ms)
expect_rc 0 reinc -b -n up "$SVC" -label retry \
	-args "print initfail-unless $flag"

# Each attempt prints its failure (the instances live too briefly to be
# caught by polling status).
_attempts() { [ "$(grep -c '^retry: svc: .* missing, failing init' \
	"$RT/reincd.out")" -ge "$1" ]; }
wait_for -m "a first attempt" _attempts 1
wait_for -t 5 -m "a second attempt after the failed init" _attempts 2
dt=$(($(now_ms) - t0))
[ "$dt" -ge 800 ] || fail "second attempt after $dt ms, expected about 1 s"
reinc status retry >/dev/null || fail "the label was dropped despite -b"
touch "$flag"
wait_state retry running 5
exit 0
