/*
 * evsvc.c - a process event subscriber for the shell tests, and the user
 * processes that exercise it.
 *
 *   evsvc [-mask M] [-hold] [-dir D]
 *       The service.  Each init calls proceventmask(M) (default 3: exit
 *       and signal) and appends "mask M RESULT" to D/LABEL.events.  Each
 *       PROC_EVENT appends "event EP exit|signal"; it is acknowledged at
 *       once ("ack EP EVENT RESULT"), or with -hold kept until an ACK
 *       request.  Always ready for a live update, which starts the new
 *       instance with nothing held.  D defaults to $REINC_RUNTIME_DIR.
 *
 *   evsvc -ctl LABEL OP [A [B]]     (a user process; prints the result)
 *       ack N        acknowledge the N oldest held events (0: all)
 *       raw EP EV    send a PROC_EVENT_REPLY with these fields as is
 *       mask M       proceventmask(M) in the service
 *       hold 0|1     hold events from now on, or not
 *       held         how many events are held
 *       wait         block until a signal event for the caller arrives;
 *                    answered EINTR (what the semaphore example does)
 *       manage OP L  the service calls rs_manage(OP, L) (control lists)
 *
 *   evsvc -user-mask M     proceventmask(M) as a user process; prints it
 *   evsvc -user-ack EP EV  a PROC_EVENT_REPLY sent by a user process
 *   evsvc -join [S]        join as a user process, print "ep N", sleep S
 *                          seconds (default: until killed), exit 0
 *
 * Results print as "OK N" or an errno name.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#define EV_CTL 0x3100
enum { OP_ACK = 1, OP_RAW, OP_MASK, OP_HOLD, OP_HELD, OP_WAIT, OP_MANAGE };

static const char *dir;
static unsigned mask = PROC_EVENT_EXIT | PROC_EVENT_SIGNAL;
static int hold;
static FILE *evf;

static struct { endpoint_t ep; int event; } held[4096];
static int nheld;
static endpoint_t waiter[256];
static int nwaiter;

static const char *errname(int r)
{
	static char buf[32];
	switch (-r) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EINTR: return "EINTR";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EDEADSRCDST: return "EDEADSRCDST";
	}
	snprintf(buf, sizeof(buf), "E%d", r);
	return buf;
}

static const char *evname(int e)
{
	return e == PROC_EVENT_EXIT ? "exit" : e == PROC_EVENT_SIGNAL ? "signal"
	                                                          : "?";
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(evf, fmt, ap);
	va_end(ap);
	fputc('\n', evf);
	fflush(evf);
}

static int ack(endpoint_t ep, int event)
{
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = PROC_EVENT_REPLY;
	m.m_pm_lsys_proc_event.endpt = ep;
	m.m_pm_lsys_proc_event.event = event;
	return ipc_send(PM_PROC_NR, &m);
}

static int init_cb(int type, sef_init_info_t *info)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.events", dir, sef_self_label());
	if (!evf && !(evf = fopen(path, "a")))
		return -errno;
	int r = proceventmask(mask);
	note("mask %u %s", mask, errname(r));
	return 0;
}

static void event(const message *m)
{
	endpoint_t ep = m->m_pm_lsys_proc_event.endpt;
	int e = m->m_pm_lsys_proc_event.event;
	note("event %d %s", ep, evname(e));
	if (e == PROC_EVENT_SIGNAL)
		for (int i = 0; i < nwaiter; i++)
			if (waiter[i] == ep) {
				message r;
				memset(&r, 0, sizeof(r));
				r.m_type = -EINTR;
				ipc_send(ep, &r);
				waiter[i] = waiter[--nwaiter];
				note("interrupted %d", ep);
				break;
			}
	if (hold && nheld < (int)(sizeof(held) / sizeof(held[0]))) {
		held[nheld].ep = ep;
		held[nheld].event = e;
		nheld++;
		return;
	}
	int r = ack(ep, e);
	note("ack %d %s %s", ep, evname(e), errname(r));
}

static int request(message *m)
{
	int op = m->m_i32[0], a = m->m_i32[1], b = m->m_i32[2];
	switch (op) {
	case OP_ACK: {
		int n = a <= 0 || a > nheld ? nheld : a, r = 0;
		for (int i = 0; i < n; i++) {
			r = ack(held[i].ep, held[i].event);
			note("ack %d %s %s", held[i].ep, evname(held[i].event),
			     errname(r));
		}
		memmove(held, held + n, (size_t)(nheld - n) * sizeof(held[0]));
		nheld -= n;
		return r < 0 ? r : n;
	}
	case OP_RAW:
		note("raw %d %d", a, b);
		return ack(a, b);
	case OP_MASK: {
		int r = proceventmask((unsigned)a);
		note("mask %d %s", a, errname(r));
		return r;
	}
	case OP_HOLD:
		hold = a;
		return 0;
	case OP_HELD:
		return nheld;
	case OP_WAIT:
		if (nwaiter == (int)(sizeof(waiter) / sizeof(waiter[0])))
			return -EBUSY;
		waiter[nwaiter++] = m->m_source;
		return EDONTREPLY;
	case OP_MANAGE: {
		/* m_u8[12..]: "op\0label\0" */
		char buf[44];
		memcpy(buf, m->m_u8 + 12, sizeof(buf));
		buf[sizeof(buf) - 1] = 0;
		const char *lab = buf + strlen(buf) + 1;
		if (lab >= buf + sizeof(buf))
			return -EINVAL;
		int r = rs_manage(buf, lab);
		note("manage %s %s %s", buf, lab, errname(r));
		return r;
	}
	}
	return -EINVAL;
}

static int service(void)
{
	sef_setcb_init_fresh(init_cb);
	sef_setcb_init_restart(init_cb);
	sef_setcb_init_lu(init_cb);
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
	int r = sef_startup();
	if (r < 0)
		return 1;
	for (;;) {
		message m;
		if (sef_receive(ANY, &m) < 0)
			continue;
		if (m.m_source == PM_PROC_NR && m.m_type == PROC_EVENT) {
			event(&m);
			continue;
		}
		if (m.m_type != EV_CTL)
			continue;
		int res = request(&m);
		if (res == EDONTREPLY)
			continue;
		message rep;
		memset(&rep, 0, sizeof(rep));
		rep.m_type = res;
		ipc_send(m.m_source, &rep);
	}
}

static int ctl(int argc, char **argv)
{
	static const char *ops[] = { NULL, "ack", "raw", "mask", "hold", "held",
	                             "wait", "manage" };
	if (argc < 2)
		return 2;
	int op = 0;
	for (int i = 1; i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		if (!strcmp(argv[1], ops[i]))
			op = i;
	if (!op)
		return 2;
	endpoint_t ep;
	int r = ds_retrieve_label_endpt(argv[0], &ep);
	if (r < 0) {
		printf("%s\n", errname(r));
		return 1;
	}
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = EV_CTL;
	m.m_i32[0] = op;
	if (op == OP_MANAGE) {
		if (argc != 4 || strlen(argv[2]) + strlen(argv[3]) + 2 > 44)
			return 2;
		memcpy(m.m_u8 + 12, argv[2], strlen(argv[2]) + 1);
		memcpy(m.m_u8 + 13 + strlen(argv[2]), argv[3], strlen(argv[3]) + 1);
	} else {
		m.m_i32[1] = argc > 2 ? (int)strtol(argv[2], NULL, 0) : 0;
		m.m_i32[2] = argc > 3 ? (int)strtol(argv[3], NULL, 0) : 0;
	}
	r = ipc_sendrec(ep, &m);
	if (r < 0) {
		printf("%s\n", errname(r));
		return 1;
	}
	if (m.m_type >= 0)
		printf("OK %d\n", m.m_type);
	else
		printf("%s\n", errname(m.m_type));
	return 0;
}

static volatile sig_atomic_t got;
static void on_signal(int sig)
{
	got = sig;
	/* async-signal-safe: the order of lines is what tests look at */
	static const char msg[] = "handler ran\n";
	(void)!write(1, msg, sizeof(msg) - 1);
}

static void usage(void)
{
	fprintf(stderr, "usage: evsvc [-mask M] [-hold] [-dir D]\n"
	        "       evsvc -ctl LABEL OP [A [B]]\n"
	        "       evsvc -user-mask M | -user-ack EP EV | -join [S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-mask") && v)
			mask = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(a, "-hold"))
			hold = 1;
		else if (!strcmp(a, "-dir") && v)
			dir = argv[++i];
		else if (!strcmp(a, "-ctl") && v) {
			struct sigaction sa = { .sa_handler = on_signal };
			sigaction(SIGUSR1, &sa, NULL);
			return ctl(argc - i - 1, argv + i + 1);
		} else if (!strcmp(a, "-user-mask") && v) {
			int r = proceventmask((unsigned)strtoul(v, NULL, 0));
			printf("%s\n", errname(r));
			return 0;
		} else if (!strcmp(a, "-user-ack") && i + 2 < argc) {
			int r = sef_startup();
			if (r == 0)
				r = ack((endpoint_t)strtol(argv[i + 1], NULL, 0),
				        (int)strtol(argv[i + 2], NULL, 0));
			printf("%s\n", errname(r));
			return 0;
		} else if (!strcmp(a, "-join")) {
			int r = sef_startup();
			if (r < 0) {
				printf("%s\n", errname(r));
				return 1;
			}
			printf("ep %d\n", sef_self());
			if (v)
				sleep((unsigned)atoi(v));
			else
				for (;;)
					pause();
			return 0;
		} else
			usage();
	}
	if (!dir)
		dir = getenv("REINC_RUNTIME_DIR");
	if (!dir)
		usage();
	return service();
}
