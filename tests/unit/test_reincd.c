/*
 * test_reincd.c - unit tests of reincd's pure logic: the back-off policy
 * and request validation (what request_check accepts and refuses).
 * The state machine itself is exercised by the integration tests, which
 * drive the real daemon.
 */
#include <errno.h>

#include "check.h"
#include "reincd.h"

static void test_backoff_minix(void)
{
	/* ref §2.8: first crash at once, then 2, 4, 8, 16, 30, 30 s */
	CHECK_INT(svc_backoff_ms(0, 0), ==, 0);
	CHECK_INT(svc_backoff_ms(1, 0), ==, 2000);
	CHECK_INT(svc_backoff_ms(2, 0), ==, 4000);
	CHECK_INT(svc_backoff_ms(3, 0), ==, 8000);
	CHECK_INT(svc_backoff_ms(4, 0), ==, 16000);
	CHECK_INT(svc_backoff_ms(5, 0), ==, 30000);
	CHECK_INT(svc_backoff_ms(100, 0), ==, 30000);
}

static void test_backoff_flags(void)
{
	CHECK_INT(svc_backoff_ms(0, UPF_NO_BIN_EXP), ==, 0);
	CHECK_INT(svc_backoff_ms(1, UPF_NO_BIN_EXP), ==, 1000);
	CHECK_INT(svc_backoff_ms(9, UPF_NO_BIN_EXP), ==, 1000);
	CHECK_INT(svc_backoff_ms(1, UPF_COPY), ==, 1000);
	CHECK_INT(svc_backoff_ms(7, UPF_COPY), ==, 1000);
	CHECK_INT(svc_backoff_ms(0, UPF_COPY), ==, 0);
}

/* Build a frame, decode it, run request_check. */
static int check_req(int type, const char *label, const char *path,
                     int64_t period, const void *argv, size_t argvlen)
{
	static struct proto_buf pb;
	static struct proto_msg pm;
	char err[160];
	proto_begin(&pb, type, 7);
	if (label)
		proto_put_str(&pb, T_LABEL, label);
	if (path)
		proto_put_str(&pb, T_PATH, path);
	if (period)
		proto_put_int(&pb, T_PERIOD_MS, period);
	if (argv)
		proto_put_blob(&pb, T_ARGV, argv, argvlen);
	int n = proto_finish(&pb);
	if (n < 0 || proto_decode(pb.b, (size_t)n, &pm) < 0)
		return -1000;
	return request_check(&pm, err, sizeof(err));
}

static void test_request_up(void)
{
	CHECK_INT(check_req(P_UP, "hello", "/bin/true", 0, NULL, 0), ==, 0);
	CHECK_INT(check_req(P_UP, NULL, "/bin/true", 1000, NULL, 0), ==, 0);
	CHECK_INT(check_req(P_UP, "hello", "bin/true", 0, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_req(P_UP, "hello", NULL, 0, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_req(P_UP, "he llo", "/bin/true", 0, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_req(P_UP, "a/b", "/bin/true", 0, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_req(P_UP, "x", "/bin/true", -5, NULL, 0), ==, -EINVAL);
	char many[200];
	memset(many, 0, sizeof(many));  /* 200 empty arguments */
	CHECK_INT(check_req(P_UP, "x", "/bin/true", 0, many, sizeof(many)), ==,
	          -E2BIG);
	CHECK_INT(check_req(P_UP, "x", "/bin/true", 0, "a\0b\0", 4), ==, 0);
}

static void test_request_label_ops(void)
{
	int ops[] = { P_DOWN, P_REFRESH, P_RESTART, P_CLONE, P_UNCLONE, P_EDIT };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		CHECK_INT(check_req(ops[i], "hello", NULL, 0, NULL, 0), ==, 0);
		CHECK_INT(check_req(ops[i], NULL, NULL, 0, NULL, 0), ==, -EINVAL);
	}
}

static void test_request_lookup(void)
{
	char longl[120];
	memset(longl, 'a', sizeof(longl) - 1);
	longl[sizeof(longl) - 1] = 0;
	CHECK_INT(check_req(P_LOOKUP, "hello", NULL, 0, NULL, 0), ==, 0);
	CHECK_INT(check_req(P_LOOKUP, "", NULL, 0, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_req(P_LOOKUP, longl, NULL, 0, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_req(P_LOOKUP, NULL, NULL, 0, NULL, 0), ==, -EINVAL);
}

/* Build a frame from (tag, value) ints and strings, then check it. */
static int check_frame(int type, const char *label, const char *path,
                       const char *name, const int64_t *iv, int ni)
{
	static struct proto_buf pb;
	static struct proto_msg pm;
	char err[160];
	proto_begin(&pb, type, 9);
	if (label)
		proto_put_str(&pb, T_LABEL, label);
	if (path)
		proto_put_str(&pb, T_PATH, path);
	if (name)
		proto_put_str(&pb, T_NAME, name);
	for (int i = 0; i < ni; i++)
		proto_put_int(&pb, (int)iv[2 * i], iv[2 * i + 1]);
	int n = proto_finish(&pb);
	if (n < 0 || proto_decode(pb.b, (size_t)n, &pm) < 0)
		return -1000;
	return request_check(&pm, err, sizeof(err));
}

static void test_request_update(void)
{
	int64_t st1[] = { T_LU_STATE, 1 }, st0[] = { T_LU_STATE, 0 },
	        stneg[] = { T_LU_STATE, -3 }, mt[] = { T_MAXTIME_MS, -1 },
	        mtbad[] = { T_MAXTIME_MS, -2 };
	CHECK_INT(check_frame(P_UPDATE, "x", "self", NULL, st1, 1), ==, 0);
	CHECK_INT(check_frame(P_UPDATE, "x", "/bin/true", NULL, NULL, 0), ==, 0);
	CHECK_INT(check_frame(P_UPDATE, "x", "self", NULL, mt, 1), ==, 0);
	CHECK_INT(check_frame(P_UPDATE, "x", "self", NULL, st0, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_UPDATE, "x", "self", NULL, stneg, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_UPDATE, "x", "self", NULL, mtbad, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_UPDATE, "x", "rel/path", NULL, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_frame(P_UPDATE, NULL, "self", NULL, NULL, 0), ==, -EINVAL);
	CHECK_INT(check_frame(P_UPDATE, "x", NULL, NULL, NULL, 0), ==, -EINVAL);
}

static void test_request_sysctl(void)
{
	for (int64_t sub = SYSCTL_SRV_STATUS; sub <= SYSCTL_UPD_STATUS; sub++) {
		int64_t iv[] = { T_SUBTYPE, sub };
		CHECK_INT(check_frame(P_SYSCTL, NULL, NULL, NULL, iv, 1), ==, 0);
	}
	int64_t bad[] = { T_SUBTYPE, 99 }, zero[] = { T_SUBTYPE, 0 };
	CHECK_INT(check_frame(P_SYSCTL, NULL, NULL, NULL, bad, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_SYSCTL, NULL, NULL, NULL, zero, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_SYSCTL, NULL, NULL, NULL, NULL, 0), ==, -EINVAL);
}

static void test_request_store(void)
{
	int64_t map[] = { T_SUBTYPE, 1, T_SIZE, 4096 },
	        map0[] = { T_SUBTYPE, 1, T_SIZE, 0 },
	        maphuge[] = { T_SUBTYPE, 1, T_SIZE, (int64_t)1 << 41 },
	        del[] = { T_SUBTYPE, 2 }, badop[] = { T_SUBTYPE, 3 },
	        put[] = { T_SUBTYPE, FDS_PUT }, fdbad[] = { T_SUBTYPE, 9 };
	char longn[80];
	memset(longn, 'n', sizeof(longn) - 1);
	longn[sizeof(longn) - 1] = 0;
	CHECK_INT(check_frame(P_REGION, NULL, NULL, "state", map, 2), ==, 0);
	CHECK_INT(check_frame(P_REGION, NULL, NULL, "state", del, 1), ==, 0);
	CHECK_INT(check_frame(P_REGION, NULL, NULL, "state", map0, 2), ==, -EINVAL);
	CHECK_INT(check_frame(P_REGION, NULL, NULL, "state", maphuge, 2), ==,
	          -EINVAL);
	CHECK_INT(check_frame(P_REGION, NULL, NULL, "state", badop, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_REGION, NULL, NULL, NULL, map, 2), ==, -EINVAL);
	CHECK_INT(check_frame(P_REGION, NULL, NULL, longn, map, 2), ==, -EINVAL);
	CHECK_INT(check_frame(P_FDSTORE, NULL, NULL, "sock", put, 1), ==, 0);
	CHECK_INT(check_frame(P_FDSTORE, NULL, NULL, "sock", fdbad, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_FDSTORE, NULL, NULL, "", put, 1), ==, -EINVAL);
}

static void test_request_lu_ready(void)
{
	int64_t ok[] = { T_RESULT, 0, T_LU_STATE, 1 },
	        err[] = { T_RESULT, -EIO }, pos[] = { T_RESULT, 5 },
	        size[] = { T_RESULT, 0, T_SIZE, -1 };
	CHECK_INT(check_frame(P_LU_READY, NULL, NULL, NULL, ok, 2), ==, 0);
	CHECK_INT(check_frame(P_LU_READY, NULL, NULL, NULL, err, 1), ==, 0);
	CHECK_INT(check_frame(P_LU_READY, NULL, NULL, NULL, pos, 1), ==, -EINVAL);
	CHECK_INT(check_frame(P_LU_READY, NULL, NULL, NULL, size, 2), ==, -EINVAL);
	CHECK_INT(check_frame(P_LU_READY, NULL, NULL, NULL, NULL, 0), ==, -EINVAL);
}

static void test_request_not_a_request(void)
{
	CHECK_INT(check_req(P_REPLY, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
	CHECK_INT(check_req(P_CHAN_ADD, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
	CHECK_INT(check_req(P_INIT, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
	CHECK_INT(check_req(P_LU_PREPARE, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
}

int main(void)
{
	CHECK_RUN(test_backoff_minix);
	CHECK_RUN(test_backoff_flags);
	CHECK_RUN(test_request_up);
	CHECK_RUN(test_request_label_ops);
	CHECK_RUN(test_request_lookup);
	CHECK_RUN(test_request_update);
	CHECK_RUN(test_request_sysctl);
	CHECK_RUN(test_request_store);
	CHECK_RUN(test_request_lu_ready);
	CHECK_RUN(test_request_not_a_request);
	return check_done();
}
