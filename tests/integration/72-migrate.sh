#!/bin/sh
# The migration example (examples/migrate): a key/value service updated
# back and forth between two layouts of its table, kv_v1 {key, value} and
# kv_v2 {key, value, changes}, ten times under the load of a client that
# writes as fast as it can and checks every reply's value.  Afterwards:
#   - every request was answered with the value expected (nothing lost,
#     nothing applied twice), and the service's table equals the client's
#     tally, key by key and in total;
#   - each update transferred the table exactly once (transfers = 10);
#   - kv_v2's `changes` survives the v2 -> v1 -> v2 round trips: kv_v1
#     carries it unchanged (kv.h rule 3), so after a last update to kv_v2
#     each key's changes equals the writes kv_v2 answered (the client
#     counts them from the version in each reply), and a key written only
#     by kv_v1 has the default, 0;
#   - a crash loses the table (the blob only travels in an update).
. "$(dirname "$0")/lib.sh"
KV1=$B/examples/migrate/kv_v1
KV2=$B/examples/migrate/kv_v2
KVC=$B/examples/migrate/kv_client
for _x in "$KV1" "$KV2" "$KVC"; do
	[ -x "$_x" ] || fail "$_x not built"
done
start_reincd

# stat_field F: F from `kv_client stat`
stat_field()
{
	_s=$("$KVC" stat 2>&1) || fail "kv_client stat: $_s"
	printf '%s\n' "$_s" | sed -n "s/^stat .*\<$1=\([-0-9]*\).*/\1/p"
}
LAST_SUM=
_progressed() { [ "$(stat_field sum)" -gt "$LAST_SUM" ]; }
# wait until the hammer has written something since now
wait_progress()
{
	alive "$H" || fail "the hammer ended early: $(tail -n 5 "$RT/hammer.out")"
	LAST_SUM=$(stat_field sum)
	wait_for -t 5 -m "the hammer to make progress" _progressed
}

expect_rc 0 reinc up "$KV1" -label kv
wait_log '^kv: kv_v1: started'
# a key the hammer does not touch, written by kv_v1 only
expect_rc 0 "$KVC" set 100 42

bg hammer "$KVC" -timeout 10 hammer -keys 8 -n 0 -until-file "$RT/stop"
H=$BG_PID

i=1
t0=$(now_ms)
while [ $i -le 10 ]; do
	if [ $((i % 2)) = 1 ]; then to=$KV2 v=2; else to=$KV1 v=1; fi
	wait_progress
	p=$(pid_of kv)
	expect_rc 0 reinc update "$to" -label kv
	[ "$(pid_of kv)" != "$p" ] || fail "update $i: no new instance"
	[ "$(stat_field version)" = $v ] || fail "update $i: not kv_v$v"
	[ "$(stat_field transfers)" = $i ] ||
		fail "update $i: transfers $(stat_field transfers)"
	i=$((i + 1))
done
log "10 updates under load in $(($(now_ms) - t0)) ms"
wait_progress
touch "$RT/stop"
wait "$H"
rc=$?
log "hammer: $(grep '^sent=' "$RT/hammer.out")"
[ "$rc" = 0 ] || fail "hammer exited $rc: $(tail -n 5 "$RT/hammer.out")"
sum_line=$(grep '^sent=' "$RT/hammer.out")
sent=$(summary_field "$RT/hammer.out" sent)
ok=$(summary_field "$RT/hammer.out" ok)
bad=$(summary_field "$RT/hammer.out" bad)
v1n=$(summary_field "$RT/hammer.out" v1)
v2n=$(summary_field "$RT/hammer.out" v2)
inst=$(summary_field "$RT/hammer.out" instances)
[ "$sent" -gt 0 ] && [ "$ok" = "$sent" ] && [ "$bad" = 0 ] ||
	fail "not every request answered right: $sum_line"
[ "$v1n" -gt 0 ] && [ "$v2n" -gt 0 ] || fail "not served by both versions: $sum_line"
[ "$inst" = 11 ] || fail "expected 11 instances to answer the hammer: $sum_line"
grep -q 'transfers=10 ' "$RT/hammer.out" || fail "last reply: $sum_line"

# check_table WHAT CHANGES: the service's table against the client's
# tally; CHANGES = "-" (kv_v1: no such field) or "v2writes"
check_table()
{
	expect_rc 0 "$KVC" dump
	printf '%s\n' "$OUT" >"$RT/dump.$1"
	awk -v what="$1" -v ch="$2" '
	    FNR == NR {     # the tally
		if ($1 != "tally") next
		split($2, k, "="); split($3, v, "="); split($5, w, "=")
		val[k[2]] = v[2]; v2w[k[2]] = w[2]; n++; total += v[2]
		next
	    }
	    $1 == "entry" {
		split($2, k, "="); split($3, v, "="); split($4, c, "=")
		seen++; sum += v[2]
		if (k[2] == 100) {
		    if (v[2] != 42 || c[2] != (ch == "-" ? "-" : 0)) {
			print what ": key 100: " $0; bad = 1
		    }
		    next
		}
		if (!(k[2] in val)) { print what ": unknown key: " $0; bad = 1; next }
		if (v[2] != val[k[2]]) {
		    print what ": key " k[2] ": value " v[2] ", the client expects " val[k[2]]
		    bad = 1
		}
		want = ch == "-" ? "-" : v2w[k[2]]
		if (c[2] != want) {
		    print what ": key " k[2] ": changes " c[2] ", expected " want
		    bad = 1
		}
	    }
	    END {
		if (seen != n + 1) { print what ": " seen " entries, expected " n + 1; bad = 1 }
		if (sum != total + 42) { print what ": sum " sum ", expected " total + 42; bad = 1 }
		exit bad
	    }' "$RT/hammer.out" "$RT/dump.$1" >"$RT/check.$1" ||
		fail "$(cat "$RT/check.$1")"
}

# 10 updates: kv_v1 serves now
check_table "after 10 updates (kv_v1)" -
[ "$(stat_field sum)" = "$(awk '$1 == "tally" { split($3, v, "="); s += v[2] }
    END { print s + 42 }' "$RT/hammer.out")" ] || fail "stat sum"

# one more round trip leg: kv_v2 takes back the changes kv_v1 carried
expect_rc 0 reinc update "$KV2" -label kv
check_table "after the 11th update (kv_v2)" v2writes
wait_log '^kv: kv_v2: live update #11: 9 entries from layout 1 \(24-byte entries: 24 bytes known, 0 carried\), changes kept$' 5
[ "$(stat_field changes)" = "$v2n" ] ||
	fail "stat changes $(stat_field changes), kv_v2 answered $v2n writes"
[ "$(stat_field transfers)" = 11 ] || fail "transfers $(stat_field transfers)"
[ "$(restarts_of kv)" = 0 ] || fail "restarts $(restarts_of kv)"

# a crash loses the table (documented: the blob is for live updates only)
p=$(pid_of kv)
kill -9 "$p"
wait_restarted kv "$p" 5
wait_log '^kv: kv_v2: restarted after a crash'
[ "$(stat_field keys)" = 0 ] || fail "table after a crash: $(stat_field keys) keys"

expect_rc 0 reinc down kv
exit 0
