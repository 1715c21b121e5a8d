#!/bin/sh
# Requests naming an unknown label fail with ESRCH (ref §8 item 46).
. "$(dirname "$0")/lib.sh"
start_reincd

for sub in down refresh restart clone unclone lookup; do
	expect_rc 3 reinc "$sub" nosuch
done
expect_rc 3 reinc status nosuch
expect_rc 3 reinc status nosuch --json
expect_rc 3 reinc edit self -label nosuch -period 1s
expect_rc 3 "$CLIENT" nosuch
exit 0
