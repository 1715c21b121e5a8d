/*
 * event.c - libsef's side of process events (MINIX PM's event.c; see
 * reincd/event.c for the facility itself).
 *
 * A subscriber gets P_PROC_EVENT control frames; they are queued here and
 * handed up by the receive loop as PROC_EVENT messages from PM_PROC_NR.
 * Its PROC_EVENT_REPLY to PM_PROC_NR goes back as a P_EVACK frame.
 *
 * A user process blocked in ipc_sendrec holds its caught signals back
 * while any service subscribes to signal events: it waits with every
 * signal blocked, watching a signalfd, and when a signal with a handler
 * is pending it tells reincd (P_SIGEVENT) and waits for the answer, which
 * comes after every subscriber acknowledged (and could answer the request
 * with EINTR).  Then it lets the signals through, so the handler runs,
 * and goes on waiting for its reply.  Signals the caller had blocked stay
 * blocked; signals without a handler take their default action.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sef_internal.h"

int proceventmask(unsigned int mask)
{
	int r = sef_startup();
	if (r < 0)
		return r;
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	proto_begin(pb, P_EVMASK, ++sef__st->ctl_id);
	proto_put_int(pb, T_FLAGS, mask);
	r = sef__ctl_call(pb, NULL);
	free(pb);
	return r;
}

/* PROC_EVENTs not yet handed up: a ring that grows */
static struct sef__pev *q;
static unsigned q_head, q_len, q_cap;

void sef__pev_queue(const struct proto_msg *pm)
{
	if (sef__st->pev_drop)
		return;   /* reincd sends it again to the next instance */
	if (q_len == q_cap) {
		unsigned cap = q_cap ? q_cap * 2 : 16;
		struct sef__pev *n = malloc(cap * sizeof(*n));
		if (!n)
			sef__die("out of memory for process events");
		for (unsigned i = 0; i < q_len; i++)
			n[i] = q[(q_head + i) % q_cap];
		free(q);
		q = n;
		q_cap = cap;
		q_head = 0;
	}
	struct sef__pev *e = &q[(q_head + q_len) % q_cap];
	e->ep = (endpoint_t)proto_int(pm, T_EP, NONE);
	e->event = (int)proto_int(pm, T_EVENT, 0);
	q_len++;
}

int sef__pev_take(message *m, int *status)
{
	if (!q_len)
		return 0;
	struct sef__pev e = q[q_head];
	q_head = (q_head + 1) % q_cap;
	q_len--;
	memset(m, 0, sizeof(*m));
	m->m_source = PM_PROC_NR;
	m->m_type = PROC_EVENT;
	m->m_pm_lsys_proc_event.endpt = e.ep;
	m->m_pm_lsys_proc_event.event = e.event;
	if (status)
		*status = 0;
	return 1;
}

void sef__pev_clear(void)
{
	q_len = 0;
	q_head = 0;
}

int sef__pev_reply(const message *m)
{
	if (m->m_type != PROC_EVENT_REPLY)
		return -ENOSYS;   /* reincd takes nothing else as PM */
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	proto_begin(pb, P_EVACK, ++sef__st->ctl_id);
	proto_put_int(pb, T_EP, m->m_pm_lsys_proc_event.endpt);
	proto_put_int(pb, T_EVENT, m->m_pm_lsys_proc_event.event);
	int r = proto_send(sef__st->ctl_fd, pb, NULL, 0);
	free(pb);
	return r;
}

/* The first pending signal of watch that has a handler, or 0. */
static int caught_pending(const sigset_t *watch)
{
	sigset_t pend;
	if (sigpending(&pend) < 0)
		return 0;
	for (int s = 1; s < NSIG; s++) {
		if (!sigismember(watch, s) || !sigismember(&pend, s))
			continue;
		struct sigaction sa;
		if (sigaction(s, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			return s;
	}
	return 0;
}

static void tell_reincd(int sig, endpoint_t dst)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return;
	proto_begin(pb, P_SIGEVENT, ++sef__st->ctl_id);
	proto_put_int(pb, T_SIGNO, sig);
	proto_put_int(pb, T_EP, dst);
	(void)sef__ctl_call(pb, NULL);  /* whatever it says, the handler runs */
	free(pb);
}

ssize_t sef__user_wait(int fd, uint8_t *buf, size_t len, endpoint_t dst)
{
	struct sef__state *st = sef__st;
	sigset_t all, old, watch;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* the signalfd watches what the caller leaves unblocked; it is
	 * set up again only when that changes */
	static sigset_t cached_old;
	int sfd = st->usigfd;
	sigemptyset(&watch);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && !sigismember(&old, s))
			sigaddset(&watch, s);  /* glibc's own ones are refused */
	if (sfd < 0 || memcmp(&old, &cached_old, sizeof(old))) {
		sfd = signalfd(st->usigfd, &watch, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sfd >= 0)
			cached_old = old;
	}
	ssize_t n;
	if (sfd < 0) {
		/* no signalfd: wait as without subscribers */
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		do
			n = recv(fd, buf, len, 0);
		while (n < 0 && errno == EINTR);
		return n < 0 ? -errno : n;
	}
	st->usigfd = sfd;
	for (;;) {
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN },
		                        { .fd = sfd, .events = POLLIN } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			break;
		}
		if (pf[0].revents) {
			n = recv(fd, buf, len, MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0)
				n = -errno;
			break;
		}
		if (pf[1].revents & POLLIN) {
			int sig = caught_pending(&watch);
			if (sig)
				tell_reincd(sig, dst);
			/* let them through: handlers run, defaults act */
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			pthread_sigmask(SIG_BLOCK, &all, NULL);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return n;
}
