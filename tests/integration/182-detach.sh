#!/bin/sh
# Detach (-e): the update succeeds, but the old instance is not killed:
# its ready call returns EDEADEPT, libsef drops its channels and it runs
# on as a process of no service (our decision; MINIX relabeled it
# "N.label").  The new instance (init flags SEF_LU_SELF |
# SEF_LU_DETACHED) serves the hammering client, the counter going on; the
# old one never answers again.  The test kills the old one at the end
# (ref §8 item 82).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

expect_rc 0 reinc up "$SVC" -label de -args lu
p=$(pid_of de)
echo "$p" >>"$RT/.pids"
ep=$(ep_of de)
hammer h de
wait_counter_past de 50

expect_rc 0 reinc -e update self -label de
np=$(pid_of de)
[ "$np" != "$p" ] || fail "no new instance"
[ "$(ep_of de)" = "$ep" ] || fail "endpoint changed"
wait_log "de: libsef: detached from the service by a live update"
log_has "service 'de': old instance pid $p detached" || fail "no log line"
alive "$p" || fail "the detached instance $p died"
reinc status | grep -qw "$p" && fail "status lists the detached pid $p"
read_info de
[ "$(iget type)" = 1 ] || fail "init type $(iget type)"
has_flag 0x8100 "$(iget flags)" ||
	fail "flags $(iget flags) lack SEF_LU_SELF | SEF_LU_DETACHED"
luinfo de
wait_counter_past de "$(lget counter)" "$np"

hammer_end h
grep -q '^pids=2$' "$RT/h.out" ||
	fail "the client saw $(sed -n 's/^pids=//p' "$RT/h.out") instances (old, new, old ...?)"
add0 de
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
[ "$(aget pid)" = "$np" ] || fail "answered by $(aget pid)"
# still alive after all that, and still no part of the service
alive "$p" || fail "the detached instance $p died"
kill -9 "$p"
wait_dead "$p"
[ "$(pid_of de)" = "$np" ] && [ "$(state_of de)" = running ] ||
	fail "killing the detached instance disturbed the service"
"$CLIENT" de -n 5 >/dev/null || fail "the service does not answer"
[ "$(restarts_of de)" = 0 ] || fail "restarts $(restarts_of de)"
exit 0
