/*
 * bench_load.c - the helper of the reincd-cost benchmark: many services,
 * their states, the busy load, and reincd's CPU over a window.
 *
 *   bench_load wait PREFIX N SECONDS
 *       wait until the services PREFIX0 .. PREFIX(N-1) are all running
 *       (status over reincd's public socket, one label at a time); prints
 *       "running=K restarts=R" and exits 0 when K == N, 1 on timeout.
 *   bench_load kick PREFIX N
 *       pair the services up (2i, 2i+1) and start each pair ping-ponging
 *       notifications: BE_START to PREFIX(2i+1) with PREFIX(2i)'s
 *       endpoint.  From then on every service keeps going round its
 *       receive loop, burning ~100 us of CPU per notification.
 *   bench_load stats PREFIX N
 *       sum of BE_STATS over the services: "notifies=.. burnt_ns=..".
 *   bench_load cpu PID SECONDS [PREFIX N]
 *       reincd's CPU time over a window of SECONDS:
 *       "cpu_ns=.. ticks=.. wall_ns=.. pct=.. pct_ticks=.. sys_busy=.."
 *       where cpu_ns comes from /proc/PID/schedstat (ns resolution) and
 *       ticks from utime+stime in /proc/PID/stat (1/CLK_TCK s resolution:
 *       10 ms, so over 20 s it cannot resolve less than 0.05 % of a
 *       core); sys_busy is the whole machine's busy time in % of all its
 *       cores (/proc/stat).  With PREFIX N, also how the services
 *       themselves ran in the window (their pids are looked up before the
 *       window starts, so that reincd's status work is not counted):
 *       "svc_active=K svc_cpu_ns=.. svc_min_ns=.." - K services got CPU
 *       (>= 1 ms) in the window.
 *   bench_load rss PID
 *       VmRSS of PID in kB (/proc/PID/status).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

static void label_of(char *buf, size_t len, const char *prefix, int i)
{
	snprintf(buf, len, "%s%d", prefix, i);
}

static int cmd_wait(const char *prefix, int n, double secs)
{
	int fd = bench_status_connect();
	if (fd < 0) {
		fprintf(stderr, "bench_load: reincd: %s\n", strerror(-fd));
		return 1;
	}
	int64_t deadline = now_ns() + (int64_t)(secs * 1e9);
	int running = 0, restarts = 0;
	for (;;) {
		running = restarts = 0;
		for (int i = 0; i < n; i++) {
			char l[32];
			struct bench_status st;
			label_of(l, sizeof(l), prefix, i);
			int r = bench_status(fd, l, &st);
			if (r < 0) {
				fprintf(stderr, "bench_load: status %s: %s\n", l,
				        strerror(-r));
				return 1;
			}
			if (st.found && !strcmp(st.state, "running"))
				running++;
			restarts += st.restarts;
		}
		if (running == n || now_ns() > deadline)
			break;
		sleep_ms(100);
	}
	printf("running=%d restarts=%d\n", running, restarts);
	close(fd);
	return running == n ? 0 : 1;
}

static int lookup(const char *prefix, int i, endpoint_t *ep)
{
	char l[32];
	label_of(l, sizeof(l), prefix, i);
	int r = ds_retrieve_label_endpt(l, ep);
	if (r < 0)
		fprintf(stderr, "bench_load: lookup %s: %s\n", l, strerror(-r));
	return r;
}

static int cmd_kick(const char *prefix, int n)
{
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "bench_load: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	int pairs = 0;
	for (int i = 0; i + 1 < n; i += 2) {
		endpoint_t a, b;
		if (lookup(prefix, i, &a) < 0 || lookup(prefix, i + 1, &b) < 0)
			return 1;
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = BE_START;
		m.m_i32[0] = a;
		if ((r = ipc_send(b, &m)) < 0) {
			fprintf(stderr, "bench_load: start %d: %s\n", b,
			        strerror(-r));
			return 1;
		}
		pairs++;
	}
	printf("pairs=%d\n", pairs);
	return 0;
}

static int cmd_stats(const char *prefix, int n)
{
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "bench_load: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	long long notifies = 0, burnt = 0;
	for (int i = 0; i < n; i++) {
		endpoint_t ep;
		if (lookup(prefix, i, &ep) < 0)
			return 1;
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = BE_STATS;
		if ((r = ipc_sendrec(ep, &m)) < 0) {
			fprintf(stderr, "bench_load: stats of %s%d: %s\n", prefix,
			        i, strerror(-r));
			return 1;
		}
		notifies += m.m_i64[0];
		burnt += m.m_i64[1];
	}
	printf("notifies=%lld burnt_ns=%lld\n", notifies, burnt);
	return 0;
}

static int read_cpu(int pid, long long *ns, long long *ticks)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	FILE *f = fopen(path, "r");
	if (!f || fscanf(f, "%lld", ns) != 1) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* fields after the command: state(3) ... utime(14) stime(15) */
	long long ut = 0, stt = 0;
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
		field++;
		if (field == 14)
			ut = atoll(tok);
		else if (field == 15) {
			stt = atoll(tok);
			break;
		}
	}
	*ticks = ut + stt;
	return 0;
}

/* busy and total jiffies of the whole machine */
static int read_sys(long long *busy, long long *total)
{
	FILE *f = fopen("/proc/stat", "r");
	long long v[10] = { 0 };
	if (!f)
		return -1;
	int n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
	               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
	               &v[8], &v[9]);
	fclose(f);
	if (n < 8)
		return -1;
	*total = 0;
	for (int i = 0; i < 8; i++)   /* guest time is inside user already */
		*total += v[i];
	*busy = *total - v[3] - v[4];  /* minus idle and iowait */
	return 0;
}

static long long svc_cpu(int pid)
{
	char path[64];
	long long ns = -1;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &ns) != 1)
			ns = -1;
		fclose(f);
	}
	return ns;
}

static int cmd_cpu(int pid, double secs, const char *prefix, int nsvc)
{
	long long ns0, ns1, tk0, tk1, sb0 = 0, st0 = 0, sb1 = 0, st1 = 0;
	int *pids = NULL;
	long long *c0 = NULL;
	if (prefix && nsvc > 0) {
		int fd = bench_status_connect();
		pids = calloc((size_t)nsvc, sizeof(*pids));
		c0 = calloc((size_t)nsvc, sizeof(*c0));
		if (fd < 0 || !pids || !c0) {
			fprintf(stderr, "bench_load: cannot look the services up\n");
			return 1;
		}
		for (int i = 0; i < nsvc; i++) {
			char l[32];
			struct bench_status st;
			label_of(l, sizeof(l), prefix, i);
			if (bench_status(fd, l, &st) == 0 && st.found)
				pids[i] = st.pid;
		}
		close(fd);
		sleep_ms(200);   /* let reincd's answering settle */
	}
	if (read_cpu(pid, &ns0, &tk0) < 0) {
		fprintf(stderr, "bench_load: no process %d\n", pid);
		return 1;
	}
	int64_t w0 = now_ns();
	read_sys(&sb0, &st0);
	for (int i = 0; pids && i < nsvc; i++)
		c0[i] = pids[i] > 0 ? svc_cpu(pids[i]) : -1;
	struct timespec ts = { (time_t)secs,
	                       (long)((secs - (double)(time_t)secs) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	if (read_cpu(pid, &ns1, &tk1) < 0) {
		fprintf(stderr, "bench_load: process %d is gone\n", pid);
		return 1;
	}
	int64_t wall = now_ns() - w0;
	read_sys(&sb1, &st1);
	long hz = sysconf(_SC_CLK_TCK);
	printf("cpu_ns=%lld ticks=%lld wall_ns=%lld pct=%.4f pct_ticks=%.4f "
	       "sys_busy=%.1f", ns1 - ns0, tk1 - tk0, (long long)wall,
	       100.0 * (double)(ns1 - ns0) / (double)wall,
	       100.0 * (double)(tk1 - tk0) * 1e9 / (double)hz / (double)wall,
	       st1 > st0 ? 100.0 * (double)(sb1 - sb0) / (double)(st1 - st0)
	                 : 0.0);
	if (pids) {
		int active = 0;
		long long sum = 0, min = -1;
		for (int i = 0; i < nsvc; i++) {
			long long c1 = pids[i] > 0 ? svc_cpu(pids[i]) : -1;
			long long d = c0[i] >= 0 && c1 >= 0 ? c1 - c0[i] : 0;
			sum += d;
			if (d >= 1000000)
				active++;
			if (min < 0 || d < min)
				min = d;
		}
		printf(" svc_active=%d svc_cpu_ns=%lld svc_min_ns=%lld", active,
		       sum, min);
	}
	printf("\n");
	return 0;
}

static int cmd_rss(int pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_load: no process %d\n", pid);
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6)) {
			printf("%lld\n", atoll(line + 6));
			fclose(f);
			return 0;
		}
	fclose(f);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "wait"))
		return cmd_wait(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "kick"))
		return cmd_kick(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "stats"))
		return cmd_stats(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "cpu"))
		return cmd_cpu(atoi(argv[2]), atof(argv[3]), NULL, 0);
	if (argc == 6 && !strcmp(argv[1], "cpu"))
		return cmd_cpu(atoi(argv[2]), atof(argv[3]), argv[4],
		               atoi(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "rss"))
		return cmd_rss(atoi(argv[2]));
	fprintf(stderr,
	        "usage: bench_load wait PREFIX N SECONDS | kick PREFIX N |\n"
	        "       stats PREFIX N | cpu PID SECONDS [PREFIX N] | rss PID\n");
	return 2;
}
