#!/bin/sh
# Messages queued for a service survive the death of the instance: the
# request being served fails with EDEADSRCDST, the ones queued behind it
# are answered by the next instance (DESIGN.md §3).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label q -args print
p=$(pid_of q)
bg busy "$CLIENT" q -type sleep -arg 5000 -expect-errors
cb=$BG_PID
wait_log '^q: svc: sleeping 5000 ms'
qs=
for i in 1 2 3; do
	bg "q$i" "$CLIENT" q -v
	qs="$qs $BG_PID"
done
# let the three queue their requests (nothing to observe: they wait)
sleep 0.3
kill -9 "$p"
wait "$cb" || fail "busy client: $(cat "$RT/busy.out")"
grep -q '^sent=1 ok=0 dead=1 other=0' "$RT/busy.out" ||
	fail "the request in service: $(cat "$RT/busy.out")"
i=1
for c in $qs; do
	wait "$c" || fail "queued client $i: $(cat "$RT/q$i.out")"
	grep -q '^sent=1 ok=1 dead=0 other=0' "$RT/q$i.out" ||
		fail "queued client $i: $(cat "$RT/q$i.out")"
	grep -q "^reply .* pid=$p " "$RT/q$i.out" &&
		fail "queued request $i answered by the dead instance"
	i=$((i + 1))
done
exit 0
