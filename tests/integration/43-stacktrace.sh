#!/bin/sh
# A lethal signal prints the dying instance's stack trace, with function
# names, into reincd's output under the service's label (docs/behaviour.md).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label st
p=$(pid_of st)
"$CLIENT" st -type segv -expect-errors >"$RT/cl.out" 2>&1 ||
	fail "client: $(cat "$RT/cl.out")"
grep -q 'dead=1' "$RT/cl.out" || fail "client: $(cat "$RT/cl.out")"
wait_restarted st "$p" 5
wait_log '^st: .*SIGSEGV'
wait_log '^st: .*svc_crash_here'

p=$NEWPID
"$CLIENT" st -type crash -expect-errors >/dev/null 2>&1
wait_log '^st: .*SIGABRT'
wait_restarted st "$p" 5
exit 0
