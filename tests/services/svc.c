/*
 * svc.c - the configurable test service of the integration tests.
 *
 * One binary whose behaviour is picked by words in its arguments
 * (reinc up svc -args "noping print"), so that each test states what it
 * needs instead of carrying its own service.  It answers the requests of
 * svc.h (echo, init info, signal counts, and requests that make it hang,
 * block, crash or exit) whatever the words; the words change its SEF
 * callbacks:
 *
 *   print            print "svc: ..." lines (start, init, EINTR) to stdout
 *   initfail         fresh init returns -ENOSYS (sef_cb_init_fail)
 *   initcrash        fresh init aborts (sef_cb_init_crash)
 *   inithang         fresh init never returns (sef_cb_init_timeout)
 *   initfail-unless F  fresh init returns -ENOSYS unless file F exists
 *   initsleep MS     fresh init sleeps MS milliseconds, then succeeds
 *   noping           sef_setcb_ping_reply(sef_cb_ping_reply_null)
 *   countping        own ping callback: counts pings (SVC_INFO), then pongs
 *   termhandler      signal handler: count, then sef_cb_signal_handler_term
 *                    (exit on SIGTERM)
 *   cancel           signal handler: count, and sef_cancel() on SIGUSR1; the
 *                    main loop counts the -EINTR it then gets (SVC_SIGS)
 *   restartcb        restart init callback that records and returns 0
 *                    (a real "restart"; without it the default
 *                    sef_cb_init_reset makes it a "reset")
 *   restartfail      restart init callback returns -EINVAL
 *   mkdir DIR        fresh init calls mkdir(DIR) (seccomp tests); its
 *                    error fails the init
 *   showenv NAME     with print: also print "svc: env NAME=value" (or
 *                    "svc: env NAME unset") and "svc: cwd DIR" at start
 *
 *
 * Live update (SVC_ADD keeps a counter, SVC_LUINFO reports):
 *   lu               LU init restores the counter from the old instance's
 *                    blob (version 1), which state_save puts
 *   luregion         the counter is also kept in the region "svc-count"
 *                    (mapped at every init); SVC_ADD bumps both
 *   luscribble       LU init writes 999999 into the region, then fails
 *   lubump           LU init adds 1000 to the region's counter (and
 *                    succeeds): the write must survive the commit
 *   savefail         state_save returns -EIO
 *   isvalid-standard sef_cb_lu_state_isvalid_standard
 *   isvalid-custom   own isvalid: states 1, 2, 7 only
 *   prepare-ready    sef_cb_lu_prepare_always_ready
 *   prepare-after N  prepare callback: not ready for the first N calls
 *   (with lu, requests kept by SVC_DEFER travel in the blob too)
 *   fdstore          fresh init stores a memfd as "memo"; every init
 *                    retrieves it and reports its inode
 *
 * Without termhandler the signal handler only counts, i.e. SIGTERM is
 * ignored as with SEF's default, so `reinc down` escalates to SIGKILL.
 * Unknown words are an error (exit 2) so that a typo in a test shows.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sef.h>

#include "svc.h"

static struct {
	int print, countping, termhandler, cancel;
	int initsleep_ms;
	const char *initfail_unless, *showenv, *mkdir_path;
	int region, scribble, bump, fdstore, prepare_after;
} opt;

static struct {
	int type, restarts, flags, cbmask;
	endpoint_t old_ep, ep;
	int pings, events, requests, eintr, allsigs;
	int sigs[65];
	int counter, saves, changes, lastold, lastnew, blobver, prepares;
	long fdino;
	int32_t *region;
	int ndefer;
	struct { endpoint_t who; message m; } defer[16];
} st;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

static void record(int cb, int type, sef_init_info_t *info)
{
	st.cbmask |= cb;
	st.type = type;
	st.restarts = info->restarts;
	st.flags = info->flags;
	st.old_ep = info->old_endpoint;
	st.ep = info->endpoint;
	if (opt.print)
		printf("svc: init callback %s type=%d restarts=%d endpoint=%d "
		       "old_endpoint=%d\n",
		       cb == SVCCB_FRESH ? "fresh" : cb == SVCCB_LU ? "lu" :
		       "restart", type, info->restarts, info->endpoint,
		       info->old_endpoint);
}

/* What every init does with the region and the stored descriptor. */
static int init_state(int type)
{
	if (opt.region) {
		int created = 0;
		st.region = sef_region_map("svc-count", 4096, &created);
		if (!st.region) {
			fprintf(stderr, "svc: sef_region_map: %s\n",
			        strerror(errno));
			return -errno;
		}
		if (opt.print)
			printf("svc: region %s, counter %d\n",
			       created ? "created" : "found", (int)st.region[0]);
	}
	if (opt.fdstore) {
		int fd = sef_fd_retrieve("memo");
		if (fd == -ENOENT && type == SEF_INIT_FRESH) {
			fd = memfd_create("svc-memo", MFD_CLOEXEC);
			int r = fd < 0 ? -errno : sef_fd_store("memo", fd);
			if (r < 0) {
				fprintf(stderr, "svc: sef_fd_store: %s\n",
				        strerror(-r));
				return r;
			}
		}
		struct stat sb;
		if (fd >= 0 && fstat(fd, &sb) == 0)
			st.fdino = (long)sb.st_ino;
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static int init_fresh(int type, sef_init_info_t *info)
{
	record(SVCCB_FRESH, type, info);
	int r = init_state(type);
	if (r < 0)
		return r;
	if (opt.initsleep_ms > 0)
		sleep_ms(opt.initsleep_ms);
	if (opt.mkdir_path && mkdir(opt.mkdir_path, 0700) < 0)
		return -errno;
	if (opt.initfail_unless && access(opt.initfail_unless, F_OK) != 0) {
		if (opt.print)
			printf("svc: %s missing, failing init\n",
			       opt.initfail_unless);
		return -ENOSYS;
	}
	return 0;
}

static int init_restart_ok(int type, sef_init_info_t *info)
{
	record(SVCCB_RESTART, type, info);
	return init_state(type);
}

static int init_lu(int type, sef_init_info_t *info)
{
	record(SVCCB_LU, type, info);
	uint32_t ver;
	const void *p;
	size_t len;
	if (sef_lu_state_get(&ver, &p, &len) == 0 && len >= sizeof(int32_t) &&
	    (len - sizeof(int32_t)) % sizeof(st.defer[0]) == 0 &&
	    (len - sizeof(int32_t)) / sizeof(st.defer[0]) <= 16) {
		int32_t v;
		memcpy(&v, p, sizeof(v));
		st.counter = v;
		st.blobver = (int)ver;
		st.ndefer = (int)((len - sizeof(v)) / sizeof(st.defer[0]));
		memcpy(st.defer, (const char *)p + sizeof(v),
		       len - sizeof(v));
	}
	int r = init_state(type);
	if (r < 0)
		return r;
	if (opt.scribble && st.region) {
		st.region[0] = 999999;
		if (opt.print)
			printf("svc: scribbled on the region, failing init\n");
		return -EIO;
	}
	if (opt.bump && st.region)
		st.region[0] += 1000;
	if (opt.print)
		printf("svc: lu init: counter %d (blob version %d)\n",
		       st.counter, st.blobver);
	return 0;
}

static int lu_save(int state, int flags)
{
	st.saves++;
	if (opt.print)
		printf("svc: state_save state=%d counter=%d\n", state, st.counter);
	/* the counter, then the requests kept unanswered (SVC_DEFER) */
	char buf[sizeof(int32_t) + sizeof(st.defer)];
	int32_t v = st.counter;
	size_t n = sizeof(v) + (size_t)st.ndefer * sizeof(st.defer[0]);
	memcpy(buf, &v, sizeof(v));
	memcpy(buf + sizeof(v), st.defer, n - sizeof(v));
	return sef_lu_state_put(1, buf, n);
}

static int lu_save_fail(int state, int flags)
{
	st.saves++;
	return -EIO;
}

static void lu_changed(int old, int state)
{
	st.changes++;
	st.lastold = old;
	st.lastnew = state;
	if (opt.print)
		printf("svc: state_changed %d -> %d\n", old, state);
}

static int lu_isvalid_custom(int state, int flags)
{
	return state == 1 || state == 2 || state == 7;
}

static int lu_prepare_after(int state)
{
	st.prepares++;
	return st.prepares > opt.prepare_after ? 0 : -ENOTREADY;
}

static int init_restart_fail(int type, sef_init_info_t *info)
{
	record(SVCCB_RESTART, type, info);
	return -EINVAL;
}

static void ping_count(endpoint_t source)
{
	st.pings++;
	sef_cb_ping_reply_pong(source);
}

static void on_signal(int signo)
{
	st.allsigs++;
	if (signo > 0 && signo < 65)
		st.sigs[signo]++;
	if (opt.print)
		printf("svc: signal %d\n", signo);
	if (opt.cancel && signo == SIGUSR1)
		sef_cancel();
	if (opt.termhandler)
		sef_cb_signal_handler_term(signo);
}

/* A named function, so that the stack trace libsef prints can be checked
 * for it.  noinline keeps it a frame of its own.  The address is not
 * NULL, and hidden in a volatile, so that neither the compiler (a trap
 * instead of the store) nor UBSan (a report instead of the fault) gets in
 * the way: the store faults in the first page, which is never mapped. */
static volatile uintptr_t svc_bad_address = 16;
__attribute__((noinline)) void svc_crash_here(void);
__attribute__((noinline)) void svc_crash_here(void)
{
	*(volatile int *)svc_bad_address = 1;
}

static void usage(const char *word)
{
	fprintf(stderr, "svc: unknown or incomplete word '%s'\n", word);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "print"))
			opt.print = 1;
		else if (!strcmp(w, "initfail"))
			sef_setcb_init_fresh(sef_cb_init_fail);
		else if (!strcmp(w, "initcrash"))
			sef_setcb_init_fresh(sef_cb_init_crash);
		else if (!strcmp(w, "inithang"))
			sef_setcb_init_fresh(sef_cb_init_timeout);
		else if (!strcmp(w, "initfail-unless") && i + 1 < argc)
			opt.initfail_unless = argv[++i];
		else if (!strcmp(w, "initsleep") && i + 1 < argc)
			opt.initsleep_ms = atoi(argv[++i]);
		else if (!strcmp(w, "noping"))
			sef_setcb_ping_reply(sef_cb_ping_reply_null);
		else if (!strcmp(w, "countping"))
			sef_setcb_ping_reply(ping_count);
		else if (!strcmp(w, "termhandler"))
			opt.termhandler = 1;
		else if (!strcmp(w, "cancel"))
			opt.cancel = 1;
		else if (!strcmp(w, "restartcb"))
			sef_setcb_init_restart(init_restart_ok);
		else if (!strcmp(w, "showenv") && i + 1 < argc)
			opt.showenv = argv[++i];
		else if (!strcmp(w, "mkdir") && i + 1 < argc)
			opt.mkdir_path = argv[++i];
		else if (!strcmp(w, "restartfail"))
			sef_setcb_init_restart(init_restart_fail);
		else if (!strcmp(w, "lu")) {
			sef_setcb_init_lu(init_lu);
			sef_setcb_lu_state_save(lu_save);
		} else if (!strcmp(w, "luregion")) {
			opt.region = 1;
			sef_setcb_init_lu(init_lu);
		} else if (!strcmp(w, "luscribble"))
			opt.scribble = 1;
		else if (!strcmp(w, "lubump"))
			opt.bump = 1;
		else if (!strcmp(w, "savefail"))
			sef_setcb_lu_state_save(lu_save_fail);
		else if (!strcmp(w, "isvalid-standard"))
			sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
		else if (!strcmp(w, "isvalid-custom"))
			sef_setcb_lu_state_isvalid(lu_isvalid_custom);
		else if (!strcmp(w, "prepare-ready"))
			sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
		else if (!strcmp(w, "prepare-after") && i + 1 < argc) {
			opt.prepare_after = atoi(argv[++i]);
			sef_setcb_lu_prepare(lu_prepare_after);
		} else if (!strcmp(w, "fdstore"))
			opt.fdstore = 1;
		else
			usage(w);
	}
}

/* Handle one request; 1 if m now holds a reply to send. */
static int serve(message *m)
{
	int type = m->m_type;
	int noreply = m->m_i32[SVC_I_FLAGS] & SVCF_NOREPLY;  /* replies reuse it */

	st.requests++;
	switch (type) {
	case SVC_ECHO:
		break;
	case SVC_INFO:
		m->m_i32[SVCI_TYPE] = st.type;
		m->m_i32[SVCI_RESTARTS] = st.restarts;
		m->m_i32[SVCI_OLD_EP] = st.old_ep;
		m->m_i32[SVCI_EP] = st.ep;
		m->m_i32[SVCI_FLAGS] = st.flags;
		m->m_i32[SVCI_CBMASK] = st.cbmask;
		m->m_i32[SVCI_PINGS] = st.pings;
		m->m_i32[SVCI_EVENTS] = st.events;
		m->m_i32[SVCI_REQUESTS] = st.requests;
		break;
	case SVC_SIGS: {
		int signo = m->m_i32[SVC_I_ARG];
		m->m_i32[2] = signo > 0 && signo < 65 ? st.sigs[signo] : 0;
		m->m_i32[3] = st.allsigs;
		m->m_i32[4] = st.eintr;
		break;
	}
	case SVC_HANG:
		if (opt.print)
			printf("svc: hanging in a busy loop\n");
		for (volatile unsigned long n = 0;; n++)
			;
	case SVC_BLOCK:
		if (opt.print)
			printf("svc: blocking forever\n");
		for (;;)
			sleep(1000);
	case SVC_CRASH:
		if (opt.print)
			printf("svc: aborting\n");
		abort();
	case SVC_EXIT:
		if (opt.print)
			printf("svc: exiting\n");
		exit(0);
	case SVC_SEGV:
		svc_crash_here();
		break;
	case SVC_NOTIFY:
		ipc_notify(RS_PROC_NR);
		break;
	case SVC_ADD: {
		int add = m->m_i32[SVC_I_ARG];
		st.counter += add;
		m->m_i32[2] = st.counter;
		if (st.region) {
			st.region[0] += add;
			m->m_i32[3] = st.region[0];
		}
		break;
	}
	case SVC_DEFER:
		if (st.ndefer == 16) {
			type = -ENOSPC;
			break;
		}
		st.defer[st.ndefer].who = m->m_source;
		st.defer[st.ndefer].m = *m;
		st.ndefer++;
		return 0;
	case SVC_FLUSH: {
		int n = st.ndefer;
		for (int i = 0; i < n; i++) {
			message *d = &st.defer[i].m;
			d->m_i32[SVC_I_PID] = (int32_t)getpid();
			d->m_i32[SVC_I_EP] = sef_self();
			int r = ipc_send(st.defer[i].who, d);
			if (r < 0)
				fprintf(stderr, "svc: deferred reply to %d: %s\n",
				        st.defer[i].who, strerror(-r));
		}
		st.ndefer = 0;
		m->m_i32[2] = n;
		break;
	}
	case SVC_LUINFO:
		m->m_i32[SVCL_STATE] = sef_lu_state();
		m->m_i32[SVCL_SAVES] = st.saves;
		m->m_i32[SVCL_CHANGES] = st.changes;
		m->m_i32[SVCL_LASTOLD] = st.lastold;
		m->m_i32[SVCL_LASTNEW] = st.lastnew;
		m->m_i32[SVCL_BLOBVER] = st.blobver;
		m->m_i32[SVCL_COUNTER] = st.counter;
		m->m_i32[SVCL_FDINO] = (int32_t)st.fdino;
		m->m_i32[SVCL_PREPARES] = st.prepares;
		m->m_i32[SVCL_NDEFER] = st.ndefer;
		break;
	case SVC_SLEEP:
		if (opt.print)
			printf("svc: sleeping %d ms\n", m->m_i32[SVC_I_ARG]);
		sleep_ms(m->m_i32[SVC_I_ARG]);
		break;
	default:
		type = -ENOSYS;
	}
	if (noreply)
		return 0;
	m->m_type = type;
	m->m_i32[SVC_I_PID] = (int32_t)getpid();
	m->m_i32[SVC_I_EP] = sef_self();
	return 1;
}

int main(int argc, char **argv)
{
	/* Our output goes through a pipe to reincd: one line at a time. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Defaults first: the words may replace them. */
	sef_setcb_init_fresh(init_fresh);
	sef_setcb_signal_handler(on_signal);
	sef_setcb_lu_state_changed(lu_changed);
	parse_args(argc, argv);

	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "svc: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	if (opt.print) {
		printf("svc: started pid=%d label=%s endpoint=%d args:",
		       (int)getpid(), sef_self_label(), sef_self());
		for (int i = 1; i < argc; i++)
			printf(" %s", argv[i]);
		printf("\n");
		if (opt.showenv) {
			const char *v = getenv(opt.showenv);
			if (v)
				printf("svc: env %s=%s\n", opt.showenv, v);
			else
				printf("svc: env %s unset\n", opt.showenv);
			char cwd[4096];
			if (getcwd(cwd, sizeof(cwd)))
				printf("svc: cwd %s\n", cwd);
		}
	}

	for (;;) {
		message m;
		r = sef_receive(ANY, &m);
		if (r == -EINTR) {
			st.eintr++;
			if (opt.print)
				printf("svc: sef_receive: EINTR\n");
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "svc: sef_receive: %s\n", strerror(-r));
			return 1;
		}
		/* SEF must swallow its own events (ref §8 item 11). */
		if (m.m_source == RS_PROC_NR || m.m_source == SYSTEM ||
		    m.m_type == RS_INIT || m.m_type == RS_LU_PREPARE ||
		    m.m_type == SIGS_SIGNAL_RECEIVED) {
			st.events++;
			fprintf(stderr, "svc: SEF event returned to main loop: "
			        "source %d type %#x\n", m.m_source, m.m_type);
			continue;
		}
		endpoint_t who = m.m_source;
		if (serve(&m) && (r = ipc_send(who, &m)) < 0)
			fprintf(stderr, "svc: reply to %d: %s\n", who,
			        strerror(-r));
	}
}
