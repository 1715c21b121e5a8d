/*
 * sema_client.c - use the semaphore service (sema.c) from the shell.
 *
 *   sema_client [-label L] down N      take a unit of semaphore N (waits)
 *   sema_client [-label L] up N        give one back
 *   sema_client [-label L] get N       print "N value V waiting W"
 *   sema_client [-label L] hold N      take a unit and keep it until
 *                                      killed (prints "holding N")
 *
 * SIGUSR1 and SIGINT have a handler that prints "signal S handled": a
 * signal that arrives during a wait interrupts it ("down N: interrupted
 * (EINTR)", exit 4), and the handler runs after the service has answered,
 * so its line comes first.  Exit 0, 1 on an error, 2 on bad usage.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "sema.h"

static void handler(int sig)
{
	char msg[] = "signal ?? handled\n";
	msg[7] = (char)('0' + sig / 10);
	msg[8] = (char)('0' + sig % 10);
	(void)!write(1, msg, sizeof(msg) - 1);
}

static int call(endpoint_t ep, int op, int sem, message *m)
{
	memset(m, 0, sizeof(*m));
	m->m_type = SEMA_REQ;
	m->m_i32[0] = op;
	m->m_i32[1] = sem;
	int r = ipc_sendrec(ep, m);
	return r < 0 ? r : m->m_type;
}

int main(int argc, char **argv)
{
	const char *label = "sema";
	int i = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i + 1 < argc && !strcmp(argv[i], "-label")) {
		label = argv[i + 1];
		i += 2;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: sema_client [-label L] down|up|get|hold N\n");
		return 2;
	}
	const char *op = argv[i];
	int sem = atoi(argv[i + 1]);
	struct sigaction sa = { .sa_handler = handler };
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	endpoint_t ep;
	int r = ds_retrieve_label_endpt(label, &ep);
	if (r < 0) {
		fprintf(stderr, "sema_client: no service '%s': %s\n", label,
		        strerror(-r));
		return 1;
	}
	message m;
	if (!strcmp(op, "down") || !strcmp(op, "hold")) {
		r = call(ep, SEMA_DOWN, sem, &m);
		if (r == -EINTR) {
			printf("%s %d: interrupted (EINTR)\n", op, sem);
			return 4;
		}
		if (r < 0)
			goto err;
		printf("%s %d: ok\n", op, sem);
		if (!strcmp(op, "hold")) {
			printf("holding %d\n", sem);
			for (;;)
				pause();
		}
		return 0;
	}
	if (!strcmp(op, "up")) {
		if ((r = call(ep, SEMA_UP, sem, &m)) < 0)
			goto err;
		printf("up %d: ok\n", sem);
		return 0;
	}
	if (!strcmp(op, "get")) {
		if ((r = call(ep, SEMA_GET, sem, &m)) < 0)
			goto err;
		printf("%d value %d waiting %d\n", sem, r & 0xffff, r >> 16);
		return 0;
	}
	fprintf(stderr, "sema_client: unknown operation '%s'\n", op);
	return 2;
err:
	fprintf(stderr, "sema_client: %s %d: %s\n", op, sem,
	        r == -EDEADSRCDST ? "the service died" : strerror(-r));
	return 1;
}
