/*
 * check.h - the few macros reinc's unit tests share.
 *
 * A unit test file is a list of `static void test_xxx(void)` functions and
 * a main() that runs each with CHECK_RUN(test_xxx) and ends with
 * `return check_done();`.  Each test runs in its own forked process with a
 * timeout (CHECK_TIMEOUT seconds, default 10), so a crash, a hang or a
 * leak reported by LeakSanitizer at the child's exit fails that test only.
 * Output, one line per test, is what tests/run.sh counts:
 *
 *     ok - NAME
 *     not ok - NAME: detail
 *
 * and the exit status is 0 iff every test passed.  CHECK_NOFORK=1 runs the
 * tests in-process (for a debugger).
 *
 * The CHECK macros record a failure and carry on, so that a test still
 * frees what it allocated; a test that cannot go on after a failure
 * returns itself (`if (!CHECK(p)) return;` - every CHECK is an
 * expression that is true when the check passed).
 *
 * Deliberately not a framework: no registration magic, no fixtures.
 */
#ifndef REINC_TEST_CHECK_H
#define REINC_TEST_CHECK_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK_DETAIL_MAX 512

/* UndefinedBehaviorSanitizer (make SANITIZER=address,undefined) only
 * prints by default; in a unit test undefined behaviour is a failure.
 * The runtime calls this if present ($UBSAN_OPTIONS still overrides it);
 * without UBSan it is unused.  One definition per test binary: include
 * this header from the test's single .c file only. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static struct {
	int failed;             /* checks failed in the current test */
	int tests, tests_failed;
	int fd;                 /* child -> parent: first failure, or -1 */
	char detail[CHECK_DETAIL_MAX];
} check__st = { .fd = -1 };

/* Record a failure of the running test (printf-style detail). */
__attribute__((format(printf, 3, 4)))
static inline int check__fail(const char *file, int line, const char *fmt, ...)
{
	char msg[CHECK_DETAIL_MAX - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The first failure goes on the test's line; every one on stderr. */
	if (check__st.failed++ == 0)
		snprintf(check__st.detail, sizeof(check__st.detail),
		         "%s:%d: %s", file, line, msg);
	fprintf(stderr, "  %s:%d: %s\n", file, line, msg);
	return 0;
}

/* True when cond holds; otherwise records a failure. */
#define CHECK(cond) \
	((cond) ? 1 : check__fail(__FILE__, __LINE__, "%s", #cond))

/* Integer comparison, printing both values: CHECK_INT(r, ==, -EPROTO).
 * Each operand is evaluated once; both are compared as long long. */
#define CHECK_INT(a, op, b) \
	check__int((long long)(a), #op, (long long)(b), #a " " #op " " #b, \
	           __FILE__, __LINE__)
static inline int check__int(long long a, const char *op, long long b,
                             const char *expr, const char *file, int line)
{
	int ok;
	if (!strcmp(op, "=="))
		ok = a == b;
	else if (!strcmp(op, "!="))
		ok = a != b;
	else if (!strcmp(op, "<"))
		ok = a < b;
	else if (!strcmp(op, "<="))
		ok = a <= b;
	else if (!strcmp(op, ">"))
		ok = a > b;
	else if (!strcmp(op, ">="))
		ok = a >= b;
	else
		return check__fail(file, line, "bad operator in %s", expr);
	return ok ? 1 : check__fail(file, line, "%s (%lld vs %lld)", expr, a, b);
}

/* String equality; NULL is a value that only equals NULL. */
#define CHECK_STR(a, b) check__str((a), (b), #a, #b, __FILE__, __LINE__)
static inline int check__str(const char *a, const char *b, const char *ea,
                             const char *eb, const char *file, int line)
{
	if ((!a && !b) || (a && b && strcmp(a, b) == 0))
		return 1;
	return check__fail(file, line, "%s == %s (\"%s\" vs \"%s\")", ea, eb,
	                   a ? a : "(null)", b ? b : "(null)");
}

/* n bytes equal. */
#define CHECK_MEM(a, b, n) \
	(memcmp((a), (b), (n)) == 0 ? 1 : \
	 check__fail(__FILE__, __LINE__, "%s and %s differ", #a, #b))

/* Run one test in-process; returns 1 if it passed. */
static inline int check__run_here(void (*fn)(void))
{
	check__st.failed = 0;
	check__st.detail[0] = 0;
	fn();
	return check__st.failed == 0;
}

static inline void check__report(const char *name, int ok, const char *detail)
{
	check__st.tests++;
	if (ok) {
		printf("ok - %s\n", name);
	} else {
		check__st.tests_failed++;
		printf("not ok - %s: %s\n", name, detail);
	}
	fflush(stdout);
}

/* Run fn as test `name` in a child process and print its line. */
static inline void check_run(const char *name, void (*fn)(void))
{
	const char *e = getenv("CHECK_NOFORK");
	if (e && *e && strcmp(e, "0") != 0) {
		int ok = check__run_here(fn);
		check__report(name, ok, check__st.detail);
		return;
	}

	int p[2];
	fflush(stdout);
	fflush(stderr);
	if (pipe(p) < 0) {
		check__report(name, 0, "pipe failed");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		check__report(name, 0, "fork failed");
		return;
	}
	if (pid == 0) {
		close(p[0]);
		const char *t = getenv("CHECK_TIMEOUT");
		alarm(t && atoi(t) > 0 ? (unsigned)atoi(t) : 10);
		int ok = check__run_here(fn);
		if (!ok) {
			ssize_t w = write(p[1], check__st.detail,
			                  strlen(check__st.detail));
			(void)w;
		}
		close(p[1]);
		fflush(stdout);
		/* exit(), not _exit(): LeakSanitizer checks at exit. */
		exit(ok ? 0 : 1);
	}
	close(p[1]);
	char detail[CHECK_DETAIL_MAX];
	size_t got = 0;
	for (;;) {
		ssize_t r = read(p[0], detail + got, sizeof(detail) - 1 - got);
		if (r > 0 && (got += (size_t)r) < sizeof(detail) - 1)
			continue;
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
	detail[got] = 0;
	close(p[0]);

	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGALRM)
			snprintf(detail, sizeof(detail), "timed out");
		else
			snprintf(detail, sizeof(detail), "killed by signal %d (%s)",
			         WTERMSIG(st), strsignal(WTERMSIG(st)));
		check__report(name, 0, detail);
	} else if (WEXITSTATUS(st) == 0) {
		check__report(name, 1, "");
	} else {
		if (!got)
			snprintf(detail, sizeof(detail),
			         "exit status %d (sanitizer report on stderr?)",
			         WEXITSTATUS(st));
		check__report(name, 0, detail);
	}
}

/* CHECK_RUN(test_foo) runs test_foo as "foo". */
#define CHECK_RUN(fn) \
	check_run(strncmp(#fn, "test_", 5) == 0 ? &(#fn)[5] : #fn, fn)

/* main()'s return value: 0 iff every test passed. */
static inline int check_done(void)
{
	fprintf(stderr, "%d tests, %d failed\n", check__st.tests,
	        check__st.tests_failed);
	return check__st.tests_failed ? 1 : 0;
}

#endif /* REINC_TEST_CHECK_H */
