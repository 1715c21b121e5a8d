/*
 * dssvc.c - drives the data store's API (ds_*) from the shell tests, as a
 * service and as a user process.  One binary, three modes:
 *
 *   dssvc [-dir D] [-autocheck] [-stateful] [-init FILE]
 *       The service (reinc up dssvc -label L -args "-dir $RT ...").  It
 *       waits for requests; a DSSVC_RUN request makes it execute the
 *       commands of D/L.cmd line by line through the DS API *as itself*,
 *       write one result line per command to D/L.out, then reply.
 *       Every NOTIFY_MESSAGE from DS_PROC_NR appends "notify" to
 *       D/L.events; with -autocheck it then calls ds_check until ENOENT,
 *       appending "check KEY TYPE OWNER" per key (or "check ERRNAME").
 *       Every init appends "init fresh|restart|lu restarts=N" to
 *       D/L.init; with -init FILE it then runs FILE's commands too (their
 *       results go to D/L.init as well, prefixed by "  ").
 *       -stateful: the restart init callback returns 0 (the DS entries
 *       survive a crash); by default it is SEF's sef_cb_init_reset (a
 *       "reset": the service's entries and subscription are dropped).
 *       D defaults to $REINC_RUNTIME_DIR.
 *
 *   dssvc -run L [-dir D]
 *       A user process: looks L up with ds_retrieve_label_endpt, sends it
 *       DSSVC_RUN with ipc_sendrec and prints D/L.out.  Exit 0, or 1 if L
 *       is unknown or the request failed, 2 if no answer within 20 s.
 *
 *   dssvc -user FILE
 *       Runs FILE's commands as a plain user process (no label) and
 *       prints the result lines.
 *
 * Commands (one per line; blank lines and lines starting with # are
 * skipped but still give a result line "-" so that lines match up):
 *
 *   pub TYPE KEY VALUE [FLAG...]   ds_publish_TYPE; TYPE u32|str|mem|label
 *                                 (label: VALUE is an endpoint); FLAGs:
 *                                 ow priv_r priv_o priv_s private
 *                                 flags=0xN (raw bits ORed in)
 *   get TYPE KEY [LEN]             ds_retrieve_TYPE; LEN is the buffer
 *                                 (str: characters, mem: bytes; default
 *                                 4096).  -> OK VALUE (u32, label: decimal;
 *                                 str: the string; mem: "N VALUE", N the
 *                                 length copied)
 *   name EP                        ds_retrieve_label_name -> OK LABEL
 *   del TYPE KEY                   ds_delete_TYPE
 *   sub PATTERN [FLAG...] [TYPE...]  ds_subscribe; FLAGs ow initial
 *                                 flags=0xN; TYPEs: the type filter
 *   check                          one ds_check -> OK KEY TYPE OWNER
 *   checkall                       ds_check until ENOENT -> OK followed by
 *                                 KEY:TYPE:OWNER for each key, or the
 *                                 error that ended it if not ENOENT
 *   fill TYPE PREFIX N [VALUE]     publish PREFIX0 .. PREFIX<N-1> (VALUE
 *                                 default 1) -> OK N, or "ERRNAME I" when
 *                                 the I-th publish (from 0) failed
 *   raw REQ FLAGS KEYLEN KEY       a hand-made request to dsd (bypasses the
 *                                 library's checks): REQ publish|retrieve|
 *                                 subscribe|check|delete|snapshot|
 *                                 getsysinfo|label|reset or a number; FLAGS and
 *                                 KEYLEN numbers (0x ok); KEY copied into
 *                                 the message (27 bytes at most).  The
 *                                 result is the reply code
 *   notifyds                       ipc_notify(DS_PROC_NR)
 *   self                           -> OK LABEL ENDPOINT
 *
 * Result lines: "OK [value]" or the errno name (ESRCH, EEXIST, EPERM,
 * EINVAL, ENOENT, EAGAIN, ENOMEM, EFBIG, ...; "E<n>" for others).
 * Endpoints print as decimal numbers, NONE as "NONE"; types as
 * u32/str/mem/label.
 *
 * Generated tokens (KEY, VALUE, PATTERN): "@N:c" is N times the
 * character c ("@0:x" is empty); in every line "%L" becomes the
 * service's own label and "%E" its endpoint.  Values printed by get are
 * shortened the same way when they are 8 or more times one character;
 * other bytes outside [!-~] print as \xHH; an empty value prints "@0:".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "ds_proto.h"

#define DSSVC_RUN 0x200

static const char *dir;
static const char *init_file;
static int autocheck;
static char label[RS_MAX_LABEL_LEN + 8] = "";

/* ------------------------------------------------------------------ */
/* output helpers                                                       */

static const struct { int e; const char *name; } errs[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" }, { EIO, "EIO" }, { E2BIG, "E2BIG" },
	{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" }, { EFBIG, "EFBIG" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" }, { EPROTO, "EPROTO" }, { EBADF, "EBADF" },
	{ ENOTREADY, "ENOTREADY" }, { EDEADSRCDST, "EDEADSRCDST" },
	{ EGENERIC, "EGENERIC" }, { EBADCALL, "EBADCALL" },
	{ EDEADEPT, "EDEADEPT" }, { DS_ENOGRANT, "DS_ENOGRANT" },
};

static const char *errname(int r)
{
	static char buf[32];
	int e = r < 0 ? -r : r;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].e == e)
			return errs[i].name;
	snprintf(buf, sizeof(buf), "E%d", r);
	return buf;
}

static const char *ep_str(endpoint_t ep)
{
	static char buf[2][24];
	static int k;
	k ^= 1;
	if (ep == NONE)
		return "NONE";
	snprintf(buf[k], sizeof(buf[k]), "%d", ep);
	return buf[k];
}

static const char *type_name(int t)
{
	switch (t) {
	case DSF_TYPE_U32: return "u32";
	case DSF_TYPE_STR: return "str";
	case DSF_TYPE_MEM: return "mem";
	case DSF_TYPE_LABEL: return "label";
	}
	static char buf[24];
	snprintf(buf, sizeof(buf), "type%#x", t);
	return buf;
}

static int type_of(const char *s)
{
	if (!strcmp(s, "u32")) return DSF_TYPE_U32;
	if (!strcmp(s, "str")) return DSF_TYPE_STR;
	if (!strcmp(s, "mem")) return DSF_TYPE_MEM;
	if (!strcmp(s, "label")) return DSF_TYPE_LABEL;
	return -1;
}

/* A growing output string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 256;
		while (c < b->len + n + 1)
			c *= 2;
		char *q = realloc(b->p, c);
		if (!q) {
			fprintf(stderr, "dssvc: out of memory\n");
			exit(1);
		}
		b->p = q;
		b->cap = c;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A value as printed: "@N:c" for 8+ times one character. */
static void sb_value(struct sbuf *b, const unsigned char *v, size_t n)
{
	if (n == 0) {
		sb_add(b, "@0:", 3);
		return;
	}
	size_t same = 1;
	while (same < n && v[same] == v[0])
		same++;
	if (same == n && n >= 8 && v[0] > ' ' && v[0] <= '~') {
		sb_printf(b, "@%zu:%c", n, v[0]);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] > ' ' && v[i] <= '~' && v[i] != '\\')
			sb_add(b, &v[i], 1);
		else
			sb_printf(b, "\\x%02x", v[i]);
	}
}

/* ------------------------------------------------------------------ */
/* commands                                                             */

/* A token: "@N:c" expands to N times c; the result is malloc'ed. */
static char *expand(const char *tok, size_t *len)
{
	char *end;
	if (tok[0] == '@' && isdigit((unsigned char)tok[1])) {
		unsigned long long n = strtoull(tok + 1, &end, 10);
		if (end[0] == ':' && end[1] && !end[2] && n < (1ull << 31)) {
			char *p = malloc((size_t)n + 1);
			if (!p)
				return NULL;
			memset(p, end[1], (size_t)n);
			p[n] = '\0';
			if (len)
				*len = (size_t)n;
			return p;
		}
	}
	if (len)
		*len = strlen(tok);
	return strdup(tok);
}

static long num(const char *s)
{
	if (!strcmp(s, "NONE"))
		return NONE;
	if (!strcmp(s, "SELF"))
		return SELF;
	return strtol(s, NULL, 0);
}

/* Flag words from tok[i..]: *types gets type words (sub's filter). */
static int flags_of(char **tok, int n, int *types, int *bad)
{
	int f = 0;
	for (int i = 0; i < n; i++) {
		const char *w = tok[i];
		int t;
		if (!strcmp(w, "ow")) f |= DSF_OVERWRITE;
		else if (!strcmp(w, "initial")) f |= DSF_INITIAL;
		else if (!strcmp(w, "priv_r")) f |= DSF_PRIV_RETRIEVE;
		else if (!strcmp(w, "priv_o")) f |= DSF_PRIV_OVERWRITE;
		else if (!strcmp(w, "priv_s")) f |= DSF_PRIV_SUBSCRIBE;
		else if (!strcmp(w, "private")) f |= DSF_PRIVATE;
		else if (!strncmp(w, "flags=", 6)) f |= (int)strtol(w + 6, NULL, 0);
		else if (types && (t = type_of(w)) > 0) *types |= t;
		else *bad = 1;
	}
	return f;
}

static int publish(int type, const char *key, const char *tok, int flags)
{
	size_t len;
	char *v = expand(tok, &len);
	if (!v)
		return -ENOMEM;
	int r;
	switch (type) {
	case DSF_TYPE_U32: r = ds_publish_u32(key, (uint32_t)strtoul(v, NULL, 0), flags); break;
	case DSF_TYPE_STR: r = ds_publish_str(key, v, flags); break;
	case DSF_TYPE_MEM: r = ds_publish_mem(key, v, len, flags); break;
	default: r = ds_publish_label(key, (endpoint_t)num(v), flags); break;
	}
	free(v);
	return r;
}

static int req_of(const char *s)
{
	static const struct { const char *n; int t; } reqs[] = {
		{ "publish", DS_PUBLISH }, { "retrieve", DS_RETRIEVE },
		{ "subscribe", DS_SUBSCRIBE }, { "check", DS_CHECK },
		{ "delete", DS_DELETE }, { "snapshot", DS_SNAPSHOT },
		{ "label", DS_RETRIEVE_LABEL }, { "getsysinfo", DS_GETSYSINFO },
		{ "reset", DS_RESET },
	};
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		if (!strcmp(s, reqs[i].n))
			return reqs[i].t;
	return (int)strtol(s, NULL, 0);
}

/* Execute one command line; its result (no newline) goes to out. */
static void run_line(const char *line0, struct sbuf *out)
{
	/* %L and %E */
	struct sbuf lb = { 0 };
	for (const char *p = line0; *p; p++) {
		if (p[0] == '%' && p[1] == 'L') {
			sb_add(&lb, label, strlen(label));
			p++;
		} else if (p[0] == '%' && p[1] == 'E') {
			sb_printf(&lb, "%d", sef_self());
			p++;
		} else {
			sb_add(&lb, p, 1);
		}
	}
	if (!lb.p)
		sb_add(&lb, "", 0);
	char *tok[64];
	int n = 0;
	for (char *s = strtok(lb.p, " \t\r\n"); s && n < 64;
	     s = strtok(NULL, " \t\r\n"))
		tok[n++] = s;
	if (n == 0 || tok[0][0] == '#') {
		sb_add(out, "-", 1);
		free(lb.p);
		return;
	}

	const char *cmd = tok[0];
	int r = 0, bad = 0;
	char *key = NULL;
	struct sbuf val = { 0 };
	int type = n > 1 ? type_of(tok[1]) : -1;

	if (!strcmp(cmd, "pub") && n >= 4 && type > 0) {
		int f = flags_of(tok + 4, n - 4, NULL, &bad);
		key = expand(tok[2], NULL);
		if (!bad)
			r = key ? publish(type, key, tok[3], f) : -ENOMEM;
	} else if (!strcmp(cmd, "get") && n >= 3 && n <= 4 && type > 0) {
		size_t len = n == 4 ? (size_t)strtoull(tok[3], NULL, 0) : 4096;
		key = expand(tok[2], NULL);
		if (!key) {
			r = -ENOMEM;
		} else if (type == DSF_TYPE_U32) {
			uint32_t v = 0;
			if ((r = ds_retrieve_u32(key, &v)) == 0)
				sb_printf(&val, "%u", v);
		} else if (type == DSF_TYPE_LABEL) {
			endpoint_t ep = NONE;
			if ((r = ds_retrieve_label_endpt(key, &ep)) == 0)
				sb_add(&val, ep_str(ep), strlen(ep_str(ep)));
		} else {
			char *buf = malloc(len + 1);
			if (!buf) {
				r = -ENOMEM;
			} else if (type == DSF_TYPE_STR) {
				if ((r = ds_retrieve_str(key, buf, len)) == 0)
					sb_value(&val, (unsigned char *)buf,
					         strlen(buf));
			} else {
				size_t l = len;
				if ((r = ds_retrieve_mem(key, buf, &l)) == 0) {
					sb_printf(&val, "%zu ", l);
					sb_value(&val, (unsigned char *)buf, l);
				}
			}
			free(buf);
		}
	} else if (!strcmp(cmd, "name") && n == 2) {
		char name[DS_MAX_KEYLEN];
		if ((r = ds_retrieve_label_name(name, sizeof(name),
		                                (endpoint_t)num(tok[1]))) == 0)
			sb_add(&val, name, strlen(name));
	} else if (!strcmp(cmd, "del") && n == 3 && type > 0) {
		key = expand(tok[2], NULL);
		if (!key)
			r = -ENOMEM;
		else if (type == DSF_TYPE_U32) r = ds_delete_u32(key);
		else if (type == DSF_TYPE_STR) r = ds_delete_str(key);
		else if (type == DSF_TYPE_MEM) r = ds_delete_mem(key);
		else r = ds_delete_label(key);
	} else if (!strcmp(cmd, "sub") && n >= 2) {
		int types = 0;
		int f = flags_of(tok + 2, n - 2, &types, &bad);
		key = expand(tok[1], NULL);
		if (!bad)
			r = key ? ds_subscribe(key, f | types) : -ENOMEM;
	} else if (!strcmp(cmd, "check") && n == 1) {
		char k[DS_MAX_KEYLEN];
		int t = 0;
		endpoint_t o = NONE;
		if ((r = ds_check(k, &t, &o)) == 0)
			sb_printf(&val, "%s %s %s", k, type_name(t), ep_str(o));
	} else if (!strcmp(cmd, "checkall") && n == 1) {
		char k[DS_MAX_KEYLEN];
		int t = 0;
		endpoint_t o = NONE;
		int first = 1;
		while ((r = ds_check(k, &t, &o)) == 0) {
			sb_printf(&val, "%s%s:%s:%s", first ? "" : " ", k,
			          type_name(t), ep_str(o));
			first = 0;
		}
		if (r == -ENOENT)
			r = 0;
		else if (!first) {
			/* report the keys seen before the error too */
			sb_add(out, errname(r), strlen(errname(r)));
			sb_add(out, " ", 1);
			sb_add(out, val.p, val.len);
			free(val.p);
			free(lb.p);
			return;
		}
	} else if (!strcmp(cmd, "fill") && (n == 4 || n == 5) && type > 0) {
		long cnt = strtol(tok[3], NULL, 0);
		long i;
		for (i = 0; i < cnt; i++) {
			char k[DS_MAX_KEYLEN + 32];
			snprintf(k, sizeof(k), "%s%ld", tok[2], i);
			if ((r = publish(type, k, n == 5 ? tok[4] : "1", 0)) < 0)
				break;
		}
		if (r < 0) {
			sb_printf(out, "%s %ld", errname(r), i);
			free(lb.p);
			return;
		}
		sb_printf(&val, "%ld", cnt);
	} else if (!strcmp(cmd, "raw") && n == 5) {
		message m;
		memset(&m, 0, sizeof(m));
		m.m_type = req_of(tok[1]);
		struct ds_msg *q = ds_msg_of(&m);
		q->flags = (uint32_t)strtoul(tok[2], NULL, 0);
		q->key_len = (uint32_t)strtoul(tok[3], NULL, 0);
		key = expand(tok[4], NULL);
		if (key) {
			size_t kl = strlen(key);
			memcpy(q->key, key, kl < DS_INLINE_KEY ? kl : DS_INLINE_KEY);
		}
		r = ipc_sendrec(DS_PROC_NR, &m);
		if (r == 0)
			r = m.m_type;
	} else if (!strcmp(cmd, "notifyds") && n == 1) {
		r = ipc_notify(DS_PROC_NR);
	} else if (!strcmp(cmd, "self") && n == 1) {
		sb_printf(&val, "%s %s", *label ? label : "-", ep_str(sef_self()));
	} else {
		bad = 1;
	}

	if (bad) {
		sb_add(out, "BADCMD", 6);
	} else if (r < 0) {
		sb_add(out, errname(r), strlen(errname(r)));
	} else {
		sb_add(out, "OK", 2);
		if (val.len) {
			sb_add(out, " ", 1);
			sb_add(out, val.p, val.len);
		}
	}
	free(val.p);
	free(key);
	free(lb.p);
}

/* Run the commands of path, writing one result line each to fd. */
static int run_file(const char *path, int fd, const char *prefix)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int count = 0;
	while (getline(&line, &cap, f) >= 0) {
		struct sbuf out = { 0 };
		sb_add(&out, prefix, strlen(prefix));
		run_line(line, &out);
		sb_add(&out, "\n", 1);
		/* line by line: a crash leaves what was done */
		if (write(fd, out.p, out.len) != (ssize_t)out.len)
			fprintf(stderr, "dssvc: write: %s\n", strerror(errno));
		free(out.p);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

static int open_file(const char *suffix, int flags)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.%s", dir, label, suffix);
	int fd = open(path, flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		fprintf(stderr, "dssvc: %s: %s\n", path, strerror(errno));
	return fd;
}

static void append(const char *suffix, const char *text)
{
	int fd = open_file(suffix, O_APPEND);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		fprintf(stderr, "dssvc: write: %s\n", strerror(errno));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* the service                                                          */

static int do_init(const char *what, sef_init_info_t *info)
{
	snprintf(label, sizeof(label), "%s", info->label ? info->label :
	         sef_self_label());
	char line[128];
	snprintf(line, sizeof(line), "init %s restarts=%d\n", what,
	         info->restarts);
	append("init", line);
	if (init_file) {
		int fd = open_file("init", O_APPEND);
		if (fd >= 0) {
			int r = run_file(init_file, fd, "  ");
			if (r < 0)
				fprintf(stderr, "dssvc: %s: %s\n", init_file,
				        strerror(-r));
			close(fd);
		}
	}
	return 0;
}

static int init_fresh(int type, sef_init_info_t *info)
{
	/* also a "reset" restart: SEF runs this in the same instance */
	return do_init(type == SEF_INIT_LU ? "lu" : "fresh", info);
}

static int init_restart(int type, sef_init_info_t *info)
{
	return do_init("restart", info);
}

static int init_lu(int type, sef_init_info_t *info)
{
	return do_init("lu", info);
}

static void on_ds_notify(void)
{
	append("events", "notify\n");
	if (!autocheck)
		return;
	struct sbuf b = { 0 };
	char k[DS_MAX_KEYLEN];
	int t, r;
	endpoint_t o;
	while ((r = ds_check(k, &t, &o)) == 0)
		sb_printf(&b, "check %s %s %s\n", k, type_name(t), ep_str(o));
	if (r != -ENOENT)
		sb_printf(&b, "check %s\n", errname(r));
	if (b.p)
		append("events", b.p);
	free(b.p);
}

static int service(void)
{
	sef_setcb_init_fresh(init_fresh);
	sef_setcb_init_lu(init_lu);
	sef_setcb_signal_handler(sef_cb_signal_handler_term);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "dssvc: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	snprintf(label, sizeof(label), "%s", sef_self_label());
	for (;;) {
		message m;
		r = sef_receive(ANY, &m);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "dssvc: sef_receive: %s\n", strerror(-r));
			return 1;
		}
		if (m.m_type == NOTIFY_MESSAGE) {
			if (m.m_source == DS_PROC_NR)
				on_ds_notify();
			continue;
		}
		endpoint_t who = m.m_source;
		int reply;
		if (m.m_type == DSSVC_RUN) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s.cmd", dir, label);
			int fd = open_file("out", O_TRUNC);
			reply = fd < 0 ? -EIO : run_file(path, fd, "");
			if (fd >= 0)
				close(fd);
		} else {
			reply = -ENOSYS;
		}
		memset(&m, 0, sizeof(m));
		m.m_type = reply;
		if ((r = ipc_send(who, &m)) < 0)
			fprintf(stderr, "dssvc: reply to %d: %s\n", who,
			        strerror(-r));
	}
}

/* ------------------------------------------------------------------ */
/* the clients                                                          */

static void on_alarm(int sig)
{
	static const char msg[] = "dssvc: no answer within 20 s\n";
	if (write(2, msg, sizeof(msg) - 1) < 0)
		{ /* nothing to do */ }
	_exit(2);
}

static int run_client(const char *target)
{
	signal(SIGALRM, on_alarm);
	alarm(20);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "dssvc: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	endpoint_t ep;
	if ((r = ds_retrieve_label_endpt(target, &ep)) < 0) {
		fprintf(stderr, "dssvc: ds_retrieve_label_endpt(%s): %s\n",
		        target, errname(r));
		return 1;
	}
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = DSSVC_RUN;
	if ((r = ipc_sendrec(ep, &m)) < 0 || (r = m.m_type) < 0) {
		fprintf(stderr, "dssvc: run on %s (endpoint %d): %s\n", target,
		        ep, errname(r));
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.out", dir, target);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "dssvc: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

static int run_user(const char *file)
{
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "dssvc: sef_startup: %s\n", strerror(-r));
		return 1;
	}
	fflush(stdout);
	r = run_file(file, 1, "");
	if (r < 0) {
		fprintf(stderr, "dssvc: %s: %s\n", file, strerror(-r));
		return 1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: dssvc [-dir D] [-autocheck] [-stateful] [-init FILE]\n"
	        "       dssvc -run LABEL [-dir D]\n"
	        "       dssvc -user FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *run = NULL, *user = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(a, "-init") && i + 1 < argc)
			init_file = argv[++i];
		else if (!strcmp(a, "-run") && i + 1 < argc)
			run = argv[++i];
		else if (!strcmp(a, "-user") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(a, "-autocheck"))
			autocheck = 1;
		else if (!strcmp(a, "-stateful"))
			sef_setcb_init_restart(init_restart);
		else
			usage();
	}
	if (!dir)
		dir = getenv("REINC_RUNTIME_DIR");
	if (user)
		return run_user(user);
	if (!dir) {
		fprintf(stderr, "dssvc: no -dir and no $REINC_RUNTIME_DIR\n");
		return 2;
	}
	if (run)
		return run_client(run);
	return service();
}
