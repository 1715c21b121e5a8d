/*
 * dsload.c - load, subscriber and checkers of the data store tests
 * (tests/integration/23x-ds-*.sh): they show that dsd loses nothing a
 * client was told it stored, whatever happens to dsd (kill -9, hang, live
 * update).
 *
 * Services (reinc up dsload -label L -args "MODE DIR ..."):
 *
 *   load DIR [keys N] [big N] [del PCT] [seed S] [u32only] [sabotage]
 *       Publishes, overwrites and deletes the keys of L as fast as it can
 *       until DIR/stop exists:
 *         L.k<i>                    u32   (i < keys, default 64)
 *         L.s<i>.<padding>          str   of 24..2999 characters; the key
 *                                   is longer than the message's inline
 *                                   room, so it travels in the grant
 *         L.m<i>                    mem   of 8..4103 bytes
 *         L.b<i>                    mem   of 33 KiB..257 KiB (i < big,
 *                                   default 4)
 *       and, as every 32nd operation, one more cold key (up to 65536)
 *         L.c<n>                    u32   written once, never changed,
 *                                   so that a loss at any moment of the
 *                                   run shows (the other keys are
 *                                   rewritten all the time)
 *       del PCT (default 10) of the operations delete a present key;
 *       u32only: only the u32 keys (a tight loop that keeps dsd busy).
 *       Every value is a function of (key, version), versions counting
 *       the publishes: the service remembers, per key, only the version
 *       of its last acknowledged write (0: absent), which is all it needs
 *       to verify.  Every publish carries DSF_OVERWRITE, so a call that
 *       returns -EDEADSRCDST (dsd died while serving it: unknown outcome)
 *       is simply sent again; a delete answered -ESRCH after such a death
 *       had taken effect.  Any other error counts as failed (and is
 *       printed): the state then stays as it was.
 *       Every 50 ms it writes DIR/L.progress
 *         ops=N acked=N dead=N failed=N maxwait_ms=N
 *       (ops: operations done, acked: acknowledged writes, dead: calls
 *       answered -EDEADSRCDST, maxwait_ms: the longest an operation took,
 *       retries included).  Once DIR/stop exists it publishes L.final
 *       (u32 1), retrieves every key and compares it with what it
 *       remembers, and writes DIR/L.result (and prints it):
 *         ops=N acked=N dead=N failed=N maxwait_ms=N keys=N present=N
 *         verified=N mismatched=N missing=N extra=N verify_errors=N
 *       (keys: every key of the load, cold ones and L.final included;
 *       verified: those found as expected, present or absent; mismatched:
 *       present with another value; missing: absent though acknowledged;
 *       extra: present though its deletion was acknowledged).  Then it
 *       idles in sef_receive (SIGTERM ends it).
 *       sabotage: a self-test of the checker.  At the stop, behind its own
 *       bookkeeping's back, it deletes one present key and overwrites
 *       another with a wrong value: the result must then show missing=1
 *       mismatched=1.
 *
 *   fill DIR N
 *       Publishes N entries L.f<i> (i < N) once, as fast as it can:
 *       u32 fillval(i), except every 16th, a mem of 8..135 bytes.  Writes
 *       DIR/L.progress (ops=N acked=N dead=N failed=N) every 50 ms, and
 *       DIR/L.filled (the same line) when done; then idles.
 *
 *   sub DIR PATTERN
 *       Subscribes to PATTERN (DSF_INITIAL | DSF_OVERWRITE) and, at each
 *       notification from dsd, calls ds_check until -ENOENT.  Writes
 *       DIR/L.sub
 *         notifies=N checked=N finals=N dead=N errors=N last=KEY
 *       at most every 20 ms, and at once when finals or errors change
 *       (finals: checked keys that end in ".final").  errors counts
 *       ds_check failures other than -ENOENT and -EDEADSRCDST (a lost
 *       subscription shows as -ESRCH).
 *
 * User processes (run directly, not as a service):
 *
 *   read DIR LABEL [keys N] [big N] [timeout S]
 *       Retrieves random keys of LABEL's load until DIR/stop exists and
 *       checks that every value found is one the load can have written
 *       (its header names the key and the version, and the rest must
 *       follow from them).  Prints
 *         reads=N ok=N absent=N dead=N other=N bad=N maxwait_ms=N
 *       exit 0 iff other == 0 and bad == 0; 2 if a retrieval was not
 *       answered within S seconds (default 20).
 *
 *   check LABEL N
 *       Retrieves L.f0 .. L.f<N-1> (a fill's entries) and prints
 *         checked=N ok=N missing=N mismatched=N errors=N
 *       exit 0 iff ok == N.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sef.h>

enum { C_U32, C_STR, C_MEM, C_BIG, NCLASS };

#define STR_MAX 3000
#define MEM_MAX (8 + 4096)
#define BIG_MIN (33 * 1024)
#define BIG_MAX (BIG_MIN + 224 * 1024)
#define MAX_KEYS 4096
#define STR_PAD ".a.key.longer.than.inline.room"

static const char *label, *dir;
static int nkeys = 64, nbig = 4, del_pct = 10, sabotage, seeded, u32only;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint8_t *vbuf, *rbuf;    /* a value, and one retrieved */

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "dsload: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t rnd(uint32_t n)
{
	rng = mix(rng);
	return (uint32_t)(rng % n);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int class_count(int cls)
{
	return cls == C_BIG ? nbig : nkeys;
}

static void key_of(char *buf, size_t len, const char *lab, int cls, int i)
{
	static const char *const fmt[NCLASS] = {
		"%s.k%d", "%s.s%d" STR_PAD, "%s.m%d", "%s.b%d"
	};
	snprintf(buf, len, fmt[cls], lab, i);
}

/* The value of version ver of key (cls, i): its length (for a string,
 * without the NUL), written into buf. */
static size_t gen(int cls, int i, uint32_t ver, uint8_t *buf)
{
	uint64_t h = mix(((uint64_t)ver << 8 | (uint64_t)cls) ^
	                 (uint64_t)i << 40);
	size_t len, start;
	if (cls == C_STR) {
		/* never shorter than its header */
		len = 24 + h % (STR_MAX - 24);
		start = (size_t)snprintf((char *)buf, 32, "v%u:i%d:", ver, i);
	} else {
		len = cls == C_MEM ? 8 + h % 4096 :
		      BIG_MIN + h % (BIG_MAX - BIG_MIN);
		uint32_t ii = (uint32_t)i;
		memcpy(buf, &ver, 4);
		memcpy(buf + 4, &ii, 4);
		start = 8;
	}
	/* the rest: xorshift64, eight bytes a step (cheap: the load must
	 * keep dsd busy, not itself) */
	uint64_t x = h | 1;
	for (size_t j = start; j < len; j += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint8_t b[8];
		memcpy(b, &x, 8);
		for (size_t k = 0; k < 8 && j + k < len; k++)
			buf[j + k] = cls == C_STR ? (uint8_t)('a' + b[k] % 26)
			                          : b[k];
	}
	if (cls == C_STR)
		buf[len] = '\0';
	return len;
}

/* Write "text" to DIR/NAME atomically. */
static void put_file(const char *name, const char *text)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		fprintf(stderr, "dsload: cannot write %s: %s\n", path,
		        strerror(errno));
}

static int stop_requested(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/stop", dir);
	return access(path, F_OK) == 0;
}

/* As a service, SIGTERM is only delivered in sef_receive: look for it
 * between operations, so that a test that gives up ends us quickly. */
static void exit_if_terminated(void)
{
	sigset_t set;
	if (sigpending(&set) == 0 && sigismember(&set, SIGTERM))
		exit(0);
}

static void idle(void)
{
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	for (;;) {
		message m;
		int r = sef_receive(ANY, &m);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "dsload: sef_receive: %s\n", strerror(-r));
			exit(1);
		}
	}
}

/* ------------------------------------------------------------------ */
/* load                                                                 */

static struct {
	long ops, acked, dead, failed;
	int64_t maxwait;
} ld;
static uint32_t *cur[NCLASS];   /* version of the last acked write, 0 absent */
static uint32_t version;
static long ncold;              /* cold keys L.c0 .. L.c<ncold-1> acked */
#define MAX_COLD 65536
#define COLD_EVERY 32

static uint32_t coldval(long n)
{
	return (uint32_t)mix((uint64_t)n ^ 0xc01dull);
}

static int publish(int cls, const char *key, int i, uint32_t ver)
{
	switch (cls) {
	case C_U32:
		return ds_publish_u32(key, ver, DSF_OVERWRITE);
	case C_STR:
		gen(cls, i, ver, vbuf);
		return ds_publish_str(key, (const char *)vbuf, DSF_OVERWRITE);
	default:
		return ds_publish_mem(key, vbuf, gen(cls, i, ver, vbuf),
		                      DSF_OVERWRITE);
	}
}

static int delete(int cls, const char *key)
{
	return cls == C_U32 ? ds_delete_u32(key) :
	       cls == C_STR ? ds_delete_str(key) : ds_delete_mem(key);
}

/* One write, sent again for as long as dsd dies serving it: 0 once it
 * is acknowledged, or the error that ended it. */
static int acked_write(int del, int cls, const char *key, int i, uint32_t ver)
{
	int64_t t0 = now_ms();
	int deaths = 0, r;
	for (;;) {
		r = del ? delete(cls, key) : publish(cls, key, i, ver);
		if (r != -EDEADSRCDST)
			break;
		ld.dead++;
		deaths++;
		if (now_ms() - t0 > 30000)
			break;
		if (deaths > 3)
			usleep(1000);
	}
	/* a delete that died after taking effect */
	if (del && r == -ESRCH && deaths)
		r = 0;
	int64_t w = now_ms() - t0;
	if (w > ld.maxwait)
		ld.maxwait = w;
	ld.ops++;
	if (r == 0) {
		ld.acked++;
	} else {
		ld.failed++;
		fprintf(stderr, "dsload: %s %s: %s (error %d)\n",
		        del ? "delete" : "publish", key, strerror(-r), -r);
	}
	return r;
}

static int fmt_progress(char *buf, size_t len)
{
	return snprintf(buf, len, "ops=%ld acked=%ld dead=%ld failed=%ld "
	                "maxwait_ms=%lld", ld.ops, ld.acked, ld.dead,
	                ld.failed, (long long)ld.maxwait);
}

static void write_progress(void)
{
	char buf[256], name[64];
	fmt_progress(buf, sizeof(buf) - 1);
	strcat(buf, "\n");
	snprintf(name, sizeof(name), "%s.progress", label);
	put_file(name, buf);
}

/* Retrieve key (cls, i) into rbuf: 0 (length in *len, u32 in *u),
 * -ESRCH, or another error.  Retrievals are retried once by the library;
 * here they are retried for as long as dsd dies. */
static int fetch(const char *lab, int cls, int i, size_t *len, uint32_t *u)
{
	char key[DS_MAX_KEYLEN];
	key_of(key, sizeof(key), lab, cls, i);
	int r;
	for (int n = 0; n < 100; n++) {
		if (cls == C_U32) {
			r = ds_retrieve_u32(key, u);
		} else if (cls == C_STR) {
			r = ds_retrieve_str(key, (char *)rbuf, STR_MAX + 1);
			if (r == 0)
				*len = strlen((char *)rbuf);
		} else {
			*len = BIG_MAX + 1;
			r = ds_retrieve_mem(key, rbuf, len);
		}
		if (r != -EDEADSRCDST)
			break;
		usleep(1000);
	}
	return r;
}

static void verify(void)
{
	long keys = 0, present = 0, verified = 0, mismatched = 0, missing = 0,
	     extra = 0, errors = 0;
	char key[DS_MAX_KEYLEN];
	for (int cls = 0; cls < NCLASS; cls++) {
		for (int i = 0; i < class_count(cls); i++) {
			uint32_t ver = cur[cls][i], u = 0;
			size_t len = 0;
			keys++;
			key_of(key, sizeof(key), label, cls, i);
			int r = fetch(label, cls, i, &len, &u);
			const char *what = NULL;
			if (r == -ESRCH) {
				if (ver)
					missing++, what = "missing";
				else
					verified++;
			} else if (r < 0) {
				errors++;
				fprintf(stderr, "dsload: verify %s: %s (error "
				        "%d)\n", key, strerror(-r), -r);
			} else if (!ver) {
				present++;
				extra++, what = "present after its deletion";
			} else {
				present++;
				int same;
				if (cls == C_U32) {
					same = u == ver;
				} else {
					size_t n = gen(cls, i, ver, vbuf);
					same = n == len && !memcmp(vbuf, rbuf, n);
				}
				if (same)
					verified++;
				else
					mismatched++, what = "another value";
			}
			if (what && missing + mismatched + extra <= 20)
				fprintf(stderr, "dsload: verify %s: %s (version "
				        "%u acked)\n", key, what, ver);
		}
	}
	/* the cold keys: written once each, never again */
	for (long n = 0; n < ncold; n++) {
		uint32_t u = 0;
		snprintf(key, sizeof(key), "%s.c%ld", label, n);
		int r = ds_retrieve_u32(key, &u);
		const char *what = NULL;
		keys++;
		if (r == 0) {
			present++;
			if (u == coldval(n))
				verified++;
			else
				mismatched++, what = "another value";
		} else if (r == -ESRCH) {
			missing++, what = "missing";
		} else {
			errors++;
			fprintf(stderr, "dsload: verify %s: %s (error %d)\n",
			        key, strerror(-r), -r);
		}
		if (what && missing + mismatched + extra <= 20)
			fprintf(stderr, "dsload: verify %s: %s (cold key)\n", key,
			        what);
	}
	/* the marker published after the stop */
	char fkey[DS_MAX_KEYLEN];
	snprintf(fkey, sizeof(fkey), "%s.final", label);
	uint32_t u = 0;
	int r = ds_retrieve_u32(fkey, &u);
	keys++;
	if (r == 0 && u == 1)
		present++, verified++;
	else if (r == -ESRCH)
		missing++;
	else if (r == 0)
		present++, mismatched++;
	else
		errors++;

	char buf[512];
	int n = fmt_progress(buf, sizeof(buf));
	snprintf(buf + n, sizeof(buf) - (size_t)n, " keys=%ld present=%ld "
	         "verified=%ld mismatched=%ld missing=%ld extra=%ld "
	         "verify_errors=%ld\n", keys, present, verified, mismatched,
	         missing, extra, errors);
	printf("dsload: %s result: %s", label, buf);
	char name[64];
	snprintf(name, sizeof(name), "%s.result", label);
	put_file(name, buf);
}

/* The checker's self-test: lose one acked write, corrupt another. */
static void do_sabotage(void)
{
	char key[DS_MAX_KEYLEN];
	int lost = 0, bent = 0;
	for (int i = 0; i < nkeys && !(lost && bent); i++) {
		key_of(key, sizeof(key), label, C_U32, i);
		if (!cur[C_U32][i])
			continue;
		if (!lost) {
			lost = ds_delete_u32(key) == 0;
			if (lost)
				printf("dsload: sabotage: deleted %s\n", key);
		} else {
			bent = ds_publish_u32(key, cur[C_U32][i] + 1,
			                      DSF_OVERWRITE) == 0;
			if (bent)
				printf("dsload: sabotage: changed %s\n", key);
		}
	}
}

static void run_load(void)
{
	for (int c = 0; c < NCLASS; c++)
		if (!(cur[c] = calloc((size_t)class_count(c) + 1, 4)))
			die("%s", "out of memory");
	printf("dsload: %s load: keys %d big %d del %d%%\n", label, nkeys,
	       nbig, del_pct);
	int64_t last_check = 0, last_progress = 0;
	char key[DS_MAX_KEYLEN];
	for (;;) {
		int64_t t = now_ms();
		if (t - last_check >= 10) {
			last_check = t;
			exit_if_terminated();
			if (stop_requested())
				break;
		}
		if (t - last_progress >= 50) {
			last_progress = t;
			write_progress();
		}
		if (ld.ops % COLD_EVERY == 0 && ncold < MAX_COLD) {
			snprintf(key, sizeof(key), "%s.c%ld", label, ncold);
			if (acked_write(0, C_U32, key, 0, coldval(ncold)) == 0)
				ncold++;
			continue;
		}
		uint32_t p = rnd(100);
		int cls = p < 35 ? C_U32 : p < 65 ? C_STR : p < 95 ? C_MEM :
		          C_BIG;
		if (class_count(cls) == 0 || u32only)
			cls = C_U32;
		int i = (int)rnd((uint32_t)class_count(cls));
		key_of(key, sizeof(key), label, cls, i);
		if (cur[cls][i] && (int)rnd(100) < del_pct) {
			if (acked_write(1, cls, key, i, 0) == 0)
				cur[cls][i] = 0;
		} else {
			uint32_t v = ++version;
			if (acked_write(0, cls, key, i, v) == 0)
				cur[cls][i] = v;
		}
	}
	/* the marker the subscriber must still be told about */
	snprintf(key, sizeof(key), "%s.final", label);
	acked_write(0, C_U32, key, 0, 1);
	write_progress();
	if (sabotage)
		do_sabotage();
	verify();
	idle();
}

/* ------------------------------------------------------------------ */
/* fill and check                                                       */

static uint32_t fillval(long i)
{
	return (uint32_t)mix((uint64_t)i * 7919u + 17u);
}

static int fill_is_mem(long i)
{
	return i % 16 == 0;
}

static size_t fill_mem(long i, uint8_t *buf)
{
	size_t len = 8 + fillval(i) % 128;
	for (size_t j = 0; j < len; j++)
		buf[j] = (uint8_t)mix((uint64_t)i << 16 | j);
	return len;
}

static void run_fill(long n)
{
	printf("dsload: %s fill: %ld entries\n", label, n);
	int64_t last = 0;
	char key[DS_MAX_KEYLEN];
	for (long i = 0; i < n; i++) {
		int64_t t = now_ms();
		if (t - last >= 50) {
			last = t;
			exit_if_terminated();
			write_progress();
		}
		snprintf(key, sizeof(key), "%s.f%ld", label, i);
		int64_t t0 = t;
		int r, deaths = 0;
		for (;;) {
			if (fill_is_mem(i))
				r = ds_publish_mem(key, vbuf, fill_mem(i, vbuf),
				                   DSF_OVERWRITE);
			else
				r = ds_publish_u32(key, fillval(i), DSF_OVERWRITE);
			if (r != -EDEADSRCDST || now_ms() - t0 > 30000)
				break;
			ld.dead++;
			if (++deaths > 3)
				usleep(1000);
		}
		ld.ops++;
		if (r == 0) {
			ld.acked++;
		} else {
			ld.failed++;
			fprintf(stderr, "dsload: publish %s: %s (error %d)\n",
			        key, strerror(-r), -r);
		}
		int64_t w = now_ms() - t0;
		if (w > ld.maxwait)
			ld.maxwait = w;
	}
	write_progress();
	char buf[256], name[64];
	fmt_progress(buf, sizeof(buf) - 1);
	strcat(buf, "\n");
	snprintf(name, sizeof(name), "%s.filled", label);
	put_file(name, buf);
	printf("dsload: %s filled: %s", label, buf);
	idle();
}

static int run_check(long n)
{
	long ok = 0, missing = 0, mismatched = 0, errors = 0;
	char key[DS_MAX_KEYLEN];
	for (long i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s.f%ld", label, i);
		int r, same;
		if (fill_is_mem(i)) {
			size_t len = MEM_MAX, want = fill_mem(i, vbuf);
			r = ds_retrieve_mem(key, rbuf, &len);
			same = r == 0 && len == want && !memcmp(rbuf, vbuf, len);
		} else {
			uint32_t u = 0;
			r = ds_retrieve_u32(key, &u);
			same = r == 0 && u == fillval(i);
		}
		if (same)
			ok++;
		else if (r == -ESRCH)
			missing++;
		else if (r == 0)
			mismatched++;
		else
			errors++;
		if (!same && missing + mismatched + errors <= 10)
			fprintf(stderr, "dsload: check %s: %s\n", key,
			        r == 0 ? "another value" : strerror(-r));
	}
	printf("checked=%ld ok=%ld missing=%ld mismatched=%ld errors=%ld\n",
	       n, ok, missing, mismatched, errors);
	return ok == n ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* read                                                                 */

static int read_timeout = 20;

static void on_alarm(int sig)
{
	static const char msg[] = "dsload: a retrieval got no answer: hung\n";
	if (write(2, msg, sizeof(msg) - 1) < 0)
		{ /* nothing more to do */ }
	_exit(2);
}

/* Is what a retrieval of key (cls, i) found a value the load wrote? */
static int plausible(int cls, int i, size_t len)
{
	uint32_t ver = 0, ii = 0;
	if (cls == C_STR) {
		unsigned v;
		int k;
		if (sscanf((char *)rbuf, "v%u:i%d:", &v, &k) != 2 || k != i)
			return 0;
		ver = v;
	} else {
		if (len < 8)
			return 0;
		memcpy(&ver, rbuf, 4);
		memcpy(&ii, rbuf + 4, 4);
		if (ii != (uint32_t)i)
			return 0;
	}
	size_t n = gen(cls, i, ver, vbuf);
	return n == len && !memcmp(vbuf, rbuf, n);
}

static int run_read(const char *lab)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	long reads = 0, ok = 0, absent = 0, dead = 0, other = 0, bad = 0;
	int64_t maxwait = 0, last_check = 0;
	char key[DS_MAX_KEYLEN];
	for (;;) {
		int64_t t0 = now_ms();
		if (t0 - last_check >= 10) {
			last_check = t0;
			if (stop_requested())
				break;
		}
		uint32_t p = rnd(100);
		int cls = p < 30 ? C_U32 : p < 60 ? C_STR : p < 90 ? C_MEM :
		          C_BIG;
		if (class_count(cls) == 0)
			cls = C_U32;
		int i = (int)rnd((uint32_t)class_count(cls));
		key_of(key, sizeof(key), lab, cls, i);
		size_t len = 0;
		uint32_t u;
		alarm((unsigned)read_timeout);
		int r;
		if (cls == C_U32) {
			r = ds_retrieve_u32(key, &u);
		} else if (cls == C_STR) {
			r = ds_retrieve_str(key, (char *)rbuf, STR_MAX + 1);
			if (r == 0)
				len = strlen((char *)rbuf);
		} else {
			len = BIG_MAX + 1;
			r = ds_retrieve_mem(key, rbuf, &len);
		}
		alarm(0);
		int64_t w = now_ms() - t0;
		if (w > maxwait)
			maxwait = w;
		reads++;
		if (r == 0) {
			if (cls == C_U32 || plausible(cls, i, len)) {
				ok++;
			} else {
				bad++;
				if (bad <= 10)
					fprintf(stderr, "dsload: read %s: a value "
					        "the load never wrote (%zu "
					        "bytes)\n", key, len);
			}
		} else if (r == -ESRCH) {
			absent++;
		} else if (r == -EDEADSRCDST) {
			dead++;
		} else {
			other++;
			if (other <= 10)
				fprintf(stderr, "dsload: read %s: %s (error %d)\n",
				        key, strerror(-r), -r);
		}
	}
	printf("reads=%ld ok=%ld absent=%ld dead=%ld other=%ld bad=%ld "
	       "maxwait_ms=%lld\n", reads, ok, absent, dead, other, bad,
	       (long long)maxwait);
	return other == 0 && bad == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* sub                                                                  */

static void run_sub(const char *pattern)
{
	long notifies = 0, checked = 0, finals = 0, dead = 0, errors = 0;
	char last[DS_MAX_KEYLEN] = "-", name[64], buf[256];
	int r;
	for (int n = 0;; n++) {
		r = ds_subscribe(pattern, DSF_INITIAL | DSF_OVERWRITE);
		if (r != -EDEADSRCDST || n > 1000)
			break;
		dead++;
		usleep(1000);
	}
	if (r < 0) {
		fprintf(stderr, "dsload: subscribe '%s': %s (error %d)\n",
		        pattern, strerror(-r), -r);
		exit(1);
	}
	printf("dsload: %s subscribed to '%s'\n", label, pattern);
	snprintf(name, sizeof(name), "%s.sub", label);
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	int64_t last_write = -1000;
	long wfinals = -1, werrors = -1;
	for (;;) {
		int64_t t = now_ms();
		if (finals != wfinals || errors != werrors ||
		    t - last_write >= 20) {
			snprintf(buf, sizeof(buf), "notifies=%ld checked=%ld "
			         "finals=%ld dead=%ld errors=%ld last=%s\n",
			         notifies, checked, finals, dead, errors, last);
			put_file(name, buf);
			last_write = t;
			wfinals = finals;
			werrors = errors;
		}
		message m;
		r = sef_receive(ANY, &m);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "dsload: sef_receive: %s\n", strerror(-r));
			exit(1);
		}
		if (m.m_source != DS_PROC_NR || m.m_type != NOTIFY_MESSAGE)
			continue;
		notifies++;
		for (;;) {
			char key[DS_MAX_KEYLEN];
			int type;
			endpoint_t owner;
			r = ds_check(key, &type, &owner);
			if (r == -ENOENT)
				break;
			if (r == -EDEADSRCDST) {
				dead++;
				continue;
			}
			if (r < 0) {
				errors++;
				fprintf(stderr, "dsload: ds_check: %s (error "
				        "%d)\n", strerror(-r), -r);
				break;
			}
			checked++;
			snprintf(last, sizeof(last), "%s", key);
			size_t kl = strlen(key);
			if (kl >= 6 && !strcmp(key + kl - 6, ".final"))
				finals++;
		}
	}
}

/* ------------------------------------------------------------------ */

static long num(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		die("bad number '%s'", s);
	return v;
}

/* The optional words after the mode's fixed arguments. */
static void options(int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++) {
		const char *w = argv[i];
		int more = i + 1 < argc;
		if (!strcmp(w, "keys") && more)
			nkeys = (int)num(argv[++i], 1, MAX_KEYS);
		else if (!strcmp(w, "big") && more)
			nbig = (int)num(argv[++i], 0, MAX_KEYS);
		else if (!strcmp(w, "del") && more)
			del_pct = (int)num(argv[++i], 0, 100);
		else if (!strcmp(w, "seed") && more)
			rng = mix((uint64_t)num(argv[++i], 0, 1L << 62)),
			seeded = 1;
		else if (!strcmp(w, "timeout") && more)
			read_timeout = (int)num(argv[++i], 1, 3600);
		else if (!strcmp(w, "sabotage"))
			sabotage = 1;
		else if (!strcmp(w, "u32only"))
			u32only = 1;
		else
			die("unknown or incomplete word '%s'", w);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		die("%s", "usage: dsload (load|fill|sub) DIR ... | "
		    "read DIR LABEL ... | check LABEL N");
	const char *mode = argv[1];
	int service = !strcmp(mode, "load") || !strcmp(mode, "fill") ||
	              !strcmp(mode, "sub");
	if (!service && strcmp(mode, "read") && strcmp(mode, "check"))
		die("unknown mode '%s'", mode);
	if (argc < 3 || (strcmp(mode, "load") && argc < 4))
		die("%s: missing arguments", mode);
	vbuf = malloc(BIG_MAX + 16);
	rbuf = malloc(BIG_MAX + 16);
	if (!vbuf || !rbuf)
		die("%s", "out of memory");

	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "dsload: sef_startup: %s\n", strerror(-r));
		return 3;
	}
	if (service) {
		label = sef_self_label();
		if (!*label)
			die("%s: must run as a service (reinc up)", mode);
	}
	if (!strcmp(mode, "load")) {
		dir = argv[2];
		options(argc, argv, 3);
		if (!seeded)
			rng ^= mix((uint64_t)getpid());
		run_load();
	} else if (!strcmp(mode, "fill")) {
		dir = argv[2];
		run_fill(num(argv[3], 1, 1L << 30));
	} else if (!strcmp(mode, "sub")) {
		dir = argv[2];
		run_sub(argv[3]);
	} else if (!strcmp(mode, "read")) {
		dir = argv[2];
		options(argc, argv, 4);
		if (!seeded)
			rng ^= mix((uint64_t)getpid());
		return run_read(argv[3]);
	} else {
		label = argv[2];
		return run_check(num(argv[3], 1, 1L << 30));
	}
	return 0;
}
