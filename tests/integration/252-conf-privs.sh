#!/bin/sh
# Privileges from system.conf (issue 6): each one enforced.
#  - uid/gid: the service runs as the user and group given (root only);
#  - rlimit: its limits are set before exec;
#  - system: a seccomp allow-list; a call outside it kills the service and
#    reincd's log names the call and the service; with the group that has
#    the call, the same service runs;
#  - ipc: a configured service talks to services only (ALL_SYS, MINIX's
#    default): a user process's request is refused with EPERM and logged;
#    `ipc USER` lets it in; a service whose list lacks ds cannot use the
#    data store;
#  - control: a service running as another user may manage the services
#    its control list names, and nothing else (EPERM, logged).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ds-lib.inc"
start_reincd
root=
[ "$(id -u)" = 0 ] && root=1
EV=$B/tests/services/evsvc
chmod 755 "$RT"       # a service running as nobody writes in $RT/w
mkdir "$RT/w" && chmod 777 "$RT/w"

# --- system: seccomp
cat >"$RT/sys.conf" <<EOF
service svc { path /x; args mkdir $RT/w/made print; system BASIC; };
EOF
expect_rc 215 reinc up "$SVC" -label sc -config "$RT/sys.conf"
wait_log "service 'sc': failed to initialise \(killed: system call [0-9]+ \(mkdir\) is not in its 'system' list\)"
[ -d "$RT/w/made" ] && fail "mkdir ran"
cat >"$RT/sys2.conf" <<EOF
service svc { path /x; args mkdir $RT/w/made print; system BASIC @file; };
EOF
expect_rc 0 reinc up "$SVC" -label sc2 -config "$RT/sys2.conf"
[ -d "$RT/w/made" ] || fail "mkdir did not run with @file"
cat >"$RT/sys3.conf" <<EOF
service svc { path /x; system BASIC no_such_call; };
EOF
expect_rc 22 reinc up "$SVC" -label sc3 -config "$RT/sys3.conf"
case $OUT in *"unknown system call 'no_such_call'"*) ;; *) fail "sc3: $OUT" ;; esac

# --- rlimit
printf 'service svc { path /x; rlimit nofile 64 128; rlimit core 0; };\n' >"$RT/rl.conf"
expect_rc 0 reinc up "$SVC" -label rl -config "$RT/rl.conf"
grep -Eq '^Max open files +64 +128 ' "/proc/$(pid_of rl)/limits" ||
    fail "nofile: $(grep 'open files' "/proc/$(pid_of rl)/limits")"

# --- ipc
printf 'service hello { path /x; };\n' >"$RT/h.conf"
expect_rc 0 reinc up "$HELLO" -label h1 -config "$RT/h.conf"
expect_rc 1 "$HELLO_CLIENT" h1
case $OUT in *"Operation not permitted"*) ;; *) fail "h1: $OUT" ;; esac
wait_log "ipc: user process [0-9]+ may not send to service 'h1' \(their ipc lists\), EPERM"
printf 'service hello { path /x; ipc USER ds; };\n' >"$RT/h2.conf"
expect_rc 0 reinc up "$HELLO" -label h2 -config "$RT/h2.conf"
expect_rc 0 "$HELLO_CLIENT" h2
printf 'service dssvc { path /x; ipc USER; args -dir %s; };\n' "$RT" >"$RT/d.conf"
expect_rc 0 reinc up "$DSSVC" -label nods -config "$RT/d.conf"
echo "pub u32 k 1" >"$RT/nods.cmd"
expect_rc 0 "$DSSVC" -run nods -dir "$RT"
case $OUT in *EPERM*) ;; *) fail "ds from a service without ds in ipc: $OUT" ;; esac
wait_log "ipc: service 'nods' may not send to service 'ds'"

# --- uid, gid, control (need root: the service runs as nobody)
if [ -n "$root" ]; then
	cat >"$RT/ev.conf" <<EOF
service evsvc { path /x; uid nobody; ipc ALL; control t1; args -dir $RT/w -mask 0; };
EOF
	expect_rc 0 reinc up "$SVC" -label t1 -args termhandler
	expect_rc 0 reinc up "$SVC" -label t2 -args termhandler
	expect_rc 0 reinc up "$EV" -label boss -config "$RT/ev.conf"
	p=$(pid_of boss)
	u=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$p/status")
	[ "$u" = "65534 65534 65534 65534" ] || fail "uid: $u"
	g=$(awk '/^Gid:/ { print $2 }' "/proc/$p/status")
	[ "$g" = "$(id -g nobody)" ] || fail "gid: $g"
	gs=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$p/status" | tr -d ' ')
	[ -z "$gs" ] || [ "$gs" = "$g" ] ||
	    fail "supplementary groups kept: $(grep Groups "/proc/$p/status")"
	p1=$(pid_of t1)
	ev_ctl() { OUT=$("$EV" -ctl "$@" 2>&1) || fail "evsvc -ctl $*: $OUT"; }
	ev_ctl boss manage refresh t1
	[ "$OUT" = "OK 0" ] || fail "boss refresh t1: $OUT"
	wait_restarted t1 "$p1"
	p2=$(pid_of t2)
	ev_ctl boss manage down t2
	[ "$OUT" = EPERM ] || fail "boss down t2: $OUT"
	wait_log "service 'boss': may not manage 't2' \(control\), EPERM"
	[ "$(pid_of t2)" = "$p2" ] || fail "t2 was touched"
	ev_ctl boss manage down nosuch
	[ "$OUT" = EPERM ] || fail "boss down nosuch: $OUT"
	# gid on its own
	printf 'service svc { path /x; uid 65534; gid 0; };\n' >"$RT/g.conf"
	expect_rc 0 reinc up "$SVC" -label g0 -config "$RT/g.conf"
	g=$(awk '/^Gid:/ { print $2 }' "/proc/$(pid_of g0)/status")
	[ "$g" = 0 ] || fail "gid 0: $g"
else
	log "not root: uid, gid and control not checked"
	# a service cannot be given a uid reincd does not have
	printf 'service svc { path /x; uid 0; };\n' >"$RT/u.conf"
	expect_rc 1 reinc up "$SVC" -label u0 -config "$RT/u.conf"
	wait_log "service 'u0': cannot start .*: setresuid: Operation not permitted"
fi
exit 0
