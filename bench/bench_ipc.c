/*
 * bench_ipc.c - libsef IPC beside the raw kernel primitive it is built on.
 *
 *   bench_ipc -label L [-n N] [-blocks B] [-warm W] [-oneway M] [-reps R]
 *             [-idle K]
 *
 * Round trips: ipc_sendrec(BE_ECHO) to the bench_echo service L (a user
 * process talking to a service through the channel reincd made), beside
 * a raw SOCK_SEQPACKET socketpair round trip to a forked child that
 * echoes 64-byte messages with blocking recv/send.  Each trip is timed
 * on its own (CLOCK_MONOTONIC, ~50 ns per stamp, in both); N trips each
 * (default 200000) after W warm-up trips (default 10000), taken in B
 * alternating blocks (default 20) so that drifts of a noisy machine hit
 * both alike.
 *
 * Round trips after idling: K times (default 200) each, alternating: sleep
 * 20 ms, then one timed round trip, raw and ipc_sendrec.  This is what a
 * hop between two processes costs when both sides have been asleep, as
 * in a restart after a quiet spell: on a VM, waking an idle vCPU can cost
 * far more than the round trip itself.
 *
 * One-way throughput: M messages (default 1000000) sent without waiting -
 * ipc_send(BE_COUNT) to the service, raw send() to the child - then one
 * request that returns the count received (checked == M); messages per
 * second from the first send to that answer.  R repetitions of each,
 * alternating (default 3); the median rate is reported.
 *
 * Output (stdout), one line per figure, values in ns or messages/s:
 *   ipc_rtt sef n=N median=.. p99=.. mean=.. min=..
 *   ipc_rtt raw n=N median=.. p99=.. mean=.. min=..
 *   ipc_rtt_idle sef n=K median=.. p99=.. mean=.. min=..
 *   ipc_rtt_idle raw n=K median=.. p99=.. mean=.. min=..
 *   ipc_oneway sef m=M rate=.. (rates of every repetition)
 *   ipc_oneway raw m=M rate=..
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

static void raw_server(int fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int64_t count = 0;
	for (;;) {
		message m;
		ssize_t n = recv(fd, &m, sizeof(m), 0);
		if (n == 0)
			_exit(0);
		if (n != sizeof(m)) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(1);
		}
		switch (m.m_type) {
		case RAW_COUNT:
			count++;
			continue;
		case RAW_GETCOUNT:
			m.m_i64[0] = count;
			count = 0;
			break;
		default:
			break;
		}
		if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
			_exit(1);
	}
}

static int raw_fd;
static endpoint_t ep;

static int raw_trip(message *m)
{
	if (send(raw_fd, m, sizeof(*m), MSG_NOSIGNAL) != sizeof(*m))
		return -1;
	if (recv(raw_fd, m, sizeof(*m), 0) != sizeof(*m))
		return -1;
	return 0;
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_ipc: %s: %s\n", what, strerror(r < 0 ? -r : r));
	exit(1);
}

/* n timed trips into lat; mode 0 raw, 1 sef */
static void trips(int mode, int64_t *lat, long n)
{
	message m;
	memset(&m, 0, sizeof(m));
	for (long i = 0; i < n; i++) {
		m.m_type = mode ? BE_ECHO : RAW_ECHO;
		m.m_i64[0] = i;
		int64_t t = now_ns();
		int r = mode ? ipc_sendrec(ep, &m) : raw_trip(&m);
		int64_t t1 = now_ns();
		if (r < 0)
			die(mode ? "ipc_sendrec" : "raw round trip", r ? r : EIO);
		if (m.m_i64[0] != i)
			die("echo came back wrong", EPROTO);
		if (lat)
			lat[i] = t1 - t;
	}
}

static double oneway(int mode, long msgs)
{
	message m;
	memset(&m, 0, sizeof(m));
	int64_t t0 = now_ns();
	for (long i = 0; i < msgs; i++) {
		m.m_type = mode ? BE_COUNT : RAW_COUNT;
		if (mode) {
			int r = ipc_send(ep, &m);
			if (r < 0)
				die("ipc_send", r);
		} else if (send(raw_fd, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
			die("raw send", errno);
	}
	m.m_type = mode ? BE_GETCOUNT : RAW_GETCOUNT;
	int r = mode ? ipc_sendrec(ep, &m) : raw_trip(&m);
	int64_t t1 = now_ns();
	if (r < 0)
		die("count request", r ? r : EIO);
	if (m.m_i64[0] != msgs) {
		fprintf(stderr, "bench_ipc: %s one-way: %lld of %ld messages "
		        "arrived\n", mode ? "sef" : "raw", (long long)m.m_i64[0],
		        msgs);
		exit(1);
	}
	return (double)msgs * 1e9 / (double)(t1 - t0);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *label = NULL;
	long n = 200000, warm = 10000, msgs = 1000000;
	int blocks = 20, reps = 3, idle = 200;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			goto usage;
		if (!strcmp(a, "-label"))
			label = v;
		else if (!strcmp(a, "-n"))
			n = atol(v);
		else if (!strcmp(a, "-blocks"))
			blocks = atoi(v);
		else if (!strcmp(a, "-warm"))
			warm = atol(v);
		else if (!strcmp(a, "-oneway"))
			msgs = atol(v);
		else if (!strcmp(a, "-reps"))
			reps = atoi(v);
		else if (!strcmp(a, "-idle"))
			idle = atoi(v);
		else
			goto usage;
		i++;
	}
	if (!label || n < 1 || blocks < 1 || reps < 1 || msgs < 1 || idle < 1)
		goto usage;
	if (blocks > n)
		blocks = (int)n;

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair", errno);
	pid_t child = fork();
	if (child < 0)
		die("fork", errno);
	if (child == 0) {
		close(sv[0]);
		raw_server(sv[1]);
	}
	close(sv[1]);
	raw_fd = sv[0];

	int r = sef_startup();
	if (r < 0)
		die("sef_startup", r);
	if ((r = ds_retrieve_label_endpt(label, &ep)) < 0)
		die(label, r);

	trips(0, NULL, warm);
	trips(1, NULL, warm);

	int64_t *lat[2];
	lat[0] = calloc((size_t)n, sizeof(int64_t));
	lat[1] = calloc((size_t)n, sizeof(int64_t));
	if (!lat[0] || !lat[1])
		die("calloc", ENOMEM);
	long done[2] = { 0, 0 };
	for (int b = 0; b < blocks; b++) {
		long k = n / blocks + (b < n % blocks);
		for (int j = 0; j < 2; j++) {
			int mode = (b + j) % 2;   /* alternate who goes first */
			trips(mode, lat[mode] + done[mode], k);
			done[mode] += k;
		}
	}
	for (int mode = 1; mode >= 0; mode--) {
		struct bstats s;
		bench_stats(lat[mode], (size_t)n, &s);
		printf("ipc_rtt %s n=%zu median=%.0f p99=%.0f mean=%.0f min=%.0f\n",
		       mode ? "sef" : "raw", s.n, s.median, s.p99, s.mean, s.min);
	}

	int64_t *ilat[2];
	ilat[0] = calloc((size_t)idle, sizeof(int64_t));
	ilat[1] = calloc((size_t)idle, sizeof(int64_t));
	if (!ilat[0] || !ilat[1])
		die("calloc", ENOMEM);
	for (int i = 0; i < idle; i++)
		for (int j = 0; j < 2; j++) {
			int mode = (i + j) % 2;
			sleep_ms(20);
			trips(mode, ilat[mode] + i, 1);
		}
	for (int mode = 1; mode >= 0; mode--) {
		struct bstats s;
		bench_stats(ilat[mode], (size_t)idle, &s);
		printf("ipc_rtt_idle %s n=%zu median=%.0f p99=%.0f mean=%.0f "
		       "min=%.0f\n", mode ? "sef" : "raw", s.n, s.median, s.p99,
		       s.mean, s.min);
	}

	double *rate[2];
	rate[0] = calloc((size_t)reps, sizeof(double));
	rate[1] = calloc((size_t)reps, sizeof(double));
	oneway(0, msgs / 10 + 1);   /* warm up */
	oneway(1, msgs / 10 + 1);
	for (int i = 0; i < reps; i++)
		for (int j = 0; j < 2; j++) {
			int mode = (i + j) % 2;
			rate[mode][i] = oneway(mode, msgs);
		}
	for (int mode = 1; mode >= 0; mode--) {
		printf("ipc_oneway %s m=%ld", mode ? "sef" : "raw", msgs);
		for (int i = 0; i < reps; i++)
			printf(" r%d=%.0f", i, rate[mode][i]);
		qsort(rate[mode], (size_t)reps, sizeof(double), cmp_d);
		printf(" rate=%.0f\n", rate[mode][reps / 2]);
	}
	fflush(stdout);
	close(raw_fd);
	return 0;
usage:
	fprintf(stderr, "usage: bench_ipc -label L [-n N] [-blocks B] [-warm W] "
	        "[-oneway M] [-reps R] [-idle K]\n");
	return 2;
}
