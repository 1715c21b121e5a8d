#!/bin/sh
# tests/install-check.sh - does `make install` give a service author what
# the documentation promises?  Installs into a temporary PREFIX, then
# builds and runs a tiny service exactly as a user would:
#
#     cc svc.c $(pkg-config --cflags --libs libsef)
#
# Prints one line, "ok - install and pkg-config" or "not ok - ...: why"
# (details follow on later lines), and exits 0 or 1.  Without pkg-config
# it prints "ok - install # SKIP pkg-config missing" and exits 0.  Run by
# tests/run.sh (from `make check`) with REINC_BUILD set; the build
# directory's sanitizer, if any, is used for the install and the service
# too (a sanitized libsef.so cannot be loaded by an unsanitized program).

cd "$(dirname "$0")/.." || exit 1
NAME="install and pkg-config"

if ! command -v pkg-config >/dev/null 2>&1; then
	echo "ok - install # SKIP pkg-config missing"
	exit 0
fi

# build -> no sanitizer; build-address-undefined -> address,undefined
case $(basename "${REINC_BUILD:-build}") in
build-*) san=$(basename "$REINC_BUILD" | sed 's/^build-//; s/-/,/g') ;;
*) san= ;;
esac

tmp=$(mktemp -d /tmp/reinc-install.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
prefix=$tmp/prefix

fail()
{
	echo "not ok - $NAME: $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 30 "$2" | sed 's/^/#   /'
	exit 1
}

if [ -n "$san" ]; then
	make install PREFIX="$prefix" SANITIZER="$san" >"$tmp/make.log" 2>&1 \
	    </dev/null || fail "make install failed" "$tmp/make.log"
else
	make install PREFIX="$prefix" >"$tmp/make.log" 2>&1 </dev/null ||
		fail "make install failed" "$tmp/make.log"
fi

for f in bin/reincd bin/reinc; do
	[ -x "$prefix/$f" ] || fail "$f not installed"
done
for f in lib/libsef.a lib/libsef.so.0 lib/libsef.so include/sef.h \
    lib/pkgconfig/libsef.pc; do
	[ -e "$prefix/$f" ] || fail "$f not installed"
done

PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs libsef 2>"$tmp/pc.log") ||
	fail "pkg-config does not find libsef" "$tmp/pc.log"

# A service as the manual shows one; "--check" exits before
# sef_startup(), so that no reincd is needed to see it load and run.
cat >"$tmp/svc.c" <<'EOF'
#include <sef.h>
#include <stdio.h>
#include <string.h>

static int init_fresh(int type, sef_init_info_t *info)
{
	(void)type;
	(void)info;
	return 0;
}

int main(int argc, char **argv)
{
	message m;

	if (argc > 1 && strcmp(argv[1], "--check") == 0) {
		puts("linked");
		return 0;
	}
	sef_setcb_init_fresh(init_fresh);
	if (sef_startup() < 0)
		return 1;
	for (;;) {
		if (sef_receive(ANY, &m) < 0)
			continue;
		m.m_type = 0;
		ipc_send(m.m_source, &m);
	}
}
EOF

sanflags=
[ -n "$san" ] && sanflags="-fsanitize=$san"
# shellcheck disable=SC2086 # $flags and $sanflags are lists of options
cc -std=c11 -Wall -Wextra -Werror $sanflags -o "$tmp/svc" "$tmp/svc.c" \
    $flags >"$tmp/cc.log" 2>&1 ||
	fail "cc svc.c \$(pkg-config --cflags --libs libsef) failed ($flags)" \
	    "$tmp/cc.log"
[ -x "$tmp/svc" ] || fail "no binary"

out=$("$tmp/svc" --check 2>"$tmp/run.log") ||
	fail "the service does not run" "$tmp/run.log"
[ "$out" = linked ] || fail "the service printed '$out'" "$tmp/run.log"

# It must use the installed shared library, not the build tree's.
if command -v ldd >/dev/null 2>&1; then
	ldd "$tmp/svc" >"$tmp/ldd.log" 2>&1
	grep -q "libsef.so.0 => $prefix/lib/libsef.so.0" "$tmp/ldd.log" ||
		fail "libsef.so.0 not loaded from $prefix/lib" "$tmp/ldd.log"
fi

echo "ok - $NAME"
exit 0
