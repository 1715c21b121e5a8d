/*
 * fuzz_proto.c - fuzz target for proto_decode(), the decoder of the
 * control frames reincd reads from every participant (and so from any
 * local user: its public socket is mode 0666).
 *
 * Arbitrary bytes go to proto_decode().  What it accepts must be
 * consistent (every string and blob NUL-terminated inside the arena,
 * strings without a NUL inside), and must survive a round trip:
 * re-encoded with proto_put_*, it decodes again to the same fields.
 * Any violation aborts, which libFuzzer and tests/fuzz/replay.c report.
 *
 * Built two ways: with replay.c by `make check` (replays the corpus in
 * tests/fuzz/corpus/proto/), with libFuzzer by tests/fuzz/run-libfuzzer.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The kind of each tag, as documented in proto.h.  Kept separately from
 * lib/proto.c's private table on purpose: if the two disagree, the round
 * trip below fails and the fuzzer says so. */
enum { K_NONE, K_INT, K_STR, K_BLOB };
static const unsigned char kind[T_MAX_TAG] = {
	[T_RESULT] = K_INT, [T_LABEL] = K_STR, [T_PATH] = K_STR,
	[T_ARGV] = K_BLOB, [T_PERIOD_MS] = K_INT, [T_SCRIPT] = K_STR,
	[T_FLAGS] = K_INT, [T_RESTARTS] = K_INT, [T_EP] = K_INT,
	[T_OLD_EP] = K_INT, [T_INIT_TYPE] = K_INT, [T_INIT_FLAGS] = K_INT,
	[T_PID] = K_INT, [T_STATE] = K_STR, [T_UPTIME_MS] = K_INT,
	[T_ALIVE_MS] = K_INT, [T_CHANS] = K_BLOB, [T_ERRMSG] = K_STR,
	[T_RESET_MS] = K_INT, [T_BACKOFF_MS] = K_INT, [T_SUBTYPE] = K_INT,
	[T_LU_STATE] = K_INT, [T_MAXTIME_MS] = K_INT, [T_ENV] = K_BLOB,
	[T_CWD] = K_STR, [T_SFLAGS] = K_STR, [T_STANDBY_PID] = K_INT,
	[T_CMD] = K_STR, [T_INIT_MS] = K_INT, [T_NAME] = K_STR,
	[T_SIZE] = K_INT, [T_STATE_VER] = K_INT, [T_TRG_LABEL] = K_STR,
	[T_IPC_FILTERS] = K_BLOB,
};

#define FAIL(...) do { \
	fprintf(stderr, "fuzz_proto: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

/* What an accepted frame must look like. */
static void check_decoded(const struct proto_msg *pm)
{
	if (pm->type <= 0 || pm->type >= P_TYPE_LAST)
		FAIL("type %d accepted", pm->type);
	if (pm->present & 1)
		FAIL("tag 0 marked present");
	if (pm->present >> T_MAX_TAG)
		FAIL("unknown tag marked present: %#llx",
		     (unsigned long long)pm->present);
	for (int t = 1; t < T_MAX_TAG; t++) {
		if (!proto_has(pm, t) || kind[t] == K_INT)
			continue;
		const char *s = pm->sval[t];
		uint32_t n = pm->slen[t];
		if (s < pm->arena || n >= sizeof(pm->arena) ||
		    (size_t)(s - pm->arena) > sizeof(pm->arena) - n - 1)
			FAIL("tag %d: value outside the arena", t);
		if (s[n] != 0)
			FAIL("tag %d: not NUL-terminated", t);
		if (kind[t] == K_STR && (strlen(s) != n || n > PROTO_MAX_STR))
			FAIL("tag %d: bad string", t);
	}
}

static void same_fields(const struct proto_msg *a, const struct proto_msg *b)
{
	if (a->type != b->type || a->id != b->id || a->present != b->present)
		FAIL("header or field set changed in the round trip");
	for (int t = 1; t < T_MAX_TAG; t++) {
		if (!proto_has(a, t))
			continue;
		if (kind[t] == K_INT) {
			if (a->ival[t] != b->ival[t])
				FAIL("tag %d: int changed", t);
		} else if (a->slen[t] != b->slen[t] ||
		           memcmp(a->sval[t], b->sval[t], a->slen[t])) {
			FAIL("tag %d: value changed", t);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* ~16 KiB each: on the heap, so ASan checks their bounds too */
	struct proto_msg *pm = malloc(sizeof(*pm));
	struct proto_msg *pm2 = malloc(sizeof(*pm2));
	struct proto_buf *pb = malloc(sizeof(*pb));

	if (!pm || !pm2 || !pb)
		abort();
	if (proto_decode(data, size, pm) == 0) {
		check_decoded(pm);

		/* Re-encode in tag order (unknown tags are dropped, so the
		 * result is never longer than the input) and decode again. */
		proto_begin(pb, pm->type, pm->id);
		for (int t = 1; t < T_MAX_TAG; t++) {
			if (!proto_has(pm, t))
				continue;
			switch (kind[t]) {
			case K_INT:
				proto_put_int(pb, t, pm->ival[t]);
				break;
			case K_STR:
				proto_put_str(pb, t, pm->sval[t]);
				break;
			case K_BLOB:
				proto_put_blob(pb, t, pm->sval[t], pm->slen[t]);
				break;
			default:
				FAIL("tag %d has no kind but was decoded", t);
			}
		}
		int n = proto_finish(pb);
		if (n < 0)
			FAIL("re-encoding failed: %d", n);
		if ((size_t)n > size)
			FAIL("re-encoded frame longer than the input");
		if (proto_decode(pb->b, (size_t)n, pm2) != 0)
			FAIL("re-encoded frame rejected");
		same_fields(pm, pm2);
	}
	free(pb);
	free(pm2);
	free(pm);
	return 0;
}
