/*
 * request.c - validate and serve control frames: requests from reinc and
 * user processes, and what service instances send (init replies, pongs,
 * channel requests).
 *
 * Every frame is checked before any of it is used: its type must be one
 * the sender may send, required fields present, numbers in range, strings
 * sane.  Authorisation comes from the kernel (SO_PEERCRED at accept, or
 * the fact that the frame arrived on an instance's own control socket),
 * never from the frame.  A bad request gets an error reply; a frame that
 * breaks the protocol drops the connection (and kills an instance).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reincd.h"

static endpoint_t next_user_ep = REINC_USER_EP_BASE;

static int bad(char *err, size_t len, int code, const char *what)
{
	snprintf(err, len, "%s", what);
	return code;
}

static int label_ok(const char *l)
{
	size_t n = strlen(l);
	if (n < 1 || n > 98)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (l[i] <= ' ' || l[i] == '/' || l[i] == 0x7f)
			return 0;
	return 1;
}

static int too_many_args(const struct proto_msg *pm)
{
	unsigned n = 0;
	for (uint32_t i = 0; proto_has(pm, T_ARGV) && i < pm->slen[T_ARGV]; i++)
		n += pm->sval[T_ARGV][i] == 0;
	return n > SVC_MAX_ARGS;
}

int request_check(const struct proto_msg *pm, char *err, size_t errlen)
{
	const char *l = proto_str(pm, T_LABEL);
	switch (pm->type) {
	case P_UP: {
		const char *p = proto_str(pm, T_PATH);
		if (!p || p[0] != '/')
			return bad(err, errlen, -EINVAL,
			           "the binary must be an absolute path");
		if (l && *l && !label_ok(l))
			return bad(err, errlen, -EINVAL, "bad label");
		if (proto_int(pm, T_PERIOD_MS, 0) < 0 ||
		    proto_int(pm, T_PERIOD_MS, 0) > 86400000LL * 365)
			return bad(err, errlen, -EINVAL, "bad period");
		if (proto_int(pm, T_RESTARTS, 0) < 0 ||
		    proto_int(pm, T_RESTARTS, 0) > 1000000000)
			return bad(err, errlen, -EINVAL, "bad restart count");
		if (proto_int(pm, T_RESET_MS, 60000) < 0)
			return bad(err, errlen, -EINVAL, "bad -reset-after");
		const char *sc = proto_str(pm, T_SCRIPT);
		if (sc && *sc && sc[0] != '/')
			return bad(err, errlen, -EINVAL,
			           "the script must be an absolute path");
		const char *cwd = proto_str(pm, T_CWD);
		if (cwd && cwd[0] != '/')
			return bad(err, errlen, -EINVAL,
			           "the directory must be an absolute path");
		if (too_many_args(pm))
			return bad(err, errlen, -E2BIG, "too many arguments");
		if (proto_has(pm, T_ENV)) {
			const char *e = proto_str(pm, T_ENV);
			for (uint32_t i = 0; i < pm->slen[T_ENV];) {
				size_t n = strnlen(e + i, pm->slen[T_ENV] - i);
				if (!memchr(e + i, '=', n) || e[i] == '=')
					return bad(err, errlen, -EINVAL,
					           "environment entries are NAME=VALUE");
				i += (uint32_t)n + 1;
			}
		}
		return 0;
	}
	case P_UPDATE: {
		const char *p = proto_str(pm, T_PATH);
		if (!l)
			return bad(err, errlen, -EINVAL, "a label is needed");
		if (!p || (p[0] != '/' && strcmp(p, "self")))
			return bad(err, errlen, -EINVAL, "the binary must be an "
			           "absolute path or 'self'");
		int64_t st = proto_int(pm, T_LU_STATE, SEF_LU_STATE_WORK_FREE);
		if (st <= 0 || st > INT32_MAX)
			return bad(err, errlen, -EINVAL, "the update state must "
			           "be >= 1");
		int64_t mt = proto_int(pm, T_MAXTIME_MS, 0);
		if (mt < -1 || mt > 86400000LL * 365)
			return bad(err, errlen, -EINVAL, "bad -maxtime");
		if (too_many_args(pm))
			return bad(err, errlen, -E2BIG, "too many arguments");
		return 0;
	}
	case P_DOWN: case P_REFRESH: case P_RESTART: case P_CLONE:
	case P_UNCLONE: case P_EDIT: case P_FI:
		if (!l)
			return bad(err, errlen, -EINVAL, "a label is needed");
		if (pm->type == P_EDIT && proto_int(pm, T_PERIOD_MS, 0) < 0)
			return bad(err, errlen, -EINVAL, "bad period");
		return 0;
	case P_LOOKUP:
		if (l) {
			if (strlen(l) < 1 || strlen(l) > 98)
				return bad(err, errlen, -EINVAL,
				           "bad label length");
			return 0;
		}
		if (!proto_has(pm, T_EP))
			return bad(err, errlen, -EINVAL, "a label is needed");
		return 0;
	case P_CONNECT:
		if (!proto_has(pm, T_EP))
			return bad(err, errlen, -EINVAL, "an endpoint is needed");
		return 0;
	case P_STATUS:
		if (l && !*l)
			return bad(err, errlen, -EINVAL, "empty label");
		return 0;
	case P_SYSCTL: {
		int64_t sub = proto_int(pm, T_SUBTYPE, 0);
		if (sub < SYSCTL_SRV_STATUS || sub > SYSCTL_UPD_STATUS)
			return bad(err, errlen, -EINVAL, "unknown sysctl");
		return 0;
	}
	case P_REGION: case P_FDSTORE: {
		const char *n = proto_str(pm, T_NAME);
		size_t max = pm->type == P_REGION ? REGION_MAX_NAME - 1
		                                  : FDSTORE_MAX_NAME - 1;
		if (!n || !*n || strlen(n) > max)
			return bad(err, errlen, -EINVAL, "bad name");
		int64_t sub = proto_int(pm, T_SUBTYPE, 0);
		if (pm->type == P_REGION) {
			int64_t sz = proto_int(pm, T_SIZE, 0);
			if (sub != 1 && sub != 2)
				return bad(err, errlen, -EINVAL, "bad operation");
			if (sub == 1 && (sz <= 0 || sz > (int64_t)1 << 40))
				return bad(err, errlen, -EINVAL, "bad region size");
		} else if (sub < FDS_PUT || sub > FDS_DEL)
			return bad(err, errlen, -EINVAL, "bad operation");
		return 0;
	}
	case P_LU_READY:
		if (!proto_has(pm, T_RESULT) || proto_int(pm, T_RESULT, 0) > 0 ||
		    proto_int(pm, T_RESULT, 0) < -4095)
			return bad(err, errlen, -EINVAL, "bad result");
		if (proto_int(pm, T_SIZE, 0) < 0)
			return bad(err, errlen, -EINVAL, "bad state size");
		return 0;
	case P_EVMASK:
		if (!proto_has(pm, T_FLAGS))
			return bad(err, errlen, -EINVAL, "a mask is needed");
		return 0;
	case P_EVACK:
		if (!proto_has(pm, T_EP) || !proto_has(pm, T_EVENT))
			return bad(err, errlen, -EINVAL,
			           "an endpoint and an event are needed");
		return 0;
	case P_SIGEVENT:
		if (!proto_has(pm, T_SIGNO))
			return bad(err, errlen, -EINVAL, "a signal is needed");
		return 0;
	case P_HELLO: case P_SHUTDOWN:
	case P_INIT_REPLY: case P_PONG: case P_WAITING:
		return 0;
	default:
		return bad(err, errlen, -EPROTO, "not a request");
	}
}

/* May this connection manage every service?  Root and reincd's own user
 * (svc_may_control says who else may manage one). */
static int may_manage(const struct conn *c)
{
	return svc_may_control(c, NULL);
}

static void put_status(struct proto_buf *pb, struct svc *s, int64_t now)
{
	struct inst *in = s->cur;
	svc_is_alive_now(s, now, 0);
	proto_put_str(pb, T_LABEL, s->label);
	proto_put_int(pb, T_EP, s->part ? s->part->ep : NONE);
	proto_put_int(pb, T_PID, in && in->state != I_STANDBY ? in->pid : 0);
	proto_put_str(pb, T_STATE, svc_state_name(s));
	proto_put_int(pb, T_RESTARTS, s->restarts);
	proto_put_int(pb, T_UPTIME_MS, in && in->started_ms ? now - in->started_ms : 0);
	proto_put_int(pb, T_ALIVE_MS, in && in->state == I_RUNNING
	                              ? now - s->alive_ms : -1);
	proto_put_int(pb, T_PERIOD_MS, s->period_ms);
	int64_t left = s->backoff_until - now;
	proto_put_int(pb, T_BACKOFF_MS, s->state == S_BACKOFF && left > 0
	                                ? left : 0);
	proto_put_int(pb, T_STANDBY_PID, s->standby ? s->standby->pid : 0);
	char fl[10];
	snprintf(fl, sizeof(fl), "%c%c%c%c%c%c%c%c%c",
	         s->state == S_RUNNING ? 'A' : '-',
	         s->state == S_UPDATING ? 'U' : '-',
	         s->state == S_STOPPING ? 'E' : '-',
	         s->nopingreply ? 'N' : '-',
	         s->copy_fd >= 0 ? 'C' : '-',
	         s->flags & UPF_REPLICA ? 'R' : '-',
	         s->script ? 'S' : '-',
	         s->flags & UPF_NORESTART ? 'f' : '-',
	         s->flags & UPF_NO_BIN_EXP ? 'b' : '-');
	proto_put_str(pb, T_SFLAGS, fl);
	char cmd[1024];
	size_t k = 0;
	for (int i = 0; s->argv[i] && k < sizeof(cmd) - 1; i++)
		k += (size_t)snprintf(cmd + k, sizeof(cmd) - k, "%s%s",
		                      i ? " " : "", s->argv[i]);
	proto_put_str(pb, T_CMD, cmd);
}

static void do_status(struct conn *c, struct proto_msg *pm)
{
	const char *l = proto_str(pm, T_LABEL);
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb) {
		conn_reply(c, pm->id, -ENOMEM, NULL);
		return;
	}
	int64_t now = now_ms();
	int found = 0;
	for (struct svc *s = services; s && !c->dead; s = s->next) {
		if (l && strcmp(l, s->label))
			continue;
		found++;
		proto_begin(pb, P_STATUS_REC, pm->id);
		put_status(pb, s, now);
		if (conn_send(c, pb, NULL, 0) < 0)
			break;
	}
	free(pb);
	if (l && !found)
		conn_reply(c, pm->id, -ESRCH, "no such service");
	else
		conn_reply(c, pm->id, 0, NULL);
}

static struct part *sender_part(struct conn *c)
{
	if (c->inst)
		return c->inst->svc ? c->inst->svc->part : NULL;
	return c->user;
}

static void do_connect(struct conn *c, struct proto_msg *pm)
{
	struct part *me = sender_part(c);
	if (!me) {
		conn_reply(c, pm->id, -EINVAL, "join first (sef_startup)");
		return;
	}
	if (c->inst && c->inst != c->inst->svc->cur) {
		conn_reply(c, pm->id, -EPERM, "not the active instance");
		return;
	}
	struct chan *ch;
	int r = chan_connect(me, (endpoint_t)proto_int(pm, T_EP, NONE), &ch);
	if (r < 0) {
		conn_reply(c, pm->id, r, NULL);
		return;
	}
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return;
	uint8_t raw[CHAN_REC_SIZE];
	struct chan_rec rec = { ch->caller_slot, ch->callee->ep, CHAN_CALLER,
	                        { 0 } };
	snprintf(rec.label, sizeof(rec.label), "%s", part_label(ch->callee));
	chan_rec_encode(raw, &rec);
	proto_begin(pb, P_REPLY, pm->id);
	proto_put_int(pb, T_RESULT, 0);
	proto_put_blob(pb, T_CHANS, raw, sizeof(raw));
	conn_send(c, pb, &ch->caller_fd, 1);
	free(pb);
	if (!me->svc) {  /* a user process keeps its own end */
		close(ch->caller_fd);
		ch->caller_fd = -1;
	}
}

static void do_lookup(struct conn *c, struct proto_msg *pm)
{
	const char *l = proto_str(pm, T_LABEL);
	struct proto_buf pb;
	proto_begin(&pb, P_REPLY, pm->id);
	if (l) {
		char lab[RS_MAX_LABEL_LEN];
		snprintf(lab, sizeof(lab), "%s", l);
		struct svc *s = svc_find(lab);
		if (!s || strlen(l) >= RS_MAX_LABEL_LEN) {
			conn_reply(c, pm->id, -ESRCH, "no such service");
			return;
		}
		proto_put_int(&pb, T_RESULT, 0);
		proto_put_int(&pb, T_EP, s->part->ep);
	} else {
		struct part *p = part_find((endpoint_t)proto_int(pm, T_EP, NONE));
		if (!p || !p->svc) {
			conn_reply(c, pm->id, -ESRCH, "no such service");
			return;
		}
		proto_put_int(&pb, T_RESULT, 0);
		proto_put_str(&pb, T_LABEL, p->svc->label);
	}
	conn_send(c, &pb, NULL, 0);
}

static struct svc *target(struct conn *c, struct proto_msg *pm)
{
	char lab[RS_MAX_LABEL_LEN];
	snprintf(lab, sizeof(lab), "%s", proto_str(pm, T_LABEL));
	struct svc *s = svc_find(lab);
	if (!s)
		conn_reply(c, pm->id, -ESRCH, "no such service");
	return s;
}

static int is_instance_frame(int type)
{
	return type >= P_INIT_REPLY && type < P_INST_LAST;
}

/* Requests naming a service by label (MINIX: EBUSY during an update). */
static int is_label_request(int type)
{
	switch (type) {
	case P_DOWN: case P_REFRESH: case P_RESTART: case P_CLONE:
	case P_UNCLONE: case P_EDIT: case P_FI:
		return 1;
	}
	return 0;
}

/* Frames an instance sends about itself. */
static void instance_frame(struct conn *c, struct proto_msg *pm, int fd)
{
	struct inst *in = c->inst;
	switch (pm->type) {
	case P_INIT_REPLY:
		svc_init_reply(in, (int)proto_int(pm, T_RESULT, -EPROTO),
		               (int)proto_int(pm, T_FLAGS, 0), pm->id);
		break;
	case P_PONG:
		svc_pong(in);
		break;
	case P_WAITING:
		in->waiting = 1;
		upd_waiting(in);
		break;
	case P_LU_READY:
		upd_ready(in, pm, fd);  /* takes the descriptor */
		return;
	case P_REGION: case P_FDSTORE:
		if (!in->svc) {
			conn_reply(c, pm->id, -EPERM, "not part of a service");
			break;
		}
		store_request(in->svc, c, pm, fd);  /* takes the descriptor */
		return;
	}
	if (fd >= 0)
		close(fd);
}

void request_handle(struct conn *c, struct proto_msg *pm, int fd)
{
	char err[160] = "";
	int r;

	/* What an instance's control socket may carry, and a client's. */
	if (c->inst && (pm->type == P_HELLO || pm->type >= P_REQ_LAST) &&
	    !is_instance_frame(pm->type)) {
		if (fd >= 0)
			close(fd);
		svc_kill_instance(c->inst, "unexpected control frame");
		conn_close(c);
		return;
	}
	if (!c->inst && (is_instance_frame(pm->type) || pm->type >= P_REQ_LAST)) {
		log_warn("client pid %d: frame of type %d is not a request, "
		         "dropping the connection", (int)c->pid, pm->type);
		conn_close(c);
		return;
	}
	if ((r = request_check(pm, err, sizeof(err))) < 0) {
		if (fd >= 0)
			close(fd);
		log_debug("client pid %d: bad request %d: %s", (int)c->pid,
		          pm->type, err);
		conn_reply(c, pm->id, r, err);
		return;
	}
	if (is_instance_frame(pm->type)) {
		instance_frame(c, pm, fd);
		return;
	}
	if (fd >= 0)
		close(fd);  /* only instance frames carry one */
	switch (pm->type) {
	case P_HELLO:
		if (c->user) {
			conn_reply(c, pm->id, -EEXIST, "already joined");
			return;
		}
		c->user = part_new(next_user_ep++, NULL, c);
		if (!c->user) {
			conn_reply(c, pm->id, -ENOMEM, NULL);
			return;
		}
		{
			/* with the events page (struct ev_page) */
			struct proto_buf pb;
			int pfd = pev_page_fd();
			proto_begin(&pb, P_REPLY, pm->id);
			proto_put_int(&pb, T_RESULT, 0);
			proto_put_int(&pb, T_EP, c->user->ep);
			conn_send(c, &pb, &pfd, pfd >= 0 ? 1 : 0);
		}
		return;
	case P_EVMASK:
		r = pev_mask(c, pm, err, sizeof(err));
		conn_reply(c, pm->id, r, r < 0 && err[0] ? err : NULL);
		return;
	case P_EVACK:
		pev_ack(c, pm);     /* never answered, as MINIX */
		return;
	case P_SIGEVENT:
		if ((r = pev_signal(c, pm, err, sizeof(err))) < 0)
			conn_reply(c, pm->id, r, err);
		return;
	case P_STATUS:
		do_status(c, pm);
		return;
	case P_LOOKUP:
		do_lookup(c, pm);
		return;
	case P_CONNECT:
		do_connect(c, pm);
		return;
	default:
		break;
	}
	/* Everything else changes something: root and reincd's user
	 * (SO_PEERCRED; for an instance, the uid it runs as) may do it all;
	 * a service may also manage those its control list names (MINIX's
	 * check_call_permission). */
	static const char denied[] = "permission denied: only root, reincd's "
	                             "user and services whose control list "
	                             "names the target may manage services";
	int targeted = pm->type != P_UP && pm->type != P_SHUTDOWN &&
	               pm->type != P_SYSCTL;
	if (!targeted && !may_manage(c)) {
		conn_reply(c, pm->id, -EPERM, denied);
		return;
	}
	struct svc *s = NULL;
	if (targeted && !may_manage(c)) {
		const char *l = proto_str(pm, T_LABEL);
		char lab[RS_MAX_LABEL_LEN];
		snprintf(lab, sizeof(lab), "%s", l ? l : "");
		s = svc_find(lab);
		if (!svc_may_control(c, s)) {
			if (c->inst && c->inst->svc)
				log_warn("service '%s': may not manage '%s' (control), "
				         "EPERM", c->inst->svc->label, l ? l : "?");
			conn_reply(c, pm->id, -EPERM, denied);
			return;
		}
	}
	switch (pm->type) {
	case P_UP:
		if ((r = svc_up(pm, c, err, sizeof(err))) < 0)
			conn_reply(c, pm->id, r, err[0] ? err : NULL);
		return;
	case P_SHUTDOWN:
		conn_reply(c, pm->id, 0, NULL);
		log_info("shutdown requested by pid %d", (int)c->pid);
		svc_shutdown();
		return;
	case P_SYSCTL:
		if (proto_int(pm, T_SUBTYPE, 0) == SYSCTL_SRV_STATUS) {
			for (struct svc *x = services; x; x = x->next)
				log_info("service '%s'%c (endpoint %d, pid %d, %s)",
				         x->label, x->state == S_RUNNING ? '*' : ' ',
				         x->part->ep, x->cur ? (int)x->cur->pid : 0,
				         svc_state_name(x));
			conn_reply(c, pm->id, 0, NULL);
		} else
			upd_sysctl((int)proto_int(pm, T_SUBTYPE, 0), c, pm->id);
		return;
	case P_UPDATE:
		if (!(s = target(c, pm)))
			return;
		if ((r = upd_request(s, pm, c, err, sizeof(err))) < 0)
			conn_reply(c, pm->id, r, err[0] ? err : NULL);
		return;
	default:
		break;
	}
	if (!(s = target(c, pm)))
		return;
	if (is_label_request(pm->type) && upd_in_progress()) {
		conn_reply(c, pm->id, -EBUSY, "a live update is in progress");
		return;
	}
	switch (pm->type) {
	case P_DOWN:
		r = svc_down(s, c, pm->id);
		break;
	case P_REFRESH:
		r = svc_refresh(s, c, pm->id);
		break;
	case P_RESTART:
		r = svc_restart_req(s);
		if (r == 0)
			conn_reply(c, pm->id, 0, NULL);
		break;
	case P_CLONE:
		r = svc_clone(s);
		if (r == 0)
			conn_reply(c, pm->id, 0, NULL);
		break;
	case P_UNCLONE:
		r = svc_unclone(s);
		if (r == 0)
			conn_reply(c, pm->id, 0, NULL);
		break;
	case P_EDIT:
		r = svc_edit(s, pm);
		if (r == 0)
			conn_reply(c, pm->id, 0, NULL);
		break;
	case P_FI:
		if (!s->cur || s->cur->state != I_RUNNING) {
			r = -EBUSY;
			break;
		}
		/* MINIX's fault injection crashes the service; SIGABRT goes
		 * through libsef's stack trace like a real crash. */
		kill(s->cur->pid, SIGABRT);
		r = 0;
		conn_reply(c, pm->id, 0, NULL);
		break;
	default:
		r = -ENOSYS;
	}
	if (r < 0)
		conn_reply(c, pm->id, r,
		           r == -EBUSY ? "service is busy (starting, stopping "
		                         "or restarting)" : NULL);
}
