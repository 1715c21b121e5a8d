#!/bin/sh
# THE zero-loss test: two clients hammer an echo service while its
# instance is killed 100 times.  Every request is answered, or (only the
# one being served at the moment of death) fails with EDEADSRCDST; none is
# lost, none hangs, none gets another request's reply.
#
# The service keeps a hot standby (-p) so that recovery is a hand-over,
# and -reset-after 100ms, waited for before each kill, keeps the back-off
# at "restart at once" (otherwise 100 kills would take 100 x 30 s).
. "$(dirname "$0")/lib.sh"
KILLS=${ZL_KILLS:-100}
start_reincd

expect_rc 0 reinc -p up "$SVC" -label zl -reset-after 100ms
_standby() { _s=$(standby_of zl); [ -n "$_s" ] && [ "$_s" != 0 ]; }
wait_for -m "a standby" _standby
ep=$(ep_of zl)

zero_loss zl "$KILLS"
for c in c1 c2; do
	ok=$(summary_field "$RT/$c.out" ok)
	[ "$ok" -gt $((KILLS * 10)) ] || fail "$c: only $ok answers"
	pids=$(sed -n 's/^pids=//p' "$RT/$c.out")
	[ "$pids" -gt $((KILLS / 2)) ] || fail "$c: answers came from only $pids instances"
done
[ "$(ep_of zl)" = "$ep" ] || fail "endpoint changed"
exit 0
