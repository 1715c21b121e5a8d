/*
 * client.c - a user-process client of the test service (svc.c, svc.h).
 *
 *   client LABEL [-n N] [-type T] [-arg V] [-expect-errors]
 *                [-loop-until-file F] [-timeout S] [-interval MS]
 *                [-noreply] [-v]
 *
 * Joins reincd as a user process (sef_startup), looks LABEL up once (the
 * endpoint survives restarts) and sends N requests (default 1) of type T
 * (echo, info, sigs, hang, block, crash, exit, segv, notify, sleep, or a
 * number; default echo) with ipc_sendrec, numbering them and checking
 * that each reply answers its own request.  -n 0 with -loop-until-file F
 * sends as fast as it can until F exists: the zero-loss mode.  -interval
 * waits MS milliseconds between requests.
 *
 * Output: one line per reply for info and sigs (and for every request
 * with -v):
 *   info type=T restarts=R old_endpoint=E endpoint=E flags=F cbmask=M
 *        pings=P events=N requests=N pid=P
 *   sigs count=N all=N eintr=N pid=P
 *   reply seq=N type=T pid=P endpoint=E
 * a line for every failed request, then the summary
 *   sent=N ok=N dead=N other=N
 *   pids=N        (distinct instances that answered)
 *
 * A request answered with -EDEADSRCDST counts as dead, any other error or
 * a mismatched reply as other.  Exit status: 0 iff ok == sent, or with
 * -expect-errors iff ok + dead == sent (nothing lost); 1 otherwise; 2 if
 * a request got no answer within -timeout seconds (default 10, 0 = wait
 * forever); 3 if the label is unknown or reincd unreachable.
 * -noreply sends with ipc_send instead (the service does not answer).
 *
 * For add and luinfo (live-update tests):
 *   add counter=N region=N pid=P          (with -v, or for the last one)
 *   luinfo state=S saves=N changes=N last=O->N blobver=V counter=N
 *          fdino=I prepares=N defer=N pid=P
 * -check-counter: each add reply must be the previous one plus -arg (one
 * client alone on the service): a state lost or reset by an update shows
 * as "counter jump" and counts as other.  The last add reply is always
 * printed.  -max-gap-us prints "max_gap_us=N": the longest time between
 * two answers (the pause an update caused).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "svc.h"

static volatile sig_atomic_t cur_seq;
static int timeout_s = 10;

static void on_alarm(int sig)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf),
	                 "client: request %ld got no answer within %d s: hung\n",
	                 (long)cur_seq, timeout_s);
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		{ /* nothing more to do */ }
	_exit(2);
}

static const struct { const char *name; int type; } types[] = {
	{ "echo", SVC_ECHO }, { "info", SVC_INFO }, { "sigs", SVC_SIGS },
	{ "hang", SVC_HANG }, { "block", SVC_BLOCK }, { "crash", SVC_CRASH },
	{ "exit", SVC_EXIT }, { "segv", SVC_SEGV }, { "notify", SVC_NOTIFY },
	{ "sleep", SVC_SLEEP }, { "add", SVC_ADD }, { "luinfo", SVC_LUINFO },
	{ "defer", SVC_DEFER }, { "flush", SVC_FLUSH },
};

static int parse_type(const char *s)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(s, types[i].name))
			return types[i].type;
	char *end;
	long v = strtol(s, &end, 0);
	if (*s && !*end)
		return (int)v;
	fprintf(stderr, "client: unknown request type '%s'\n", s);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: client LABEL [-n N] [-type T] [-arg V] "
	        "[-expect-errors] [-loop-until-file F] [-timeout S] "
	        "[-interval MS] [-noreply] [-v]\n");
	exit(1);
}

/* Distinct pids seen, in order of appearance (a pid is listed again only
 * if another came in between, which a restarted service cannot cause). */
static long npids;
static int last_pid;

int main(int argc, char **argv)
{
	const char *label = NULL, *until = NULL;
	long n = 1;
	int type = SVC_ECHO, arg = 0, expect_errors = 0, noreply = 0;
	int verbose = 0, interval_ms = 0, check_counter = 0, gap = 0;
	long last_counter = -1, last_region = -1;
	int64_t last_t = 0, max_gap = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (!strcmp(a, "-n") && more)
			n = atol(argv[++i]);
		else if (!strcmp(a, "-type") && more)
			type = parse_type(argv[++i]);
		else if (!strcmp(a, "-arg") && more)
			arg = atoi(argv[++i]);
		else if (!strcmp(a, "-expect-errors"))
			expect_errors = 1;
		else if (!strcmp(a, "-loop-until-file") && more)
			until = argv[++i];
		else if (!strcmp(a, "-timeout") && more)
			timeout_s = atoi(argv[++i]);
		else if (!strcmp(a, "-interval") && more)
			interval_ms = atoi(argv[++i]);
		else if (!strcmp(a, "-noreply"))
			noreply = 1;
		else if (!strcmp(a, "-v"))
			verbose = 1;
		else if (!strcmp(a, "-check-counter"))
			check_counter = 1;
		else if (!strcmp(a, "-max-gap-us"))
			gap = 1;
		else if (a[0] != '-' && !label)
			label = a;
		else
			usage();
	}
	if (!label || (n <= 0 && !until))
		usage();

	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "client: sef_startup: %s (error %d)\n",
		        strerror(-r), -r);
		return 3;
	}
	endpoint_t ep;
	if ((r = ds_retrieve_label_endpt(label, &ep)) < 0) {
		fprintf(stderr, "client: lookup '%s': %s (error %d)\n", label,
		        strerror(-r), -r);
		return 3;
	}
	if (verbose)
		printf("client: '%s' is endpoint %d\n", label, ep);

	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	long sent = 0, ok = 0, dead = 0, other = 0;
	for (uint64_t seq = 1;; seq++) {
		if (n > 0 && sent >= n)
			break;
		if (until && access(until, F_OK) == 0)
			break;
		if (interval_ms > 0 && seq > 1)
			usleep((useconds_t)interval_ms * 1000);

		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = type;
		m.m_u64[0] = seq;
		m.m_i32[SVC_I_ARG] = arg;
		/* a pattern in the rest of the payload, checked on echo */
		for (int i = 3; i < 11; i++)
			m.m_i32[i] = (int32_t)(seq * 31 + (uint64_t)i);
		if (noreply)
			m.m_i32[SVC_I_FLAGS] = SVCF_NOREPLY;

		cur_seq = (sig_atomic_t)seq;
		if (timeout_s > 0)
			alarm((unsigned)timeout_s);
		r = noreply ? ipc_send(ep, &m) : ipc_sendrec(ep, &m);
		alarm(0);
		sent++;
		if (gap) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			int64_t t = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
			if (last_t && t - last_t > max_gap)
				max_gap = t - last_t;
			last_t = t;
		}

		if (r == -EDEADSRCDST) {
			dead++;
			printf("request %llu: dead (EDEADSRCDST)\n",
			       (unsigned long long)seq);
			continue;
		}
		if (r < 0) {
			other++;
			printf("request %llu: error %d (%s)\n",
			       (unsigned long long)seq, -r, strerror(-r));
			continue;
		}
		if (noreply) {
			ok++;
			continue;
		}
		int bad = m.m_type != type || m.m_u64[0] != seq;
		if (!bad && type == SVC_ECHO)
			for (int i = 3; i < 11; i++)
				if (m.m_i32[i] != (int32_t)(seq * 31 + (uint64_t)i))
					bad = 1;
		if (bad) {
			other++;
			printf("request %llu: wrong reply: type %d seq %llu\n",
			       (unsigned long long)seq, m.m_type,
			       (unsigned long long)m.m_u64[0]);
			continue;
		}
		if (type == SVC_ADD && check_counter && last_counter >= 0 &&
		    m.m_i32[2] != last_counter + arg) {
			other++;
			printf("request %llu: counter jump %ld -> %d\n",
			       (unsigned long long)seq, last_counter, m.m_i32[2]);
			last_counter = m.m_i32[2];
			continue;
		}
		if (type == SVC_ADD) {
			last_counter = m.m_i32[2];
			last_region = m.m_i32[3];
		}
		ok++;
		int pid = m.m_i32[SVC_I_PID];
		if (pid != last_pid) {
			npids++;
			last_pid = pid;
		}
		if (type == SVC_INFO)
			printf("info type=%d restarts=%d old_endpoint=%d "
			       "endpoint=%d flags=%d cbmask=%d pings=%d "
			       "events=%d requests=%d pid=%d\n",
			       m.m_i32[SVCI_TYPE], m.m_i32[SVCI_RESTARTS],
			       m.m_i32[SVCI_OLD_EP], m.m_i32[SVCI_EP],
			       m.m_i32[SVCI_FLAGS], m.m_i32[SVCI_CBMASK],
			       m.m_i32[SVCI_PINGS], m.m_i32[SVCI_EVENTS],
			       m.m_i32[SVCI_REQUESTS], pid);
		else if (type == SVC_SIGS)
			printf("sigs count=%d all=%d eintr=%d pid=%d\n",
			       m.m_i32[2], m.m_i32[3], m.m_i32[4], pid);
		else if (type == SVC_LUINFO)
			printf("luinfo state=%d saves=%d changes=%d last=%d->%d "
			       "blobver=%d counter=%d fdino=%d prepares=%d "
			       "defer=%d pid=%d\n",
			       m.m_i32[SVCL_STATE], m.m_i32[SVCL_SAVES],
			       m.m_i32[SVCL_CHANGES], m.m_i32[SVCL_LASTOLD],
			       m.m_i32[SVCL_LASTNEW], m.m_i32[SVCL_BLOBVER],
			       m.m_i32[SVCL_COUNTER], m.m_i32[SVCL_FDINO],
			       m.m_i32[SVCL_PREPARES], m.m_i32[SVCL_NDEFER], pid);
		else if (type == SVC_ADD && verbose)
			printf("add counter=%d region=%d pid=%d\n", m.m_i32[2],
			       m.m_i32[3], pid);
		else if (verbose)
			printf("reply seq=%llu type=%d pid=%d endpoint=%d\n",
			       (unsigned long long)seq, m.m_type, pid,
			       m.m_i32[SVC_I_EP]);
	}
	if (type == SVC_ADD && last_counter >= 0 && !verbose)
		printf("add counter=%ld region=%ld pid=%d\n", last_counter,
		       last_region, last_pid);
	if (gap)
		printf("max_gap_us=%lld\n", (long long)max_gap);
	printf("sent=%ld ok=%ld dead=%ld other=%ld\n", sent, ok, dead, other);
	printf("pids=%ld\n", npids);
	if (ok == sent || (expect_errors && ok + dead == sent))
		return 0;
	return 1;
}
