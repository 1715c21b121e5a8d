#!/bin/sh
# up -n returns at once; the service is "starting" until its init is done
# (ref §8 item 2).
. "$(dirname "$0")/lib.sh"
start_reincd

t0=$(now_ms)
expect_rc 0 reinc -n up "$SVC" -label slow -args "initsleep 1500"
dt=$(($(now_ms) - t0))
[ "$dt" -lt 1000 ] || fail "up -n took $dt ms: it waited for the 1.5 s init"
[ "$(state_of slow)" = starting ] ||
	fail "state right after up -n: '$(state_of slow)', expected starting"
wait_state slow running 5
dt=$(($(now_ms) - t0))
[ "$dt" -ge 1500 ] || fail "running after $dt ms, before its 1.5 s init ended"
exit 0
