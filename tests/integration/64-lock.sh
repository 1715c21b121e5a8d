#!/bin/sh
# A second reincd on the same runtime directory refuses to start, and the
# first one goes on serving (docs/behaviour.md).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label one
timeout 10 "$REINCD" -r "$RT" >"$RT/second.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "a second reincd started on $RT"
[ "$rc" -ne 124 ] || fail "the second reincd did not give up (still running after 10 s)"
log "second reincd: exit $rc: $(cat "$RT/second.out")"
expect_rc 0 reinc status one
expect_rc 0 "$CLIENT" one
exit 0
