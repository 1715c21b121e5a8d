#!/bin/sh
# A big store survives kill -9 (ref §4.4, §8 items 89-102): one service
# publishes 100,000 entries (u32, and every 16th a small memory value),
# dsd is killed once while they are being published and once after;
# every one of the 100,000 is then retrievable with its value, and the
# restarted dsd reports them all.  Measures nothing (see bench/).
# DS_SOAK=1: 1,000,000 entries (dsd's default limit is 1,048,576).
# DS_ENTRIES=N: N entries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dsload-lib.inc"
N=${DS_ENTRIES:-100000}
[ -n "$DS_SOAK" ] && N=${DS_ENTRIES:-1000000}
start_reincd
# reincd starts dsd without waiting for it: a service still starting is busy
wait_state ds running

expect_rc 0 reinc edit -label ds -reset-after 100ms
expect_rc 0 reinc up "$DSLOAD" -label fill -args "fill $RT $N"
wait_ops fill $((N / 3)) 60
k=$(ds_ops fill)
ds_kill -9
[ -s "$RT/fill.filled" ] && k="$k (the fill ended meanwhile)"
log "killed dsd at about $k entries"
_filled() { [ -s "$RT/fill.filled" ]; }
wait_for -t 120 -m "the fill of $N entries" _filled
log "fill: $(cat "$RT/fill.filled")"
[ "$(ds_field "$RT/fill.filled" acked)" = "$N" ] ||
	fail "fill: $(cat "$RT/fill.filled")"
[ "$(ds_field "$RT/fill.filled" failed)" = 0 ] ||
	fail "fill: $(cat "$RT/fill.filled")"

ds_kill -9
[ "$(restarts_of ds)" = 2 ] || fail "restarts $(restarts_of ds)"
# the fill's entries and the labels reincd published: more than N
_two() { [ "$(grep -c 'dsd: restarted with' "$RT/reincd.out")" = 2 ]; }
wait_for -m "dsd's second restart line" _two
n=$(grep 'dsd: restarted with' "$RT/reincd.out" | tail -n 1 |
    sed -n 's/.*restarted with \([0-9]*\) entries.*/\1/p')
[ "${n:-0}" -gt "$N" ] || fail "dsd restarted with ${n:-?} entries, expected > $N"

expect_rc 0 "$DSLOAD" check fill "$N"
log "check: $OUT"
printf '%s\n' "$OUT" | grep -q "^checked=$N ok=$N missing=0 mismatched=0 errors=0\$" ||
	fail "check: $OUT"
exit 0
