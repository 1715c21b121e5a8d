#!/bin/sh
# -p keeps a hot standby: recovery hands it the endpoint, and a new
# standby is spawned; clone / unclone (EEXIST / ENOENT); signals to the
# standby are ignored (ref §8 items 39, 40, 43).
. "$(dirname "$0")/lib.sh"
start_reincd

_standby() { sp=$(standby_of rep); [ -n "$sp" ] && [ "$sp" != 0 ] && alive "$sp"; }
_new_standby() { _standby && [ "$sp" != "$1" ]; }

expect_rc 0 reinc -p up "$SVC" -label rep -args restartcb
ep=$(ep_of rep)
wait_for -m "a standby" _standby
sp1=$sp
p=$(pid_of rep)
[ "$sp1" != "$p" ] || fail "the standby is the running instance"

# an inactive instance ignores signals (43)
kill -USR1 "$sp1"
kill -TERM "$sp1"
kill -HUP "$sp1"
sleep 0.2
alive "$sp1" || fail "the standby died of a signal"

kill -9 "$p"
wait_restarted rep "$p" 5
[ "$NEWPID" = "$sp1" ] || fail "recovery started pid $NEWPID, not the standby $sp1"
[ "$(ep_of rep)" = "$ep" ] || fail "endpoint changed"
[ "$(info_field rep type)" = 2 ] || fail "the standby got init type $(info_field rep type)"
wait_for -m "a new standby" _new_standby "$sp1"
sp2=$sp

# the standby itself dies: replaced, the service is unaffected
kill -9 "$sp2"
wait_for -m "a standby replacing the killed one" _new_standby "$sp2"
sp3=$sp
[ "$(pid_of rep)" = "$sp1" ] || fail "the running instance changed"

expect_rc 17 reinc clone rep
expect_rc 0 reinc unclone rep
wait_dead "$sp3"
_no_standby() { _s=$(standby_of rep); [ -z "$_s" ] || [ "$_s" = 0 ]; }
wait_for -m "no standby after unclone" _no_standby
expect_rc 2 reinc unclone rep
expect_rc 0 reinc clone rep
wait_for -m "a standby after clone" _standby
"$CLIENT" rep -n 10 >/dev/null || fail "the service does not answer"
exit 0
