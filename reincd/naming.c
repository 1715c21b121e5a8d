/*
 * naming.c - reincd's side of the data store: it starts dsd at boot
 * (label "ds", endpoint DS_PROC_NR) and publishes every service's label
 * and endpoint there, as MINIX's RS did.
 *
 * reincd is a participant with endpoint RS_PROC_NR and an ordinary channel
 * to dsd, whose queue (like every service's) outlives dsd's instances.
 * Its messages are one-way and never block reincd: if the queue is full
 * they wait here and are retried.  dsd reads reincd's channel before any
 * other request, so a label published before its service runs is known
 * by the time anyone can ask for it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ds_proto.h"
#include "reincd.h"

static struct part *rs;        /* reincd as a participant */
static uint64_t seq;

struct pending {
	uint8_t frame[DF_SIZE];
	struct pending *next;
};
static struct pending *head, *tail;
static unsigned npending;
static int64_t due_ms;         /* deferred news go out then (0: now) */
#define DEFER_MS 10            /* after a restart or an update */
#define MAX_PENDING 65536      /* beyond: dropped, and logged */
#define DS_PERIOD_MS 1000      /* dsd's heartbeat period (reinc edit) */

static struct chan *ds_chan(void)
{
	if (!rs && !(rs = part_new(RS_PROC_NR, NULL, NULL)))
		return NULL;
	struct chan *ch;   /* -ESRCH: no data store */
	return chan_connect(rs, DS_PROC_NR, &ch) == 0 ? ch : NULL;
}

/* Send what waits, in order; 0 when nothing is left. */
static int flush(struct chan *ch)
{
	while (head) {
		ssize_t n = send(ch->caller_fd, head->frame, DF_SIZE,
		                 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n != DF_SIZE)
			return -1;
		struct pending *p = head;
		head = p->next;
		if (!head)
			tail = NULL;
		npending--;
		free(p);
	}
	return 0;
}

static void send_ds(int type, const char *label, endpoint_t ep, int flags,
                    int defer)
{
	struct chan *ch = ds_chan();
	if (!ch)
		return;   /* no data store */
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = type;
	struct ds_msg *q = ds_msg_of(&m);
	q->flags = (uint32_t)(DSF_TYPE_LABEL | flags);
	q->key_len = (uint32_t)strlen(label);
	memcpy(q->key, label, q->key_len + 1);   /* labels are < 16 */
	q->val = (uint32_t)ep;
	struct pending *p = malloc(sizeof(*p));
	if (!p || npending >= MAX_PENDING) {
		free(p);
		log_warn("data store: cannot queue the news about '%s'", label);
		return;
	}
	df_encode(p->frame, DF_ONEWAY, 0, ++seq, &m);
	p->next = NULL;
	if (tail)
		tail->next = p;
	else
		head = p;
	tail = p;
	npending++;
	if (defer) {
		/* Off the recovery's critical path: dsd would wake up and
		 * compete for the CPU while the restarted instance answers
		 * its first requests. */
		if (!due_ms)
			due_ms = now_ms() + DEFER_MS;
		loop_wake_at(due_ms);
		return;
	}
	due_ms = 0;
	naming_idle();
}

void naming_publish(const struct svc *s, int defer)
{
	if (s->part)
		send_ds(DS_PUBLISH, s->label, s->part->ep, DSF_OVERWRITE, defer);
}

void naming_delete(const struct svc *s)
{
	/* at shutdown the store goes too */
	if (s->part && s->part->ep != DS_PROC_NR && !shutting_down)
		send_ds(DS_DELETE, s->label, s->part->ep, 0, 0);
}

void naming_idle(void)
{
	if (!head)
		return;
	int64_t now = now_ms();
	if (due_ms && now < due_ms)
		return;   /* the timer brings us back */
	due_ms = 0;
	struct chan *ch = ds_chan();
	if (!ch) {   /* the data store went down: its news went with it */
		while (head) {
			struct pending *p = head;
			head = p->next;
			free(p);
		}
		tail = NULL;
		npending = 0;
		return;
	}
	if (flush(ch) < 0)
		loop_wake_at(now + 20);   /* the queue is full: retry */
}

endpoint_t naming_endpoint(const char *label, endpoint_t next)
{
	if (!strcmp(label, "ds") && !part_find(DS_PROC_NR))
		return DS_PROC_NR;
	return next;
}

int naming_start(const char *path, char **args, int nargs)
{
	char self[PATH_MAX], bin[PATH_MAX + 8];
	if (!path) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return -errno;
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(bin, sizeof(bin), "%s/dsd", self);
		path = bin;
	}
	/* an "up" request like any other, made by reincd itself */
	size_t alen = 0;
	for (int i = 0; i < nargs; i++)
		alen += strlen(args[i]) + 1;
	char *argv = malloc(alen + 1);
	struct proto_buf *pb = malloc(sizeof(*pb));
	struct proto_msg *pm = malloc(sizeof(*pm));
	int r = -ENOMEM;
	if (argv && pb && pm) {
		size_t off = 0;
		for (int i = 0; i < nargs; i++) {
			size_t l = strlen(args[i]) + 1;
			memcpy(argv + off, args[i], l);
			off += l;
		}
		proto_begin(pb, P_UP, 0);
		proto_put_str(pb, T_PATH, path);
		proto_put_str(pb, T_LABEL, "ds");
		if (nargs)
			proto_put_blob(pb, T_ARGV, argv, alen);
		proto_put_int(pb, T_FLAGS, UPF_NOBLOCK);
		/* a hung data store is noticed and replaced */
		proto_put_int(pb, T_PERIOD_MS, DS_PERIOD_MS);
		r = proto_finish(pb);
		if (r >= 0)
			r = proto_decode(pb->b, pb->len, pm);
		char err[256] = "";
		if (r >= 0)
			r = svc_up(pm, NULL, err, sizeof(err));
		if (r < 0)
			log_warn("data store: cannot start %s: %s", path,
			         *err ? err : strerror(-r));
	}
	free(argv);
	free(pb);
	free(pm);
	return r;
}
