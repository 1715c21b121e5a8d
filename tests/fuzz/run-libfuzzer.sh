#!/bin/sh
# tests/fuzz/run-libfuzzer.sh - coverage-guided fuzzing of every
# tests/fuzz/fuzz_*.c with libFuzzer; what `make fuzz` runs.
#
#   [FUZZ_SECONDS=60] [FUZZ_TARGETS="proto df"] sh tests/fuzz/run-libfuzzer.sh
#
# Each target fuzz_NAME.c is built with clang -fsanitize=fuzzer,address,
# undefined (UBSan made fatal) together with lib/proto.c - or, for
# fuzz_sysconf.c, with lib/proto.c and lib/sysconf.c; for fuzz_request.c,
# with lib/*.c and reincd/*.c but main.c and -lseccomp, as the Makefile
# links it - and run for FUZZ_SECONDS seconds on its corpus
# tests/fuzz/corpus/NAME/.  New coverage goes to a scratch corpus under
# $REINC_BUILD/libfuzzer/ (not into the repository: it would grow without
# bound); crashes, leaks, timeouts and out-of-memory inputs are written
# into tests/fuzz/corpus/NAME/ itself, so that `make check` replays them
# forever once they are committed.  Fix the bug, keep the file.
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_TARGETS (names without
# fuzz_, default all), CLANG (default clang, else clang-14), FUZZ_ARGS
# (extra libFuzzer options, e.g. "-jobs=2 -workers=2").
# Exit status: 0 if nothing was found, 1 if a target crashed or failed to
# build, or if clang with libFuzzer is not installed.  Not a test: it
# does not run as part of `make check`, which needs no clang.

cd "$(dirname "$0")/../.." || exit 1
B=${REINC_BUILD:-build}
OUT=$B/libfuzzer
SECS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-}

need_clang()
{
	echo "run-libfuzzer.sh: $1" >&2
	echo "run-libfuzzer.sh: libFuzzer needs clang and its runtime:" \
	    "apt-get install clang libclang-rt-14-dev" >&2
	exit 1
}

if [ -z "$CLANG" ]; then
	for c in clang clang-14 clang-15 clang-16; do
		if command -v "$c" >/dev/null 2>&1; then
			CLANG=$c
			break
		fi
	done
fi
if [ -z "$CLANG" ] || ! command -v "$CLANG" >/dev/null 2>&1; then
	need_clang "clang not found"
fi

mkdir -p "$OUT" || exit 1

# Does this clang have the libFuzzer runtime?
cat >"$OUT/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	(void)d; (void)n;
	return 0;
}
EOF
"$CLANG" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$OUT/probe.c" \
    >"$OUT/probe.log" 2>&1 ||
	need_clang "$CLANG cannot link with -fsanitize=fuzzer ($(tail -n 1 "$OUT/probe.log"))"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Iinclude -Ilib \
-Ireincd -Idsd -pthread $SAN"

# build TARGET: $OUT/fuzz_TARGET; 0 or 1.
build()
{
	_t=$1 _objs= _libs=
	case $_t in
	request)
		_srcs=
		for _f in lib/*.c reincd/*.c; do
			[ "$_f" = reincd/main.c ] || _srcs="$_srcs $_f"
		done
		_libs=-lseccomp   # reincd/priv.c builds seccomp filters
		;;
	sysconf)   # the system.conf parser and the frames it encodes
		_srcs="lib/proto.c lib/sysconf.c"
		;;
	ds_*)   # dsd's decoder and store; libsef for what they call
		_srcs="dsd/store.c dsd/req.c"
		for _f in lib/*.c; do _srcs="$_srcs $_f"; done
		;;
	*)
		_srcs=lib/proto.c
		;;
	esac
	mkdir -p "$OUT/obj" || return 1
	for _f in $_srcs; do
		_o=$OUT/obj/$(echo "$_f" | tr / _).o
		# instrumented for coverage, but without libFuzzer's main()
		$CLANG $CFLAGS -fsanitize=fuzzer-no-link -c -o "$_o" "$_f" ||
			return 1
		_objs="$_objs $_o"
	done
	$CLANG $CFLAGS -fsanitize=fuzzer -o "$OUT/fuzz_$_t" \
	    "tests/fuzz/fuzz_$_t.c" $_objs -pthread $_libs
}

failed=0
summary=
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in
		*" $t "*) ;;
		*) continue ;;
		esac
	fi
	corpus=tests/fuzz/corpus/$t
	work=$OUT/corpus-$t
	log=$OUT/fuzz_$t.log
	mkdir -p "$corpus" "$work" || exit 1

	echo "== fuzz_$t: building"
	if ! build "$t" >"$log" 2>&1; then
		cat "$log" >&2
		echo "FAIL fuzz_$t: does not build"
		summary="$summary
fuzz_$t: does not build"
		failed=1
		continue
	fi
	echo "== fuzz_$t: fuzzing for $SECS s (corpus $corpus, log $log)"
	before=$(ls "$corpus" | wc -l)
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	"$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$corpus/" ${FUZZ_ARGS:-} \
	    "$work" "$corpus" >"$log" 2>&1 </dev/null
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	new=$(($(ls "$corpus" | wc -l) - before))
	if [ "$rc" -ne 0 ] || [ "$new" -gt 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|fuzz_[a-z]*:|Test unit written' \
		    "$log" | head -n 20 >&2
		echo "FAIL fuzz_$t: exit status $rc, $new new input(s) in $corpus"
		summary="$summary
fuzz_$t: FOUND SOMETHING (exit status $rc, $new new file(s) in $corpus)"
		failed=1
	else
		echo "ok fuzz_$t: ${execs:-?} runs, coverage ${cov:-?}, nothing found"
		summary="$summary
fuzz_$t: ${execs:-?} runs in $SECS s, coverage ${cov:-?}, nothing found"
	fi
done

echo "== summary$summary"
[ "$failed" -eq 0 ] && exit 0
echo "Reproduce with: make build/tests/fuzz/fuzz_NAME &&" \
    "build/tests/fuzz/fuzz_NAME tests/fuzz/corpus/NAME/FILE"
exit 1
