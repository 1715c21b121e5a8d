#!/bin/sh
# After the first (immediate) restart, the next crashes wait 2, then 4 s
# (ref §8 item 22).  The 4 s one is only read from status, not waited.
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label bo
p=$(pid_of bo)
kill -9 "$p"
wait_restarted bo "$p" 3

p=$NEWPID
t0=$(now_ms)
kill -9 "$p"
wait_state bo backoff 2
b=$(status_field bo backoff_ms)
log "second crash: backoff_ms=$b"
[ "$b" -gt 1000 ] && [ "$b" -le 2000 ] || fail "second crash: backoff_ms $b, expected about 2000"
wait_restarted bo "$p" 6
dt=$(($(now_ms) - t0))
log "second restart after $dt ms"
[ "$dt" -ge 1800 ] || fail "second restart after $dt ms, expected 2 s"
[ "$dt" -lt 3900 ] || fail "second restart after $dt ms, expected 2 s"

p=$NEWPID
kill -9 "$p"
wait_state bo backoff 2
b=$(status_field bo backoff_ms)
log "third crash: backoff_ms=$b"
[ "$b" -gt 3000 ] && [ "$b" -le 4000 ] || fail "third crash: backoff_ms $b, expected about 4000"
[ "$(restarts_of bo)" = 2 ] || fail "restarts $(restarts_of bo)"
# down of a service waiting for its back-off
expect_rc 0 reinc down bo
expect_rc 3 reinc lookup bo
exit 0
