/*
 * hello.c - MINIX's hello driver (minix/drivers/examples/hello) as a
 * reinc service: the smallest complete example of a service.
 *
 * The driver keeps one piece of state, a count of opens.  Its character
 * device calls become two requests (hello.h):
 *
 *   HELLO_OPEN (0x1200)   count one more open, print "hello_open(). Called
 *                         N time(s).", reply m_type 0 with m_u32[0] = N
 *                         and the 14 bytes "Hello, World!\n" at m_u8[8..21]
 *   HELLO_CLOSE (0x1201)  print "hello_close()", reply m_type 0
 *
 * SEF wiring, as in MINIX: the same init callback for a fresh start, a
 * live update and a restart.  Because we register a restart callback of
 * our own (instead of the default sef_cb_init_reset), a restart after a
 * crash is a real "restart", not a "reset"; either way the endpoint
 * survives, and the counter starts again at 0 because it lived in the
 * dead instance's memory (ref §8 item 113).  Everything else (ping,
 * signals) uses SEF's defaults: pings are answered by libsef, SIGTERM is
 * ignored, so `reinc down hello` ends with a SIGKILL after the grace.
 *
 * Not here yet: MINIX keeps the counter across a live update by
 * publishing it in the data store (u32 key "open_counter") from the
 * state-save callback; that comes with dsd.
 */
#include <stdio.h>
#include <string.h>

#include <sef.h>

#include "hello.h"

static uint32_t open_counter;

static int sef_cb_init(int type, sef_init_info_t *info)
{
	open_counter = 0;
	printf("Hello, World!\n");
	switch (type) {
	case SEF_INIT_LU:
		/* MINIX restores open_counter from DS here and does not
		 * re-announce itself; the DS part comes with the data store. */
		printf("Hey, I'm a new version!\n");
		break;
	case SEF_INIT_RESTART:
		printf("Hey, I've just been restarted!\n");
		break;
	}
	fflush(stdout);
	return 0;
}

static int sef_cb_lu_state_save(int state, int flags)
{
	/* MINIX publishes open_counter in DS (with overwrite) here, for the
	 * new version's init to read back.  No-op until the data store
	 * exists: a live update then starts counting again at 0. */
	return 0;
}

static void sef_local_startup(void)
{
	sef_setcb_init_fresh(sef_cb_init);
	sef_setcb_init_lu(sef_cb_init);
	sef_setcb_init_restart(sef_cb_init);
	sef_setcb_lu_state_save(sef_cb_lu_state_save);

	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "hello: sef_startup: %s\n", strerror(-r));
		sef_exit(1);
	}
}

/* Handle one request; returns the reply's m_type. */
static int hello_request(message *m)
{
	switch (m->m_type) {
	case HELLO_OPEN:
		open_counter++;
		printf("hello_open(). Called %u time(s).\n",
		       (unsigned)open_counter);
		fflush(stdout);
		memset(m->m_raw, 0, sizeof(m->m_raw));
		m->m_u32[HELLO_COUNT_IDX] = open_counter;
		memcpy(m->m_u8 + HELLO_MESSAGE_OFF, HELLO_MESSAGE,
		       HELLO_MESSAGE_LEN);
		return 0;
	case HELLO_CLOSE:
		printf("hello_close()\n");
		fflush(stdout);
		memset(m->m_raw, 0, sizeof(m->m_raw));
		return 0;
	default:
		return -ENOSYS;
	}
}

int main(void)
{
	sef_local_startup();
	for (;;) {
		message m;
		int r = sef_receive(ANY, &m);
		if (r < 0) {
			fprintf(stderr, "hello: sef_receive: %s\n",
			        strerror(-r));
			continue;
		}
		endpoint_t who = m.m_source;
		m.m_type = hello_request(&m);
		if ((r = ipc_send(who, &m)) < 0)
			fprintf(stderr, "hello: reply to %d: %s\n", who,
			        strerror(-r));
	}
}
