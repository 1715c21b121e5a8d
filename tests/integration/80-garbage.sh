#!/bin/sh
# Malformed frames on reincd's public socket are the sender's problem:
# reincd drops them and goes on serving.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label g
p=$(pid_of g)
for seed in 1 2 3; do
	"$GARBAGE" -seed "$seed" -rounds 300 >"$RT/garbage.out" 2>&1 ||
		fail "garbage: $(cat "$RT/garbage.out")"
	alive "$REINCD_PID" || fail "reincd died of garbage (seed $seed)"
done
expect_rc 0 reinc status
expect_rc 0 "$CLIENT" g -n 100
[ "$(pid_of g)" = "$p" ] || fail "the service was restarted"
expect_rc 0 reinc up "$SVC" -label g2
expect_rc 0 reinc down g2
exit 0
