/*
 * bench_boot.c - boot time of N services (bench/run.sh part 7).
 *
 *   bench_boot -reincd PATH -bin PATH -dir DIR [-n N] [-rounds R]
 *              [-warm W] [-settle-ms MS] [-timeout-s S] [-o FILE]
 *              [-reincd-arg ARG]...
 *
 * Four ways to bring up N copies of PATH (bench_echo), each timed from
 * the moment its supervisor process is started to the moment all N have
 * completed their init:
 *
 *   chain reincd   `reincd -c CONF`, CONF listing N services, each `after`
 *                  the one before: reincd starts the next one when the
 *                  previous one's init reply reaches it;
 *   indep reincd   the same N without `after`: reincd starts all at once;
 *   chain bare     the reference: this program in its `bare` mode, a
 *                  supervisor that posix_spawns the same binary in
 *                  bench_echo's bare mode (no libsef), each after the
 *                  previous one answered;
 *   indep bare     the same, spawning all N at once, then waiting for all.
 *
 * Timed from: t0, just before posix_spawn of the supervisor (reincd, or
 * `bench_boot bare`), so both sides include starting the process that
 * does the spawning.  Timed to: the read() of this program that returns
 * the supervisor's line announcing the Nth completed init, on the pipe
 * that is the supervisor's stdout and stderr:
 *
 *   reincd   "reincd: service 'bNNN': up (endpoint E, pid P)", which
 *            reincd writes (one write(2)) as it handles the service's init
 *            reply - the moment reincd knows the service is up, and the
 *            moment it starts what waits for it;
 *   bare     "bare: ready K pid P main T ready T", which the bare
 *            supervisor writes as it reads the child's answer to a request
 *            it queued on the child's socket right after spawning it: the
 *            child answers once it reaches its serving loop (the same
 *            shape as an init: one message queued in, one out, the
 *            supervisor woken).
 *
 * So each side costs one extra pipe hop at the end, and nothing polls:
 * this process sleeps in poll() on the pipe.  (Polling reincd's status
 * over its socket would compete for the CPUs with the boot it measures,
 * and be only as precise as its interval.)
 *
 * After the timed window it collects each service's stamps
 * (CLOCK_MONOTONIC: entry of main(), end of its init): from the bare
 * supervisor's lines, and for reincd from a forked user process that asks
 * every service BE_PID (hence `ipc ALL` in CONF: a configured service
 * talks to services only by default).  They give the breakdown - start ->
 * first main(); in the chain the step main(k) -> main(k+1) (service k's
 * init, the supervisor's reaction, spawn and exec of k+1) and the link
 * ready(k) -> main(k+1); main() -> ready, i.e. sef_startup() - and check
 * the chain: the up lines must come in chain order, and main(k+1) must
 * follow main(k).  A negative link is counted as an overlap, not failed:
 * a service's ready stamp is taken after sef_startup() returns, after its
 * init reply has gone to reincd, and a service preempted right after
 * sending it (by reincd, woken by that reply and spawning k+1) takes it
 * late.
 *
 * Then the supervisor is stopped (reincd: SIGTERM, its shutdown; bare: end
 * of file on its stdin, it closes the sockets and reaps), waited for, and
 * the next boot starts after MS ms (default 200).  One round = the four
 * boots, chain then indep, reincd first in even rounds and bare first in
 * odd ones; W warm-up rounds (default 1) are not counted.
 *
 * Output on stdout, all in ns ("boot WHAT MODE SUP n=.. median=.. p99=..
 * max=.. min=.. mean=.."): total (t0 -> the Nth up), first (t0 -> the
 * first main()), lastmain (t0 -> the last main()), step and link (chain:
 * every link of every round), init (main() -> ready, every service), cpu
 * (the supervisor's own CPU time from its start to t_end, from
 * /proc/PID/schedstat: its work per service, whatever the machine's load
 * does to the wall-clock figures); and
 * "boot overlap chain SUP n=.. links=.. min=.." (negative links, above).
 * With -o, one line per boot: "round MODE SUP total first lastmain".  The
 * supervisors' output goes to DIR/boot.log.
 *
 *   bench_boot bare -bin PATH -n N chain|indep
 *       the reference supervisor (above), started by the main mode.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

extern char **environ;

enum { CHAIN, INDEP };
enum { REINCD, BARE };
static const char *const mode_name[] = { "chain", "indep" };
static const char *const sup_name[] = { "reincd", "bare" };

/* ------------------------------------------------------------------ */
/* the bare supervisor                                                  */

/* Spawn bin with a fresh socketpair's end as fd 3; queue a BE_PID request
 * on our end (*fd).  The child's pid, or -1. */
static pid_t bare_spawn(const char *bin, char **env, int k, int *fd)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("bench_boot bare: socketpair");
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	char *argv[] = { (char *)bin, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, bin, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (err) {
		fprintf(stderr, "bench_boot bare: posix_spawn %s: %s\n", bin,
		        strerror(err));
		close(sv[0]);
		return -1;
	}
	uint8_t out[DF_SIZE];
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = BE_PID;
	df_encode(out, DF_REQ, 0, (uint64_t)k + 1, &m);
	if (send(sv[0], out, DF_SIZE, MSG_NOSIGNAL) != DF_SIZE) {
		perror("bench_boot bare: send");
		close(sv[0]);
		return -1;
	}
	*fd = sv[0];
	return pid;
}

/* The answer on fd: its line on stdout.  1 done, 0 not yet, -1 error. */
static int bare_answer(int fd, int k)
{
	uint8_t in[DF_SIZE + 8];
	ssize_t n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	struct df d;
	if (n <= 0 || df_decode(in, (size_t)n, &d) < 0 || d.kind != DF_REPLY ||
	    d.seq != (uint64_t)k + 1) {
		fprintf(stderr, "bench_boot bare: service %d: bad answer\n", k);
		return -1;
	}
	message m;
	memcpy(m.m_raw, d.payload, MESSAGE_PAYLOAD);
	char line[160];
	int len = snprintf(line, sizeof(line),
	                   "bare: ready %d pid %d main %lld ready %lld\n", k,
	                   (int)m.m_i32[0], (long long)m.m_i64[1],
	                   (long long)m.m_i64[2]);
	if (write(1, line, (size_t)len) < 0)
		return -1;
	return 1;
}

static int bare_main(const char *bin, int n, int mode)
{
	char **env = bench_bare_env();
	int *fds = calloc((size_t)n, sizeof(int));
	pid_t *pids = calloc((size_t)n, sizeof(pid_t));
	struct pollfd *pf = calloc((size_t)n, sizeof(*pf));
	int *idx = calloc((size_t)n, sizeof(int));
	if (!env || !fds || !pids || !pf || !idx)
		return 1;
	int rc = 0, spawned = 0;
	if (mode == CHAIN) {
		for (int k = 0; k < n; k++) {
			if ((pids[k] = bare_spawn(bin, env, k, &fds[k])) < 0) {
				rc = 1;
				break;
			}
			spawned++;
			int r;
			do {
				struct pollfd p = { .fd = fds[k], .events = POLLIN };
				if (poll(&p, 1, -1) < 0 && errno != EINTR) {
					r = -1;
					break;
				}
			} while ((r = bare_answer(fds[k], k)) == 0);
			if (r < 0) {
				rc = 1;
				break;
			}
		}
	} else {
		for (int k = 0; k < n; k++) {
			if ((pids[k] = bare_spawn(bin, env, k, &fds[k])) < 0) {
				rc = 1;
				break;
			}
			spawned++;
		}
		int left = rc ? 0 : n;
		for (int k = 0; k < left; k++)
			idx[k] = k;
		while (left > 0) {
			for (int i = 0; i < left; i++)
				pf[i] = (struct pollfd){ .fd = fds[idx[i]],
				                         .events = POLLIN };
			if (poll(pf, (nfds_t)left, -1) < 0) {
				if (errno == EINTR)
					continue;
				rc = 1;
				break;
			}
			for (int i = left - 1; i >= 0; i--) {
				if (!pf[i].revents)
					continue;
				int r = bare_answer(fds[idx[i]], idx[i]);
				if (r < 0) {
					rc = 1;
					left = 0;
					break;
				}
				if (r > 0)
					idx[i] = idx[--left];
			}
		}
	}
	/* Up (or failed): wait for the end of our stdin, then stop. */
	if (!rc) {
		char c;
		ssize_t r;
		while ((r = read(0, &c, 1)) > 0 || (r < 0 && errno == EINTR))
			;
	}
	for (int k = 0; k < spawned; k++)
		close(fds[k]);        /* each child ends at end of file */
	for (int k = 0; k < spawned; k++)
		waitpid(pids[k], NULL, 0);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the driver                                                           */

static const char *reincd_path, *bin, *dir;
static char *self;
static char *extra[32];
static int nextra;
static int nsvc = 100, timeout_s = 60;
static FILE *boot_log;

struct boot {
	int64_t t0, t_end;
	int64_t cpu;             /* the supervisor's on-CPU ns at t_end */
	int64_t *main, *ready;   /* per service, absolute ns */
	int *ep, *order, nup;
	int overlaps;
	int64_t min_link;
};

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* on-CPU ns of a process's main thread (/proc/PID/schedstat), or -1 */
static int64_t cpu_ns_of(pid_t pid)
{
	char path[64];
	long long v = -1;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_conf(const char *path, int mode)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "# bench_boot: %d services, %s\n", nsvc,
	        mode == CHAIN ? "each after the one before" : "independent");
	for (int k = 0; k < nsvc; k++) {
		fprintf(f, "service b%03d { path \"%s\"; ipc ALL;", k, bin);
		if (mode == CHAIN && k > 0)
			fprintf(f, " after b%03d;", k - 1);
		fprintf(f, " };\n");
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* Parse one line of the supervisor; b->nup counts the services up.
 * -1 on a line that says the boot failed. */
static int parse_line(struct boot *b, int sup, char *l)
{
	int k = -1, ep = 0, pid = 0;
	if (sup == REINCD) {
		char lab[32];
		if (sscanf(l, "reincd: service '%31[^']': up (endpoint %d, pid %d)",
		           lab, &ep, &pid) == 3) {
			if (lab[0] != 'b' || sscanf(lab + 1, "%d", &k) != 1)
				return 0;   /* dsd */
		} else if (strstr(l, "not started") || strstr(l, "init failed") ||
		           strstr(l, "failed to initialise") ||
		           strstr(l, "cannot")) {
			return -1;
		} else {
			return 0;
		}
	} else {
		long long tm, tr;
		if (sscanf(l, "bare: ready %d pid %d main %lld ready %lld", &k,
		           &pid, &tm, &tr) != 4)
			return strncmp(l, "bench_boot bare:", 16) ? 0 : -1;
		if (k >= 0 && k < nsvc) {
			b->main[k] = tm;
			b->ready[k] = tr;
		}
	}
	if (k < 0 || k >= nsvc || b->ep[k]) {
		fprintf(stderr, "bench_boot: unexpected: %s\n", l);
		return -1;
	}
	b->ep[k] = sup == REINCD ? ep : -1;
	b->order[b->nup++] = k;
	return 0;
}

/* The services' stamps, from a forked user process of reincd in rt. */
static int reincd_stamps(struct boot *b, const char *rt)
{
	size_t sz = sizeof(int64_t) * 2 * (size_t)nsvc + sizeof(int);
	int64_t *sh = mmap(NULL, sz, PROT_READ | PROT_WRITE,
	                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		alarm(30);
		setenv("REINC_RUNTIME_DIR", rt, 1);
		int r = sef_startup();
		if (r < 0) {
			fprintf(stderr, "bench_boot: sef_startup: %s\n", strerror(-r));
			_exit(1);
		}
		for (int k = 0; k < nsvc; k++) {
			message m;
			memset(&m, 0, sizeof(m));
			m.m_type = BE_PID;
			if ((r = ipc_sendrec(b->ep[k], &m)) < 0 || m.m_type != 0) {
				fprintf(stderr, "bench_boot: BE_PID to b%03d: %d/%d\n",
				        k, r, m.m_type);
				_exit(1);
			}
			sh[2 * k] = m.m_i64[1];
			sh[2 * k + 1] = m.m_i64[2];
		}
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	for (int k = 0; ok && k < nsvc; k++) {
		b->main[k] = sh[2 * k];
		b->ready[k] = sh[2 * k + 1];
	}
	munmap(sh, sz);
	return ok ? 0 : -1;
}

/* One boot.  0, or -1 (reported). */
static int boot_one(int mode, int sup, struct boot *b)
{
	char conf[4096], rt[4096];
	snprintf(conf, sizeof(conf), "%s/%s.conf", dir, mode_name[mode]);
	snprintf(rt, sizeof(rt), "%s/rt-%s", dir, mode_name[mode]);
	memset(b->ep, 0, sizeof(int) * (size_t)nsvc);
	b->nup = 0;
	b->t_end = 0;
	b->overlaps = 0;
	b->min_link = INT64_MAX;

	int out[2], in[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0)
		return -1;
	char nbuf[16];
	snprintf(nbuf, sizeof(nbuf), "%d", nsvc);
	char *argv[48];
	int a = 0;
	if (sup == REINCD) {
		argv[a++] = (char *)reincd_path;
		argv[a++] = "-r";
		argv[a++] = rt;
		argv[a++] = "-c";
		argv[a++] = conf;
		for (int i = 0; i < nextra; i++)
			argv[a++] = extra[i];
	} else {
		argv[a++] = self;
		argv[a++] = "bare";
		argv[a++] = "-bin";
		argv[a++] = (char *)bin;
		argv[a++] = "-n";
		argv[a++] = nbuf;
		argv[a++] = (char *)mode_name[mode];
	}
	argv[a] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	pid_t pid;
	b->t0 = now_ns();
	int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(in[0]);
	if (err) {
		fprintf(stderr, "bench_boot: posix_spawn %s: %s\n", argv[0],
		        strerror(err));
		close(out[0]);
		close(in[1]);
		return -1;
	}
	int pfd = pidfd_open(pid);

	/* the timed window: read until the Nth service is up */
	static char buf[1 << 20];
	size_t len = 0, done = 0;   /* buf[done..len) is an unfinished line */
	int rc = 0, eof = 0;
	int64_t deadline = b->t0 + (int64_t)timeout_s * 1000000000;
	while (b->nup < nsvc && !rc) {
		int64_t left = deadline - now_ns();
		if (left <= 0) {
			fprintf(stderr, "bench_boot: %s %s: only %d of %d services "
			        "up after %d s\n", mode_name[mode], sup_name[sup],
			        b->nup, nsvc, timeout_s);
			rc = -1;
			break;
		}
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		int pr = poll(&p, 1, (int)(left / 1000000) + 1);
		if (pr < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (pr <= 0)
			continue;
		if (len == sizeof(buf) - 1)
			len = done = 0;   /* a flood of output: keep going */
		ssize_t n = read(out[0], buf + len, sizeof(buf) - 1 - len);
		int64_t t = now_ns();
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fprintf(stderr, "bench_boot: %s %s: the supervisor ended "
			        "with %d of %d services up\n", mode_name[mode],
			        sup_name[sup], b->nup, nsvc);
			eof = 1;
			rc = -1;
			break;
		}
		len += (size_t)n;
		buf[len] = 0;
		char *nl;
		while (!rc && (nl = memchr(buf + done, '\n', len - done))) {
			*nl = 0;
			if (parse_line(b, sup, buf + done) < 0) {
				fprintf(stderr, "bench_boot: %s %s: %s\n",
				        mode_name[mode], sup_name[sup], buf + done);
				rc = -1;
			}
			*nl = '\n';
			done = (size_t)(nl - buf) + 1;
			if (b->nup == nsvc)
				b->t_end = t;
		}
	}

	b->cpu = rc ? -1 : cpu_ns_of(pid);
	if (!rc && sup == REINCD && reincd_stamps(b, rt) < 0) {
		fprintf(stderr, "bench_boot: %s reincd: could not collect the "
		        "services' stamps\n", mode_name[mode]);
		rc = -1;
	}

	/* stop the supervisor and wait for it, keeping its output drained */
	if (sup == REINCD)
		kill(pid, rc ? SIGKILL : SIGTERM);
	close(in[1]);
	if (rc && sup == BARE)
		kill(pid, SIGKILL);
	int64_t stop_deadline = now_ns() + 30000000000LL;
	int exited = pfd < 0;   /* no pidfd: waitpid below blocks */
	while (!exited) {
		struct pollfd p[2] = { { .fd = pfd, .events = POLLIN },
		                       { .fd = eof ? -1 : out[0], .events = POLLIN } };
		int64_t left = stop_deadline - now_ns();
		if (left <= 0) {
			fprintf(stderr, "bench_boot: %s %s: the supervisor did not "
			        "stop in 30 s: killed\n", mode_name[mode],
			        sup_name[sup]);
			kill(pid, SIGKILL);
			stop_deadline = now_ns() + 30000000000LL;
			left = 30000000000LL;
			rc = -1;
		}
		if (poll(p, 2, (int)(left / 1000000) + 1) < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			if (len == sizeof(buf) - 1) {
				fwrite(buf, 1, len, boot_log);
				len = 0;
			}
			ssize_t n = read(out[0], buf + len, sizeof(buf) - 1 - len);
			if (n > 0)
				len += (size_t)n;
			else if (n == 0)
				eof = 1;
		}
		if (p[0].revents)
			exited = 1;
	}
	int st = 0;
	waitpid(pid, &st, 0);
	close(pfd);
	/* what is left (a bare supervisor's children may hold the pipe until
	 * they are reaped, which it does before it exits) */
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	for (ssize_t n = 1; n > 0 && len < sizeof(buf) - 1;) {
		n = read(out[0], buf + len, sizeof(buf) - 1 - len);
		if (n > 0)
			len += (size_t)n;
	}
	close(out[0]);
	fprintf(boot_log, "=== %s %s: %d of %d up in %.1f ms\n", mode_name[mode],
	        sup_name[sup], b->nup, nsvc,
	        b->nup == nsvc ? (double)(b->t_end - b->t0) / 1e6 : -1.0);
	fwrite(buf, 1, len, boot_log);
	fflush(boot_log);
	if (!rc && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		fprintf(stderr, "bench_boot: %s %s: the supervisor's exit status "
		        "is 0x%x\n", mode_name[mode], sup_name[sup], st);
		rc = -1;
	}
	if (rc)
		return rc;

	/* checks */
	for (int k = 0; k < nsvc; k++)
		if (b->main[k] < b->t0 || b->ready[k] < b->main[k]) {
			fprintf(stderr, "bench_boot: %s %s: service %d's stamps are "
			        "out of the window\n", mode_name[mode],
			        sup_name[sup], k);
			return -1;
		}
	if (mode == CHAIN) {
		for (int k = 0; k < nsvc; k++)
			if (b->order[k] != k) {
				fprintf(stderr, "bench_boot: chain %s: the %dth service "
				        "up is b%03d, not b%03d\n", sup_name[sup],
				        k + 1, b->order[k], k);
				return -1;
			}
		for (int k = 0; k + 1 < nsvc; k++) {
			if (b->main[k + 1] <= b->main[k]) {
				fprintf(stderr, "bench_boot: chain %s: b%03d started "
				        "before b%03d\n", sup_name[sup], k + 1, k);
				return -1;
			}
			int64_t l = b->main[k + 1] - b->ready[k];
			if (l < 0)
				b->overlaps++;
			if (l < b->min_link)
				b->min_link = l;
		}
	}
	return 0;
}

/* samples of one (what, mode, sup) */
struct series {
	int64_t *v;
	size_t n, cap;
};

static struct series ser[7][2][2];
enum { S_TOTAL, S_FIRST, S_LASTMAIN, S_STEP, S_LINK, S_INIT, S_CPU };
static const char *const ser_name[] = { "total", "first", "lastmain", "step",
                                        "link", "init", "cpu" };
static int overlaps[2], links[2];
static int64_t min_link[2] = { INT64_MAX, INT64_MAX };

static void add(int what, int mode, int sup, int64_t v)
{
	struct series *s = &ser[what][mode][sup];
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(int64_t));
		if (!s->v) {
			perror("realloc");
			exit(1);
		}
	}
	s->v[s->n++] = v;
}

static void record(int mode, int sup, struct boot *b, int round, FILE *raw)
{
	int64_t first = INT64_MAX, last = 0;
	for (int k = 0; k < nsvc; k++) {
		if (b->main[k] < first)
			first = b->main[k];
		if (b->main[k] > last)
			last = b->main[k];
		add(S_INIT, mode, sup, b->ready[k] - b->main[k]);
		if (mode == CHAIN && k + 1 < nsvc) {
			add(S_STEP, mode, sup, b->main[k + 1] - b->main[k]);
			add(S_LINK, mode, sup, b->main[k + 1] - b->ready[k]);
		}
	}
	add(S_TOTAL, mode, sup, b->t_end - b->t0);
	add(S_FIRST, mode, sup, first - b->t0);
	add(S_LASTMAIN, mode, sup, last - b->t0);
	if (b->cpu >= 0)
		add(S_CPU, mode, sup, b->cpu);
	if (mode == CHAIN) {
		overlaps[sup] += b->overlaps;
		links[sup] += nsvc - 1;
		if (b->min_link < min_link[sup])
			min_link[sup] = b->min_link;
	}
	if (raw)
		fprintf(raw, "%d %s %s %lld %lld %lld\n", round, mode_name[mode],
		        sup_name[sup], (long long)(b->t_end - b->t0),
		        (long long)(first - b->t0), (long long)(last - b->t0));
}

static int usage(void)
{
	fprintf(stderr,
	    "usage: bench_boot -reincd PATH -bin PATH -dir DIR [-n N] "
	    "[-rounds R] [-warm W]\n"
	    "                  [-settle-ms MS] [-timeout-s S] [-o FILE] "
	    "[-reincd-arg ARG]...\n"
	    "       bench_boot bare -bin PATH -n N chain|indep\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "bare")) {
		const char *b = NULL;
		int n = 0, mode = -1;
		for (int i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "-bin") && i + 1 < argc)
				b = argv[++i];
			else if (!strcmp(argv[i], "-n") && i + 1 < argc)
				n = atoi(argv[++i]);
			else if (!strcmp(argv[i], "chain"))
				mode = CHAIN;
			else if (!strcmp(argv[i], "indep"))
				mode = INDEP;
			else
				return usage();
		}
		if (!b || n < 1 || mode < 0)
			return usage();
		return bare_main(b, n, mode);
	}

	int rounds = 3, warm = 1, settle_ms = 200;
	const char *rawpath = NULL;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage();
		if (!strcmp(o, "-reincd"))
			reincd_path = v;
		else if (!strcmp(o, "-bin"))
			bin = v;
		else if (!strcmp(o, "-dir"))
			dir = v;
		else if (!strcmp(o, "-n"))
			nsvc = atoi(v);
		else if (!strcmp(o, "-rounds"))
			rounds = atoi(v);
		else if (!strcmp(o, "-warm"))
			warm = atoi(v);
		else if (!strcmp(o, "-settle-ms"))
			settle_ms = atoi(v);
		else if (!strcmp(o, "-timeout-s"))
			timeout_s = atoi(v);
		else if (!strcmp(o, "-o"))
			rawpath = v;
		else if (!strcmp(o, "-reincd-arg") && nextra < 30)
			extra[nextra++] = (char *)v;
		else
			return usage();
		i++;
	}
	if (!reincd_path || !bin || !dir || nsvc < 2 || nsvc > 999 ||
	    rounds < 1 || warm < 0 || timeout_s < 1)
		return usage();
	static char selfbuf[4096], binbuf[4096];
	ssize_t sl = readlink("/proc/self/exe", selfbuf, sizeof(selfbuf) - 1);
	if (sl <= 0)
		return 1;
	selfbuf[sl] = 0;
	self = selfbuf;
	if (!realpath(bin, binbuf)) {   /* system.conf wants absolute paths */
		perror(bin);
		return 1;
	}
	bin = binbuf;
	mkdir(dir, 0755);
	char path[4096];
	snprintf(path, sizeof(path), "%s/boot.log", dir);
	if (!(boot_log = fopen(path, "a"))) {
		perror(path);
		return 1;
	}
	FILE *raw = NULL;
	if (rawpath && !(raw = fopen(rawpath, "a"))) {
		perror(rawpath);
		return 1;
	}
	for (int mode = CHAIN; mode <= INDEP; mode++) {
		snprintf(path, sizeof(path), "%s/%s.conf", dir, mode_name[mode]);
		if (write_conf(path, mode) < 0)
			return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	struct boot b = { 0 };
	b.main = calloc((size_t)nsvc, sizeof(int64_t));
	b.ready = calloc((size_t)nsvc, sizeof(int64_t));
	b.ep = calloc((size_t)nsvc, sizeof(int));
	b.order = calloc((size_t)nsvc, sizeof(int));
	if (!b.main || !b.ready || !b.ep || !b.order)
		return 1;

	for (int r = -warm; r < rounds; r++) {
		int64_t tr = now_ns();
		for (int mode = CHAIN; mode <= INDEP; mode++)
			for (int j = 0; j < 2; j++) {
				/* reincd first in even rounds, bare first in odd */
				int sup = (r + warm) % 2 ? 1 - j : j;
				if (boot_one(mode, sup, &b) < 0)
					return 1;
				if (r >= 0)
					record(mode, sup, &b, r, raw);
				sleep_ms(settle_ms);
			}
		fprintf(stderr, "bench_boot: round %d%s done in %.1f s\n",
		        r < 0 ? r + warm + 1 : r + 1, r < 0 ? " (warm-up)" : "",
		        (double)(now_ns() - tr) / 1e9);
	}
	if (raw)
		fclose(raw);

	for (int what = S_TOTAL; what <= S_CPU; what++)
		for (int mode = CHAIN; mode <= INDEP; mode++)
			for (int sup = REINCD; sup <= BARE; sup++) {
				struct series *s = &ser[what][mode][sup];
				if (!s->n)
					continue;
				struct bstats st;
				bench_stats(s->v, s->n, &st);
				printf("boot %s %s %s n=%zu median=%.0f p99=%.0f "
				       "max=%.0f min=%.0f mean=%.0f\n", ser_name[what],
				       mode_name[mode], sup_name[sup], st.n, st.median,
				       st.p99, st.max, st.min, st.mean);
			}
	for (int sup = REINCD; sup <= BARE; sup++)
		printf("boot overlap chain %s n=%d links=%d min=%lld\n",
		       sup_name[sup], overlaps[sup], links[sup],
		       (long long)min_link[sup]);
	return 0;
}
