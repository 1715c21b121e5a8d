/*
 * event.c - process events: MINIX PM's publish/subscribe facility
 * (pm/event.c; seed 003), for every process reincd knows.
 *
 * Services subscribe with a mask (proceventmask).  Two events:
 *  - EXIT: a service's active instance died, or a user process's
 *    connection closed.  The exit completes only when every interested
 *    subscriber has acknowledged: until then a service is not restarted
 *    (nor removed) and a user process's channels stay open.
 *  - SIGNAL: a user process blocked in ipc_sendrec has a caught signal
 *    pending (libsef holds it back and asks us, P_SIGEVENT).  Its handler
 *    runs when we answer, after the last acknowledgement, so that a
 *    subscriber can first answer the blocked request (EINTR).
 *
 * Delivery is serialised per process: the event goes to the first
 * subscriber (in subscription order) whose mask has it, waits for its
 * P_EVACK, then the next.  A subscriber whose instance dies is removed at
 * once and the processes waiting on it move on; one that unsubscribes
 * while acknowledgements are due stays, with mask 0, until the last.
 * Beyond MINIX:
 *  - a subscriber that does not acknowledge within -event-timeout is
 *    killed as hung (and recovered like any crash), so a hostile or stuck
 *    subscriber cannot hold every exit and restart forever;
 *  - a subscriber whose old instance became ready for a live update gets
 *    its unacknowledged events again, in the instance that runs next
 *    (libsef drops what it had not handed up).
 *
 * Completions (a restart, closing a user's channels) can remove
 * subscribers, which moves other processes on: finished processes go to
 * a queue that one loop drains, never recursively.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reincd.h"

struct sub {
	struct svc *svc;        /* the subscriber: a service, by endpoint */
	unsigned mask;          /* PROC_EVENT_*; 0: leaving once waiting==0 */
	unsigned waiting;       /* processes whose cursor is here */
};

static struct sub *subs;
static unsigned nsubs;
static struct part *flight;     /* processes with an event in flight */
static struct part *done_head, *done_tail;
static int draining;
static int page_fd = -1;
static struct ev_page *page;

const char *pev_name(int event)
{
	return event == PROC_EVENT_EXIT ? "exit"
	     : event == PROC_EVENT_SIGNAL ? "signal" : "?";
}

int pev_init(void)
{
	page_fd = memfd_create("reinc-events", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (page_fd < 0)
		return -errno;
	if (ftruncate(page_fd, EV_PAGE_SIZE) < 0)
		return -errno;
	page = mmap(NULL, EV_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	            page_fd, 0);
	if (page == MAP_FAILED) {
		page = NULL;
		return -errno;
	}
	/* user processes map it read-only; nobody may resize it */
	fcntl(page_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	page->version = EV_PAGE_VERSION;
	return 0;
}

int pev_page_fd(void)
{
	return page_fd;
}

static void publish_counts(void)
{
	unsigned sig = 0;
	for (unsigned i = 0; i < nsubs; i++)
		if (subs[i].mask & PROC_EVENT_SIGNAL)
			sig++;
	if (page)
		atomic_store(&page->sig_subs, sig);
}

/* ------------------------------------------------------------------ */
/* the in-flight list                                                   */

static void flight_add(struct part *p)
{
	p->ev_prev = NULL;
	p->ev_next = flight;
	if (flight)
		flight->ev_prev = p;
	flight = p;
}

static void flight_del(struct part *p)
{
	if (p->ev_prev)
		p->ev_prev->ev_next = p->ev_next;
	else if (flight == p)
		flight = p->ev_next;
	if (p->ev_next)
		p->ev_next->ev_prev = p->ev_prev;
	p->ev_next = p->ev_prev = NULL;
}

static int deliverable(const struct sub *u)
{
	const struct inst *in = u->svc->cur;
	return in && in->state == I_RUNNING && in->ctl && !in->lu_paused;
}

static void send_event(struct part *p, struct sub *u)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return;  /* stays unsent: the next flush or timeout tick retries */
	proto_begin(pb, P_PROC_EVENT, 0);
	proto_put_int(pb, T_EP, p->ep);
	proto_put_int(pb, T_EVENT, p->ev);
	struct conn *c = u->svc->cur->ctl;
	int r = conn_send(c, pb, NULL, 0);
	free(pb);
	if (r < 0)
		return;  /* conn_send killed it if it was hopelessly behind */
	p->ev_sent = 1;
	p->ev_sent_ms = now_ms();
	if (cfg.event_timeout_ms > 0)
		loop_wake_at(p->ev_sent_ms + cfg.event_timeout_ms + 1);
}

/* MINIX's resume_event: from the cursor on, the next interested
 * subscriber gets the event; none left: the event is done. */
static void advance(struct part *p)
{
	for (; p->ev_cursor < nsubs; p->ev_cursor++) {
		struct sub *u = &subs[p->ev_cursor];
		if (u->mask & (unsigned)p->ev) {
			u->waiting++;
			p->ev_sent = 0;
			if (deliverable(u))
				send_event(p, u);
			return;
		}
	}
	flight_del(p);
	p->ev_next = NULL;
	if (done_tail)
		done_tail->ev_next = p;
	else
		done_head = p;
	done_tail = p;
}

/* The event of p is over for every subscriber: what it held back goes. */
static void finish(struct part *p)
{
	int event = p->ev;
	p->ev = 0;
	p->ev_cursor = 0;
	if (p->svc) {           /* a service's instance exited */
		svc_exit_done(p->svc);
		return;
	}
	if (event == PROC_EVENT_SIGNAL) {
		if (p->conn)
			conn_reply(p->conn, p->ev_req_id, 0, NULL);
		if (p->ev_exit_next) {
			p->ev_exit_next = 0;
			if (!pev_start(p, PROC_EVENT_EXIT))
				part_free(p);
		}
		return;
	}
	part_free(p);           /* a user process exited */
}

static void drain(void)
{
	if (draining)
		return;
	draining = 1;
	while (done_head) {
		struct part *p = done_head;
		done_head = p->ev_next;
		if (!done_head)
			done_tail = NULL;
		p->ev_next = NULL;
		finish(p);
	}
	draining = 0;
}

static int interested(int event)
{
	for (unsigned i = 0; i < nsubs; i++)
		if (subs[i].mask & (unsigned)event)
			return 1;
	return 0;
}

int pev_start(struct part *p, int event)
{
	if (shutting_down || !interested(event))
		return 0;
	p->ev = event;
	p->ev_cursor = 0;
	p->ev_sent = 0;
	flight_add(p);
	log_debug("process event %s for endpoint %d", pev_name(event), p->ep);
	advance(p);
	drain();
	return 1;
}

/* ------------------------------------------------------------------ */
/* subscribers                                                          */

static int sub_index(const struct svc *s)
{
	for (unsigned i = 0; i < nsubs; i++)
		if (subs[i].svc == s)
			return (int)i;
	return -1;
}

/* MINIX's remove_sub: order kept; processes waiting on it move on. */
static void remove_sub(unsigned slot)
{
	memmove(&subs[slot], &subs[slot + 1],
	        (nsubs - slot - 1) * sizeof(subs[0]));
	nsubs--;
	publish_counts();
	for (struct part *p = flight, *next; p; p = next) {
		next = p->ev_next;
		if (p->ev_cursor == slot)
			advance(p);
		else if (p->ev_cursor > slot)
			p->ev_cursor--;
	}
}

int pev_mask(struct conn *c, const struct proto_msg *pm, char *err,
             size_t errlen)
{
	struct svc *s = c->inst ? c->inst->svc : NULL;
	if (!s) {
		snprintf(err, errlen, "process events are for services only");
		return -EPERM;
	}
	int64_t m = proto_int(pm, T_FLAGS, -1);
	if (m < 0 || (m & ~(int64_t)(PROC_EVENT_EXIT | PROC_EVENT_SIGNAL))) {
		snprintf(err, errlen, "unknown event bits in the mask");
		return -EINVAL;
	}
	unsigned mask = (unsigned)m;
	int i = sub_index(s);
	if (i >= 0) {
		/* acknowledgements still due: removed after the last */
		subs[i].mask = mask;
		if (mask == 0 && subs[i].waiting == 0)
			remove_sub((unsigned)i);    /* publishes the counts */
		else
			publish_counts();
		log_debug("service '%s': process event mask %#x", s->label, mask);
		drain();
		return 0;
	}
	if (mask == 0)
		return 0;
	if (nsubs >= (unsigned)cfg.event_subs) {
		log_warn("service '%s': too many process event subscribers "
		         "(-event-subs %d)", s->label, cfg.event_subs);
		snprintf(err, errlen, "too many process event subscribers");
		return -ENOMEM;
	}
	if (!subs) {
		subs = calloc((size_t)cfg.event_subs, sizeof(*subs));
		if (!subs)
			return -ENOMEM;
	}
	subs[nsubs++] = (struct sub){ s, mask, 0 };
	publish_counts();
	log_debug("service '%s': subscribed to process events %#x", s->label,
	          mask);
	return 0;
}

static void bad_ack(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void bad_ack(struct conn *c, const char *fmt, ...)
{
	/* a flood of them costs a line each only up to a point */
	unsigned *n = c->inst ? &c->inst->bad_acks : &c->bad_acks;
	if (++*n > 16)
		return;
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	const char *who = c->inst && c->inst->svc ? c->inst->svc->label : NULL;
	if (who)
		log_warn("service '%s': process event acknowledgement %s, "
		         "ignored%s", who, buf,
		         *n == 16 ? " (further ones not logged)" : "");
	else
		log_warn("pid %d: process event acknowledgement %s, ignored%s",
		         (int)c->pid, buf,
		         *n == 16 ? " (further ones not logged)" : "");
}

void pev_ack(struct conn *c, const struct proto_msg *pm)
{
	endpoint_t ep = (endpoint_t)proto_int(pm, T_EP, NONE);
	int event = (int)proto_int(pm, T_EVENT, 0);
	struct inst *in = c->inst;
	struct svc *s = in ? in->svc : NULL;
	if (!s) {
		bad_ack(c, "from a user process (for endpoint %d)", ep);
		return;
	}
	if (in != s->cur) {
		bad_ack(c, "from pid %d, not the service's active instance",
		        (int)in->pid);
		return;
	}
	struct part *p = part_find(ep);
	if (!p || !p->ev) {
		bad_ack(c, "for endpoint %d, which has no event in flight", ep);
		return;
	}
	struct sub *u = p->ev_cursor < nsubs ? &subs[p->ev_cursor] : NULL;
	if (!u || u->svc != s) {
		bad_ack(c, "for endpoint %d, whose event waits on '%s'", ep,
		        u ? u->svc->label : "nobody");
		return;
	}
	if (!p->ev_sent) {
		bad_ack(c, "for endpoint %d before the event was sent", ep);
		return;
	}
	if (event != p->ev) {
		bad_ack(c, "for endpoint %d for event %d instead of %d (%s)", ep,
		        event, p->ev, pev_name(p->ev));
		return;
	}
	/* Not checked against the mask: it may have changed since. */
	u->waiting--;
	p->ev_sent = 0;
	if (u->mask == 0 && u->waiting == 0) {
		remove_sub(p->ev_cursor);   /* moves p on too */
	} else {
		p->ev_cursor++;
		advance(p);
	}
	drain();
}

int pev_signal(struct conn *c, const struct proto_msg *pm, char *err,
               size_t errlen)
{
	struct part *p = c->user;
	if (!p) {
		snprintf(err, errlen, "signal events are for user processes");
		return -EPERM;
	}
	int64_t sig = proto_int(pm, T_SIGNO, 0);
	if (sig <= 0 || sig >= 65) {
		snprintf(err, errlen, "bad signal number");
		return -EINVAL;
	}
	if (p->ev) {
		snprintf(err, errlen, "a signal event is in flight already");
		return -EBUSY;
	}
	p->ev_req_id = pm->id;
	if (!pev_start(p, PROC_EVENT_SIGNAL))
		conn_reply(c, pm->id, 0, NULL);   /* nobody is interested */
	return 0;
}

void pev_user_exit(struct part *p)
{
	p->conn = NULL;
	if (p->ev == PROC_EVENT_SIGNAL) {
		p->ev_exit_next = 1;    /* after the signal event */
		return;
	}
	if (!pev_start(p, PROC_EVENT_EXIT))
		part_free(p);
}

void pev_sub_gone(struct svc *s)
{
	int i = sub_index(s);
	if (i < 0)
		return;
	log_debug("service '%s': no longer a process event subscriber",
	          s->label);
	remove_sub((unsigned)i);
	drain();
}

void pev_part_gone(struct part *p)
{
	if (!p->ev)
		return;
	/* finished but not yet drained? */
	struct part *prev = NULL;
	for (struct part *d = done_head; d; prev = d, d = d->ev_next) {
		if (d != p)
			continue;
		if (prev)
			prev->ev_next = p->ev_next;
		else
			done_head = p->ev_next;
		if (done_tail == p)
			done_tail = prev;
		p->ev_next = NULL;
		p->ev = 0;
		return;
	}
	unsigned i = p->ev_cursor;
	flight_del(p);
	p->ev = 0;
	if (i < nsubs && subs[i].waiting && --subs[i].waiting == 0 &&
	    subs[i].mask == 0) {
		remove_sub(i);      /* it was staying only for p */
		drain();
	}
}

void pev_sub_paused(struct svc *s)
{
	int i = sub_index(s);
	if (i < 0)
		return;
	/* The old instance drops what it had not handed up: send those
	 * again to whichever instance runs next. */
	for (struct part *p = flight; p; p = p->ev_next)
		if (p->ev_cursor == (unsigned)i)
			p->ev_sent = 0;
}

void pev_sub_ready(struct svc *s)
{
	int i = sub_index(s);
	if (i < 0 || !deliverable(&subs[i]))
		return;
	for (struct part *p = flight; p; p = p->ev_next)
		if (p->ev_cursor == (unsigned)i && !p->ev_sent)
			send_event(p, &subs[i]);
}

int64_t pev_tick(int64_t now)
{
	int64_t next = INT64_MAX;
	for (struct part *p = flight; p; p = p->ev_next) {
		if (p->ev_cursor >= nsubs)
			continue;
		struct sub *u = &subs[p->ev_cursor];
		if (!p->ev_sent) {
			if (deliverable(u))
				send_event(p, u);   /* a send that failed */
			continue;
		}
		if (cfg.event_timeout_ms <= 0)
			continue;
		int64_t due = p->ev_sent_ms + cfg.event_timeout_ms;
		if (now > due) {
			struct inst *in = u->svc->cur;
			if (in && !in->ev_killed) {
				in->ev_killed = 1;
				log_warn("service '%s': no acknowledgement of the %s "
				         "event of endpoint %d for %lld ms",
				         u->svc->label, pev_name(p->ev), p->ep,
				         (long long)(now - p->ev_sent_ms));
				svc_kill_instance(in, "hung in process events");
			}
		} else if (due + 1 < next) {
			next = due + 1;
		}
	}
	return next;
}

void pev_abort_all(void)
{
	/* shutting down: nothing waits for subscribers any more */
	nsubs = 0;
	publish_counts();
	while (flight) {
		struct part *p = flight;
		flight_del(p);
		if (done_tail)
			done_tail->ev_next = p;
		else
			done_head = p;
		done_tail = p;
	}
	drain();
}

unsigned pev_waiting_on(const struct svc *s)
{
	int i = sub_index(s);
	return i < 0 ? 0 : subs[i].waiting;
}

int pev_mask_of(const struct svc *s)
{
	int i = sub_index(s);
	return i < 0 ? -1 : (int)subs[i].mask;
}
