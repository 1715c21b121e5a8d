/*
 * fuzz_sysconf.c - fuzz target for the system.conf parser (lib/sysconf.c),
 * which reincd -c and reinc up -config run on files an administrator
 * writes, MINIX ones included.
 *
 * The input is a whole file, given to conf_parse() under the name
 * "fuzz.conf".  Whatever the bytes:
 *   - refused: the message is "fuzz.conf:LINE: something" with LINE a
 *     line of the input (or "fuzz.conf: out of memory"), the struct conf
 *     is left empty, and a 10-byte error buffer gets a terminated prefix
 *     of the same message (ASan sees any write past it);
 *   - accepted: every entry is well-formed (names are labels, paths are
 *     absolute, lists are valid, soft rlimits <= hard, no env name twice,
 *     ipc/system ALL alone, ...), and warnings are located and distinct;
 *   - conf_boot_order() succeeds exactly when every service's `after`
 *     names another service of the file and the graph has no cycle
 *     (checked here by an independent depth-first search), and then its
 *     order is a permutation of the services in which every service
 *     comes after the ones it names;
 *   - conf_put_up() of every entry gives a frame of exactly the expected
 *     size, or -E2BIG exactly when it cannot fit, and proto_decode() of
 *     it gives back the entry's fields.
 * Any violation aborts, which libFuzzer and tests/fuzz/replay.c report.
 *
 * Built two ways: with replay.c by `make check` (replays the corpus in
 * tests/fuzz/corpus/), with libFuzzer by tests/fuzz/run-libfuzzer.sh.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "proto.h"
#include "sysconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FNAME "fuzz.conf"

#define FAIL(...) do { \
	fprintf(stderr, "fuzz_sysconf: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

static int label_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return 0;
	return 1;
}

static int vlen(char *const *v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* "fuzz.conf:LINE: text" with 1 <= LINE <= lines, or the out-of-memory
 * message; what is the message about. */
static void check_message(const char *what, const char *m, int lines)
{
	static const char pre[] = FNAME ":";
	if (strncmp(m, pre, sizeof(pre) - 1))
		FAIL("%s: message does not start with the file name: \"%s\"",
		     what, m);
	const char *p = m + sizeof(pre) - 1;
	if (!strcmp(p, " out of memory"))
		return;
	char *end;
	long line = strtol(p, &end, 10);
	if (end == p || !isdigit((unsigned char)*p) || line < 1 ||
	    line > lines || strncmp(end, ": ", 2) || !end[2])
		FAIL("%s: bad location or empty message (%d lines): \"%s\"",
		     what, lines, m);
}

/* The entry refers to a service of the file, not a class or itself. */
static const struct conf_svc *dep(const struct conf *c,
                                  const struct conf_svc *v, const char *name)
{
	const struct conf_svc *d = conf_find(c, name);
	return d && d->path && d != v ? d : NULL;
}

static void check_entry(const struct conf *c, const struct conf_svc *v,
                        int lines, int prev_line)
{
	if (!v->name || !label_ok(v->name))
		FAIL("bad entry name \"%s\"", v->name ? v->name : "(null)");
	if (conf_find(c, v->name) != v)
		FAIL("entry '%s' defined twice or not found", v->name);
	if (v->line < prev_line || v->line > lines)
		FAIL("entry '%s': line %d (previous %d, %d lines)", v->name,
		     v->line, prev_line, lines);
	if ((v->path && v->path[0] != '/') || (v->cwd && v->cwd[0] != '/') ||
	    (v->script && v->script[0] != '/'))
		FAIL("entry '%s': a relative path", v->name);
	if (vlen(v->args) > 64)
		FAIL("entry '%s': %d args", v->name, vlen(v->args));
	for (char **e = v->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || eq == *e)
			FAIL("entry '%s': env \"%s\"", v->name, *e);
		for (char **f = e + 1; *f; f++)
			if (!strncmp(*e, *f, (size_t)(eq - *e) + 1))
				FAIL("entry '%s': env %.*s twice", v->name,
				     (int)(eq - *e), *e);
	}
	char **lists[] = { v->after, v->control };
	for (int i = 0; i < 2; i++) {
		if (lists[i] && !lists[i][0])
			FAIL("entry '%s': empty after/control list", v->name);
		for (char **p = lists[i]; p && *p; p++)
			if (!label_ok(*p))
				FAIL("entry '%s': bad name '%s' in after/control",
				     v->name, *p);
	}
	if (v->ipc) {
		int n = vlen(v->ipc);
		if (n == 0)
			FAIL("entry '%s': empty ipc", v->name);
		for (char **p = v->ipc; *p; p++) {
			int all = !strcmp(*p, "ALL") || !strcmp(*p, "ALL_SYS");
			if ((all && n > 1) || (!all && strcmp(*p, "SYSTEM") &&
			                       strcmp(*p, "USER") && !label_ok(*p)))
				FAIL("entry '%s': ipc '%s' (of %d)", v->name, *p, n);
		}
	}
	if (v->system) {
		int n = vlen(v->system);
		if (n == 0)
			FAIL("entry '%s': empty system", v->name);
		for (char **p = v->system; *p; p++) {
			if ((!strcmp(*p, "ALL") || !strcmp(*p, "NONE")) && n > 1)
				FAIL("entry '%s': system %s not alone", v->name, *p);
			for (const char *q = *p; *q; q++)
				if (!isalnum((unsigned char)*q) && *q != '_' &&
				    *q != '@')
					FAIL("entry '%s': system '%s'", v->name, *p);
		}
	}
	for (int i = 0; i < v->nrlimits; i++) {
		const struct conf_rlimit *r = &v->rlimits[i];
		if (r->resource < 0 || r->resource >= RLIM_NLIMITS ||
		    r->cur > r->max)
			FAIL("entry '%s': rlimit %d %llu %llu", v->name,
			     r->resource, (unsigned long long)r->cur,
			     (unsigned long long)r->max);
		for (int j = 0; j < i; j++)
			if (v->rlimits[j].resource == r->resource)
				FAIL("entry '%s': rlimit %d twice", v->name,
				     r->resource);
	}
	if (v->nrlimits && !v->rlimits)
		FAIL("entry '%s': rlimits lost", v->name);
	if (v->period_ms < -1 || v->period_ms > 1000000000000LL ||
	    v->reset_ms < -1 || v->reset_ms > 1000000000000LL)
		FAIL("entry '%s': period %lld reset %lld", v->name,
		     (long long)v->period_ms, (long long)v->reset_ms);
	int flags[] = { v->restart, v->backoff, v->replica, v->copy };
	for (int i = 0; i < 4; i++)
		if (flags[i] < -1 || flags[i] > 1)
			FAIL("entry '%s': policy value %d", v->name, flags[i]);
	if (v->uid < -1 || v->uid >= 0x7fffffff || v->gid < -1 ||
	    v->gid >= 0x7fffffff)
		FAIL("entry '%s': uid %ld gid %ld", v->name, v->uid, v->gid);
}

static void check_warnings(const struct conf *c, int lines)
{
	for (int i = 0; i < c->nwarnings; i++) {
		const char *w = c->warnings[i];
		if (!w)
			FAIL("warning %d is NULL", i);
		check_message("warning", w, lines);
		if (!strstr(w, ": keyword '"))
			FAIL("warning without its keyword: \"%s\"", w);
		for (int j = 0; j < i; j++)
			if (!strcmp(w, c->warnings[j]))
				FAIL("warning given twice: \"%s\"", w);
	}
}

/* Is the boot graph valid: every `after` of a service names another
 * service, and no cycle (iterative depth-first search, three colours)? */
static int graph_ok(const struct conf *c)
{
	int n = c->nsvc, ok = 1;
	char *colour = calloc((size_t)n + 1, 1);
	int *stack = malloc(((size_t)n + 1) * sizeof(int));
	int *next = calloc((size_t)n + 1, sizeof(int));
	if (!colour || !stack || !next)
		abort();
	for (int i = 0; i < n && ok; i++) {
		const struct conf_svc *v = &c->svc[i];
		if (!v->path)
			continue;
		for (char **a = v->after; a && *a; a++)
			if (!dep(c, v, *a))
				ok = 0;
	}
	for (int s = 0; s < n && ok; s++) {
		if (!c->svc[s].path || colour[s])
			continue;
		int sp = 0;
		stack[sp++] = s;
		colour[s] = 1;
		next[s] = 0;
		while (sp && ok) {
			int u = stack[sp - 1];
			char **a = c->svc[u].after;
			if (!a || !a[next[u]]) {
				colour[u] = 2;
				sp--;
				continue;
			}
			int d = (int)(conf_find(c, a[next[u]++]) - c->svc);
			if (colour[d] == 1)
				ok = 0;         /* back edge: a cycle */
			else if (colour[d] == 0) {
				colour[d] = 1;
				next[d] = 0;
				stack[sp++] = d;
			}
		}
	}
	free(next);
	free(stack);
	free(colour);
	return ok;
}

static void check_boot_order(const struct conf *c, int lines)
{
	int n = c->nsvc, nservices = 0;
	int *order = malloc(((size_t)n + 1) * sizeof(int));
	int *pos = malloc(((size_t)n + 1) * sizeof(int));
	char err[300];
	if (!order || !pos)
		abort();
	for (int i = 0; i <= n; i++)
		order[i] = pos[i] = -1;
	for (int i = 0; i < n; i++)
		nservices += c->svc[i].path != NULL;
	memset(err, 'X', sizeof(err));
	err[0] = 0;
	int k = conf_boot_order(c, order, err, sizeof(err));
	int ok = graph_ok(c);
	if (k < 0) {
		if (ok)
			FAIL("boot order refused a valid graph: %s", err);
		check_message("boot order", err, lines);
		if (!strstr(err, "' starts after '") &&
		    !strstr(err, ": a cycle in 'after': "))
			FAIL("boot order: unexpected message \"%s\"", err);
	} else {
		if (!ok)
			FAIL("boot order accepted an invalid graph (%d)", k);
		if (k != nservices)
			FAIL("boot order: %d of %d services", k, nservices);
		if (order[n] != -1)
			FAIL("boot order wrote past nsvc");
		for (int i = 0; i < k; i++) {
			int s = order[i];
			if (s < 0 || s >= n || !c->svc[s].path || pos[s] >= 0)
				FAIL("boot order: bad or repeated index %d", s);
			pos[s] = i;
		}
		for (int i = 0; i < k; i++) {
			const struct conf_svc *v = &c->svc[order[i]];
			for (char **a = v->after; a && *a; a++) {
				int d = (int)(conf_find(c, *a) - c->svc);
				if (pos[d] < 0 || pos[d] >= i)
					FAIL("boot order: '%s' before '%s', which "
					     "it starts after", v->name, *a);
			}
		}
	}
	free(pos);
	free(order);
}

/* Bytes of a vector blob; the frame's size of a field of n bytes. */
static size_t vec_bytes(char *const *v)
{
	size_t n = 0;
	for (; v && *v; v++)
		n += strlen(*v) + 1;
	return n;
}
#define FIELD(n) (4 + (size_t)(n))

static void check_blob(const struct proto_msg *pm, int tag, char *const *v,
                       const char *name)
{
	size_t n = vec_bytes(v), at = 0;
	if (!proto_has(pm, tag) || pm->slen[tag] != n)
		FAIL("'%s': tag %d missing or %u bytes, not %zu", name, tag,
		     proto_has(pm, tag) ? (unsigned)pm->slen[tag] : 0u, n);
	for (; v && *v; v++) {
		size_t l = strlen(*v) + 1;
		if (memcmp(pm->sval[tag] + at, *v, l))
			FAIL("'%s': tag %d differs at \"%s\"", name, tag, *v);
		at += l;
	}
}

/* Both absent, or both present and equal. */
static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_frame(const struct conf_svc *v, struct proto_buf *pb,
                        struct proto_msg *pm)
{
	static char *const all_sys[] = { "ALL_SYS", NULL };
	const char *path = v->path ? v->path : "";
	char *const *ipc = v->ipc ? v->ipc : all_sys;
	/* what conf_put_up writes, field by field */
	size_t size = PROTO_HDR + FIELD(strlen(v->name)) + FIELD(strlen(path));
	int fits = strlen(path) <= PROTO_MAX_STR;
	size_t blobs[] = {
		v->args ? vec_bytes(v->args) : 0, v->env ? vec_bytes(v->env) : 0,
		vec_bytes(ipc), v->control ? vec_bytes(v->control) : 0,
		v->system ? vec_bytes(v->system) : 0, (size_t)v->nrlimits * 20,
	};
	int present[] = { v->args != NULL, v->env != NULL, 1,
	                  v->control != NULL, v->system != NULL,
	                  v->nrlimits > 0 };
	for (int i = 0; i < 6; i++)
		if (present[i]) {
			size += FIELD(blobs[i]);
			fits &= blobs[i] <= 0xffff;
		}
	const char *strs[] = { v->cwd, v->script };
	for (int i = 0; i < 2; i++)
		if (strs[i]) {
			size += FIELD(strlen(strs[i]));
			fits &= strlen(strs[i]) <= PROTO_MAX_STR;
		}
	size += FIELD(8) * (size_t)(1 + (v->period_ms >= 0) +
	                            (v->reset_ms >= 0) + (v->uid >= 0) +
	                            (v->gid >= 0));
	fits &= size <= PROTO_MAX_FRAME;

	conf_put_up(v, pb);
	int n = proto_finish(pb);
	if (!fits) {
		if (n != -E2BIG)
			FAIL("'%s': %d for a frame that cannot fit (%zu bytes)",
			     v->name, n, size);
		return;
	}
	if (n < 0 || (size_t)n != size)
		FAIL("'%s': frame of %d bytes, expected %zu", v->name, n, size);
	int r = proto_decode(pb->b, (size_t)n, pm);
	if (r != 0)
		FAIL("'%s': proto_decode: %d", v->name, r);
	if (pm->type != P_UP || pm->id != 0)
		FAIL("'%s': type %d id %llu", v->name, pm->type,
		     (unsigned long long)pm->id);
	if (!same_str(proto_str(pm, T_LABEL), v->name) ||
	    !same_str(proto_str(pm, T_PATH), path))
		FAIL("'%s': label or path changed", v->name);
	if (!same_str(proto_str(pm, T_CWD), v->cwd) ||
	    !same_str(proto_str(pm, T_SCRIPT), v->script))
		FAIL("'%s': cwd or script changed", v->name);
	if (proto_int(pm, T_PERIOD_MS, -1) != v->period_ms ||
	    proto_int(pm, T_RESET_MS, -1) != v->reset_ms ||
	    proto_int(pm, T_UID, -1) != v->uid ||
	    proto_int(pm, T_GID, -1) != v->gid)
		FAIL("'%s': period, reset, uid or gid changed", v->name);
	int flags = (v->restart == 0 ? UPF_NORESTART : 0) |
	            (v->backoff == 0 ? UPF_NO_BIN_EXP : 0) |
	            (v->replica == 1 ? UPF_REPLICA : 0) |
	            (v->copy == 1 ? UPF_COPY : 0);
	if (proto_int(pm, T_FLAGS, -1) != flags)
		FAIL("'%s': flags %lld, expected %d", v->name,
		     (long long)proto_int(pm, T_FLAGS, -1), flags);
	check_blob(pm, T_IPC, ipc, v->name);
	int tags[] = { T_ARGV, T_ENV, T_CONTROL, T_SYSCALLS };
	char *const *vecs[] = { v->args, v->env, v->control, v->system };
	for (int i = 0; i < 4; i++) {
		if (vecs[i])
			check_blob(pm, tags[i], vecs[i], v->name);
		else if (proto_has(pm, tags[i]))
			FAIL("'%s': tag %d present but not set", v->name, tags[i]);
	}
	if (v->nrlimits) {
		const uint8_t *p = (const uint8_t *)proto_str(pm, T_RLIMITS);
		if (!p || pm->slen[T_RLIMITS] != (uint32_t)v->nrlimits * 20)
			FAIL("'%s': rlimits missing or of the wrong size", v->name);
		for (int i = 0; i < v->nrlimits; i++)
			if (get_le32(p + i * 20) != (uint32_t)v->rlimits[i].resource ||
			    get_le64(p + i * 20 + 4) != v->rlimits[i].cur ||
			    get_le64(p + i * 20 + 12) != v->rlimits[i].max)
				FAIL("'%s': rlimit %d changed", v->name, i);
	} else if (proto_has(pm, T_RLIMITS)) {
		FAIL("'%s': rlimits present but not set", v->name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	struct conf c;
	char err[256];
	memset(err, 'X', sizeof(err));
	int r = conf_parse(FNAME, text, size, &c, err, sizeof(err));
	if (r != 0 && r != -1)
		FAIL("conf_parse returned %d", r);
	if (!memchr(err, 0, sizeof(err)))
		FAIL("error buffer not terminated");

	/* the same with a 10-byte buffer: the same verdict, a prefix */
	char *small = malloc(10);
	struct conf c2;
	if (!small)
		abort();
	int r2 = conf_parse(FNAME, text, size, &c2, small, 10);
	if (r2 != r)
		FAIL("verdict %d with a small buffer, %d with a large one", r2, r);
	if (r < 0 && (strlen(small) > 9 || strncmp(small, err, strlen(small))))
		FAIL("small buffer \"%s\" is not a prefix of \"%s\"", small, err);
	free(small);
	if (r2 == 0)
		conf_free(&c2);

	if (r < 0) {
		check_message("conf_parse", err, lines);
		if (c.svc || c.nsvc || c.file || c.warnings || c.nwarnings)
			FAIL("struct conf not emptied after a failure");
		return 0;
	}
	if (err[0])
		FAIL("success with a message: \"%s\"", err);
	if (!c.file || strcmp(c.file, FNAME) || c.nsvc < 0 ||
	    (c.nsvc && !c.svc))
		FAIL("bad struct conf");
	for (int i = 0; i < c.nsvc; i++)
		check_entry(&c, &c.svc[i], lines, i ? c.svc[i - 1].line : 1);
	check_warnings(&c, lines);
	check_boot_order(&c, lines);

	struct proto_buf *pb = malloc(sizeof(*pb));
	struct proto_msg *pm = malloc(sizeof(*pm));
	if (!pb || !pm)
		abort();
	for (int i = 0; i < c.nsvc; i++)
		check_frame(&c.svc[i], pb, pm);
	free(pm);
	free(pb);
	conf_free(&c);
	if (c.svc || c.nsvc || c.file || c.warnings)
		FAIL("conf_free left something");
	return 0;
}
