/*
 * sef.c - SEF proper: startup (the init protocol with reincd), the
 * receive loop that swallows system events, and the init, ping and signal
 * callbacks with MINIX's predefined implementations.
 *
 * A service started by reincd finds its control socket and liveness page
 * in the environment (REINC_CTL_FD, REINC_LIVE_FD), blocks until reincd's
 * init request arrives, runs the init callback for its type and reports.
 * Any other process joins reincd as a user process.  Live-update callbacks
 * live in sef_lu.c.  Not here: channels and messages (ipc.c).
 */
#include <errno.h>
#include <execinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sef_internal.h"

struct sef__state *sef__st;

static sef_cb_init_t cb_init_fresh = sef_cb_init_null;
static sef_cb_init_t cb_init_lu = sef_cb_init_lu_identity_as_fresh;
static sef_cb_init_t cb_init_restart = sef_cb_init_reset;
static sef_cb_init_response_t cb_init_response = sef_cb_init_response_rs_reply;
static sef_cb_ping_reply_t cb_ping = sef_cb_ping_reply_pong;
static sef_cb_signal_handler_t cb_signal = sef_cb_signal_handler_null;
static sef_cb_signal_manager_t cb_sigmgr = sef_cb_signal_manager_null;
static int receiving;

/* ------------------------------------------------------------------ */
/* registration                                                         */

SEF__SETCB(sef_setcb_init_fresh, sef_cb_init_t, cb_init_fresh)
SEF__SETCB(sef_setcb_init_lu, sef_cb_init_t, cb_init_lu)
SEF__SETCB(sef_setcb_init_restart, sef_cb_init_t, cb_init_restart)
SEF__SETCB(sef_setcb_init_response, sef_cb_init_response_t, cb_init_response)
SEF__SETCB(sef_setcb_signal_handler, sef_cb_signal_handler_t, cb_signal)
SEF__SETCB(sef_setcb_signal_manager, sef_cb_signal_manager_t, cb_sigmgr)

void sef_setcb_ping_reply(sef_cb_ping_reply_t cb)
{
	if (!cb)
		sef__die("sef_setcb_ping_reply: NULL callback");
	cb_ping = cb;
	/* Our own pong needs no pings while the liveness counter moves; any
	 * other callback is an application health check: ping every period. */
	if (sef__st && sef__st->live)
		atomic_store(&sef__st->live->custom_ping,
		             cb != sef_cb_ping_reply_pong);
}

/* ------------------------------------------------------------------ */
/* predefined callbacks                                                 */

int sef_cb_init_null(int type, sef_init_info_t *info) { return 0; }
int sef_cb_init_fail(int type, sef_init_info_t *info) { return -ENOSYS; }

/* The default LU init: the new instance starts from nothing, through the
 * fresh callback (with type LU).  Right for a stateless service; one with
 * state registers its own LU callback (sef_lu_state_get, regions). */
int sef_cb_init_lu_identity_as_fresh(int type, sef_init_info_t *info)
{
	return cb_init_fresh(type, info);
}
int sef_cb_init_reset(int type, sef_init_info_t *info) { return -ERESTART; }

int sef_cb_init_crash(int type, sef_init_info_t *info)
{
	fprintf(stderr, "Simulating a crash at initialization time...\n");
	fflush(stderr);
	abort();
}

int sef_cb_init_timeout(int type, sef_init_info_t *info)
{
	fprintf(stderr, "Simulating a timeout at initialization time...\n");
	fflush(stderr);
	for (;;)
		pause();
}

int sef_cb_init_response_null(message *m) { return -ENOSYS; }

int sef_cb_init_response_rs_reply(message *m)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	/* A successful fresh or restart init needs no answer: the instance
	 * may serve at once, which saves a round trip on every restart.  A
	 * failure waits (reincd kills the instance), and so will a live
	 * update, whose new instance must not run before the commit. */
	int nowait = m->m_i32[0] == 0 && m->m_i32[2] != SEF_INIT_LU;
	proto_begin(pb, P_INIT_REPLY, ++sef__st->ctl_id);
	proto_put_int(pb, T_RESULT, m->m_i32[0]);
	proto_put_int(pb, T_FLAGS, m->m_i32[1] | (nowait ? INITR_NOWAIT : 0));
	int r = nowait ? proto_send(sef__st->ctl_fd, pb, NULL, 0)
	               : sef__ctl_call(pb, NULL);
	free(pb);
	return r;
}

void sef_cb_ping_reply_pong(endpoint_t source) { ipc_notify(source); }
void sef_cb_ping_reply_null(endpoint_t source) { }

void sef_cb_signal_handler_null(int signo) { }

void sef_cb_signal_handler_term(int signo)
{
	if (signo == SIGTERM)
		sef_exit(0);
}

void sef_cb_signal_handler_posix_default(int signo)
{
	switch (signo) {
	case SIGCHLD: case SIGWINCH: case SIGCONT:
	case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return;
	default:
		sef_exit(0);
	}
}

int sef_cb_signal_manager_null(endpoint_t target, int signo) { return 0; }

/* ------------------------------------------------------------------ */
/* signals                                                              */

static const int lethal[] = { LIVE_LETHAL_SIGNALS };

/* backtrace() loads libgcc on first use, which allocates: do it once
 * outside the signal handler, but not on the restart path either - the
 * receive loop calls this the first time it is about to block idle. */
void sef__warm_backtrace(void)
{
	static int warm;
	if (warm)
		return;
	warm = 1;
	void *bt[2];
	backtrace(bt, 2);
}

/* Print a stack trace, then die of the same signal so that reincd sees
 * the real cause. */
static void lethal_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	/* a call outside the seccomp allow-list: reincd names it */
	if (sig == SIGSYS && si && si->si_code == 1 /* SYS_SECCOMP */ && sef__st &&
	    sef__st->live)
		atomic_store(&sef__st->live->sigsys, (uint32_t)si->si_syscall + 1);
	char buf[96];
	const char *name = sigabbrev_np(sig);
	int n = snprintf(buf, sizeof(buf),
	                 "libsef: fatal signal %d (SIG%s), backtrace:\n", sig,
	                 name ? name : "?");
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		{ /* nothing to do */ }
	void *bt[64];
	int nb = backtrace(bt, 64);
	backtrace_symbols_fd(bt, nb, 2);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int setup_signals(void)
{
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);

	struct sigaction sa = { .sa_sigaction = lethal_handler,
	                        .sa_flags = SA_ONSTACK | SA_RESETHAND |
	                                    SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(lethal) / sizeof(lethal[0]); i++)
		sigaction(lethal[i], &sa, NULL);

	sigset_t set;
	live_taken_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sef__st->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sef__st->sigfd < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* startup                                                              */

static int alloc_state(void)
{
	if (sef__st)
		return 0;
	/* Anonymous memory: zeroed and only touched where used. */
	void *p = mmap(NULL, sizeof(struct sef__state), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	sef__st = p;
	sef__st->sigfd = -1;
	sef__st->ctl_fd = -1;
	sef__st->epfd = -1;
	sef__st->self = NONE;
	sef__st->lu_blob_fd = -1;
	sef__st->rx_fd = -1;
	sef__st->usigfd = -1;
	return 0;
}

static int env_fd(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		return -1;
	char *end;
	long fd = strtol(v, &end, 10);
	unsetenv(name);
	return *end || fd < 0 || fd > 1 << 20 ? -1 : (int)fd;
}

static int run_init(int type, sef_init_info_t *info, int *rflags)
{
	int flags = info->flags;
	int r;

	*rflags = 0;
	if (flags & SEF_INIT_CRASH)
		r = sef_cb_init_crash(type, info);
	else if (flags & SEF_INIT_FAIL)
		r = sef_cb_init_fail(type, info);
	else if (flags & SEF_INIT_TIMEOUT)
		r = sef_cb_init_timeout(type, info);
	else {
		int defcb = flags & SEF_INIT_DEFCB;
		sef_cb_init_t fresh = defcb ? sef_cb_init_null : cb_init_fresh;
		switch (type) {
		case SEF_INIT_FRESH:
			r = fresh(type, info);
			break;
		case SEF_INIT_LU:
			r = defcb ? sef_cb_init_null(type, info)
			          : cb_init_lu(type, info);
			break;
		case SEF_INIT_RESTART:
			r = (defcb ? sef_cb_init_reset : cb_init_restart)(type, info);
			if (r == -ERESTART || r == ERESTART) {
				/* "reset": start without the old state, in this
				 * very instance; the endpoint stays. */
				*rflags = INITR_RESET;
				info->old_endpoint = NONE;
				sef__ds_reset();
				r = fresh(SEF_INIT_FRESH, info);
			}
			break;
		default:
			r = -EINVAL;
		}
	}
	return r > 0 ? -r : r;
}

static int startup_service(int ctl_fd, int live_fd)
{
	struct sef__state *st = sef__st;
	const char *pp = getenv("REINC_PPID");
	pid_t ppid = pp ? (pid_t)atoi(pp) : 0;
	unsetenv("REINC_PPID");

	/* Nothing outlives reincd. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ppid && getppid() != ppid)
		_exit(1);

	st->mode = SEF_MODE_SERVICE;
	st->ctl_fd = ctl_fd;
	void *p = mmap(NULL, LIVE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	               live_fd, 0);
	close(live_fd);
	if (p == MAP_FAILED)
		sef__die("cannot map the liveness page: %s", strerror(errno));
	st->live = p;
	if (st->live->magic != LIVE_MAGIC || st->live->version != LIVE_VERSION)
		sef__die("liveness page of another version");
	atomic_store(&st->live->custom_ping, cb_ping != sef_cb_ping_reply_pong);

	int r = setup_signals();
	if (r < 0)
		sef__die("cannot set up signals: %s", strerror(-r));
	if ((r = sef__ipc_init()) < 0)
		sef__die("cannot set up IPC: %s", strerror(-r));

	/* Nothing queued yet means we are a hot standby with time to spare:
	 * do the slow one-time work now rather than after the takeover.  (A
	 * cold instance finds its init request waiting and goes on.) */
	struct pollfd pf = { .fd = ctl_fd, .events = POLLIN };
	if (poll(&pf, 1, 0) == 0) {
		sef__warm_backtrace();
		st->warm = 1;
		/* Tell reincd we are ready for init: a live update asks the
		 * old instance to prepare only once its successor got here,
		 * so that the pause clients see does not include our exec. */
		struct proto_buf *pb = malloc(sizeof(*pb));
		if (pb) {
			proto_begin(pb, P_WAITING, 0);
			proto_send(ctl_fd, pb, NULL, 0);
			free(pb);
		}
	}

	/* Wait for init.  Anything else from reincd (a ping meant for a
	 * previous instance, ...) is dropped, as in MINIX. */
	for (;;) {
		int fds[PROTO_MAX_FDS], nfds = PROTO_MAX_FDS;
		r = sef__ctl_recv(1, fds, &nfds);
		if (r == -EPROTO)
			continue;
		if (r < 0)
			_exit(1);  /* reincd is gone */
		if (st->pm.type == P_INIT) {
			sef__lu_init_begin(&st->pm, fds, nfds);
			break;
		}
		if (st->pm.type == P_CHAN_ADD || st->pm.type == P_CHAN_DEL)
			sef__ctl_dispatch(&st->pm, fds, nfds);
		else
			for (int i = 0; i < nfds; i++)
				close(fds[i]);
	}
	struct proto_msg *pm = &st->pm;
	int type = (int)proto_int(pm, T_INIT_TYPE, SEF_INIT_FRESH);
	sef_init_info_t info = {
		.flags = (int)proto_int(pm, T_INIT_FLAGS, 0),
		.endpoint = (endpoint_t)proto_int(pm, T_EP, NONE),
		.old_endpoint = (endpoint_t)proto_int(pm, T_OLD_EP, NONE),
		.restarts = (int)proto_int(pm, T_RESTARTS, 0),
		.prepare_state = (int)proto_int(pm, T_LU_STATE, 0),
	};
	st->self = info.endpoint;
	snprintf(st->label, sizeof(st->label), "%s",
	         proto_str(pm, T_LABEL) ? proto_str(pm, T_LABEL) : "");
	info.label = st->label;

	int rflags;
	int result = run_init(type, &info, &rflags);
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = RS_INIT;
	m.m_i32[0] = result;
	m.m_i32[1] = rflags;
	m.m_i32[2] = type;
	r = cb_init_response(&m);
	/* A live update is committed once reincd answered OK. */
	sef__lu_init_end(result == 0 && r == 0);
	if (result < 0 || r < 0) {
		/* reincd kills a service whose init failed; wait for it */
		for (;;)
			pause();
	}
	atomic_store(&st->live->ready, 1);
	return 0;
}

static int startup_user(void)
{
	struct sef__state *st = sef__st;
	int fd = sef__ctl_connect_public();
	if (fd < 0)
		return fd;
	st->ctl_fd = fd;
	int r = sef__ipc_init();
	if (r < 0)
		goto fail;
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb) {
		r = -ENOMEM;
		goto fail;
	}
	proto_begin(pb, P_HELLO, ++st->ctl_id);
	int pfd = -1;
	r = sef__ctl_call(pb, &pfd);
	free(pb);
	if (r < 0) {
		if (pfd >= 0)
			close(pfd);
		goto fail;
	}
	if (pfd >= 0) {   /* the events page, read-only */
		void *p = mmap(NULL, EV_PAGE_SIZE, PROT_READ, MAP_SHARED, pfd, 0);
		close(pfd);
		if (p != MAP_FAILED &&
		    ((const struct ev_page *)p)->version == EV_PAGE_VERSION)
			st->evpage = p;
		else if (p != MAP_FAILED)
			munmap(p, EV_PAGE_SIZE);
	}
	st->self = (endpoint_t)proto_int(&st->pm, T_EP, NONE);
	st->mode = SEF_MODE_USER;
	return 0;
fail:
	close(fd);
	if (st->epfd >= 0)
		close(st->epfd);
	st->ctl_fd = st->epfd = -1;
	return r;
}

int sef_startup(void)
{
	int r = alloc_state();
	if (r < 0)
		return r;
	if (sef__st->mode != SEF_MODE_NONE)
		return 0;
	int ctl_fd = env_fd(ENV_CTL_FD), live_fd = env_fd(ENV_LIVE_FD);
	if (ctl_fd >= 0 && live_fd >= 0)
		return startup_service(ctl_fd, live_fd);
	return startup_user();
}

/* ------------------------------------------------------------------ */
/* receive                                                              */

void sef__ping_event(void)
{
	cb_ping(RS_PROC_NR);
}

int sef_receive_status(endpoint_t src, message *m, int *status)
{
	int r = 0;
	if (!sef__st || sef__st->mode == SEF_MODE_NONE)
		if ((r = sef_startup()) < 0)
			return r;
	if (!m)
		return -EFAULT;
	receiving = 1;
	for (;;) {
		if (!receiving)
			return -EINTR;
		if (sef__st->mode == SEF_MODE_SERVICE)
			sef__lu_before_receive();
		int s = 0;
		r = sef__next_message(src, m, &s);
		if (r < 0)
			return r;
		if (m->m_source == RS_PROC_NR && m->m_type == RS_LU_PREPARE)
			continue;  /* handled before the next receive */
		if (m->m_source == RS_PROC_NR && is_ipc_notify(s)) {
			sef__ping_event();
			continue;
		}
		if (m->m_source == SYSTEM && m->m_type == SIGS_SIGNAL_RECEIVED) {
			cb_signal(m->m_sigs.num);
			continue;
		}
		if (status)
			*status = s;
		receiving = 0;
		return 0;
	}
}

int sef_receive(endpoint_t src, message *m)
{
	return sef_receive_status(src, m, NULL);
}

void sef_cancel(void)
{
	receiving = 0;
}

endpoint_t sef_self(void)
{
	if (!sef__st || sef__st->mode == SEF_MODE_NONE)
		sef__die("sef_self() called before sef_startup()");
	return sef__st->self;
}

const char *sef_self_label(void)
{
	return sef__st ? sef__st->label : "";
}

void sef_exit(int status)
{
	exit(status);
}

/* ------------------------------------------------------------------ */
/* naming: reincd's answer, for when there is no data store             */

/* A request of this type to reincd, joining it first if need be: 0 and
 * *pbp to fill in (and free), or -errno. */
static int rs_begin(struct proto_buf **pbp, int type)
{
	int r;
	if ((!sef__st || sef__st->mode == SEF_MODE_NONE) &&
	    (r = sef_startup()) < 0)
		return r;
	if (!(*pbp = malloc(sizeof(**pbp))))
		return -ENOMEM;
	proto_begin(*pbp, type, ++sef__st->ctl_id);
	return 0;
}

int sef__rs_lookup(const char *label, endpoint_t ep, endpoint_t *ep_out,
                   char *name, size_t len)
{
	struct proto_buf *pb;
	int r = rs_begin(&pb, P_LOOKUP);
	if (r < 0)
		return r;
	if (label)
		proto_put_str(pb, T_LABEL, label);
	else
		proto_put_int(pb, T_EP, ep);
	r = sef__ctl_call(pb, NULL);
	free(pb);
	if (r < 0)
		return r;
	struct proto_msg *pm = &sef__st->pm;
	if (label) {
		if (!proto_has(pm, T_EP))
			return -EPROTO;
		*ep_out = (endpoint_t)proto_int(pm, T_EP, NONE);
	} else {
		const char *s = proto_str(pm, T_LABEL);
		if (!s)
			return -EPROTO;
		snprintf(name, len, "%s", s);
	}
	return 0;
}

int rs_manage(const char *op, const char *label)
{
	static const struct { const char *name; int type; } ops[] = {
		{ "down", P_DOWN }, { "refresh", P_REFRESH },
		{ "restart", P_RESTART }, { "fi", P_FI },
	};
	int type = 0, r;
	for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i].name))
			type = ops[i].type;
	if (!type || !label || !*label)
		return -EINVAL;
	struct proto_buf *pb;
	if ((r = rs_begin(&pb, type)) < 0)
		return r;
	proto_put_str(pb, T_LABEL, label);
	r = sef__ctl_call(pb, NULL);
	free(pb);
	return r;
}
