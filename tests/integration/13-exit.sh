#!/bin/sh
# A service that calls exit() is seen as crashed and recovered; the
# request it was serving fails with EDEADSRCDST (ref §8 item 13).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label ex
p=$(pid_of ex)
ep=$(ep_of ex)
"$CLIENT" ex -type exit -expect-errors >"$RT/cl.out" 2>&1 ||
	fail "client: $(cat "$RT/cl.out")"
grep -q '^sent=1 ok=0 dead=1 other=0' "$RT/cl.out" ||
	fail "expected one dead request: $(cat "$RT/cl.out")"
wait_restarted ex "$p"
[ "$(restarts_of ex)" = 1 ] || fail "restarts $(restarts_of ex)"
[ "$(ep_of ex)" = "$ep" ] || fail "endpoint changed"
"$CLIENT" ex >/dev/null || fail "the restarted service does not answer"
exit 0
