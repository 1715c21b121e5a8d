/*
 * bare_restart.c - the floor for restart latency: a bare supervisor that
 * restarts the same binary as reincd does, with nothing else to do.
 *
 *   bare_restart -bin PATH [-n N] [-warm W] [-sleep-ms MS] [-o FILE]
 *
 * Three processes, as with reincd (supervisor, service, client):
 *
 *  - the supervisor (this process) makes a SOCK_SEQPACKET socketpair and
 *    keeps the service's end open, as reincd keeps a copy of every
 *    service-side end, so requests queued while the service is dead wait
 *    for the next instance.  It starts PATH with posix_spawn (glibc:
 *    clone(CLONE_VM|CLONE_VFORK) + execve, the fastest spawn it has),
 *    with that end as fd 3 and BENCH_BARE_FD=3 (bench_echo's bare mode:
 *    no libsef), watches it with a pidfd in epoll and respawns it at once
 *    when it dies.  It stamps when it noticed the death and when
 *    posix_spawn returned, in a page shared with the client.
 *  - the service: bench_echo in bare mode, answering each 72-byte request
 *    with its pid and stamps.
 *  - the client (a forked child of the supervisor) runs the same loop as
 *    bench_restart against its end of the socketpair: ask the pid, let
 *    the service settle (MS ms, default 20), t0, kill -9 it, send a
 *    request (blocks until the new instance answers), t1 once the reply
 *    carries another pid.
 *
 * Output: one line per measured kill in FILE (or stdout), all in ns:
 *   total kill->notice notice->spawned spawned->main main->reply reply->client
 * and a summary on stderr.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

struct shared {
	volatile int64_t t_notice;    /* supervisor saw the death */
	volatile int64_t t_spawned;   /* posix_spawn returned */
	volatile int spawns;
};

static const char *bin;
static char **child_env;
static int child_fd;              /* the service's end, kept here */
static int lost;                  /* requests sent again */

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static pid_t spawn_child(void)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, child_fd, 3);
	char *argv[] = { (char *)bin, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, bin, &fa, NULL, argv, child_env);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "bare_restart: posix_spawn %s: %s\n", bin,
		        strerror(err));
		return -1;
	}
	return pid;
}

/* client side: one request on fd, the reply's pid and stamps */
static int ask(int fd, uint64_t seq, message *rep)
{
	uint8_t out[DF_SIZE], in[DF_SIZE + 8];
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = BE_PID;
	df_encode(out, DF_REQ, 0, seq, &m);
	if (send(fd, out, DF_SIZE, MSG_NOSIGNAL) != DF_SIZE)
		return -1;
	for (;;) {
		/* A request taken by an instance that is being killed is lost
		 * (there is no reincd to fail it): send it again after 2 s.
		 * The settle time before each kill makes this rare. */
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int pr = poll(&pf, 1, 2000);
		if (pr == 0) {
			lost++;
			if (send(fd, out, DF_SIZE, MSG_NOSIGNAL) != DF_SIZE)
				return -1;
			continue;
		}
		ssize_t n = pr < 0 ? -1 : recv(fd, in, sizeof(in), 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		struct df d;
		if (df_decode(in, (size_t)n, &d) < 0 || d.kind != DF_REPLY ||
		    d.seq != seq)
			continue;
		memcpy(rep->m_raw, d.payload, MESSAGE_PAYLOAD);
		return 0;
	}
}

static int client(int fd, struct shared *sh, int n, int warm, int sleep,
                  FILE *out)
{
	uint64_t seq = 1;
	int64_t *tot = calloc((size_t)n, sizeof(*tot));
	int got = 0;
	for (int i = -warm; i < n; i++) {
		message rep;
		if (ask(fd, seq++, &rep) < 0) {
			fprintf(stderr, "bare_restart: request failed\n");
			return 1;
		}
		pid_t old = rep.m_i32[0];
		/* let it get back to sleep in recv: an idle service is killed */
		sleep_ms(sleep);
		int64_t t0 = now_ns();
		kill(old, SIGKILL);
		do {
			if (ask(fd, seq++, &rep) < 0) {
				fprintf(stderr, "bare_restart: request failed\n");
				return 1;
			}
		} while (rep.m_i32[0] == old);
		int64_t t1 = now_ns();
		if (i >= 0) {
			int64_t main_t = rep.m_i64[1], reply_t = rep.m_i64[3];
			fprintf(out, "%lld %lld %lld %lld %lld %lld\n",
			        (long long)(t1 - t0),
			        (long long)(sh->t_notice - t0),
			        (long long)(sh->t_spawned - sh->t_notice),
			        (long long)(main_t - sh->t_spawned),
			        (long long)(reply_t - main_t),
			        (long long)(t1 - reply_t));
			tot[got++] = t1 - t0;
		}
	}
	fflush(out);
	struct bstats s;
	bench_stats(tot, (size_t)got, &s);
	fprintf(stderr, "bare_restart: %zu kills: median %.1f us, p99 %.1f us, "
	        "min %.1f, max %.1f (requests sent again: %d)\n", s.n,
	        s.median / 1e3, s.p99 / 1e3, s.min / 1e3, s.max / 1e3, lost);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 100, warm = 3, sleep = 20;
	const char *outpath = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			goto usage;
		if (!strcmp(a, "-bin"))
			bin = v;
		else if (!strcmp(a, "-n"))
			n = atoi(v);
		else if (!strcmp(a, "-warm"))
			warm = atoi(v);
		else if (!strcmp(a, "-sleep-ms"))
			sleep = atoi(v);
		else if (!strcmp(a, "-o"))
			outpath = v;
		else
			goto usage;
		i++;
	}
	if (!bin || n < 1)
		goto usage;

	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, "a"))) {
		perror(outpath);
		return 1;
	}
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}
	child_fd = sv[1];
	child_env = bench_bare_env();

	pid_t cl = fork();
	if (cl < 0) {
		perror("fork");
		return 1;
	}
	if (cl == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sv[1]);
		_exit(client(sv[0], sh, n, warm, sleep, out));
	}
	close(sv[0]);
	int clfd = pidfd_open(cl);

	pid_t pid = spawn_child();
	if (pid < 0) {
		kill(cl, SIGKILL);
		return 1;
	}
	int pfd = pidfd_open(pid);
	int rc = 1;
	for (;;) {
		struct pollfd pf[2] = { { .fd = pfd, .events = POLLIN },
		                        { .fd = clfd, .events = POLLIN } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents) {
			sh->t_notice = now_ns();
			siginfo_t si;
			waitid(P_PIDFD, (id_t)pfd, &si, WEXITED);
			close(pfd);
			pid = spawn_child();
			sh->t_spawned = now_ns();
			sh->spawns++;
			if (pid < 0) {
				kill(cl, SIGKILL);
				break;
			}
			pfd = pidfd_open(pid);
		}
		if (pf[1].revents) {
			int st;
			waitpid(cl, &st, 0);
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
	}
	return rc;
usage:
	fprintf(stderr, "usage: bare_restart -bin PATH [-n N] [-warm W] "
	        "[-sleep-ms MS] [-o FILE]\n");
	return 2;
}
