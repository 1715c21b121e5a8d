#!/bin/sh
# examples/run.sh - what `make run` runs: reincd in the foreground booting
# the example system from examples/system.conf (hello; crashy, which
# crashes every 5-15 s to show recovery; sema).  Ctrl-C stops reincd,
# which brings its services down.
#
# Environment: REINC_BUILD (default build), REINC_RUNTIME_DIR (default: a
# new temporary directory).

B=${REINC_BUILD:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
for f in "$B/bin/reincd" "$B/bin/reinc" "$B/examples/hello/hello" \
         "$B/examples/crashy/crashy" "$B/examples/sema/sema"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f is missing; run make first" >&2
		exit 1
	fi
done

if [ -n "$REINC_RUNTIME_DIR" ]; then
	dir=$REINC_RUNTIME_DIR
	mkdir -p "$dir" || exit 1
else
	dir=$(mktemp -d /tmp/reinc-run.XXXXXX) || exit 1
fi
export REINC_RUNTIME_DIR="$dir"

cat <<BANNER
reincd is starting in $dir and boots examples/system.conf:
  hello   MINIX's hello driver (period 1s, seccomp, ipc ALL)
  crashy  answers like an echo server and aborts after 5-15 s (after hello)
  sema    semaphores: sema_client down 0 blocks; kill -USR1 it: EINTR

From another terminal:
  export REINC_RUNTIME_DIR=$dir
  $B/examples/hello/hello_client -n 3   # open "/dev/hello" three times
  $B/examples/sema/sema_client down 0   # waits; from a third: ... up 0
  $B/bin/reinc status                   # labels, endpoints, pids, restarts
  kill -9 PID                           # a pid from status: watch recovery
  $B/bin/reinc down hello               # and reinc up/refresh/restart ...

Ctrl-C stops reincd and every service.
BANNER

# The example system: examples/system.conf with the build directory in.
sed "s|@B@|$B|g" "$(dirname "$0")/system.conf" >"$dir/system.conf" || exit 1
echo "run.sh: booting $dir/system.conf (hello, crashy after hello, sema)"
exec "$B/bin/reincd" -r "$dir" -c "$dir/system.conf"
