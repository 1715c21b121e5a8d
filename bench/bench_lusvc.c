/*
 * bench_lusvc.c - the stateful service of the live-update pause benchmark
 * (bench_lupause, bench/run.sh part 4).
 *
 *   bench_lusvc SIZE [-blob] [-save FILE]
 *
 * Its state is SIZE bytes (>= 128): a 64-byte header (magic, size, seed,
 * the request counter) and a body of 64-bit words, word i = mix(seed, i).
 * It answers LS_BUMP requests at once: counter += 1, and replies the new
 * counter (m_i64[0]) and its pid (m_i32[2]), so that the client can check
 * that every answer continues the count (the state went across) and see
 * which instance answered, and five CLOCK_MONOTONIC stamps that split a
 * change into stages: when the instance before saved the state (its
 * state_save callback, or its SIGTERM with -save; kept in the state
 * itself), entry and return of this instance's init callback, return
 * of its sef_startup() (after libsef's region commit), and return of its
 * first sef_receive().
 *
 * Where the state lives:
 *   default   in the region "state" (sef_region_map("state", SIZE)),
 *             kept by reincd: the fresh init fills it if it was just
 *             created (every page written: real memory), the LU init and
 *             the restart init map it again and check it;
 *   -blob     in the process's memory (malloc); state_save hands it to
 *             the next instance with sef_lu_state_put() and the LU init
 *             takes it with sef_lu_state_get(), checks it and copies it.
 * The checks: the header (magic, size, seed) and, for a body of at most
 * 64 KiB, every word; past that the first and last word and 14 words at
 * pseudo-random places - an LU init must not read 1 GiB (each word read
 * in the copy-on-write map of a new LU instance is a page fault of a few
 * us: 16 of them cost ~70 us at 1 GiB, 64 cost ~270 us).
 *
 * -save FILE is the reference of the benchmark (stop + start): on SIGTERM
 * (reinc down) the state is written to FILE.tmp, renamed to FILE, and the
 * service exits; a fresh init that finds FILE loads it (read() into the
 * new region, then the same checks) instead of filling a new state.  No
 * fsync: the file stays in the page cache, the cheapest possible save.
 * Without -save SIGTERM just ends it.
 *
 * It prints one line to stdout per fresh or restart init (how the state
 * was made and in how many ms), nothing per LU init: printing would be
 * part of the pause.  Exit 2 on bad arguments; a failed check fails the
 * init (-EINVAL), so an update rolls back and a start fails.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

/* reply: m_i64[0] counter after +1, m_i32[2] pid, and the stamps of this
 * instance's start (CLOCK_MONOTONIC ns): m_i64[2] the old instance's
 * state_save (or SIGTERM save) as found in the state (0 if none),
 * m_i64[3] entry and m_i64[4] return of the init callback, m_i64[5]
 * return of sef_startup(), m_i64[6] return of its first sef_receive() */
#define LS_BUMP  0x4301
#define LS_MAGIC 0x6c75737663303031ULL  /* "lusvc001" */

struct lhdr {
	uint64_t magic, size, seed, counter;
	int64_t t_save;    /* when the instance before saved this state */
	uint64_t spare[3];
};
_Static_assert(sizeof(struct lhdr) == 64, "header is 64 bytes");

static size_t size;
static int blob_mode;
static const char *save_path;
static struct lhdr *state;   /* the region, or malloc'd in blob mode */
static int64_t t_prev_save, t_init0, t_init1, t_ready, t_first;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t *body(struct lhdr *h) { return (uint64_t *)(h + 1); }
static size_t nwords(void) { return (size - sizeof(struct lhdr)) / 8; }

static void fill(struct lhdr *h)
{
	uint64_t seed = mix((uint64_t)now_ns() ^ (uint64_t)getpid());
	uint64_t *w = body(h);
	size_t n = nwords();
	for (size_t i = 0; i < n; i++)
		w[i] = mix(seed ^ i);
	h->size = size;
	h->seed = seed;
	h->counter = 0;
	h->t_save = 0;
	h->magic = LS_MAGIC;
}

/* 0 or -EINVAL (with a line on stderr). */
static int check(const struct lhdr *h, const char *what)
{
	if (h->magic != LS_MAGIC || h->size != size) {
		fprintf(stderr, "bench_lusvc: %s: bad header (magic %llx, size "
		        "%llu)\n", what, (unsigned long long)h->magic,
		        (unsigned long long)h->size);
		return -EINVAL;
	}
	const uint64_t *w = (const uint64_t *)(h + 1);
	size_t n = nwords();
	if (n * 8 <= 65536) {
		for (size_t i = 0; i < n; i++)
			if (w[i] != mix(h->seed ^ i))
				goto bad;
		return 0;
	}
	uint64_t r = (uint64_t)now_ns();
	for (int k = 0; k < 16; k++) {
		size_t i = k == 0 ? 0 : k == 1 ? n - 1 : (size_t)((r = mix(r)) % n);
		if (w[i] != mix(h->seed ^ i))
			goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "bench_lusvc: %s: the state's contents are wrong\n",
	        what);
	return -EINVAL;
}

static struct lhdr *map_region(int *created)
{
	struct lhdr *h = sef_region_map("state", size, created);
	if (!h)
		fprintf(stderr, "bench_lusvc: sef_region_map(%zu): %s\n", size,
		        strerror(errno));
	return h;
}

/* Load FILE into h: 1 loaded, 0 no file, -errno. */
static int load(struct lhdr *h)
{
	int fd = open(save_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	size_t done = 0;
	while (done < size) {
		ssize_t n = read(fd, (char *)h + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	if (done != size) {
		fprintf(stderr, "bench_lusvc: %s: short file (%zu of %zu "
		        "bytes)\n", save_path, done, size);
		return -EINVAL;
	}
	int r = check(h, "load");
	return r < 0 ? r : 1;
}

static int save(void)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", save_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, (const char *)state + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? -errno : -EIO;
			close(fd);
			return e;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0)
		return -errno;
	return rename(tmp, save_path) < 0 ? -errno : 0;
}

static int init_fresh(int type, sef_init_info_t *info)
{
	int64_t t0 = t_init0 = now_ns();
	int created = 1;
	if (blob_mode)
		state = malloc(size);
	else
		state = map_region(&created);
	if (!state)
		return -ENOMEM;
	const char *how;
	int r = 0;
	if (save_path && created && (r = load(state)) != 0) {
		if (r < 0)
			return r;
		how = "loaded from the file";
	} else if (created || check(state, "fresh init") < 0) {
		fill(state);
		how = "filled";
	} else {
		how = "found in the region";
	}
	t_prev_save = state->t_save;
	t_init1 = now_ns();
	printf("bench_lusvc: pid %d: fresh init: %zu bytes %s in %.1f ms, "
	       "counter %llu\n", (int)getpid(), size, how,
	       (double)(t_init1 - t0) / 1e6,
	       (unsigned long long)state->counter);
	return 0;
}

static int init_lu(int type, sef_init_info_t *info)
{
	t_init0 = now_ns();
	if (blob_mode) {
		uint32_t ver;
		const void *p;
		size_t len;
		int r = sef_lu_state_get(&ver, &p, &len);
		if (r < 0 || ver != 1 || len != size) {
			fprintf(stderr, "bench_lusvc: LU init: no blob of "
			        "version 1 and %zu bytes (r %d)\n", size, r);
			return -EINVAL;
		}
		if (check(p, "LU init") < 0)
			return -EINVAL;
		if (!(state = malloc(size)))
			return -ENOMEM;
		memcpy(state, p, size);
	} else {
		int created = 0;
		if (!(state = map_region(&created)))
			return -ENOMEM;
		if (created) {
			fprintf(stderr, "bench_lusvc: LU init: the region is "
			        "new\n");
			return -EINVAL;
		}
		if (check(state, "LU init") < 0)
			return -EINVAL;
	}
	t_prev_save = state->t_save;
	t_init1 = now_ns();
	return 0;
}

static int init_restart(int type, sef_init_info_t *info)
{
	t_init0 = now_ns();
	if (blob_mode)  /* the state died with the instance: start anew */
		return init_fresh(type, info);
	int created = 0;
	if (!(state = map_region(&created)))
		return -ENOMEM;
	if (created || check(state, "restart init") < 0)
		return -EINVAL;
	t_prev_save = 0;
	t_init1 = now_ns();
	printf("bench_lusvc: pid %d: restart init: state found, counter "
	       "%llu\n", (int)getpid(), (unsigned long long)state->counter);
	return 0;
}

static int lu_save(int st, int flags)
{
	/* in the region this is a store into shared memory, before the new
	 * instance maps it */
	state->t_save = now_ns();
	return blob_mode ? sef_lu_state_put(1, state, size) : 0;
}

static void on_signal(int signo)
{
	if (signo != SIGTERM)
		return;
	if (save_path && state) {
		int64_t t0 = state->t_save = now_ns();
		int r = save();
		if (r < 0)
			fprintf(stderr, "bench_lusvc: saving to %s: %s\n",
			        save_path, strerror(-r));
		else
			printf("bench_lusvc: pid %d: state saved in %.1f ms, "
			       "counter %llu\n", (int)getpid(),
			       (double)(now_ns() - t0) / 1e6,
			       (unsigned long long)state->counter);
	}
	fflush(stdout);
	sef_exit(0);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char *end = NULL;
	unsigned long long v = argc > 1 ? strtoull(argv[1], &end, 0) : 0;
	if (!end || *end || v < 128 || v > (1ULL << 40))
		goto usage;
	size = (size_t)v & ~(size_t)7;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-blob"))
			blob_mode = 1;
		else if (!strcmp(argv[i], "-save") && i + 1 < argc)
			save_path = argv[++i];
		else
			goto usage;
	}

	sef_setcb_init_fresh(init_fresh);
	sef_setcb_init_lu(init_lu);
	sef_setcb_init_restart(init_restart);
	sef_setcb_lu_state_save(lu_save);
	sef_setcb_signal_handler(on_signal);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "bench_lusvc: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	t_ready = now_ns();

	for (;;) {
		message m;
		r = sef_receive(ANY, &m);
		if (!t_first)
			t_first = now_ns();
		if (r < 0) {
			if (r == -EINTR)
				continue;
			fprintf(stderr, "bench_lusvc: sef_receive: %s\n",
			        strerror(-r));
			sleep_ms(10);
			continue;
		}
		endpoint_t who = m.m_source;
		if (m.m_type == LS_BUMP) {
			memset(m.m_raw, 0, sizeof(m.m_raw));
			m.m_i64[0] = (int64_t)++state->counter;
			m.m_i32[2] = (int32_t)getpid();
			m.m_i64[2] = t_prev_save;
			m.m_i64[3] = t_init0;
			m.m_i64[4] = t_init1;
			m.m_i64[5] = t_ready;
			m.m_i64[6] = t_first;
			m.m_type = 0;
		} else {
			m.m_type = -ENOSYS;
		}
		if ((r = ipc_send(who, &m)) < 0 && r != -EDEADSRCDST)
			fprintf(stderr, "bench_lusvc: reply to %d: %s\n", who,
			        strerror(-r));
	}
usage:
	fprintf(stderr, "usage: bench_lusvc SIZE [-blob] [-save FILE]  "
	        "(SIZE >= 128 bytes)\n");
	return 2;
}
