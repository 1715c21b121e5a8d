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
 * live update and a restart.
 *
 *   live update   the old instance's state_save callback publishes the
 *                 counter (MINIX: u32 "open_counter" in DS, with
 *                 overwrite; here: a versioned state blob, version
 *                 HELLO_STATE_VERSION, one uint32_t), and the new
 *                 instance's init callback, called with type LU, reads
 *                 it back: the count continues ("Hey, I'm a new
 *                 version!", same endpoint).  An update needs no
 *                 prepare callback: the default state is 1 (WORK_FREE),
 *                 which libsef considers reached as soon as hello is back
 *                 at the top of its loop, between two requests.
 *   crash         a restart after a crash (kill -9, a fault) starts the
 *                 counter again at 0 under the same endpoint ("Hey, I've
 *                 just been restarted!"): the counter lived in the dead
 *                 instance's memory, and state_save never ran (ref §8
 *                 item 113).  Because we register a restart callback of
 *                 our own (instead of the default sef_cb_init_reset), it
 *                 is a real "restart", not a "reset".
 *
 *   -ds           with this argument (`reinc up hello -args -ds`) hello
 *                 keeps the count in the data store instead: every open
 *                 publishes u32 "open_counter" (overwrite) before it is
 *                 answered, and every init reads it back, so the count
 *                 survives a crash too.  `reinc down` removes it with the
 *                 rest of hello's entries: the next `up` starts at 0.
 *
 * After a fresh start and after a restart hello announces itself as
 * MINIX's drivers do: u32 "drv.chr.<label>" = DS_DRIVER_UP, overwritten,
 * so that a subscriber (MINIX's VFS) learns its endpoint (ref §8 item
 * 101).  Without a data store (reincd -ds none) the announcement fails
 * quietly and -ds falls back to the default.
 *
 * Everything else (ping, signals, the LU prepare and isvalid callbacks)
 * uses SEF's defaults: pings are answered by libsef, SIGTERM is ignored,
 * so `reinc down hello` ends with a SIGKILL after the grace; `reinc
 * update ... -label hello` with the default state 1 (WORK_FREE) needs
 * nothing more.
 */
#include <stdio.h>
#include <string.h>

#include <sef.h>

#include "hello.h"

static uint32_t open_counter;
static int keep_in_ds;   /* -ds */

/* Version of the state blob: one uint32_t, the counter. */
#define HELLO_STATE_VERSION 1

static int sef_cb_init(int type, sef_init_info_t *info)
{
	open_counter = 0;
	printf("Hello, World!\n");
	switch (type) {
	case SEF_INIT_LU: {
		/* Restore the counter the old version saved (MINIX: from DS
		 * u32 "open_counter", then deletes the key; the blob goes
		 * with the update by itself).  No blob (an old version that
		 * saved nothing) or one we cannot read: start at 0. */
		uint32_t ver;
		const void *p;
		size_t len;
		if (sef_lu_state_get(&ver, &p, &len) == 0 &&
		    ver == HELLO_STATE_VERSION && len == sizeof(open_counter))
			memcpy(&open_counter, p, sizeof(open_counter));
		printf("Hey, I'm a new version!\n");
		break;
	}
	case SEF_INIT_RESTART:
		printf("Hey, I've just been restarted!\n");
		break;
	}
	uint32_t saved;
	if (keep_in_ds && ds_retrieve_u32("open_counter", &saved) == 0)
		open_counter = saved;
	if (type != SEF_INIT_LU) {
		/* Announce the driver: drv.chr.<label> = DS_DRIVER_UP. */
		char key[DS_MAX_KEYLEN];
		snprintf(key, sizeof(key), "drv.chr.%s", info->label);
		ds_publish_u32(key, DS_DRIVER_UP, DSF_OVERWRITE);
	}
	fflush(stdout);
	return 0;
}

static int sef_cb_lu_state_save(int state, int flags)
{
	/* Publish the counter for the new version's init (MINIX: ds_publish_u32
	 * "open_counter" with DSF_OVERWRITE). */
	return sef_lu_state_put(HELLO_STATE_VERSION, &open_counter,
	                        sizeof(open_counter));
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
		/* -ds: durable before it is answered */
		if (keep_in_ds)
			ds_publish_u32("open_counter", open_counter,
			               DSF_OVERWRITE);
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

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-ds")) {
			keep_in_ds = 1;
		} else {
			fprintf(stderr, "usage: hello [-ds]\n");
			return 2;
		}
	}
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
