/*
 * boot.c - reincd -c FILE: start the services a system.conf lists
 * (ref §2.13; docs/config.md).
 *
 * The file is read and checked before anything starts: a syntax error, a
 * bad value, an `after` naming no service of the file, or a cycle is
 * fatal.  Services then start in file order, each as soon as the ones its
 * `after` names have completed their init (MINIX's synchronous boot, for
 * the services that ask for it); the others start at once.  A service
 * that fails to come up is logged, and so is every service that waited
 * for it, which is not started.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reincd.h"
#include "sysconf.h"

static struct conf conf;
static int *order, norder;
static char *state;     /* per conf entry: 0 waiting, 1 started, 2 given up */
static int pending;     /* entries still waiting */

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
	/* everything svc_up would refuse, refused now */
	struct proto_buf *pb = malloc(sizeof(*pb));
	struct proto_msg *pm = malloc(sizeof(*pm));
	int r = pb && pm ? 0 : -ENOMEM;
	for (int k = 0; k < norder && r == 0; k++) {
		const struct conf_svc *v = &conf.svc[order[k]];
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
		}
	}
	free(pb);
	free(pm);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file);
	if (r < 0)
		return -1;
	pending = norder;
	return norder;
}

static void start(const struct conf_svc *v)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	struct proto_msg *pm = malloc(sizeof(*pm));
	char err[200] = "";
	int r = -ENOMEM;
	if (pb && pm) {
		conf_put_up(v, pb);
		r = proto_finish(pb);
		if (r >= 0 && (r = proto_decode(pb->b, (size_t)r, pm)) == 0 &&
		    (r = request_check(pm, err, sizeof(err))) == 0)
			r = svc_up(pm, NULL, err, sizeof(err));
	}
	if (r < 0)
		log_warn("boot: service '%s' (%s:%d) not started: %s", v->name,
		         conf.file, v->line, err[0] ? err : strerror(-r));
	else
		log_debug("boot: starting '%s'", v->name);
	free(pb);
	free(pm);
}

void boot_kick(void)
{
	static int busy;
	if (!pending || busy || shutting_down)
		return;
	busy = 1;   /* svc_up can come back here (an instant failure) */
	for (int again = 1; again;) {
		again = 0;
		for (int k = 0; k < norder; k++) {
			int i = order[k];
			if (state[i])
				continue;
			const struct conf_svc *v = &conf.svc[i];
			int ready = 1;
			const char *failed = NULL;
			for (char **a = v->after; a && *a; a++) {
				int d = (int)(conf_find(&conf, *a) - conf.svc);
				struct svc *s = svc_find(*a);
				if (state[d] == 2 || (state[d] == 1 && !s))
					failed = *a;
				else if (!s || !s->started)
					ready = 0;
			}
			if (failed) {
				log_warn("boot: service '%s' not started: '%s', which "
				         "it starts after, did not come up", v->name,
				         failed);
				state[i] = 2;
			} else if (ready) {
				state[i] = 1;
				start(v);
				if (!svc_find(v->name))
					state[i] = 2;
			} else {
				continue;
			}
			pending--;
			again = 1;
		}
	}
	busy = 0;
	if (!pending)
		log_info("boot: every service of %s has been started", conf.file);
}
