#!/bin/sh
# tests/run.sh - every test of the project; what `make check` runs.
#
#   REINC_BUILD=build sh tests/run.sh [FILTER]
#
# Runs, in this order:
#   1. every unit test binary $REINC_BUILD/tests/unit/* (each prints
#      "ok - NAME" / "not ok - NAME" lines, "ok - NAME # SKIP why" for a
#      skipped one; a binary that exits non-zero without a "not ok" line
#      counts as one failure, one that prints nothing and exits 0 as one
#      pass);
#   2. every fuzz target's corpus replay: $REINC_BUILD/tests/fuzz/fuzz_X
#      tests/fuzz/corpus/X (same counting);
#   3. tests/install-check.sh if present (same counting);
#   4. every integration test tests/integration/*.sh (lib.sh excepted):
#      one test case each, exit 0 pass, 77 skip, anything else fail; each
#      under `timeout` ($TEST_TIMEOUT s, default 120), $JOBS at a time
#      (default 2).  A failure shows the last lines of the test's output.
# FILTER (or $TESTS) keeps only the tests whose name contains it.
# The last line is always "N passed, N failed" (", N skipped" may
# follow); the exit status is 1 if anything failed.

cd "$(dirname "$0")/.." || exit 1
REINC_BUILD=${REINC_BUILD:-build}
export REINC_BUILD
FILTER=${1:-${TESTS:-}}
JOBS=${JOBS:-2}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
# The tests make their own runtime directories.
unset REINC_RUNTIME_DIR

npass=0
nfail=0
nskip=0
tmp=$(mktemp -d /tmp/reinc-check.XXXXXX) || exit 1
running=

selected()
{
	[ -z "$FILTER" ] && return 0
	case $1 in
	*"$FILTER"*) return 0 ;;
	esac
	return 1
}

indent() { sed 's/^/#   /'; }

# count NAME RC FILE: add up the ok / not ok lines a program printed.
count()
{
	_name=$1 _rc=$2 _f=$3
	_ok=$(grep '^ok ' "$_f" | grep -vc '# *[Ss][Kk][Ii][Pp]')
	_sk=$(grep '^ok ' "$_f" | grep -c '# *[Ss][Kk][Ii][Pp]')
	_nok=$(grep -c '^not ok ' "$_f")
	grep -E '^(not )?ok ' "$_f"
	npass=$((npass + _ok))
	nskip=$((nskip + _sk))
	nfail=$((nfail + _nok))
	_ok=$((_ok + _sk))
	if [ "$_rc" -ne 0 ] && [ "$_nok" -eq 0 ]; then
		if [ "$_rc" -eq 124 ] || [ "$_rc" -eq 137 ]; then
			echo "not ok - $_name (timed out)"
		else
			echo "not ok - $_name (exit status $_rc)"
		fi
		tail -n 20 "$_f" | indent
		nfail=$((nfail + 1))
	elif [ "$_rc" -ne 0 ] || [ "$_nok" -ne 0 ]; then
		grep -vE '^(not )?ok ' "$_f" | tail -n 20 | indent
	elif [ "$_ok" -eq 0 ]; then
		echo "ok - $_name"
		npass=$((npass + 1))
	fi
}

# 1. unit tests
for t in "$REINC_BUILD"/tests/unit/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=unit/$(basename "$t")
	selected "$name" || continue
	timeout -k 10 "$UNIT_TIMEOUT" "$t" >"$tmp/out" 2>&1 </dev/null
	count "$name" $? "$tmp/out"
done

# 2. fuzz corpus replays
for t in "$REINC_BUILD"/tests/fuzz/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	x=$(basename "$t")
	x=${x#fuzz_}
	name=fuzz/$x
	selected "$name" || continue
	corpus=tests/fuzz/corpus/$x
	if [ ! -d "$corpus" ]; then
		echo "not ok - replay $x (no corpus $corpus)"
		nfail=$((nfail + 1))
		continue
	fi
	timeout -k 10 "$UNIT_TIMEOUT" "$t" "$corpus" >"$tmp/out" 2>&1 </dev/null
	count "replay $x" $? "$tmp/out"
done

# 3. installation check
if [ -f tests/install-check.sh ] && selected install-check; then
	timeout -k 10 "$UNIT_TIMEOUT" sh tests/install-check.sh >"$tmp/out" 2>&1 \
	    </dev/null
	count install-check $? "$tmp/out"
fi

# 4. integration tests, $JOBS at a time
start_test()
{
	_name=$1
	timeout -k 10 "$TEST_TIMEOUT" sh "tests/integration/$_name.sh" \
	    >"$tmp/$_name.out" 2>&1 </dev/null &
	running="$running $!:$_name:$(date +%s)"
}

finished()
{
	_s=$(ps -o stat= -p "$1" 2>/dev/null)
	case $_s in
	''|Z*) return 0 ;;
	esac
	return 1
}

report()
{
	_name=$1 _rc=$2 _secs=$3 _f=$tmp/$1.out
	case $_rc in
	0)
		echo "ok - $_name (${_secs}s)"
		npass=$((npass + 1))
		;;
	77)
		_why=$(sed -n 's/^SKIP: [^:]*: //p' "$_f" | tail -n 1)
		echo "ok - $_name # SKIP ${_why:-skipped}"
		nskip=$((nskip + 1))
		;;
	*)
		if [ "$_rc" -eq 124 ] || [ "$_rc" -eq 137 ]; then
			echo "not ok - $_name (timed out after ${TEST_TIMEOUT}s)"
		else
			echo "not ok - $_name (exit status $_rc, ${_secs}s)"
		fi
		# the verdicts first: reincd's log tail can be long
		grep -E '^FAIL' "$_f" | indent
		tail -n 30 "$_f" | grep -vE '^FAIL' | indent
		nfail=$((nfail + 1))
		;;
	esac
}

# Reap the tests that have finished; $nrunning is what is left.
reap()
{
	_still=
	nrunning=0
	for _e in $running; do
		_pid=${_e%%:*}
		_rest=${_e#*:}
		_n=${_rest%%:*}
		_t0=${_rest#*:}
		if finished "$_pid"; then
			wait "$_pid"
			_rc=$?
			report "$_n" "$_rc" $(($(date +%s) - _t0))
		else
			_still="$_still $_e"
			nrunning=$((nrunning + 1))
		fi
	done
	running=$_still
}

interrupted()
{
	for _e in $running; do
		kill -TERM "${_e%%:*}" 2>/dev/null
	done
	wait
	rm -rf "$tmp"
	echo "interrupted"
	echo "$npass passed, $((nfail + 1)) failed"
	exit 130
}
trap interrupted INT TERM

nrunning=0
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	[ "$name" = lib ] && continue
	selected "$name" || continue
	while [ "$nrunning" -ge "$JOBS" ]; do
		sleep 0.1
		reap
	done
	start_test "$name"
	nrunning=$((nrunning + 1))
done
while [ -n "$running" ]; do
	reap
	[ -n "$running" ] && sleep 0.1
done

rm -rf "$tmp"
if [ "$nskip" -gt 0 ]; then
	echo "$npass passed, $nfail failed, $nskip skipped"
else
	echo "$npass passed, $nfail failed"
fi
[ "$nfail" -eq 0 ]
