/*
 * ipc.c - libsef's message layer: channels to other endpoints and the
 * ipc_* primitives.
 *
 * A channel is one SOCK_SEQPACKET socketpair per (caller, callee) pair,
 * created by reincd.  On our CALLER channels we send requests and one-way
 * messages and read replies; on our CALLEE channels we read requests and
 * write replies.  reincd keeps a duplicate of every service-side end, so
 * a queue survives the death of its reader.
 *
 * Reading a request follows a strict order so that reincd can tell, after
 * a death, whether the request at the head of a queue was taken: peek it,
 * record its sequence number in the liveness page (PEND_PEEKED), consume
 * it, mark it PEND_SERVING.  The reply clears the record.  reincd answers
 * -EDEADSRCDST for a SERVING record, and for a PEEKED one whose frame is
 * no longer at the head of the queue (docs/protocol.md).
 *
 * Not here: the control connection (ctl.c) and SEF's event handling
 * (sef.c).  Single-threaded by design, as MINIX's IPC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sef_internal.h"

/* ------------------------------------------------------------------ */
/* endpoint -> slot maps                                                */

static unsigned ep_hash(endpoint_t ep)
{
	uint32_t h = (uint32_t)ep * 2654435761u;
	return h & (EPMAP_SIZE - 1);
}

static int epmap_get(const struct sef__epmap *mp, endpoint_t ep)
{
	for (unsigned i = ep_hash(ep), n = 0; n < EPMAP_SIZE;
	     i = (i + 1) & (EPMAP_SIZE - 1), n++) {
		if (mp->key[i] == 0)
			return -1;
		if (mp->key[i] == ep + 1)
			return mp->val[i];
	}
	return -1;
}

static void epmap_put(struct sef__epmap *mp, endpoint_t ep, int val)
{
	unsigned i = ep_hash(ep);
	while (mp->key[i] != 0 && mp->key[i] != ep + 1)
		i = (i + 1) & (EPMAP_SIZE - 1);
	mp->key[i] = ep + 1;
	mp->val[i] = val;
}

/* Deletion with backward shift keeps probe chains intact. */
static void epmap_del(struct sef__epmap *mp, endpoint_t ep)
{
	unsigned i = ep_hash(ep);
	while (mp->key[i] != ep + 1) {
		if (mp->key[i] == 0)
			return;
		i = (i + 1) & (EPMAP_SIZE - 1);
	}
	for (;;) {
		mp->key[i] = 0;
		unsigned j = i;
		for (;;) {
			j = (j + 1) & (EPMAP_SIZE - 1);
			if (mp->key[j] == 0)
				return;
			unsigned h = ep_hash(mp->key[j] - 1);
			/* can the entry at j move to i? */
			if ((i <= j) ? (i < h && h <= j) : (i < h || h <= j))
				continue;
			mp->key[i] = mp->key[j];
			mp->val[i] = mp->val[j];
			i = j;
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* channel table                                                        */

/* Wake the receive loop when callee channel slot has a message. */
static void watch_callee(uint32_t slot)
{
	struct sef__state *st = sef__st;
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = (uint64_t)EV_CALLEE << 32 | slot,
	};
	if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->callee[slot].fd, &ev) < 0)
		sef__die("cannot watch channel: %s", strerror(errno));
}

void sef__chan_install(const struct chan_rec *r, int fd)
{
	struct sef__state *st = sef__st;
	int callee = r->role == CHAN_CALLEE;
	uint32_t max = callee ? LIVE_MAX_CHAN : SEF_MAX_CALLER;

	if (r->slot >= max) {
		close(fd);
		return;
	}
	struct sef__chan *c = callee ? &st->callee[r->slot] : &st->caller[r->slot];
	if (c->used && c->peer == r->peer) {
		/* The same channel again (reincd hands every channel back
		 * after a rolled-back update): endpoints are never reused, so
		 * same slot and peer is the same socket.  Keep ours, with the
		 * request we may be serving on it. */
		close(fd);
		return;
	}
	sef__chan_remove((int)r->role, r->slot);
	c->used = 1;
	c->fd = fd;
	c->peer = r->peer;
	c->pending = 0;
	memcpy(c->label, r->label, sizeof(c->label));
	epmap_put(callee ? &st->callee_map : &st->caller_map, r->peer,
	          (int)r->slot);
	if (callee) {
		watch_callee(r->slot);
		/* A request the previous instance took and did not answer
		 * before a live update is ours to answer now: reincd copied
		 * its record into our liveness page. */
		if (st->live && atomic_load(&st->live->pend[r->slot].state) ==
		                PEND_SERVING) {
			c->pending = 1;
			c->pend_seq = atomic_load(&st->live->pend[r->slot].seq);
		} else if (st->live)
			atomic_store(&st->live->pend[r->slot].state, PEND_NONE);
	}
}

void sef__chan_remove(int role, uint32_t slot)
{
	struct sef__state *st = sef__st;
	int callee = role == CHAN_CALLEE;
	uint32_t max = callee ? LIVE_MAX_CHAN : SEF_MAX_CALLER;
	if (slot >= max)
		return;
	struct sef__chan *c = callee ? &st->callee[slot] : &st->caller[slot];
	if (!c->used)
		return;
	if (callee) {
		epoll_ctl(st->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		if (st->live)
			atomic_store(&st->live->pend[slot].state, PEND_NONE);
		/* drop it from the not-yet-consumed epoll results too */
		for (int i = st->iready; i < st->nready; i++)
			if (st->ready[i] == ((uint64_t)EV_CALLEE << 32 | slot))
				st->ready[i] = 0;
	}
	epmap_del(callee ? &st->callee_map : &st->caller_map, c->peer);
	close(c->fd);
	memset(c, 0, sizeof(*c));
}

void sef__ipc_unpark(void)
{
	struct sef__state *st = sef__st;
	for (uint32_t i = 0; i < LIVE_MAX_CHAN; i++) {
		struct sef__chan *c = &st->callee[i];
		if (!c->used || !c->parked)
			continue;
		c->parked = 0;
		watch_callee(i);
	}
}

int sef__ipc_init(void)
{
	struct sef__state *st = sef__st;
	st->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (st->epfd < 0)
		return -errno;
	struct epoll_event ev = { .events = EPOLLIN,
	                          .data.u64 = (uint64_t)EV_CTL << 32 };
	if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->ctl_fd, &ev) < 0)
		return -errno;
	if (st->sigfd >= 0) {
		ev.data.u64 = (uint64_t)EV_SIG << 32;
		if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->sigfd, &ev) < 0)
			return -errno;
	}
	/* Unique across instances: a reply meant for an earlier instance
	 * can never match a request of ours. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	st->seq = ((uint64_t)getpid() << 40) ^ ((uint64_t)ts.tv_nsec << 8) ^
	          (uint64_t)ts.tv_sec << 20;
	return 0;
}

static int need_startup(void)
{
	if (!sef__st || sef__st->mode == SEF_MODE_NONE) {
		int r = sef_startup();
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* receiving                                                            */

static void fill_message(message *m, endpoint_t src, const struct df *d)
{
	m->m_source = src;
	m->m_type = d->m_type;
	memcpy(m->m_raw, d->payload, MESSAGE_PAYLOAD);
}

/* Try to take one message from callee channel slot.  1: got one, 0:
 * nothing there, -errno on a dead channel (removed). */
static int take_callee(uint32_t slot, message *m, int *status)
{
	struct sef__state *st = sef__st;
	struct sef__chan *c = &st->callee[slot];
	uint8_t buf[DF_SIZE + 8];
	struct df d;

	if (!c->used)
		return 0;
	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			sef__chan_remove(CHAN_CALLEE, slot);
			return -EPIPE;
		}
		if (n == 0) {  /* the caller is gone and the queue is empty */
			sef__chan_remove(CHAN_CALLEE, slot);
			return 0;
		}
		int bad = df_decode(buf, (size_t)n, &d) < 0 ||
		          d.kind == DF_REPLY;
		if (!bad && st->lu_nfilt &&
		    !sef__lu_filter_pass(c->peer, d.kind == DF_NOTIFY
		                                  ? NOTIFY_MESSAGE : d.m_type)) {
			/* Held while preparing: the channel keeps its order,
			 * so it waits as a whole, unwatched (level-triggered
			 * epoll would wake us for it again and again). */
			epoll_ctl(st->epfd, EPOLL_CTL_DEL, c->fd, NULL);
			c->parked = 1;
			return 0;
		}
		if (!bad && d.kind == DF_REQ && st->live) {
			atomic_store_explicit(&st->live->pend[slot].seq, d.seq,
			                      memory_order_relaxed);
			atomic_store_explicit(&st->live->pend[slot].state,
			                      PEND_PEEKED, memory_order_release);
		}
		ssize_t n2;
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		                     .msg_control = cbuf.b,
		                     .msg_controllen = sizeof(cbuf.b) };
		do
			n2 = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		while (n2 < 0 && errno == EINTR);
		if (st->rx_fd >= 0) {  /* the previous message's, not taken */
			close(st->rx_fd);
			st->rx_fd = -1;
		}
		/* cbuf holds one descriptor: the kernel drops any more */
		struct cmsghdr *cm = n2 > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
		if (cm && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
			if (bad)
				close(fd);
			else
				st->rx_fd = fd;
		}
		if (n2 != n) {  /* cannot happen with a single reader */
			sef__chan_remove(CHAN_CALLEE, slot);
			return -EPROTO;
		}
		if (bad)
			continue;  /* a malformed frame is dropped */
		if (d.kind == DF_REQ) {
			if (st->live)
				atomic_store_explicit(&st->live->pend[slot].state,
				                      PEND_SERVING,
				                      memory_order_release);
			c->pending = 1;
			c->pend_seq = d.seq;
		}
		fill_message(m, c->peer, &d);
		if (d.kind == DF_NOTIFY) {
			m->m_type = NOTIFY_MESSAGE;
			if (status)
				*status = IPC_STATUS_NOTIFY;
		} else if (status)
			*status = 0;
		return 1;
	}
}

static int take_signal(message *m, int *status)
{
	struct signalfd_siginfo si;
	ssize_t n = read(sef__st->sigfd, &si, sizeof(si));
	if (n != sizeof(si))
		return 0;
	memset(m, 0, sizeof(*m));
	m->m_source = SYSTEM;
	m->m_type = SIGS_SIGNAL_RECEIVED;
	m->m_sigs.num = (int)si.ssi_signo;
	if (status)
		*status = IPC_STATUS_NOTIFY;
	return 1;
}

static int take_ping(message *m, int *status)
{
	if (!sef__st->ping_pending)
		return 0;
	sef__st->ping_pending = 0;
	memset(m, 0, sizeof(*m));
	m->m_source = RS_PROC_NR;
	m->m_type = NOTIFY_MESSAGE;
	if (status)
		*status = IPC_STATUS_NOTIFY;
	return 1;
}

/* A live-update prepare request is handed up once as an RS_LU_PREPARE
 * message; sef_receive acts on it (sef__lu_before_receive). */
static int take_lu(message *m, int *status)
{
	struct sef__state *st = sef__st;
	if (!st->lu_req || st->lu_req_seen)
		return 0;
	st->lu_req_seen = 1;
	memset(m, 0, sizeof(*m));
	m->m_source = RS_PROC_NR;
	m->m_type = RS_LU_PREPARE;
	m->m_i32[0] = st->lu_req_state;
	m->m_i32[1] = st->lu_req_flags;
	if (status)
		*status = IPC_STATUS_NOTIFY;
	return 1;
}

static void set_idle(int idle)
{
	if (sef__st->live)
		atomic_store_explicit(&sef__st->live->idle, (uint32_t)idle,
		                      memory_order_relaxed);
}

/* The next message from src (ANY or an endpoint), blocking. */
int sef__next_message(endpoint_t src, message *m, int *status)
{
	struct sef__state *st = sef__st;
	int r;

	if (st->live)
		atomic_store_explicit(&st->live->counter,
		    atomic_load_explicit(&st->live->counter,
		                         memory_order_relaxed) + 1,
		    memory_order_relaxed);
	if (src == PM_PROC_NR) {
		/* process events only */
		while (!sef__pev_take(m, status)) {
			struct pollfd pf = { .fd = st->ctl_fd, .events = POLLIN };
			set_idle(1);
			r = poll(&pf, 1, -1);
			set_idle(0);
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r > 0 && (r = sef__ctl_read(0)) < 0)
				return r;
		}
		return 0;
	}
	if (src != ANY) {
		/* Only src's channel counts; other events wait (MINIX). */
		for (;;) {
			int slot = epmap_get(&st->callee_map, src);
			if (slot >= 0 && (r = take_callee((uint32_t)slot, m, status)))
				return r < 0 ? -EDEADSRCDST : 0;
			/* wait for its channel or for control frames */
			struct pollfd pf[2] = {
				{ .fd = st->ctl_fd, .events = POLLIN },
				{ .fd = slot >= 0 && !st->callee[slot].parked
				        ? st->callee[slot].fd : -1,
				  .events = POLLIN },
			};
			set_idle(1);
			r = poll(pf, 2, -1);
			set_idle(0);
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r > 0 && (pf[0].revents & (POLLIN | POLLHUP))) {
				r = sef__ctl_read(0);
				if (r < 0)
					return r;
			}
		}
	}
	for (;;) {
		if (take_ping(m, status) || take_lu(m, status) ||
		    sef__pev_take(m, status))
			return 0;
		while (st->iready < st->nready) {
			uint64_t tag = st->ready[st->iready];
			uint32_t kind = (uint32_t)(tag >> 32);
			if (kind == EV_CALLEE) {
				r = take_callee((uint32_t)tag, m, status);
				if (r > 0)
					return 0;
			} else if (kind == EV_CTL) {
				r = sef__ctl_read(0);
				if (r < 0)
					return r;
				if (take_lu(m, status) || sef__pev_take(m, status))
					return 0;
				if (r > 0)
					continue;  /* maybe more: stay on it */
			} else if (kind == EV_SIG) {
				st->iready++;
				if (take_signal(m, status))
					return 0;
				continue;
			}
			st->iready++;
			if (take_ping(m, status))
				return 0;
		}
		struct epoll_event evs[64];
		int n = 0;
		if (!st->warm) {
			/* Serve what is queued first; warm up only when idle. */
			n = epoll_wait(st->epfd, evs, 64, 0);
			if (n == 0) {
				if (st->mode == SEF_MODE_SERVICE)
					sef__warm_backtrace();
				st->warm = 1;
			}
		}
		if (n == 0) {
			set_idle(1);
			n = epoll_wait(st->epfd, evs, 64, -1);
			set_idle(0);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++)
			st->ready[i] = evs[i].data.u64;
		st->nready = n;
		st->iready = 0;
	}
}

int sef__try_receive(endpoint_t src, message *m, int *status)
{
	struct sef__state *st = sef__st;
	if (!st || st->mode == SEF_MODE_NONE)
		return 0;
	int slot = epmap_get(&st->callee_map, src);
	if (slot < 0)
		return 0;
	int r = take_callee((uint32_t)slot, m, status);
	return r < 0 ? 0 : r;
}

const char *sef__callee_label(endpoint_t ep)
{
	struct sef__state *st = sef__st;
	int slot = st ? epmap_get(&st->callee_map, ep) : -1;
	return slot < 0 ? NULL : st->callee[slot].label;
}

int sef__is_request(endpoint_t ep)
{
	struct sef__state *st = sef__st;
	int slot = st ? epmap_get(&st->callee_map, ep) : -1;
	return slot >= 0 && st->callee[slot].pending;
}

int sef__take_fd(void)
{
	struct sef__state *st = sef__st;
	int fd = st ? st->rx_fd : -1;
	if (st)
		st->rx_fd = -1;
	return fd;
}

int ipc_receive(endpoint_t src, message *m, int *status)
{
	int r = need_startup();
	if (r < 0)
		return r;
	if (!m)
		return -EFAULT;
	return sef__next_message(src, m, status);
}

/* ------------------------------------------------------------------ */
/* sending                                                              */

/* Caller channel to dst, asking reincd for one if needed. */
static int caller_chan(endpoint_t dst)
{
	struct sef__state *st = sef__st;
	int slot = epmap_get(&st->caller_map, dst);
	if (slot >= 0)
		return slot;
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	proto_begin(pb, P_CONNECT, ++st->ctl_id);
	proto_put_int(pb, T_EP, dst);
	int fd = -1;
	int r = sef__ctl_call(pb, &fd);
	free(pb);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r == -ESRCH ? -EDEADSRCDST : r;
	}
	struct proto_msg *pm = &st->pm;
	if (fd < 0 || !proto_has(pm, T_CHANS) ||
	    pm->slen[T_CHANS] != CHAN_REC_SIZE) {
		if (fd >= 0)
			close(fd);
		return -EPROTO;
	}
	struct chan_rec rec;
	chan_rec_decode((const uint8_t *)pm->sval[T_CHANS], &rec);
	if (rec.role != CHAN_CALLER || rec.peer != dst) {
		close(fd);
		return -EPROTO;
	}
	sef__chan_install(&rec, fd);
	slot = epmap_get(&st->caller_map, dst);
	return slot >= 0 ? slot : -EPROTO;
}

static int send_frame_fd(int fd, const uint8_t *buf, int nonblock, int pass)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { (void *)buf, DF_SIZE };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (pass >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass, sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(fd, &mh,
		                    MSG_NOSIGNAL | (nonblock ? MSG_DONTWAIT : 0));
		if (n == DF_SIZE)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -EAGAIN;
		return -EPIPE;
	}
}

static int send_frame(int fd, const uint8_t *buf, int nonblock)
{
	return send_frame_fd(fd, buf, nonblock, -1);
}

static int check_dst(endpoint_t dst)
{
	if (dst == SELF || dst == sef__st->self)
		return -EDEADLK;
	if (dst == ANY || dst == NONE || dst == SYSTEM || dst < 0)
		return -EINVAL;
	return 0;
}

/* Send kind to dst on our caller channel, reconnecting once if reincd
 * replaced the channel. */
static int send_on_caller(endpoint_t dst, int kind, uint64_t seq,
                          const message *m, int nonblock, int *slot_out,
                          int pass)
{
	uint8_t buf[DF_SIZE];
	df_encode(buf, kind, 0, seq, m);
	int slot = caller_chan(dst);
	if (slot < 0)
		return slot;
	int r = send_frame_fd(sef__st->caller[slot].fd, buf, nonblock, pass);
	if (r == -EPIPE) {
		/* the service is gone for good: forget the channel */
		sef__chan_remove(CHAN_CALLER, (uint32_t)slot);
		return -EDEADSRCDST;
	}
	if (slot_out)
		*slot_out = slot;
	return r;
}

/* What every send checks first; joins reincd if not done yet. */
static int send_prologue(endpoint_t dst, const message *m)
{
	int r = need_startup();
	if (r < 0)
		return r;
	if (!m)
		return -EFAULT;
	if ((r = check_dst(dst)) < 0)
		return r;
	/* reincd is reached through the control API, not by messages */
	return dst == RS_PROC_NR || dst == PM_PROC_NR ? -ENOSYS : 0;
}

static int do_send(endpoint_t dst, message *m, int nonblock)
{
	if (dst == PM_PROC_NR && m) {   /* a process event acknowledgement */
		int r = need_startup();
		return r < 0 ? r : sef__pev_reply(m);
	}
	int r = send_prologue(dst, m);
	if (r < 0)
		return r;
	struct sef__state *st = sef__st;
	/* A reply to a request we are serving? */
	int cs = epmap_get(&st->callee_map, dst);
	if (cs >= 0 && st->callee[cs].pending) {
		struct sef__chan *c = &st->callee[cs];
		uint8_t buf[DF_SIZE];
		df_encode(buf, DF_REPLY, 0, c->pend_seq, m);
		r = send_frame(c->fd, buf, nonblock);
		if (r == -EAGAIN)
			return r;
		c->pending = 0;
		if (st->live)
			atomic_store_explicit(&st->live->pend[cs].state, PEND_NONE,
			                      memory_order_release);
		return r == -EPIPE ? -EDEADSRCDST : r;
	}
	return send_on_caller(dst, DF_ONEWAY, ++st->seq, m, nonblock, NULL, -1);
}

int ipc_send(endpoint_t dst, message *m)
{
	return do_send(dst, m, 0);
}

int ipc_sendnb(endpoint_t dst, message *m)
{
	return do_send(dst, m, 1);
}

int ipc_sendrec(endpoint_t dst, message *m)
{
	return sef__sendrec_fd(dst, m, -1);
}

int sef__sendrec_fd(endpoint_t dst, message *m, int pass)
{
	int r = send_prologue(dst, m);
	if (r < 0)
		return r;
	struct sef__state *st = sef__st;
	uint64_t seq = ++st->seq;
	int slot;
	r = send_on_caller(dst, DF_REQ, seq, m, 0, &slot, pass);
	if (r < 0)
		return r;
	int fd = st->caller[slot].fd;
	/* While we wait nothing else is served: a ping queued meanwhile goes
	 * unanswered, which is what makes a stuck sendrec visible. */
	if (st->live)
		atomic_store_explicit(&st->live->idle, 0, memory_order_relaxed);
	/* A user process holds caught signals back while anyone wants to
	 * hear of them (signal events, event.c). */
	int hold = st->evpage &&
	           atomic_load_explicit(&st->evpage->sig_subs,
	                                memory_order_relaxed) != 0;
	for (;;) {
		uint8_t buf[DF_SIZE + 8];
		struct df d;
		ssize_t n = hold ? sef__user_wait(fd, buf, sizeof(buf), dst)
		                 : recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR && !hold)
			continue;
		if (n <= 0) {
			sef__chan_remove(CHAN_CALLER, (uint32_t)slot);
			return -EDEADSRCDST;
		}
		if (df_decode(buf, (size_t)n, &d) < 0 || d.kind != DF_REPLY ||
		    d.seq != seq)
			continue;  /* stale reply of an earlier request: drop */
		if (d.flags & DFF_DEAD)
			return -EDEADSRCDST;
		fill_message(m, dst, &d);
		return 0;
	}
}

int ipc_notify(endpoint_t dst)
{
	struct sef__state *st;
	int r = need_startup();
	if (r < 0)
		return r;
	st = sef__st;
	if (dst == RS_PROC_NR) {
		struct proto_buf *pb = malloc(sizeof(*pb));
		if (!pb)
			return -ENOMEM;
		proto_begin(pb, P_PONG, 0);
		r = proto_send(st->ctl_fd, pb, NULL, 0);
		free(pb);
		return r;
	}
	if ((r = check_dst(dst)) < 0)
		return r;
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = NOTIFY_MESSAGE;
	r = send_on_caller(dst, DF_NOTIFY, ++st->seq, &m, 1, NULL, -1);
	return r == -EAGAIN ? 0 : r;  /* a full queue already has news */
}

int ipc_senda(asynmsg_t *table, size_t count)
{
	if (!table && count)
		return -EFAULT;
	for (size_t i = 0; i < count; i++) {
		asynmsg_t *a = &table[i];
		if (!(a->flags & AMF_VALID) || (a->flags & AMF_DONE))
			continue;
		if (a->flags & AMF_NOTIFY)
			a->result = ipc_notify(a->dst);
		else
			a->result = ipc_sendnb(a->dst, &a->msg);
		a->flags |= AMF_DONE;
	}
	return 0;
}
