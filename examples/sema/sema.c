/*
 * sema.c - a semaphore service: MINIX's IPC server (semop), simplified,
 * to show process events.
 *
 * A SEMA_DOWN on a semaphore at 0 is not answered until a unit comes
 * (SEMA_UP): the caller stays blocked in ipc_sendrec.  What the service
 * must learn from outside is what happens to a blocked caller meanwhile,
 * and that is what process events tell it (proceventmask):
 *   - PROC_EVENT_SIGNAL: the caller caught a signal.  Its request is
 *     answered -EINTR, as semop(2) does; the caller's handler runs after
 *     that (reincd holds it back until every subscriber acknowledged).
 *   - PROC_EVENT_EXIT: the caller (or any process) exited.  Its waits
 *     are cancelled without an answer and the units it held go to the
 *     next waiter, so a process killed while holding a semaphore does not
 *     block everyone else forever.
 * Every event is acknowledged (PROC_EVENT_REPLY to PM_PROC_NR) before the
 * next receive.
 *
 *   reinc up .../sema -label sema
 *   sema_client down 0 &      # blocks
 *   kill -USR1 %1             # sema_client: "down 0: interrupted (EINTR)"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sef.h>

#include "sema.h"

struct waiter { endpoint_t ep; int sem; };
struct holding { endpoint_t ep; int sem; int units; };

static int value[SEMA_MAX];
static struct waiter *waiters;   /* in arrival order */
static size_t nwaiters, capwaiters;
static struct holding *holdings;
static size_t nholdings, capholdings;

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t c = *cap ? *cap * 2 : 16;
	void *q = realloc(p, c * size);
	if (!q) {
		fprintf(stderr, "sema: out of memory\n");
		exit(1);
	}
	*cap = c;
	return q;
}

static void hold(endpoint_t ep, int sem, int units)
{
	for (size_t i = 0; i < nholdings; i++)
		if (holdings[i].ep == ep && holdings[i].sem == sem) {
			holdings[i].units += units;
			if (holdings[i].units <= 0)
				holdings[i] = holdings[--nholdings];
			return;
		}
	if (units <= 0)
		return;
	holdings = grow(holdings, &capholdings, nholdings, sizeof(*holdings));
	holdings[nholdings++] = (struct holding){ ep, sem, units };
}

static int held_by(endpoint_t ep, int sem)
{
	for (size_t i = 0; i < nholdings; i++)
		if (holdings[i].ep == ep && holdings[i].sem == sem)
			return holdings[i].units;
	return 0;
}

static void answer(endpoint_t ep, int result)
{
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = result;
	ipc_send(ep, &m);
}

static void remove_waiter(size_t i)
{
	memmove(&waiters[i], &waiters[i + 1],
	        (nwaiters - i - 1) * sizeof(*waiters));
	nwaiters--;
}

/* A unit of sem is free: the first waiter gets it, else the value grows. */
static void give(int sem)
{
	for (size_t i = 0; i < nwaiters; i++)
		if (waiters[i].sem == sem) {
			endpoint_t ep = waiters[i].ep;
			remove_waiter(i);
			hold(ep, sem, 1);
			answer(ep, 0);
			return;
		}
	value[sem]++;
}

static int request(const message *m, int *reply)
{
	int op = m->m_i32[0], sem = m->m_i32[1];
	*reply = 1;
	if (sem < 0 || sem >= SEMA_MAX)
		return -EINVAL;
	switch (op) {
	case SEMA_DOWN:
		if (value[sem] > 0) {
			value[sem]--;
			hold(m->m_source, sem, 1);
			return 0;
		}
		waiters = grow(waiters, &capwaiters, nwaiters, sizeof(*waiters));
		waiters[nwaiters++] = (struct waiter){ m->m_source, sem };
		*reply = 0;     /* answered by give(), or -EINTR */
		return 0;
	case SEMA_UP:
		if (held_by(m->m_source, sem))
			hold(m->m_source, sem, -1);
		give(sem);
		return 0;
	case SEMA_GET: {
		int n = 0;
		for (size_t i = 0; i < nwaiters; i++)
			n += waiters[i].sem == sem;
		return value[sem] | n << 16;
	}
	}
	return -EINVAL;
}

static void proc_event(const message *m)
{
	endpoint_t ep = m->m_pm_lsys_proc_event.endpt;
	int event = m->m_pm_lsys_proc_event.event;
	if (event == PROC_EVENT_SIGNAL) {
		/* semop(2): a caught signal interrupts the wait */
		for (size_t i = 0; i < nwaiters; i++)
			if (waiters[i].ep == ep) {
				remove_waiter(i);
				answer(ep, -EINTR);
				printf("endpoint %d interrupted by a signal\n", ep);
				break;
			}
	} else if (event == PROC_EVENT_EXIT) {
		for (size_t i = nwaiters; i-- > 0;)
			if (waiters[i].ep == ep)
				remove_waiter(i);   /* nobody to answer */
		for (size_t i = 0; i < nholdings;) {
			if (holdings[i].ep != ep) {
				i++;
				continue;
			}
			int sem = holdings[i].sem, units = holdings[i].units;
			holdings[i] = holdings[--nholdings];
			printf("endpoint %d exited holding %d of "
			       "semaphore %d: released\n", ep, units, sem);
			while (units-- > 0)
				give(sem);
		}
	}
	/* Acknowledge, always: the process is held until we do. */
	message r;
	memset(&r, 0, sizeof(r));
	r.m_type = PROC_EVENT_REPLY;
	r.m_pm_lsys_proc_event.endpt = ep;
	r.m_pm_lsys_proc_event.event = event;
	ipc_send(PM_PROC_NR, &r);
}

static int init(int type, sef_init_info_t *info)
{
	/* MINIX's IPC server subscribes when its first set is created;
	 * here, at once.  A restart starts over (state reset). */
	int r = proceventmask(PROC_EVENT_EXIT | PROC_EVENT_SIGNAL);
	if (r < 0)
		fprintf(stderr, "sema: proceventmask: %s\n", strerror(-r));
	return r;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	sef_setcb_init_fresh(init);
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	if (sef_startup() < 0)
		return 1;
	for (;;) {
		message m;
		if (sef_receive(ANY, &m) < 0)
			continue;
		if (m.m_source == PM_PROC_NR && m.m_type == PROC_EVENT) {
			proc_event(&m);
			continue;
		}
		if (m.m_type != SEMA_REQ) {
			answer(m.m_source, -EINVAL);
			continue;
		}
		int reply, r = request(&m, &reply);
		if (reply)
			answer(m.m_source, r);
	}
}
