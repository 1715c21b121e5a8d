/*
 * bench_pev.c - process event latency (bench/run.sh part 6).
 *
 *   bench_pev sub
 *       A subscriber service.  It starts with mask 0; PV_MASK (m_i32[0]
 *       the mask) changes it.  Every PROC_EVENT is acknowledged at once.
 *       PV_WAIT blocks the caller until a signal event for it arrives,
 *       then answers -EINTR (what MINIX's IPC server does for semop);
 *       BE_ECHO answers at once.
 *
 *   bench_pev client -n N -warm W LABEL...
 *       A user process.  For K in 1, 4, 16 (as far as there are LABELs),
 *       in 10 alternating blocks:
 *         rtt K   the first K subscribe to exits only: ipc_sendrec round
 *                 trips (BE_ECHO) to the first LABEL, the reference;
 *         rtt_sigsubs K   they subscribe to signals too: the same round
 *                 trips, now with libsef holding signals back;
 *         sig K   per-event latency: the main thread waits in a PV_WAIT
 *                 request to the first LABEL, another thread sends it
 *                 SIGUSR1 (pthread_kill) once it waits (blocked in poll,
 *                 as /proc says, twice 50 us apart); the time from
 *                 pthread_kill to the handler's first instruction.  The
 *                 handler runs only after reincd has had every
 *                 subscriber acknowledge the signal event, one after the
 *                 other, and the wait is answered EINTR.
 *       Prints "pev rtt K n=.. median=.. p99=.." and the same for
 *       rtt_sigsubs and sig (ns).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

#define PV_MASK 0x4301
#define PV_WAIT 0x4302

/* ------------------------------------------------------------------ */
/* the subscriber                                                       */

static int sub(void)
{
	if (sef_startup() < 0)
		return 1;
	endpoint_t waiting[64];
	int nwait = 0;
	for (;;) {
		message m;
		if (sef_receive(ANY, &m) < 0)
			continue;
		if (m.m_source == PM_PROC_NR && m.m_type == PROC_EVENT) {
			endpoint_t ep = m.m_pm_lsys_proc_event.endpt;
			for (int i = 0; i < nwait; i++)
				if (waiting[i] == ep) {
					message r;
					memset(&r, 0, sizeof(r));
					r.m_type = -EINTR;
					ipc_send(ep, &r);
					waiting[i] = waiting[--nwait];
					break;
				}
			m.m_type = PROC_EVENT_REPLY;
			ipc_send(PM_PROC_NR, &m);
			continue;
		}
		switch (m.m_type) {
		case PV_MASK:
			m.m_type = proceventmask((unsigned)m.m_i32[0]);
			break;
		case PV_WAIT:
			if (nwait < 64) {
				waiting[nwait++] = m.m_source;
				continue;
			}
			m.m_type = -EBUSY;
			break;
		case BE_ECHO:
			break;
		default:
			m.m_type = -EINVAL;
		}
		ipc_send(m.m_source, &m);
	}
}

/* ------------------------------------------------------------------ */
/* the client                                                           */

static pthread_t main_thread;
static atomic_int armed;         /* 1: main is about to wait */
static atomic_int stop;
static int64_t t_kill;
static volatile int64_t t_handler;

static void on_usr1(int sig)
{
	(void)sig;
	t_handler = now_ns();
}

static pid_t main_tid;

/* Is the main thread blocked in poll (libsef's wait for the reply)? */
static int main_in_poll(void)
{
	char path[64], buf[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)main_tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return 0;
	long nr = strtol(buf, NULL, 10);
#ifdef SYS_poll
	if (nr == SYS_poll)
		return 1;
#endif
	return nr == SYS_ppoll;
}

static void *killer(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (!atomic_load(&armed)) {
			usleep(20);
			continue;
		}
		/* the signal must find main waiting, not on its way there */
		if (!main_in_poll()) {
			usleep(20);
			continue;
		}
		usleep(50);
		if (!main_in_poll())
			continue;
		atomic_store(&armed, 0);
		t_kill = now_ns();
		pthread_kill(main_thread, SIGUSR1);
	}
	return NULL;
}

static endpoint_t eps[64];
static int neps;

static int set_masks(int k, unsigned mask)
{
	for (int i = 0; i < neps; i++) {
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = PV_MASK;
		m.m_i32[0] = i < k ? (int)mask : 0;
		int r = ipc_sendrec(eps[i], &m);
		if (r < 0 || m.m_type < 0) {
			fprintf(stderr, "bench_pev: mask of subscriber %d: %d/%d\n",
			        i, r, m.m_type);
			return -1;
		}
	}
	return 0;
}

static void print(const char *what, int k, int64_t *v, size_t n)
{
	struct bstats s;
	bench_stats(v, n, &s);
	printf("pev %s %d n=%zu median=%.0f p99=%.0f mean=%.0f\n", what, k, n,
	       s.median, s.p99, s.mean);
	fflush(stdout);
}

/* n round trips into v */
static int trips(int64_t *v, size_t *nv, int n)
{
	message m;
	for (int i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.m_type = BE_ECHO;
		int64_t t0 = now_ns();
		if (ipc_sendrec(eps[0], &m) < 0)
			return -1;
		v[(*nv)++] = now_ns() - t0;
	}
	return 0;
}

static int client(int n, int warm)
{
	static const int ks[] = { 1, 4, 16 };
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	main_tid = (pid_t)syscall(SYS_gettid);
	pthread_t t;
	if (pthread_create(&t, NULL, killer, NULL) != 0)
		return 1;
	int nsig = n / 10 > 10 ? n / 10 : 10;   /* each waits ~0.1 ms more */
	int64_t *plain = malloc(sizeof(int64_t) * (size_t)n);
	int64_t *held = malloc(sizeof(int64_t) * (size_t)n);
	int64_t *sig = malloc(sizeof(int64_t) * (size_t)nsig);
	if (!plain || !held || !sig)
		return 1;
	size_t dummy = 0;
	if (trips(plain, &dummy, warm < n ? warm : n) < 0)
		return 1;
	for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
		int k = ks[ki];
		if (k > neps)
			break;
		size_t np = 0, nh = 0, ns = 0;
		/* 10 blocks: the K subscribers on exits only (nobody wants
		 * signals: ipc_sendrec as usual), then on signals too */
		for (int b = 0; b < 10; b++) {
			if (set_masks(k, PROC_EVENT_EXIT) < 0 ||
			    trips(plain, &np, n / 10) < 0 ||
			    set_masks(k, PROC_EVENT_EXIT | PROC_EVENT_SIGNAL) < 0 ||
			    trips(held, &nh, n / 10) < 0)
				return 1;
			for (int i = 0; i < nsig / 10; i++) {
				message m;
				memset(&m, 0, sizeof(m));
				m.m_type = PV_WAIT;
				t_handler = 0;
				atomic_store(&armed, 1);
				int r = ipc_sendrec(eps[0], &m);
				if (r < 0 || m.m_type != -EINTR || !t_handler) {
					fprintf(stderr, "bench_pev: wait: %d/%d\n", r,
					        m.m_type);
					return 1;
				}
				sig[ns++] = t_handler - t_kill;
			}
		}
		print("rtt", k, plain, np);
		print("rtt_sigsubs", k, held, nh);
		print("sig", k, sig, ns);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	set_masks(0, 0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "sub"))
		return sub();
	int n = 20000, warm = 1000, i = 2;
	if (argc < 2 || strcmp(argv[1], "client")) {
		fprintf(stderr, "usage: bench_pev sub | client [-n N] [-warm W] "
		        "LABEL...\n");
		return 2;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-warm") && i + 1 < argc)
			warm = atoi(argv[++i]);
	}
	if (n < 10)
		n = 10;
	for (; i < argc && neps < 64; i++) {
		int r = ds_retrieve_label_endpt(argv[i], &eps[neps]);
		if (r < 0) {
			fprintf(stderr, "bench_pev: %s: %s\n", argv[i],
			        strerror(-r));
			return 1;
		}
		neps++;
	}
	if (!neps)
		return 2;
	return client(n, warm);
}
