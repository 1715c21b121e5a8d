/*
 * hello_client.c - talk to the hello service (hello.c) from an ordinary
 * process, the way `cat /dev/hello` talked to MINIX's hello driver.
 *
 *   hello_client [-n N] [label]
 *
 * Joins reincd as a user process (sef_startup, which finds reincd through
 * $REINC_RUNTIME_DIR), looks the label (default "hello") up and opens the
 * "device" N times (default 1), printing the message and the count of
 * opens the service reports.  Exits 0, or the positive errno of the first
 * failure (ESRCH 3: no such service; EDEADSRCDST 202: the service died
 * while answering — try again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sef.h>

#include "hello.h"

static int fail(const char *what, int r)
{
	fprintf(stderr, "hello_client: %s: %s (error %d)\n", what,
	        r == -EDEADSRCDST ? "service died while answering" :
	        strerror(-r), -r);
	return -r;
}

int main(int argc, char **argv)
{
	const char *label = "hello";
	long n = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atol(argv[++i]);
		else if (argv[i][0] != '-')
			label = argv[i];
		else {
			fprintf(stderr, "usage: hello_client [-n N] [label]\n");
			return EINVAL;
		}
	}

	int r = sef_startup();
	if (r < 0)
		return fail("cannot join reincd (is REINC_RUNTIME_DIR set?)", r);
	endpoint_t ep;
	if ((r = ds_retrieve_label_endpt(label, &ep)) < 0)
		return fail(label, r);

	for (long i = 0; i < n; i++) {
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = HELLO_OPEN;
		if ((r = ipc_sendrec(ep, &m)) < 0)
			return fail("open", r);
		if (m.m_type != 0)
			return fail("open", m.m_type < 0 ? m.m_type : -EPROTO);
		printf("%.*s", HELLO_MESSAGE_LEN,
		       (const char *)m.m_u8 + HELLO_MESSAGE_OFF);
		printf("opens: %u\n", (unsigned)m.m_u32[HELLO_COUNT_IDX]);
		fflush(stdout);

		memset(&m, 0, sizeof(m));
		m.m_type = HELLO_CLOSE;
		if ((r = ipc_sendrec(ep, &m)) < 0)
			return fail("close", r);
	}
	return 0;
}
