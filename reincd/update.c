/*
 * update.c - live update (MINIX RS's update.c and the update parts of
 * request.c), on Linux.
 *
 * An update is a chain of descriptors, one per service: one for a plain
 * `reinc update`, several for a batch (-q ... then sysctl upd_run).  It
 * runs in three phases:
 *
 *  starting   every new instance is spawned at request time and runs up
 *             to sef_startup(), where it says P_WAITING: its exec is then
 *             not part of the pause clients see;
 *  preparing  strictly one service at a time, the old instance is sent
 *             P_LU_PREPARE; it goes on serving until its prepare callback
 *             says ready, saves its state and blocks in P_LU_READY (we
 *             keep the request id and answer only if it must resume);
 *  init       for every service, the new instance becomes the active one
 *             (the endpoint and every channel are handed to it, with the
 *             queued messages and the state blob) and gets an init of
 *             type LU.  It blocks after its init until every new instance
 *             has initialised: then the old instances are killed (or, with
 *             -e, detached) and the new ones are released - the commit.
 *
 * Anything going wrong - a failed or crashed init, an init or prepare
 * deadline, any service dying meanwhile, upd_stop, shutdown - rolls every
 * service back: the new instances are killed, the old ones get their
 * channels back and are answered the error, and resume as they were
 * (their memory was never touched; regions were copy-on-write in the new
 * instance).  The caller of `update` gets the result late.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reincd.h"

#define NEVER INT64_MAX
#define PREPARE_DEFAULT_MS 2000   /* MINIX: 2 x RS_DELTA_T */
#define INIT_DEFAULT_MS    10000  /* MINIX: UPD_INIT_MAXTIME */

enum { D_NEW = 0, D_PREPARING, D_PREPARED, D_INIT, D_READY, D_RELEASED };
enum { R_NONE = 0, R_STARTING, R_PREPARING, R_INIT };

struct update {
	struct svc *svc;
	char *path;            /* the new binary and its arguments */
	char **argv;
	int copy_fd;           /* -c: the new binary's copy, or -1 */
	int self;
	int state;             /* the LU state to reach */
	int64_t maxtime_ms;    /* as asked: 0 default, -1 none */
	int flags;             /* UPF_* of the request */
	int init_flags;        /* SEF_INIT_* debug flags and SEF_LU_* flags */
	endpoint_t state_ep;   /* -trg-label's endpoint, or NONE */
	uint8_t *ipcf;         /* IPC filters while preparing: records */
	size_t ipcf_len;
	struct inst *old, *nu;
	int phase;
	int64_t prepare_tm, init_tm;
	uint64_t ready_id;     /* the old instance's P_LU_READY, unanswered */
	uint64_t init_id;      /* the new instance's P_INIT_REPLY */
	int blob_fd;
	int64_t blob_len, blob_ver;
	struct update *next;
};

static struct {
	struct update *head;
	struct update *cur;     /* being prepared */
	int running;            /* R_* */
	int64_t start_tm;
	int pending;            /* new instances still initialising */
	struct waiter waiter;   /* update / upd_run caller */
} U;

static void end_update(int result, struct inst *dying);
static void kick(void);

static int prepare_max(const struct update *d)
{
	return d->maxtime_ms == 0 ? PREPARE_DEFAULT_MS :
	       d->maxtime_ms < 0 ? -1 : (int)d->maxtime_ms;
}

/* MINIX: the new instance's init is killed after 2 x UPD_INIT_MAXTIME
 * (the custom maxtime, else 10 s); -maxtime 0 means no deadline. */
static int64_t init_deadline(const struct update *d, int64_t from)
{
	if (d->maxtime_ms < 0)
		return NEVER;
	int64_t m = d->maxtime_ms > 0 ? d->maxtime_ms : INIT_DEFAULT_MS;
	return from + 2 * m + 1;
}

static const char *why(int result)
{
	switch (-result) {
	case ENOSYS: return "service does not support live update";
	case EINVAL: return "service does not support the required state";
	case EBUSY: return "service is not able to prepare for the update now";
	case EGENERIC: return "generic error occurred while preparing for "
	                      "the update";
	case EINTR: return "timed out or cancelled";
	case ERESTART: return "an instance died during the update";
	}
	return strerror(-result);
}

int upd_in_progress(void)
{
	return U.running != R_NONE;
}

static void free_desc(struct update *d)
{
	free(d->ipcf);
	free(d->path);
	svc_free_vec(d->argv);
	if (d->copy_fd >= 0)
		close(d->copy_fd);
	if (d->blob_fd >= 0)
		close(d->blob_fd);
	if (d->svc && d->svc->upd == d)
		d->svc->upd = NULL;
	free(d);
}

static void free_all(void)
{
	for (struct update *d = U.head, *n; d; d = n) {
		n = d->next;
		free_desc(d);
	}
	U.head = U.cur = NULL;
	U.running = R_NONE;
	U.pending = 0;
}

static int64_t due(void)
{
	int64_t when = NEVER;
	switch (U.running) {
	case R_STARTING:
		for (struct update *d = U.head; d; d = d->next)
			if (d->nu) {
				int64_t t = init_deadline(d, U.start_tm);
				if (t < when)
					when = t;
			}
		break;
	case R_PREPARING:
		if (U.cur && prepare_max(U.cur) > 0)
			when = U.cur->prepare_tm + prepare_max(U.cur) + 1;
		break;
	case R_INIT:
		for (struct update *d = U.head; d; d = d->next)
			if (d->phase == D_INIT) {
				int64_t t = init_deadline(d, d->init_tm);
				if (t < when)
					when = t;
			}
		break;
	}
	return when;
}

int64_t upd_tick(int64_t now)
{
	switch (U.running) {
	case R_STARTING:
		for (struct update *d = U.head; d; d = d->next)
			if (d->nu && !d->nu->waiting &&
			    now >= init_deadline(d, U.start_tm)) {
				log_warn("service '%s': update failed: the new "
				         "instance did not start in time",
				         d->svc->label);
				end_update(-EINTR, NULL);
				return NEVER;
			}
		break;
	case R_PREPARING:
		if (U.cur && prepare_max(U.cur) > 0 &&
		    now - U.cur->prepare_tm > prepare_max(U.cur)) {
			log_warn("service '%s': update failed: maximum prepare "
			         "time reached", U.cur->svc->label);
			end_update(-EINTR, NULL);
			return NEVER;
		}
		break;
	case R_INIT:
		for (struct update *d = U.head; d; d = d->next)
			if (d->phase == D_INIT && now >= init_deadline(d, d->init_tm)) {
				log_warn("service '%s': update failed: no answer to "
				         "the new instance's init request for %lld "
				         "ms", d->svc->label,
				         (long long)(now - d->init_tm));
				end_update(-EINTR, NULL);
				return NEVER;
			}
		break;
	}
	return due();
}

/* ------------------------------------------------------------------ */
/* request                                                              */

static char **dup_args(const char *path, char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(i == 0 ? path : argv[i]))) {
			svc_free_vec(v);
			return NULL;
		}
	return v;
}

/* -ipc_wl/-ipc_bl text ("w:label,type:..." NUL-separated) -> records,
 * labels resolved now (MINIX: through DS).  0 or -errno with err set. */
static int parse_filters(const char *txt, size_t len, uint8_t **out,
                         size_t *outlen, char *err, size_t errlen)
{
	size_t cap = 0, n = 0;
	uint8_t *recs = NULL;
	int filter = 0;
	for (size_t i = 0; i < len; filter++) {
		const char *f = txt + i;
		size_t flen = strnlen(f, len - i);
		i += flen + 1;
		if (filter >= IPCF_MAX_FILTERS || flen < 3 || f[1] != ':' ||
		    (f[0] != 'w' && f[0] != 'b'))
			goto bad;
		char spec[PROTO_MAX_STR + 1];
		if (flen - 2 > PROTO_MAX_STR)
			goto bad;
		snprintf(spec, sizeof(spec), "%.*s", (int)(flen - 2), f + 2);
		char *save = NULL;
		for (char *el = strtok_r(spec, ":", &save); el;
		     el = strtok_r(NULL, ":", &save)) {
			struct ipcf_rec r = { .kind = f[0] == 'w' ? IPCF_WL : IPCF_BL,
			                      .filter = (uint8_t)filter };
			char *comma = strchr(el, ',');
			if (!comma)
				goto bad;
			*comma = 0;
			const char *lab = el, *type = comma + 1;
			if (!*lab && !*type)
				goto bad;
			if (!strcmp(lab, "ANY_USR")) {
				r.flags |= IPCF_ANY_USR;
			} else if (!strcmp(lab, "ANY_SYS")) {
				r.flags |= IPCF_ANY_SYS;
			} else if (!strcmp(lab, "ANY_TSK")) {
				r.flags |= IPCF_SRC;   /* reincd: never a message */
				r.ep = RS_PROC_NR;
			} else if (*lab) {
				char *end;
				long ep = strtol(lab, &end, 10);
				struct svc *t = svc_find(lab);
				r.flags |= IPCF_SRC;
				if (*end == 0 && end != lab) {
					r.ep = (int32_t)ep;
				} else if (t && t->part) {
					r.ep = t->part->ep;
				} else {
					snprintf(err, errlen, "IPC filter: no service "
					         "'%s'", lab);
					free(recs);
					return -ESRCH;
				}
			}
			if (*type) {
				char *end;
				long v = strtol(type, &end, 10);
				if (*end || v < INT32_MIN || v > INT32_MAX)
					goto bad;
				r.flags |= IPCF_TYPE;
				r.type = (int32_t)v;
			}
			if (n == IPCF_MAX_FILTERS * IPCF_MAX_ELEMENTS)
				goto bad;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				uint8_t *m = realloc(recs, cap * IPCF_REC_SIZE);
				if (!m) {
					free(recs);
					return -ENOMEM;
				}
				recs = m;
			}
			ipcf_encode(recs + n++ * IPCF_REC_SIZE, &r);
		}
	}
	*out = recs;
	*outlen = n * IPCF_REC_SIZE;
	return 0;
bad:
	free(recs);
	snprintf(err, errlen, "malformed IPC filter");
	return -EINVAL;
}

/* Has s an instance that can prepare?  0, or -EBUSY with the reason. */
static int check_running(const struct svc *s, const char *hint, char *err,
                         size_t errlen)
{
	if (s->state == S_RUNNING && s->cur && s->cur->state == I_RUNNING)
		return 0;
	snprintf(err, errlen, "service '%s' is not running (%s)%s", s->label,
	         svc_state_name(s), hint);
	return -EBUSY;
}

int upd_request(struct svc *s, const struct proto_msg *pm, struct conn *c,
                char *err, size_t errlen)
{
	int flags = (int)proto_int(pm, T_FLAGS, 0);
	int batch = flags & UPF_BATCH;
	const char *path = proto_str(pm, T_PATH);

	if (shutting_down) {
		snprintf(err, errlen, "reincd is shutting down");
		return -ESHUTDOWN;
	}
	if (U.running) {
		snprintf(err, errlen, "an update is in progress");
		return -EBUSY;
	}
	if (U.head && !batch) {
		snprintf(err, errlen, "an update is scheduled: run it with "
		         "sysctl upd_run, or drop it with upd_stop");
		return -EBUSY;
	}
	if (s->upd) {
		snprintf(err, errlen, "service '%s' is already in the update",
		         s->label);
		return -EINVAL;
	}
	int r0 = check_running(s, "", err, errlen);
	if (r0 < 0)
		return r0;

	endpoint_t state_ep = NONE;
	const char *trg = proto_str(pm, T_TRG_LABEL);
	if (trg) {
		/* MINIX's -trg-label: the new instance's old endpoint is
		 * that service's (its state source); the blob, channels and
		 * regions still come from this service's old instance. */
		char lab[RS_MAX_LABEL_LEN];
		snprintf(lab, sizeof(lab), "%s", trg);
		struct svc *t = svc_find(lab);
		if (!t || !t->part) {
			snprintf(err, errlen, "-trg-label: no service '%s'", trg);
			return -ESRCH;
		}
		state_ep = t->part->ep;
	}
	uint8_t *ipcf = NULL;
	size_t ipcf_len = 0;
	if (proto_has(pm, T_IPC_FILTERS)) {
		int e = parse_filters(proto_str(pm, T_IPC_FILTERS),
		                      pm->slen[T_IPC_FILTERS], &ipcf, &ipcf_len,
		                      err, errlen);
		if (e < 0)
			return e;
	}
	struct update *d = calloc(1, sizeof(*d));
	if (!d) {
		free(ipcf);
		return -ENOMEM;
	}
	d->svc = s;
	d->state_ep = state_ep;
	d->ipcf = ipcf;
	d->ipcf_len = ipcf_len;
	d->copy_fd = d->blob_fd = -1;
	d->self = !strcmp(path, "self");
	d->state = (int)proto_int(pm, T_LU_STATE, SEF_LU_STATE_WORK_FREE);
	d->maxtime_ms = proto_int(pm, T_MAXTIME_MS, 0);
	d->flags = flags;
	int r = -ENOMEM;
	if (d->self) {
		d->path = strdup(s->path);
		d->argv = dup_args(s->path, s->argv);
		if (s->copy_fd >= 0)
			d->copy_fd = fcntl(s->copy_fd, F_DUPFD_CLOEXEC, 0);
		d->init_flags |= SEF_LU_SELF;
	} else {
		if (access(path, X_OK) < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		d->path = strdup(path);
		/* Without -args the service keeps its arguments. */
		d->argv = proto_has(pm, T_ARGV)
		          ? svc_split_blob(path, proto_str(pm, T_ARGV),
		                           pm->slen[T_ARGV], SVC_MAX_ARGS)
		          : dup_args(path, s->argv);
		if ((s->flags & UPF_COPY) && d->path &&
		    (d->copy_fd = svc_copy_binary(path)) < 0) {
			r = d->copy_fd;
			d->copy_fd = -1;
			snprintf(err, errlen, "cannot copy %s: %s", path,
			         strerror(-r));
			goto fail;
		}
	}
	if (!d->path || !d->argv)
		goto fail;
	if (flags & UPF_INIT_CRASH)
		d->init_flags |= SEF_INIT_CRASH;
	if (flags & UPF_INIT_FAIL)
		d->init_flags |= SEF_INIT_FAIL;
	if (flags & UPF_INIT_TIMEOUT)
		d->init_flags |= SEF_INIT_TIMEOUT;
	if (flags & UPF_INIT_DEFCB)
		d->init_flags |= SEF_INIT_DEFCB;
	if (flags & UPF_PREPARE_ONLY)
		d->init_flags |= SEF_LU_PREPARE_ONLY;
	else if (flags & UPF_DETACH)
		d->init_flags |= SEF_LU_DETACHED;

	if (!(flags & UPF_PREPARE_ONLY)) {
		d->nu = svc_spawn(s, d->path, d->argv, d->copy_fd);
		if (!d->nu) {
			r = -errno;
			snprintf(err, errlen, "cannot start %s: %s", d->path,
			         strerror(errno));
			goto fail;
		}
	}
	struct update **pp = &U.head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = d;
	s->upd = d;
	if (U.head->next)
		for (struct update *x = U.head; x; x = x->next)
			x->init_flags |= SEF_LU_MULTI;
	log_info("service '%s': update to %s%s scheduled (state %d)", s->label,
	         d->self ? "self" : d->path,
	         flags & UPF_PREPARE_ONLY ? " (prepare only)" : "", d->state);
	if (batch) {
		conn_reply(c, pm->id, 0, NULL);
		return 0;
	}
	if (!svc_all_idle()) {
		snprintf(err, errlen, "reincd is not idle (a service is starting, "
		         "restarting or stopping): try again");
		end_update(-EAGAIN, NULL);
		return -EAGAIN;
	}
	if (flags & UPF_NOBLOCK)
		conn_reply(c, pm->id, 0, NULL);
	else
		waiter_set(&U.waiter, c, pm->id, P_UPDATE);
	U.running = R_STARTING;
	U.start_tm = now_ms();
	kick();
	return 0;
fail:
	free_desc(d);
	return r;
}

/* ------------------------------------------------------------------ */
/* the phases                                                           */

static void send_prepare(struct inst *in, int state, int flags,
                         const uint8_t *ipcf, size_t ipcf_len)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return;
	proto_begin(pb, P_LU_PREPARE, 0);
	proto_put_int(pb, T_LU_STATE, state);
	proto_put_int(pb, T_FLAGS, flags);
	if (ipcf_len)
		proto_put_blob(pb, T_IPC_FILTERS, ipcf, ipcf_len);
	conn_send(in->ctl, pb, NULL, 0);
	free(pb);
}

static void ask(struct update *d)
{
	d->old = d->svc->cur;
	d->phase = D_PREPARING;
	d->prepare_tm = now_ms();
	U.cur = d;
	send_prepare(d->old, d->state, d->init_flags & 0xff00, d->ipcf,
	             d->ipcf_len);
	log_debug("service '%s': asked pid %d to prepare for state %d",
	          d->svc->label, (int)d->old->pid, d->state);
}

/* Hand the service to its new instance: the endpoint (already the
 * service's), every channel, the requests the old instance was serving,
 * the blob, and an init of type LU. */
static int swap_in(struct update *d)
{
	struct inst *old = d->old, *nu = d->nu;
	uint32_t hi = d->svc->part->ncallee_hi;
	for (uint32_t i = 0; i < hi && i < LIVE_MAX_CHAN; i++) {
		uint32_t st = atomic_load(&old->live->pend[i].state);
		if (st != PEND_SERVING)
			continue;
		atomic_store(&nu->live->pend[i].seq,
		             atomic_load(&old->live->pend[i].seq));
		atomic_store(&nu->live->pend[i].state, PEND_SERVING);
	}
	d->phase = D_INIT;
	d->init_tm = now_ms();
	U.pending++;
	return svc_init_send(nu, SEF_INIT_LU, d->init_flags, d->state,
	                     d->state_ep, d->blob_fd, d->blob_len, d->blob_ver);
}

static void commit_phase(void)
{
	U.running = R_INIT;
	U.cur = NULL;
	/* Prepare-only services are released now (MINIX: a cancel). */
	for (struct update *d = U.head; d; d = d->next)
		if (!d->nu && d->phase == D_PREPARED) {
			conn_reply(d->old->ctl, d->ready_id, -EINTR, NULL);
			d->phase = D_RELEASED;
		}
	for (struct update *d = U.head; d; d = d->next) {
		if (!d->nu)
			continue;
		if (swap_in(d) < 0) {
			log_warn("service '%s': update failed: cannot hand the "
			         "service to its new instance", d->svc->label);
			end_update(-EIO, NULL);
			return;
		}
	}
	if (U.pending == 0)
		end_update(0, NULL);
	else
		loop_wake_at(due());
}

static void kick(void)
{
	if (U.running == R_STARTING) {
		for (struct update *d = U.head; d; d = d->next)
			if (d->nu && !d->nu->waiting) {
				loop_wake_at(due());
				return;  /* P_WAITING will call us again */
			}
		U.running = R_PREPARING;
		for (struct update *d = U.head; d; d = d->next)
			d->svc->state = S_UPDATING;
		ask(U.head);
		loop_wake_at(due());
	}
}

void upd_waiting(struct inst *in)
{
	if (U.running == R_STARTING)
		kick();
}

void upd_ready(struct inst *in, const struct proto_msg *pm, int fd)
{
	struct update *d = U.cur;
	int result = (int)proto_int(pm, T_RESULT, -EPROTO);
	if (U.running != R_PREPARING || !d || d->old != in ||
	    d->phase != D_PREPARING) {
		/* Late (after a timeout or a cancel) or unasked: resume. */
		if (in->svc)
			log_info("service '%s': unexpected update ready from pid "
			         "%d", in->svc->label, (int)in->pid);
		if (fd >= 0)
			close(fd);
		conn_reply(in->ctl, pm->id, -EINVAL, "no update is waiting for you");
		return;
	}
	d->ready_id = pm->id;
	d->phase = D_PREPARED;
	if (result < 0) {
		if (fd >= 0)
			close(fd);
		log_warn("service '%s': update failed: %s", d->svc->label,
		         why(result));
		end_update(result, NULL);
		return;
	}
	if (fd >= 0) {
		d->blob_fd = fd;
		d->blob_len = proto_int(pm, T_SIZE, 0);
		d->blob_ver = proto_int(pm, T_STATE_VER, 0);
	}
	log_debug("service '%s': pid %d is ready for the update", d->svc->label,
	          (int)in->pid);
	in->lu_paused = 1;          /* blocked: process events wait */
	pev_sub_paused(d->svc);
	if (d->next) {
		ask(d->next);
		loop_wake_at(due());
	} else {
		commit_phase();
	}
}

int upd_init_reply(struct inst *in, int result, uint64_t id)
{
	struct update *d = in->svc ? in->svc->upd : NULL;
	if (!d || d->nu != in || d->phase != D_INIT)
		return 0;
	if (result < 0) {
		log_warn("service '%s': update failed: the new instance's init "
		         "failed: %s", d->svc->label, strerror(-result));
		end_update(result, NULL);
		return 1;
	}
	d->phase = D_READY;
	d->init_id = id;
	if (--U.pending == 0)
		end_update(0, NULL);
	return 1;
}

/* ------------------------------------------------------------------ */
/* the end: commit or roll back                                         */

static void commit(struct update *d)
{
	struct svc *s = d->svc;
	if (!d->nu) {  /* prepare only: released by commit_phase already */
		log_info("service '%s': prepared and released", s->label);
		return;
	}
	struct inst *old = d->old, *nu = d->nu;
	svc_now_running(nu);
	conn_reply(nu->ctl, d->init_id, 0, NULL);
	if (!d->self) {
		free(s->path);
		svc_free_vec(s->argv);
		s->path = d->path;
		s->argv = d->argv;
		d->path = NULL;
		d->argv = NULL;
		if (s->copy_fd >= 0)
			close(s->copy_fd);
		s->copy_fd = d->copy_fd;
		d->copy_fd = -1;
		/* a standby of the old binary would bring it back */
		if (s->standby) {
			svc_orphan(s->standby, 1);
			s->standby = NULL;
		}
	}
	s->standby_due = now_ms() + 50;
	naming_publish(s, 1);   /* subscribers learn of the update */
	log_info("service '%s': updated%s (pid %d -> %d)", s->label,
	         d->self ? " (self)" : "", (int)old->pid, (int)nu->pid);
}

static void roll_back(struct update *d, int result, struct inst *dying)
{
	struct svc *s = d->svc;
	struct inst *old = d->old;
	int answer = old && old != dying;

	switch (d->phase) {
	case D_NEW:
		answer = 0;
		break;
	case D_PREPARING:
		if (answer)
			send_prepare(old, SEF_LU_STATE_NULL, 0, NULL, 0);  /* cancel */
		answer = 0;
		break;
	case D_PREPARED:
		break;
	case D_INIT: case D_READY:
		/* Swapped already: the old instance is the active one again
		 * and gets back every channel (those made meanwhile too). */
		s->cur = old;
		if (answer)
			chan_handover(s->part);
		break;
	case D_RELEASED:
		answer = 0;
		break;
	}
	if (d->nu) {
		svc_orphan(d->nu, 1);
		d->nu = NULL;
	}
	if (answer)
		conn_reply(old->ctl, d->ready_id, result, why(result));
}

static void end_update(int result, struct inst *dying)
{
	int64_t now = now_ms();
	if (result == 0) {
		/* The old instances go first: none may run beside its
		 * successor. */
		for (struct update *d = U.head; d; d = d->next) {
			if (!d->nu)
				continue;
			if (d->init_flags & SEF_LU_DETACHED) {
				conn_reply(d->old->ctl, d->ready_id, -EDEADEPT, NULL);
				log_info("service '%s': old instance pid %d detached",
				         d->svc->label, (int)d->old->pid);
				svc_orphan(d->old, 0);
			} else {
				svc_orphan(d->old, 1);
			}
		}
		for (struct update *d = U.head; d; d = d->next)
			commit(d);
		if (U.head && U.head->next)
			log_info("update succeeded");
	} else {
		/* In reverse order, as MINIX. */
		struct update *v[256];
		int n = 0;
		for (struct update *d = U.head; d && n < 256; d = d->next)
			v[n++] = d;
		while (n-- > 0)
			roll_back(v[n], result, dying);
		log_info("update failed: %s", why(result));
	}
	for (struct update *d = U.head; d; d = d->next) {
		struct svc *s = d->svc;
		s->state = S_RUNNING;
		s->alive_ms = now;
		s->ping_out = 0;
		s->upd = NULL;
		if (s->cur && s->cur->lu_paused) {   /* resumed */
			s->cur->lu_paused = 0;
			pev_sub_ready(s);
		}
		svc_reschedule(s);
	}
	waiter_reply(&U.waiter, result, result < 0 ? why(result) : NULL);
	free_all();
}

/* A scheduled update that never ran: drop it. */
static void drop_scheduled(const char *reason)
{
	for (struct update *d = U.head; d; d = d->next)
		if (d->nu) {
			svc_orphan(d->nu, 1);
			d->nu = NULL;
		}
	if (U.head)
		log_info("scheduled update dropped: %s", reason);
	free_all();
}

void upd_died(struct inst *in)
{
	if (!U.head)
		return;
	struct svc *s = in->svc;
	struct update *d = s ? s->upd : NULL;
	int ours = d && (d->nu == in || d->old == in);
	if (!U.running) {
		if (ours && d->nu == in)
			drop_scheduled("a new instance died before it ran");
		return;
	}
	/* MINIX: any death during an update aborts it (ERESTART). */
	if (ours || (s && in == s->cur)) {
		int result = -ERESTART;
		log_warn("service '%s': pid %d died during the update", s->label,
		         (int)in->pid);
		end_update(result, in);
	}
}

void upd_svc_gone(struct svc *s)
{
	if (!s->upd)
		return;
	if (U.running)
		end_update(-EDEADSRCDST, NULL);
	else
		drop_scheduled("a service in it went away");
}

void upd_abort_all(int result)
{
	if (U.running)
		end_update(result, NULL);
	else if (U.head)
		drop_scheduled("reincd is shutting down");
}

/* ------------------------------------------------------------------ */
/* sysctl                                                               */

void upd_describe(char *buf, size_t len)
{
	static const char *const phase[] = { "scheduled", "preparing", "ready",
	                                     "initialising", "initialised",
	                                     "released" };
	static const char *const run[] = { "scheduled", "starting",
	                                   "preparing", "initialising" };
	size_t k = 0;
	if (!U.head) {
		snprintf(buf, len, "no update");
		return;
	}
	k += (size_t)snprintf(buf + k, len - k, "update %s:", run[U.running]);
	for (struct update *d = U.head; d && k < len; d = d->next)
		k += (size_t)snprintf(buf + k, len - k, " %s(%s, state %d, %s)",
		                      d->svc->label, d->self ? "self" : d->path,
		                      d->state, phase[d->phase]);
}

void upd_sysctl(int sub, struct conn *c, uint64_t id)
{
	char buf[1024];
	switch (sub) {
	case SYSCTL_UPD_START: case SYSCTL_UPD_RUN:
		if (U.running) {
			conn_reply(c, id, -EBUSY, "an update is in progress");
			return;
		}
		if (!U.head) {
			conn_reply(c, id, -EINVAL, "no update is scheduled "
			           "(reinc -q update ...)");
			return;
		}
		/* A service of the batch may have crashed since it was
		 * scheduled: it has no instance to prepare right now. */
		for (struct update *d = U.head; d; d = d->next) {
			int r = check_running(d->svc, ": try again", buf,
			                      sizeof(buf));
			if (r < 0) {
				conn_reply(c, id, r, buf);
				return;
			}
		}
		if (!svc_all_idle()) {
			/* the batch stays scheduled */
			conn_reply(c, id, -EAGAIN, "reincd is not idle (a service "
			           "is starting, restarting or stopping): try "
			           "again");
			return;
		}
		if (sub == SYSCTL_UPD_START)
			conn_reply(c, id, 0, NULL);
		else
			waiter_set(&U.waiter, c, id, P_SYSCTL);
		U.running = R_STARTING;
		U.start_tm = now_ms();
		kick();
		return;
	case SYSCTL_UPD_STOP:
		if (!U.head) {
			conn_reply(c, id, -ENOENT, "no update to stop");
			return;
		}
		if (U.running)
			end_update(-EINTR, NULL);
		else
			drop_scheduled("stopped by upd_stop");
		conn_reply(c, id, 0, NULL);
		return;
	case SYSCTL_UPD_STATUS: {
		upd_describe(buf, sizeof(buf));
		struct proto_buf *pb = malloc(sizeof(*pb));
		if (!pb)
			return;
		proto_begin(pb, P_REPLY, id);
		proto_put_int(pb, T_RESULT, 0);
		proto_put_str(pb, T_STATE, buf);
		conn_send(c, pb, NULL, 0);
		free(pb);
		return;
	}
	}
	conn_reply(c, id, -EINVAL, "unknown sysctl");
}
