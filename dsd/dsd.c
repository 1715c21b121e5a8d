/*
 * dsd - the data store (MINIX DS) as a service under reincd, label "ds",
 * endpoint DS_PROC_NR.  See docs/ds.md and dsd(8).
 *
 *   dsd [-entries N] [-subs N] [-heap SIZE] [-max-value SIZE] [-grants N]
 *
 * The store (store.c) lives in a persistent region, so killing dsd,
 * hanging it or updating it loses nothing: the next instance maps the same
 * region, rebuilds its indexes and serves the requests that waited in its
 * channels.  Every subscriber is notified once after such a start, since
 * a notification may have died with the previous instance.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ds_proto.h"
#include "dsd.h"
#include "sef_internal.h"

static struct dsd_caps caps = { DSD_DEF_ENTRIES, DSD_DEF_HEAP,
                                DSD_DEF_SUBS, DSD_DEF_MAX_VALUE };
static uint64_t max_grants = 1024;
static struct store st;

/* ------------------------------------------------------------------ */
/* grants: one per caller endpoint, least recently used evicted         */

struct grant {
	endpoint_t ep;           /* 0: free */
	uint64_t id;
	uint8_t *buf;
	size_t size;
	uint64_t last;
};
static struct grant *grants;
static uint64_t ngrants, grant_clock;

static struct grant *grant_find(endpoint_t ep)
{
	for (uint64_t i = 0; i < ngrants; i++)
		if (grants[i].ep == ep)
			return &grants[i];
	return NULL;
}

static void grant_drop(struct grant *g)
{
	munmap(g->buf, g->size);
	*g = grants[--ngrants];
}

/* Take the descriptor that came with a request as ep's grant. */
static int grant_install(endpoint_t ep, uint64_t id, int fd)
{
	struct stat sb;
	int seals = fcntl(fd, F_GET_SEALS);
	/* Sealed against shrinking, so no page we map can go away. */
	if (id == 0 || seals < 0 || !(seals & F_SEAL_SHRINK) ||
	    fstat(fd, &sb) < 0 || sb.st_size < DS_BUF_KEY ||
	    (uint64_t)sb.st_size > (1ull << 40)) {
		close(fd);
		return -EINVAL;
	}
	void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE,
	               MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -ENOMEM;
	struct grant *g = grant_find(ep);
	if (g) {
		munmap(g->buf, g->size);
	} else {
		if (ngrants == max_grants) {
			struct grant *old = &grants[0];
			for (uint64_t i = 1; i < ngrants; i++)
				if (grants[i].last < old->last)
					old = &grants[i];
			grant_drop(old);
		}
		g = &grants[ngrants++];
	}
	g->ep = ep;
	g->id = id;
	g->buf = p;
	g->size = (size_t)sb.st_size;
	g->last = ++grant_clock;
	return 0;
}

/* ------------------------------------------------------------------ */
/* requests                                                             */

static void notify_owner(struct store *s, const char *owner)
{
	const struct pent *e;
	if (!strcmp(owner, "rs") ||
	    store_retrieve(s, "rs", owner, DSF_TYPE_LABEL, &e) < 0)
		return;
	endpoint_t ep = (endpoint_t)ent_ver(e)->u32;
	if (ep != sef_self())
		ipc_notify(ep);   /* never blocks; a full queue has news */
}

static void serve(message *m)
{
	endpoint_t src = m->m_source;
	int request = sef__is_request(src);
	int fd = sef__take_fd();
	const char *label = sef__callee_label(src);
	struct dsd_caller c = { src, label ? label : "",
	                        src == RS_PROC_NR && label && !strcmp(label, "rs") };

	if (m->m_type == NOTIFY_MESSAGE) {   /* MINIX: not for DS */
		if (fd >= 0)
			close(fd);
		return;
	}
	struct ds_msg *q = ds_msg_of(m);
	int r = 0;
	if (fd >= 0)
		r = grant_install(src, q->grant, fd);
	struct grant *g = grant_find(src);
	if (r == 0) {
		if (g)
			g->last = ++grant_clock;
		r = dsd_request(&st, &c, m, g ? g->buf : NULL, g ? g->size : 0,
		                g ? g->id : 0);
	}
	store_flush_notify(&st);
	if (!request)
		return;
	m->m_type = r;
	/* Never wait for a caller: one that does not read its replies
	 * loses them, and dsd goes on serving everyone else. */
	if (ipc_sendnb(src, m) == -EAGAIN)
		fprintf(stderr, "dsd: reply to %d dropped: its queue is full\n",
		        src);
}

/* ------------------------------------------------------------------ */
/* init                                                                 */

static int init(int type, sef_init_info_t *info)
{
	size_t size = store_size(&caps);
	if (!size) {
		fprintf(stderr, "dsd: the limits do not fit together\n");
		return -EINVAL;
	}
	/* An existing store keeps the limits it was made with, which may
	 * need more room than ours: read its header first. */
	int created = 0;
	const struct phdr *h = sef_region_map("ds", sizeof(*h), &created);
	if (h && !created && h->magic == DSD_MAGIC) {
		struct dsd_caps have = { h->ent_cap, h->heap_size, h->sub_cap,
		                         h->max_value };
		size_t hs = store_size(&have);
		if (hs > size)
			size = hs;
	}
	int again;
	void *p = sef_region_map("ds", size, &again);
	if (!p) {
		fprintf(stderr, "dsd: cannot map the store (%zu bytes): %s\n",
		        size, strerror(errno));
		return -errno;
	}
	int r = store_open(&st, p, size, created, &caps);
	if (r < 0) {
		fprintf(stderr, "dsd: %s store: %s\n",
		        created ? "cannot create the" : "refusing a damaged",
		        strerror(-r));
		return r;
	}
	st.notify = notify_owner;
	if (!grants && !(grants = calloc(max_grants, sizeof(*grants))))
		return -ENOMEM;
	if (!created)
		store_notify_all(&st);   /* sent from the main loop */
	if (type != SEF_INIT_FRESH || !created)
		fprintf(stderr, "dsd: %s with %" PRIu64 " entries and %" PRIu64
		        " subscriptions\n", type == SEF_INIT_LU ? "updated" :
		        "restarted", st.nent, st.nsub);
	return 0;
}

static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	int sh = 0;
	if (*end == 'k' || *end == 'K')
		sh = 10, end++;
	else if (*end == 'm' || *end == 'M')
		sh = 20, end++;
	else if (*end == 'g' || *end == 'G')
		sh = 30, end++;
	if (*end || n > (UINT64_MAX >> sh))
		return -1;
	*out = (uint64_t)n << sh;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: dsd [-entries N] [-subs N] [-heap SIZE] "
	        "[-max-value SIZE] [-grants N]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;
		if (i + 1 >= argc || parse_size(argv[i + 1], &v) < 0 || v == 0)
			usage();
		i++;
		if (!strcmp(a, "-entries"))
			caps.entries = v;
		else if (!strcmp(a, "-subs"))
			caps.subs = v;
		else if (!strcmp(a, "-heap"))
			caps.heap = (v + HEAP_PAGE - 1) / HEAP_PAGE * HEAP_PAGE;
		else if (!strcmp(a, "-max-value"))
			caps.max_value = v;
		else if (!strcmp(a, "-grants"))
			max_grants = v;
		else
			usage();
	}
	if (!store_size(&caps) || max_grants > (1u << 20)) {
		fprintf(stderr, "dsd: limits out of range (entries <= 2^30, "
		        "subs <= 2^20, 64K <= heap <= 1T, max-value <= heap, "
		        "grants <= 2^20)\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	sef_setcb_init_fresh(init);
	sef_setcb_init_lu(init);
	sef_setcb_init_restart(init);
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "dsd: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {
		store_flush_notify(&st);   /* after a restart: to everyone */
		message m;
		int status;
		r = sef_receive_status(ANY, &m, &status);
		if (r < 0) {
			if (r == -EINTR)
				continue;
			fprintf(stderr, "dsd: receive: %s\n", strerror(-r));
			sef_exit(1);
		}
		if (m.m_source != RS_PROC_NR) {
			/* reincd's news first: whatever it wrote before this
			 * caller could send is in its channel already (a label
			 * is published before its service runs). */
			message rm;
			int rst;
			while (sef__try_receive(RS_PROC_NR, &rm, &rst) > 0)
				serve(&rm);
		}
		serve(&m);
	}
}
