#!/bin/sh
# up with a label in use fails with EBUSY (ref §8 item 45).
. "$(dirname "$0")/lib.sh"
start_reincd

expect_rc 0 reinc up "$SVC" -label dup
p=$(pid_of dup)
expect_rc 16 reinc up "$SVC" -label dup
expect_rc 16 reinc -n up "$SVC" -label dup
[ "$(pid_of dup)" = "$p" ] || fail "the running service was touched"
# the default label is the binary's name
expect_rc 0 reinc up "$SVC"
[ "$(state_of svc)" = running ] || fail "no service labelled 'svc'"
expect_rc 16 reinc up "$SVC"
# "rs" is reincd's own label (the owner of labels in the data store), and
# "ds" the data store's, which reincd started at boot
expect_rc 16 reinc up "$SVC" -label rs
printf '%s\n' "$OUT" | grep -q "reincd's own" || fail "no reason given: $OUT"
expect_rc 16 reinc up "$SVC" -label ds
exit 0
