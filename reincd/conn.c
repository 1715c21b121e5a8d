/*
 * conn.c - connections to reincd: clients of the public socket (reinc,
 * user processes) and the control sockets of service instances.
 *
 * A connection reads whole control frames, decodes them and hands them to
 * request.c.  Late replies go through waiters, which remember a
 * connection by slot and generation so that an answer for a client that
 * has gone away is simply dropped.  Freed memory is deferred to the end of
 * the loop iteration (epoll may still hold events for it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reincd.h"

static void outq_free(struct conn *c);
static void conn_read(struct conn *c, int max);

static struct conn **conns;
static unsigned nconns, capconns;
static unsigned next_gen = 1;
static struct proto_msg *scratch;   /* decoded frame (reincd is single-threaded) */
static uint8_t rbuf[PROTO_MAX_FRAME];

struct conn *conn_new(int fd, struct inst *inst)
{
	unsigned idx = 0;
	while (idx < nconns && conns[idx])
		idx++;
	if (idx == capconns) {
		unsigned cap = capconns ? capconns * 2 : 64;
		struct conn **n = realloc(conns, cap * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + capconns, 0, (cap - capconns) * sizeof(*n));
		conns = n;
		capconns = cap;
	}
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->gen = next_gen++;
	c->inst = inst;
	c->w.kind = W_CONN;
	c->w.obj = c;
	c->slot = idx;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0) {
		c->uid = cr.uid;
		c->pid = cr.pid;
	} else {
		c->uid = (uid_t)-1;  /* unknown: nobody */
	}
	if (loop_add(fd, &c->w, EPOLLIN) < 0) {
		free(c);
		return NULL;
	}
	conns[idx] = c;
	if (idx >= nconns)
		nconns = idx + 1;
	return c;
}

void conn_close(struct conn *c)
{
	if (!c || c->dead)
		return;
	c->dead = 1;
	outq_free(c);
	loop_del(c->fd);
	close(c->fd);
	c->fd = -1;
	conns[c->slot] = NULL;
	if (c->user) {
		pev_user_exit(c->user);   /* then its channels go */
		c->user = NULL;
	}
	if (c->inst && c->inst->ctl == c)
		c->inst->ctl = NULL;
	loop_defer_free(c);
}

void conn_readable(struct conn *c)
{
	/* A few frames per wakeup, so that one chatty client cannot starve
	 * the others; epoll is level-triggered and will come back. */
	conn_read(c, 16);
}

void conn_drain(struct conn *c)
{
	conn_read(c, 1 << 20);
}

static void conn_read(struct conn *c, int max)
{
	if (c->dead)
		return;
	if (!scratch && !(scratch = malloc(sizeof(*scratch))))
		return;
	for (int i = 0; i < max && !c->dead; i++) {
		/* Only an instance may pass a descriptor (a state blob, a
		 * descriptor to store), and one at most. */
		int fd = -1, nfds = c->inst ? 1 : 0;
		ssize_t n = proto_recvfds(c->fd, rbuf, sizeof(rbuf), &fd, &nfds,
		                          MSG_DONTWAIT);
		if (nfds == 0)
			fd = -1;
		if (n == -EAGAIN)
			return;
		if (n == 0 || n == -ECONNRESET) {
			conn_close(c);
			return;
		}
		if (n < 0 || proto_decode(rbuf, (size_t)n, scratch) < 0) {
			if (fd >= 0)
				close(fd);
			const char *why = n < 0 ? strerror((int)-n) : "malformed frame";
			if (c->inst) {
				svc_kill_instance(c->inst, why);
				conn_close(c);
			} else {
				log_warn("client pid %d uid %d: %s, dropping the "
				         "connection", (int)c->pid, (int)c->uid, why);
				conn_close(c);
			}
			return;
		}
		request_handle(c, scratch, fd);
	}
}

int conn_reply(struct conn *c, uint64_t id, int result, const char *errmsg)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	proto_begin(pb, P_REPLY, id);
	proto_put_int(pb, T_RESULT, result);
	if (errmsg && result < 0)
		proto_put_str(pb, T_ERRMSG, errmsg);
	int r = conn_send(c, pb, NULL, 0);
	free(pb);
	return r;
}

/* Frames that did not fit in the socket: sent when it becomes writable,
 * in order.  Descriptors are duplicated: the caller may close its own. */
struct outbuf {
	struct outbuf *next;
	size_t len;
	int nfds;
	int fds[PROTO_MAX_FDS];
	uint8_t data[];
};

#define OUTQ_MAX (4u << 20)  /* a client this far behind is dropped */

static void outq_free(struct conn *c)
{
	while (c->oq_head) {
		struct outbuf *ob = c->oq_head;
		c->oq_head = ob->next;
		for (int i = 0; i < ob->nfds; i++)
			close(ob->fds[i]);
		free(ob);
	}
	c->oq_tail = NULL;
	c->oq_bytes = 0;
}

static int outq_push(struct conn *c, const uint8_t *buf, size_t len,
                     const int *fds, int nfds)
{
	if (c->oq_bytes + len > OUTQ_MAX)
		return -ENOBUFS;
	struct outbuf *ob = malloc(sizeof(*ob) + len);
	if (!ob)
		return -ENOMEM;
	ob->next = NULL;
	ob->len = len;
	ob->nfds = 0;
	memcpy(ob->data, buf, len);
	for (int i = 0; i < nfds; i++) {
		int d = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
		if (d < 0) {
			int e = -errno;
			for (int j = 0; j < ob->nfds; j++)
				close(ob->fds[j]);
			free(ob);
			return e;
		}
		ob->fds[ob->nfds++] = d;
	}
	if (c->oq_tail)
		c->oq_tail->next = ob;
	else
		c->oq_head = ob;
	c->oq_tail = ob;
	c->oq_bytes += len;
	loop_mod(c->fd, &c->w, EPOLLIN | EPOLLOUT);
	return 0;
}

void conn_writable(struct conn *c)
{
	while (!c->dead && c->oq_head) {
		struct outbuf *ob = c->oq_head;
		int r = proto_sendfds(c->fd, ob->data, ob->len, ob->fds, ob->nfds,
		                      MSG_DONTWAIT);
		if (r == -EAGAIN)
			return;
		if (r < 0) {
			conn_close(c);
			return;
		}
		c->oq_head = ob->next;
		if (!c->oq_head)
			c->oq_tail = NULL;
		c->oq_bytes -= ob->len;
		for (int i = 0; i < ob->nfds; i++)
			close(ob->fds[i]);
		free(ob);
	}
	if (!c->dead)
		loop_mod(c->fd, &c->w, EPOLLIN);
}

int conn_send(struct conn *c, struct proto_buf *pb, const int *fds, int nfds)
{
	if (!c || c->dead)
		return -EPIPE;
	int n = proto_finish(pb);
	if (n < 0)
		return n;
	/* reincd never blocks on a peer: what does not fit now is queued;
	 * a peer that lets its queue grow past OUTQ_MAX is dropped. */
	int r = -EAGAIN;
	if (!c->oq_head)
		r = proto_sendfds(c->fd, pb->b, (size_t)n, fds, nfds, MSG_DONTWAIT);
	if (r != -EAGAIN)
		return r;
	r = outq_push(c, pb->b, (size_t)n, fds, nfds);
	if (r < 0) {
		if (c->inst)
			svc_kill_instance(c->inst, "not reading its control socket");
		else
			log_warn("client pid %d: not reading its replies, dropping it",
			         (int)c->pid);
		conn_close(c);
	}
	return r;
}

void waiter_set(struct waiter *w, struct conn *c, uint64_t id, int type)
{
	w->slot = c->slot;
	w->gen = c->gen;
	w->id = id;
	w->type = type;
	w->set = 1;
}

void waiter_reply(struct waiter *w, int result, const char *errmsg)
{
	if (!w->set)
		return;
	w->set = 0;
	if (w->slot < nconns && conns[w->slot] && conns[w->slot]->gen == w->gen)
		conn_reply(conns[w->slot], w->id, result, errmsg);
}
