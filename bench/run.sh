#!/bin/sh
# bench/run.sh - reinc's benchmarks; what `make bench` runs.
#
#   REINC_BUILD=build sh bench/run.sh          full run (about 4 minutes)
#   BENCH_QUICK=1 REINC_BUILD=build sh bench/run.sh   smoke run (~40 s)
#
# Every figure is measured beside its reference in the same run, and the
# run ends with one table: figure, reference, ratio, target.  What each
# figure means and how it is taken: docs/benchmarks.md.
#
#  1. restart latency (kill -9 -> the new instance answers a request),
#     in ROUNDS alternating rounds of: the floor (bare_restart: a bare
#     posix_spawn + pidfd supervisor restarting the same binary), a cold
#     restart by reincd (bench_restart against `reinc up`), and a restart
#     from a hot standby (`reinc -p up`);
#  2. IPC: ipc_sendrec round trips and one-way throughput beside a raw
#     SOCK_SEQPACKET socketpair (bench_ipc);
#  3. reincd's cost: its CPU while watching NSVC services with -period 1s,
#     all idle and all busy, and its RSS with 1 and NSVC services
#     (bench_load);
#  4. live update: the pause a client hammering a service sees while it is
#     updated (`reinc update`), with its state (1 KiB in a region and in
#     the blob, 64 MiB and 1 GiB in a region), beside the same change made
#     by `reinc down` + `reinc up` with the state saved to and loaded from
#     a file (bench_lupause against bench_lusvc).  The 1 GiB case needs
#     about 3 GiB of available memory (else it runs only with BENCH_BIG=1)
#     and is left out of quick runs.
#  5. the data store: round trips of ds_publish_u32 (overwrite, new key),
#     ds_retrieve_u32 and ds_retrieve_mem (1 KiB) made by a service, with
#     an almost empty store and with DS_ENTRIES entries, beside
#     ipc_sendrec to a bench_echo service in the same blocks; their
#     throughput from one caller; and dsd's recovery after kill -9 (to
#     the first answer of a client retrieving) with the store almost
#     empty and full, beside reincd's cold restart of bench_echo
#     (bench_ds, a client driving itself as a service).
#  6. process events: the latency of a signal event with 1, 4 and 16
#     subscribers (a thread blocked in ipc_sendrec gets pthread_kill; its
#     handler runs once every subscriber acknowledged, one after the
#     other) beside ipc_sendrec round trips to the first subscriber in the
#     same blocks; and those round trips while libsef holds signals back
#     because a service subscribed to them (bench_pev).
#  7. boot: the time from starting `reincd -c FILE` until all BOOT_N
#     services of FILE (bench_echo) have completed their init, (a) each
#     `after` the one before and (b) all independent, beside a bare
#     supervisor that posix_spawns the same binary BOOT_N times (bench_echo's
#     bare mode, no libsef), (a') each after the one before answered and
#     (b') all at once, timed from its own start to the last answer; the
#     four boots in each of BOOT_ROUNDS alternating rounds, after a warm-up
#     round, each with a reincd of its own started by bench_boot (it reads
#     reincd's log for the "up" lines: no polling); with the chain's steps
#     (main() of one service to main() of the next) and each supervisor's
#     own CPU time (bench_boot).
#
# Each part runs its own reincd (part 7: one per boot) in a fresh temporary
# runtime directory.
# Everything started here carries BENCH_RUN_ID in its environment; the
# EXIT trap shuts the reincds down and then kills whatever still carries
# it, so nothing is left running even when a benchmark fails.
#
# Environment: REINC_BUILD (default build), BENCH_QUICK=1, BENCH_KEEP=1
# (keep the work directory with the raw samples and logs), BENCH_BIG=1
# (run the 1 GiB live-update case even with less than 3 GiB available).

cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
REINC_BUILD=${REINC_BUILD:-build}
case $REINC_BUILD in
/*) B=$REINC_BUILD ;;
*) B=$TOP/$REINC_BUILD ;;
esac
REINCD=$B/bin/reincd
REINC=$B/bin/reinc
ECHO=$B/bench/bench_echo
BARE=$B/bench/bare_restart
RESTART=$B/bench/bench_restart
IPC=$B/bench/bench_ipc
LOAD=$B/bench/bench_load
LUSVC=$B/bench/bench_lusvc
LUPAUSE=$B/bench/bench_lupause
DS=$B/bench/bench_ds
PEV=$B/bench/bench_pev
BOOT=$B/bench/bench_boot
for f in "$REINCD" "$REINC" "$ECHO" "$BARE" "$RESTART" "$IPC" "$LOAD" \
    "$LUSVC" "$LUPAUSE" "$DS" "$PEV" "$BOOT"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f is not built (run make first)" >&2
		exit 1
	fi
done
unset REINC_RUNTIME_DIR

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	MODE=quick KILLS=10 ROUNDS=1 WARMKILLS=2 TRIPS=20000 WARM=2000
	ONEWAY=100000 REPS=3 IDLETRIPS=50 NSVC=100 WINDOW=5 BASEWINDOW=2
	SETTLE=1
	# live update: changes per case (1 KiB, 64 MiB, 1 GiB) and of the
	# stop+start reference
	LU_K1=20 LU_K64=10 LU_KG=0 LU_R1=5 LU_R64=3 LU_RG=0
	# data store: rounds (almost empty, fill, full, empty again), round
	# trips per kind and store, calls per kind and store for the
	# throughput (in alternating bursts of DS_BURST), kills of dsd per store
	DS_ROUNDS=2 DS_TRIPS=5000 DS_TPUT=10000 DS_BURST=500 DS_KILLS=6
	# process events: round trips per K (and a tenth as many events)
	PEV_N=5000
	# boot: rounds of the four boots (after one warm-up round)
	BOOT_ROUNDS=3
else
	MODE=full KILLS=400 ROUNDS=8 WARMKILLS=2 TRIPS=200000 WARM=10000
	ONEWAY=1000000 REPS=3 IDLETRIPS=200 NSVC=1000 WINDOW=20 BASEWINDOW=10
	SETTLE=3
	LU_K1=200 LU_K64=50 LU_KG=20 LU_R1=40 LU_R64=10 LU_RG=5
	DS_ROUNDS=6 DS_TRIPS=50000 DS_TPUT=100000 DS_BURST=1000 DS_KILLS=40
	PEV_N=50000
	BOOT_ROUNDS=10
fi
DS_ENTRIES=100000      # entries in the full store (the issue's figure)
BOOT_N=100             # services per boot

SLEEP_MS=20            # settle time before each kill
# The busy load: pairs of services ping-pong notifications; each burns
# 100 us of CPU per notification, then waits 100 ms outside its receive
# loop before answering (docs/benchmarks.md says why not flat out).
BUSYARGS="-burn-us 100 -think-ms 100"

RUN_ID=reinc-bench-$$-$(date +%s)
WORK=$(mktemp -d /tmp/reinc-bench.XXXXXX) || exit 1
REINCD_PIDS=
RTS=
FAILED=

T_START=$(date +%s)
say() { echo "bench: [$(($(date +%s) - T_START))s] $*" >&2; }
fail() { say "FAILED: $*"; FAILED="$FAILED$*; "; }
die() { say "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------------
# processes

alive()
{
	_s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $_s in
	Z*|'') return 1 ;;
	esac
	return 0
}

# Kill everything that carries our BENCH_RUN_ID.
sweep()
{
	_n=0
	for _f in /proc/[0-9]*; do
		_p=${_f#/proc/}
		[ "$_p" = "$$" ] && continue
		if grep -qzx "BENCH_RUN_ID=$RUN_ID" "$_f/environ" 2>/dev/null; then
			kill -9 "$_p" 2>/dev/null && _n=$((_n + 1))
		fi
	done
	[ "$_n" -gt 0 ] && say "killed $_n leftover process(es)"
	return 0
}

# start_reincd NAME [options]: sets RT and RPID.
start_reincd()
{
	RT=$WORK/$1
	shift
	BENCH_RUN_ID=$RUN_ID "$REINCD" -r "$RT" "$@" >"$RT.log" 2>&1 &
	RPID=$!
	REINCD_PIDS="$REINCD_PIDS $RPID"
	RTS="$RTS $RT"
	_i=0
	while [ ! -S "$RT/reincd.sock" ]; do
		alive "$RPID" || die "reincd did not start: $(cat "$RT.log")"
		_i=$((_i + 1))
		[ $_i -gt 100 ] && die "reincd did not create $RT/reincd.sock"
		sleep 0.05
	done
}

# stop_reincd RT PID: shutdown, then SIGKILL after 30 s.
stop_reincd()
{
	REINC_RUNTIME_DIR=$1 timeout 10 "$REINC" shutdown >/dev/null 2>&1
	_i=0
	while alive "$2" && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if alive "$2"; then
		say "reincd $2 did not exit after shutdown: killing it"
		kill -9 "$2" 2>/dev/null
	fi
	wait "$2" 2>/dev/null
	return 0
}

cleanup()
{
	_rc=$?
	trap - EXIT INT TERM HUP
	for _rt in $RTS; do
		[ -S "$_rt/reincd.sock" ] &&
		    REINC_RUNTIME_DIR=$_rt timeout 5 "$REINC" shutdown \
		    >/dev/null 2>&1
	done
	_i=0
	for _p in $REINCD_PIDS; do
		while alive "$_p" && [ $_i -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	done
	sweep
	if [ -n "${BENCH_KEEP:-}" ]; then
		say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$_rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------
# statistics

# colstats FILE COL: "n median p99 mean" of column COL (ns) in us;
# nearest-rank p99, as bench.h computes it.
colstats()
{
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '
	    { v[NR] = $1; s += $1 }
	    END {
		n = NR
		if (!n) { print "0 - - -"; exit }
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		k = int(0.99 * n); if (k < 0.99 * n) k++; if (k < 1) k = 1
		printf "%d %.1f %.1f %.1f\n", n, m / 1000, v[k] / 1000, s / n / 1000
	    }'
}

# sumstats FILE C1 C2: the same for column C1 + column C2.
sumstats()
{
	awk -v a="$2" -v b="$3" '{ print $a + $b }' "$1" >"$WORK/sum.tmp"
	colstats "$WORK/sum.tmp" 1
}

# field LINE NAME: the value of NAME=value in LINE.
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

us() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1000 }'; }
kops_v() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1000 }'; }
us2() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

START=$T_START
say "$MODE run in $WORK ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
LOAD0=$(cut -d' ' -f1 /proc/loadavg)

# ---------------------------------------------------------------------
# 1 + 2: restart latency and IPC, under one reincd with -tick 10ms

start_reincd r1 -tick 10ms
R1=$RT R1PID=$RPID
export REINC_RUNTIME_DIR="$R1"
"$REINC" up "$ECHO" -label be -reset-after 1ms ||
    die "reinc up be failed"
"$REINC" -p up "$ECHO" -label bh -reset-after 1ms ||
    die "reinc -p up bh failed"
"$REINC" up "$ECHO" -label bi || die "reinc up bi failed"

say "IPC: $TRIPS round trips and $ONEWAY one-way messages, each way"
IPCOUT=$(BENCH_RUN_ID=$RUN_ID timeout -k 5 300 "$IPC" -label bi -n "$TRIPS" \
    -warm "$WARM" -oneway "$ONEWAY" -reps "$REPS" -idle "$IDLETRIPS") ||
    fail "bench_ipc"
printf '%s\n' "$IPCOUT" >"$WORK/ipc.txt"
L_SEF=$(grep '^ipc_rtt sef' "$WORK/ipc.txt")
L_RAW=$(grep '^ipc_rtt raw' "$WORK/ipc.txt")
L_OSEF=$(grep '^ipc_oneway sef' "$WORK/ipc.txt")
L_ORAW=$(grep '^ipc_oneway raw' "$WORK/ipc.txt")
L_ISEF=$(grep '^ipc_rtt_idle sef' "$WORK/ipc.txt")
L_IRAW=$(grep '^ipc_rtt_idle raw' "$WORK/ipc.txt")

PER=$((KILLS / ROUNDS))
say "restart: $ROUNDS round(s) of $PER kills each: bare, cold, hot standby"
: >"$WORK/bare.txt"
: >"$WORK/cold.txt"
: >"$WORK/hot.txt"
r=1
while [ $r -le $ROUNDS ]; do
	BENCH_RUN_ID=$RUN_ID timeout -k 5 300 "$BARE" -bin "$ECHO" -n "$PER" \
	    -warm "$WARMKILLS" -sleep-ms "$SLEEP_MS" -o "$WORK/bare.txt" \
	    2>>"$WORK/restart.log" || fail "bare_restart"
	BENCH_RUN_ID=$RUN_ID timeout -k 5 300 "$RESTART" -label be -n "$PER" \
	    -warm "$WARMKILLS" -sleep-ms "$SLEEP_MS" -o "$WORK/cold.txt" \
	    2>>"$WORK/restart.log" || fail "bench_restart (cold)"
	BENCH_RUN_ID=$RUN_ID timeout -k 5 300 "$RESTART" -label bh -n "$PER" \
	    -warm "$WARMKILLS" -sleep-ms "$SLEEP_MS" -standby \
	    -o "$WORK/hot.txt" 2>>"$WORK/restart.log" ||
	    fail "bench_restart (hot standby)"
	r=$((r + 1))
done
sed 's/^/bench:   /' "$WORK/restart.log" >&2
NBACKOFF=$(grep -c 'back-off' "$R1.log")
[ "$NBACKOFF" -eq 0 ] ||
    fail "reincd backed off $NBACKOFF time(s): -reset-after 1ms did not reset"
BE_RESTARTS=$("$REINC" status be --json | sed -n 's/.*"restarts": \([0-9]*\).*/\1/p')
WANT=$((ROUNDS * (PER + WARMKILLS)))
[ "$BE_RESTARTS" = "$WANT" ] ||
    fail "service be restarted $BE_RESTARTS times, expected $WANT"
unset REINC_RUNTIME_DIR
stop_reincd "$R1" "$R1PID"

# ---------------------------------------------------------------------
# 3: reincd's cost with NSVC services (default tick)

say "reincd cost: $NSVC services with -period 1s, ${WINDOW}s windows"
start_reincd r2
R2=$RT R2PID=$RPID
export REINC_RUNTIME_DIR="$R2"
sleep 1
BASE=$("$LOAD" cpu "$R2PID" "$BASEWINDOW") || fail "cpu (no services)"
say "  no services: $BASE"
"$REINC" up "$ECHO" -label s0 -period 1s -args "$BUSYARGS" ||
    die "reinc up s0 failed"
"$LOAD" wait s 1 10 >/dev/null || die "s0 is not running"
sleep 1
RSS1=$("$LOAD" rss "$R2PID")
T0=$(date +%s)
seq 1 $((NSVC - 1)) | xargs -P 4 -I{} "$REINC" -n up "$ECHO" -label s{} \
    -period 1s -args "$BUSYARGS" || fail "some reinc -n up failed"
WAITOUT=$("$LOAD" wait s "$NSVC" 180) || die "not all $NSVC services running: $WAITOUT"
say "  $NSVC services running after $(( $(date +%s) - T0 )) s"
sleep "$SETTLE"
IDLE=$("$LOAD" cpu "$R2PID" "$WINDOW" s "$NSVC") || fail "cpu (idle)"
RSSN=$("$LOAD" rss "$R2PID")
say "  idle: $IDLE"
KICK=$("$LOAD" kick s "$NSVC") || fail "kick"
sleep "$SETTLE"
BUSY=$("$LOAD" cpu "$R2PID" "$WINDOW" s "$NSVC") || fail "cpu (busy)"
say "  busy: $BUSY"
AFTER=$("$LOAD" wait s "$NSVC" 10) || fail "after the busy window: $AFTER"
NRESTARTS=$(field "$AFTER" restarts)
[ "${NRESTARTS:-1}" -eq 0 ] ||
    fail "$NRESTARTS restart(s) during the cost benchmark (missed heartbeats?)"
unset REINC_RUNTIME_DIR
stop_reincd "$R2" "$R2PID"

# ---------------------------------------------------------------------
# 4: live update: the pause a client sees (a reincd of its own, with a
# long stop grace: the stop+start reference writes up to 1 GiB of state
# to a file at SIGTERM and must not be SIGKILLed meanwhile)

# pausestats FILE: "n p50 p99 max failed" over bench_lupause's lines (the
# pause in us, no decimals from 10 ms on; nearest-rank p99 as colstats;
# failed requests summed).
pausestats()
{
	if [ ! -s "$1" ]; then
		echo "0 - - - -"
		return
	fi
	sort -n "$1" | awk '
	    function f1(x) { return sprintf(x < 1e7 ? "%.1f" : "%.0f", x / 1000) }
	    { v[NR] = $1; f += $3 }
	    END {
		n = NR
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		k = int(0.99 * n); if (k < 0.99 * n) k++; if (k < 1) k = 1
		printf "%d %s %s %s %d\n", n, f1(m), f1(v[k]), f1(v[n]), f
	    }'
}

# lu_run LABEL NAME [bench_lupause options]: one client; its per-change
# lines go to $WORK/lu_NAME.txt, its summary line to $WORK/lu.sum.
lu_run()
{
	_label=$1 _name=$2
	shift 2
	: >"$WORK/lu_$_name.txt"
	_sum=$(BENCH_RUN_ID=$RUN_ID timeout -k 5 900 "$LUPAUSE" -label "$_label" \
	    -reinc "$REINC" -bin "$LUSVC" -o "$WORK/lu_$_name.txt" "$@" \
	    2>>"$WORK/lu.log") ||
	    fail "bench_lupause $_name: $(tail -n 1 "$WORK/lu.log")"
	echo "$_name $_sum" >>"$WORK/lu.sum"
	set -- $(pausestats "$WORK/lu_$_name.txt")
	say "  $_name: $1 changes: pause p50 $2 us, p99 $3 us, max $4 us;" \
	    "failed requests $(field "$_sum" failed)"
}

# lu_case TAG SIZE K KREF [blob]: K live updates of a service whose SIZE
# bytes of state are in a region (with "blob": K more of one that passes
# them in the blob), then KREF stop+starts of one that saves them to a
# file at SIGTERM and loads them at its fresh init.
lu_case()
{
	if "$REINC" up "$LUSVC" -label "u$1" -args "$2"; then
		lu_run "u$1" "upd_$1" -n "$3" -warm 2
		"$REINC" down "u$1" || fail "reinc down u$1"
	else
		fail "reinc up u$1 ($2 bytes)"
	fi
	if [ "${5:-}" = blob ]; then
		if "$REINC" up "$LUSVC" -label "b$1" -args "$2 -blob"; then
			lu_run "b$1" "blob_$1" -n "$3" -warm 2
			"$REINC" down "b$1" || fail "reinc down b$1"
		else
			fail "reinc up b$1 ($2 bytes, blob)"
		fi
	fi
	_st=$WORK/r$1.state
	if "$REINC" up "$LUSVC" -label "r$1" -args "$2 -save $_st"; then
		lu_run "r$1" "ref_$1" -ref -args "$2 -save $_st" -n "$4" -warm 1
		"$REINC" down "r$1" || fail "reinc down r$1"
	else
		fail "reinc up r$1 ($2 bytes, -save)"
	fi
	rm -f "$_st" "$_st.tmp"
}

LU_NEED_MB=3072
LU_AVAIL_MB=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
LU_BIGNOTE=
if [ "$LU_KG" -eq 0 ]; then
	LU_BIGNOTE="skipped: not in quick runs"
elif [ "${LU_AVAIL_MB:-0}" -lt "$LU_NEED_MB" ] && [ "${BENCH_BIG:-0}" != 1 ]; then
	LU_BIGNOTE="skipped: needs $LU_NEED_MB MiB available, $LU_AVAIL_MB MiB are (BENCH_BIG=1 runs it anyway)"
fi
say "live update: pause of $LU_K1 updates (region and blob) and $LU_R1" \
    "stop+starts at 1 KiB, $LU_K64/$LU_R64 at 64 MiB, $LU_KG/$LU_RG at 1 GiB"
start_reincd r3 -stop-grace 30s
R3=$RT R3PID=$RPID
export REINC_RUNTIME_DIR="$R3"
: >"$WORK/lu.sum"
lu_case 1k 1024 "$LU_K1" "$LU_R1" blob
lu_case 64m 67108864 "$LU_K64" "$LU_R64"
if [ -z "$LU_BIGNOTE" ]; then
	lu_case 1g 1073741824 "$LU_KG" "$LU_RG"
else
	say "  1 GiB: $LU_BIGNOTE"
fi
# the services' own lines: how long filling, saving and loading took
grep 'bench_lusvc: pid' "$R3.log" | awk '
    {
	k = $0; sub(/bench_lusvc: pid [0-9]+: /, "", k)
	sub(/ in [0-9.]+ ms.*/, "", k)
	ms = $0; sub(/.* in /, "", ms); sub(/ ms.*/, "", ms); ms += 0
	if (!(k in n)) order[++nk] = k
	n[k]++; sum[k] += ms; if (ms > max[k]) max[k] = ms
    }
    END {
	for (i = 1; i <= nk; i++) {
		k = order[i]
		printf "bench:   %s: %d time(s), mean %.1f ms, max %.1f ms\n",
		    k, n[k], sum[k] / n[k], max[k]
	}
    }' >&2
unset REINC_RUNTIME_DIR
stop_reincd "$R3" "$R3PID"

# ---------------------------------------------------------------------
# 5: the data store (a reincd of its own, its dsd with the default
# limits).  dsd gets -reset-after 1ms, as the restart benchmark's
# services: each recovery then restarts at once instead of backing off
# (every instance runs >= 20 ms).  bench_ds checks that every kill made
# exactly one restart.

say "data store: $DS_ROUNDS rounds of the store almost empty and with" \
    "$DS_ENTRIES entries: $DS_TRIPS round trips per kind, $DS_KILLS kills of dsd per store"
start_reincd r5
R5=$RT R5PID=$RPID
export REINC_RUNTIME_DIR="$R5"
: >"$WORK/ds.txt"
# dsd may still be starting (edit: EBUSY): retry for up to 10 s
_i=0
until "$REINC" edit -label ds -reset-after 1ms 2>/dev/null; do
	_i=$((_i + 1))
	if [ $_i -gt 200 ]; then
		"$REINC" edit -label ds -reset-after 1ms
		break
	fi
	sleep 0.05
done
if [ $_i -le 200 ] &&
    "$REINC" up "$ECHO" -label dsecho &&
    "$REINC" up "$ECHO" -label dskill -reset-after 1ms &&
    "$REINC" up "$DS" -label dsb -args "svc dsecho"; then
	BENCH_RUN_ID=$RUN_ID timeout -k 5 600 "$DS" -label dsb -kill dskill \
	    -entries "$DS_ENTRIES" -rounds "$DS_ROUNDS" -n "$DS_TRIPS" \
	    -warm "$WARM" -tput "$DS_TPUT" -burst "$DS_BURST" \
	    -kills "$DS_KILLS" -warmkills "$WARMKILLS" -sleep-ms "$SLEEP_MS" \
	    >"$WORK/ds.txt" 2>"$WORK/ds.log" ||
	    fail "bench_ds: $(tail -n 1 "$WORK/ds.log")"
	sed 's/^/bench:   /' "$WORK/ds.log" >&2
else
	fail "starting the data store benchmark's services"
fi
# the store's sizes as dsd counted them at its restarts
DS_NEMPTY=$(sed -n 's/.*dsd: restarted with \([0-9]*\) entries.*/\1/p' \
    "$R5.log" | sort -n | head -n 1)
DS_NFULL=$(sed -n 's/.*dsd: restarted with \([0-9]*\) entries.*/\1/p' \
    "$R5.log" | sort -n | tail -n 1)
unset REINC_RUNTIME_DIR
stop_reincd "$R5" "$R5PID"

# ---------------------------------------------------------------------
# 6: process events.  16 subscribers (bench_pev sub); the client makes
# the first K of them (1, 4, 16) subscribe and measures, in alternating
# blocks, ipc_sendrec round trips to the first with nobody subscribed to
# signals (the reference), the same with them subscribed to signals, and
# the latency of a signal event: pthread_kill of a thread blocked in
# ipc_sendrec -> its handler runs, after all K acknowledged.

say "process events: 1, 4 and 16 subscribers, $PEV_N round trips each"
start_reincd r6 -event-subs 16
R6=$RT R6PID=$RPID
export REINC_RUNTIME_DIR="$R6"
: >"$WORK/pev.txt"
_labels= _ok=1
for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	"$REINC" up "$PEV" -label "pev$_i" -args sub || { _ok=; break; }
	_labels="$_labels pev$_i"
done
if [ -n "$_ok" ]; then
	BENCH_RUN_ID=$RUN_ID timeout -k 5 600 "$PEV" client -n "$PEV_N" \
	    -warm "$WARM" $_labels >"$WORK/pev.txt" 2>"$WORK/pev.log" ||
	    fail "bench_pev: $(tail -n 1 "$WORK/pev.log")"
else
	fail "starting the process event benchmark's subscribers"
fi
unset REINC_RUNTIME_DIR
stop_reincd "$R6" "$R6PID"

# ---------------------------------------------------------------------
# 7: boot.  bench_boot starts each reincd itself (`reincd -r RT -c CONF`,
# as a boot must begin with reincd's start) and stops it after each boot;
# they carry BENCH_RUN_ID like everything else, and their runtime
# directories go on RTS so that the exit trap shuts down one left behind.

say "boot: $BOOT_N services in a chain and independent, beside bare" \
    "posix_spawn, $BOOT_ROUNDS rounds"
RTS="$RTS $WORK/boot/rt-chain $WORK/boot/rt-indep"
: >"$WORK/boot.txt"
BENCH_RUN_ID=$RUN_ID timeout -k 5 600 "$BOOT" -reincd "$REINCD" -bin "$ECHO" \
    -dir "$WORK/boot" -n "$BOOT_N" -rounds "$BOOT_ROUNDS" -warm 1 \
    -o "$WORK/boot_raw.txt" >"$WORK/boot.txt" 2>"$WORK/boot.log" ||
    fail "bench_boot: $(tail -n 1 "$WORK/boot.log")"
sed 's/^/bench:   /' "$WORK/boot.log" >&2

# ---------------------------------------------------------------------
# the table

set -- $(colstats "$WORK/bare.txt" 1); BN=$1 BMED=$2 BP99=$3
set -- $(colstats "$WORK/cold.txt" 1); CN=$1 CMED=$2 CP99=$3
set -- $(colstats "$WORK/hot.txt" 1); HN=$1 HMED=$2 HP99=$3
set -- $(colstats "$WORK/bare.txt" 2); NMED=$2 NP99=$3
SMED=$(us2 "$(field "$L_SEF" median)") SP99=$(us2 "$(field "$L_SEF" p99)")
RMED=$(us2 "$(field "$L_RAW" median)") RP99=$(us2 "$(field "$L_RAW" p99)")
ISMED=$(us "$(field "$L_ISEF" median)") ISP99=$(us "$(field "$L_ISEF" p99)")
IRMED=$(us "$(field "$L_IRAW" median)") IRP99=$(us "$(field "$L_IRAW" p99)")
OSEF=$(awk -v v="$(field "$L_OSEF" rate)" 'BEGIN { printf "%.0f", v / 1000 }')
ORAW=$(awk -v v="$(field "$L_ORAW" rate)" 'BEGIN { printf "%.0f", v / 1000 }')
IPCT=$(field "$IDLE" pct)
BPCT=$(field "$BUSY" pct)
ZPCT=$(field "$BASE" pct)
PERSVC=$(awk -v a="$RSS1" -v b="$RSSN" -v n="$NSVC" \
    'BEGIN { if (n > 1) printf "%.1f", (b - a) / (n - 1); else print "-" }')

verdict() { if "$@"; then echo ok; else echo MISSED; fi; }
V_COLD=$(verdict le "$CMED" "$(awk -v b="$BMED" 'BEGIN { print b * 1.2 }')")
V_HOT=$(verdict le "$HMED" 250)
V_IPC=$(verdict le "$SMED" "$(awk -v b="$RMED" 'BEGIN { print b * 1.2 }')")
V_IDLE=$(verdict le "$IPCT" 0.1)
V_BUSY=$(verdict le "$BPCT" 0.1)
V_RSS1=$(verdict le "$RSS1" $((2048 + 20)))
V_RSSN=$(verdict le "$PERSVC" 20)

row()
{
	printf '%-32s %8s %8s | %-32s %8s %8s | %6s | %-21s %s\n' "$@"
}
line()
{
	printf '%s%s\n' "----------------------------------------------------------------------" \
	    "-----------------------------------------------------------------------"
}

END=$(date +%s)
echo
echo "reinc benchmarks - $MODE run, $(date -u '+%Y-%m-%d %H:%M UTC'), $((END - START)) s"
echo "$(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo |
    head -n 1), Linux $(uname -r); load average before: $LOAD0"
echo
row "figure" "median" "p99" "reference (same run)" "median" "p99" "ratio" "target" "" |
    sed 's/ *$//'
line
row "restart, reincd cold (us)" "$CMED" "$CP99" \
    "bare posix_spawn+pidfd restart" "$BMED" "$BP99" \
    "$(ratio "$CMED" "$BMED")x" "<= 1.2x bare" "$V_COLD"
row "restart, reincd hot standby" "$HMED" "$HP99" \
    "bare posix_spawn+pidfd restart" "$BMED" "$BP99" \
    "$(ratio "$HMED" "$BMED")x" "median <= 250 us" "$V_HOT"
row "  ($CN/$HN/$BN kills)" "" "" "  of which kill->death noticed" \
    "$NMED" "$NP99" "" "" ""
row "ipc_sendrec round trip (us)" "$SMED" "$SP99" \
    "raw SOCK_SEQPACKET round trip" "$RMED" "$RP99" \
    "$(ratio "$SMED" "$RMED")x" "<= 1.2x raw" "$V_IPC"
row "  after 20 ms idle" "$ISMED" "$ISP99" "  raw, after 20 ms idle" \
    "$IRMED" "$IRP99" "$(ratio "$ISMED" "$IRMED")x" "-" ""
row "ipc_send one-way (k msg/s)" "$OSEF" "" "raw send() on a socketpair" \
    "$ORAW" "" "$(ratio "$OSEF" "$ORAW")x" "-" ""
row "reincd CPU, $NSVC idle (% core)" "$IPCT" "" "reincd with no service" \
    "$ZPCT" "" "" "<= 0.1 %" "$V_IDLE"
row "reincd CPU, $NSVC busy (% core)" "$BPCT" "" "" "" "" "" "<= 0.1 %" \
    "$V_BUSY"
row "reincd RSS, 1 service (kB)" "$RSS1" "" "" "" "" "" "<= 2 MB" "$V_RSS1"
row "reincd RSS, $NSVC services (kB)" "$RSSN" "" \
    "per service (kB)" "$PERSVC" "" "" "<= 20 kB per service" "$V_RSSN"

# lurows TITLE UPD REF TARGET_US: a live-update case: its pause beside
# the stop+start reference, then its max and failed requests (all the
# client's, warm-up included) beside the reference's.
lurows()
{
	_sum=$(sed -n "s/^$2 //p" "$WORK/lu.sum")
	_rsum=$(sed -n "s/^$3 //p" "$WORK/lu.sum")
	set -- "$1" "$2" "$3" "$4" $(pausestats "$WORK/lu_$2.txt")
	_n=$5 _p50=$6 _p99=$7 _max=$8
	set -- "$1" "$2" "$3" "$4" $(pausestats "$WORK/lu_$3.txt")
	_rn=$5 _rp50=$6 _rp99=$7 _rmax=$8
	_f=$(field "$_sum" failed) _rf=$(field "$_rsum" failed)
	if [ "$_n" -eq 0 ]; then
		_v=skipped _vf=skipped _f=-
	else
		_vf=$(verdict test "${_f:-1}" -eq 0)
		if [ "$4" = - ]; then
			_v=
		else
			_v=$(verdict le "$_p99" "$4")
		fi
	fi
	[ "$_rn" -eq 0 ] && _rf=-
	if [ "$4" = - ]; then _t=-; else _t="p99 <= $4 us"; fi
	row "$1" "$_p50" "$_p99" "stop+start, state in a file" "$_rp50" \
	    "$_rp99" "$(ratio "$_p50" "$_rp50" | sed 's/[0-9]$/&x/')" "$_t" "$_v"
	row "  max (us); failed requests" "$_max" "${_f:--}" \
	    "  max (us); failed requests" "$_rmax" "${_rf:--}" "" \
	    "0 failed" "$_vf"
}
lurows "update pause, 1 KiB region (us)" upd_1k ref_1k 1000
lurows "update pause, 1 KiB blob (us)" blob_1k ref_1k 1000
lurows "update pause, 64 MiB region (us)" upd_64m ref_64m -
lurows "update pause, 1 GiB region (us)" upd_1g ref_1g 2000

# the data store: dsl "WHAT STORE" KIND, or dsl WHAT STORE: bench_ds's
# line "ds_WHAT STORE KIND ..." (or "ds_WHAT STORE ..."); dsv ... FIELD:
# a value of it in us; ratiox A B: A / B with an x, or -
dsl() { grep "^ds_$1 $2 " "$WORK/ds.txt" | head -n 1; }
dsv() { us "$(field "$(dsl "$1" "$2")" "$3")"; }
ratiox() { _r=$(ratio "$1" "$2"); if [ "$_r" = - ]; then echo -; else echo "${_r}x"; fi; }
# kops KIND STORE [FIELD]: a throughput in k calls/s (default: the median
# of the bursts' rates)
kops() { kops_v "$(field "$(dsl "tput $2" "$1")" "${3:-med}")"; }
# dsrows TITLE KIND: the call with the full store beside ipc_sendrec in
# the same blocks, then with the almost empty store (ratio: full / empty)
dsrows()
{
	_m=$(dsv "rtt full" "$2" median) _p=$(dsv "rtt full" "$2" p99)
	_em=$(dsv "rtt empty" "$2" median) _ep=$(dsv "rtt empty" "$2" p99)
	row "$1" "$_m" "$_p" "ipc_sendrec to bench_echo" \
	    "$(dsv "rtt full" echo median)" "$(dsv "rtt full" echo p99)" \
	    "$(ratiox "$_m" "$(dsv "rtt full" echo median)")" "-" ""
	row "  store almost empty" "$_em" "$_ep" "  full / almost empty (medians)" \
	    "" "" "$(ratiox "$_m" "$_em")" "-" ""
}
dsrows "ds_publish_u32 overwrite (us)" pub_over
dsrows "ds_publish_u32 new key (us)" pub_new
dsrows "ds_retrieve_u32 (us)" get_u32
dsrows "ds_retrieve_mem 1 KiB (us)" get_mem
for _k in "publish u32:pub_over" "retrieve u32:get_u32" \
    "retrieve mem:get_mem"; do
	_f=$(kops "${_k#*:}" full)
	row "ds ${_k%%:*} (k calls/s)" "$_f" "" \
	    "ipc_sendrec back to back" "$(kops echo full)" "" \
	    "$(ratiox "$_f" "$(kops echo full)")" "-" ""
done
# recoveries: median and max (in the p99 column)
DSR_M=$(dsv recover full median) DSR_X=$(dsv recover full max)
DSR_EM=$(dsv recover empty median) DSR_EX=$(dsv recover empty max)
DSR_DM=$(dsv recover drained median) DSR_DX=$(dsv recover drained max)
DSR_CM=$(dsv recover echo median) DSR_CX=$(dsv recover echo max)
row "dsd recovery, full store (us)" "$DSR_M" "$DSR_X" \
    "reincd cold restart, bench_echo" "$DSR_CM" "$DSR_CX" \
    "$(ratiox "$DSR_M" "$DSR_CM")" "-" ""
row "  store almost empty" "$DSR_EM" "$DSR_EX" "  full / almost empty (medians)" \
    "" "" "$(ratiox "$DSR_M" "$DSR_EM")" "-" ""
row "  almost empty, drained" "$DSR_DM" "$DSR_DX" "  full / drained (medians)" \
    "" "" "$(ratiox "$DSR_M" "$DSR_DM")" "-" ""
# process events: pevl WHAT K -> bench_pev's line
pevl() { grep "^pev $1 $2 " "$WORK/pev.txt" | head -n 1; }
for _k in 1 4 16; do
	_m=$(us "$(field "$(pevl sig $_k)" median)")
	_p=$(us "$(field "$(pevl sig $_k)" p99)")
	_rm=$(us "$(field "$(pevl rtt $_k)" median)")
	_rp=$(us "$(field "$(pevl rtt $_k)" p99)")
	[ $_k = 1 ] && _s=subscriber || _s=subscribers
	row "signal event, $_k $_s (us)" "$_m" "$_p" "ipc_sendrec round trip" \
	    "$_rm" "$_rp" "$(ratiox "$_m" "$_rm")" "-" ""
done
_m=$(us "$(field "$(pevl rtt_sigsubs 1)" median)")
_p=$(us "$(field "$(pevl rtt_sigsubs 1)" p99)")
_rm=$(us "$(field "$(pevl rtt 1)" median)")
_rp=$(us "$(field "$(pevl rtt 1)" p99)")
row "  ipc_sendrec, signals held" "$_m" "$_p" "  nobody wants signals" \
    "$_rm" "$_rp" "$(ratiox "$_m" "$_rm")" "-" ""
# boot: bootl WHAT MODE SUP -> bench_boot's line; bootv ... FIELD [UNIT]:
# a value of it in ms (default) or us; bootrow TITLE WHAT MODE REF UNIT
# [FIELD]: reincd beside bare, median and FIELD (default max: the p99 of
# BOOT_ROUNDS samples is their max)
bootl() { grep "^boot $1 $2 $3 " "$WORK/boot.txt" | head -n 1; }
bootv()
{
	awk -v v="$(field "$(bootl "$1" "$2" "$3")" "$4")" -v u="${5:-ms}" \
	    'BEGIN { if (v == "") print "-"; else if (u == "us") printf "%.1f", v / 1e3;
	             else printf "%.1f", v / 1e6 }'
}
bootrow()
{
	_m=$(bootv "$2" "$3" reincd median "$5")
	_rm=$(bootv "$2" "$3" bare median "$5")
	row "$1" "$_m" "$(bootv "$2" "$3" reincd "${6:-max}" "$5")" "$4" "$_rm" \
	    "$(bootv "$2" "$3" bare "${6:-max}" "$5")" "$(ratiox "$_m" "$_rm")" "-" ""
}
bootrow "boot $BOOT_N, chain (ms)" total chain \
    "bare spawn, each after the last" ms
bootrow "  step main(k)->main(k+1) (us)" step chain "  the same step, bare" us p99
bootrow "  start->first main() (us)" first chain "  the same, bare" us
bootrow "  reincd's CPU time (ms)" cpu chain "  the bare supervisor's" ms
bootrow "boot $BOOT_N, independent (ms)" total indep "bare spawn, all at once" ms
bootrow "  start->last main() (ms)" lastmain indep "  the same, bare" ms
bootrow "  reincd's CPU time (ms)" cpu indep "  the bare supervisor's" ms
line
echo "Busy window: $(field "$BUSY" svc_active)/$NSVC services got CPU," \
    "machine $(field "$BUSY" sys_busy) % busy; idle window: $(field "$IDLE" svc_active)" \
    "services got CPU, machine $(field "$IDLE" sys_busy) % busy (others' load)."
echo "reincd CPU from /proc/PID/schedstat; utime+stime (10 ms ticks) say idle" \
    "$(field "$IDLE" pct_ticks) %, busy $(field "$BUSY" pct_ticks) %." \
    "Restarts during the cost run: ${NRESTARTS:-?}."
# live update: the commands' times and the client's jitter between changes
lusum() { sed -n "s/^$1 //p" "$WORK/lu.sum"; }
lums() { awk -v v="$(field "$(lusum "$1")" win_med)" \
    'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1e6 }'; }
echo "Live update: a change's pause is the largest gap between the answers of a" \
    "client sending requests back to back that overlaps the change; ratio = p50s."
echo "Changes: $LU_K1 (+ $LU_K1 blob) updates / $LU_R1 stop+starts at 1 KiB," \
    "$LU_K64/$LU_R64 at 64 MiB, $LU_KG/$LU_RG at 1 GiB${LU_BIGNOTE:+ ($LU_BIGNOTE)}."
echo "Median time of the commands: reinc update $(lums upd_1k) ms (1 KiB)," \
    "$(lums upd_64m) ms (64 MiB), $(lums upd_1g) ms (1 GiB); down + up" \
    "$(lums ref_1k), $(lums ref_64m), $(lums ref_1g) ms."
LUJ=$(cut -d' ' -f2- "$WORK/lu.sum" | while read -r _l; do
	printf '%s %s %s\n' "$(field "$_l" rtt_med)" "$(field "$_l" gap_out_p99)" \
	    "$(field "$_l" gap_out_max)"
done | awk '{ if ($1 > r) r = $1; if ($2 > p) p = $2; if ($3 > m) m = $3 }
    END { printf "%.1f %.1f %.1f", r / 1000, p / 1000, m / 1000 }')
echo "Between changes (gaps overlapping none): the client's round trip" \
    "$(echo "$LUJ" | cut -d' ' -f1) us (median), p99 $(echo "$LUJ" | cut -d' ' -f2) us," \
    "max $(echo "$LUJ" | cut -d' ' -f3) us (worst client run): the machine's own jitter."
DSFILL=$(grep '^ds_fill ' "$WORK/ds.txt")
DSDROP=$(grep '^ds_drop ' "$WORK/ds.txt")
echo "Data store: almost empty = ${DS_NEMPTY:-?} entries, full = ${DS_NFULL:-?}" \
    "(as dsd counted them at its restarts: u32 keys, 100 mem values of 1 KiB," \
    "the 4 services' labels), taking turns in $DS_ROUNDS rounds; calls made by a" \
    "service, $DS_TRIPS per kind and store in 20 blocks alternating with" \
    "ipc_sendrec to bench_echo, on random existing keys; ipc_sendrec with the" \
    "store almost empty: $(dsv "rtt empty" echo median) us (median)."
echo "Fill: $(field "$DSFILL" fills) x $(field "$DSFILL" n) new keys at" \
    "$(kops_v "$(field "$DSFILL" rate)") k calls/s (first chunks" \
    "$(kops_v "$(field "$DSFILL" first)"), last $(kops_v "$(field "$DSFILL" last)"));" \
    "emptied again $(field "$DSDROP" drops) x at $(kops_v "$(field "$DSDROP" rate)")" \
    "k deletes/s. ds_delete_u32 (of each new key)" \
    "$(dsv "rtt full" del median) us full, $(dsv "rtt empty" del median) us" \
    "almost empty (medians)."
echo "Recovery: kill -9 -> a client's ds_retrieve_u32 answered; median and max" \
    "(in the p99 column) of $(field "$(dsl recover full)" n) kills full," \
    "$(field "$(dsl recover empty)" n) almost empty (before the first fill)," \
    "$(field "$(dsl recover drained)" n) drained (almost empty again after a" \
    "fill: dsd's rebuild walks every entry slot up to the high-water mark)," \
    "$(field "$(dsl recover echo)" n) of bench_echo; requests that failed and" \
    "were sent again: $(field "$(dsl recover full)" retries) full," \
    "$(field "$(dsl recover empty)" retries) almost empty," \
    "$(field "$(dsl recover drained)" retries) drained."
dsb() { echo "$(kops "$1" full rate) [$(kops "$1" full lo)-$(kops "$1" full hi)]"; }
echo "Throughput: $DS_TPUT calls of each kind and store, back to back in" \
    "alternating bursts of $DS_BURST; the table gives the median of the bursts'" \
    "rates (caller and callee on one CPU or on two, and other load, make them" \
    "vary: see bench_ds.c). Full store, all bursts together [slowest-fastest" \
    "burst], k calls/s: ipc_sendrec $(dsb echo), publish $(dsb pub_over)," \
    "retrieve u32 $(dsb get_u32), retrieve mem $(dsb get_mem). Store almost" \
    "empty, medians: ipc_sendrec $(kops echo empty), publish" \
    "$(kops pub_over empty), retrieve u32 $(kops get_u32 empty), retrieve mem" \
    "$(kops get_mem empty)."

BOOTOV=$(grep '^boot overlap chain reincd ' "$WORK/boot.txt")
echo "Boot: $BOOT_ROUNDS boots of each kind in alternating rounds (+1 warm-up)," \
    "from starting the supervisor (reincd -c FILE; the bare supervisor) to" \
    "reading its line for the ${BOOT_N}th completed init; the p99 column is" \
    "the max of the boots, but the step's is the p99 of all steps. CPU time:" \
    "the supervisor's own, start to that line (/proc/PID/schedstat). main()->ready" \
    "(sef_startup, median): $(bootv init chain reincd median us) us chained," \
    "$(bootv init indep reincd median us) us independent (bare:" \
    "$(bootv init chain bare median us) us). Chain order checked; a service's" \
    "ready stamp came after the next one's main() in $(field "$BOOTOV" n) of" \
    "$(field "$BOOTOV" links) links (preempted after its init reply)."

# breakdown of the restarts: medians of each stage (us)
set -- $(colstats "$WORK/bare.txt" 3); B_SPAWN=$2
set -- $(colstats "$WORK/bare.txt" 4); B_EXEC=$2
set -- $(colstats "$WORK/bare.txt" 5); B_REPLY=$2
set -- $(colstats "$WORK/bare.txt" 6); B_CLIENT=$2
awk '{ print $2 + $3 + $4 }' "$WORK/bare.txt" >"$WORK/bk.tmp"
set -- $(colstats "$WORK/bk.tmp" 1); B_KMAIN=$2
set -- $(colstats "$WORK/cold.txt" 2); C_KMAIN=$2
set -- $(colstats "$WORK/cold.txt" 3); C_INIT=$2
set -- $(colstats "$WORK/cold.txt" 4); C_REPLY=$2
set -- $(colstats "$WORK/cold.txt" 5); C_CLIENT=$2
set -- $(sumstats "$WORK/hot.txt" 2 3); H_KREADY=$2
set -- $(colstats "$WORK/hot.txt" 4); H_REPLY=$2
set -- $(colstats "$WORK/hot.txt" 5); H_CLIENT=$2
echo
echo "Where a restart's time goes: median of each stage (us), from CLOCK_MONOTONIC"
echo "stamps of the client, the bare supervisor and the new instance:"
printf '  %-22s %13s %14s %13s %14s\n' "" "kill->main()" "main()->ready" \
    "ready->reply" "reply->client"
printf '  %-22s %13s %14s %13s %14s\n' "bare floor" "$B_KMAIN" "-" \
    "$B_REPLY" "$B_CLIENT"
printf '  %-22s %s\n' "" "(kill->death noticed $NMED, waitid+posix_spawn $B_SPAWN, exec->main() $B_EXEC)"
printf '  %-22s %13s %14s %13s %14s\n' "reincd cold" "$C_KMAIN" "$C_INIT" \
    "$C_REPLY" "$C_CLIENT"
printf '  %-22s %13s %14s %13s %14s\n' "reincd hot standby" "-" \
    "kill->$H_KREADY" "$H_REPLY" "$H_CLIENT"
echo "  (ready: sef_startup() returned - the init handshake with reincd is done)"

# breakdown of the live-update pauses: medians of each stage (us)
stage() { awk -v v="$(field "$(lusum "$1")" "st_$2")" \
    'BEGIN { if (v == "" || v == "-") print "-"; else printf "%.1f", v / 1000 }'; }
echo
echo "Where a change's pause goes: median of each stage (us), from CLOCK_MONOTONIC"
echo "stamps of the client and of the old and new instances (bench_lupause.c):"
printf '  %-18s %10s %10s %9s %9s %8s %8s\n' "" "->saved" "->init cb" \
    "init cb" "->ready" "->recv" "->answer"
for _c in "1 KiB region:upd_1k" "1 KiB blob:blob_1k" "64 MiB region:upd_64m" \
    "1 GiB region:upd_1g" "stop+start 1 KiB:ref_1k" \
    "stop+start 64 MiB:ref_64m" "stop+start 1 GiB:ref_1g"; do
	_t=${_c%%:*} _n=${_c#*:}
	[ -n "$(lusum "$_n")" ] || continue
	printf '  %-18s %10s %10s %9s %9s %8s %8s\n' "$_t" "$(stage "$_n" prepare)" \
	    "$(stage "$_n" handover)" "$(stage "$_n" init)" \
	    "$(stage "$_n" commit)" "$(stage "$_n" wait)" "$(stage "$_n" reply)"
done
echo "  (saved: the old instance's state_save, or its SIGTERM handler, from the"
echo "  client's last answer before - negative when the answer was still on its"
echo "  way; init cb: the new instance's init callback; ready: its sef_startup()"
echo "  returned, after libsef's region commit; recv: its first request)"

if [ -n "$FAILED" ]; then
	echo
	echo "FAILED: $FAILED"
	exit 1
fi
exit 0
