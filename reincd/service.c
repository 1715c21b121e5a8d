/*
 * service.c - the service table and each service's life: start, init,
 * crash, back-off, restart (cold or from a hot standby), stop, remove.
 *
 * One recovery path for every kind of failure (MINIX RS): whatever ends an
 * instance - a crash, a missed heartbeat, a failed init - ends in
 * svc_died(), which fails the request it was serving, then decides from
 * the service's state and policy what happens next.  The state of a
 * service is one of enum svc_state; its instance's is enum inst_state.
 * Heartbeats are checked in svc_tick() from the liveness page.
 *
 * Not here: request decoding (request.c), channels (channel.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reincd.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define NEVER INT64_MAX
#define STANDBY_DELAY_MS 50

extern char **environ;

struct svc *services;
static int nservices;
static endpoint_t next_ep = REINC_SERVICE_EP_BASE;

static void restart_now(struct svc *s);
static void svc_recover(struct svc *s, struct inst *in, const siginfo_t *si);
static void svc_remove(struct svc *s, int result, const char *why);
static void emit(struct svc *s, const char *line, size_t n);

struct svc *svc_find(const char *label)
{
	for (struct svc *s = services; s; s = s->next)
		if (!strcmp(s->label, label))
			return s;
	return NULL;
}

int svc_count(void)
{
	return nservices;
}

const char *svc_state_name(const struct svc *s)
{
	if (s->exited)
		return "exiting";   /* subscribers are told of its exit */
	switch (s->state) {
	case S_STARTING: return "starting";
	case S_RUNNING: return "running";
	case S_RESTARTING: return "restarting";
	case S_STOPPING: return "stopping";
	case S_BACKOFF: return "backoff";
	case S_TERMINATED: return "terminated";
	case S_UPDATING: return "updating";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* instances                                                            */

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static char **build_env(const struct svc *s, int ppid_env)
{
	size_t n = 0, m = 0;
	while (environ[n])
		n++;
	while (s->env && s->env[m])
		m++;
	char **e = calloc(n + m + 4, sizeof(*e));
	if (!e)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "REINC_CTL_FD=", 13) &&
		    strncmp(environ[i], "REINC_LIVE_FD=", 14) &&
		    strncmp(environ[i], "REINC_PPID=", 11))
			e[k++] = environ[i];
	for (size_t i = 0; i < m; i++)
		e[k++] = s->env[i];
	static char ctl[] = ENV_CTL_FD "=3", live[] = ENV_LIVE_FD "=4";
	static char ppid[32];
	snprintf(ppid, sizeof(ppid), "REINC_PPID=%d", ppid_env);
	e[k++] = ctl;
	e[k++] = live;
	e[k++] = ppid;
	return e;
}

/* Our descriptors are all above 4 (epoll, lock and socket come first), so
 * dup2 onto 3 and 4 cannot clobber a source; make sure anyway. */
static int high_fd(int fd)
{
	if (fd > 4)
		return fd;
	int n = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return n;
}

/* What an instance needs besides its process: the control socketpair and
 * the liveness page.  One spare kit is made ahead of time (svc_idle), so
 * that a restart does not wait for it. */
struct kit {
	int ctl[2];
	int live_fd;
	struct live_page *live;
};
static struct kit spare;

static int kit_make(struct kit *k)
{
	int r;
	k->live = NULL;
	k->live_fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, k->ctl) < 0) {
		k->ctl[0] = k->ctl[1] = -1;
		return -errno;
	}
	k->ctl[0] = high_fd(k->ctl[0]);
	k->ctl[1] = high_fd(k->ctl[1]);
	int big = 1 << 20;
	setsockopt(k->ctl[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	k->live_fd = memfd_create("reinc-live", MFD_CLOEXEC);
	if (k->live_fd < 0 || ftruncate(k->live_fd, LIVE_PAGE_SIZE) < 0)
		goto fail;
	k->live_fd = high_fd(k->live_fd);
	k->live = mmap(NULL, LIVE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	               k->live_fd, 0);
	if (k->live == MAP_FAILED)
		goto fail;
	k->live->magic = LIVE_MAGIC;
	k->live->version = LIVE_VERSION;
	return 0;
fail:
	r = -errno;
	if (k->live_fd >= 0)
		close(k->live_fd);
	close(k->ctl[0]);
	close(k->ctl[1]);
	/* a failed kit holds nothing: the caller may close what is >= 0 */
	k->ctl[0] = k->ctl[1] = k->live_fd = -1;
	k->live = NULL;
	return r;
}

void svc_idle(void)
{
	if (!spare.live && !shutting_down && services)
		kit_make(&spare);
}

struct inst *svc_spawn(struct svc *s, const char *path, char *const *argv,
                       int copy_fd)
{
	struct kit k = { .ctl = { -1, -1 }, .live_fd = -1 };
	struct inst *in = calloc(1, sizeof(*in));
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char **envp = NULL;
	int err = 0;

	if (!in)
		return NULL;
	in->svc = s;
	in->pidfd = -1;
	if (spare.live) {  /* prepared while reincd was idle */
		k = spare;
		spare.live = NULL;
	} else if ((err = -kit_make(&k)) != 0) {
		goto fail;
	}
	in->live = k.live;

	envp = build_env(s, (int)getpid());
	if (!envp) {
		err = ENOMEM;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, k.ctl[1], 3);
	posix_spawn_file_actions_adddup2(&fa, k.live_fd, 4);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, s->out_wfd, 1);
	posix_spawn_file_actions_adddup2(&fa, s->out_wfd, 2);
	if (s->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, s->cwd);
	posix_spawnattr_init(&at);
	sigset_t mask, def;
	live_taken_signals(&mask);
	/* exec resets handled signals; the only one reincd ignores, and
	 * which would stay ignored, is SIGPIPE.  (A full set here costs the
	 * child one sigaction per signal on the restart path.) */
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	/* Signals stay blocked until libsef takes them over through its
	 * signalfd: a SIGTERM during startup must not kill the service. */
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	                         POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	char exe[64];
	if (copy_fd >= 0) {
		snprintf(exe, sizeof(exe), "/proc/self/fd/%d", copy_fd);
		path = exe;
	}
	if (priv_needed(s)) {
		char why[160];
		struct priv_spawn ps = { .path = path, .argv = argv, .envp = envp,
		                         .ctl_fd = k.ctl[1], .live_fd = k.live_fd,
		                         .out_fd = s->out_wfd, .mask = mask };
		in->pid = priv_spawn(s, &ps, why, sizeof(why));
		if (in->pid < 0) {
			err = errno ? errno : EPERM;
			log_warn("service '%s': cannot start %s: %s", s->label,
			         path, why);
		}
	} else {
		err = posix_spawn(&in->pid, path, &fa, &at, argv, envp);
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(envp);
	if (err)
		goto fail;
	/* the instance has its own copies now */
	close(k.ctl[1]);
	k.ctl[1] = -1;
	close(k.live_fd);
	k.live_fd = -1;
	in->pidfd = pidfd_open(in->pid);
	if (in->pidfd < 0) {
		err = errno;
		kill(in->pid, SIGKILL);
		waitpid(in->pid, NULL, 0);
		goto fail;
	}
	in->ctl = conn_new(k.ctl[0], in);
	if (!in->ctl) {
		err = ENOMEM;
		kill(in->pid, SIGKILL);
		waitpid(in->pid, NULL, 0);
		goto fail;
	}
	k.ctl[0] = -1;
	in->ctl->uid = priv_uid(s);   /* authorises what it asks of us */
	in->pw.kind = W_PIDFD;
	in->pw.obj = in;
	loop_add(in->pidfd, &in->pw, EPOLLIN);
	in->state = I_STANDBY;
	return in;
fail:
	log_warn("service '%s': cannot start %s: %s", s->label, path,
	         strerror(err));
	for (int i = 0; i < 2; i++)
		if (k.ctl[i] >= 0)
			close(k.ctl[i]);
	if (k.live_fd >= 0)
		close(k.live_fd);
	if (in->pidfd >= 0)
		close(in->pidfd);
	if (in->live)
		munmap(in->live, LIVE_PAGE_SIZE);
	free(in);
	errno = err;
	return NULL;
}

static struct inst *inst_spawn(struct svc *s)
{
	return svc_spawn(s, s->path, s->argv, s->copy_fd);
}

/* Stop watching a dead instance: its pidfd and control socket go; its
 * liveness page stays for what recovery reads. */
static void inst_close(struct inst *in)
{
	if (in->pidfd >= 0) {
		loop_del(in->pidfd);
		close(in->pidfd);
		in->pidfd = -1;
	}
	if (in->ctl)
		conn_close(in->ctl);
}

static void inst_free(struct inst *in)
{
	inst_close(in);
	if (in->live)
		munmap(in->live, LIVE_PAGE_SIZE);
	in->live = NULL;
	in->state = I_DEAD;
	loop_defer_free(in);
}

/* Hand the channels to the instance, then the init request.  Both are
 * queued on its control socket; a cold instance reads them at its
 * sef_startup(), a hot standby is blocked there already. */
int svc_init_send(struct inst *in, int type, int flags, int lu_state,
                  endpoint_t state_ep, int blob_fd, int64_t blob_len,
                  int64_t blob_ver)
{
	struct svc *s = in->svc;
	s->cur = in;
	in->state = I_INIT;
	in->init_type = type;
	in->init_sent_ms = now_ms();
	svc_reschedule(s);
	int r = chan_handover(s->part);
	if (r < 0)
		return r;
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	proto_begin(pb, P_INIT, 0);
	proto_put_int(pb, T_INIT_TYPE, type);
	proto_put_int(pb, T_INIT_FLAGS, flags);
	proto_put_int(pb, T_EP, s->part->ep);
	proto_put_int(pb, T_OLD_EP, type == SEF_INIT_FRESH ? NONE :
	                            type == SEF_INIT_LU && state_ep != NONE
	                            ? state_ep : s->part->ep);
	proto_put_int(pb, T_RESTARTS, s->restarts + 1);
	proto_put_str(pb, T_LABEL, s->label);
	if (type == SEF_INIT_LU) {
		proto_put_int(pb, T_LU_STATE, lu_state);
		if (blob_fd >= 0) {
			proto_put_int(pb, T_FLAGS, INITF_BLOB);
			proto_put_int(pb, T_SIZE, blob_len);
			proto_put_int(pb, T_STATE_VER, blob_ver);
		}
	}
	r = conn_send(in->ctl, pb, &blob_fd, blob_fd >= 0 ? 1 : 0);
	free(pb);
	return r;
}

/* Init flags of an up, restart or refresh, from the service's flags. */
static int inst_init(struct inst *in, int type)
{
	struct svc *s = in->svc;
	int flags = 0;
	if (s->flags & UPF_INIT_CRASH)
		flags |= SEF_INIT_CRASH;
	if (s->flags & UPF_INIT_FAIL)
		flags |= SEF_INIT_FAIL;
	if (s->flags & UPF_INIT_TIMEOUT)
		flags |= SEF_INIT_TIMEOUT;
	if (s->flags & UPF_INIT_DEFCB)
		flags |= SEF_INIT_DEFCB;
	if (s->script)
		flags |= SEF_INIT_SCRIPT_RESTART;
	return svc_init_send(in, type, flags, 0, NONE, -1, 0, 0);
}

static void spawn_standby(struct svc *s)
{
	if (s->standby || shutting_down)
		return;
	s->standby = inst_spawn(s);
}

/* ------------------------------------------------------------------ */
/* start                                                                */

char **svc_split_blob(const char *first, const char *blob, size_t len,
                         size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (blob[i] == 0)
			n++;
	if (len && blob[len - 1] != 0)
		n++;
	if (n > max)
		return NULL;
	char **v = calloc(n + 2, sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0;
	if (first)
		v[k++] = strdup(first);
	for (size_t i = 0; i < len;) {
		size_t l = strnlen(blob + i, len - i);
		v[k++] = strndup(blob + i, l);
		i += l + 1;
	}
	for (size_t i = 0; i < k; i++)
		if (!v[i]) {
			for (size_t j = 0; j < k; j++)
				free(v[j]);
			free(v);
			return NULL;
		}
	return v;
}

void svc_free_vec(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int svc_copy_binary(const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int out = memfd_create("reinc-copy", MFD_CLOEXEC);
	if (out < 0) {
		int e = -errno;
		close(in);
		return e;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	int e = n < 0 ? -errno : 0;
	close(in);
	if (e) {
		close(out);
		return e;
	}
	fchmod(out, 0755);
	return out;
}

static void svc_free(struct svc *s)
{
	store_free(s);
	priv_free(s);
	free(s->path);
	svc_free_vec(s->argv);
	svc_free_vec(s->env);
	free(s->cwd);
	free(s->script);
	if (s->copy_fd >= 0)
		close(s->copy_fd);
	if (s->out_fd >= 0) {
		loop_del(s->out_fd);
		close(s->out_fd);
	}
	if (s->out_wfd >= 0)
		close(s->out_wfd);
	loop_defer_free(s);
}

int svc_up(const struct proto_msg *pm, struct conn *c, char *err,
           size_t errlen)
{
	const char *path = proto_str(pm, T_PATH);
	const char *lab = proto_str(pm, T_LABEL);
	char label[RS_MAX_LABEL_LEN];

	if (shutting_down) {
		snprintf(err, errlen, "reincd is shutting down");
		return -ESHUTDOWN;
	}
	if (!lab || !*lab) {
		lab = strrchr(path, '/');
		lab = lab ? lab + 1 : path;
	}
	snprintf(label, sizeof(label), "%s", lab);  /* MINIX: truncate to 15 */
	if (!strcmp(label, "rs")) {
		/* what the data store calls reincd: the owner of labels */
		snprintf(err, errlen, "the label 'rs' is reincd's own");
		return -EBUSY;
	}
	if (svc_find(label)) {
		snprintf(err, errlen, "service with the same label '%s' already "
		         "exists", label);
		return -EBUSY;
	}
	if (access(path, X_OK) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	struct svc *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->copy_fd = s->out_fd = s->out_wfd = -1;
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->path = strdup(path);
	s->argv = svc_split_blob(path, proto_has(pm, T_ARGV) ? proto_str(pm, T_ARGV) : "",
	                     proto_has(pm, T_ARGV) ? pm->slen[T_ARGV] : 0,
	                     SVC_MAX_ARGS);
	if (proto_has(pm, T_ENV))
		s->env = svc_split_blob(NULL, proto_str(pm, T_ENV), pm->slen[T_ENV],
		                    1024);
	if (proto_has(pm, T_CWD))
		s->cwd = strdup(proto_str(pm, T_CWD));
	if (proto_has(pm, T_SCRIPT) && *proto_str(pm, T_SCRIPT))
		s->script = strdup(proto_str(pm, T_SCRIPT));
	s->flags = (int)proto_int(pm, T_FLAGS, 0);
	s->period_ms = proto_int(pm, T_PERIOD_MS, 0);
	s->reset_ms = proto_int(pm, T_RESET_MS, 60000);
	s->restarts = (int)proto_int(pm, T_RESTARTS, 0);
	int r = -ENOMEM;
	int p[2];
	if (!s->path || !s->argv || (proto_has(pm, T_ENV) && !s->env))
		goto fail;
	if ((r = priv_from_up(s, pm, err, errlen)) < 0)
		goto fail;
	r = -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	s->out_fd = p[0];
	s->out_wfd = p[1];
	fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	s->ow.kind = W_OUTPUT;
	s->ow.obj = s;
	loop_add(s->out_fd, &s->ow, EPOLLIN);
	if ((s->flags & UPF_COPY) && (s->copy_fd = svc_copy_binary(path)) < 0) {
		r = s->copy_fd;
		s->copy_fd = -1;
		snprintf(err, errlen, "cannot copy %s: %s", path, strerror(-r));
		goto fail;
	}
	endpoint_t ep = naming_endpoint(label, next_ep);
	s->part = part_new(ep, s, NULL);
	if (!s->part)
		goto fail;
	struct inst *in = inst_spawn(s);
	if (!in) {
		r = -errno;
		snprintf(err, errlen, "cannot start %s: %s", path, strerror(errno));
		part_free(s->part);
		goto fail;
	}
	if (ep == next_ep)
		next_ep++;
	s->state = S_STARTING;
	s->next = services;
	services = s;
	nservices++;
	/* Before its init request: its init may look itself up, and dsd
	 * reads what reincd wrote before anything the service sends. */
	naming_publish(s, 0);
	if (inst_init(in, SEF_INIT_FRESH) < 0)
		svc_kill_instance(in, "cannot send the init request");
	if (c && (s->flags & UPF_NOBLOCK))   /* c NULL: the data store at boot */
		conn_reply(c, pm->id, 0, NULL);
	else if (c)
		waiter_set(&s->waiter, c, pm->id, P_UP);
	log_debug("service '%s': starting %s (endpoint %d, pid %d)", s->label,
	          s->path, s->part->ep, (int)in->pid);
	return 0;
fail:
	svc_free(s);
	return r;
}

/* ------------------------------------------------------------------ */
/* init, death, restart                                                 */

void svc_init_reply(struct inst *in, int result, int flags, uint64_t id)
{
	struct svc *s = in->svc;
	if (s && in == s->cur && in->state == I_INIT &&
	    in->init_type == SEF_INIT_LU && upd_init_reply(in, result, id))
		return;
	if (!s || in != s->cur || in->state != I_INIT) {
		if (s)
			log_warn("service '%s': unexpected init reply from pid %d",
			         s->label, (int)in->pid);
		conn_reply(in->ctl, id, -EINVAL, "unexpected init reply");
		return;
	}
	if (result < 0) {
		/* MINIX: a failed init is "simulated as a crash" */
		in->init_err = result;
		log_info("service '%s': init failed: %s", s->label,
		         strerror(-result));
		kill(in->pid, SIGKILL);
		return;
	}
	int64_t now = now_ms();
	svc_now_running(in);
	if (!(flags & INITR_NOWAIT))
		conn_reply(in->ctl, id, 0, NULL);
	if (s->state == S_RESTARTING) {
		naming_publish(s, 1);   /* subscribers learn of the restart */
		s->restarts++;
		log_info("service '%s': completed restart %d%s (pid %d)",
		         s->label, s->restarts,
		         flags & INITR_RESET ? ", state reset" : "", (int)in->pid);
	} else {
		log_info("service '%s': up (endpoint %d, pid %d)", s->label,
		         s->part->ep, (int)in->pid);
	}
	s->state = S_RUNNING;
	s->started = 1;
	waiter_reply(&s->waiter, 0, NULL);
	/* A new standby is spawned a little later: right now it would
	 * compete for the CPU with the instance that just took over. */
	s->standby_due = now + STANDBY_DELAY_MS;
	svc_reschedule(s);
	boot_up(s);         /* services that start after it */
}

void svc_now_running(struct inst *in)
{
	struct svc *s = in->svc;
	int64_t now = now_ms();
	in->state = I_RUNNING;
	in->started_ms = now;
	in->last_counter = atomic_load(&in->live->counter);
	s->alive_ms = now;
	s->ping_ms = now;
	s->ping_out = 0;
	pev_sub_ready(s);   /* events held while it could not take them */
}

void svc_pong(struct inst *in)
{
	struct svc *s = in->svc;
	if (s && in == s->cur) {
		s->alive_ms = now_ms();
		s->ping_out = 0;
	}
}

static void run_script(struct svc *s, const char *reason)
{
	char restarts[16];
	snprintf(restarts, sizeof(restarts), "%d", s->restarts);
	char *argv[] = { "sh", s->script, s->label, (char *)reason, restarts, NULL };
	char penv[PATH_MAX + 32], renv[PATH_MAX + 32];
	const char *path = getenv("PATH");
	snprintf(penv, sizeof(penv), "PATH=%s", path ? path : "/usr/bin:/bin");
	snprintf(renv, sizeof(renv), "REINC_RUNTIME_DIR=%s", cfg.rundir);
	char *envp[] = { penv, renv, NULL };
	pid_t pid;
	posix_spawnattr_t at;
	sigset_t none, def;
	sigemptyset(&none);
	sigfillset(&def);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	int err = posix_spawn(&pid, "/bin/sh", NULL, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	if (err) {
		log_warn("service '%s': cannot run recovery script %s: %s",
		         s->label, s->script, strerror(err));
		svc_remove(s, 0, "recovery script failed");
		return;
	}
	struct watch *w = calloc(1, sizeof(*w));
	int fd = pidfd_open(pid);
	if (!w || fd < 0) {
		free(w);
		if (fd >= 0)
			close(fd);
		waitpid(pid, NULL, 0);  /* cannot watch it: wait for it */
		return;
	}
	w->kind = W_SCRIPT;
	w->obj = (void *)(intptr_t)fd;
	loop_add(fd, w, EPOLLIN);
	log_info("service '%s': running recovery script %s %s %s %s", s->label,
	         s->script, s->label, reason, restarts);
}

void svc_script_done(struct watch *w)
{
	int fd = (int)(intptr_t)w->obj;
	siginfo_t si;
	waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG);
	loop_del(fd);
	close(fd);
	loop_defer_free(w);
}

int64_t svc_backoff_ms(int level, int flags)
{
	if (level <= 0)
		return 0;
	if (flags & UPF_NO_BIN_EXP)
		return 1000;
	int64_t delay = (level >= 5 ? 30 : (1 << level)) * 1000;
	if ((flags & UPF_COPY) && delay > 1000)
		delay = 1000;
	return delay;
}

/* Restart now, or set the back-off; returns the delay in ms. */
static int64_t schedule_restart(struct svc *s, int64_t ran_ms)
{
	if (ran_ms >= s->reset_ms)
		s->level = 0;  /* it ran healthy long enough: start over */
	int64_t delay = svc_backoff_ms(s->level, s->flags);
	s->level++;
	if (delay == 0) {
		restart_now(s);
		return 0;
	}
	s->state = S_BACKOFF;
	s->backoff_until = now_ms() + delay;
	svc_reschedule(s);
	return delay;
}

static void restart_now(struct svc *s)
{
	struct inst *in = s->standby;
	int type = s->started ? SEF_INIT_RESTART : SEF_INIT_FRESH;
	if (in && in->state == I_STANDBY)
		s->standby = NULL;
	else
		in = inst_spawn(s);
	if (!in) {
		s->state = S_BACKOFF;
		s->backoff_until = now_ms() + 1000;
		svc_reschedule(s);
		return;
	}
	s->state = s->started ? S_RESTARTING : S_STARTING;
	if (inst_init(in, type) < 0)
		svc_kill_instance(in, "cannot send the init request");
	if (s->waiter.set && s->waiter.type == P_REFRESH)
		waiter_reply(&s->waiter, 0, NULL);
}

static void describe(const struct inst *in, const siginfo_t *si, char *buf,
                     size_t len)
{
	uint32_t sys = in->live ? atomic_load(&in->live->sigsys) : 0;
	if (si->si_code == CLD_EXITED)
		snprintf(buf, len, "exited with status %d", si->si_status);
	else if (si->si_status == SIGSYS && sys)
		snprintf(buf, len, "killed: system call %u (%s) is not in its "
		         "'system' list", sys - 1, priv_syscall_name((int)sys - 1));
	else
		snprintf(buf, len, "killed by signal %d (%s)", si->si_status,
		         strsignal(si->si_status));
}

void svc_died(struct inst *in)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)in->pidfd, &si, WEXITED | WNOHANG) < 0 ||
	    si.si_pid == 0)
		return;  /* not dead after all */
	/* What it said before dying counts: an init reply may still be
	 * queued (libsef does not wait for our answer to it). */
	if (in->ctl)
		conn_drain(in->ctl);
	/* A live update it was part of is aborted (and rolled back) first,
	 * MINIX-like: then recovery goes on as for any death. */
	if (in->svc)
		upd_died(in);
	struct svc *s = in->svc;
	if (!s) {  /* orphan of a removed service */
		inst_free(in);
		return;
	}
	if (in == s->standby) {
		/* not before a second: a standby that cannot start must not
		 * make us spawn in a loop */
		s->standby = NULL;
		s->standby_due = now_ms() + 1000;
		inst_free(in);
		svc_reschedule(s);
		return;
	}
	if (in != s->cur) {
		inst_free(in);
		return;
	}
	/* The request it was serving gets -EDEADSRCDST; queued ones wait
	 * for the next instance.  This must come before the channels are
	 * handed over, or the next instance could take a request we are
	 * still looking at. */
	int failed = chan_fail_pending(s->part, in->live);
	s->cur = NULL;
	if (failed)
		log_debug("service '%s': %d request(s) answered EDEADSRCDST",
		          s->label, failed);
	/* A subscriber holds nobody up any more, then its own exit is
	 * published like any other (MINIX's order). */
	pev_sub_gone(s);
	if (pev_start(s->part, PROC_EVENT_EXIT)) {
		/* In flight (pev_start says so only then): recovery waits
		 * for the subscribers, svc_exit_done. */
		inst_close(in);
		s->exited = in;
		s->exit_si = si;
		log_debug("service '%s': exit event in flight", s->label);
		return;
	}
	/* The old instance is cleaned up, and the news logged, after the
	 * new one is on its way: recovery first. */
	svc_recover(s, in, &si);
	inst_free(in);
}

void svc_exit_done(struct svc *s)
{
	struct inst *in = s->exited;
	if (!in)
		return;
	s->exited = NULL;
	svc_recover(s, in, &s->exit_si);
	inst_free(in);
}

/* Decide what follows the death of s's active instance in. */
static void svc_recover(struct svc *s, struct inst *in, const siginfo_t *si)
{
	int was = in->state;
	int64_t ran = in->started_ms ? now_ms() - in->started_ms : 0;
	int init_err = in->init_err;
	int noping = in->killed_noping;
	char how[96];
	describe(in, si, how, sizeof(how));

	if (shutting_down || (s->state == S_STOPPING && !s->refreshing)) {
		log_info("service '%s': down (%s)", s->label, how);
		/* an `up` still waiting for init learns it never came up */
		int up = s->waiter.set && s->waiter.type == P_UP;
		svc_remove(s, up ? -EDEADEPT : 0, up ? "reincd is shutting down"
		                                     : NULL);
		return;
	}
	if (s->state == S_STOPPING) {  /* refresh */
		s->refreshing = 0;
		if (s->script) {
			s->state = S_TERMINATED;
			waiter_reply(&s->waiter, 0, NULL);
			run_script(s, "restart");
			return;
		}
		restart_now(s);
		return;
	}
	if (was == I_INIT) {
		const char *what = init_err ? strerror(-init_err) : how;
		if (s->flags & UPF_NO_BIN_EXP) {
			log_info("service '%s': init failed (%s), retrying in 1 s",
			         s->label, what);
			s->state = S_BACKOFF;
			s->backoff_until = now_ms() + 1000;
			svc_reschedule(s);
			return;
		}
		if (s->state == S_STARTING && !s->started) {
			log_info("service '%s': failed to initialise (%s)",
			         s->label, what);
			svc_remove(s, -EDEADEPT, "service failed to initialise");
		} else {
			log_info("service '%s': restart failed (%s), bringing it "
			         "down", s->label, what);
			svc_remove(s, -EDEADEPT, NULL);
		}
		return;
	}
	s->nopingreply = noping;
	if (s->flags & (UPF_RUN | UPF_NORESTART)) {
		log_info("service '%s': %s, not restarting", s->label, how);
		svc_remove(s, 0, NULL);
		return;
	}
	if (s->script) {
		log_info("service '%s': %s", s->label, how);
		s->state = S_TERMINATED;
		run_script(s, noping ? "no-heartbeat" : "terminated");
		return;
	}
	int64_t delay = schedule_restart(s, ran);
	if (delay)
		log_info("service '%s': %s%s, restarting (restart %d, back-off "
		         "%lld ms)", s->label, how,
		         noping ? " after missing heartbeats" : "", s->restarts + 1,
		         (long long)delay);
	else
		log_info("service '%s': %s%s, restarting (restart %d)", s->label,
		         how, noping ? " after missing heartbeats" : "",
		         s->restarts + 1);
}

void svc_kill_instance(struct inst *in, const char *why)
{
	if (in->svc)
		log_warn("service '%s': %s, killing pid %d", in->svc->label, why,
		         (int)in->pid);
	kill(in->pid, SIGKILL);
}

void svc_orphan(struct inst *in, int kill_it)
{
	if (!in)
		return;
	in->svc = NULL;
	if (kill_it)
		kill(in->pid, SIGKILL);
}

static void orphan(struct inst *in)
{
	svc_orphan(in, 1);
}

int svc_all_idle(void)
{
	for (struct svc *s = services; s; s = s->next)
		if (s->state == S_STARTING || s->state == S_RESTARTING ||
		    s->state == S_STOPPING)
			return 0;
	return 1;
}

static void svc_remove(struct svc *s, int result, const char *why)
{
	upd_svc_gone(s);
	pev_sub_gone(s);
	pev_part_gone(s->part);
	if (s->exited) {
		inst_free(s->exited);
		s->exited = NULL;
	}
	orphan(s->standby);
	s->standby = NULL;
	orphan(s->cur);
	s->cur = NULL;
	svc_output(s);  /* what it wrote last */
	if (s->olen) {  /* a last line without its newline */
		emit(s, s->obuf, s->olen);
		s->olen = 0;
		fflush(stdout);
	}
	naming_delete(s);   /* its entries and subscription go too */
	part_free(s->part);
	s->part = NULL;
	waiter_reply(&s->waiter, result, why);
	struct svc **pp = &services;
	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = s->next;
		nservices--;
	}
	boot_gone(s);       /* those waiting for it give up */
	svc_free(s);
}

/* ------------------------------------------------------------------ */
/* requests on a service                                                */

static int busy(const struct svc *s)
{
	return s->state == S_STARTING || s->state == S_RESTARTING ||
	       s->state == S_STOPPING || s->state == S_UPDATING ||
	       s->waiter.set;
}

static int stop(struct svc *s, struct conn *c, uint64_t id, int type)
{
	if (s->exited) {
		/* its exit event is in flight: what follows it changes */
		if (s->waiter.set || type == P_REFRESH)
			return -EBUSY;
		s->state = S_STOPPING;
		s->refreshing = 0;
		waiter_set(&s->waiter, c, id, type);
		return 0;
	}
	if (s->state == S_TERMINATED || s->state == S_BACKOFF || !s->cur) {
		if (type == P_REFRESH) {
			if (s->state == S_TERMINATED)
				return -EBUSY;
			waiter_set(&s->waiter, c, id, type);
			restart_now(s);
			return 0;
		}
		svc_remove(s, 0, NULL);
		conn_reply(c, id, 0, NULL);
		return 0;
	}
	if (busy(s))
		return -EBUSY;
	s->state = S_STOPPING;
	s->refreshing = type == P_REFRESH;
	s->stop_ms = now_ms();
	kill(s->cur->pid, SIGTERM);
	waiter_set(&s->waiter, c, id, type);
	svc_reschedule(s);
	return 0;
}

int svc_down(struct svc *s, struct conn *c, uint64_t id)
{
	if (s->state == S_TERMINATED || s->state == S_BACKOFF) {
		svc_remove(s, 0, NULL);
		conn_reply(c, id, 0, NULL);
		return 0;
	}
	return stop(s, c, id, P_DOWN);
}

int svc_refresh(struct svc *s, struct conn *c, uint64_t id)
{
	return stop(s, c, id, P_REFRESH);
}

int svc_restart_req(struct svc *s)
{
	if (s->state != S_TERMINATED)
		return -EBUSY;
	restart_now(s);
	return 0;
}

int svc_clone(struct svc *s)
{
	if ((s->flags & UPF_REPLICA) && s->standby)
		return -EEXIST;
	s->flags |= UPF_REPLICA;
	if (s->state == S_RUNNING) {
		spawn_standby(s);
		if (!s->standby) {
			s->flags &= ~UPF_REPLICA;
			return -EAGAIN;
		}
	}
	return 0;
}

int svc_unclone(struct svc *s)
{
	if (!(s->flags & UPF_REPLICA))
		return -ENOENT;
	s->flags &= ~UPF_REPLICA;
	orphan(s->standby);
	s->standby = NULL;
	return 0;
}

int svc_edit(struct svc *s, const struct proto_msg *pm)
{
	int f = (int)proto_int(pm, T_FLAGS, 0);
	if (busy(s))
		return -EBUSY;
	if (f & UPF_PERIOD_SET) {
		s->period_ms = proto_int(pm, T_PERIOD_MS, 0);
		s->alive_ms = now_ms();
		s->ping_out = 0;
	}
	if (proto_has(pm, T_SCRIPT)) {
		free(s->script);
		s->script = *proto_str(pm, T_SCRIPT) ? strdup(proto_str(pm, T_SCRIPT))
		                                     : NULL;
	}
	if (proto_has(pm, T_RESET_MS))
		s->reset_ms = proto_int(pm, T_RESET_MS, 60000);
	if (proto_int(pm, T_RESTARTS, 0) > 0)
		s->restarts = (int)proto_int(pm, T_RESTARTS, 0);
	/* as MINIX's edit_slot: these flags are set or cleared */
	int mask = UPF_NORESTART | UPF_NO_BIN_EXP | UPF_DETACH;
	s->flags = (s->flags & ~mask) | (f & mask);
	if ((f & UPF_REPLICA) && !(s->flags & UPF_REPLICA))
		svc_clone(s);
	svc_reschedule(s);
	return 0;
}

void svc_shutdown(void)
{
	upd_abort_all(-ESHUTDOWN);
	shutting_down = 1;
	pev_abort_all();    /* exits waiting for subscribers go on now */
	for (struct svc *s = services, *next; s; s = next) {
		next = s->next;
		orphan(s->standby);
		s->standby = NULL;
		if (!s->cur) {
			svc_remove(s, -ESHUTDOWN, "reincd is shutting down");
			continue;
		}
		if (s->state != S_STOPPING) {
			s->state = S_STOPPING;
			s->refreshing = 0;
			s->stop_ms = now_ms();
			kill(s->cur->pid, SIGTERM);
			svc_reschedule(s);
		}
	}
}

/* ------------------------------------------------------------------ */
/* output                                                               */

static void emit(struct svc *s, const char *line, size_t n)
{
	char buf[sizeof(s->obuf) + RS_MAX_LABEL_LEN + 4];
	int k = snprintf(buf, sizeof(buf), "%s: ", s->label);
	memcpy(buf + k, line, n);
	buf[k + (int)n] = '\n';
	fwrite(buf, 1, (size_t)k + n + 1, stdout);
}

void svc_output(struct svc *s)
{
	if (!s || s->out_fd < 0)
		return;
	for (;;) {
		ssize_t n = read(s->out_fd, s->obuf + s->olen,
		                 sizeof(s->obuf) - s->olen);
		if (n <= 0)
			break;
		s->olen += (size_t)n;
		size_t start = 0;
		for (size_t i = 0; i < s->olen; i++)
			if (s->obuf[i] == '\n') {
				emit(s, s->obuf + start, i - start);
				start = i + 1;
			}
		if (start == 0 && s->olen == sizeof(s->obuf)) {
			emit(s, s->obuf, s->olen);  /* a very long line */
			start = s->olen;
		}
		memmove(s->obuf, s->obuf + start, s->olen - start);
		s->olen -= start;
	}
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* the tick: back-offs, stop deadlines, init deadlines, heartbeats      */

static int other_initialising(const struct svc *me)
{
	for (struct svc *s = services; s; s = s->next)
		if (s != me && s->cur && s->cur->state == I_INIT)
			return 1;
	return 0;
}

int svc_is_alive_now(struct svc *s, int64_t now, int period_check)
{
	struct inst *in = s->cur;
	if (!in || in->state != I_RUNNING || atomic_load(&in->live->custom_ping))
		return 0;
	uint64_t c = atomic_load_explicit(&in->live->counter, memory_order_relaxed);
	int sign = c != in->last_counter;
	if (sign) {
		in->stalled = 0;
	} else if (atomic_load_explicit(&in->live->idle, memory_order_relaxed)) {
		/* Waiting in its receive loop is a sign of life, unless work
		 * has sat in its channels for a whole period meanwhile: then
		 * it does not run (stopped) or waits for someone else. */
		if (period_check) {
			int queued = chan_queued(s->part);
			sign = !(queued && in->stalled);
			in->stalled = queued;
		} else {
			sign = !in->stalled;
		}
	}
	if (sign) {
		in->last_counter = c;
		s->alive_ms = now;
		s->ping_out = 0;
		return 1;
	}
	return 0;
}

static void send_ping(struct svc *s, int64_t now)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return;
	proto_begin(pb, P_PING, 0);
	conn_send(s->cur->ctl, pb, NULL, 0);
	free(pb);
	s->ping_ms = now;
	s->ping_out = 1;
}

static void heartbeat(struct svc *s, int64_t now)
{
	struct inst *in = s->cur;
	int64_t p = s->period_ms;
	int custom = atomic_load(&in->live->custom_ping);

	svc_is_alive_now(s, now, 1);
	if (now - s->alive_ms > 2 * p) {
		if (other_initialising(s)) {
			log_info("service '%s': reported late, gets a free pass "
			         "while another service initialises", s->label);
			s->alive_ms = now;
			s->ping_out = 0;
			return;
		}
		log_warn("service '%s': no heartbeat for %lld ms, killing pid %d",
		         s->label, (long long)(now - s->alive_ms), (int)in->pid);
		in->killed_noping = 1;
		kill(in->pid, SIGKILL);
		s->alive_ms = now;  /* once */
		return;
	}
	/* A service with its own ping callback is pinged every period; any
	 * other only when it showed no sign of life for a period. */
	if (custom ? now - s->ping_ms >= p
	           : now - s->alive_ms >= p && !s->ping_out)
		send_ping(s, now);
}

/* When svc_tick next needs to look at s.  Heartbeat checks fall on a
 * grid of multiples of the period (at least a tick), so that services
 * with the same period share one wake-up: reincd wakes once per period,
 * not once per service, and not at all when nothing is due. */
static int64_t next_due(const struct svc *s, int64_t now)
{
	const struct inst *in = s->cur;
	int64_t due = NEVER;
	switch (s->state) {
	case S_BACKOFF:
		return s->backoff_until;
	case S_STOPPING:
		return in && s->stop_ms ? s->stop_ms + cfg.grace_ms + 1 : NEVER;
	case S_UPDATING:
		return NEVER;  /* update.c keeps its deadlines */
	default:
		break;
	}
	if (!in)
		return NEVER;
	if (in->state == I_INIT)
		return in->init_err ? NEVER : in->init_sent_ms + 2 * cfg.init_ms + 1;
	if (in->state != I_RUNNING || s->state != S_RUNNING)
		return NEVER;
	if ((s->flags & UPF_REPLICA) && !s->standby)
		due = s->standby_due;
	if (s->period_ms > 0 && !in->killed_noping) {
		int64_t step = s->period_ms > cfg.tick_ms ? s->period_ms : cfg.tick_ms;
		int64_t g = (now / step + 1) * step;
		if (g < due)
			due = g;
	}
	return due;
}

void svc_reschedule(struct svc *s)
{
	s->next_due = next_due(s, now_ms());
	loop_wake_at(s->next_due);
}

void svc_tick(int64_t now)
{
	int64_t earliest = NEVER;
	for (struct svc *s = services, *next; s; s = next) {
		next = s->next;
		if (s->next_due > now) {
			if (s->next_due < earliest)
				earliest = s->next_due;
			continue;
		}
		struct inst *in = s->cur;
		switch (s->state) {
		case S_BACKOFF:
			if (now >= s->backoff_until)
				restart_now(s);
			break;
		case S_STOPPING:
			if (in && s->stop_ms && now - s->stop_ms > cfg.grace_ms) {
				log_info("service '%s': still running %lld ms after "
				         "SIGTERM, sending SIGKILL", s->label,
				         (long long)(now - s->stop_ms));
				kill(in->pid, SIGKILL);
				s->stop_ms = 0;
			}
			break;
		case S_UPDATING:
			break;
		default:
			if (!in)
				break;
			if (in->state == I_INIT) {
				if (now - in->init_sent_ms > 2 * cfg.init_ms &&
				    !in->init_err) {
					log_warn("service '%s': no answer to its init "
					         "request for %lld ms, killing pid %d",
					         s->label,
					         (long long)(now - in->init_sent_ms),
					         (int)in->pid);
					in->init_err = -EINTR;
					kill(in->pid, SIGKILL);
				}
				break;
			}
			if (in->state == I_RUNNING && s->state == S_RUNNING) {
				if (s->period_ms > 0 && !in->killed_noping)
					heartbeat(s, now);
				if ((s->flags & UPF_REPLICA) && !s->standby &&
				    now >= s->standby_due)
					spawn_standby(s);
			}
		}
		/* restart_now may have removed nothing, but s is still ours */
		s->next_due = next_due(s, now);
		if (s->next_due < earliest)
			earliest = s->next_due;
	}
	int64_t u = upd_tick(now);
	if (u < earliest)
		earliest = u;
	u = pev_tick(now);
	if (u < earliest)
		earliest = u;
	loop_wake_at(earliest);
}
