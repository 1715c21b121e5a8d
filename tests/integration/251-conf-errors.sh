#!/bin/sh
# A bad system.conf is refused before anything starts (issue 6): reincd -c
# exits 2 with FILE:LINE and what was expected, for a syntax error, a bad
# value, an `after` naming no service (or a class), a cycle, a binary that
# is missing and an unknown system call; nothing is left running.  `reinc up -config` gives the same messages.  (Every
# message of the parser is checked by the unit test test_sysconf.)
. "$(dirname "$0")/lib.sh"
start_reincd     # for reinc up -config below; its directory holds the files
D=$RT/conf
mkdir "$D" || fail "mkdir"
RUNDIR=$D/rt

# check NAME 'EXPECTED MESSAGE' < file
check()
{
	cat >"$D/$1.conf"
	out=$("$REINCD" -r "$RUNDIR" -c "$D/$1.conf" 2>&1)
	rc=$?
	[ "$rc" = 2 ] || { echo "$out" >&2; fail "$1: reincd exited $rc, not 2"; }
	case $out in
	*"$D/$1.conf:$2"*) ;;
	*) fail "$1: expected '$D/$1.conf:$2', got: $out" ;;
	esac
	[ -S "$RUNDIR/reincd.sock" ] && fail "$1: reincd got as far as its socket"
	return 0
}

check semi '3: expected '"';'"' after the values of '"'path'"', found '"'}'"'' <<EOF
service a {
	path /bin/true
};
EOF
check brace "1: expected '{' after 'service a', found a word" <<EOF
service a path /bin/true; };
EOF
check after_brace "2: expected ';' after '}' of service 'a', found the end of the file" <<EOF
service a { path /bin/true; }
EOF
check keyword "1: expected 'service', found a word" <<EOF
servce a { path /bin/true; };
EOF
check string "2: unterminated string" <<EOF
service a { path /bin/true;
	descr "no end;
};
EOF
check twice "2: service 'a' defined twice (first at line 1)" <<EOF
service a { path /bin/true; };
service a { path /bin/true; };
EOF
check relpath "1: 'path' must be an absolute path, not 'bin/true'" <<EOF
service a { path bin/true; };
EOF
check period "1: 'period': bad duration 'soon'" <<EOF
service a { path /bin/true; period soon; };
EOF
check class "1: class 'nosuch' is not defined" <<EOF
service a { path /bin/true; class nosuch; };
EOF
check missing "1: service 'a' starts after 'b', which is not in the file" <<EOF
service a { path /bin/true; after b; };
EOF
check isclass "2: service 'a' starts after 'k', which is a class (no path)" <<EOF
service k { period 1s; };
service a { path /bin/true; after k; };
EOF
check cycle "1: a cycle in 'after': x after z after y after x" <<EOF
service x { path /bin/true; after z; };
service y { path /bin/true; after x; };
service z { path /bin/true; after y; };
EOF
check nobin "1: service 'a': /nonexistent/bin: No such file or directory" <<EOF
service a { path /nonexistent/bin; };
EOF
check nocall "1: service 'a': system: unknown system call 'frobnicate'" <<EOF
service a { path /bin/true; system BASIC frobnicate; };
EOF

# the same parser behind reinc up -config
printf 'service svc {\n\tpath %s\n};\n' "$SVC" >"$RT/bad.conf"
expect_rc 22 reinc up "$SVC" -config "$RT/bad.conf"
case $OUT in *"$RT/bad.conf:3: expected ';' after the values of 'path', found '}'"*) ;;
*) fail "reinc -config: $OUT" ;; esac
reinc status svc >/dev/null 2>&1 && fail "svc was started"
exit 0
