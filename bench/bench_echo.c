/*
 * bench_echo.c - the service every benchmark talks to.
 *
 *   bench_echo [-burn-us N] [-think-ms M]   a libsef service (reincd's)
 *   BENCH_BARE_FD=N bench_echo      bare mode: no libsef at all
 *
 * As a libsef service it answers (bench.h):
 *   BE_PID       its pid in m_i32[0] and three CLOCK_MONOTONIC stamps:
 *                m_i64[1] entry of main(), m_i64[2] return of
 *                sef_startup() (init done), m_i64[3] just before the reply
 *                is sent; m_i32[1] = requests this instance served before.
 *                The restart benchmark uses them to split a restart into
 *                kill -> main, main -> init done, init done -> reply.
 *   BE_COUNT     (one-way) counts it; BE_GETCOUNT replies the count and
 *                resets it (one-way throughput).
 *   BE_START     (one-way) m_i32[0] = a peer endpoint: start ping-ponging
 *                notifications with it.  On every notification from a
 *                service it burns -burn-us microseconds of CPU (default
 *                100), then waits -think-ms milliseconds outside its
 *                receive loop (default 0: none; as if waiting for a disk
 *                or a database) and notifies the sender back: the "busy"
 *                load of the reincd-cost benchmark, where no service is
 *                idle in sef_receive yet each keeps going round its loop.
 *   BE_STATS     m_i64[0] notifications handled, m_i64[1] CPU ns burnt.
 *   BE_ECHO      the message back as it came (IPC round trips).
 * SIGTERM ends it (sef_cb_signal_handler_term), so a shutdown of 1,000 of
 * them does not wait for the SIGKILL grace.
 *
 * Bare mode (the restart floor, bench/bare_restart.c): the parent gives
 * it one end of a SOCK_SEQPACKET socketpair as fd N; it serves 72-byte
 * data frames (lib/proto.h layout) on it, answering each with a DF_REPLY
 * carrying the same payload fields as BE_PID, until end of file.  Nothing
 * of libsef runs: this is what the same binary costs without reincd.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <sef.h>

#include "bench.h"

static int64_t t_main, t_ready;
static int served;

static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fill_pid(message *m)
{
	memset(m->m_raw, 0, sizeof(m->m_raw));
	m->m_i32[0] = (int32_t)getpid();
	m->m_i32[1] = served++;
	m->m_i64[1] = t_main;
	m->m_i64[2] = t_ready;
	m->m_i64[3] = now_ns();
}

static int bare(int fd)
{
	/* as a libsef service would, die with the parent */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	t_ready = now_ns();
	uint8_t in[DF_SIZE + 8], out[DF_SIZE];
	for (;;) {
		/* Wait in poll, not in recv, as libsef waits in epoll: a
		 * process killed while blocked in recv can still dequeue a
		 * request that arrives between the kill and its exit, and
		 * that request would be lost. */
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			return 1;
		ssize_t n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return 1;
		}
		struct df d;
		if (df_decode(in, (size_t)n, &d) < 0 || d.kind != DF_REQ)
			continue;
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = 0;
		fill_pid(&m);
		df_encode(out, DF_REPLY, 0, d.seq, &m);
		if (send(fd, out, DF_SIZE, MSG_NOSIGNAL) < 0)
			return 1;
	}
}

int main(int argc, char **argv)
{
	t_main = now_ns();
	const char *bfd = getenv("BENCH_BARE_FD");
	if (bfd)
		return bare(atoi(bfd));

	int64_t burn_ns = 100000;
	int think_ms = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-burn-us") && i + 1 < argc)
			burn_ns = atoll(argv[++i]) * 1000;
		else if (!strcmp(argv[i], "-think-ms") && i + 1 < argc)
			think_ms = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench_echo [-burn-us N] "
			        "[-think-ms M]\n");
			return 2;
		}
	}

	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "bench_echo: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	t_ready = now_ns();

	int64_t count = 0, notifies = 0, burnt = 0;
	for (;;) {
		message m;
		int status = 0;
		r = sef_receive_status(ANY, &m, &status);
		if (r < 0) {
			if (r == -EINTR)
				continue;
			fprintf(stderr, "bench_echo: sef_receive: %s\n",
			        strerror(-r));
			sleep_ms(10);
			continue;
		}
		endpoint_t who = m.m_source;
		if (is_ipc_notify(status)) {
			int64_t c0 = cpu_ns(), c;
			while ((c = cpu_ns()) - c0 < burn_ns)
				;
			burnt += c - c0;
			notifies++;
			if (think_ms > 0)
				sleep_ms(think_ms);
			ipc_notify(who);
			continue;
		}
		switch (m.m_type) {
		case BE_ECHO:
			break;
		case BE_PID:
			fill_pid(&m);
			m.m_type = 0;
			break;
		case BE_COUNT:
			count++;
			continue;       /* one-way: no reply */
		case BE_GETCOUNT:
			memset(m.m_raw, 0, sizeof(m.m_raw));
			m.m_i64[0] = count;
			count = 0;
			m.m_type = 0;
			break;
		case BE_START:
			if ((r = ipc_notify(m.m_i32[0])) < 0)
				fprintf(stderr, "bench_echo: notify %d: %s\n",
				        m.m_i32[0], strerror(-r));
			continue;       /* one-way */
		case BE_STATS:
			memset(m.m_raw, 0, sizeof(m.m_raw));
			m.m_i64[0] = notifies;
			m.m_i64[1] = burnt;
			m.m_type = 0;
			break;
		default:
			m.m_type = -ENOSYS;
			break;
		}
		if ((r = ipc_send(who, &m)) < 0 && r != -EDEADSRCDST)
			fprintf(stderr, "bench_echo: reply to %d: %s\n", who,
			        strerror(-r));
	}
}
