#!/bin/sh
# Signals as process events, with the semaphore example (ref §8 item 110,
# MINIX's test88): a caught signal interrupts a blocked "semop" with EINTR,
# and the process's handler runs only after the service has answered;
# killing a waiting process cancels its wait (a later unit goes to the
# next waiter, not to the dead one); a process killed while holding a unit
# has it released.  Without any signal subscriber a signal does not
# interrupt the wait (the handler runs, the request goes on).
. "$(dirname "$0")/lib.sh"
start_reincd
SEMA=$B/examples/sema/sema
SC=$B/examples/sema/sema_client

reinc up "$SEMA" -label sema || fail "up sema"
_value1() { [ "$("$SC" get 1)" = "1 value 1 waiting 0" ]; }
_waiting() { [ "$("$SC" get "$1" | sed 's/.* waiting //')" = "$2" ]; }

# a caught signal: EINTR, handler after the answer
bg w1 "$SC" down 0
w1=$BG_PID
wait_for -m "w1 to wait" _waiting 0 1
kill -USR1 "$w1"
wait_dead "$w1"
wait "$w1"; rc=$?
[ "$rc" = 4 ] || fail "w1 exited $rc, expected 4 (EINTR): $(cat "$RT/w1.out")"
[ "$(cat "$RT/w1.out")" = "signal 10 handled
down 0: interrupted (EINTR)" ] || fail "w1 said: $(cat "$RT/w1.out")"
wait_log "sema: endpoint [0-9]+ interrupted by a signal"
_waiting 0 0 || fail "w1 still counted as waiting"

# kill -9 a waiter: its wait is cancelled
bg w2 "$SC" down 0
w2=$BG_PID
wait_for -m "w2 to wait" _waiting 0 1
kill -9 "$w2"
wait_for -m "w2's wait to be cancelled" _waiting 0 0
bg w3 "$SC" down 0
w3=$BG_PID
wait_for -m "w3 to wait" _waiting 0 1
"$SC" up 0 >/dev/null || fail "up 0"
wait_dead "$w3"
wait "$w3" || fail "w3: $(cat "$RT/w3.out")"
grep -q '^down 0: ok$' "$RT/w3.out" || fail "w3 said: $(cat "$RT/w3.out")"

# a holder killed: its unit goes to the next waiter
"$SC" up 1 >/dev/null || fail "up 1"
bg h "$SC" hold 1
h=$BG_PID
wait_for -m "h to hold" grep -q '^holding 1$' "$RT/h.out"
bg w4 "$SC" down 1
w4=$BG_PID
wait_for -m "w4 to wait" _waiting 1 1
kill -9 "$h"
wait_dead "$w4"
wait "$w4" || fail "w4: $(cat "$RT/w4.out")"
wait_log "sema: endpoint [0-9]+ exited holding 1 of semaphore 1: released"
# w4 exited holding the unit it got: released again
wait_for -m "w4's unit to come back" _value1


# nobody subscribed to signals: the handler runs, the wait goes on
reinc down sema
reinc up "$B/tests/services/evsvc" -label sema -args "-dir $RT -mask 1" ||
    fail "up evsvc as sema"
bg w5 "$B/tests/services/evsvc" -ctl sema wait
w5=$BG_PID
sleep 0.3
kill -USR1 "$w5"
wait_for -m "w5's handler" grep -q '^handler ran$' "$RT/w5.out"
sleep 0.2
alive "$w5" || fail "w5 stopped waiting: $(cat "$RT/w5.out")"
grep -q "event [0-9]* signal" "$RT/sema.events" &&
    fail "a signal event without a signal subscriber"
kill "$w5"
