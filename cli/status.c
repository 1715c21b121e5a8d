/*
 * status.c - `reinc status`: keeps the P_STATUS_REC records reincd sends
 * and prints them as a table for people or as JSON for programs.
 *
 * It only renders what reincd reported: it does not talk to reincd, sort,
 * filter or interpret the records (the state and flag strings are
 * reincd's), and a field reincd did not send is shown as "-" (table) or
 * null (JSON) rather than guessed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reinc.h"

/* An integer field that was not in the frame. */
#define ABSENT INT64_MIN

struct rec {
	char *label, *state, *flags, *cmd;    /* NULL when absent */
	int64_t ep, pid, restarts, uptime, alive, period, backoff, standby;
};

static struct rec *recs;
static size_t nrecs, caprecs;

static char *dup_field(const struct proto_msg *pm, int tag, int *err)
{
	const char *s = proto_str(pm, tag);
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*err = -ENOMEM;
	return d;
}

int status_add(const struct proto_msg *pm)
{
	struct rec *r;
	int err = 0;

	if (nrecs == caprecs) {
		size_t ncap = caprecs ? caprecs * 2 : 16;
		struct rec *n = realloc(recs, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		recs = n;
		caprecs = ncap;
	}
	r = &recs[nrecs];
	r->label = dup_field(pm, T_LABEL, &err);
	r->state = dup_field(pm, T_STATE, &err);
	r->flags = dup_field(pm, T_SFLAGS, &err);
	r->cmd = dup_field(pm, T_CMD, &err);
	r->ep = proto_int(pm, T_EP, ABSENT);
	r->pid = proto_int(pm, T_PID, ABSENT);
	r->restarts = proto_int(pm, T_RESTARTS, ABSENT);
	r->uptime = proto_int(pm, T_UPTIME_MS, ABSENT);
	r->alive = proto_int(pm, T_ALIVE_MS, ABSENT);
	r->period = proto_int(pm, T_PERIOD_MS, ABSENT);
	r->backoff = proto_int(pm, T_BACKOFF_MS, ABSENT);
	r->standby = proto_int(pm, T_STANDBY_PID, ABSENT);
	nrecs++;   /* counted even on error so that status_free frees it */
	return err;
}

size_t status_count(void)
{
	return nrecs;
}

void status_free(void)
{
	for (size_t i = 0; i < nrecs; i++) {
		free(recs[i].label);
		free(recs[i].state);
		free(recs[i].flags);
		free(recs[i].cmd);
	}
	free(recs);
	recs = NULL;
	nrecs = caprecs = 0;
}

/* ------------------------------------------------------------------ */
/* Table                                                                */

enum { C_LABEL, C_EP, C_PID, C_STATE, C_RESTARTS, C_UPTIME, C_ALIVE,
       C_PERIOD, C_FLAGS, NCOL };
static const char *const col_name[NCOL] = {
	"LABEL", "ENDPOINT", "PID", "STATE", "RESTARTS", "UPTIME",
	"LAST-ALIVE", "PERIOD", "FLAGS",
};
#define CELL 48

/* "850ms", "12.3s", "5m03s", "2h07m", "3d04h"; "-" for a negative or
 * absent value.  Coarser units further out because nobody reads the
 * milliseconds of an uptime measured in days. */
static void fmt_dur(char *buf, int64_t ms)
{
	if (ms < 0)   /* includes ABSENT and reincd's -1 "unknown" */
		snprintf(buf, CELL, "-");
	else if (ms < 1000)
		snprintf(buf, CELL, "%" PRId64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, CELL, "%" PRId64 ".%" PRId64 "s", ms / 1000,
		         ms / 100 % 10);
	else if (ms < 3600000)
		snprintf(buf, CELL, "%" PRId64 "m%02" PRId64 "s", ms / 60000,
		         ms / 1000 % 60);
	else if (ms < 86400000)
		snprintf(buf, CELL, "%" PRId64 "h%02" PRId64 "m", ms / 3600000,
		         ms / 60000 % 60);
	else
		snprintf(buf, CELL, "%" PRId64 "d%02" PRId64 "h", ms / 86400000,
		         ms / 3600000 % 24);
}

static void fmt_int(char *buf, int64_t v, int64_t min)
{
	if (v == ABSENT || v < min)
		snprintf(buf, CELL, "-");
	else
		snprintf(buf, CELL, "%" PRId64, v);
}

/* Strings from reincd go to a terminal: replace control characters so
 * that a strange label cannot move the cursor or break the columns. */
static void fmt_str(char *buf, const char *s)
{
	size_t i;

	if (!s || !*s) {
		snprintf(buf, CELL, "-");
		return;
	}
	for (i = 0; s[i] && i < CELL - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[i] = 0;
}

static void fill_row(const struct rec *r, char cell[NCOL][CELL])
{
	fmt_str(cell[C_LABEL], r->label);
	/* NONE: a service that has no endpoint (yet). */
	fmt_int(cell[C_EP], r->ep == NONE ? -1 : r->ep, 0);
	fmt_int(cell[C_PID], r->pid, 1);       /* 0: no instance right now */
	fmt_str(cell[C_STATE], r->state);
	fmt_int(cell[C_RESTARTS], r->restarts, 0);
	/* Without an instance there is nothing to have an uptime. */
	fmt_dur(cell[C_UPTIME], r->pid == 0 ? -1 : r->uptime);
	fmt_dur(cell[C_ALIVE], r->alive);
	/* A period of 0 means no heartbeat checks: "-" as for none. */
	fmt_dur(cell[C_PERIOD], r->period > 0 ? r->period : -1);
	fmt_str(cell[C_FLAGS], r->flags);
}

static void print_row(FILE *out, const size_t *w, char cell[NCOL][CELL])
{
	for (int c = 0; c < NCOL; c++) {
		if (c == NCOL - 1)
			fprintf(out, "%s\n", cell[c]);
		else
			fprintf(out, "%-*s  ", (int)w[c], cell[c]);
	}
}

static void print_table(FILE *out)
{
	size_t w[NCOL];
	char cell[NCOL][CELL];

	/* Two passes (widths, then rows) keep the columns aligned whatever
	 * the labels' lengths, without storing the formatted cells. */
	for (int c = 0; c < NCOL; c++)
		w[c] = strlen(col_name[c]);
	for (size_t i = 0; i < nrecs; i++) {
		fill_row(&recs[i], cell);
		for (int c = 0; c < NCOL; c++)
			if (strlen(cell[c]) > w[c])
				w[c] = strlen(cell[c]);
	}
	for (int c = 0; c < NCOL; c++)
		snprintf(cell[c], CELL, "%s", col_name[c]);
	print_row(out, w, cell);
	for (size_t i = 0; i < nrecs; i++) {
		fill_row(&recs[i], cell);
		print_row(out, w, cell);
	}
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

/* Length of the valid UTF-8 sequence at s, 0 if invalid (overlong
 * forms, surrogates and values above U+10FFFF are invalid).  s is
 * NUL-terminated, and NUL is never a continuation byte, so this never
 * reads past the end. */
static int utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* A JSON string.  A command line may hold any bytes; invalid UTF-8
 * becomes U+FFFD so that the output always parses. */
static void json_str(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	while (*s) {
		int n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", out);
			s++;
		} else if (*s == '"' || *s == '\\') {
			putc('\\', out);
			putc(*s++, out);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, (size_t)n, out);
			s += n;
		}
	}
	putc('"', out);
}

static void json_int(FILE *out, int64_t v)
{
	if (v == ABSENT)
		fputs("null", out);
	else
		fprintf(out, "%" PRId64, v);
}

static void json_rec(FILE *out, const struct rec *r)
{
	fputs("{\"label\": ", out);      json_str(out, r->label);
	fputs(", \"endpoint\": ", out);  json_int(out, r->ep);
	fputs(", \"pid\": ", out);       json_int(out, r->pid);
	fputs(", \"state\": ", out);     json_str(out, r->state);
	fputs(", \"restarts\": ", out);  json_int(out, r->restarts);
	fputs(", \"uptime_ms\": ", out); json_int(out, r->uptime);
	fputs(", \"alive_ms\": ", out);  json_int(out, r->alive);
	fputs(", \"period_ms\": ", out); json_int(out, r->period);
	fputs(", \"flags\": ", out);     json_str(out, r->flags);
	fputs(", \"backoff_ms\": ", out); json_int(out, r->backoff);
	fputs(", \"standby_pid\": ", out); json_int(out, r->standby);
	fputs(", \"cmd\": ", out);       json_str(out, r->cmd);
	putc('}', out);
}

int status_print(FILE *out, int json, int single)
{
	if (single && nrecs == 0)
		return -ESRCH;
	if (!json)
		print_table(out);
	else if (single) {
		/* One label asked for, one record expected: an object, so
		 * that `jq .state` works without indexing. */
		json_rec(out, &recs[0]);
		putc('\n', out);
	} else if (nrecs == 0)
		fputs("[]\n", out);
	else {
		fputs("[\n", out);
		for (size_t i = 0; i < nrecs; i++) {
			fputs("  ", out);
			json_rec(out, &recs[i]);
			fputs(i + 1 < nrecs ? ",\n" : "\n", out);
		}
		fputs("]\n", out);
	}
	if (fflush(out) == EOF || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}
