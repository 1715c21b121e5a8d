/*
 * bench_restart.c - restart latency under reincd, measured by a client.
 *
 *   bench_restart -label L [-n N] [-warm W] [-sleep-ms MS] [-standby]
 *                 [-o FILE]
 *
 * A user process (sef_startup, ds_retrieve_label_endpt) against a
 * bench_echo service L.  Each iteration: ask the service its pid
 * (BE_PID); wait MS ms (default 20) so that it is asleep in sef_receive
 * again; t0; kill -9 that pid; ipc_sendrec BE_PID again - it blocks
 * until the next instance answers (-EDEADSRCDST is retried at once, a
 * reply from the old pid too); t1 when the reply carries a new pid.
 * With -standby (a service started with `reinc -p up`) each iteration
 * first waits until reincd reports a standby again and that process is
 * asleep under bench_echo's name, i.e. blocked in sef_startup waiting to
 * be needed.
 *
 * Output: one line per measured kill in FILE (or stdout), in ns:
 *   total kill->main main->ready ready->reply reply->client retries
 * main and ready are the new instance's stamps (entry of main(), return
 * of sef_startup()); for a hot standby main is long before the kill, so
 * kill->main is negative and kill->ready is the figure to look at.
 * A summary goes to stderr.  Exit 1 on any failure.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

static int status_fd = -1;

/* Wait (up to 10 s) for a ready standby; 0 or -1. */
static int wait_standby(const char *label)
{
	int64_t deadline = now_ns() + 10 * 1000000000LL;
	while (now_ns() < deadline) {
		struct bench_status st;
		if (bench_status(status_fd, label, &st) < 0 || !st.found)
			return -1;
		if (st.standby_pid > 0 && !strcmp(st.state, "running")) {
			char s = 0, comm[64];
			if (bench_proc_state(st.standby_pid, &s, comm,
			                     sizeof(comm)) == 0 &&
			    s == 'S' && !strcmp(comm, "bench_echo"))
				return 0;
		}
		sleep_ms(1);
	}
	fprintf(stderr, "bench_restart: no standby for '%s' within 10 s\n",
	        label);
	return -1;
}

int main(int argc, char **argv)
{
	const char *label = NULL, *outpath = NULL;
	int n = 100, warm = 3, sleep = 20, standby = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-standby")) {
			standby = 1;
			continue;
		}
		if (!v)
			goto usage;
		if (!strcmp(a, "-label"))
			label = v;
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
	if (!label || n < 1)
		goto usage;
	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, "a"))) {
		perror(outpath);
		return 1;
	}

	int r = sef_startup();
	endpoint_t ep;
	if (r < 0 || (r = ds_retrieve_label_endpt(label, &ep)) < 0) {
		fprintf(stderr, "bench_restart: %s: %s\n", label, strerror(-r));
		return 1;
	}
	if (standby && (status_fd = bench_status_connect()) < 0) {
		fprintf(stderr, "bench_restart: status connection: %s\n",
		        strerror(-status_fd));
		return 1;
	}

	int64_t *tot = calloc((size_t)n, sizeof(*tot));
	int got = 0, dead = 0, same = 0;
	for (int i = -warm; i < n; i++) {
		if (standby && wait_standby(label) < 0)
			return 1;
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = BE_PID;
		while ((r = ipc_sendrec(ep, &m)) == -EDEADSRCDST)
			m.m_type = BE_PID;
		if (r < 0) {
			fprintf(stderr, "bench_restart: sendrec: %s\n",
			        strerror(-r));
			return 1;
		}
		pid_t old = m.m_i32[0];
		int retries = 0;
		/* Let it get back to sleep in sef_receive: we measure the
		 * restart of an idle service (one killed while it takes our
		 * next request costs an EDEADSRCDST round as well). */
		sleep_ms(sleep);
		int64_t t0 = now_ns();
		if (kill(old, SIGKILL) < 0) {
			perror("bench_restart: kill");
			return 1;
		}
		for (;;) {
			memset(&m, 0, sizeof(m));
			m.m_type = BE_PID;
			r = ipc_sendrec(ep, &m);
			if (r == -EDEADSRCDST) {
				dead++, retries++;
				continue;
			}
			if (r < 0) {
				fprintf(stderr, "bench_restart: sendrec after "
				        "kill: %s\n", strerror(-r));
				return 1;
			}
			if (m.m_i32[0] == old) {
				same++, retries++;
				continue;
			}
			break;
		}
		int64_t t1 = now_ns();
		if (i >= 0) {
			int64_t tm = m.m_i64[1], tr = m.m_i64[2], tp = m.m_i64[3];
			fprintf(out, "%lld %lld %lld %lld %lld %d\n",
			        (long long)(t1 - t0), (long long)(tm - t0),
			        (long long)(tr - tm), (long long)(tp - tr),
			        (long long)(t1 - tp), retries);
			tot[got++] = t1 - t0;
		}
	}
	fflush(out);
	struct bstats s;
	bench_stats(tot, (size_t)got, &s);
	fprintf(stderr, "bench_restart %s%s: %zu kills: median %.1f us, p99 "
	        "%.1f us, min %.1f, max %.1f (EDEADSRCDST retries %d, "
	        "old-pid replies %d)\n", label, standby ? " (standby)" : "",
	        s.n, s.median / 1e3, s.p99 / 1e3, s.min / 1e3, s.max / 1e3,
	        dead, same);
	return 0;
usage:
	fprintf(stderr, "usage: bench_restart -label L [-n N] [-warm W] "
	        "[-sleep-ms MS] [-standby] [-o FILE]\n");
	return 2;
}
