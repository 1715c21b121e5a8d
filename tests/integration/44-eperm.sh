#!/bin/sh
# Managing services needs root (or reincd's own user): up, down, refresh
# by another user fail with EPERM (ref §8 item 44).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to run reinc as another user"
if command -v setpriv >/dev/null 2>&1; then
	set -- setpriv --reuid=65534 --regid=65534 --clear-groups
elif command -v runuser >/dev/null 2>&1; then
	set -- runuser -u nobody --
else
	skip "neither setpriv nor runuser"
fi
start_reincd
chmod 755 "$RT"
cp "$REINC_BIN" "$RT/reinc"
chmod 755 "$RT/reinc"
"$@" true 2>/dev/null || skip "cannot switch to uid 65534 here"

expect_rc 1 "$@" env REINC_RUNTIME_DIR="$RT" "$RT/reinc" up "$SVC" -label np
expect_rc 3 reinc lookup np
expect_rc 0 reinc up "$SVC" -label mine
p=$(pid_of mine)
expect_rc 1 "$@" env REINC_RUNTIME_DIR="$RT" "$RT/reinc" down mine
expect_rc 1 "$@" env REINC_RUNTIME_DIR="$RT" "$RT/reinc" refresh mine
expect_rc 1 "$@" env REINC_RUNTIME_DIR="$RT" "$RT/reinc" shutdown
[ "$(pid_of mine)" = "$p" ] || fail "the service was touched"
exit 0
