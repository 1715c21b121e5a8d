#!/bin/sh
# With -script S a crash runs `sh S LABEL terminated RESTARTS` (with only
# PATH and REINC_RUNTIME_DIR in the environment) instead of restarting;
# `reinc restart` from the script restarts the terminated service, and on
# a running service fails with EBUSY (ref §8 items 32, 34).
. "$(dirname "$0")/lib.sh"
start_reincd

cat >"$RT/restart.sh" <<SCRIPT
echo "\$@" >>"$RT/script.log"
env | sort >"$RT/script.env"
exec "$REINC_BIN" restart "\$1"
SCRIPT
expect_rc 0 reinc up "$SVC" -label sc -script "$RT/restart.sh" -args print
p=$(pid_of sc)
kill -9 "$p"
wait_restarted sc "$p" 5
[ "$(cat "$RT/script.log")" = "sc terminated 0" ] ||
	fail "script arguments '$(cat "$RT/script.log")', expected 'sc terminated 0'"
extra=$(sed -e '/^PATH=/d' -e "/^REINC_RUNTIME_DIR=/d" -e '/^PWD=/d' \
	-e '/^OLDPWD=/d' -e '/^SHLVL=/d' -e '/^_=/d' "$RT/script.env")
[ -z "$extra" ] || fail "script environment has more than PATH and REINC_RUNTIME_DIR: $extra"
grep -qx "REINC_RUNTIME_DIR=$RT" "$RT/script.env" ||
	fail "script environment lacks REINC_RUNTIME_DIR=$RT"
[ "$(restarts_of sc)" = 1 ] || fail "restarts $(restarts_of sc)"
# the arguments given with -args reached the service
log_has '^sc: svc: started .* args: print$' || fail "service arguments lost"

expect_rc 16 reinc restart sc

p=$NEWPID
kill -9 "$p"
wait_restarted sc "$p" 5
[ "$(sed -n 2p "$RT/script.log")" = "sc terminated 1" ] ||
	fail "second script run got '$(sed -n 2p "$RT/script.log")'"
[ "$(wc -l <"$RT/script.log")" -eq 2 ] || fail "script ran $(wc -l <"$RT/script.log") times"
exit 0
