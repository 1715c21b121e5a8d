/*
 * bench.h - helpers shared by the benchmark programs (bench/NAME.c): the
 * clock, statistics over samples, the message types bench_echo answers,
 * and a small client of reincd's public socket for status queries (so
 * that the benchmarks need not fork `reinc status` between iterations).
 *
 * Header-only on purpose: the Makefile builds every bench/NAME.c into its
 * own binary linked with libsef, nothing else.  (The Makefile does not
 * list this header as a dependency: after editing it, touch the .c files
 * of bench/.)
 */
#ifndef REINC_BENCH_H
#define REINC_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

/* Requests bench_echo serves (m_type). */
#define BE_PID      0x4201 /* reply: m_i32[0] pid, m_i64[1] t_main,
                              m_i64[2] t_ready, m_i64[3] t_reply (ns,
                              CLOCK_MONOTONIC), m_i32[1] requests served
                              by this instance before this one */
#define BE_COUNT    0x4202 /* one-way: count it */
#define BE_GETCOUNT 0x4203 /* reply: m_i64[0] = count so far; reset it */
#define BE_START    0x4204 /* one-way: m_i32[0] = peer endpoint: start
                              ping-ponging notifications with it */
#define BE_STATS    0x4205 /* reply: m_i64[0] = notifications handled,
                              m_i64[1] = CPU ns burnt for them */
#define BE_ECHO     0x4206 /* reply: the message as it came */

/* Raw frames in bench_ipc (64 bytes, first int = type). */
#define RAW_ECHO     1
#define RAW_COUNT    2
#define RAW_GETCOUNT 3

/* Our environment with BENCH_BARE_FD=3 (bench_echo's bare mode: its
 * requests come on fd 3) instead of any BENCH_BARE_FD there was: for the
 * bare supervisors' children.  NULL without memory. */
static inline char **bench_bare_env(void)
{
	extern char **environ;
	size_t n = 0;
	while (environ[n])
		n++;
	char **e = (char **)calloc(n + 2, sizeof(*e));
	if (!e)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "BENCH_BARE_FD=", 14))
			e[k++] = environ[i];
	e[k++] = (char *)"BENCH_BARE_FD=3";
	return e;
}

static inline int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* statistics: nearest-rank percentiles, as run.sh's awk computes them  */

struct bstats {
	size_t n;
	double median, p99, mean, min, max;   /* in the samples' unit */
};

static inline int bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts v in place. */
static inline void bench_stats(int64_t *v, size_t n, struct bstats *s)
{
	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), bench_cmp_i64);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)v[i];
	s->n = n;
	s->median = n % 2 ? (double)v[n / 2]
	                  : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
	size_t k = (size_t)(0.99 * (double)n + 0.999999);  /* ceil */
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	s->p99 = (double)v[k - 1];
	s->mean = sum / (double)n;
	s->min = (double)v[0];
	s->max = (double)v[n - 1];
}

/* ------------------------------------------------------------------ */
/* status queries over reincd's public socket                           */

struct bench_status {
	int found;
	int pid, standby_pid, restarts;
	char state[32];
};

static inline int bench_status_connect(void)
{
	char dir[4096];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (proto_runtime_dir(dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
	                     REINC_SOCK_NAME) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* One service's status on connection fd: 0 (st->found says whether the
 * label exists) or -errno. */
static inline int bench_status(int fd, const char *label,
                               struct bench_status *st)
{
	static struct proto_buf pb;
	static struct proto_msg pm;
	static uint8_t buf[PROTO_MAX_FRAME];
	static uint64_t id;

	memset(st, 0, sizeof(*st));
	proto_begin(&pb, P_STATUS, ++id);
	proto_put_str(&pb, T_LABEL, label);
	int r = proto_send(fd, &pb, NULL, 0);
	if (r < 0)
		return r;
	for (;;) {
		int nfds = 0;
		ssize_t n = proto_recvfds(fd, buf, sizeof(buf), NULL, &nfds, 0);
		if (n <= 0)
			return n == 0 ? -EPIPE : (int)n;
		if (proto_decode(buf, (size_t)n, &pm) < 0 || pm.id != id)
			continue;
		if (pm.type == P_STATUS_REC) {
			st->found = 1;
			st->pid = (int)proto_int(&pm, T_PID, 0);
			st->standby_pid = (int)proto_int(&pm, T_STANDBY_PID, 0);
			st->restarts = (int)proto_int(&pm, T_RESTARTS, 0);
			const char *s = proto_str(&pm, T_STATE);
			snprintf(st->state, sizeof(st->state), "%s", s ? s : "");
		} else if (pm.type == P_REPLY) {
			int res = (int)proto_int(&pm, T_RESULT, -EPROTO);
			return res == -ESRCH ? 0 : res;
		}
	}
}

/* State letter and command name of a process from /proc/PID/stat:
 * 0, or -errno (no such process). */
static inline int bench_proc_state(int pid, char *state, char *comm,
                                   size_t commlen)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	if (!l || !r || r[1] != ' ')
		return -EPROTO;
	*r = 0;
	snprintf(comm, commlen, "%s", l + 1);
	*state = r[2];
	return 0;
}

#endif
