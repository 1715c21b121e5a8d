/*
 * bench_lupause.c - the pause a client sees while its service is changed:
 * by a live update, or (the reference) by stopping it and starting it
 * again.
 *
 *   bench_lupause -label L -reinc REINC -bin BIN [-args "A B"] [-ref]
 *                 [-n K] [-warm W] [-settle-ms S] [-interval-ms I]
 *                 [-o FILE]
 *
 * A user process (sef_startup, ds_retrieve_label_endpt) against a
 * bench_lusvc service L.  Its main thread sends LS_BUMP requests back to
 * back with ipc_sendrec and stamps every answer (CLOCK_MONOTONIC) into a
 * big array; each answer must carry the previous counter + 1 (else it is
 * a "jump": the state did not go across, or a request was served twice
 * or lost).  A second thread makes the changes: it waits S ms (default
 * 300), then W + K times: t0; run the change; t1; wait I to 1.5 x I ms
 * (default I = 50; varied so that the changes keep no fixed phase against
 * anything periodic on the machine); then it tells the main thread to
 * stop.  Only this second thread forks (posix_spawn) and waits; it does
 * no IPC.
 *
 *   update (default)  `REINC update BIN -label L` (the service keeps its
 *                     arguments); exit status 11 (EAGAIN: reincd was not
 *                     idle yet, e.g. still reaping the previous old
 *                     instance) is retried after 2 ms with a new t0;
 *   -ref              `REINC down L`, then `REINC up BIN -label L -args A`.
 *
 * A failed request is any ipc_sendrec < 0 (or an answer with m_type != 0).
 * After one the client asks for the label's endpoint again every 100 us:
 * with -ref until it names a different endpoint than the one that failed
 * (endpoints are never reused, and while the old instance is still
 * stopping the label names it: sending again would only fail again - so
 * every failed request counted is one request the change cost, whatever
 * the retry rate); without -ref, with the same endpoint after 1 ms.
 *
 * The pause of a change: the largest gap between consecutive answers
 * (a_j, a_j+1) that overlaps its window [t0, t1] (a_j+1 > t0 and
 * a_j < t1): from the last answer before the service stopped answering to
 * the first answer after, including a gap that ends after t1 (the
 * update's caller is answered before the new instance serves).  The
 * first W changes are warm-up and not counted.
 *
 * A failed request belongs to the window it falls in or, if it falls
 * between two windows, to the one before it (the client may learn of a
 * change late).
 *
 * The stages of a change, from the stamps the new instance sends with
 * its answers (bench_lusvc.c) and the client's own (all CLOCK_MONOTONIC,
 * -1 when unknown):
 *   prepare   last answer before -> the old instance saves its state
 *             (state_save; with -ref its SIGTERM)
 *   handover  -> the new instance's init callback starts (the old one
 *             reports, reincd hands over the channels and sends the init;
 *             with -ref: the save, exit, down, up, exec, sef_startup)
 *   init      the init callback (map the region or take the blob, check)
 *   commit    -> its sef_startup() returns (init reply, reincd kills the
 *             old instance and answers, libsef commits the regions)
 *   wait      -> its first sef_receive() returns (with -ref: including
 *             the client's look-ups of the new endpoint)
 *   reply     -> the client has the first answer
 * prepare may be negative: the old instance can save while its last
 * answer is on the way to the client.
 *
 * Output: one line per measured change in FILE (or nothing):
 *   pause_ns window_ns failed_requests prepare handover init commit wait
 *   reply                              (ns; "-" for a stage not known)
 * and one summary line on stdout, key=value:
 *   lupause n= p50= p99= max= (pause, ns) win_med= (median window, ns)
 *   failed= (all failed requests, warm-up included) failed_out= (before
 *   the first window)
 *   jumps= changes= (answers whose pid differs from the one before)
 *   requests= rtt_med= gap_out_p99= gap_out_max= (every gap between
 *   answers that overlaps no window: the machine's own jitter, ns)
 *   retries= (EAGAIN retries of `update`) cmdfail= (changes that failed)
 *   st_prepare= st_handover= st_init= st_commit= st_wait= st_reply=
 *   (medians, ns)
 * Exit 1 if it could not run, a change failed, a jump was seen, or the
 * number of instance changes is not W + K.
 *
 * BENCH_LUPAUSE_DEBUG=US prints every gap longer than US microseconds
 * that overlaps no window, with its distance to the window before: a way
 * to tell the machine's own hiccups from after-effects of a change.
 */
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

#define LS_BUMP 0x4301   /* as bench_lusvc.c */
#define NSTAGE  6

extern char **environ;

static const char *label, *reinc, *bin, *svcargs = "";
static int ref, nchanges = 20, warm = 2, settle_ms = 300, interval_ms = 50;

static atomic_int stop;
static int64_t *win0, *win1;   /* the windows, [0, warm + nchanges) */
static int nwin, cmdfail, retries;

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return x ^ (x >> 16);
}

/* Run argv, wait: its exit status, or -1. */
static int run(char *const argv[])
{
	pid_t pid;
	int r = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (r != 0) {
		fprintf(stderr, "bench_lupause: %s: %s\n", argv[0], strerror(r));
		return -1;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void *changer(void *arg)
{
	char *upd[] = { (char *)reinc, "update", (char *)bin, "-label",
	                (char *)label, NULL };
	char *down[] = { (char *)reinc, "down", (char *)label, NULL };
	char *up[] = { (char *)reinc, "up", (char *)bin, "-label",
	               (char *)label, "-args", (char *)svcargs, NULL };
	sleep_ms(settle_ms);
	for (int i = 0; i < warm + nchanges; i++) {
		int r;
		int64_t t0;
		if (ref) {
			t0 = now_ns();
			r = run(down);
			if (r == 0)
				r = run(up);
		} else {
			for (;;) {
				t0 = now_ns();
				r = run(upd);
				if (r != 11 || retries > 10000)
					break;
				retries++;
				sleep_ms(2);
			}
		}
		int64_t t1 = now_ns();
		if (r != 0) {
			fprintf(stderr, "bench_lupause: change %d failed (exit "
			        "%d)\n", i, r);
			cmdfail++;
		}
		win0[nwin] = t0;
		win1[nwin] = t1;
		nwin++;
		/* I to 1.5 x I: no fixed phase against periodic noise */
		sleep_ms(interval_ms + (int)(mix32((uint32_t)i) %
		                             (uint32_t)(interval_ms / 2 + 1)));
	}
	atomic_store(&stop, 1);
	return NULL;
}

/* The endpoint again after a failed request on old; 0 or -1 (stopped). */
static int relookup(endpoint_t old, endpoint_t *ep)
{
	int64_t t0 = now_ns();
	while (!atomic_load(&stop)) {
		endpoint_t e;
		if (ds_retrieve_label_endpt(label, &e) == 0 &&
		    (e != old || (!ref && now_ns() - t0 > 1000000))) {
			*ep = e;
			return 0;
		}
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *outpath = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-ref")) {
			ref = 1;
			continue;
		}
		if (!v)
			goto usage;
		if (!strcmp(a, "-label"))
			label = v;
		else if (!strcmp(a, "-reinc"))
			reinc = v;
		else if (!strcmp(a, "-bin"))
			bin = v;
		else if (!strcmp(a, "-args"))
			svcargs = v;
		else if (!strcmp(a, "-n"))
			nchanges = atoi(v);
		else if (!strcmp(a, "-warm"))
			warm = atoi(v);
		else if (!strcmp(a, "-settle-ms"))
			settle_ms = atoi(v);
		else if (!strcmp(a, "-interval-ms"))
			interval_ms = atoi(v);
		else if (!strcmp(a, "-o"))
			outpath = v;
		else
			goto usage;
		i++;
	}
	if (!label || !reinc || !bin || nchanges < 1 || warm < 0)
		goto usage;

	int r = sef_startup();
	endpoint_t ep;
	if (r < 0 || (r = ds_retrieve_label_endpt(label, &ep)) < 0) {
		fprintf(stderr, "bench_lupause: %s: %s\n", label, strerror(-r));
		return 1;
	}
	/* Answer stamps: reserved, not committed; 2^27 answers (~1 hour
	 * of round trips at 30 us) is far more than a run makes. */
	size_t cap = (size_t)1 << 27;
	int64_t *ts = mmap(NULL, cap * sizeof(*ts), PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	win0 = calloc((size_t)(warm + nchanges), sizeof(*win0));
	win1 = calloc((size_t)(warm + nchanges), sizeof(*win1));
	size_t nfail = 0, capfail = 1024;
	int64_t *tfail = malloc(capfail * sizeof(*tfail));
	if (ts == MAP_FAILED || !win0 || !win1 || !tfail) {
		fprintf(stderr, "bench_lupause: out of memory\n");
		return 1;
	}

	/* warm the channel and learn the counter */
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = LS_BUMP;
	if ((r = ipc_sendrec(ep, &m)) < 0 || m.m_type != 0) {
		fprintf(stderr, "bench_lupause: first request: %s\n",
		        r < 0 ? strerror(-r) : "refused");
		return 1;
	}
	int64_t counter = m.m_i64[0];
	int32_t pid = m.m_i32[2];
	/* each instance change: the index of its first answer and the new
	 * instance's stamps (bench_lusvc.c) */
	struct ev { size_t idx; int64_t t_save, t_i0, t_i1, t_ready, t_recv; }
	        *evs;
	size_t nev = 0, capev = (size_t)(warm + nchanges) + 16;
	if (!(evs = calloc(capev, sizeof(*evs)))) {
		fprintf(stderr, "bench_lupause: out of memory\n");
		return 1;
	}
	long jumps = 0, pidchanges = 0;
	size_t n = 0;

	pthread_t th;
	if ((r = pthread_create(&th, NULL, changer, NULL)) != 0) {
		fprintf(stderr, "bench_lupause: thread: %s\n", strerror(r));
		return 1;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		memset(&m, 0, sizeof(m));
		m.m_type = LS_BUMP;
		r = ipc_sendrec(ep, &m);
		int64_t t = now_ns();
		if (r < 0 || m.m_type != 0) {
			if (nfail == capfail) {
				int64_t *p = realloc(tfail, 2 * capfail *
				                     sizeof(*tfail));
				if (p)
					tfail = p, capfail *= 2;
			}
			if (nfail < capfail)
				tfail[nfail++] = t;
			if (relookup(ep, &ep) < 0)
				break;
			continue;
		}
		if (n < cap)
			ts[n++] = t;
		if (m.m_i64[0] != counter + 1)
			jumps++;
		counter = m.m_i64[0];
		if (m.m_i32[2] != pid) {
			pidchanges++;
			if (nev < capev && n > 1)
				evs[nev++] = (struct ev){ n - 1, m.m_i64[2],
				        m.m_i64[3], m.m_i64[4], m.m_i64[5],
				        m.m_i64[6] };
		}
		pid = m.m_i32[2];
	}
	pthread_join(th, NULL);
	if (n == cap)
		fprintf(stderr, "bench_lupause: answer array full\n");

	/* Each window's pause; the gaps overlapping no window.  Windows
	 * and answers are both in time order: one pass. */
	int64_t *pause = calloc((size_t)nwin + 1, sizeof(*pause));
	int64_t *winlen = calloc((size_t)nwin + 1, sizeof(*winlen));
	int64_t *gaps = malloc((n + 1) * sizeof(*gaps));
	long *wfail = calloc((size_t)nwin + 1, sizeof(*wfail));
	if (!pause || !winlen || !gaps || !wfail) {
		fprintf(stderr, "bench_lupause: out of memory\n");
		return 1;
	}
	size_t ngaps = 0;
	int w = 0;
	int64_t debug = getenv("BENCH_LUPAUSE_DEBUG") ?
	                atoll(getenv("BENCH_LUPAUSE_DEBUG")) * 1000 : 0;
	for (size_t j = 0; j + 1 < n; j++) {
		int64_t a = ts[j], b = ts[j + 1], g = b - a;
		while (w < nwin && win1[w] <= a)
			w++;
		int hit = 0;
		/* every window [win0, win1] with b > win0 and a < win1 */
		for (int k = w; k < nwin && win0[k] < b; k++) {
			if (win1[k] > a) {
				hit = 1;
				if (g > pause[k])
					pause[k] = g;
			}
		}
		if (!hit) {
			gaps[ngaps++] = g;
			if (debug > 0 && g > debug)
				fprintf(stderr, "bench_lupause: gap %.0f us outside the "
				        "windows, %.1f ms after window %d ended "
				        "(at %.1f ms)\n",
				        g / 1e3, w > 0 ? (a - win1[w - 1]) / 1e6 : -1.0,
				        w - 1, (a - ts[0]) / 1e6);
		}
	}
	size_t fail_out = 0;
	for (size_t i = 0, k = 0; i < nfail; i++) {
		while (k < (size_t)nwin && win1[k] < tfail[i])
			k++;
		/* a failure belongs to the window it falls in, or to the last
		 * one if it came after t1 but before the next answer */
		if (k < (size_t)nwin && tfail[i] >= win0[k])
			wfail[k]++;
		else if (k > 0)
			wfail[k - 1]++;
		else
			fail_out++;
	}
	FILE *out = NULL;
	if (outpath && !(out = fopen(outpath, "a"))) {
		perror(outpath);
		return 1;
	}
	int64_t *meas = calloc((size_t)nwin + 1, sizeof(*meas));
	int64_t *stage[NSTAGE];
	size_t nst[NSTAGE] = { 0 };
	for (int i = 0; i < NSTAGE; i++)
		if (!(stage[i] = calloc((size_t)nwin + 1, sizeof(int64_t))))
			return 1;
	int nm = 0;
	size_t e = 0;
	for (int k = warm; k < nwin; k++) {
		winlen[nm] = win1[k] - win0[k];
		meas[nm] = pause[k];
		/* the stages of this change: its instance change is the first
		 * one answered after t0 */
		int64_t st[NSTAGE];
		int ok[NSTAGE] = { 0 };
		while (e < nev && ts[evs[e].idx] <= win0[k])
			e++;
		if (e < nev && (k + 1 >= nwin || ts[evs[e].idx] < win0[k + 1])) {
			const struct ev *v = &evs[e];
			int64_t last = ts[v->idx - 1], first = ts[v->idx];
			/* t_save may come before the client has the
			 * last answer: then prepare is negative */
			int64_t t[NSTAGE + 1] = { last, v->t_save, v->t_i0,
			                          v->t_i1, v->t_ready, v->t_recv,
			                          first };
			for (int i = 0; i < NSTAGE; i++) {
				st[i] = t[i + 1] - t[i];
				ok[i] = t[i] > 0 && t[i + 1] > 0;
				if (ok[i])
					stage[i][nst[i]++] = st[i];
			}
		}
		if (out) {
			fprintf(out, "%lld %lld %ld", (long long)pause[k],
			        (long long)winlen[nm], wfail[k]);
			for (int i = 0; i < NSTAGE; i++)
				if (ok[i])
					fprintf(out, " %lld", (long long)st[i]);
				else
					fprintf(out, " -");
			fprintf(out, "\n");
		}
		nm++;
	}
	if (out)
		fclose(out);
	struct bstats sp, sw, sg;
	bench_stats(meas, (size_t)nm, &sp);
	bench_stats(winlen, (size_t)nm, &sw);
	bench_stats(gaps, ngaps, &sg);
	printf("lupause label=%s mode=%s n=%d p50=%.0f p99=%.0f max=%.0f "
	       "win_med=%.0f failed=%zu failed_out=%zu jumps=%ld changes=%ld "
	       "requests=%zu rtt_med=%.0f gap_out_p99=%.0f gap_out_max=%.0f "
	       "retries=%d cmdfail=%d", label, ref ? "stop+start" : "update",
	       nm, sp.median, sp.p99, sp.max, sw.median, nfail, fail_out, jumps,
	       pidchanges, n, sg.median, sg.p99, sg.max, retries, cmdfail);
	static const char *const stname[NSTAGE] = { "prepare", "handover",
	                                            "init", "commit", "wait",
	                                            "reply" };
	for (int i = 0; i < NSTAGE; i++) {
		struct bstats ss;
		bench_stats(stage[i], nst[i], &ss);
		if (nst[i])
			printf(" st_%s=%.0f", stname[i], ss.median);
		else
			printf(" st_%s=-", stname[i]);
	}
	printf("\n");
	fflush(stdout);
	if (cmdfail || jumps || pidchanges != warm + nchanges || nwin !=
	    warm + nchanges) {
		fprintf(stderr, "bench_lupause: %s: %d change(s) failed, %ld "
		        "counter jump(s), %ld instance change(s) seen for %d "
		        "change(s)\n", label, cmdfail, jumps, pidchanges,
		        warm + nchanges);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: bench_lupause -label L -reinc REINC -bin BIN "
	        "[-args \"A B\"] [-ref] [-n K] [-warm W] [-settle-ms S] "
	        "[-interval-ms I] [-o FILE]\n");
	return 2;
}
