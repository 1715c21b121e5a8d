#!/bin/sh
# reincd -c FILE (issue 6): a MINIX-style system.conf with classes boots
# in order.  A class (no path) is never started; its settings apply where
# `class` names it, later ones override; MINIX keywords without a Linux
# meaning (irq, io, priority, ...) are accepted and reported once each;
# a service with `after` starts only once those have completed their init,
# the others at once; `reinc up -config FILE` uses the entry named after
# the program, as MINIX's service(8), and the command line wins.
. "$(dirname "$0")/lib.sh"
CONF=$(mktemp /tmp/reinc-conf.XXXXXX) || fail mktemp
cat >"$CONF" <<EOF
# the class every driver includes
service driver {
	ipc ALL;
	system ALL;
	irq 7;            # MINIX only: reported, ignored
	io 3f8:8;
	priority 4;
	period 2s;
};
service slowclass { class driver; args print initsleep 400 termhandler; };
service c3 { class driver; path $SVC; after c2; args print termhandler; };
service c2 {
	class slowclass;
	path $SVC;
	after c1;
	period 500ms;     # overrides the class's 2s
};
service c1 { class slowclass; path $SVC; };
service free { class driver; path $SVC; args print termhandler; irq 9; };
EOF
start_reincd -c "$CONF"
rm -f "$CONF"
wait_state c3 running
wait_state free running
for l in driver slowclass; do
	reinc status "$l" >/dev/null 2>&1 && fail "class $l was started"
done
# order of completed inits: free (no after) before c1 (slow), c1 < c2 < c3
_line() { grep -n "service '$1': up" "$RT/reincd.out" | head -n 1 | cut -d: -f1; }
f=$(_line free) a=$(_line c1) b=$(_line c2) c=$(_line c3)
[ -n "$f" ] && [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] || fail "missing up lines"
[ "$f" -lt "$a" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] ||
    fail "boot order: free $f c1 $a c2 $b c3 $c"
# c2 was started only after c1's init (400 ms) was over, not before
t1=$(status_field c1 uptime_ms) t2=$(status_field c2 uptime_ms)
[ $((t1 - t2)) -ge 300 ] || fail "c2 started $((t1 - t2)) ms after c1, not after its init"
[ "$(status_field c2 period_ms)" = 500 ] || fail "c2 period $(status_field c2 period_ms)"
[ "$(status_field c3 period_ms)" = 2000 ] || fail "c3 period $(status_field c3 period_ms)"
for k in irq io priority; do
	n=$(grep -c "keyword '$k' has no meaning on Linux: ignored" "$RT/reincd.out")
	[ "$n" = 1 ] || fail "'$k' reported $n times"
done
log_has "boot: every service of .* is up" || fail "no end-of-boot line"

# reinc up -config: the entry named after the program (svc)
printf 'service svc { path /ignored; args print; period 700ms; env A=1; };\n' \
    >"$RT/svc.conf"
expect_rc 0 reinc up "$SVC" -label viaconf -config "$RT/svc.conf"
[ "$(status_field viaconf period_ms)" = 700 ] || fail "-config period"
expect_rc 0 reinc up "$SVC" -label cli -period 300ms -config "$RT/svc.conf"
[ "$(status_field cli period_ms)" = 300 ] || fail "the command line should win"
# MINIX's own entries parse (kernel calls, vm, io, irq, pci, sigmgr...:
# reported and ignored); one named after svc starts
cat >"$RT/minix.conf" <<EOF
service rs
{
	uid     0;
	ipc	ALL;		# ALL ipc targets allowed
	system	ALL;		# ALL kernel calls allowed
	vm				# Extra VM calls allowed:
		RS_SET_PRIV	# 37
		RS_UPDATE	# 41
		;
	io	ALL;		# ALL I/O ranges allowed
	irq	ALL;		# ALL IRQs allowed
	sigmgr          SELF;	# Signal manager is SELF
	scheduler	KERNEL;	# Scheduler is KERNEL
	priority	 4;	# priority queue 4
	quantum		500;	# default server quantum
};
service svc
{
	type	net;
	descr	"Intel PRO/1000 Gigabit";
	system
		UMAP		# 14
		IRQCTL		# 19
		DEVIO		# 21
	;
	pci device	8086:100e;
	pci device	8086:107c;
	ipc
		SYSTEM USER pm rs log tty ds vm
		pci inet lwip
		;
};
EOF
expect_rc 0 reinc up "$SVC" -label mx -config "$RT/minix.conf"
for w in "keyword 'pci' has no meaning" "keyword 'system IRQCTL' (a MINIX kernel call)"; do
	case $OUT in *"$w"*) ;; *) fail "no warning '$w': $OUT" ;; esac
done
wait_state mx running
cp "$SVC" "$RT/other"
expect_rc 3 reinc up "$RT/other" -config "$RT/svc.conf"
case $OUT in *"service 'other' not found in '$RT/svc.conf'"*) ;;
*) fail "missing entry: $OUT" ;; esac
exit 0
