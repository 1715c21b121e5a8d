/*
 * reinc.c - the reinc command, MINIX's `service` for reincd: parses a
 * MINIX-style command line, sends one request frame to reincd over its
 * public socket, waits for the reply and turns it into output and an exit
 * status (0, or the positive errno of the failure).
 *
 * With -config FILE (up, run) the MINIX entry named after the program
 * supplies what the command line does not give, and the service's
 * privileges (lib/sysconf.c).  What it deliberately does not do: time
 * out or retry (`up` blocks for as long as reincd takes
 * to initialise the service, as MINIX's `service` did), or duplicate
 * reincd's policy checks (label in use, permissions, label length):
 * reincd is the authority.  Locally it checks only what is cheaper and
 * clearer to check here: the command line itself and that the binary is
 * an absolute path to an executable regular file.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "reinc.h"
#include "sysconf.h"

#define REQ_ID   1    /* one request per connection: any id will do */
#define MAX_ARGS 10   /* MINIX's limit on the words of -args */

enum sc_kind { SC_SERVICE, SC_LABEL, SC_STATUS, SC_SYSCTL, SC_NONE };

struct subcmd {
	const char *name;
	int type;     /* P_* */
	int kind;     /* SC_* */
};

static const struct subcmd subcmds[] = {
	{ "up", P_UP, SC_SERVICE },         { "run", P_UP, SC_SERVICE },
	{ "edit", P_EDIT, SC_SERVICE },     { "update", P_UPDATE, SC_SERVICE },
	{ "down", P_DOWN, SC_LABEL },       { "refresh", P_REFRESH, SC_LABEL },
	{ "restart", P_RESTART, SC_LABEL }, { "clone", P_CLONE, SC_LABEL },
	{ "unclone", P_UNCLONE, SC_LABEL }, { "fi", P_FI, SC_LABEL },
	{ "lookup", P_LOOKUP, SC_LABEL },   { "status", P_STATUS, SC_STATUS },
	{ "sysctl", P_SYSCTL, SC_SYSCTL },  { "shutdown", P_SHUTDOWN, SC_NONE },
};

static const char *const sysctls[] = {
	NULL, "srv_status", "upd_start", "upd_run", "upd_stop", "upd_status",
};

/* Pair arguments (`-name value`) after the binary. */
enum { PR_LABEL, PR_ARGS, PR_PERIOD, PR_SCRIPT, PR_RESTARTS, PR_RESET,
       PR_ENV, PR_CWD, PR_STATE, PR_MAXTIME, PR_TRG_LABEL, PR_IPC_BL,
       PR_IPC_WL, PR_CONFIG, PR_IGNORE };
#define B(x) (1u << (x))

static const struct pair {
	const char *name;
	int id;
} pairs[] = {
	{ "-label", PR_LABEL },       { "-args", PR_ARGS },
	{ "-period", PR_PERIOD },     { "-script", PR_SCRIPT },
	{ "-restarts", PR_RESTARTS }, { "-reset-after", PR_RESET },
	{ "-env", PR_ENV },           { "-cwd", PR_CWD },
	{ "-state", PR_STATE },       { "-maxtime", PR_MAXTIME },
	{ "-config", PR_CONFIG },     { "-trg-label", PR_TRG_LABEL },
	{ "-ipc_bl", PR_IPC_BL },     { "-ipc_wl", PR_IPC_WL },
	/* MINIX pairs with no meaning here: accepted so that MINIX command
	 * lines keep working, and ignored. */
	{ "-dev", PR_IGNORE },        { "-major", PR_IGNORE },
	{ "-devid", PR_IGNORE },      { "-progname", PR_IGNORE },
	{ "-asr-count", PR_IGNORE },
	{ "-heap-prealloc", PR_IGNORE }, { "-map-prealloc", PR_IGNORE },
};

/* The pairs each subcommand sends; others given are warned about, since
 * silently dropping e.g. `edit -args` would look like it took effect. */
#define PAIRS_UP     (B(PR_LABEL) | B(PR_ARGS) | B(PR_PERIOD) | B(PR_SCRIPT) | \
                      B(PR_RESTARTS) | B(PR_RESET) | B(PR_ENV) | B(PR_CWD))
#define PAIRS_EDIT   (B(PR_LABEL) | B(PR_PERIOD) | B(PR_SCRIPT) | \
                      B(PR_RESTARTS) | B(PR_RESET))
/* An update keeps the service's environment and directory. */
#define PAIRS_UPDATE (B(PR_LABEL) | B(PR_STATE) | B(PR_MAXTIME) | B(PR_ARGS) | \
                      B(PR_TRG_LABEL) | B(PR_IPC_BL) | B(PR_IPC_WL))

struct req {
	const struct subcmd *sc;
	unsigned flags;           /* UPF_* from the single-letter flags */
	int batch;                /* -q */
	const char *bin;          /* path or "self"; NULL if omitted (edit) */
	const char *label;
	int label_given;
	unsigned given;           /* B(PR_*) of the pairs seen */
	char *argv_blob;          /* -args words, NUL-terminated */
	size_t argv_len;
	char *env_blob;           /* -env NAME=VALUE, NUL-terminated */
	size_t env_len;
	char *script, *cwd;       /* absolute */
	const char *trg_label;    /* update -trg-label */
	char *ipcf_blob;          /* -ipc_bl/-ipc_wl: "b:SPEC" / "w:SPEC" */
	size_t ipcf_len;
	int nipcf;
	int64_t period, restarts, reset, lu_state, maxtime, subtype;
	int json;
	const char *config;       /* up -config FILE */
	struct conf conf;
	const struct conf_svc *cv;  /* its entry for the binary */
};

/* What failure messages name: "reinc: SUB TARGET: reason (error N)". */
static const char *g_sub, *g_target;

static void usage(FILE *f)
{
	fputs(
"usage: reinc [-bcdefnopqxyz] (up|run|edit|update) <binary|self>\n"
"             [-label L] [-args \"a b c\"] [-period D] [-script S]\n"
"             [-restarts N] [-reset-after D] [-env NAME=VALUE]... [-cwd DIR]\n"
"             [-state N] [-maxtime D] [-trg-label L]\n"
"             [-ipc_wl|-ipc_bl label,type[:label,type...]]\n"
"       reinc (down|refresh|restart|clone|unclone|fi|lookup) <label>\n"
"       reinc status [label] [--json]\n"
"       reinc sysctl (srv_status|upd_start|upd_run|upd_stop|upd_status)\n"
"       reinc shutdown\n"
"flags: -n do not wait for init  -p keep a hot standby  -f never restart\n"
"       -b no exponential back-off  -c keep a copy of the binary\n"
"       -x/-y/-z instance crashes/fails/hangs in init (debug)\n"
"       -d SEF default callbacks  -e detach the old instance (update)\n"
"       -q batch (update only)  -o prepare only (update only)\n"
"durations: 500ms 2s 1.5s 3m 5HZ (=5s) or MINIX ticks (60 per second)\n"
"see reinc(8)\n", f);
}

/* Print "reinc: SUB TARGET: reason (error N)" and return -err. */
static int fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("reinc: ", stderr);
	if (g_sub)
		fprintf(stderr, "%s%s%s: ", g_sub, g_target ? " " : "",
		        g_target ? g_target : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (error %d)\n", err);
	return -err;
}

/* reinc's own error numbers are outside Linux's range, so strerror()
 * knows nothing about them. */
static const char *reason(int n, const char *errmsg)
{
	if (errmsg && *errmsg)
		return errmsg;
	switch (n) {
	case EDEADSRCDST: return "service died while serving the request";
	case EDEADEPT:    return "service died or failed to initialise";
	case ENOTREADY:   return "service not ready for the update";
	case EGENERIC:    return "generic failure";
	case EDONTREPLY:  return "no reply";
	case EBADCALL:    return "unexpected call";
	}
	return strerror(n);
}

/* A decimal number in [0, max], digits only (no sign, no spaces). */
static int parse_count(const char *s, int64_t max, int64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_dur(const char *name, const char *v, int64_t *ms)
{
	/* Checked apart so that the message says what is wrong; the
	 * parser refuses negative values too. */
	if (v[0] == '-')
		return fail(EINVAL, "%s must not be negative: '%s'", name, v);
	if (proto_parse_duration(v, ms) < 0 || *ms > INT32_MAX)
		return fail(EINVAL, "%s: bad duration '%s' (e.g. 500ms, 2s, "
		            "5HZ, or MINIX ticks)", name, v);
	return 0;
}

/* reincd resolves paths in its own working directory, not ours: send
 * absolute ones.  realpath also catches a missing file early. */
static int make_abs(const char *name, const char *v, char **out)
{
	char *p = v[0] == '/' ? strdup(v) : realpath(v, NULL);

	if (!p) {
		int e = errno;
		return fail(e, "%s %s: %s", name, v, strerror(e));
	}
	free(*out);
	*out = p;
	return 0;
}

/* -args "a b  c": MINIX splits on spaces only and keeps at most 10 words.
 * The blob has the words only: argv[0] is reincd's to choose. */
static int split_args(struct req *rq, const char *v)
{
	char *blob = malloc(strlen(v) + 1);  /* words + NULs never exceed it */
	size_t out = 0;
	int count = 0, dropped = 0;

	if (!blob)
		return fail(ENOMEM, "%s", strerror(ENOMEM));
	for (const char *p = v; *p; ) {
		const char *e;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		for (e = p; *e && *e != ' '; e++)
			;
		if (count < MAX_ARGS) {
			memcpy(blob + out, p, (size_t)(e - p));
			out += (size_t)(e - p);
			blob[out++] = 0;
			count++;
		} else
			dropped++;
		p = e;
	}
	if (dropped)
		fprintf(stderr, "reinc: warning: -args: at most %d arguments; "
		        "%d ignored\n", MAX_ARGS, dropped);
	free(rq->argv_blob);
	rq->argv_blob = blob;
	rq->argv_len = out;
	return 0;
}

static int add_env(struct req *rq, const char *v)
{
	const char *eq = strchr(v, '=');
	size_t n = strlen(v) + 1;
	char *p;

	if (!eq || eq == v)
		return fail(EINVAL, "-env needs NAME=VALUE, not '%s'", v);
	p = realloc(rq->env_blob, rq->env_len + n);
	if (!p)
		return fail(ENOMEM, "%s", strerror(ENOMEM));
	memcpy(p + rq->env_len, v, n);
	rq->env_blob = p;
	rq->env_len += n;
	return 0;
}

/* -ipc_bl/-ipc_wl SPEC: elements "label,type" separated by ':', either
 * part may be empty but not both, the type a decimal number (MINIX).
 * Labels are resolved by reincd. */
static int add_ipcf(struct req *rq, int white, const char *v)
{
	const char *name = white ? "-ipc_wl" : "-ipc_bl";
	if (rq->nipcf == IPCF_MAX_FILTERS)
		return fail(EINVAL, "at most %d IPC filters", IPCF_MAX_FILTERS);
	int nel = 0;
	for (const char *e = v; ; nel++) {
		const char *end = strchr(e, ':');
		size_t len = end ? (size_t)(end - e) : strlen(e);
		const char *comma = memchr(e, ',', len);
		if (!comma || (comma == e && comma + 1 == e + len))
			return fail(EINVAL, "%s: element '%.*s' is not label,type "
			            "(one of them may be empty)", name, (int)len, e);
		for (const char *t = comma + 1; t < e + len; t++)
			if (*t < '0' || *t > '9')
				return fail(EINVAL, "%s: bad type in '%.*s'", name,
				            (int)len, e);
		if (nel + 1 > IPCF_MAX_ELEMENTS)
			return fail(EINVAL, "%s: too many elements", name);
		if (!end)
			break;
		e = end + 1;
	}
	size_t n = strlen(v) + 3;
	char *p = realloc(rq->ipcf_blob, rq->ipcf_len + n);
	if (!p)
		return fail(ENOMEM, "%s", strerror(ENOMEM));
	p[rq->ipcf_len] = white ? 'w' : 'b';
	p[rq->ipcf_len + 1] = ':';
	memcpy(p + rq->ipcf_len + 2, v, n - 2);
	rq->ipcf_blob = p;
	rq->ipcf_len += n;
	rq->nipcf++;
	return 0;
}

static int set_pair(struct req *rq, const struct pair *pr, const char *v)
{
	int64_t n;

	switch (pr->id) {
	case PR_LABEL:
		if (!*v)
			return fail(EINVAL, "-label must not be empty");
		rq->label = v;
		rq->label_given = 1;
		return 0;
	case PR_ARGS:
		return split_args(rq, v);
	case PR_PERIOD:
		return parse_dur("-period", v, &rq->period);
	case PR_SCRIPT:
		return make_abs("-script", v, &rq->script);
	case PR_RESTARTS:
		if (parse_count(v, INT32_MAX, &rq->restarts) < 0)
			return fail(EINVAL, "-restarts needs a number >= 0, "
			            "not '%s'", v);
		return 0;
	case PR_RESET:
		return parse_dur("-reset-after", v, &rq->reset);
	case PR_ENV:
		return add_env(rq, v);
	case PR_CWD:
		return make_abs("-cwd", v, &rq->cwd);
	case PR_STATE:
		/* MINIX also took an expression (state 4, EVAL); not here. */
		if (parse_count(v, INT32_MAX, &n) < 0 || n == 0)
			return fail(EINVAL, "-state needs a number >= 1, "
			            "not '%s'", v);
		rq->lu_state = n;
		return 0;
	case PR_MAXTIME:
		if (parse_dur("-maxtime", v, &n) < 0)
			return -EINVAL;
		rq->maxtime = n ? n : -1;     /* 0: no deadline (MINIX) */
		return 0;
	case PR_IPC_BL: case PR_IPC_WL:
		return add_ipcf(rq, pr->id == PR_IPC_WL, v);
	case PR_TRG_LABEL:
		if (!*v)
			return fail(EINVAL, "-trg-label must not be empty");
		rq->trg_label = v;
		return 0;
	case PR_CONFIG:
		rq->config = v;
		return 0;
	}
	return 0;     /* PR_IGNORE */
}

static const char *pair_name(int id)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i].id == id)
			return pairs[i].name;
	return "?";
}

/* An absolute path to an existing, executable regular file.  The
 * execute bits are looked at rather than access(X_OK): the service runs
 * as reincd's user, which need not be ours. */
static int check_binary(const char *path)
{
	struct stat st;

	if (path[0] != '/')
		return fail(EINVAL, "the binary must be an absolute path");
	if (stat(path, &st) < 0) {
		int e = errno;
		return fail(e, "%s", strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		return fail(EINVAL, "not a regular file");
	if (!(st.st_mode & 0111))
		return fail(EACCES, "not executable");
	return 0;
}

/* -config FILE (MINIX): the entry named after the program supplies what
 * the command line does not give, and the privileges. */
static int apply_config(struct req *rq)
{
	char err[600];
	if (rq->sc->type != P_UP)
		return fail(EINVAL, "-config is only for up and run");
	if (conf_load(rq->config, &rq->conf, err, sizeof(err)) < 0)
		return fail(EINVAL, "%s", err);
	for (int i = 0; i < rq->conf.nwarnings; i++)
		fprintf(stderr, "reinc: warning: %s\n", rq->conf.warnings[i]);
	const char *prog = strrchr(rq->bin, '/');
	prog = prog ? prog + 1 : rq->bin;
	const struct conf_svc *v = rq->cv = conf_find(&rq->conf, prog);
	if (!v)
		return fail(ESRCH, "service '%s' not found in '%s'", prog,
		            rq->config);
	if (!(rq->given & B(PR_ARGS)) && v->args) {
		free(rq->argv_blob);
		if (!(rq->argv_blob = conf_vec_blob(v->args, &rq->argv_len)))
			return fail(ENOMEM, "%s", strerror(ENOMEM));
		rq->given |= B(PR_ARGS);
	}
	if (!(rq->given & B(PR_ENV)) && v->env) {
		free(rq->env_blob);
		if (!(rq->env_blob = conf_vec_blob(v->env, &rq->env_len)))
			return fail(ENOMEM, "%s", strerror(ENOMEM));
	}
	if (!(rq->given & B(PR_CWD)) && v->cwd) {
		if (!(rq->cwd = strdup(v->cwd)))
			return fail(ENOMEM, "%s", strerror(ENOMEM));
		rq->given |= B(PR_CWD);
	}
	if (!(rq->given & B(PR_SCRIPT)) && v->script) {
		if (!(rq->script = strdup(v->script)))
			return fail(ENOMEM, "%s", strerror(ENOMEM));
		rq->given |= B(PR_SCRIPT);
	}
	if (!(rq->given & B(PR_PERIOD)) && v->period_ms >= 0)
		rq->period = v->period_ms;
	if (!(rq->given & B(PR_RESET)) && v->reset_ms >= 0) {
		rq->reset = v->reset_ms;
		rq->given |= B(PR_RESET);
	}
	rq->flags |= (unsigned)conf_flags(v);
	return 0;
}

/* up|run|edit|update <binary|self> [pairs...] */
static int parse_service(struct req *rq, int n, char **a)
{
	int type = rq->sc->type, k = 0, r;
	unsigned used;

	/* edit only changes policy, so its binary may be left out. */
	if (n > 0 && !(type == P_EDIT && a[0][0] == '-'))
		rq->bin = a[k++];
	else if (type != P_EDIT)
		return fail(EINVAL, "wrong number of arguments: no binary");
	g_target = rq->bin;
	rq->lu_state = 1;
	rq->maxtime = 0;      /* MINIX: no -maxtime = RS's default (2 s) */

	for (; k < n; k += 2) {
		const struct pair *pr = NULL;
		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
			if (!strcmp(a[k], pairs[i].name))
				pr = &pairs[i];
		if (!pr)
			return fail(EINVAL, "unknown argument '%s'", a[k]);
		if (k + 1 >= n)
			return fail(EINVAL, "%s needs a value", a[k]);
		if ((r = set_pair(rq, pr, a[k + 1])) < 0)
			return r;
		rq->given |= B(pr->id);
	}

	int self = rq->bin && !strcmp(rq->bin, "self");
	used = type == P_EDIT ? PAIRS_EDIT :
	       type == P_UPDATE ? PAIRS_UPDATE : PAIRS_UP;
	if (type == P_UPDATE && self)   /* same binary, same command line */
		used &= ~(B(PR_ARGS) | B(PR_ENV) | B(PR_CWD));
	for (int id = 0; id < PR_CONFIG; id++)
		if ((rq->given & ~used) & B(id))
			fprintf(stderr, "reinc: warning: %s has no effect with "
			        "%s%s\n", pair_name(id), rq->sc->name,
			        type == P_UPDATE && self ? " self" : "");

	if (type == P_UP || (type == P_UPDATE && !self))
		if ((r = check_binary(rq->bin)) < 0)
			return r;
	if (rq->config && (r = apply_config(rq)) < 0)
		return r;
	if (!rq->label_given) {
		if (type == P_EDIT || self)
			return fail(EINVAL, "-label is required");
		const char *base = strrchr(rq->bin, '/');
		rq->label = base ? base + 1 : rq->bin;
	} else
		g_target = rq->label;
	return 0;
}

/* status [label] [--json|-json] */
static int parse_status(struct req *rq, int n, char **a)
{
	for (int k = 0; k < n; k++) {
		if (!strcmp(a[k], "--json") || !strcmp(a[k], "-json"))
			rq->json = 1;
		else if (a[k][0] == '-')
			return fail(EINVAL, "unknown option '%s'", a[k]);
		else if (rq->label)
			return fail(EINVAL, "wrong number of arguments");
		else
			rq->label = g_target = a[k];
	}
	return 0;
}

/* Everything after the flags: the subcommand and its arguments. */
static int parse_command(struct req *rq, int n, char **a)
{
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (!strcmp(a[0], subcmds[i].name))
			rq->sc = &subcmds[i];
	if (!rq->sc) {
		fail(ENOSYS, "unknown subcommand '%s'", a[0]);
		usage(stderr);
		return -ENOSYS;
	}
	g_sub = rq->sc->name;
	if (rq->batch && rq->sc->type != P_UPDATE)
		return fail(EINVAL, "-q is only valid with update");
	n--, a++;
	switch (rq->sc->kind) {
	case SC_SERVICE:
		return parse_service(rq, n, a);
	case SC_STATUS:
		return parse_status(rq, n, a);
	case SC_LABEL:
		if (n != 1)
			return fail(EINVAL, "wrong number of arguments: "
			            "needs one label");
		rq->label = g_target = a[0];
		if (!*rq->label)
			return fail(EINVAL, "the label must not be empty");
		return 0;
	case SC_SYSCTL:
		if (n != 1)
			return fail(EINVAL, "wrong number of arguments");
		g_target = a[0];
		for (int i = 1; i < (int)(sizeof(sysctls) / sizeof(sysctls[0])); i++)
			if (!strcmp(a[0], sysctls[i]))
				rq->subtype = i;
		if (!rq->subtype)
			return fail(EINVAL, "unknown sysctl (srv_status, "
			            "upd_start, upd_run, upd_stop, upd_status)");
		return 0;
	}
	if (n != 0)   /* SC_NONE */
		return fail(EINVAL, "wrong number of arguments");
	return 0;
}

/* 0, 1 if the usage was asked for, or -errno (message printed). */
static int parse(struct req *rq, int argc, char **argv)
{
	int i;

	/* Single-letter flags before the subcommand, grouped or not
	 * ("-nb" = "-n -b"), as MINIX's getopt accepted them. */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		}
		if (a[1] == '-') {
			fail(EINVAL, "unknown option '%s'", a);
			usage(stderr);
			return -EINVAL;
		}
		for (const char *p = a + 1; *p; p++) {
			switch (*p) {
			case 'h': usage(stdout); return 1;
			case 'n': rq->flags |= UPF_NOBLOCK; break;
			case 'p': rq->flags |= UPF_REPLICA; break;
			case 'f': rq->flags |= UPF_NORESTART; break;
			case 'b': rq->flags |= UPF_NO_BIN_EXP; break;
			case 'c': rq->flags |= UPF_COPY; break;
			case 'r': rq->flags |= UPF_COPY; break; /* reuse implies copy */
			case 'x': rq->flags |= UPF_INIT_CRASH; break;
			case 'y': rq->flags |= UPF_INIT_FAIL; break;
			case 'z': rq->flags |= UPF_INIT_TIMEOUT; break;
			case 'd': rq->flags |= UPF_INIT_DEFCB; break;
			case 'e': rq->flags |= UPF_DETACH; break;
			case 'q': rq->batch = 1; break;
			case 'o': rq->flags |= UPF_PREPARE_ONLY; break;
			/* MINIX flags without a meaning here (ASR, no-mmap,
			 * self/state-transfer update). */
			case 'u': case 'a': case 'm': case 's': case 't':
				break;
			default:
				fail(EINVAL, "unknown flag -%c", *p);
				usage(stderr);
				return -EINVAL;
			}
		}
	}
	if (i >= argc) {
		fail(ENOSYS, "no subcommand");
		usage(stderr);
		return -ENOSYS;
	}
	return parse_command(rq, argc - i, argv + i);
}

/* The recovery policy pairs up and edit send, only those given. */
static void put_policy(const struct req *rq, struct proto_buf *pb)
{
	if (rq->given & B(PR_SCRIPT))
		proto_put_str(pb, T_SCRIPT, rq->script);
	if (rq->given & B(PR_RESTARTS))
		proto_put_int(pb, T_RESTARTS, rq->restarts);
	if (rq->given & B(PR_RESET))
		proto_put_int(pb, T_RESET_MS, rq->reset);
}

/* The request frame.  Labels longer than reincd keeps are sent as given:
 * reincd truncates them, as MINIX's RS did. */
static void build(const struct req *rq, struct proto_buf *pb)
{
	int type = rq->sc->type;
	unsigned flags = rq->flags;

	proto_begin(pb, type, REQ_ID);
	if (rq->label)
		proto_put_str(pb, T_LABEL, rq->label);
	switch (type) {
	case P_UP:
		if (!strcmp(rq->sc->name, "run"))
			flags |= UPF_RUN;
		proto_put_str(pb, T_PATH, rq->bin);
		proto_put_int(pb, T_PERIOD_MS, rq->period);
		put_policy(rq, pb);
		if (rq->cv)
			conf_put_privs(rq->cv, pb);
		break;
	case P_EDIT:
		if (rq->given & B(PR_PERIOD)) {
			proto_put_int(pb, T_PERIOD_MS, rq->period);
			flags |= UPF_PERIOD_SET;
		}
		put_policy(rq, pb);
		break;
	case P_UPDATE:
		proto_put_str(pb, T_PATH, rq->bin);
		proto_put_int(pb, T_LU_STATE, rq->lu_state);
		proto_put_int(pb, T_MAXTIME_MS, rq->maxtime);
		if (rq->trg_label)
			proto_put_str(pb, T_TRG_LABEL, rq->trg_label);
		if (rq->ipcf_len)
			proto_put_blob(pb, T_IPC_FILTERS, rq->ipcf_blob,
			               rq->ipcf_len);
		if (rq->batch)
			flags |= UPF_BATCH;
		break;
	case P_SYSCTL:
		proto_put_int(pb, T_SUBTYPE, rq->subtype);
		break;
	}
	if (type == P_UP || (type == P_UPDATE && strcmp(rq->bin, "self")))
		if (rq->given & B(PR_ARGS))
			proto_put_blob(pb, T_ARGV, rq->argv_blob, rq->argv_len);
	if (type == P_UP) {
		if (rq->env_len)
			proto_put_blob(pb, T_ENV, rq->env_blob, rq->env_len);
		if (rq->given & B(PR_CWD))
			proto_put_str(pb, T_CWD, rq->cwd);
	}
	if (rq->sc->kind == SC_SERVICE)
		proto_put_int(pb, T_FLAGS, flags);
}

/* Connect to reincd's public socket: the fd, or -errno (printed). */
static int connect_reincd(void)
{
	char dir[PATH_MAX], path[PATH_MAX + sizeof(REINC_SOCK_NAME) + 1];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if ((e = proto_runtime_dir(dir, sizeof(dir))) < 0) {
		fprintf(stderr, "reinc: cannot reach reincd: runtime "
		        "directory: %s\n", strerror(-e));
		return e;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, REINC_SOCK_NAME);
	if (strlen(path) >= sizeof(sa.sun_path)) {
		e = ENAMETOOLONG;
		goto out;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	e = errno;
	close(fd);
out:
	fprintf(stderr, "reinc: cannot reach reincd at %s: %s\n", path,
	        strerror(e));
	return -e;
}

/* Send the request, read frames until our P_REPLY (left in pm); status
 * records on the way are collected.  0, or -errno (printed). */
static int transact(const struct req *rq, struct proto_buf *pb,
                    struct proto_msg *pm, uint8_t *buf)
{
	int fd = connect_reincd(), r;

	if (fd < 0)
		return fd;
	if ((r = proto_send(fd, pb, NULL, 0)) < 0) {
		close(fd);
		if (r == -E2BIG)
			return fail(E2BIG, "request too large");
		return fail(-r, "cannot send to reincd: %s", strerror(-r));
	}
	for (;;) {
		int fds[PROTO_MAX_FDS], nfds = PROTO_MAX_FDS;
		ssize_t n = proto_recvfds(fd, buf, PROTO_MAX_FRAME, fds, &nfds, 0);

		for (int i = 0; i < nfds; i++)   /* none are meant for us */
			close(fds[i]);
		if (n <= 0) {
			close(fd);
			if (n == 0)
				return fail(ECONNRESET, "reincd closed the "
				            "connection without answering");
			return fail((int)-n, "lost reincd: %s", strerror((int)-n));
		}
		if (proto_decode(buf, (size_t)n, pm) < 0) {
			close(fd);
			return fail(EPROTO, "malformed answer from reincd");
		}
		if (pm->id != REQ_ID)
			continue;
		if (pm->type == P_STATUS_REC && rq->sc->type == P_STATUS) {
			if (status_add(pm) < 0) {
				close(fd);
				return fail(ENOMEM, "%s", strerror(ENOMEM));
			}
		} else if (pm->type == P_REPLY)
			break;
		/* anything else is not for a command: ignore it */
	}
	close(fd);
	return 0;
}

static int output(const struct req *rq, const struct proto_msg *pm)
{
	int r;

	if (rq->sc->type == P_LOOKUP) {
		if (!proto_has(pm, T_EP))
			return fail(EPROTO, "reincd sent no endpoint");
		printf("%" PRId64 "\n", pm->ival[T_EP]);
	} else if (rq->sc->type == P_STATUS) {
		r = status_print(stdout, rq->json, rq->label != NULL);
		if (r == -ESRCH)
			return fail(ESRCH, "reincd sent no record for it");
		if (r < 0)
			return fail(-r, "cannot write: %s", strerror(-r));
	} else if (rq->sc->type == P_SYSCTL && proto_str(pm, T_STATE)) {
		printf("%s\n", proto_str(pm, T_STATE));   /* upd_status */
	}
	if (fflush(stdout) == EOF)
		return fail(errno, "cannot write: %s", strerror(errno));
	return 0;
}

static int run(const struct req *rq)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	struct proto_msg *pm = malloc(sizeof(*pm));
	uint8_t *buf = malloc(PROTO_MAX_FRAME);
	int r;

	if (!pb || !pm || !buf) {
		r = fail(ENOMEM, "%s", strerror(ENOMEM));
		goto out;
	}
	build(rq, pb);
	/* Encode errors (E2BIG) are known before connecting. */
	if ((r = proto_finish(pb)) < 0) {
		r = fail(-r, "request too large");
		goto out;
	}
	if ((r = transact(rq, pb, pm, buf)) < 0)
		goto out;
	if (!proto_has(pm, T_RESULT)) {
		r = fail(EPROTO, "reincd's reply has no result");
		goto out;
	}
	int64_t res = pm->ival[T_RESULT];
	if (res != 0) {
		/* 0 or -errno by contract; be lenient about the sign. */
		int64_t e = res < 0 ? -res : res;
		int n = e > INT_MAX ? EGENERIC : (int)e;
		r = fail(n, "%s", reason(n, proto_str(pm, T_ERRMSG)));
		goto out;
	}
	r = output(rq, pm);
out:
	free(pb);
	free(pm);
	free(buf);
	return r;
}

int main(int argc, char **argv)
{
	struct req rq = { 0 };
	int r = parse(&rq, argc, argv);

	if (r == 0)
		r = run(&rq);
	else if (r > 0)
		r = 0;   /* usage asked for */
	free(rq.argv_blob);
	free(rq.env_blob);
	free(rq.ipcf_blob);
	free(rq.script);
	free(rq.cwd);
	conf_free(&rq.conf);
	status_free();
	if (r == 0)
		return 0;
	/* An exit status is 8 bits; a code that would wrap (to 0 for 256!)
	 * becomes EGENERIC. */
	return -r > 0 && -r < 256 ? -r : EGENERIC;
}
