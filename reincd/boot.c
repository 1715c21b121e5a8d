/*
 * boot.c - reincd -c FILE: start the services a system.conf lists
 * (ref §2.13; docs/config.md).
 *
 * The file is read and checked before anything starts: a syntax error, a
 * bad value, an `after` naming no service of the file, a cycle, or
 * anything svc_up would refuse is fatal.  Services then start in file
 * order, each as soon as the ones its `after` names have completed their
 * init (MINIX's synchronous boot, for the services that ask for it); the
 * others start at once.  Each entry counts the services it still waits
 * for, and each completed init only looks at the entries waiting for that
 * service.  A service that fails to come up is logged, and so is every
 * service that waited for it, which is not started.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reincd.h"
#include "sysconf.h"

static struct conf conf;
static int *order, norder;
/* per conf entry */
enum { B_WAITING, B_STARTED, B_GIVEN_UP, B_UP };
static char *state;
static uint8_t **frame;         /* its P_UP request, encoded and checked */
static size_t *frame_len;
static int *remaining;          /* `after` services not up yet */
static int **rdeps, *nrdeps;    /* entries that start after this one */
static int pending;             /* entries neither up nor given up */
static int ngiven_up;

static int index_of(const char *name)
{
	const struct conf_svc *v = conf_find(&conf, name);
	return v ? (int)(v - conf.svc) : -1;
}

int boot_load(const char *file, char *err, size_t errlen)
{
	if (conf_load(file, &conf, err, errlen) < 0)
		return -1;
	for (int i = 0; i < conf.nwarnings; i++)
		log_warn("%s", conf.warnings[i]);
	order = calloc((size_t)conf.nsvc + 1, sizeof(int));
	state = calloc((size_t)conf.nsvc + 1, 1);
	if (!order || !state) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	norder = conf_boot_order(&conf, order, err, errlen);
	if (norder < 0)
		return -1;
	/* Everything svc_up would refuse, refused now; each request is
	 * kept, ready for its start. */
	struct proto_buf *pb = malloc(sizeof(*pb));
	struct proto_msg *pm = malloc(sizeof(*pm));
	frame = calloc((size_t)conf.nsvc + 1, sizeof(*frame));
	frame_len = calloc((size_t)conf.nsvc + 1, sizeof(*frame_len));
	int r = pb && pm && frame && frame_len ? 0 : -ENOMEM;
	for (int k = 0; k < norder && r == 0; k++) {
		int i = order[k];
		const struct conf_svc *v = &conf.svc[i];
		char why[300] = "";
		conf_put_up(v, pb);
		int n = proto_finish(pb);
		if (n < 0)
			snprintf(why, sizeof(why), "the entry is too large");
		else if (proto_decode(pb->b, (size_t)n, pm) < 0)
			snprintf(why, sizeof(why), "the entry does not encode");
		else if (request_check(pm, why, sizeof(why)) < 0 ||
		         priv_check_syscalls(v->system, why, sizeof(why)) < 0)
			;
		else if (access(v->path, X_OK) < 0)
			snprintf(why, sizeof(why), "%s: %s", v->path,
			         strerror(errno));
		if (why[0]) {
			snprintf(err, errlen, "%s:%d: service '%s': %s", conf.file,
			         v->line, v->name, why);
			r = -1;
		} else if (!(frame[i] = malloc((size_t)n))) {
			r = -ENOMEM;
		} else {
			memcpy(frame[i], pb->b, (size_t)n);
			frame_len[i] = (size_t)n;
		}
	}
	free(pb);
	free(pm);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file);
	if (r < 0)
		return -1;
	/* the graph: how many each waits for, and who waits for each */
	remaining = calloc((size_t)conf.nsvc + 1, sizeof(int));
	nrdeps = calloc((size_t)conf.nsvc + 1, sizeof(int));
	rdeps = calloc((size_t)conf.nsvc + 1, sizeof(int *));
	if (!remaining || !nrdeps || !rdeps) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	for (int k = 0; k < norder; k++) {
		int i = order[k];
		for (char **a = conf.svc[i].after; a && *a; a++) {
			int d = index_of(*a);
			int *n = realloc(rdeps[d], (size_t)(nrdeps[d] + 1) * sizeof(int));
			if (!n) {
				snprintf(err, errlen, "%s: out of memory", file);
				return -1;
			}
			rdeps[d] = n;
			n[nrdeps[d]++] = i;
			remaining[i]++;
		}
	}
	pending = norder;
	return norder;
}

static void start(int i)
{
	const struct conf_svc *v = &conf.svc[i];
	struct proto_msg *pm = malloc(sizeof(*pm));
	char err[200] = "";
	int r = -ENOMEM;
	if (pm && (r = proto_decode(frame[i], frame_len[i], pm)) == 0)
		r = svc_up(pm, NULL, err, sizeof(err));
	if (r < 0)
		log_warn("boot: service '%s' (%s:%d) not started: %s", v->name,
		         conf.file, v->line, err[0] ? err : strerror(-r));
	else
		log_debug("boot: starting '%s'", v->name);
	free(pm);
	free(frame[i]);
	frame[i] = NULL;
}

static void give_up(int i, const char *why);

static void settle(int i, int st)
{
	state[i] = (char)st;
	if (--pending == 0) {
		if (ngiven_up)
			log_warn("boot: %d of the %d services of %s did not come up",
			         ngiven_up, norder, conf.file);
		else
			log_info("boot: every service of %s is up", conf.file);
	}
}

/* i will not come up: nor will those that start after it */
static void give_up(int i, const char *why)
{
	if (why)
		log_warn("boot: service '%s' not started: '%s', which it starts "
		         "after, did not come up", conf.svc[i].name, why);
	ngiven_up++;
	settle(i, B_GIVEN_UP);
	for (int k = 0; k < nrdeps[i]; k++)
		if (state[rdeps[i][k]] == B_WAITING)
			give_up(rdeps[i][k], conf.svc[i].name);
}

static void try_start(int i)
{
	if (state[i] != B_WAITING || remaining[i] || shutting_down)
		return;
	state[i] = B_STARTED;
	start(i);
	if (!svc_find(conf.svc[i].name) && state[i] == B_STARTED)
		give_up(i, NULL);   /* refused at once (logged by start) */
}

void boot_kick(void)
{
	for (int k = 0; pending && k < norder; k++)
		try_start(order[k]);
}

void boot_up(const struct svc *s)
{
	if (!pending)
		return;
	int i = index_of(s->label);
	if (i < 0 || state[i] != B_STARTED)
		return;
	settle(i, B_UP);
	for (int k = 0; k < nrdeps[i]; k++) {
		int r = rdeps[i][k];
		if (--remaining[r] == 0)
			try_start(r);
	}
}

void boot_gone(const struct svc *s)
{
	if (!pending)
		return;
	int i = index_of(s->label);
	if (i >= 0 && state[i] == B_STARTED)
		give_up(i, NULL);
}
