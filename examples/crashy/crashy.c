/*
 * crashy.c - a service that crashes on purpose, to watch crash recovery.
 *
 * It answers every request by echoing it (same m_type, same payload), and
 * after a random 5 to 15 seconds of running it calls abort().  libsef
 * prints the dying instance's stack trace into reincd's output, reincd
 * restarts it under the same endpoint and with a growing back-off (at
 * once, then 2, 4, 8 ... s), and a client that keeps sending requests
 * sees at most the one request being served at the moment of the crash
 * fail with EDEADSRCDST.
 *
 * The timer is an alarm(): libsef turns SIGALRM into a SEF signal event,
 * so the crash happens from inside the receive loop, where a real bug
 * would usually strike.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sef.h>

static unsigned lifetime;

/* Not static, so that -rdynamic exports the names and the stack trace
 * shows them: crashy_fault <- crashy_signal <- sef_receive_status. */
void crashy_fault(void) __attribute__((noinline));
void crashy_signal(int signo);

void crashy_fault(void)
{
	printf("time is up after %u s, calling abort()\n", lifetime);
	fflush(stdout);
	abort();
}

void crashy_signal(int signo)
{
	if (signo == SIGALRM)
		crashy_fault();
}

static int init(int type, sef_init_info_t *info)
{
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	lifetime = 5 + (unsigned)(rand() % 11);
	/* reincd prefixes each line with our label */
	if (type == SEF_INIT_FRESH)
		printf("started, will crash in %u s\n", lifetime);
	else
		printf("restarted (restart %d), will crash in %u s\n",
		       info->restarts, lifetime);
	fflush(stdout);
	alarm(lifetime);
	return 0;
}

int main(void)
{
	sef_setcb_init_fresh(init);
	sef_setcb_init_restart(init);
	sef_setcb_signal_handler(crashy_signal);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "sef_startup: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {
		message m;
		if ((r = sef_receive(ANY, &m)) < 0) {
			fprintf(stderr, "sef_receive: %s\n",
			        strerror(-r));
			continue;
		}
		/* echo: same type, same payload */
		if ((r = ipc_send(m.m_source, &m)) < 0)
			fprintf(stderr, "reply to %d: %s\n",
			        m.m_source, strerror(-r));
	}
}
