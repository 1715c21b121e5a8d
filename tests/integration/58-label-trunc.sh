#!/bin/sh
# Labels longer than 15 characters are truncated (ref §8 item 58).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label abcdefghijklmnopqrstuvwxyz
[ "$(status_field abcdefghijklmno label)" = abcdefghijklmno ] ||
	fail "no service labelled abcdefghijklmno: $(reinc status)"
expect_rc 0 reinc lookup abcdefghijklmno
expect_rc 0 "$CLIENT" abcdefghijklmno
expect_rc 16 reinc up "$SVC" -label abcdefghijklmnoXYZ
exit 0
