/*
 * bench_ds.c - the data store benchmark (bench/run.sh part 5): dsd's
 * round trips and throughput with 100,000 entries and with an almost
 * empty store, beside ipc_sendrec to a trivial echo service measured in
 * the same blocks; and dsd's recovery after kill -9 with both stores,
 * beside reincd's cold restart of bench_echo.
 *
 *   bench_ds svc ECHO             the service (reinc up ... -args "svc E")
 *   bench_ds -label L -kill K [-entries N] [-base B] [-mem M]
 *            [-memsize S] [-rounds RO] [-n T] [-blocks BL] [-warm W]
 *            [-tput P] [-burst R] [-kills KI] [-warmkills WK]
 *            [-sleep-ms MS] [-chunk C]   the client (a user process)
 *
 * Only a service may publish, so the calls are made by the service L
 * (this binary with "svc"): the client drives it with requests and reads
 * back its statistics.  The service also makes the reference round trips,
 * ipc_sendrec(BE_ECHO) to the bench_echo service E, from the same process,
 * so that the ratio compares a DS call with the bare hop it is built on.
 *
 * The store.  Keys "bench.k.NNNNNNN" (u32, value = N) and "bench.m.NNN"
 * (mem, S bytes, default 1 KiB, its first 8 bytes = N), all shorter than
 * the 28 bytes that travel in the message.  "empty" (almost empty): B u32
 * keys (default 100) and M mem keys (default 100), plus the labels reincd
 * publishes.  "full": the u32 keys go up to N - M (default 100,000 - 100):
 * N entries, plus the labels.
 *
 * The two stores take turns: RO rounds (default 6) of: the work with the
 * store almost empty; the service fills it (new-key publishes, in chunks
 * of C, default 10,000: ds_fill); the work with the store full; the
 * service deletes the keys it added again (ds_drop; not after the last
 * round).  A machine whose speed drifts (other load; see the throughput)
 * then hits both stores alike, which one switch from empty to full would
 * not.  Each round does 1/RO of the round trips and the throughput with
 * each store (the recoveries: below):
 *
 * Round trips: the service times each call on its own (two CLOCK_MONOTONIC
 * stamps; the key is formatted before the first), T calls of each kind
 * (default 50,000) after W warm-up calls (default 2,000), in BL
 * alternating blocks (default 20; the order of the kinds rotates from
 * block to block), so that drifts hit the kinds alike too:
 *   echo      ipc_sendrec(BE_ECHO) to E: the reference
 *   pub_over  ds_publish_u32(random existing u32 key, its N, DSF_OVERWRITE)
 *   pub_new   ds_publish_u32(a key never used before, flags 0); after each
 *             block its keys are deleted again, each delete timed as
 *   del       ds_delete_u32 (so the store keeps its size)
 *   get_u32   ds_retrieve_u32(random u32 key), value checked
 *   get_mem   ds_retrieve_mem(random mem key, S bytes), length and first
 *             word checked
 * Random keys are drawn uniformly from all the store's keys of the type.
 *
 * Throughput: P calls (default 100,000) of each of echo, pub_over, get_u32
 * and get_mem, back to back in bursts of R calls (default 1,000) of one
 * kind, the kinds taking turns (rotating order); each burst is timed as a
 * whole (no stamps between the calls).  Calls per second of each kind =
 * P / the sum of its bursts' times; also the median, lowest and highest
 * burst rate.  Short alternating bursts rather than a few long runs on
 * purpose: on 2 CPUs a chain of processes runs about 3 x faster when the
 * scheduler keeps caller and callee on one CPU than when each hop wakes
 * the other CPU, the kernel switches between the two every so often (more
 * so under other load), and the bursts give every kind the same mix.
 *
 * Recovery: KI kills of dsd (default 40) for each of three stores, each
 * beside a kill of bench_echo: "empty", all in the first round before
 * the store was ever filled (after WK warm-up kills, default 2); "full",
 * 1/RO in each round (after WK warm-up kills in the first); "drained",
 * the store almost empty again after a fill and a drop: 1/(RO - 1) in
 * each round but the first (none if RO = 1).  dsd rebuilds its indexes
 * from every entry slot below the store's high-water mark, used or not,
 * and the drop leaves that mark where the fill put it.  The two kills of
 * a pair take turns going first:
 *   dsd: find its pid (reincd's status), wait MS ms (default 20) so that
 *     everything is idle, t0, kill -9, then ds_retrieve_u32(
 *     "bench.k.0000000") in a loop until it answers 0 with the right
 *     value; t1.  The request waits in dsd's channel while reincd
 *     restarts it, so the first answer is the new instance's.
 *   bench_echo: the service K (reinc up ... -reset-after 1ms), as
 *     bench_restart does: BE_PID, wait, kill -9, BE_PID until a new pid
 *     answers.
 * dsd must be edited to `-reset-after 1ms` before (run.sh does it): else
 * its second crash in 60 s waits for a back-off.  The run checks that
 * each kill made exactly one restart, and that reincd names a new dsd pid.
 *
 * Output (stdout), values in ns or calls/s, one line per figure; STORE is
 * "empty" or "full":
 *   ds_rtt STORE KIND n= median= p99= mean= min= max=
 *   ds_tput STORE KIND n= rate= med= lo= hi=   (rate: all bursts; med,
 *                                        lo, hi: of the burst rates)
 *   ds_recover STORE n= median= p99= mean= min= max= retries=
 *                                        (STORE also "drained")
 *   ds_recover echo n= ...               (bench_echo, all stores)
 *   ds_fill n= fills= rate= first= last= (new keys per fill, rates over
 *                                        all fills, of all first and all
 *                                        last chunks)
 *   ds_drop n= drops= rate=              (ds_delete_u32 of those keys)
 * Progress on stderr.  Exit 1 on any failure.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

/* requests the service serves (m_type); the reply's m_type is 0 or
 * -errno of the first call that failed */
#define BD_RESET 0x4401  /* i32[0] samples to keep per kind and store:
                            drop all samples */
#define BD_FILL  0x4402  /* i32[0] first, i32[1] end of the u32 keys to
                            publish as new; i32[2] mem keys [0, M) too
                            (M > 0), i32[3] their size: reply i64[0] ns */
#define BD_DROP  0x4403  /* i32[0] first, i32[1] end of the u32 keys to
                            delete: reply i64[0] ns */
#define BD_RUN   0x4404  /* i32[0] kind, i32[1] calls, i32[2] u32 keys,
                            i32[3] mem keys, i32[4] keep the samples as
                            store 1 (empty) or 2 (full); 0: do not */
#define BD_TPUT  0x4405  /* as BD_RUN, untimed: reply i64[0] ns in all */
#define BD_STATS 0x4406  /* i32[0] kind, i32[1] store 1 or 2: reply
                            i64[0] n, [1] median, [2] p99, [3] mean,
                            [4] min, [5] max (ns) */

enum { K_ECHO, K_PUB_OVER, K_PUB_NEW, K_GET_U32, K_GET_MEM, K_DEL, NKIND };
static const char *const kname[NKIND] = { "echo", "pub_over", "pub_new",
                                          "get_u32", "get_mem", "del" };
#define NRUN K_DEL       /* kinds the client asks for (del comes along) */
static const char *const sname[2] = { "empty", "full" };

#define MAXMEM 65536     /* largest mem value */

static void ukey(char *k, size_t n, uint32_t i)
{
	snprintf(k, n, "bench.k.%07u", i);
}

static void mkey(char *k, size_t n, uint32_t i)
{
	snprintf(k, n, "bench.m.%03u", i);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

/* ------------------------------------------------------------------ */
/* the service                                                          */

static endpoint_t echo_ep;
static int64_t *samp[2][NKIND];
static size_t nsamp[2][NKIND], capsamp;
static uint32_t newkey;      /* next never-used pub_new key */
static uint32_t memsize = 1024;
static uint8_t membuf[MAXMEM];

static void record(int st, int kind, int64_t ns)
{
	if (st >= 0 && nsamp[st][kind] < capsamp)
		samp[st][kind][nsamp[st][kind]++] = ns;
}

/* n calls of one kind; their samples kept as store st (-1: not kept);
 * *tput (if not NULL): ns for them all.  0 or the first error. */
static int run(int kind, int n, uint32_t nu, uint32_t nm, int st,
               int64_t *tput)
{
	char key[DS_MAX_KEYLEN];
	int r = 0;
	if (!nu || (kind == K_GET_MEM && !nm))
		return -EINVAL;
	int64_t t_all = now_ns();
	if (kind == K_PUB_NEW) {
		uint32_t first = newkey;
		for (int i = 0; i < n && r == 0; i++) {
			snprintf(key, sizeof(key), "bench.n.%09u", newkey++);
			int64_t t = now_ns();
			r = ds_publish_u32(key, (uint32_t)i, 0);
			record(st, K_PUB_NEW, now_ns() - t);
		}
		for (uint32_t k = first; k < newkey; k++) {
			snprintf(key, sizeof(key), "bench.n.%09u", k);
			int64_t t = now_ns();
			int d = ds_delete_u32(key);
			record(st, K_DEL, now_ns() - t);
			if (r == 0)
				r = d;
		}
		if (tput)
			*tput = now_ns() - t_all;
		return r;
	}
	for (int i = 0; i < n && r == 0; i++) {
		uint32_t k = kind == K_GET_MEM ? rnd(nm) : rnd(nu), v = 0;
		size_t len = memsize;
		message m = { 0 };
		int64_t t = 0;
		switch (kind) {
		case K_ECHO:
			m.m_type = BE_ECHO;
			m.m_i64[0] = i;
			t = now_ns();
			r = ipc_sendrec(echo_ep, &m);
			break;
		case K_PUB_OVER:
			ukey(key, sizeof(key), k);
			t = now_ns();
			r = ds_publish_u32(key, k, DSF_OVERWRITE);
			break;
		case K_GET_U32:
			ukey(key, sizeof(key), k);
			t = now_ns();
			r = ds_retrieve_u32(key, &v);
			break;
		case K_GET_MEM:
			mkey(key, sizeof(key), k);
			t = now_ns();
			r = ds_retrieve_mem(key, membuf, &len);
			break;
		default:
			return -EINVAL;
		}
		record(st, kind, now_ns() - t);
		if (r < 0)
			break;
		if ((kind == K_ECHO && (m.m_type != BE_ECHO || m.m_i64[0] != i)) ||
		    (kind == K_GET_U32 && v != k) ||
		    (kind == K_GET_MEM && (len != memsize ||
		                           *(uint64_t *)(void *)membuf != k))) {
			fprintf(stderr, "bench_ds: %s: wrong answer\n",
			        kname[kind]);
			r = -EPROTO;
		}
	}
	if (tput)
		*tput = now_ns() - t_all;
	return r;
}

static int fill(uint32_t from, uint32_t to, uint32_t nm, uint32_t size,
                int64_t *ns)
{
	char key[DS_MAX_KEYLEN];
	int64_t t0 = now_ns();
	int r = 0;
	if (nm) {
		if (size < 8 || size > MAXMEM)
			return -EINVAL;
		memsize = size;
		for (uint32_t i = 0; i < nm && r == 0; i++) {
			memset(membuf, (int)(i & 0xff), size);
			*(uint64_t *)(void *)membuf = i;
			mkey(key, sizeof(key), i);
			r = ds_publish_mem(key, membuf, size, DSF_OVERWRITE);
		}
	}
	for (uint32_t i = from; i < to && r == 0; i++) {
		ukey(key, sizeof(key), i);
		r = ds_publish_u32(key, i, 0);
	}
	*ns = now_ns() - t0;
	return r;
}

static int drop(uint32_t from, uint32_t to, int64_t *ns)
{
	char key[DS_MAX_KEYLEN];
	int64_t t0 = now_ns();
	int r = 0;
	for (uint32_t i = from; i < to && r == 0; i++) {
		ukey(key, sizeof(key), i);
		r = ds_delete_u32(key);
	}
	*ns = now_ns() - t0;
	return r;
}

static int reset(size_t cap)
{
	for (int st = 0; st < 2; st++)
		for (int k = 0; k < NKIND; k++) {
			free(samp[st][k]);
			nsamp[st][k] = 0;
			if (!(samp[st][k] = calloc(cap + 1, sizeof(int64_t)))) {
				capsamp = 0;
				return -ENOMEM;
			}
		}
	capsamp = cap;
	return 0;
}

static int svc_main(const char *echo)
{
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "bench_ds: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	rng ^= (uint64_t)getpid() << 20;
	for (;;) {
		message m;
		int status = 0;
		r = sef_receive_status(ANY, &m, &status);
		if (r < 0) {
			if (r == -EINTR)
				continue;
			fprintf(stderr, "bench_ds: sef_receive: %s\n",
			        strerror(-r));
			sleep_ms(10);
			continue;
		}
		if (is_ipc_notify(status))
			continue;     /* dsd's, after its restarts: nothing to do */
		endpoint_t who = m.m_source;
		int type = m.m_type;
		int32_t a[6];
		memcpy(a, m.m_i32, sizeof(a));
		int64_t ns = 0;
		memset(m.m_raw, 0, sizeof(m.m_raw));
		if (!echo_ep && (r = ds_retrieve_label_endpt(echo, &echo_ep)) < 0) {
			fprintf(stderr, "bench_ds: %s: %s\n", echo,
			        strerror(-r));
			echo_ep = 0;
			goto reply;
		}
		switch (type) {
		case BD_RESET:
			r = a[0] < 1 ? -EINVAL : reset((size_t)a[0]);
			break;
		case BD_FILL:
			r = fill((uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2],
			         (uint32_t)a[3], &ns);
			break;
		case BD_DROP:
			r = drop((uint32_t)a[0], (uint32_t)a[1], &ns);
			break;
		case BD_RUN:
		case BD_TPUT:
			if (a[0] < 0 || a[0] >= NRUN || a[1] < 0 || a[4] < 0 ||
			    a[4] > 2) {
				r = -EINVAL;
				break;
			}
			r = run(a[0], a[1], (uint32_t)a[2], (uint32_t)a[3],
			        type == BD_RUN ? a[4] - 1 : -1,
			        type == BD_TPUT ? &ns : NULL);
			break;
		case BD_STATS: {
			if (a[0] < 0 || a[0] >= NKIND || a[1] < 1 || a[1] > 2 ||
			    !capsamp) {
				r = -EINVAL;
				break;
			}
			struct bstats sb;
			bench_stats(samp[a[1] - 1][a[0]], nsamp[a[1] - 1][a[0]],
			            &sb);
			m.m_i64[1] = (int64_t)sb.median;
			m.m_i64[2] = (int64_t)sb.p99;
			m.m_i64[3] = (int64_t)sb.mean;
			m.m_i64[4] = (int64_t)sb.min;
			m.m_i64[5] = (int64_t)sb.max;
			ns = (int64_t)sb.n;
			r = 0;
			break;
		}
		default:
			r = -ENOSYS;
			break;
		}
		if (r < 0)
			fprintf(stderr, "bench_ds: request %#x: %s\n", type,
			        strerror(-r));
reply:
		m.m_type = r;
		m.m_i64[0] = ns;
		if ((r = ipc_send(who, &m)) < 0 && r != -EDEADSRCDST)
			fprintf(stderr, "bench_ds: reply to %d: %s\n", who,
			        strerror(-r));
	}
}

/* ------------------------------------------------------------------ */
/* the client                                                           */

static endpoint_t svc_ep;
static int status_fd = -1;

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_ds: %s: %s\n", what, strerror(r < 0 ? -r : r));
	exit(1);
}

/* One request to the service; returns the reply's i64[0]. */
static int64_t ask(const char *what, int type, int a0, int a1, int a2,
                   int a3, int a4, message *reply)
{
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = type;
	m.m_i32[0] = a0;
	m.m_i32[1] = a1;
	m.m_i32[2] = a2;
	m.m_i32[3] = a3;
	m.m_i32[4] = a4;
	int r = ipc_sendrec(svc_ep, &m);
	if (r < 0)
		die(what, r);
	if (m.m_type != 0) {
		fprintf(stderr, "bench_ds: %s (request %#x): %s\n", what, type,
		        strerror(m.m_type < 0 ? -m.m_type : EPROTO));
		exit(1);
	}
	if (reply)
		*reply = m;
	return m.m_i64[0];
}

static struct bench_status svc_status(const char *label)
{
	struct bench_status st;
	int r = bench_status(status_fd, label, &st);
	if (r < 0)
		die("status", r);
	if (!st.found) {
		fprintf(stderr, "bench_ds: no service '%s'\n", label);
		exit(1);
	}
	return st;
}

/* The round trips of one round with one store: blocks b0 .. b1 - 1 of
 * the BL blocks of n calls per kind. */
static void rtt(int st, int nu, int nm, long n, int blocks, int b0, int b1,
                int warm)
{
	for (int k = 0; k < NRUN; k++)
		ask("warm-up", BD_RUN, k, warm, nu, nm, 0, NULL);
	for (int b = b0; b < b1; b++) {
		long per = n / blocks + (b < n % blocks);
		for (int j = 0; j < NRUN; j++) {
			int k = (b + j) % NRUN;
			ask(kname[k], BD_RUN, k, (int)per, nu, nm, st + 1, NULL);
		}
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const int tkinds[] = { K_ECHO, K_PUB_OVER, K_GET_U32, K_GET_MEM };
enum { NTK = sizeof(tkinds) / sizeof(tkinds[0]) };
static double *brate[2][NTK];
static int nbrate[2];
static int64_t tcalls[2][NTK], tns[2][NTK];

/* Throughput bursts of one round with one store: `calls` calls per kind
 * in bursts of `burst`. */
static void tput(int st, int nu, int nm, int calls, int burst)
{
	int nb = (calls + burst - 1) / burst;
	for (int i = 0; i < NTK; i++)
		ask("throughput warm-up", BD_TPUT, tkinds[i], burst, nu, nm, 0,
		    NULL);
	for (int b = 0; b < nb; b++) {
		int k = b < nb - 1 ? burst : calls - (nb - 1) * burst;
		for (int j = 0; j < NTK; j++) {
			int i = (b + j) % NTK;
			int64_t ns = ask(kname[tkinds[i]], BD_TPUT, tkinds[i], k,
			                 nu, nm, 0, NULL);
			tcalls[st][i] += k;
			tns[st][i] += ns;
			brate[st][i][nbrate[st] + b] = (double)k * 1e9 / (double)ns;
		}
	}
	nbrate[st] += nb;
}

/* kill -9 dsd, then retrieve until the new instance answers: ns, and the
 * failed retrievals in *retries. */
static int64_t kill_ds(int sleep, int *retries)
{
	struct bench_status st = svc_status("ds");
	if (st.pid <= 0 || strcmp(st.state, "running")) {
		fprintf(stderr, "bench_ds: dsd is %s (pid %d)\n", st.state,
		        st.pid);
		exit(1);
	}
	/* the client's channel is warm and dsd idle */
	uint32_t v = 1;
	int r = ds_retrieve_u32("bench.k.0000000", &v);
	if (r < 0 || v != 0)
		die("retrieve before the kill", r < 0 ? r : EPROTO);
	sleep_ms(sleep);
	int64_t t0 = now_ns();
	if (kill(st.pid, SIGKILL) < 0)
		die("kill dsd", errno);
	for (;;) {
		v = 1;
		r = ds_retrieve_u32("bench.k.0000000", &v);
		if (r == 0 && v == 0)
			break;
		if (r != -EDEADSRCDST && r != -ESRCH && r != -ENOSYS) {
			fprintf(stderr, "bench_ds: retrieve after the kill: %s "
			        "(value %u)\n", strerror(r < 0 ? -r : EPROTO), v);
			exit(1);
		}
		(*retries)++;
	}
	int64_t t1 = now_ns();
	struct bench_status st2 = svc_status("ds");
	if (st2.pid == st.pid) {
		fprintf(stderr, "bench_ds: dsd answered, but reincd still "
		        "names the old pid %d\n", st.pid);
		exit(1);
	}
	return t1 - t0;
}

/* As bench_restart: kill -9 the bench_echo service ep, BE_PID until a new
 * pid answers. */
static int64_t kill_echo(endpoint_t ep, int sleep, int *retries)
{
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = BE_PID;
	int r;
	while ((r = ipc_sendrec(ep, &m)) == -EDEADSRCDST)
		m.m_type = BE_PID;
	if (r < 0)
		die("BE_PID", r);
	pid_t old = m.m_i32[0];
	sleep_ms(sleep);
	int64_t t0 = now_ns();
	if (kill(old, SIGKILL) < 0)
		die("kill bench_echo", errno);
	for (;;) {
		memset(&m, 0, sizeof(m));
		m.m_type = BE_PID;
		r = ipc_sendrec(ep, &m);
		if (r == -EDEADSRCDST || (r == 0 && m.m_i32[0] == old)) {
			(*retries)++;
			continue;
		}
		if (r < 0)
			die("BE_PID after the kill", r);
		break;
	}
	return now_ns() - t0;
}

/* recoveries of dsd with the store: almost empty (never filled), full,
 * drained (almost empty again after a fill) */
enum { R_EMPTY, R_FULL, R_DRAINED };
static int64_t *rec_ds[3], *rec_echo;
static int nrec_ds[3], nrec_echo, retries_ds[3], retries_echo, turn;

/* k kills of dsd with store st (R_*; after warm unmeasured ones), each
 * beside one of bench_echo K. */
static void recover(int st, const char *kill_label, endpoint_t kill_ep,
                    int k, int warm, int sleep)
{
	int ds0 = svc_status("ds").restarts;
	int e0 = svc_status(kill_label).restarts;
	for (int i = -warm; i < k; i++) {
		int64_t a, b;
		if (turn++ % 2) {   /* alternate who goes first */
			b = kill_echo(kill_ep, sleep, &retries_echo);
			a = kill_ds(sleep, &retries_ds[st]);
		} else {
			a = kill_ds(sleep, &retries_ds[st]);
			b = kill_echo(kill_ep, sleep, &retries_echo);
		}
		if (i >= 0) {
			rec_ds[st][nrec_ds[st]++] = a;
			rec_echo[nrec_echo++] = b;
		}
	}
	int ds1 = svc_status("ds").restarts;
	int e1 = svc_status(kill_label).restarts;
	if (ds1 - ds0 != k + warm || e1 - e0 != k + warm) {
		fprintf(stderr, "bench_ds: %d kills each made %d restart(s) of "
		        "dsd and %d of %s\n", k + warm, ds1 - ds0, e1 - e0,
		        kill_label);
		exit(1);
	}
}

static void print_rec(const char *what, int64_t *v, int n, int retries)
{
	struct bstats s;
	bench_stats(v, (size_t)n, &s);
	printf("ds_recover %s n=%zu median=%.0f p99=%.0f mean=%.0f min=%.0f "
	       "max=%.0f retries=%d\n", what, s.n, s.median, s.p99, s.mean,
	       s.min, s.max, retries);
}

/* share i of n, as equal as can be */
static int part(int total, int n, int i)
{
	return total / n + (i < total % n);
}

static int client_main(int argc, char **argv)
{
	const char *label = NULL, *kill_label = NULL;
	long n = 50000;
	int entries = 100000, base = 100, nmem = 100, msize = 1024;
	int rounds = 6, blocks = 20, warm = 2000, calls = 100000, burst = 1000;
	int kills = 40, warmkills = 2, sleep = 20, chunk = 10000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			goto usage;
		if (!strcmp(a, "-label"))
			label = v;
		else if (!strcmp(a, "-kill"))
			kill_label = v;
		else if (!strcmp(a, "-entries"))
			entries = atoi(v);
		else if (!strcmp(a, "-base"))
			base = atoi(v);
		else if (!strcmp(a, "-mem"))
			nmem = atoi(v);
		else if (!strcmp(a, "-memsize"))
			msize = atoi(v);
		else if (!strcmp(a, "-rounds"))
			rounds = atoi(v);
		else if (!strcmp(a, "-n"))
			n = atol(v);
		else if (!strcmp(a, "-blocks"))
			blocks = atoi(v);
		else if (!strcmp(a, "-warm"))
			warm = atoi(v);
		else if (!strcmp(a, "-tput"))
			calls = atoi(v);
		else if (!strcmp(a, "-burst"))
			burst = atoi(v);
		else if (!strcmp(a, "-kills"))
			kills = atoi(v);
		else if (!strcmp(a, "-warmkills"))
			warmkills = atoi(v);
		else if (!strcmp(a, "-sleep-ms"))
			sleep = atoi(v);
		else if (!strcmp(a, "-chunk"))
			chunk = atoi(v);
		else
			goto usage;
		i++;
	}
	if (!label || !kill_label || n < 1 || n > (1L << 28) || rounds < 1 ||
	    blocks < rounds || warm < 0 || calls < rounds || burst < 1 ||
	    kills < rounds || warmkills < 0 || sleep < 0 || chunk < 1 ||
	    nmem < 1 || base < 1 || entries < base + nmem || msize < 8 ||
	    msize > MAXMEM)
		goto usage;
	if (blocks > n)
		blocks = (int)n;
	if (rounds > blocks)
		rounds = blocks;
	int nu[2] = { base, entries - nmem };

	int r = sef_startup();
	if (r < 0)
		die("sef_startup", r);
	if ((r = ds_retrieve_label_endpt(label, &svc_ep)) < 0)
		die(label, r);
	endpoint_t kill_ep;
	if ((r = ds_retrieve_label_endpt(kill_label, &kill_ep)) < 0)
		die(kill_label, r);
	if ((status_fd = bench_status_connect()) < 0)
		die("status connection", status_fd);
	int maxb = 0;
	for (int i = 0; i < rounds; i++) {
		int c = part(calls, rounds, i);
		maxb += (c + burst - 1) / burst;
	}
	for (int st = 0; st < 3; st++)
		rec_ds[st] = calloc((size_t)kills + 1, sizeof(int64_t));
	for (int st = 0; st < 2; st++) {
		for (int i = 0; i < NTK; i++)
			if (!(brate[st][i] = calloc((size_t)maxb + 1,
			                            sizeof(double))))
				die("calloc", ENOMEM);
	}
	rec_echo = calloc(3 * (size_t)kills + 1, sizeof(int64_t));
	if (!rec_ds[0] || !rec_ds[1] || !rec_ds[2] || !rec_echo)
		die("calloc", ENOMEM);

	ask("reset", BD_RESET, (int)n, 0, 0, 0, 0, NULL);
	ask("fill (almost empty)", BD_FILL, 0, base, nmem, msize, 0, NULL);
	fprintf(stderr, "bench_ds: %d rounds: almost empty store (%d u32 + %d "
	        "mem entries), fill to %d entries, full store, drop\n", rounds,
	        base, nmem, entries);
	int64_t fill_ns = 0, fill_n = 0, first_ns = 0, first_n = 0;
	int64_t last_ns = 0, last_n = 0, drop_ns = 0, drops = 0;
	for (int ro = 0; ro < rounds; ro++) {
		int b0 = 0;
		for (int i = 0; i < ro; i++)
			b0 += part(blocks, rounds, i);
		int b1 = b0 + part(blocks, rounds, ro);
		for (int st = 0; st < 2; st++) {
			if (st == 1) {    /* fill */
				for (int at = base; at < nu[1];) {
					int to = at + chunk < nu[1] ? at + chunk
					                            : nu[1];
					int64_t ns = ask("fill", BD_FILL, at, to, 0,
					                 0, 0, NULL);
					if (at == base)
						first_ns += ns, first_n += to - at;
					if (to == nu[1])
						last_ns += ns, last_n += to - at;
					fill_ns += ns;
					fill_n += to - at;
					at = to;
				}
			}
			rtt(st, nu[st], nmem, n, blocks, b0, b1,
			    part(warm, rounds, ro));
			tput(st, nu[st], nmem, part(calls, rounds, ro), burst);
			if (st == 1)
				recover(R_FULL, kill_label, kill_ep,
				        part(kills, rounds, ro),
				        ro ? 0 : warmkills, sleep);
			else if (ro == 0)
				recover(R_EMPTY, kill_label, kill_ep, kills,
				        warmkills, sleep);
			else
				recover(R_DRAINED, kill_label, kill_ep,
				        part(kills, rounds - 1, ro - 1), 0,
				        sleep);
		}
		if (ro < rounds - 1) {    /* back to almost empty */
			drop_ns += ask("drop", BD_DROP, base, nu[1], 0, 0, 0,
			               NULL);
			drops++;
		}
		fprintf(stderr, "bench_ds: round %d done\n", ro + 1);
	}

	static const int order[NKIND] = { K_ECHO, K_PUB_OVER, K_PUB_NEW, K_DEL,
	                                  K_GET_U32, K_GET_MEM };
	for (int st = 1; st >= 0; st--)
		for (int i = 0; i < NKIND; i++) {
			int k = order[i];
			message m;
			long long cnt = (long long)ask("stats", BD_STATS, k, st + 1,
			                               0, 0, 0, &m);
			printf("ds_rtt %s %s n=%lld median=%lld p99=%lld "
			       "mean=%lld min=%lld max=%lld\n", sname[st],
			       kname[k], cnt, (long long)m.m_i64[1],
			       (long long)m.m_i64[2], (long long)m.m_i64[3],
			       (long long)m.m_i64[4], (long long)m.m_i64[5]);
		}
	for (int st = 1; st >= 0; st--)
		for (int i = 0; i < NTK; i++) {
			int nb = nbrate[st];
			double *v = brate[st][i];
			qsort(v, (size_t)nb, sizeof(double), cmp_d);
			printf("ds_tput %s %s n=%lld rate=%.0f med=%.0f lo=%.0f "
			       "hi=%.0f\n", sname[st], kname[tkinds[i]],
			       (long long)tcalls[st][i], (double)tcalls[st][i] *
			       1e9 / (double)tns[st][i], nb % 2 ? v[nb / 2] :
			       (v[nb / 2 - 1] + v[nb / 2]) / 2, v[0], v[nb - 1]);
		}
	print_rec("full", rec_ds[R_FULL], nrec_ds[R_FULL], retries_ds[R_FULL]);
	print_rec("empty", rec_ds[R_EMPTY], nrec_ds[R_EMPTY],
	          retries_ds[R_EMPTY]);
	if (nrec_ds[R_DRAINED])
		print_rec("drained", rec_ds[R_DRAINED], nrec_ds[R_DRAINED],
		          retries_ds[R_DRAINED]);
	print_rec("echo", rec_echo, nrec_echo, retries_echo);
	printf("ds_fill n=%d fills=%d rate=%.0f first=%.0f last=%.0f\n",
	       nu[1] - base, rounds, (double)fill_n * 1e9 / (double)fill_ns,
	       (double)first_n * 1e9 / (double)first_ns,
	       (double)last_n * 1e9 / (double)last_ns);
	if (drops)
		printf("ds_drop n=%d drops=%lld rate=%.0f\n", nu[1] - base,
		       (long long)drops, (double)(nu[1] - base) * (double)drops *
		       1e9 / (double)drop_ns);
	fflush(stdout);
	return 0;
usage:
	fprintf(stderr, "usage: bench_ds svc ECHO_LABEL\n"
	        "       bench_ds -label L -kill K [-entries N] [-base B] "
	        "[-mem M] [-memsize S]\n"
	        "                [-rounds RO] [-n T] [-blocks BL] [-warm W] "
	        "[-tput P] [-burst R]\n"
	        "                [-kills KI] [-warmkills WK] [-sleep-ms MS] "
	        "[-chunk C]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "svc"))
		return svc_main(argv[2]);
	return client_main(argc, argv);
}
