#!/bin/sh
# up -env NAME=VALUE and -cwd DIR set the service's environment and
# working directory (docs/behaviour.md), and keep them across restarts.
. "$(dirname "$0")/lib.sh"
start_reincd

mkdir "$RT/work"
expect_rc 0 reinc up "$SVC" -label env -env GREETING=bonjour -cwd "$RT/work" \
	-args "print showenv GREETING"
wait_log '^env: svc: env GREETING=bonjour$'
wait_log "^env: svc: cwd $RT/work\$"
p=$(pid_of env)
kill -9 "$p"
wait_restarted env "$p" 5
_twice() { [ "$(grep -c '^env: svc: env GREETING=bonjour$' "$RT/reincd.out")" -ge 2 ]; }
wait_for -m "the environment after a restart" _twice
exit 0
