#!/bin/sh
# `update` to another binary (a copy of svc at another path) while a
# client hammers the service: the new instance runs the new binary, gets
# an init of type LU (not SEF_LU_SELF) and takes over the same endpoint
# and the counter; the service's command line shows the new path and
# keeps its arguments (ref §8 item 60; that the old instance lives until
# the new one has initialised is checked by 161-frozen).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lu-lib.inc"
start_reincd

cp "$SVC" "$RT/svc2" || fail "cp"
expect_rc 0 reinc up "$SVC" -label ub -args "lu print"
p=$(pid_of ub)
ep=$(ep_of ub)
r=$(restarts_of ub)
[ "$(readlink "/proc/$p/exe")" = "$SVC" ] || fail "exe $(readlink "/proc/$p/exe")"
hammer h ub
wait_counter_past ub 50

expect_rc 0 reinc update "$RT/svc2" -label ub
np=$(pid_of ub)
[ "$np" != "$p" ] || fail "no new instance (pid $np)"
exe=$(readlink "/proc/$np/exe")
[ "$exe" = "$RT/svc2" ] || fail "the new instance runs '$exe', not $RT/svc2"
wait_dead "$p"
[ "$(ep_of ub)" = "$ep" ] || fail "endpoint $(ep_of ub), was $ep"
[ "$(restarts_of ub)" = "$r" ] || fail "restarts $(restarts_of ub), was $r"
cmd=$(status_field ub cmd)
[ "$cmd" = "$RT/svc2 lu print" ] || fail "status cmd '$cmd'"
read_info ub
[ "$(iget type)" = 1 ] || fail "init type $(iget type), expected 1 (LU): $INFO"
has_flag 0x100 "$(iget flags)" && fail "flags $(iget flags): SEF_LU_SELF set"
[ "$(iget old_endpoint)" = "$ep" ] && [ "$(iget endpoint)" = "$ep" ] ||
	fail "old_endpoint/endpoint not $ep: $INFO"
luinfo ub
c=$(lget counter)
wait_counter_past ub "$c" "$np"

hammer_end h
add0 ub
[ "$(aget counter)" = "$HSENT" ] ||
	fail "counter $(aget counter) after $HSENT adds of 1"
wait_kids "$np"
exit 0
