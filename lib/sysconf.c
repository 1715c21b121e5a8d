/*
 * sysconf.c - MINIX's system.conf: tokenizer, parser, class resolution
 * and boot order (sysconf.h).
 *
 * Two passes.  The parser turns the text into entries, each a list of
 * raw statements (keyword, values, line).  The resolver then applies an
 * entry's statements in order to a struct conf_svc, `class` applying the
 * named entries' statements at that point (depth-first, loops refused).
 * Values are checked when applied, so an error names the line of the
 * statement, even one reached through a class.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"
#include "sysconf.h"

#define CONF_MAX_FILE (16 << 20)
#define CONF_MAX_DEPTH 100

struct stmt {
	char *kw;
	char **val;
	int nval, line;
};

struct entry {
	char *name;
	int line;
	struct stmt *st;
	int nst;
	int state;      /* resolution: 0 todo, 1 in progress, 2 done */
};

struct parser {
	const char *file, *p, *end;
	int line;
	char *err;
	size_t errlen;
	struct entry *e;
	int ne;
	struct conf *c;
	long applied;   /* statements applied for the current entry */
};

#define CONF_MAX_APPLIED 100000

static int perr(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *ps, int line, const char *fmt, ...)
{
	int n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->file, line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void warn_once(struct parser *ps, int line, const char *kw,
                      const char *fmt)
{
	struct conf *c = ps->c;
	for (int i = 0; i < c->nwarnings; i++)
		if (!strcmp(c->warn_keys[i], kw))
			return;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s:%d: keyword '%s' %s", ps->file, line, kw,
	         fmt);
	char **w = realloc(c->warnings, (size_t)(c->nwarnings + 1) * sizeof(*w));
	if (!w)
		return;
	c->warnings = w;
	char **k = realloc(c->warn_keys, (size_t)(c->nwarnings + 1) * sizeof(*k));
	if (!k)
		return;
	c->warn_keys = k;
	w[c->nwarnings] = strdup(buf);
	k[c->nwarnings] = strdup(kw);
	if (w[c->nwarnings] && k[c->nwarnings])
		c->nwarnings++;
	else {
		free(w[c->nwarnings]);
		free(k[c->nwarnings]);
	}
}

/* ------------------------------------------------------------------ */
/* tokens                                                               */

enum { TK_EOF, TK_WORD, TK_STR, TK_LBRACE, TK_RBRACE, TK_SEMI, TK_ERR };

struct tok {
	int kind, line;
	char *text;     /* WORD, STR: malloc'ed */
};

static int is_special(int ch)
{
	return ch == '{' || ch == '}' || ch == ';' || ch == '"' || ch == '#';
}

static int next_tok(struct parser *ps, struct tok *t)
{
	t->text = NULL;
	for (;;) {
		while (ps->p < ps->end && isspace((unsigned char)*ps->p)) {
			if (*ps->p == '\n')
				ps->line++;
			ps->p++;
		}
		if (ps->p < ps->end && *ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
			continue;
		}
		break;
	}
	t->line = ps->line;
	if (ps->p >= ps->end)
		return t->kind = TK_EOF;
	char ch = *ps->p;
	if (ch == '\0') {
		perr(ps, ps->line, "a NUL byte in the file");
		return t->kind = TK_ERR;
	}
	if (ch == '{' || ch == '}' || ch == ';') {
		ps->p++;
		return t->kind = ch == '{' ? TK_LBRACE : ch == '}' ? TK_RBRACE
		                                                   : TK_SEMI;
	}
	size_t cap = 16, n = 0;
	char *s = malloc(cap);
	if (!s) {
		perr(ps, ps->line, "out of memory");
		return t->kind = TK_ERR;
	}
	if (ch == '"') {
		int start = ps->line;
		ps->p++;
		for (;;) {
			if (ps->p >= ps->end || *ps->p == '\n') {
				free(s);
				perr(ps, start, "unterminated string");
				return t->kind = TK_ERR;
			}
			char c = *ps->p++;
			if (c == '"')
				break;
			if (c == '\0') {
				free(s);
				perr(ps, ps->line, "a NUL byte in the file");
				return t->kind = TK_ERR;
			}
			if (c == '\\' && ps->p < ps->end &&
			    (*ps->p == '"' || *ps->p == '\\'))
				c = *ps->p++;
			if (n + 2 > cap) {
				char *x = realloc(s, cap *= 2);
				if (!x) {
					free(s);
					perr(ps, start, "out of memory");
					return t->kind = TK_ERR;
				}
				s = x;
			}
			s[n++] = c;
		}
		s[n] = 0;
		t->text = s;
		return t->kind = TK_STR;
	}
	while (ps->p < ps->end && !isspace((unsigned char)*ps->p) &&
	       !is_special((unsigned char)*ps->p) && *ps->p != '\0') {
		if (n + 2 > cap) {
			char *x = realloc(s, cap *= 2);
			if (!x) {
				free(s);
				perr(ps, ps->line, "out of memory");
				return t->kind = TK_ERR;
			}
			s = x;
		}
		s[n++] = *ps->p++;
	}
	s[n] = 0;
	t->text = s;
	return t->kind = TK_WORD;
}

static const char *tok_desc(const struct tok *t)
{
	switch (t->kind) {
	case TK_EOF: return "the end of the file";
	case TK_LBRACE: return "'{'";
	case TK_RBRACE: return "'}'";
	case TK_SEMI: return "';'";
	case TK_STR: return "a string";
	}
	return "a word";
}

/* ------------------------------------------------------------------ */
/* pass 1: entries of raw statements                                    */

static void free_entry(struct entry *e)
{
	for (int i = 0; i < e->nst; i++) {
		free(e->st[i].kw);
		for (int j = 0; j < e->st[i].nval; j++)
			free(e->st[i].val[j]);
		free(e->st[i].val);
	}
	free(e->st);
	free(e->name);
}

static int parse_body(struct parser *ps, struct entry *e)
{
	struct tok t;
	for (;;) {
		if (next_tok(ps, &t) == TK_ERR)
			return -1;
		if (t.kind == TK_RBRACE)
			break;
		if (t.kind != TK_WORD) {
			free(t.text);
			return perr(ps, t.line, "expected a keyword or '}' in "
			            "service '%s', found %s", e->name, tok_desc(&t));
		}
		struct stmt *st = realloc(e->st, (size_t)(e->nst + 1) * sizeof(*st));
		if (!st) {
			free(t.text);
			return perr(ps, t.line, "out of memory");
		}
		e->st = st;
		struct stmt *s = &e->st[e->nst++];
		memset(s, 0, sizeof(*s));
		s->kw = t.text;
		s->line = t.line;
		for (;;) {
			struct tok v;
			if (next_tok(ps, &v) == TK_ERR)
				return -1;
			if (v.kind == TK_SEMI)
				break;
			if (v.kind != TK_WORD && v.kind != TK_STR) {
				free(v.text);
				return perr(ps, v.line, "expected ';' after the values "
				            "of '%s', found %s", s->kw, tok_desc(&v));
			}
			if (s->nval == CONF_MAX_LIST) {
				free(v.text);
				return perr(ps, v.line, "more than %d values for '%s'",
				            CONF_MAX_LIST, s->kw);
			}
			char **nv = realloc(s->val, (size_t)(s->nval + 2) * sizeof(*nv));
			if (!nv) {
				free(v.text);
				return perr(ps, v.line, "out of memory");
			}
			s->val = nv;
			s->val[s->nval++] = v.text;
			s->val[s->nval] = NULL;
		}
	}
	if (next_tok(ps, &t) == TK_ERR)
		return -1;
	if (t.kind != TK_SEMI) {
		free(t.text);
		return perr(ps, t.line, "expected ';' after '}' of service '%s', "
		            "found %s", e->name, tok_desc(&t));
	}
	return 0;
}

static int label_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 16)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    *s != '.')
			return 0;
	return 1;
}

static int parse_entries(struct parser *ps)
{
	struct tok t;
	for (;;) {
		if (next_tok(ps, &t) == TK_ERR)
			return -1;
		if (t.kind == TK_EOF)
			return 0;
		if (t.kind != TK_WORD || strcmp(t.text, "service")) {
			free(t.text);
			return perr(ps, t.line, "expected 'service', found %s",
			            tok_desc(&t));
		}
		free(t.text);
		struct tok name;
		if (next_tok(ps, &name) == TK_ERR)
			return -1;
		if (name.kind != TK_WORD) {
			free(name.text);
			return perr(ps, name.line, "expected a service name after "
			            "'service', found %s", tok_desc(&name));
		}
		if (!label_ok(name.text)) {
			int l = name.line;
			perr(ps, l, "bad service name '%.40s': 1 to 15 letters, "
			     "digits, '_', '-' or '.'", name.text);
			free(name.text);
			return -1;
		}
		for (int i = 0; i < ps->ne; i++)
			if (!strcmp(ps->e[i].name, name.text)) {
				perr(ps, name.line, "service '%s' defined twice (first "
				     "at line %d)", name.text, ps->e[i].line);
				free(name.text);
				return -1;
			}
		struct entry *ne = realloc(ps->e, (size_t)(ps->ne + 1) * sizeof(*ne));
		if (!ne) {
			free(name.text);
			return perr(ps, name.line, "out of memory");
		}
		ps->e = ne;
		struct entry *e = &ps->e[ps->ne++];
		memset(e, 0, sizeof(*e));
		e->name = name.text;
		e->line = name.line;
		struct tok b;
		if (next_tok(ps, &b) == TK_ERR)
			return -1;
		if (b.kind != TK_LBRACE) {
			free(b.text);
			return perr(ps, b.line, "expected '{' after 'service %s', "
			            "found %s", e->name, tok_desc(&b));
		}
		if (parse_body(ps, e) < 0)
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* pass 2: applying statements                                          */

static char **dupv(char *const *v, int n)
{
	char **r = calloc((size_t)n + 1, sizeof(*r));
	if (!r)
		return NULL;
	for (int i = 0; i < n; i++)
		if (!(r[i] = strdup(v[i]))) {
			while (i--)
				free(r[i]);
			free(r);
			return NULL;
		}
	return r;
}

static void freev(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static int want(struct parser *ps, const struct stmt *s, int min, int max)
{
	if (s->nval < min || (max >= 0 && s->nval > max)) {
		if (min == max)
			return perr(ps, s->line, "'%s' takes %d value%s, not %d",
			            s->kw, min, min == 1 ? "" : "s", s->nval);
		if (max < 0)
			return perr(ps, s->line, "'%s' needs at least %d value%s",
			            s->kw, min, min == 1 ? "" : "s");
		return perr(ps, s->line, "'%s' takes %d to %d values, not %d",
		            s->kw, min, max, s->nval);
	}
	return 0;
}

static int set_str(struct parser *ps, const struct stmt *s, char **dst,
                   int absolute)
{
	if (want(ps, s, 1, 1) < 0)
		return -1;
	if (absolute && s->val[0][0] != '/')
		return perr(ps, s->line, "'%s' must be an absolute path, not "
		            "'%.100s'", s->kw, s->val[0]);
	char *v = strdup(s->val[0]);
	if (!v)
		return perr(ps, s->line, "out of memory");
	free(*dst);
	*dst = v;
	return 0;
}

static int set_list(struct parser *ps, const struct stmt *s, char ***dst,
                    int min)
{
	if (want(ps, s, min, -1) < 0)
		return -1;
	char **v = dupv(s->val, s->nval);
	if (!v)
		return perr(ps, s->line, "out of memory");
	freev(*dst);
	*dst = v;
	return 0;
}

static int set_dur(struct parser *ps, const struct stmt *s, int64_t *dst)
{
	if (want(ps, s, 1, 1) < 0)
		return -1;
	int64_t ms;
	if (!strcmp(s->val[0], "0"))
		ms = 0;
	else if (conf_duration(s->val[0], &ms) < 0)
		return perr(ps, s->line, "'%s': bad duration '%.40s' (500ms, "
		            "2s, 3m, 5HZ or MINIX ticks)", s->kw, s->val[0]);
	if (ms > 86400000LL * 365)
		return perr(ps, s->line, "'%s': more than a year", s->kw);
	*dst = ms;
	return 0;
}

static int set_bool(struct parser *ps, const struct stmt *s, int *dst,
                    const char *yes, const char *no)
{
	if (want(ps, s, 1, 1) < 0)
		return -1;
	if (!strcmp(s->val[0], yes) || !strcmp(s->val[0], "yes"))
		*dst = 1;
	else if (!strcmp(s->val[0], no) || !strcmp(s->val[0], "no"))
		*dst = 0;
	else
		return perr(ps, s->line, "'%s': expected %s or %s, not '%.40s'",
		            s->kw, yes, no, s->val[0]);
	return 0;
}

static int set_id(struct parser *ps, const struct stmt *s, long *dst,
                  int group)
{
	if (want(ps, s, 1, 1) < 0)
		return -1;
	const char *v = s->val[0];
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v && !*end && !errno && n >= 0 && n < 0x7fffffff) {
		*dst = n;
		return 0;
	}
	if (!group && !strcmp(v, "SELF")) {   /* MINIX: the invoker */
		*dst = (long)getuid();
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(v);
		if (g) {
			*dst = (long)g->gr_gid;
			return 0;
		}
	} else {
		struct passwd *pw = getpwnam(v);
		if (pw) {
			*dst = (long)pw->pw_uid;
			return 0;
		}
	}
	return perr(ps, s->line, "'%s': no such %s '%.40s'", s->kw,
	            group ? "group" : "user", v);
}

static const struct { const char *name; int res; } rlims[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE },
	{ "memlock", RLIMIT_MEMLOCK }, { "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC }, { "stack", RLIMIT_STACK },
	{ "rss", RLIMIT_RSS }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE }, { "rtprio", RLIMIT_RTPRIO },
	{ "sigpending", RLIMIT_SIGPENDING },
};

/* "unlimited", N, NK, NM, NG: bytes or a count */
static int rlim_value(const char *v, uint64_t *out)
{
	if (!strcmp(v, "unlimited") || !strcmp(v, "infinity")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	char *end;
	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || errno)
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M')
		shift = 20, end++;
	else if (*end == 'G')
		shift = 30, end++;
	if (*end || (shift && n > (~0ULL >> shift)))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

static int set_rlimit(struct parser *ps, const struct stmt *s,
                      struct conf_svc *v)
{
	if (want(ps, s, 2, 3) < 0)
		return -1;
	int res = -1;
	for (size_t i = 0; i < sizeof(rlims) / sizeof(rlims[0]); i++)
		if (!strcmp(rlims[i].name, s->val[0]))
			res = rlims[i].res;
	if (res < 0)
		return perr(ps, s->line, "rlimit: unknown resource '%.40s' (as, "
		            "core, cpu, data, fsize, memlock, nofile, nproc, "
		            "stack, ...)", s->val[0]);
	uint64_t cur, max;
	if (rlim_value(s->val[1], &cur) < 0 ||
	    rlim_value(s->val[s->nval - 1], &max) < 0)
		return perr(ps, s->line, "rlimit %s: expected a number (K, M, "
		            "G) or unlimited", s->val[0]);
	if (cur > max)
		return perr(ps, s->line, "rlimit %s: the soft limit is above "
		            "the hard one", s->val[0]);
	for (int i = 0; i < v->nrlimits; i++)
		if (v->rlimits[i].resource == res) {
			v->rlimits[i].cur = cur;
			v->rlimits[i].max = max;
			return 0;
		}
	struct conf_rlimit *r = realloc(v->rlimits,
	                                (size_t)(v->nrlimits + 1) * sizeof(*r));
	if (!r)
		return perr(ps, s->line, "out of memory");
	v->rlimits = r;
	r[v->nrlimits++] = (struct conf_rlimit){ res, cur, max };
	return 0;
}

static int add_env(struct parser *ps, const struct stmt *s, struct conf_svc *v)
{
	if (want(ps, s, 1, -1) < 0)
		return -1;
	for (int i = 0; i < s->nval; i++) {
		const char *eq = strchr(s->val[i], '=');
		if (!eq || eq == s->val[i])
			return perr(ps, s->line, "env: expected NAME=VALUE, not "
			            "'%.60s'", s->val[i]);
		size_t klen = (size_t)(eq - s->val[i]) + 1;
		int n = 0, at = -1;
		for (; v->env && v->env[n]; n++)
			if (!strncmp(v->env[n], s->val[i], klen))
				at = n;
		char *dup = strdup(s->val[i]);
		if (!dup)
			return perr(ps, s->line, "out of memory");
		if (at >= 0) {
			free(v->env[at]);
			v->env[at] = dup;
			continue;
		}
		char **e = realloc(v->env, (size_t)(n + 2) * sizeof(*e));
		if (!e) {
			free(dup);
			return perr(ps, s->line, "out of memory");
		}
		v->env = e;
		e[n] = dup;
		e[n + 1] = NULL;
	}
	return 0;
}

static int names_ok(struct parser *ps, const struct stmt *s)
{
	for (int i = 0; i < s->nval; i++)
		if (!label_ok(s->val[i]))
			return perr(ps, s->line, "'%s': bad service name '%.40s'",
			            s->kw, s->val[i]);
	return 0;
}

static const char *const minix_only[] = {
	"irq", "io", "pci", "vm", "sigmgr", "scheduler", "priority",
	"quantum", "cpu", "domain", "dev", "major", NULL
};

static int resolve(struct parser *ps, struct entry *e, struct conf_svc *v,
                   int depth);

static int apply(struct parser *ps, const struct stmt *s, struct conf_svc *v,
                 int depth)
{
	const char *k = s->kw;
	if (!strcmp(k, "path"))
		return set_str(ps, s, &v->path, 1);
	if (!strcmp(k, "args")) {
		if (s->nval > 64)
			return perr(ps, s->line, "'args': more than 64 arguments");
		return set_list(ps, s, &v->args, 0);
	}
	if (!strcmp(k, "env"))
		return add_env(ps, s, v);
	if (!strcmp(k, "cwd"))
		return set_str(ps, s, &v->cwd, 1);
	if (!strcmp(k, "script"))
		return set_str(ps, s, &v->script, 1);
	if (!strcmp(k, "descr"))
		return set_str(ps, s, &v->descr, 0);
	if (!strcmp(k, "type"))
		return set_str(ps, s, &v->type, 0);
	if (!strcmp(k, "period"))
		return set_dur(ps, s, &v->period_ms);
	if (!strcmp(k, "reset_after"))
		return set_dur(ps, s, &v->reset_ms);
	if (!strcmp(k, "restart"))
		return set_bool(ps, s, &v->restart, "always", "never");
	if (!strcmp(k, "backoff"))
		return set_bool(ps, s, &v->backoff, "exponential", "fixed");
	if (!strcmp(k, "replica"))
		return set_bool(ps, s, &v->replica, "yes", "no");
	if (!strcmp(k, "copy"))
		return set_bool(ps, s, &v->copy, "yes", "no");
	if (!strcmp(k, "uid"))
		return set_id(ps, s, &v->uid, 0);
	if (!strcmp(k, "gid"))
		return set_id(ps, s, &v->gid, 1);
	if (!strcmp(k, "rlimit"))
		return set_rlimit(ps, s, v);
	if (!strcmp(k, "after"))
		return names_ok(ps, s) < 0 ? -1 : set_list(ps, s, &v->after, 1);
	if (!strcmp(k, "control"))
		return names_ok(ps, s) < 0 ? -1 : set_list(ps, s, &v->control, 1);
	if (!strcmp(k, "ipc")) {
		if (want(ps, s, 1, -1) < 0)
			return -1;
		for (int i = 0; i < s->nval; i++) {
			const char *n = s->val[i];
			if ((!strcmp(n, "ALL") || !strcmp(n, "ALL_SYS")) &&
			    s->nval > 1)
				return perr(ps, s->line, "ipc: %s must be alone", n);
			if (strcmp(n, "ALL") && strcmp(n, "ALL_SYS") &&
			    strcmp(n, "SYSTEM") && strcmp(n, "USER") && !label_ok(n))
				return perr(ps, s->line, "ipc: bad name '%.40s'", n);
		}
		return set_list(ps, s, &v->ipc, 1);
	}
	if (!strcmp(k, "system")) {
		if (want(ps, s, 1, -1) < 0)
			return -1;
		/* MINIX's kernel calls (upper case: KILL, IRQCTL, ...) have no
		 * Linux meaning: reported and left out */
		struct stmt keep = *s;
		char *vals[CONF_MAX_LIST + 1];
		keep.val = vals;
		keep.nval = 0;
		for (int i = 0; i < s->nval; i++) {
			const char *n = s->val[i];
			if ((!strcmp(n, "ALL") || !strcmp(n, "NONE")) && s->nval > 1)
				return perr(ps, s->line, "system: %s must be alone", n);
			int upper = 1;
			for (const char *q = n; *q; q++) {
				if (!isalnum((unsigned char)*q) && *q != '_' &&
				    *q != '@')
					return perr(ps, s->line, "system: bad name "
					            "'%.40s'", n);
				if (islower((unsigned char)*q))
					upper = 0;
			}
			if (upper && strcmp(n, "ALL") && strcmp(n, "NONE") &&
			    strcmp(n, "BASIC")) {
				char kw[64];
				snprintf(kw, sizeof(kw), "system %s", n);
				warn_once(ps, s->line, kw, "(a MINIX kernel call) has "
				          "no meaning on Linux: ignored");
				continue;
			}
			vals[keep.nval++] = s->val[i];
		}
		vals[keep.nval] = NULL;
		if (keep.nval == 0) {   /* only MINIX calls: the basic set */
			static char basic[] = "BASIC";
			vals[keep.nval++] = basic;
			vals[keep.nval] = NULL;
		}
		return set_list(ps, &keep, &v->system, 1);
	}
	if (!strcmp(k, "class")) {
		if (want(ps, s, 1, -1) < 0)
			return -1;
		for (int i = 0; i < s->nval; i++) {
			struct entry *c = NULL;
			for (int j = 0; j < ps->ne; j++)
				if (!strcmp(ps->e[j].name, s->val[i]))
					c = &ps->e[j];
			if (!c)
				return perr(ps, s->line, "class '%.40s' is not "
				            "defined", s->val[i]);
			if (c->state == 1)
				return perr(ps, s->line, "class '%s' includes "
				            "itself", c->name);
			if (depth >= CONF_MAX_DEPTH)
				return perr(ps, s->line, "classes nested more than "
				            "%d deep", CONF_MAX_DEPTH);
			/* the class's own path stays its own */
			char *path = v->path;
			v->path = NULL;
			int r = resolve(ps, c, v, depth + 1);
			free(v->path);
			v->path = path;
			if (r < 0)
				return -1;
		}
		return 0;
	}
	for (int i = 0; minix_only[i]; i++)
		if (!strcmp(k, minix_only[i])) {
			warn_once(ps, s->line, k, "has no meaning on Linux: ignored");
			return 0;
		}
	warn_once(ps, s->line, k, "is unknown: ignored");
	return 0;
}

static int resolve(struct parser *ps, struct entry *e, struct conf_svc *v,
                   int depth)
{
	e->state = 1;
	for (int i = 0; i < e->nst; i++) {
		/* classes that include classes several times grow as
		 * width^depth: a bound, not hours of work */
		if (++ps->applied > CONF_MAX_APPLIED) {
			e->state = 0;
			return perr(ps, e->st[i].line, "the classes of service "
			            "'%s' expand to more than %d settings", v->name,
			            CONF_MAX_APPLIED);
		}
		if (apply(ps, &e->st[i], v, depth) < 0) {
			e->state = 0;
			return -1;
		}
	}
	e->state = 0;
	return 0;
}

static void free_svc(struct conf_svc *v)
{
	free(v->name);
	free(v->path);
	freev(v->args);
	freev(v->env);
	free(v->cwd);
	free(v->script);
	free(v->descr);
	free(v->type);
	freev(v->after);
	freev(v->ipc);
	freev(v->control);
	freev(v->system);
	free(v->rlimits);
}

void conf_free(struct conf *c)
{
	for (int i = 0; i < c->nsvc; i++)
		free_svc(&c->svc[i]);
	free(c->svc);
	for (int i = 0; i < c->nwarnings; i++) {
		free(c->warnings[i]);
		free(c->warn_keys[i]);
	}
	free(c->warnings);
	free(c->warn_keys);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

int conf_parse(const char *file, const char *text, size_t len,
               struct conf *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	struct parser ps = { .file = file, .p = text, .end = text + len,
	                     .line = 1, .err = err, .errlen = errlen, .c = c };
	int r = -1;
	if (errlen)
		err[0] = 0;
	if (!(c->file = strdup(file)))
		goto out;
	if (parse_entries(&ps) < 0)
		goto out;
	c->svc = calloc((size_t)ps.ne + 1, sizeof(*c->svc));
	if (!c->svc) {
		perr(&ps, 1, "out of memory");
		goto out;
	}
	for (int i = 0; i < ps.ne; i++) {
		struct conf_svc *v = &c->svc[c->nsvc++];
		v->period_ms = v->reset_ms = -1;
		v->restart = v->backoff = v->replica = v->copy = -1;
		v->uid = v->gid = -1;
		v->line = ps.e[i].line;
		if (!(v->name = strdup(ps.e[i].name))) {
			perr(&ps, v->line, "out of memory");
			goto out;
		}
		ps.applied = 0;
		if (resolve(&ps, &ps.e[i], v, 0) < 0)
			goto out;
	}
	r = 0;
out:
	for (int i = 0; i < ps.ne; i++)
		free_entry(&ps.e[i]);
	free(ps.e);
	if (r < 0) {
		conf_free(c);
		if (errlen && !err[0])
			snprintf(err, errlen, "%s: out of memory", file);
	}
	return r;
}

int conf_load(const char *file, struct conf *c, char *err, size_t errlen)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", file, S_ISREG(st.st_mode) ?
		         "larger than 16 MiB" : "not a regular file");
		close(fd);
		return -1;
	}
	size_t n = (size_t)st.st_size, got = 0;
	char *buf = malloc(n + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	int r = conf_parse(file, buf, got, c, err, errlen);
	free(buf);
	return r;
}

const struct conf_svc *conf_find(const struct conf *c, const char *name)
{
	for (int i = 0; i < c->nsvc; i++)
		if (!strcmp(c->svc[i].name, name))
			return &c->svc[i];
	return NULL;
}

int conf_boot_order(const struct conf *c, int *order, char *err,
                    size_t errlen)
{
	int n = c->nsvc, k = 0;
	int *done = calloc((size_t)n + 1, sizeof(int));
	if (!done) {
		snprintf(err, errlen, "%s: out of memory", c->file);
		return -1;
	}
	/* every dependency exists and is a service */
	for (int i = 0; i < n; i++) {
		const struct conf_svc *v = &c->svc[i];
		if (!v->path)
			continue;
		for (char **a = v->after; a && *a; a++) {
			const struct conf_svc *d = conf_find(c, *a);
			if (!d || !d->path || d == v) {
				snprintf(err, errlen, "%s:%d: service '%s' starts "
				         "after '%s', %s", c->file, v->line, v->name,
				         *a, d == v ? "itself" : !d ? "which is not "
				         "in the file" : "which is a class (no path)");
				free(done);
				return -1;
			}
		}
	}
	/* Kahn's algorithm, in file order among the ready ones */
	for (int progress = 1; progress;) {
		progress = 0;
		for (int i = 0; i < n; i++) {
			const struct conf_svc *v = &c->svc[i];
			if (!v->path || done[i])
				continue;
			int ready = 1;
			for (char **a = v->after; a && *a && ready; a++)
				ready = done[conf_find(c, *a) - c->svc];
			if (!ready)
				continue;
			done[i] = 1;
			order[k++] = i;
			progress = 1;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!c->svc[i].path || done[i])
			continue;
		/* a cycle: follow unmet dependencies from i until one repeats */
		int seen[64], ns = 0, cur = i;
		char cyc[400] = "";
		for (;;) {
			int j = 0;
			for (; j < ns && seen[j] != cur; j++)
				;
			if (j < ns || ns == 64) {
				size_t at = 0;
				for (int m = j < ns ? j : 0; m < ns; m++) {
					int w = snprintf(cyc + at, sizeof(cyc) - at,
					                 "%s after ", c->svc[seen[m]].name);
					if (w < 0 || (size_t)w >= sizeof(cyc) - at)
						break;
					at += (size_t)w;
				}
				snprintf(cyc + at, sizeof(cyc) - at, "%s",
				         c->svc[cur].name);
				break;
			}
			seen[ns++] = cur;
			const struct conf_svc *v = &c->svc[cur];
			for (char **a = v->after; a && *a; a++) {
				int d = (int)(conf_find(c, *a) - c->svc);
				if (!done[d]) {
					cur = d;
					break;
				}
			}
		}
		snprintf(err, errlen, "%s:%d: a cycle in 'after': %s", c->file,
		         c->svc[cur].line, cyc);
		free(done);
		return -1;
	}
	free(done);
	return k;
}

char *conf_vec_blob(char *const *v, size_t *len)
{
	size_t n = 0;
	for (char *const *p = v; p && *p; p++)
		n += strlen(*p) + 1;
	char *b = malloc(n ? n : 1), *at = b;
	if (!b)
		return NULL;
	for (char *const *p = v; p && *p; p++) {
		size_t l = strlen(*p) + 1;
		memcpy(at, *p, l);
		at += l;
	}
	*len = n;
	return b;
}

static void put_vec(struct proto_buf *pb, int tag, char *const *v)
{
	size_t n;
	char *b = conf_vec_blob(v, &n);
	if (!b) {
		pb->err = -ENOMEM;
		return;
	}
	proto_put_blob(pb, tag, b, n);
	free(b);
}

void conf_put_privs(const struct conf_svc *v, struct proto_buf *pb)
{
	static char *const all_sys[] = { "ALL_SYS", NULL };
	if (v->uid >= 0)
		proto_put_int(pb, T_UID, v->uid);
	if (v->gid >= 0)
		proto_put_int(pb, T_GID, v->gid);
	put_vec(pb, T_IPC, v->ipc ? v->ipc : all_sys);
	if (v->control)
		put_vec(pb, T_CONTROL, v->control);
	if (v->system)
		put_vec(pb, T_SYSCALLS, v->system);
	if (v->nrlimits) {
		uint8_t *b = malloc((size_t)v->nrlimits * 20);
		if (!b) {
			pb->err = -ENOMEM;
			return;
		}
		for (int i = 0; i < v->nrlimits; i++) {
			put_le32(b + i * 20, (uint32_t)v->rlimits[i].resource);
			put_le64(b + i * 20 + 4, v->rlimits[i].cur);
			put_le64(b + i * 20 + 12, v->rlimits[i].max);
		}
		proto_put_blob(pb, T_RLIMITS, b, (size_t)v->nrlimits * 20);
		free(b);
	}
}

int conf_flags(const struct conf_svc *v)
{
	int flags = 0;
	if (v->restart == 0)
		flags |= UPF_NORESTART;
	if (v->backoff == 0)
		flags |= UPF_NO_BIN_EXP;
	if (v->replica == 1)
		flags |= UPF_REPLICA;
	if (v->copy == 1)
		flags |= UPF_COPY;
	return flags;
}

void conf_put_up(const struct conf_svc *v, struct proto_buf *pb)
{
	proto_begin(pb, P_UP, 0);
	proto_put_str(pb, T_LABEL, v->name);
	proto_put_str(pb, T_PATH, v->path ? v->path : "");
	if (v->args)
		put_vec(pb, T_ARGV, v->args);
	if (v->env)
		put_vec(pb, T_ENV, v->env);
	if (v->cwd)
		proto_put_str(pb, T_CWD, v->cwd);
	if (v->script)
		proto_put_str(pb, T_SCRIPT, v->script);
	if (v->period_ms >= 0)
		proto_put_int(pb, T_PERIOD_MS, v->period_ms);
	if (v->reset_ms >= 0)
		proto_put_int(pb, T_RESET_MS, v->reset_ms);
	proto_put_int(pb, T_FLAGS, conf_flags(v));
	conf_put_privs(v, pb);
}

int conf_duration(const char *s, int64_t *ms)
{
	return proto_parse_duration(s, ms) < 0 || *ms < 0 ? -1 : 0;
}
