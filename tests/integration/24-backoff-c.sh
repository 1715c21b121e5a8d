#!/bin/sh
# With -c the back-off never exceeds 1 s (ref §8 item 24).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc -c up "$SVC" -label cc
for i in 1 2 3; do
	p=$(pid_of cc)
	t0=$(now_ms)
	kill -9 "$p"
	wait_restarted cc "$p" 5
	dt=$(($(now_ms) - t0))
	log "crash $i: restarted after $dt ms"
	[ "$dt" -lt 1900 ] || fail "crash $i: restart after $dt ms, more than 1 s"
done
exit 0
