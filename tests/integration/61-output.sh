#!/bin/sh
# Each line a service writes to stdout or stderr appears in reincd's
# output as "LABEL: line".
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label out -args print
wait_log '^out: svc: started pid=[0-9]+ label=out '
# stderr: the message of SEF's crashing init callback
expect_rc 215 reinc up "$SVC" -label err -args initcrash
wait_log '^err: Simulating a crash at initialization time\.\.\.$'
exit 0
