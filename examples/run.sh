#!/bin/sh
# examples/run.sh - what `make run` runs: reincd in the foreground with the
# example system (hello, and crashy, which crashes every 5-15 s to show
# recovery).  Ctrl-C stops reincd, which brings its services down.
#
# Environment: REINC_BUILD (default build), REINC_RUNTIME_DIR (default: a
# new temporary directory).

B=${REINC_BUILD:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
for f in "$B/bin/reincd" "$B/bin/reinc" "$B/examples/hello/hello" \
         "$B/examples/crashy/crashy"; do
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
reincd is starting in $dir with two example services:
  hello   MINIX's hello driver (-period 1s)
  crashy  answers like an echo server and aborts after 5-15 s (-period 1s)

From another terminal:
  export REINC_RUNTIME_DIR=$dir
  $B/examples/hello/hello_client -n 3   # open "/dev/hello" three times
  $B/bin/reinc status                   # labels, endpoints, pids, restarts
  kill -9 PID                           # a pid from status: watch recovery
  $B/bin/reinc down hello               # and reinc up/refresh/restart ...

Ctrl-C stops reincd and every service.
BANNER

# Bring the example system up once reincd listens.
(
	i=0
	while [ ! -S "$dir/reincd.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "run.sh: reincd did not come up in 10 s" >&2
			exit 1
		fi
		sleep 0.1
	done
	"$B/bin/reinc" up "$B/examples/hello/hello" -label hello -period 1s &&
	"$B/bin/reinc" up "$B/examples/crashy/crashy" -label crashy -period 1s &&
	echo "run.sh: hello and crashy are up; try '$B/bin/reinc status'"
) &

exec "$B/bin/reincd" -r "$dir"
