/*
 * kv_client.c - talk to the key/value service of the migration example
 * (kv_v1.c, kv_v2.c; protocol in kv.h) from an ordinary process.
 *
 *   kv_client [-l LABEL] [-timeout S] set KEY VALUE
 *   kv_client [-l LABEL] [-timeout S] get KEY
 *   kv_client [-l LABEL] [-timeout S] inc KEY [DELTA]
 *   kv_client [-l LABEL] [-timeout S] stat
 *   kv_client [-l LABEL] [-timeout S] dump
 *   kv_client [-l LABEL] [-timeout S] hammer [-keys K] [-n N] [-until-file F]
 *
 * Joins reincd as a user process (sef_startup, which finds reincd through
 * $REINC_RUNTIME_DIR) and looks LABEL (default "kv") up.
 *
 * set, get, inc print the entry:
 *   key=K value=V changes=C version=N transfers=T pid=P
 * (changes=- when kv_v1 answered: it has no such field).
 * stat prints
 *   stat keys=N sum=S changes=C capacity=N version=N transfers=T pid=P
 * dump prints one line per entry, then a summary:
 *   entry key=K value=V changes=C
 *   entries=N version=N transfers=T
 *
 * hammer is the load of the migration test: it writes keys 1..K (default
 * 8) one after another as fast as it can, N times (default 1000; -n 0
 * with -until-file F: until F exists).  It reads each key's value first
 * (a missing key counts as 0), then adds 1..7 to it: mostly with KV_INC,
 * every tenth time with KV_SET of the value it expects.  Each reply must
 * carry exactly the value the client expects; a lost or doubled write
 * shows at once as a mismatch.  At the end it prints, per key, the value
 * it expects the service to hold, how many writes it made and how many
 * of them kv_v2 answered (which kv_v2's `changes` field counts):
 *   tally key=K value=V writes=N v2writes=N
 * and the summary
 *   sent=N ok=N bad=N v1=N v2=N instances=N transfers=T max_gap_us=U
 * (v1, v2: replies from each version; instances: distinct pids that
 * answered; transfers: in the last reply; max_gap_us: the longest time
 * between two replies, the pause an update caused).
 *
 * Exit status: 0 on success; 1 if a hammer request failed or got a
 * wrong value; 2 if a request got no answer within -timeout seconds
 * (default 10, 0 = wait forever); otherwise the positive errno of the
 * failure (ESRCH 3: no such label; ENOENT 2: get of a missing key;
 * EINVAL 22: bad usage).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sef.h>

#include "kv.h"

static int timeout_s = 10;
static endpoint_t kv;

static void on_alarm(int sig)
{
	static const char msg[] = "kv_client: a request got no answer in time\n";
	if (write(2, msg, sizeof(msg) - 1) < 0)
		{ /* nothing more to do */ }
	_exit(2);
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: kv_client [-l LABEL] [-timeout S] set KEY VALUE | get KEY |\n"
	        "       inc KEY [DELTA] | stat | dump |\n"
	        "       hammer [-keys K] [-n N] [-until-file F]\n");
	return EINVAL;
}

static int fail(const char *what, int r)
{
	fprintf(stderr, "kv_client: %s: %s (error %d)\n", what,
	        r == -EDEADSRCDST ? "service died while answering" :
	        strerror(-r), -r);
	return -r;
}

/* One request: 0 and the reply in *m, or the negative error (IPC or the
 * reply's m_type). */
static int call(int type, uint32_t key, int64_t value, message *m)
{
	memset(m, 0, sizeof(*m));
	m->m_type = type;
	m->m_u32[KV_KEY] = key;
	m->m_i64[KV_VALUE] = value;
	if (timeout_s > 0)
		alarm((unsigned)timeout_s);
	int r = ipc_sendrec(kv, m);
	if (timeout_s > 0)
		alarm(0);
	if (r < 0)
		return r;
	return m->m_type < 0 ? m->m_type : 0;
}

static const char *changes_str(const message *m, char *buf, size_t len)
{
	if (m->m_u64[KV_CHANGES] == KV_NONE)
		return "-";
	snprintf(buf, len, "%llu", (unsigned long long)m->m_u64[KV_CHANGES]);
	return buf;
}

static void print_entry(const message *m)
{
	char cb[32];
	printf("key=%u value=%lld changes=%s version=%u transfers=%u pid=%u\n",
	       (unsigned)m->m_u32[KV_KEY], (long long)m->m_i64[KV_VALUE],
	       changes_str(m, cb, sizeof(cb)), (unsigned)m->m_u32[KV_VERSION],
	       (unsigned)m->m_u32[KV_TRANSFERS], (unsigned)m->m_u32[KV_PID]);
}

static int dump(void)
{
	message m;
	char cb[32];
	uint32_t i;
	int r;
	for (i = 0;; i++) {
		if ((r = call(KV_ENTRY, i, 0, &m)) == -ENOENT)
			break;
		if (r < 0)
			return fail("entry", r);
		printf("entry key=%u value=%lld changes=%s\n",
		       (unsigned)m.m_u32[KV_KEY], (long long)m.m_i64[KV_VALUE],
		       changes_str(&m, cb, sizeof(cb)));
	}
	printf("entries=%u version=%u transfers=%u\n", (unsigned)i,
	       (unsigned)m.m_u32[KV_VERSION], (unsigned)m.m_u32[KV_TRANSFERS]);
	return 0;
}

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#define MAX_KEYS 64
#define MAX_PIDS 256

static int hammer(int argc, char **argv)
{
	long keys = 8, n = 1000;
	const char *until = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-keys") && i + 1 < argc)
			keys = atol(argv[++i]);
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atol(argv[++i]);
		else if (!strcmp(argv[i], "-until-file") && i + 1 < argc)
			until = argv[++i];
		else
			return usage();
	}
	if (keys < 1 || keys > MAX_KEYS || n < 0 || (n == 0 && !until))
		return usage();

	int64_t expect[MAX_KEYS];
	long writes[MAX_KEYS] = { 0 }, v2writes[MAX_KEYS] = { 0 };
	uint32_t pids[MAX_PIDS];
	int npids = 0;
	long sent = 0, ok = 0, bad = 0, byver[3] = { 0 };
	long long last = 0, max_gap = 0;
	uint32_t transfers = 0;
	message m;
	int r;

	for (long k = 0; k < keys; k++) {
		r = call(KV_GET, (uint32_t)k + 1, 0, &m);
		if (r == -ENOENT)
			expect[k] = 0;
		else if (r < 0)
			return fail("get", r);
		else
			expect[k] = m.m_i64[KV_VALUE];
	}

	for (long i = 0; n == 0 || i < n; i++) {
		if (until && i % 16 == 0 && access(until, F_OK) == 0)
			break;
		long k = i % keys;
		int64_t delta = 1 + i % 7;
		int64_t want = expect[k] + delta;
		int set = i % 10 == 9;
		sent++;
		r = call(set ? KV_SET : KV_INC, (uint32_t)k + 1,
		         set ? want : delta, &m);
		long long t = now_us();
		if (last && t - last > max_gap)
			max_gap = t - last;
		last = t;
		if (r < 0) {
			/* the write may or may not have happened: resync */
			fprintf(stderr, "kv_client: request %ld (key %ld): %s "
			        "(error %d)\n", i, k + 1, strerror(-r), -r);
			bad++;
			if (call(KV_GET, (uint32_t)k + 1, 0, &m) == 0)
				expect[k] = m.m_i64[KV_VALUE];
			continue;
		}
		uint32_t ver = m.m_u32[KV_VERSION], pid = m.m_u32[KV_PID];
		if (m.m_u32[KV_KEY] != (uint32_t)k + 1 ||
		    m.m_i64[KV_VALUE] != want || ver < 1 || ver > 2) {
			fprintf(stderr, "kv_client: request %ld (key %ld): "
			        "value %lld, expected %lld (version %u)\n", i,
			        k + 1, (long long)m.m_i64[KV_VALUE],
			        (long long)want, (unsigned)ver);
			bad++;
			expect[k] = m.m_i64[KV_VALUE];
			continue;
		}
		ok++;
		expect[k] = want;
		writes[k]++;
		byver[ver]++;
		if (ver == 2)
			v2writes[k]++;
		transfers = m.m_u32[KV_TRANSFERS];
		int seen = 0;
		for (int j = 0; j < npids && !seen; j++)
			seen = pids[j] == pid;
		if (!seen && npids < MAX_PIDS)
			pids[npids++] = pid;
	}

	for (long k = 0; k < keys; k++)
		printf("tally key=%ld value=%lld writes=%ld v2writes=%ld\n",
		       k + 1, (long long)expect[k], writes[k], v2writes[k]);
	printf("sent=%ld ok=%ld bad=%ld v1=%ld v2=%ld instances=%d "
	       "transfers=%u max_gap_us=%lld\n", sent, ok, bad, byver[1],
	       byver[2], npids, (unsigned)transfers, max_gap);
	return bad || ok != sent ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *label = "kv";
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-l") && i + 1 < argc)
			label = argv[++i];
		else if (!strcmp(argv[i], "-timeout") && i + 1 < argc)
			timeout_s = atoi(argv[++i]);
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	const char *cmd = argv[i++];
	int nargs = argc - i;
	char **args = argv + i;

	signal(SIGALRM, on_alarm);
	int r = sef_startup();
	if (r < 0)
		return fail("cannot join reincd (is REINC_RUNTIME_DIR set?)", r);
	if ((r = ds_retrieve_label_endpt(label, &kv)) < 0)
		return fail(label, r);

	message m;
	if (!strcmp(cmd, "set") && nargs == 2) {
		r = call(KV_SET, (uint32_t)strtoul(args[0], NULL, 0),
		         strtoll(args[1], NULL, 0), &m);
	} else if (!strcmp(cmd, "get") && nargs == 1) {
		r = call(KV_GET, (uint32_t)strtoul(args[0], NULL, 0), 0, &m);
	} else if (!strcmp(cmd, "inc") && (nargs == 1 || nargs == 2)) {
		r = call(KV_INC, (uint32_t)strtoul(args[0], NULL, 0),
		         nargs == 2 ? strtoll(args[1], NULL, 0) : 1, &m);
	} else if (!strcmp(cmd, "stat") && nargs == 0) {
		if ((r = call(KV_STAT, 0, 0, &m)) < 0)
			return fail(cmd, r);
		char cb[32];
		printf("stat keys=%u sum=%lld changes=%s capacity=%u version=%u "
		       "transfers=%u pid=%u\n", (unsigned)m.m_u32[KVS_KEYS],
		       (long long)m.m_i64[KV_VALUE],
		       changes_str(&m, cb, sizeof(cb)),
		       (unsigned)m.m_u32[KVS_CAPACITY],
		       (unsigned)m.m_u32[KV_VERSION],
		       (unsigned)m.m_u32[KV_TRANSFERS],
		       (unsigned)m.m_u32[KV_PID]);
		return 0;
	} else if (!strcmp(cmd, "dump") && nargs == 0) {
		return dump();
	} else if (!strcmp(cmd, "hammer")) {
		return hammer(nargs, args);
	} else {
		return usage();
	}
	if (r < 0)
		return fail(cmd, r);
	print_entry(&m);
	return 0;
}
