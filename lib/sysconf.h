/*
 * sysconf.h - MINIX's system.conf, read by reincd (-c FILE: the services
 * to boot) and reinc (up -config FILE).  Not part of libsef's API: it
 * lives in libsef.a only so that both programs link the same parser.
 *
 * Grammar (MINIX's generic config syntax, ref §3.2):
 *
 *     file    := { "service" NAME "{" { KEYWORD { VALUE } ";" } "}" ";" }
 *     VALUE   := a word, or a "string" (\" and \\ escapes)
 *     # comments run to the end of the line
 *
 * An entry without `path` is a class only: other entries include it with
 * `class NAME...;`, which applies its settings at that point (later
 * settings override earlier ones; loops and unknown classes are errors).
 * Keywords of MINIX without a Linux meaning are accepted and reported
 * once per file (conf_warn); unknown keywords too.  See docs/config.md
 * for every keyword.
 */
#ifndef REINC_SYSCONF_H
#define REINC_SYSCONF_H

#include <stdint.h>
#include <sys/types.h>

#define CONF_MAX_LIST 256      /* values of one list keyword */

struct conf_rlimit {
	int resource;              /* RLIMIT_* */
	uint64_t cur, max;         /* RLIM_INFINITY for "unlimited" */
};

struct conf_svc {
	char *name;                /* the entry's name: the label */
	int line;                  /* where it starts */
	char *path;                /* NULL: a class */
	char **args;               /* NULL-terminated, or NULL */
	char **env;                /* NAME=VALUE, NULL-terminated, or NULL */
	char *cwd, *script, *descr, *type;
	int64_t period_ms;         /* -1: not set */
	int64_t reset_ms;          /* -1: not set */
	int restart;               /* -1 unset, 0 never (-f), 1 yes */
	int backoff;               /* -1 unset, 0 fixed 1 s (-b), 1 exponential */
	int replica;               /* -1 unset, 0, 1 (-p) */
	int copy;                  /* -1 unset, 0, 1 (-c) */
	long uid, gid;             /* -1: not set */
	char **after;              /* start after these have initialised */
	char **ipc;                /* NULL: not set (default ALL_SYS) */
	char **control;            /* services this one may manage */
	char **system;             /* seccomp allow-list; NULL: not set */
	struct conf_rlimit *rlimits;
	int nrlimits;
};

struct conf {
	char *file;
	struct conf_svc *svc;      /* every entry, classes too, file order */
	int nsvc;
	char **warnings;           /* "FILE:LINE: ..." reported once each */
	int nwarnings;
	char **warn_keys;          /* what each warning is about (internal) */
};

/* Parse text (len bytes, named file in messages).  0, or -1 with a
 * message "FILE:LINE: what was expected" in err.  On success every entry
 * has its classes applied. */
int conf_parse(const char *file, const char *text, size_t len,
               struct conf *c, char *err, size_t errlen);
/* Read and parse a file. */
int conf_load(const char *file, struct conf *c, char *err, size_t errlen);
void conf_free(struct conf *c);
/* The entry called name, or NULL. */
const struct conf_svc *conf_find(const struct conf *c, const char *name);
/* Check the boot graph of the services (entries with a path): every
 * `after` names a service of the file and there is no cycle.  Fills
 * order[] (indexes into c->svc, nsvc entries at most) with a start
 * order; returns how many, or -1 with a message. */
int conf_boot_order(const struct conf *c, int *order, char *err,
                    size_t errlen);
/* Append v's privileges to a P_UP frame: T_UID, T_GID, T_IPC (ALL_SYS
 * when not set: MINIX's default for a configured service), T_CONTROL,
 * T_SYSCALLS, T_RLIMITS. */
struct proto_buf;
void conf_put_privs(const struct conf_svc *v, struct proto_buf *pb);
/* The policy the entry sets, as UPF_* flags (restart never: -f, backoff
 * fixed: -b, replica: -p, copy: -c). */
int conf_flags(const struct conf_svc *v);
/* The whole entry as a P_UP request (id 0): label, path, args, period,
 * policy flags (UPF_*), script, env, cwd, reset, and the privileges. */
void conf_put_up(const struct conf_svc *v, struct proto_buf *pb);
/* A vector as NUL-terminated strings back to back (malloc'ed; *len
 * bytes), or NULL. */
char *conf_vec_blob(char *const *v, size_t *len);
/* Duration "500ms", "2s", "1.5s", "3m", MINIX "5HZ" or ticks: ms. */
int conf_duration(const char *s, int64_t *ms);

#endif
