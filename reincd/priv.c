/*
 * priv.c - a service's privileges (system.conf; docs/config.md): the user
 * and group it runs as, resource limits, a seccomp allow-list, which
 * channels it may have (ipc) and which services it may manage (control).
 *
 * A service with any of uid, gid, rlimits or system is started by fork +
 * exec instead of posix_spawn: the child drops to the group and user
 * (groups cleared), sets the limits, loads the seccomp filter, then
 * execs.  Any failure there is reported back through a close-on-exec
 * pipe and the start fails: a service never runs with more than it was
 * given.
 *
 * The seccomp filter allows the calls libsef and the C library need
 * (@sef), what `system` names (system calls or groups: @file, @network,
 * @process, @sef) and nothing else; `system ALL` installs none.  A call
 * outside it raises SIGSYS: libsef's handler notes the call's number in
 * the liveness page and the process dies, and reincd's log names the call
 * and the service.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reincd.h"

/* ------------------------------------------------------------------ */
/* seccomp groups                                                       */

static const char *const g_sef[] = {
	/* the loader and the C library's start and exit */
	"execve", "brk", "mmap", "munmap", "mprotect", "mremap", "madvise",
	"arch_prctl", "set_tid_address", "set_robust_list", "rseq",
	"prlimit64", "getrandom", "openat", "open", "access", "faccessat",
	"faccessat2", "read", "pread64", "readv", "write", "writev", "close",
	"fstat", "newfstatat", "stat", "lstat", "statx", "lseek", "readlink",
	"uname", "exit", "exit_group", "futex", "sched_yield",
	"restart_syscall", "getpid", "gettid", "getppid", "getuid", "geteuid",
	"getgid", "getegid", "clock_gettime", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time",
	/* signals: libsef's signalfd, handlers, stack traces */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"signalfd4", "kill", "tgkill", "rt_sigqueueinfo",
	/* IPC: channels, control socket, liveness page, regions */
	"sendmsg", "recvmsg", "sendto", "recvfrom", "socket", "connect",
	"getsockopt", "setsockopt", "shutdown", "socketpair", "poll", "ppoll",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"memfd_create", "ftruncate", "fcntl", "dup", "dup2", "dup3",
	"pipe2", "ioctl", "prctl", "fstatfs", "getdents64",
	NULL
};
static const char *const g_file[] = {
	"creat", "unlink", "unlinkat", "rename", "renameat", "renameat2",
	"mkdir", "mkdirat", "rmdir", "chmod", "fchmod", "fchmodat", "chown",
	"fchown", "fchownat", "lchown", "truncate", "fsync", "fdatasync",
	"symlink", "symlinkat", "link", "linkat", "utimensat", "chdir",
	"fchdir", "getcwd", "statfs", "flock", "pwrite64", "preadv",
	"pwritev", "fallocate", "sendfile", "copy_file_range", "readlinkat",
	NULL
};
static const char *const g_network[] = {
	"socket", "bind", "listen", "accept", "accept4", "connect",
	"getsockname", "getpeername", "sendmmsg", "recvmmsg", NULL
};
static const char *const g_process[] = {
	"fork", "vfork", "clone", "clone3", "wait4", "waitid", "execve",
	"execveat", "setpgid", "getpgid", "setsid", "getsid", "pidfd_open",
	NULL
};
static const struct { const char *name; const char *const *calls; } groups[] = {
	{ "@sef", g_sef }, { "@file", g_file }, { "@network", g_network },
	{ "@process", g_process },
};

static const char *const *group(const char *name)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(groups[i].name, name))
			return groups[i].calls;
	return NULL;
}

/* Is the list "ALL" (no filter)? */
static int sys_all(char **v)
{
	return v && v[0] && !strcmp(v[0], "ALL") && !v[1];
}

int priv_check_syscalls(char **v, char *err, size_t errlen)
{
	for (; v && *v; v++) {
		if (!strcmp(*v, "ALL") || !strcmp(*v, "NONE") ||
		    !strcmp(*v, "BASIC"))
			continue;
		if ((*v)[0] == '@') {
			if (!group(*v)) {
				snprintf(err, errlen, "system: unknown group '%s' "
				         "(@sef, @file, @network, @process)", *v);
				return -EINVAL;
			}
			continue;
		}
		if (seccomp_syscall_resolve_name(*v) == __NR_SCMP_ERROR) {
			snprintf(err, errlen, "system: unknown system call '%.40s'",
			         *v);
			return -EINVAL;
		}
	}
	return 0;
}

static int allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0;   /* not on this architecture */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

static int allow_list(scmp_filter_ctx ctx, const char *const *v)
{
	for (; v && *v; v++) {
		const char *const *g = (*v)[0] == '@' ? group(*v) : NULL;
		int r = g ? allow_list(ctx, g) :
		        !strcmp(*v, "BASIC") || !strcmp(*v, "NONE") ? 0 :
		        allow(ctx, *v);
		if (r < 0)
			return r;
	}
	return 0;
}

/* In the child: the filter.  0 or -errno. */
static int load_filter(char **v)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	int r = allow_list(ctx, g_sef);
	if (r == 0)
		r = allow_list(ctx, (const char *const *)v);
	if (r == 0)
		r = seccomp_load(ctx);   /* sets no_new_privs too */
	seccomp_release(ctx);
	return r;
}

const char *priv_syscall_name(int nr)
{
	static char buf[32];
	char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	snprintf(buf, sizeof(buf), "%s", n ? n : "?");
	free(n);
	return buf;
}

/* ------------------------------------------------------------------ */
/* from the up request                                                  */

static char **blob_vec(const struct proto_msg *pm, int tag)
{
	if (!proto_has(pm, tag))
		return NULL;
	return svc_split_blob(NULL, proto_str(pm, tag), pm->slen[tag], 4096);
}

/* A uid or gid field: 0 (absent: *has untouched), or -EINVAL. */
static int id_field(const struct proto_msg *pm, int tag, int *has,
                    uint32_t *id, char *err, size_t errlen)
{
	if (!proto_has(pm, tag))
		return 0;
	int64_t v = proto_int(pm, tag, -1);
	if (v < 0 || v >= 0x7fffffff) {
		snprintf(err, errlen, "bad %s", tag == T_UID ? "uid" : "gid");
		return -EINVAL;
	}
	*has = 1;
	*id = (uint32_t)v;
	return 0;
}

int priv_from_up(struct svc *s, const struct proto_msg *pm, char *err,
                 size_t errlen)
{
	uint32_t uid = 0, gid = 0;
	if (id_field(pm, T_UID, &s->has_uid, &uid, err, errlen) < 0 ||
	    id_field(pm, T_GID, &s->has_gid, &gid, err, errlen) < 0)
		return -EINVAL;
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	if (s->has_uid && !s->has_gid) {
		/* the user's own group, not reincd's */
		struct passwd *pw = getpwuid(s->uid);
		s->has_gid = 1;
		s->gid = pw ? pw->pw_gid : (gid_t)s->uid;
	}
	if ((proto_has(pm, T_IPC) && !(s->ipc = blob_vec(pm, T_IPC))) ||
	    (proto_has(pm, T_CONTROL) && !(s->control = blob_vec(pm, T_CONTROL))) ||
	    (proto_has(pm, T_SYSCALLS) &&
	     !(s->syscalls = blob_vec(pm, T_SYSCALLS)))) {
		snprintf(err, errlen, "bad or too long ipc, control or system list");
		return -EINVAL;
	}
	int r = priv_check_syscalls(s->syscalls, err, errlen);
	if (r < 0)
		return r;
	if (sys_all(s->syscalls)) {   /* no filter */
		svc_free_vec(s->syscalls);
		s->syscalls = NULL;
	}
	if (proto_has(pm, T_RLIMITS)) {
		size_t n = pm->slen[T_RLIMITS];
		const uint8_t *p = (const uint8_t *)proto_str(pm, T_RLIMITS);
		if (n % 20 || n > 20 * 64) {
			snprintf(err, errlen, "bad resource limits");
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i += 20)
			if (get_le32(p + i) >= RLIM_NLIMITS ||
			    get_le64(p + i + 4) > get_le64(p + i + 12)) {
				snprintf(err, errlen, "bad resource limit");
				return -EINVAL;
			}
		if (n && !(s->rlimits = malloc(n)))
			return -ENOMEM;
		memcpy(s->rlimits, p, n);
		s->rlimits_len = n;
	}
	return 0;
}

void priv_free(struct svc *s)
{
	svc_free_vec(s->ipc);
	svc_free_vec(s->control);
	svc_free_vec(s->syscalls);
	free(s->rlimits);
	s->ipc = s->control = s->syscalls = NULL;
	s->rlimits = NULL;
}

int priv_needed(const struct svc *s)
{
	return s->has_uid || s->has_gid || s->rlimits_len || s->syscalls;
}

uid_t priv_uid(const struct svc *s)
{
	return s->has_uid ? s->uid : cfg.uid;
}

/* ------------------------------------------------------------------ */
/* starting a privileged instance                                       */

/* In the child, after fork: never returns; a failure goes to errfd as
 * "step errno". */
static void child(const struct svc *s, const struct priv_spawn *ps)
{
	const char *step = "dup2";
	sigset_t def;
	if (dup2(ps->ctl_fd, 3) < 0 || dup2(ps->live_fd, 4) < 0 ||
	    dup2(ps->out_fd, 1) < 0 || dup2(ps->out_fd, 2) < 0)
		goto fail;
	int nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || dup2(nul, 0) < 0)
		goto fail;
	if (nul > 4)
		close(nul);
	step = "chdir";
	if (s->cwd && chdir(s->cwd) < 0)
		goto fail;
	setpgid(0, 0);
	sigemptyset(&def);
	signal(SIGPIPE, SIG_DFL);
	step = "setrlimit";
	for (size_t i = 0; i < s->rlimits_len; i += 20) {
		struct rlimit rl = { (rlim_t)get_le64(s->rlimits + i + 4),
		                     (rlim_t)get_le64(s->rlimits + i + 12) };
		if (setrlimit((int)get_le32(s->rlimits + i), &rl) < 0)
			goto fail;
	}
	if (s->has_gid) {
		step = "setgroups";
		if (setgroups(1, &s->gid) < 0)
			goto fail;
		step = "setresgid";
		if (setresgid(s->gid, s->gid, s->gid) < 0)
			goto fail;
	}
	if (s->has_uid) {
		step = "setresuid";
		if (setresuid(s->uid, s->uid, s->uid) < 0)
			goto fail;
		/* no way back */
		step = "setresuid";
		if (s->uid != 0 && setuid(0) == 0) {
			errno = EPERM;
			goto fail;
		}
	}
	if (s->syscalls) {
		step = "seccomp";
		int r = load_filter(s->syscalls);
		if (r < 0) {
			errno = -r;
			goto fail;
		}
	}
	sigprocmask(SIG_SETMASK, &ps->mask, NULL);
	execve(ps->path, ps->argv, ps->envp);
	step = "execve";
fail:;
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%s %d", step, errno);
	if (n > 0)
		(void)!write(ps->err_fd, buf, (size_t)n);
	_exit(127);
}

pid_t priv_spawn(const struct svc *s, struct priv_spawn *ps, char *err,
                 size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	ps->err_fd = p[1];
	/* every signal blocked until the child has set its own mask */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(s, ps);
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		snprintf(err, errlen, "fork: %s", strerror(e));
		return -1;
	}
	char buf[64];
	ssize_t n;
	do
		n = read(p[0], buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n > 0) {   /* the child failed before exec */
		buf[n] = 0;
		char step[32];
		int en = 0;
		if (sscanf(buf, "%31s %d", step, &en) != 2)
			snprintf(step, sizeof(step), "?");
		snprintf(err, errlen, "%s: %s", step, strerror(en));
		waitpid(pid, NULL, 0);
		errno = en ? en : EPERM;
		return -1;
	}
	return pid;
}

/* ------------------------------------------------------------------ */
/* ipc and control                                                      */

static const char *who(const struct part *p)
{
	static char buf[2][40];
	static int k;
	k ^= 1;
	if (p->svc)
		snprintf(buf[k], sizeof(buf[k]), "service '%s'", p->svc->label);
	else if (p->ep == RS_PROC_NR)
		snprintf(buf[k], sizeof(buf[k]), "reincd");
	else
		snprintf(buf[k], sizeof(buf[k]), "user process %d", p->ep);
	return buf[k];
}

/* Does list (a service's ipc) let it talk to peer? */
static int list_allows(char **list, const struct part *peer)
{
	if (!list || peer->ep == RS_PROC_NR)
		return 1;
	for (char **n = list; *n; n++) {
		if (!strcmp(*n, "ALL"))
			return 1;
		if (!strcmp(*n, "ALL_SYS") && peer->svc)
			return 1;
		if (!strcmp(*n, "USER") && !peer->svc)
			return 1;
		if (peer->svc && !strcmp(*n, peer->svc->label))
			return 1;
	}
	return 0;
}

int svc_ipc_allowed(const struct part *caller, const struct part *callee)
{
	if (list_allows(caller->svc ? caller->svc->ipc : NULL, callee) &&
	    list_allows(callee->svc ? callee->svc->ipc : NULL, caller))
		return 0;
	static int64_t last;
	static unsigned quiet;
	int64_t now = now_ms();
	if (now - last >= 1000 || quiet < 10) {   /* at most 10 a second */
		if (now - last >= 1000)
			quiet = 0;
		quiet++;
		last = now;
		log_warn("ipc: %s may not send to %s (their ipc lists), EPERM",
		         who(caller), who(callee));
	}
	return -EPERM;
}

/* s NULL: may c manage every service? */
int svc_may_control(const struct conn *c, const struct svc *s)
{
	if (c->uid == 0 || c->uid == cfg.uid)
		return 1;
	const struct svc *me = c->inst ? c->inst->svc : NULL;
	if (!me || !me->control || !s)
		return 0;
	for (char **n = me->control; *n; n++)
		if (!strcmp(*n, s->label))
			return 1;
	return 0;
}
