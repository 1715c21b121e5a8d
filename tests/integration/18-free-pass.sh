#!/bin/sh
# A hung service is not killed while another service is initialising
# (the "free pass"); it is once that is over (ref §8 item 18).
. "$(dirname "$0")/lib.sh"
start_reincd -init-time 1s

expect_rc 0 reinc up "$SVC" -label a -period 200ms
pa=$(pid_of a)
# b hangs in its init: it stays "starting" for 2 x 1 s
expect_rc 0 reinc -n up "$SVC" -label b -args inithang
[ "$(state_of b)" = starting ] || fail "b is '$(state_of b)', not starting"
bg hang "$CLIENT" a -type hang -expect-errors -timeout 0
# a would be killed after 400 ms; give it three times that
sleep 1.2
[ "$(state_of b)" = starting ] ||
	fail "b stopped initialising too early ($(state_of b)): check void"
[ "$(pid_of a)" = "$pa" ] || fail "a was killed while b was initialising"
wait_gone b 5
wait_restarted a "$pa" 5
exit 0
