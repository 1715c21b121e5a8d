#!/bin/sh
# Zero loss without a standby: the same check as 90-zero-loss.sh, with
# recovery spawning a new instance each time (30 kills).
. "$(dirname "$0")/lib.sh"
KILLS=${ZL_KILLS:-30}
start_reincd

expect_rc 0 reinc up "$SVC" -label zs -reset-after 100ms
zero_loss zs "$KILLS"
exit 0
