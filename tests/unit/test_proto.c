/*
 * test_proto.c - unit tests of reinc's wire formats (lib/proto.c and the
 * inline codecs of lib/proto.h): control frames, data frames, channel
 * records, descriptor passing, the runtime directory and durations.
 *
 * Pure logic and a socketpair; no reincd.  Malformed frames are built
 * byte by byte here rather than through the encoder, so that the decoder
 * is tested against what a hostile peer could send, not only against
 * what our own encoder produces.
 */
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "proto.h"
#include "check.h"

/* ------------------------------------------------------------------ */
/* helpers                                                              */

/* A frame under construction by hand (possibly invalid). */
struct raw {
	size_t len;
	uint8_t b[PROTO_MAX_FRAME + 64];
};

static void raw_begin(struct raw *r, int version, int type, uint64_t id)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = (uint8_t)version;
	r->b[2] = (uint8_t)type;
	r->b[3] = (uint8_t)(type >> 8);
	put_le64(r->b + 8, id);
	r->len = PROTO_HDR;
}

static void raw_field(struct raw *r, unsigned tag, const void *v, size_t n)
{
	r->b[r->len] = (uint8_t)tag;
	r->b[r->len + 1] = (uint8_t)(tag >> 8);
	r->b[r->len + 2] = (uint8_t)n;
	r->b[r->len + 3] = (uint8_t)(n >> 8);
	if (n)
		memcpy(r->b + r->len + 4, v, n);
	r->len += 4 + n;
}

static void raw_int(struct raw *r, unsigned tag, int64_t v)
{
	uint8_t b[8];
	put_le64(b, (uint64_t)v);
	raw_field(r, tag, b, 8);
}

/* Sets the header's length field to match the frame. */
static size_t raw_end(struct raw *r)
{
	put_le32(r->b + 4, (uint32_t)(r->len - PROTO_HDR));
	return r->len;
}

static int decode_raw(const struct raw *r, struct proto_msg *pm)
{
	return proto_decode(r->b, r->len, pm);
}

/* Encode pb and decode it into pm; the decode result, or the encoder's
 * error. */
static int roundtrip(struct proto_buf *pb, struct proto_msg *pm)
{
	int n = proto_finish(pb);
	if (n < 0)
		return n;
	return proto_decode(pb->b, (size_t)n, pm);
}

/* struct proto_buf and proto_msg are ~16 KiB each: keep them off the
 * stack and free them at the end of each test. */
struct frames {
	struct proto_buf pb;
	struct proto_msg pm;
	struct raw raw;
};

static struct frames *frames_new(void)
{
	struct frames *f = calloc(1, sizeof(*f));
	if (!f) {
		perror("calloc");
		exit(2);
	}
	return f;
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/* ------------------------------------------------------------------ */
/* control frames: encoding and round trips                             */

static void test_header_layout(void)
{
	struct frames *f = frames_new();

	proto_begin(&f->pb, P_STATUS_REC, 0x0102030405060708ull);
	proto_put_int(&f->pb, T_EP, 0x11223344);
	int n = proto_finish(&f->pb);
	CHECK_INT(n, ==, PROTO_HDR + 4 + 8);
	CHECK_INT(f->pb.b[0], ==, PROTO_VERSION);
	CHECK_INT(f->pb.b[1], ==, 0);
	CHECK_INT(f->pb.b[2] | f->pb.b[3] << 8, ==, P_STATUS_REC);
	CHECK_INT(get_le32(f->pb.b + 4), ==, 12);
	CHECK_INT(get_le64(f->pb.b + 8), ==, 0x0102030405060708ull);
	/* field: tag LE16, length LE16, value LE64 */
	CHECK_INT(f->pb.b[16] | f->pb.b[17] << 8, ==, T_EP);
	CHECK_INT(f->pb.b[18] | f->pb.b[19] << 8, ==, 8);
	CHECK_INT(get_le64(f->pb.b + 20), ==, 0x11223344);
	free(f);
}

static void test_empty_frame_every_type(void)
{
	struct frames *f = frames_new();

	for (int t = 1; t < P_TYPE_LAST; t++) {
		proto_begin(&f->pb, t, (uint64_t)t * 1000);
		if (!CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0))
			break;
		CHECK_INT(f->pm.type, ==, t);
		CHECK_INT(f->pm.id, ==, (uint64_t)t * 1000);
		CHECK_INT(f->pm.present, ==, 0);
	}
	free(f);
}

static void test_roundtrip_int(void)
{
	static const int64_t vals[] = {
		0, 1, -1, 42, -EPROTO, INT32_MAX, INT32_MIN,
		(int64_t)UINT32_MAX + 1, INT64_MAX, INT64_MIN,
	};
	struct frames *f = frames_new();

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		proto_begin(&f->pb, P_REPLY, i);
		proto_put_int(&f->pb, T_RESULT, vals[i]);
		proto_put_int(&f->pb, T_PID, -vals[i] / 2);
		if (!CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0))
			continue;
		CHECK(proto_has(&f->pm, T_RESULT));
		CHECK_INT(proto_int(&f->pm, T_RESULT, 7), ==, vals[i]);
		CHECK_INT(proto_int(&f->pm, T_PID, 7), ==, -vals[i] / 2);
		CHECK_INT(f->pm.id, ==, i);
	}
	free(f);
}

static void test_roundtrip_str(void)
{
	struct frames *f = frames_new();
	char *big = malloc(PROTO_MAX_STR + 1);

	if (!CHECK(big))
		goto out;
	memset(big, 'x', PROTO_MAX_STR);
	big[PROTO_MAX_STR] = 0;

	proto_begin(&f->pb, P_UP, 9);
	proto_put_str(&f->pb, T_LABEL, "hello");
	proto_put_str(&f->pb, T_SCRIPT, "");           /* empty string */
	proto_put_str(&f->pb, T_PATH, "/usr/lib/\xc3\xa9t\xc3\xa9/svc");
	proto_put_str(&f->pb, T_ERRMSG, big);           /* longest allowed */
	if (!CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0))
		goto out;
	CHECK_STR(proto_str(&f->pm, T_LABEL), "hello");
	CHECK_INT(f->pm.slen[T_LABEL], ==, 5);
	CHECK_STR(proto_str(&f->pm, T_SCRIPT), "");
	CHECK(proto_has(&f->pm, T_SCRIPT));
	CHECK_STR(proto_str(&f->pm, T_PATH), "/usr/lib/\xc3\xa9t\xc3\xa9/svc");
	CHECK_STR(proto_str(&f->pm, T_ERRMSG), big);
	CHECK_INT(f->pm.slen[T_ERRMSG], ==, PROTO_MAX_STR);
	CHECK(proto_str(&f->pm, T_CWD) == NULL);
out:
	free(big);
	free(f);
}

static void test_roundtrip_blob(void)
{
	static const char argv[] = "svc\0-v\0\0last";   /* empty arg inside */
	struct frames *f = frames_new();
	uint8_t chans[3 * CHAN_REC_SIZE];
	uint8_t bin[256];

	for (int i = 0; i < 3; i++) {
		struct chan_rec r = { .slot = (uint32_t)i, .peer = 16 + i,
		                      .role = (uint32_t)(i & 1) };
		chan_rec_encode(chans + i * CHAN_REC_SIZE, &r);
	}
	for (int i = 0; i < 256; i++)
		bin[i] = (uint8_t)i;

	proto_begin(&f->pb, P_CHAN_ADD, 1);
	proto_put_blob(&f->pb, T_ARGV, argv, sizeof(argv));
	proto_put_blob(&f->pb, T_CHANS, chans, sizeof(chans));
	proto_put_blob(&f->pb, T_ENV, NULL, 0);        /* empty blob */
	if (!CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0))
		goto out;
	CHECK_INT(f->pm.slen[T_ARGV], ==, sizeof(argv));
	CHECK_MEM(f->pm.sval[T_ARGV], argv, sizeof(argv));
	CHECK_INT(f->pm.slen[T_CHANS], ==, sizeof(chans));
	CHECK_MEM(f->pm.sval[T_CHANS], chans, sizeof(chans));
	CHECK(proto_has(&f->pm, T_ENV));
	CHECK_INT(f->pm.slen[T_ENV], ==, 0);
	CHECK_INT(f->pm.sval[T_ENV][0], ==, 0);  /* NUL-terminated anyway */

	/* a blob may hold any byte, NUL included */
	proto_begin(&f->pb, P_UP, 2);
	proto_put_blob(&f->pb, T_ENV, bin, sizeof(bin));
	if (CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0)) {
		CHECK_INT(f->pm.slen[T_ENV], ==, 256);
		CHECK_MEM(f->pm.sval[T_ENV], bin, 256);
		CHECK_INT(f->pm.sval[T_ENV][256], ==, 0);
	}
out:
	free(f);
}

/* Every tag defined in proto.h, by kind, in one frame. */
static void test_roundtrip_every_tag(void)
{
	static const int ints[] = {
		T_RESULT, T_PERIOD_MS, T_FLAGS, T_RESTARTS, T_EP, T_OLD_EP,
		T_INIT_TYPE, T_INIT_FLAGS, T_PID, T_UPTIME_MS, T_ALIVE_MS,
		T_RESET_MS, T_BACKOFF_MS, T_SUBTYPE, T_LU_STATE, T_MAXTIME_MS,
		T_STANDBY_PID, T_INIT_MS, T_SIZE, T_STATE_VER, T_EVENT, T_SIGNO,
		T_UID, T_GID,
	};
	static const int strs[] = {
		T_LABEL, T_PATH, T_SCRIPT, T_STATE, T_ERRMSG, T_CWD, T_SFLAGS,
		T_CMD, T_NAME, T_TRG_LABEL,
	};
	static const int blobs[] = { T_ARGV, T_CHANS, T_ENV, T_IPC_FILTERS, T_IPC,
	                             T_CONTROL, T_SYSCALLS, T_RLIMITS };
	const size_t ni = sizeof(ints) / sizeof(ints[0]);
	const size_t ns = sizeof(strs) / sizeof(strs[0]);
	const size_t nb = sizeof(blobs) / sizeof(blobs[0]);
	struct frames *f = frames_new();
	char s[32];

	/* the lists above must cover every tag exactly once */
	CHECK_INT(ni + ns + nb, ==, T_MAX_TAG - 1);

	proto_begin(&f->pb, P_STATUS_REC, 77);
	for (size_t i = 0; i < ni; i++)
		proto_put_int(&f->pb, ints[i], -1000 * (int64_t)ints[i]);
	for (size_t i = 0; i < ns; i++) {
		snprintf(s, sizeof(s), "str-%d", strs[i]);
		proto_put_str(&f->pb, strs[i], s);
	}
	for (size_t i = 0; i < nb; i++) {
		uint8_t b[3] = { 0, (uint8_t)blobs[i], 0 };
		proto_put_blob(&f->pb, blobs[i], b, sizeof(b));
	}
	if (!CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0))
		goto out;
	CHECK_INT(f->pm.present, ==,
	          (((uint64_t)1 << T_MAX_TAG) - 1) & ~(uint64_t)1);
	for (size_t i = 0; i < ni; i++)
		CHECK_INT(proto_int(&f->pm, ints[i], 0), ==,
		          -1000 * (int64_t)ints[i]);
	for (size_t i = 0; i < ns; i++) {
		snprintf(s, sizeof(s), "str-%d", strs[i]);
		CHECK_STR(proto_str(&f->pm, strs[i]), s);
	}
	for (size_t i = 0; i < nb; i++) {
		uint8_t b[3] = { 0, (uint8_t)blobs[i], 0 };
		CHECK_INT(f->pm.slen[blobs[i]], ==, 3);
		CHECK_MEM(f->pm.sval[blobs[i]], b, 3);
	}
out:
	free(f);
}

static void test_absent_defaults(void)
{
	struct frames *f = frames_new();

	/* a decode must not carry fields over from an earlier one */
	proto_begin(&f->pb, P_REPLY, 1);
	proto_put_int(&f->pb, T_RESULT, 5);
	proto_put_str(&f->pb, T_LABEL, "old");
	CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0);
	proto_begin(&f->pb, P_REPLY, 2);
	if (!CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0))
		goto out;
	CHECK(!proto_has(&f->pm, T_RESULT));
	CHECK_INT(proto_int(&f->pm, T_RESULT, -99), ==, -99);
	CHECK(proto_str(&f->pm, T_LABEL) == NULL);
out:
	free(f);
}

/* A frame of exactly PROTO_MAX_FRAME bytes is valid. */
static void test_max_frame_fits(void)
{
	struct frames *f = frames_new();
	size_t n = PROTO_MAX_FRAME - PROTO_HDR - 4;
	uint8_t *blob = calloc(1, n);

	if (!CHECK(blob))
		goto out;
	memset(blob, 0xa5, n);
	proto_begin(&f->pb, P_CHAN_ADD, 3);
	proto_put_blob(&f->pb, T_CHANS, blob, n);
	CHECK_INT(proto_finish(&f->pb), ==, PROTO_MAX_FRAME);
	if (CHECK_INT(roundtrip(&f->pb, &f->pm), ==, 0)) {
		CHECK_INT(f->pm.slen[T_CHANS], ==, n);
		CHECK_MEM(f->pm.sval[T_CHANS], blob, n);
	}
out:
	free(blob);
	free(f);
}

/* ------------------------------------------------------------------ */
/* control frames: the encoder's overflow                               */

static void test_finish_e2big(void)
{
	struct frames *f = frames_new();
	size_t n = PROTO_MAX_FRAME;
	uint8_t *blob = calloc(1, n + 1);
	char *str = malloc(PROTO_MAX_STR + 2);

	if (!CHECK(blob && str))
		goto out;

	/* a blob larger than the frame */
	proto_begin(&f->pb, P_UP, 1);
	proto_put_blob(&f->pb, T_ARGV, blob, n);
	CHECK_INT(proto_finish(&f->pb), ==, -E2BIG);
	CHECK_INT(proto_send(-1, &f->pb, NULL, 0), ==, -E2BIG);

	/* one byte over: a frame of PROTO_MAX_FRAME + 1 */
	proto_begin(&f->pb, P_UP, 1);
	proto_put_blob(&f->pb, T_ARGV, blob, PROTO_MAX_FRAME - PROTO_HDR - 3);
	CHECK_INT(proto_finish(&f->pb), ==, -E2BIG);

	/* many small fields that add up: the error is sticky, and a
	 * field that would fit after the overflowing one is not taken */
	proto_begin(&f->pb, P_UP, 1);
	for (int i = 0; i < 2000; i++)
		proto_put_int(&f->pb, T_RESULT, i);
	CHECK_INT(proto_finish(&f->pb), ==, -E2BIG);
	CHECK(f->pb.len <= PROTO_MAX_FRAME);

	/* a field longer than a 16-bit length can say */
	proto_begin(&f->pb, P_UP, 1);
	proto_put_blob(&f->pb, T_ENV, blob, 0x10000);
	CHECK_INT(proto_finish(&f->pb), ==, -E2BIG);

	/* a string longer than PROTO_MAX_STR, though it fits the frame */
	memset(str, 'y', PROTO_MAX_STR + 1);
	str[PROTO_MAX_STR + 1] = 0;
	proto_begin(&f->pb, P_UP, 1);
	proto_put_str(&f->pb, T_LABEL, str);
	proto_put_int(&f->pb, T_EP, 1);
	CHECK_INT(proto_finish(&f->pb), ==, -E2BIG);

	/* proto_begin clears the error */
	proto_begin(&f->pb, P_UP, 2);
	proto_put_int(&f->pb, T_EP, 1);
	CHECK_INT(proto_finish(&f->pb), ==, PROTO_HDR + 12);
out:
	free(str);
	free(blob);
	free(f);
}

/* ------------------------------------------------------------------ */
/* control frames: the decoder's rejections                             */

static void test_reject_short(void)
{
	struct frames *f = frames_new();

	raw_begin(&f->raw, PROTO_VERSION, P_PING, 1);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);
	for (size_t n = 0; n < PROTO_HDR; n++) {
		/* a header's length field cannot be right, but it is the
		 * size check that must say no, without reading past n */
		uint8_t *copy = malloc(n ? n : 1);
		if (!CHECK(copy))
			break;
		memcpy(copy, f->raw.b, n);
		CHECK_INT(proto_decode(copy, n, &f->pm), ==, -EPROTO);
		free(copy);
	}
	free(f);
}

static void test_reject_version(void)
{
	struct frames *f = frames_new();
	static const int bad[] = { 0, 2, 255 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_begin(&f->raw, bad[i], P_PING, 1);
		raw_end(&f->raw);
		CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	}
	/* the reserved byte after the version must be 0 */
	raw_begin(&f->raw, PROTO_VERSION, P_PING, 1);
	f->raw.b[1] = 1;
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	free(f);
}

static void test_reject_type(void)
{
	struct frames *f = frames_new();
	static const int bad[] = { 0, P_TYPE_LAST, P_TYPE_LAST + 1, 0x100,
	                           0xffff };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_begin(&f->raw, PROTO_VERSION, bad[i], 1);
		raw_end(&f->raw);
		CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	}
	free(f);
}

static void test_reject_length_mismatch(void)
{
	struct frames *f = frames_new();

	raw_begin(&f->raw, PROTO_VERSION, P_REPLY, 1);
	raw_int(&f->raw, T_RESULT, 0);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);

	/* header says more than there is */
	put_le32(f->raw.b + 4, 13);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	/* header says less than there is */
	put_le32(f->raw.b + 4, 11);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	put_le32(f->raw.b + 4, 0);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	/* a huge length that would wrap a careless addition */
	put_le32(f->raw.b + 4, 0xffffffffu);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	/* right length, but the buffer handed over is one byte short */
	raw_end(&f->raw);
	CHECK_INT(proto_decode(f->raw.b, f->raw.len - 1, &f->pm), ==, -EPROTO);
	free(f);
}

static void test_reject_int_size(void)
{
	struct frames *f = frames_new();
	static const size_t sizes[] = { 0, 1, 4, 7, 9, 16 };
	uint8_t v[16] = { 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		raw_begin(&f->raw, PROTO_VERSION, P_REPLY, 1);
		raw_field(&f->raw, T_RESULT, v, sizes[i]);
		raw_end(&f->raw);
		CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	}
	free(f);
}

static void test_reject_str_nul(void)
{
	struct frames *f = frames_new();
	char *big = malloc(PROTO_MAX_STR + 1);

	if (!CHECK(big))
		goto out;
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_LABEL, "he\0llo", 6);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	/* a trailing NUL counts too: the length is the string's */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_LABEL, "hello", 6);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	/* the same bytes are fine in a blob */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_ARGV, "he\0llo", 6);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);

	/* a string longer than PROTO_MAX_STR */
	memset(big, 'z', PROTO_MAX_STR + 1);
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_PATH, big, PROTO_MAX_STR + 1);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_PATH, big, PROTO_MAX_STR);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);
out:
	free(big);
	free(f);
}

static void test_reject_duplicate(void)
{
	struct frames *f = frames_new();

	raw_begin(&f->raw, PROTO_VERSION, P_REPLY, 1);
	raw_int(&f->raw, T_RESULT, 0);
	raw_int(&f->raw, T_RESULT, 0);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_LABEL, "a", 1);
	raw_int(&f->raw, T_EP, 16);
	raw_field(&f->raw, T_LABEL, "b", 1);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	raw_begin(&f->raw, PROTO_VERSION, P_CHAN_ADD, 1);
	raw_field(&f->raw, T_CHANS, "", 0);
	raw_field(&f->raw, T_CHANS, "", 0);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	/* but unknown tags may repeat: they are skipped */
	raw_begin(&f->raw, PROTO_VERSION, P_REPLY, 1);
	raw_int(&f->raw, T_MAX_TAG + 3, 1);
	raw_int(&f->raw, T_MAX_TAG + 3, 2);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);
	free(f);
}

static void test_reject_overrun(void)
{
	struct frames *f = frames_new();

	/* a value running past the end of the frame */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_LABEL, "abcdef", 6);
	f->raw.len -= 2;                /* cut the value short */
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	/* the same for an unknown tag, which is skipped only if whole */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, 999, "abcdef", 6);
	f->raw.len -= 1;
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	/* a length of 0xffff in a small frame */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_ARGV, "x", 1);
	f->raw.b[PROTO_HDR + 2] = 0xff;
	f->raw.b[PROTO_HDR + 3] = 0xff;
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);

	/* a field header cut short: 1, 2 or 3 bytes after a whole field */
	for (int extra = 1; extra <= 3; extra++) {
		raw_begin(&f->raw, PROTO_VERSION, P_REPLY, 1);
		raw_int(&f->raw, T_RESULT, 0);
		f->raw.len += (size_t)extra;   /* zero bytes: tag 0 ... */
		raw_end(&f->raw);
		CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	}
	/* a zero-length field of tag 0 is whole, and skipped */
	raw_begin(&f->raw, PROTO_VERSION, P_REPLY, 1);
	raw_int(&f->raw, T_RESULT, 0);
	f->raw.len += 4;
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);
	free(f);
}

static void test_reject_oversized(void)
{
	struct frames *f = frames_new();
	size_t n = PROTO_MAX_FRAME + 1 - PROTO_HDR - 4;
	uint8_t *blob = calloc(1, n);

	if (!CHECK(blob))
		goto out;
	/* a well-formed frame, one byte too long */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_ARGV, blob, n);
	CHECK_INT(raw_end(&f->raw), ==, PROTO_MAX_FRAME + 1);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, -EPROTO);
	/* and the same with the field shortened to fit */
	raw_begin(&f->raw, PROTO_VERSION, P_UP, 1);
	raw_field(&f->raw, T_ARGV, blob, n - 1);
	raw_end(&f->raw);
	CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0);
out:
	free(blob);
	free(f);
}

static void test_unknown_tags_skipped(void)
{
	struct frames *f = frames_new();
	static const unsigned unknown[] = { 0, T_MAX_TAG, T_MAX_TAG + 1, 63,
	                                    64, 0x1234, 0xffff };
	uint8_t junk[40];

	memset(junk, 0xee, sizeof(junk));
	raw_begin(&f->raw, PROTO_VERSION, P_INIT, 5);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		raw_field(&f->raw, unknown[i], junk, i * 5);  /* any size */
		if (i == 2)
			raw_int(&f->raw, T_EP, 16);
		if (i == 4)
			raw_field(&f->raw, T_LABEL, "ds", 2);
	}
	raw_int(&f->raw, T_RESTARTS, 3);
	raw_end(&f->raw);
	if (!CHECK_INT(decode_raw(&f->raw, &f->pm), ==, 0))
		goto out;
	CHECK_INT(f->pm.type, ==, P_INIT);
	CHECK_INT(f->pm.id, ==, 5);
	CHECK_INT(f->pm.present, ==,
	          (1ull << T_EP) | (1ull << T_LABEL) | (1ull << T_RESTARTS));
	CHECK_INT(proto_int(&f->pm, T_EP, 0), ==, 16);
	CHECK_STR(proto_str(&f->pm, T_LABEL), "ds");
	CHECK_INT(proto_int(&f->pm, T_RESTARTS, 0), ==, 3);
out:
	free(f);
}

/* ------------------------------------------------------------------ */
/* data frames and channel records                                      */

static void test_df_roundtrip(void)
{
	uint8_t fr[DF_SIZE];
	message m, z;
	struct df d;

	memset(&m, 0, sizeof(m));
	memset(&z, 0, sizeof(z));
	m.m_source = 12345;   /* never on the wire */
	m.m_type = -EDEADSRCDST;
	for (int i = 0; i < MESSAGE_PAYLOAD; i++)
		m.m_raw[i] = (uint8_t)(0xc0 + i);

	for (int k = DF_REQ; k <= DF_NOTIFY; k++) {
		df_encode(fr, k, DFF_DEAD, UINT64_MAX - (uint64_t)k, &m);
		CHECK_INT(fr[0], ==, DF_VERSION);
		if (!CHECK_INT(df_decode(fr, sizeof(fr), &d), ==, 0))
			continue;
		CHECK_INT(d.kind, ==, k);
		CHECK_INT(d.flags, ==, DFF_DEAD);
		CHECK_INT(d.m_type, ==, -EDEADSRCDST);
		CHECK(d.seq == UINT64_MAX - (uint64_t)k);
		CHECK(d.payload == fr + 16);
		CHECK_MEM(d.payload, m.m_raw, MESSAGE_PAYLOAD);
	}

	/* the layout is little-endian whatever the host */
	m.m_type = 0x01020304;
	df_encode(fr, DF_REPLY, 0, 0x1122334455667788ull, &m);
	static const uint8_t hdr[16] = { 1, 2, 0, 0, 4, 3, 2, 1,
	                                 0x88, 0x77, 0x66, 0x55,
	                                 0x44, 0x33, 0x22, 0x11 };
	CHECK_MEM(fr, hdr, 16);

	/* no message: a zero payload and m_type 0 (a notify) */
	memset(fr, 0xff, sizeof(fr));
	df_encode(fr, DF_NOTIFY, 0, 7, NULL);
	if (CHECK_INT(df_decode(fr, sizeof(fr), &d), ==, 0)) {
		CHECK_INT(d.m_type, ==, 0);
		CHECK_INT(d.seq, ==, 7);
		CHECK_INT(d.flags, ==, 0);
		CHECK_MEM(d.payload, z.m_raw, MESSAGE_PAYLOAD);
	}
}

static void test_df_reject(void)
{
	uint8_t fr[DF_SIZE + 1];
	struct df d;

	df_encode(fr, DF_REQ, 0, 1, NULL);
	fr[DF_SIZE] = 0;
	CHECK_INT(df_decode(fr, DF_SIZE, &d), ==, 0);
	CHECK_INT(df_decode(fr, DF_SIZE - 1, &d), ==, -EPROTO);
	CHECK_INT(df_decode(fr, DF_SIZE + 1, &d), ==, -EPROTO);
	CHECK_INT(df_decode(fr, 0, &d), ==, -EPROTO);
	CHECK_INT(df_decode(fr, 64, &d), ==, -EPROTO);  /* a bare message */

	static const int versions[] = { 0, DF_VERSION + 1, 255 };
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		df_encode(fr, DF_REQ, 0, 1, NULL);
		fr[0] = (uint8_t)versions[i];
		CHECK_INT(df_decode(fr, DF_SIZE, &d), ==, -EPROTO);
	}
	static const int kinds[] = { 0, DF_NOTIFY + 1, 128, 255 };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		df_encode(fr, DF_REQ, 0, 1, NULL);
		fr[1] = (uint8_t)kinds[i];
		CHECK_INT(df_decode(fr, DF_SIZE, &d), ==, -EPROTO);
	}
}

static void test_chan_rec_roundtrip(void)
{
	static const struct chan_rec recs[] = {
		{ 0, 16, CHAN_CALLEE },
		{ 1, REINC_USER_EP_BASE + 7, CHAN_CALLER },
		{ LIVE_MAX_CHAN - 1, -2, CHAN_CALLEE },
		{ UINT32_MAX, INT32_MIN, UINT32_MAX },
		{ 0x01020304, 0x05060708, 0x090a0b0c },
	};
	const size_t n = sizeof(recs) / sizeof(recs[0]);
	uint8_t buf[sizeof(recs) / sizeof(recs[0]) * CHAN_REC_SIZE];

	for (size_t i = 0; i < n; i++)
		chan_rec_encode(buf + i * CHAN_REC_SIZE, &recs[i]);
	for (size_t i = 0; i < n; i++) {
		struct chan_rec r;
		chan_rec_decode(buf + i * CHAN_REC_SIZE, &r);
		CHECK_INT(r.slot, ==, recs[i].slot);
		CHECK_INT(r.peer, ==, recs[i].peer);
		CHECK_INT(r.role, ==, recs[i].role);
	}
	static const uint8_t last[CHAN_REC_SIZE] = {
		4, 3, 2, 1, 8, 7, 6, 5, 0x0c, 0x0b, 0x0a, 9 };
	CHECK_MEM(buf + (n - 1) * CHAN_REC_SIZE, last, CHAN_REC_SIZE);
}

/* ------------------------------------------------------------------ */
/* durations                                                            */

static void test_duration_accept(void)
{
	static const struct { const char *s; int64_t ms; } ok[] = {
		{ "500ms", 500 }, { "2s", 2000 }, { "5HZ", 5000 },
		{ "5hz", 5000 }, { "1.5s", 1500 }, { "60", 1000 },
		{ "3m", 180000 }, { "2min", 120000 }, { "0", 0 },
		{ "0s", 0 }, { "0ms", 0 }, { "6", 100 }, { "1", 17 },
		{ "120", 2000 }, { "0.5ms", 1 }, { "1us", 1 },
		{ "2500us", 3 }, { "100ms", 100 }, { "0.25s", 250 },
		{ "10s", 10000 }, { "30s", 30000 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t ms = -12345;
		int r = proto_parse_duration(ok[i].s, &ms);
		if (!CHECK_INT(r, ==, 0))
			fprintf(stderr, "  for \"%s\"\n", ok[i].s);
		else if (!CHECK_INT(ms, ==, ok[i].ms))
			fprintf(stderr, "  for \"%s\"\n", ok[i].s);
	}
}

static void test_duration_reject(void)
{
	static const char *const bad[] = {
		"", "-1s", "-1", "abc", "5x", "1e400", "s", "ms", " 5s",
		"5s ", "5 s", "nan", "inf", "infs", "1e13",
		"5ms5", "--5", "5HZz",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ms = -12345;
		if (!CHECK_INT(proto_parse_duration(bad[i], &ms), ==, -EINVAL))
			fprintf(stderr, "  for \"%s\" (got %" PRId64 ")\n",
			        bad[i], ms);
	}
	int64_t ms;
	CHECK_INT(proto_parse_duration(NULL, &ms), ==, -EINVAL);
}

/* ------------------------------------------------------------------ */
/* descriptor passing                                                   */

/* Sends 3 working descriptors (a pipe's write end, a memfd-like file
 * and an eventfd) with a frame and checks that the copies received work
 * and are close-on-exec. */
static void test_fds_pass_three(void)
{
	int sp[2] = { -1, -1 }, pp[2] = { -1, -1 }, tf = -1, ev = -1;
	int got[4] = { -1, -1, -1, -1 }, ngot = 4;
	char path[] = "/tmp/reinc-test-proto-XXXXXX";
	char buf[64];

	if (!CHECK_INT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), ==, 0) ||
	    !CHECK_INT(pipe(pp), ==, 0))
		goto out;
	tf = mkstemp(path);
	if (!CHECK_INT(tf, >=, 0))
		goto out;
	unlink(path);
	CHECK_INT(write(tf, "persist", 7), ==, 7);
	ev = eventfd(0, 0);
	if (!CHECK_INT(ev, >=, 0))
		goto out;

	int fds[3] = { pp[1], tf, ev };
	CHECK_INT(proto_sendfds(sp[0], "frame!", 6, fds, 3, 0), ==, 0);
	ssize_t n = proto_recvfds(sp[1], buf, sizeof(buf), got, &ngot, 0);
	if (!CHECK_INT(n, ==, 6) || !CHECK_INT(ngot, ==, 3))
		goto out;
	CHECK_MEM(buf, "frame!", 6);
	for (int i = 0; i < 3; i++) {
		CHECK(got[i] != fds[i]);
		CHECK(fcntl(got[i], F_GETFD) & FD_CLOEXEC);
	}
	/* the pipe: write through the copy, read the original */
	CHECK_INT(write(got[0], "pipe", 4), ==, 4);
	CHECK_INT(read(pp[0], buf, sizeof(buf)), ==, 4);
	CHECK_MEM(buf, "pipe", 4);
	/* the file: same open file description */
	CHECK_INT(pread(got[1], buf, 7, 0), ==, 7);
	CHECK_MEM(buf, "persist", 7);
	CHECK_INT(lseek(got[1], 0, SEEK_CUR), ==, 7);
	/* the eventfd: a write on the copy is seen on the original */
	uint64_t one = 1, v = 0;
	CHECK_INT(write(got[2], &one, 8), ==, 8);
	CHECK_INT(read(ev, &v, 8), ==, 8);
	CHECK_INT(v, ==, 1);
out:
	for (int i = 0; i < 4; i++)
		if (got[i] >= 0)
			close(got[i]);
	int all[] = { sp[0], sp[1], pp[0], pp[1], tf, ev };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] >= 0)
			close(all[i]);
}

/* More descriptors than the receiver has room for: -EPROTO, and none
 * of them leak. */
static void test_fds_truncated(void)
{
	int sp[2] = { -1, -1 }, pp[2] = { -1, -1 };
	int got[2] = { -1, -1 }, ngot;
	char buf[64];

	if (!CHECK_INT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), ==, 0) ||
	    !CHECK_INT(pipe(pp), ==, 0))
		goto out;
	int before = count_open_fds();
	int fds[3] = { pp[0], pp[1], pp[1] };

	/* room for 2 of 3 */
	CHECK_INT(proto_sendfds(sp[0], "x", 1, fds, 3, 0), ==, 0);
	ngot = 2;
	CHECK_INT(proto_recvfds(sp[1], buf, sizeof(buf), got, &ngot, 0), ==,
	          -EPROTO);
	CHECK_INT(ngot, ==, 0);
	CHECK_INT(count_open_fds(), ==, before);

	/* no room at all (nfds NULL) */
	CHECK_INT(proto_sendfds(sp[0], "y", 1, fds, 1, 0), ==, 0);
	CHECK_INT(proto_recvfds(sp[1], buf, sizeof(buf), NULL, NULL, 0), ==,
	          -EPROTO);
	CHECK_INT(count_open_fds(), ==, before);

	/* the frame itself truncated: descriptors closed as well */
	char big[100];
	memset(big, 'b', sizeof(big));
	CHECK_INT(proto_sendfds(sp[0], big, sizeof(big), fds, 2, 0), ==, 0);
	ngot = 2;
	CHECK_INT(proto_recvfds(sp[1], buf, 10, got, &ngot, 0), ==, -EPROTO);
	CHECK_INT(ngot, ==, 0);
	CHECK_INT(count_open_fds(), ==, before);

	/* the socket is still usable afterwards */
	CHECK_INT(proto_sendfds(sp[0], "ok", 2, NULL, 0, 0), ==, 0);
	ngot = 2;
	CHECK_INT(proto_recvfds(sp[1], buf, sizeof(buf), got, &ngot, 0), ==, 2);
	CHECK_INT(ngot, ==, 0);
out:
	for (int i = 0; i < 2; i++)
		if (sp[i] >= 0)
			close(sp[i]);
	for (int i = 0; i < 2; i++)
		if (pp[i] >= 0)
			close(pp[i]);
}

static void test_fds_limits_and_eof(void)
{
	int sp[2] = { -1, -1 }, fds[PROTO_MAX_FDS + 1];
	int got[PROTO_MAX_FDS], ngot;
	char buf[16];

	if (!CHECK_INT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), ==, 0))
		return;
	for (int i = 0; i <= PROTO_MAX_FDS; i++)
		fds[i] = sp[0];
	int before = count_open_fds();

	CHECK_INT(proto_sendfds(sp[0], "x", 1, fds, PROTO_MAX_FDS + 1, 0), ==,
	          -EINVAL);
	CHECK_INT(proto_sendfds(sp[0], "x", 1, fds, -1, 0), ==, -EINVAL);

	/* the most a frame may carry */
	CHECK_INT(proto_sendfds(sp[0], "m", 1, fds, PROTO_MAX_FDS, 0), ==, 0);
	ngot = PROTO_MAX_FDS;
	CHECK_INT(proto_recvfds(sp[1], buf, sizeof(buf), got, &ngot, 0), ==, 1);
	if (CHECK_INT(ngot, ==, PROTO_MAX_FDS))
		for (int i = 0; i < ngot; i++)
			close(got[i]);
	CHECK_INT(count_open_fds(), ==, before);

	/* nothing queued, non-blocking */
	ngot = PROTO_MAX_FDS;
	CHECK_INT(proto_recvfds(sp[1], buf, sizeof(buf), got, &ngot,
	                        MSG_DONTWAIT), ==, -EAGAIN);

	/* end of file, then a send to a closed peer (no SIGPIPE) */
	close(sp[0]);
	ngot = PROTO_MAX_FDS;
	CHECK_INT(proto_recvfds(sp[1], buf, sizeof(buf), got, &ngot, 0), ==, 0);
	CHECK_INT(ngot, ==, 0);
	CHECK_INT(proto_sendfds(sp[1], "x", 1, NULL, 0, 0), ==, -EPIPE);
	close(sp[1]);
}

/* proto_send: encode, send, receive and decode a control frame with a
 * descriptor, the way libsef and reincd talk. */
static void test_proto_send_frame(void)
{
	struct frames *f = frames_new();
	int sp[2] = { -1, -1 }, pp[2] = { -1, -1 }, got = -1, ngot = 1;
	uint8_t *in = malloc(PROTO_MAX_FRAME);

	if (!CHECK(in) ||
	    !CHECK_INT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), ==, 0) ||
	    !CHECK_INT(pipe(pp), ==, 0))
		goto out;
	proto_begin(&f->pb, P_CHAN_ADD, 42);
	struct chan_rec r = { 0, 17, CHAN_CALLER };
	uint8_t rec[CHAN_REC_SIZE];
	chan_rec_encode(rec, &r);
	proto_put_blob(&f->pb, T_CHANS, rec, sizeof(rec));
	CHECK_INT(proto_send(sp[0], &f->pb, &pp[1], 1), ==, 0);
	ssize_t n = proto_recvfds(sp[1], in, PROTO_MAX_FRAME, &got, &ngot, 0);
	if (!CHECK_INT(n, ==, PROTO_HDR + 4 + CHAN_REC_SIZE) ||
	    !CHECK_INT(ngot, ==, 1))
		goto out;
	if (CHECK_INT(proto_decode(in, (size_t)n, &f->pm), ==, 0)) {
		CHECK_INT(f->pm.type, ==, P_CHAN_ADD);
		CHECK_INT(f->pm.id, ==, 42);
		struct chan_rec back;
		chan_rec_decode((const uint8_t *)f->pm.sval[T_CHANS], &back);
		CHECK_INT(back.peer, ==, 17);
		CHECK_INT(back.role, ==, CHAN_CALLER);
	}
	CHECK_INT(write(got, "z", 1), ==, 1);
	char c = 0;
	CHECK_INT(read(pp[0], &c, 1), ==, 1);
	CHECK_INT(c, ==, 'z');
out:
	if (got >= 0)
		close(got);
	int all[] = { sp[0], sp[1], pp[0], pp[1] };
	for (size_t i = 0; i < 4; i++)
		if (all[i] >= 0)
			close(all[i]);
	free(in);
	free(f);
}

/* ------------------------------------------------------------------ */
/* the runtime directory                                                */

/* Saves and restores an environment variable around a test, so that
 * CHECK_NOFORK=1 runs are not disturbed either. */
struct saved_env {
	const char *name;
	char *value;
};

static void env_save(struct saved_env *s, const char *name)
{
	const char *v = getenv(name);
	s->name = name;
	s->value = v ? strdup(v) : NULL;
}

static void env_restore(struct saved_env *s)
{
	if (s->value)
		setenv(s->name, s->value, 1);
	else
		unsetenv(s->name);
	free(s->value);
}

/* The fallbacks after $REINC_RUNTIME_DIR, for root or anyone else. */
static void check_fallbacks(int as_root)
{
	char buf[PATH_MAX], want[PATH_MAX];

	setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
	setenv("REINC_RUNTIME_DIR", "", 1);       /* empty counts as unset */
	CHECK_INT(proto_runtime_dir(buf, sizeof(buf)), ==, 0);
	CHECK_STR(buf, as_root ? "/run/reinc" : "/run/user/4242/reinc");

	unsetenv("REINC_RUNTIME_DIR");
	setenv("XDG_RUNTIME_DIR", "", 1);
	CHECK_INT(proto_runtime_dir(buf, sizeof(buf)), ==, 0);
	snprintf(want, sizeof(want), "/tmp/reinc-%u", (unsigned)geteuid());
	CHECK_STR(buf, as_root ? "/run/reinc" : want);

	unsetenv("XDG_RUNTIME_DIR");
	CHECK_INT(proto_runtime_dir(buf, sizeof(buf)), ==, 0);
	CHECK_STR(buf, as_root ? "/run/reinc" : want);
}

static void test_runtime_dir(void)
{
	struct saved_env r, x;
	char buf[PATH_MAX];
	const char *dir = "/tmp/some where/reinc-test";

	env_save(&r, "REINC_RUNTIME_DIR");
	env_save(&x, "XDG_RUNTIME_DIR");

	setenv("REINC_RUNTIME_DIR", dir, 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
	CHECK_INT(proto_runtime_dir(buf, sizeof(buf)), ==, 0);
	CHECK_STR(buf, dir);

	/* too small a buffer: -ENAMETOOLONG, never a truncated path */
	CHECK_INT(proto_runtime_dir(buf, 10), ==, -ENAMETOOLONG);
	CHECK_INT(proto_runtime_dir(buf, strlen(dir)), ==, -ENAMETOOLONG);
	CHECK_INT(proto_runtime_dir(buf, strlen(dir) + 1), ==, 0);

	check_fallbacks(geteuid() == 0);
	/* root sees the non-root fallbacks too, as nobody for a moment */
	if (geteuid() == 0 && CHECK_INT(seteuid(65534), ==, 0)) {
		check_fallbacks(0);
		CHECK_INT(seteuid(0), ==, 0);
	}

	env_restore(&r);
	env_restore(&x);
}

int main(void)
{
	CHECK_RUN(test_header_layout);
	CHECK_RUN(test_empty_frame_every_type);
	CHECK_RUN(test_roundtrip_int);
	CHECK_RUN(test_roundtrip_str);
	CHECK_RUN(test_roundtrip_blob);
	CHECK_RUN(test_roundtrip_every_tag);
	CHECK_RUN(test_absent_defaults);
	CHECK_RUN(test_max_frame_fits);
	CHECK_RUN(test_finish_e2big);
	CHECK_RUN(test_reject_short);
	CHECK_RUN(test_reject_version);
	CHECK_RUN(test_reject_type);
	CHECK_RUN(test_reject_length_mismatch);
	CHECK_RUN(test_reject_int_size);
	CHECK_RUN(test_reject_str_nul);
	CHECK_RUN(test_reject_duplicate);
	CHECK_RUN(test_reject_overrun);
	CHECK_RUN(test_reject_oversized);
	CHECK_RUN(test_unknown_tags_skipped);
	CHECK_RUN(test_df_roundtrip);
	CHECK_RUN(test_df_reject);
	CHECK_RUN(test_chan_rec_roundtrip);
	CHECK_RUN(test_duration_accept);
	CHECK_RUN(test_duration_reject);
	CHECK_RUN(test_fds_pass_three);
	CHECK_RUN(test_fds_truncated);
	CHECK_RUN(test_fds_limits_and_eof);
	CHECK_RUN(test_proto_send_frame);
	CHECK_RUN(test_runtime_dir);
	return check_done();
}
