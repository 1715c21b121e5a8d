/*
 * channel.c - participants (anyone with an endpoint) and the channels
 * between them.
 *
 * A channel is a SOCK_SEQPACKET socketpair made on the first message from
 * a caller to a callee.  reincd keeps its own copy of every end that
 * belongs to a service: the queue then outlives the instance that reads
 * it, and is handed unchanged to the next one (chan_handover).  When an
 * instance dies, chan_fail_pending answers -EDEADSRCDST for exactly the
 * requests it had taken but not answered, read from its liveness page.
 * Ends that belong to user processes are given away and not kept: a user
 * process does not come back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reincd.h"

#define PART_HASH 4096
static struct part *part_hash[PART_HASH];

static unsigned hash_ep(endpoint_t ep)
{
	return ((uint32_t)ep * 2654435761u) >> 20 & (PART_HASH - 1);
}

struct part *part_find(endpoint_t ep)
{
	for (struct part *p = part_hash[hash_ep(ep)]; p; p = p->hnext)
		if (p->ep == ep)
			return p;
	return NULL;
}

struct part *part_new(endpoint_t ep, struct svc *svc, struct conn *conn)
{
	struct part *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->ep = ep;
	p->svc = svc;
	p->conn = conn;
	unsigned h = hash_ep(ep);
	p->hnext = part_hash[h];
	part_hash[h] = p;
	return p;
}

/* The control connection through which p receives channel news, or NULL
 * (a service between instances gets everything at handover). */
static struct conn *part_conn(struct part *p)
{
	if (!p->svc)
		return p->conn;
	struct inst *in = p->svc->cur;
	if (in && in->ctl && (in->state == I_INIT || in->state == I_RUNNING))
		return in->ctl;
	return NULL;
}

const char *part_label(const struct part *p)
{
	if (p->svc)
		return p->svc->label;
	return p->ep == RS_PROC_NR ? "rs" : "";
}

/* A channel record for p's end, naming the peer. */
static struct chan_rec mkrec(uint32_t slot, const struct part *peer, int role)
{
	struct chan_rec r = { slot, peer->ep, (uint32_t)role, { 0 } };
	snprintf(r.label, sizeof(r.label), "%s", part_label(peer));
	return r;
}

static int send_chans(struct conn *c, int type, const struct chan_rec *recs,
                      const int *fds, int n)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	uint8_t raw[PROTO_MAX_FDS * CHAN_REC_SIZE];
	for (int i = 0; i < n; i++)
		chan_rec_encode(raw + i * CHAN_REC_SIZE, &recs[i]);
	proto_begin(pb, type, 0);
	proto_put_blob(pb, T_CHANS, raw, (size_t)n * CHAN_REC_SIZE);
	int r = conn_send(c, pb, fds, type == P_CHAN_ADD ? n : 0);
	free(pb);
	return r;
}

static int grow(struct chan ***arr, uint32_t *cap, uint32_t need, uint32_t max)
{
	if (need <= *cap)
		return 0;
	if (need > max)
		return -ENOSPC;
	uint32_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	if (n > max)
		n = max;
	struct chan **a = realloc(*arr, n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	memset(a + *cap, 0, (n - *cap) * sizeof(*a));
	*arr = a;
	*cap = n;
	return 0;
}

static int free_slot(struct chan ***arr, uint32_t *cap, uint32_t *hi,
                     uint32_t max, uint32_t *slot)
{
	uint32_t i = 0;
	while (i < *hi && (*arr)[i])
		i++;
	int r = grow(arr, cap, i + 1, max);
	if (r < 0)
		return r;
	if (i >= *hi)
		*hi = i + 1;
	*slot = i;
	return 0;
}

int chan_connect(struct part *caller, endpoint_t dst, struct chan **out)
{
	if (dst == caller->ep)
		return -EDEADLK;
	struct part *callee = part_find(dst);
	if (!callee)
		return -ESRCH;
	if (!caller->svc && !callee->svc)
		return -EPERM;  /* user processes talk to services only */
	if (!callee->svc && !callee->conn && callee->ep != RS_PROC_NR)
		return -ESRCH;  /* a user process that exited */
	int r = svc_ipc_allowed(caller, callee);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < caller->ncaller_hi; i++) {
		struct chan *ch = caller->caller[i];
		if (ch && ch->callee == callee) {
			*out = ch;
			return 0;
		}
	}
	uint32_t cs, ls;
	r = free_slot(&caller->caller, &caller->ncaller_cap,
	                  &caller->ncaller_hi, LIVE_MAX_CHAN, &cs);
	if (r < 0)
		return r;
	r = free_slot(&callee->callee, &callee->ncallee_cap,
	              &callee->ncallee_hi, LIVE_MAX_CHAN, &ls);
	if (r < 0)
		return r;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	struct chan *ch = calloc(1, sizeof(*ch));
	if (!ch) {
		close(sv[0]);
		close(sv[1]);
		return -ENOMEM;
	}
	ch->caller = caller;
	ch->callee = callee;
	ch->caller_slot = cs;
	ch->callee_slot = ls;
	ch->caller_fd = sv[0];
	ch->callee_fd = sv[1];
	caller->caller[cs] = ch;
	callee->callee[ls] = ch;

	struct conn *cc = part_conn(callee);
	if (cc) {
		struct chan_rec rec = mkrec(ls, caller, CHAN_CALLEE);
		send_chans(cc, P_CHAN_ADD, &rec, &ch->callee_fd, 1);
	}
	if (!callee->svc) {  /* a user process keeps its own end */
		close(ch->callee_fd);
		ch->callee_fd = -1;
	}
	*out = ch;
	return 0;
}

/* Tell the other side that ch is gone, close our ends, free it. */
static void chan_destroy(struct chan *ch, struct part *going)
{
	struct part *other = ch->caller == going ? ch->callee : ch->caller;
	int other_role = ch->caller == going ? CHAN_CALLEE : CHAN_CALLER;
	uint32_t oslot = other_role == CHAN_CALLEE ? ch->callee_slot
	                                           : ch->caller_slot;
	struct conn *c = part_conn(other);
	if (c) {
		struct chan_rec rec = mkrec(oslot, going, other_role);
		send_chans(c, P_CHAN_DEL, &rec, NULL, 1);
	}
	if (other_role == CHAN_CALLEE)
		other->callee[oslot] = NULL;
	else
		other->caller[oslot] = NULL;
	if (ch->caller_fd >= 0)
		close(ch->caller_fd);
	if (ch->callee_fd >= 0)
		close(ch->callee_fd);
	free(ch);
}

void part_free(struct part *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->ncallee_hi; i++)
		if (p->callee[i])
			chan_destroy(p->callee[i], p);
	for (uint32_t i = 0; i < p->ncaller_hi; i++)
		if (p->caller[i])
			chan_destroy(p->caller[i], p);
	pev_part_gone(p);
	struct part **pp = &part_hash[hash_ep(p->ep)];
	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	free(p->callee);
	free(p->caller);
	free(p);
}

int chan_handover(struct part *p)
{
	struct chan_rec recs[PROTO_MAX_FDS];
	int fds[PROTO_MAX_FDS], n = 0, r = 0;
	struct conn *c = p->svc && p->svc->cur ? p->svc->cur->ctl : NULL;
	if (!c)
		return -EPIPE;
	for (int role = 0; role < 2; role++) {
		uint32_t hi = role == CHAN_CALLEE ? p->ncallee_hi : p->ncaller_hi;
		for (uint32_t i = 0; i < hi; i++) {
			struct chan *ch = role == CHAN_CALLEE ? p->callee[i]
			                                      : p->caller[i];
			if (!ch)
				continue;
			int fd = role == CHAN_CALLEE ? ch->callee_fd : ch->caller_fd;
			if (fd < 0)
				continue;
			recs[n] = mkrec(i, role == CHAN_CALLEE ? ch->caller
			                                       : ch->callee, role);
			fds[n++] = fd;
			if (n == PROTO_MAX_FDS) {
				if ((r = send_chans(c, P_CHAN_ADD, recs, fds, n)) < 0)
					return r;
				n = 0;
			}
		}
	}
	if (n)
		r = send_chans(c, P_CHAN_ADD, recs, fds, n);
	return r;
}

int chan_queued(const struct part *p)
{
	for (uint32_t i = 0; p && i < p->ncallee_hi; i++) {
		const struct chan *ch = p->callee[i];
		int n = 0;
		if (ch && ch->callee_fd >= 0 &&
		    ioctl(ch->callee_fd, FIONREAD, &n) == 0 && n > 0)
			return 1;
	}
	return 0;
}

int chan_fail_pending(struct part *p, struct live_page *live)
{
	int failed = 0;
	for (uint32_t i = 0; i < p->ncallee_hi && i < LIVE_MAX_CHAN; i++) {
		struct chan *ch = p->callee[i];
		uint32_t st = atomic_load(&live->pend[i].state);
		if (!ch || st == PEND_NONE || ch->callee_fd < 0)
			continue;
		uint64_t seq = atomic_load(&live->pend[i].seq);
		if (st == PEND_PEEKED) {
			/* Taken or not?  If the frame is still at the head of
			 * the queue the next instance will serve it. */
			uint8_t buf[DF_SIZE];
			struct df d;
			ssize_t n = recv(ch->callee_fd, buf, sizeof(buf),
			                 MSG_PEEK | MSG_DONTWAIT);
			if (n == DF_SIZE && df_decode(buf, DF_SIZE, &d) == 0 &&
			    d.kind == DF_REQ && d.seq == seq)
				continue;
		}
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = -EDEADSRCDST;
		uint8_t out[DF_SIZE];
		df_encode(out, DF_REPLY, DFF_DEAD, seq, &m);
		if (send(ch->callee_fd, out, DF_SIZE, MSG_DONTWAIT | MSG_NOSIGNAL)
		    == DF_SIZE)
			failed++;
		atomic_store(&live->pend[i].state, PEND_NONE);
	}
	return failed;
}
