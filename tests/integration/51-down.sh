#!/bin/sh
# down sends SIGTERM; a service ignoring it (SEF's default) is killed after
# the grace (-stop-grace 500ms here, MINIX's 2 s); down returns 0 once it
# is gone and the label is unknown afterwards.  The request it was serving
# and those queued behind fail with EDEADSRCDST (ref §8 item 51).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label d -args print
p=$(pid_of d)
bg c1 "$CLIENT" d -type sleep -arg 3000 -expect-errors
c1=$BG_PID
wait_log '^d: svc: sleeping 3000 ms'
bg c2 "$CLIENT" d -expect-errors
c2=$BG_PID
# let c2 queue its request behind c1's (nothing to observe: it waits)
sleep 0.3
t0=$(now_ms)
expect_rc 0 reinc down d
dt=$(($(now_ms) - t0))
log "down took $dt ms"
[ "$dt" -ge 500 ] || fail "down returned after $dt ms, before the 500 ms grace"
[ "$dt" -lt 3000 ] || fail "down took $dt ms"
alive "$p" && fail "pid $p still runs after down"
expect_rc 3 reinc lookup d
wait "$c1" || fail "client 1: $(cat "$RT/c1.out")"
grep -q 'dead=1' "$RT/c1.out" || fail "client 1: $(cat "$RT/c1.out")"
wait "$c2" || fail "client 2: $(cat "$RT/c2.out")"
grep -q 'dead=1' "$RT/c2.out" || fail "client 2: $(cat "$RT/c2.out")"

# a service that exits on SIGTERM goes at once
expect_rc 0 reinc up "$SVC" -label t -args termhandler
p=$(pid_of t)
t0=$(now_ms)
expect_rc 0 reinc down t
dt=$(($(now_ms) - t0))
log "down of a SIGTERM-handling service took $dt ms"
[ "$dt" -lt 450 ] || fail "down took $dt ms: SIGTERM did not end it"
alive "$p" && fail "pid $p still runs after down"
! log_has "service 't': still running" || fail "SIGKILL was needed"
exit 0
