#!/bin/sh
# With -b every restart after a crash waits 1 s, however many crashes
# (ref §8 item 23).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc -b up "$SVC" -label bb
for i in 1 2 3; do
	p=$(pid_of bb)
	t0=$(now_ms)
	kill -9 "$p"
	wait_restarted bb "$p" 5
	dt=$(($(now_ms) - t0))
	log "crash $i: restarted after $dt ms"
	# the first crash may be immediate (MINIX: no back-off before the
	# first restart); the others wait 1 s
	if [ "$i" -gt 1 ]; then
		[ "$dt" -ge 800 ] || fail "crash $i: restart after $dt ms, expected 1 s"
		[ "$dt" -lt 1900 ] || fail "crash $i: restart after $dt ms, expected 1 s"
	fi
done
[ "$(restarts_of bb)" = 3 ] || fail "restarts $(restarts_of bb)"
exit 0
