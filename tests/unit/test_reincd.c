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

static void test_request_not_a_request(void)
{
	CHECK_INT(check_req(P_REPLY, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
	CHECK_INT(check_req(P_CHAN_ADD, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
	CHECK_INT(check_req(P_INIT, NULL, NULL, 0, NULL, 0), ==, -EPROTO);
}

int main(void)
{
	CHECK_RUN(test_backoff_minix);
	CHECK_RUN(test_backoff_flags);
	CHECK_RUN(test_request_up);
	CHECK_RUN(test_request_label_ops);
	CHECK_RUN(test_request_lookup);
	CHECK_RUN(test_request_not_a_request);
	return check_done();
}
