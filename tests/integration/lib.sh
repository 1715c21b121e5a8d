# tests/integration/lib.sh - the harness every integration test sources:
#
#     . "$(dirname "$0")/lib.sh"
#     start_reincd [reincd options]
#     reinc up "$SVC" -label x ...
#
# A test is one POSIX sh script, one scenario: exit 0 = pass, 77 = skip,
# anything else = fail.  start_reincd runs a private reincd in a fresh
# temporary runtime directory; the EXIT trap stops it with SIGTERM, checks
# that it exited 0 and left no process behind (a leftover fails the test),
# looks for sanitizer reports in its output, and removes the directory
# (kept, and named, when the test failed and REINC_KEEP is set).
#
# Waiting: never a bare sleep for a state.  wait_for polls a condition
# with a deadline; `sleep` appears in tests only where they check that
# something does NOT happen for a while, and then briefly.
#
# Helpers (all fail the test with a message when they cannot do their job):
#   start_reincd [opts]      reincd -r DIR -tick 50ms -stop-grace 500ms opts
#                            (the defaults only if opts do not set them)
#   reinc ARGS               the reinc command of the build under test
#   wait_for [-t S] [-m MSG] CMD...   poll CMD every 50 ms for S s (10);
#                            the deadline is an option, not a trailing
#                            argument, which CMD's own would make ambiguous
#   expect_rc N CMD...       run CMD, fail unless it exits N; output in $OUT
#   status_field LABEL F     a field of `reinc status LABEL --json`
#                            (empty if null or unknown label)
#   pid_of / ep_of / state_of / restarts_of / standby_of LABEL
#   wait_state LABEL STATE   wait_for the state
#   wait_restarted LABEL OLDPID [S]  wait for a new running instance;
#                            its pid in $NEWPID
#   wait_gone LABEL / wait_dead PID  wait for the label / process to vanish
#   info_field LABEL F       field F of the svc's SVC_INFO reply (client)
#   read_info LABEL; iget F  the same, one request for several fields
#   sigs_field LABEL SIG F   count, all or eintr of the svc's SVC_SIGS
#   bg NAME CMD...           run CMD in the background, output in
#                            $RT/NAME.out; its pid in $BG_PID
#   log_has RE / wait_log RE     grep -E reincd's output
#   summary_field FILE N     N (sent, ok, dead, other) from a client's
#                            summary line
#   alive PID                the process exists and is not a zombie
#   now_ms                   milliseconds since the epoch
#   fail MSG / skip MSG
# A test that stops reincd itself (shutdown, kill) waits for it and sets
# REINCD_STOPPED=1, so that the cleanup does not call that a failure.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${REINC_BUILD:=build}"
case $REINC_BUILD in
/*) B=$REINC_BUILD ;;
*) B=$TOP/$REINC_BUILD ;;
esac
REINCD=$B/bin/reincd
REINC_BIN=$B/bin/reinc
SVC=$B/tests/services/svc
CLIENT=$B/tests/services/client
GARBAGE=$B/tests/services/garbage
HELLO=$B/examples/hello/hello
HELLO_CLIENT=$B/examples/hello/hello_client
TEST_NAME=$(basename "$0" .sh)

RT=
REINCD_PID=
REINCD_STOPPED=
BG_PIDS=
BG_PID=
OUT=

# The runtime directory of an enclosing reinc must not leak into ours.
unset REINC_RUNTIME_DIR

log() { echo "# $*"; }

# fail MSG: also works from a $(...) subshell, where exit alone would
# only end the subshell: the mark makes the cleanup fail the test.
fail()
{
	echo "FAIL: $TEST_NAME: $*" >&2
	[ -n "$RT" ] && [ -d "$RT" ] && echo "$*" >>"$RT/.failed"
	exit 1
}

skip()
{
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

now_ms() { date +%s%3N; }

# Exists and is not a zombie.
alive()
{
	[ -n "$1" ] && [ "$1" -gt 0 ] 2>/dev/null || return 1
	_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $_st in
	Z*|'') return 1 ;;
	esac
	return 0
}

for _b in "$REINCD" "$REINC_BIN" "$SVC" "$CLIENT"; do
	[ -x "$_b" ] || { echo "FAIL: $TEST_NAME: $_b not built" >&2; exit 1; }
done

# wait_for [-t SECONDS] [-m MESSAGE] CMD...: run CMD every 50 ms until it
# succeeds; fail the test once SECONDS (default 10, fractions allowed)
# have passed.
wait_for()
{
	_t=10
	_m=
	while :; do
		case $1 in
		-t) _t=$2; shift 2 ;;
		-m) _m=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_deadline=$(( $(now_ms) + $(echo "$_t" | awk '{ printf "%d", $1 * 1000 }') ))
	while :; do
		"$@" && return 0
		if [ "$(now_ms)" -ge "$_deadline" ]; then
			fail "timed out after ${_t}s waiting for: ${_m:-$*}"
		fi
		sleep 0.05
	done
}

start_reincd()
{
	_tick=-tick; _grace=-stop-grace
	for _a in "$@"; do
		case $_a in
		-tick) _tick= ;;
		-stop-grace) _grace= ;;
		esac
	done
	RT=$(mktemp -d /tmp/reinc-test.XXXXXX) || fail "mktemp"
	export REINC_RUNTIME_DIR="$RT"
	: >"$RT/.pids"
	"$REINCD" -r "$RT" ${_tick:+-tick 50ms} ${_grace:+-stop-grace 500ms} \
	    "$@" >"$RT/reincd.out" 2>&1 &
	REINCD_PID=$!
	echo "$REINCD_PID" >>"$RT/.pids"
	wait_for -m "reincd to create $RT/reincd.sock" _reincd_listening
}

_reincd_listening()
{
	if ! alive "$REINCD_PID"; then
		REINCD_STOPPED=died
		echo "# reincd output:" >&2
		sed 's/^/#   /' "$RT/reincd.out" >&2
		fail "reincd exited during startup"
	fi
	[ -S "$RT/reincd.sock" ]
}

reinc() { "$REINC_BIN" "$@"; }

# expect_rc N CMD...: the command's output (stdout and stderr) is left in
# $OUT.
expect_rc()
{
	_want=$1
	shift
	OUT=$("$@" 2>&1)
	_rc=$?
	if [ "$_rc" -ne "$_want" ]; then
		printf '%s\n' "$OUT" | sed 's/^/#   /' >&2
		fail "'$*' exited $_rc, expected $_want"
	fi
	return 0
}

# status_field LABEL FIELD: the field's value ("" when null, or when the
# label is unknown: then the status exit code is returned).
status_field()
{
	_js=$(reinc status "$1" --json 2>/dev/null) || return $?
	_v=$(printf '%s\n' "$_js" | sed -n \
	    "s/.*\"$2\": *\(\"\([^\"]*\)\"\|\([^,}]*\)\).*/\2\3/p" | head -n 1)
	[ "$_v" = null ] && _v=
	printf '%s\n' "$_v"
}

pid_of()
{
	_p=$(status_field "$1" pid) || return $?
	[ -n "$_p" ] && [ "$_p" != 0 ] && echo "$_p" >>"$RT/.pids"
	printf '%s\n' "$_p"
}
standby_of()
{
	_p=$(status_field "$1" standby_pid) || return $?
	[ -n "$_p" ] && [ "$_p" != 0 ] && echo "$_p" >>"$RT/.pids"
	printf '%s\n' "$_p"
}
ep_of() { status_field "$1" endpoint; }
state_of() { status_field "$1" state; }
restarts_of() { status_field "$1" restarts; }

_state_is() { [ "$(state_of "$1")" = "$2" ]; }
wait_state()
{
	wait_for -t "${3:-10}" -m "service '$1' to be $2" _state_is "$1" "$2"
}

_restarted()
{
	_np=$(pid_of "$1") || return 1
	[ -n "$_np" ] && [ "$_np" != 0 ] && [ "$_np" != "$2" ] &&
	    _state_is "$1" running
}
# wait_restarted LABEL OLDPID [SECONDS]: sets NEWPID.
NEWPID=
wait_restarted()
{
	wait_for -t "${3:-10}" -m "a new running instance of '$1' (old pid $2)" \
	    _restarted "$1" "$2"
	NEWPID=$(pid_of "$1")
}

# Not running as a service any more: unknown label.
_label_gone() { ! reinc status "$1" --json >/dev/null 2>&1; }
wait_gone()
{
	wait_for -t "${2:-10}" -m "label '$1' to disappear" _label_gone "$1"
}

_dead() { ! alive "$1"; }
wait_dead()
{
	wait_for -t "${2:-10}" -m "process $1 to die" _dead "$1"
}

# info_field LABEL FIELD: FIELD=value from the svc's SVC_INFO reply.
info_field()
{
	_line=$("$CLIENT" "$1" -type info 2>&1) ||
	    fail "client $1 -type info: $_line"
	printf '%s\n' "$_line" | sed -n "s/^info .*\<$2=\([-0-9]*\).*/\1/p"
}

# read_info LABEL: the whole SVC_INFO line in $INFO; iget FIELD reads it.
INFO=
read_info()
{
	INFO=$("$CLIENT" "$1" -type info 2>&1) ||
	    fail "client $1 -type info: $INFO"
}
iget() { printf '%s\n' "$INFO" | sed -n "s/^info .*\<$1=\([-0-9]*\).*/\1/p"; }

# sigs_field LABEL SIGNO FIELD: count, all or eintr of SVC_SIGS.
sigs_field()
{
	_line=$("$CLIENT" "$1" -type sigs -arg "$2" 2>&1) ||
	    fail "client $1 -type sigs: $_line"
	printf '%s\n' "$_line" | sed -n "s/^sigs .*\<$3=\([-0-9]*\).*/\1/p"
}

# bg NAME CMD...: a background job of the test, killed at cleanup.
bg()
{
	_name=$1
	shift
	"$@" >"$RT/$_name.out" 2>&1 &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

log_has() { grep -Eq -- "$1" "$RT/reincd.out"; }
wait_log()
{
	wait_for -t "${2:-10}" -m "reincd output to match /$1/" log_has "$1"
}

# summary_field FILE NAME: N from the client's "sent=N ok=N ..." line.
summary_field()
{
	grep '^sent=' "$1" | tail -n 1 | sed -n "s/.*\<$2=\([0-9]*\).*/\1/p"
}

# ------------------------------------------------------------------------
# Cleanup

# All descendants of pid $1.
_descendants()
{
	ps -e -o pid=,ppid= | awk -v root="$1" '
	    { par[$1] = $2 }
	    END {
		for (p in par) {
			q = p
			for (n = 0; n < 64 && (q in par); n++) {
				q = par[q]
				if (q == root) { print p; break }
				if (q <= 1) break
			}
		}
	    }'
}

# Processes that belong to this test's reincd: recorded pids that still
# run a binary of the build or a script of the runtime dir, and any
# process whose command line or environment names the runtime dir.
_leftovers()
{
	{
		for _p in $_kids $(cat "$RT/.pids" 2>/dev/null); do
			alive "$_p" || continue
			_cmd=$(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null)
			case $_cmd in
			*"$B"*|*"$RT"*|*reinc*) echo "$_p" ;;
			esac
		done
		for _f in /proc/[0-9]*; do
			_p=${_f#/proc/}
			[ "$_p" = "$$" ] && continue
			if grep -qF -- "$RT" "$_f/cmdline" 2>/dev/null ||
			    grep -qzxF -- "REINC_RUNTIME_DIR=$RT" "$_f/environ" \
			    2>/dev/null; then
				alive "$_p" && echo "$_p"
			fi
		done
	} | sort -un
}

_cleanup()
{
	_rc=$?
	trap - EXIT INT TERM HUP
	set +e
	[ -n "$RT" ] || exit "$_rc"

	# The test's own background jobs (clients, loops) and their children.
	for _p in $BG_PIDS; do
		for _c in $(_descendants "$_p"); do kill -9 "$_c" 2>/dev/null; done
		kill -9 "$_p" 2>/dev/null
	done

	_kids=
	if [ -n "$REINCD_PID" ]; then
		_kids=$(_descendants "$REINCD_PID")
		if alive "$REINCD_PID"; then
			kill -TERM "$REINCD_PID"
			_i=0
			while alive "$REINCD_PID" && [ $_i -lt 300 ]; do
				sleep 0.05
				_i=$((_i + 1))
			done
			if alive "$REINCD_PID"; then
				echo "FAIL: $TEST_NAME: reincd did not exit within" \
				    "15 s of SIGTERM" >&2
				kill -9 "$REINCD_PID"
				[ "$_rc" -eq 0 ] && _rc=1
			fi
			wait "$REINCD_PID"
			_st=$?
			if [ "$_st" -ne 0 ] && [ "$_rc" -eq 0 ]; then
				echo "FAIL: $TEST_NAME: reincd exited with status" \
				    "$_st after SIGTERM" >&2
				_rc=1
			fi
		else
			wait "$REINCD_PID"
			_st=$?
			if [ -z "$REINCD_STOPPED" ] && [ "$_rc" -eq 0 ]; then
				echo "FAIL: $TEST_NAME: reincd died during the test" \
				    "(status $_st)" >&2
				_rc=1
			fi
		fi
	fi
	unset REINC_RUNTIME_DIR

	# Anything still there after a short grace is a leftover.
	_i=0
	_left=$(_leftovers)
	while [ -n "$_left" ] && [ $_i -lt 40 ]; do
		sleep 0.05
		_i=$((_i + 1))
		_left=$(_leftovers)
	done
	if [ -n "$_left" ]; then
		echo "FAIL: $TEST_NAME: processes left behind:" >&2
		for _p in $_left; do
			ps -o pid=,ppid=,stat=,args= -p "$_p" 2>/dev/null |
			    sed 's/^/#   /' >&2
			kill -9 "$_p" 2>/dev/null
		done
		[ "$_rc" -eq 0 ] || [ "$_rc" -eq 77 ] && _rc=1
	fi

	if [ -s "$RT/.failed" ] && { [ "$_rc" -eq 0 ] || [ "$_rc" -eq 77 ]; }; then
		_rc=1
	fi
	if grep -Eq 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:' \
	    "$RT/reincd.out" 2>/dev/null; then
		echo "FAIL: $TEST_NAME: sanitizer report in reincd's output" >&2
		[ "$_rc" -eq 0 ] || [ "$_rc" -eq 77 ] && _rc=1
	fi

	if [ "$_rc" -ne 0 ] && [ "$_rc" -ne 77 ]; then
		echo "# last lines of reincd's output ($RT/reincd.out):" >&2
		tail -n 40 "$RT/reincd.out" 2>/dev/null | sed 's/^/#   /' >&2
	fi
	if [ -n "$REINC_KEEP" ] && [ "$_rc" -ne 0 ] && [ "$_rc" -ne 77 ]; then
		echo "# kept $RT" >&2
	else
		rm -rf "$RT"
	fi
	exit "$_rc"
}

trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# zero_loss LABEL KILLS: two clients hammer LABEL (an svc) as fast as they
# can while its instance is killed KILLS times, each kill once the
# instance has run past -reset-after (150 ms) so that the back-off stays
# at "restart at once".  Fails unless every request was answered or (the
# one in service at a death) answered EDEADSRCDST, nothing else failed,
# and at most KILLS were dead.  Leaves the client outputs in $RT/c1.out and
# $RT/c2.out for further checks.
zero_loss()
{
	_zl=$1 _kills=$2
	bg c1 "$CLIENT" "$_zl" -n 0 -loop-until-file "$RT/stop" -expect-errors -timeout 10
	_c1=$BG_PID
	bg c2 "$CLIENT" "$_zl" -n 0 -loop-until-file "$RT/stop" -expect-errors -timeout 10
	_c2=$BG_PID
	_t0=$(now_ms)
	_i=0
	while [ "$_i" -lt "$_kills" ]; do
		alive "$_c1" || fail "client 1 ended early: $(tail -n 5 "$RT/c1.out")"
		alive "$_c2" || fail "client 2 ended early: $(tail -n 5 "$RT/c2.out")"
		wait_for -t 5 -m "kill $_i: instance healthy past -reset-after" \
			_zl_healthy "$_zl"
		_p=$(pid_of "$_zl")
		kill -9 "$_p"
		wait_restarted "$_zl" "$_p" 5
		_i=$((_i + 1))
	done
	log "$_kills kills in $(($(now_ms) - _t0)) ms"
	touch "$RT/stop"
	wait "$_c1"
	_rc1=$?
	wait "$_c2"
	_rc2=$?
	log "client 1: $(grep -E '^(sent|pids)=' "$RT/c1.out" | tr '\n' ' ')"
	log "client 2: $(grep -E '^(sent|pids)=' "$RT/c2.out" | tr '\n' ' ')"
	[ "$_rc1" -eq 0 ] || fail "client 1 exited $_rc1: $(tail -n 5 "$RT/c1.out")"
	[ "$_rc2" -eq 0 ] || fail "client 2 exited $_rc2: $(tail -n 5 "$RT/c2.out")"
	_dead=0
	for _c in c1 c2; do
		_sent=$(summary_field "$RT/$_c.out" sent)
		_ok=$(summary_field "$RT/$_c.out" ok)
		_d=$(summary_field "$RT/$_c.out" dead)
		_other=$(summary_field "$RT/$_c.out" other)
		[ "$_other" = 0 ] || fail "$_c: $_other requests failed otherwise"
		[ $((_ok + _d)) -eq "$_sent" ] ||
			fail "$_c: sent $_sent, ok $_ok, dead $_d: lost some"
		_dead=$((_dead + _d))
	done
	# one request in service per instance at most
	[ "$_dead" -le "$_kills" ] || fail "$_dead requests dead for $_kills kills"
}

_zl_healthy()
{
	_u=$(status_field "$1" uptime_ms)
	[ "${_u:-0}" -ge 150 ]
}
