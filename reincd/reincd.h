/*
 * reincd.h - the reincarnation server's one shared header: the service
 * table, instances, participants and channels, connections, and the
 * functions each module exports (named after their file).
 *
 * reincd is one process with one epoll loop.  Every watched descriptor
 * carries a struct watch telling what it is.  Times are CLOCK_MONOTONIC
 * milliseconds.
 */
#ifndef REINCD_H
#define REINCD_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

/* ------------------------------------------------------------------ */
/* configuration                                                        */

struct config {
	char rundir[PATH_MAX];
	int64_t tick_ms;        /* heartbeat/back-off resolution */
	int64_t init_ms;        /* RS_INIT_T: killed after > 2x */
	int64_t grace_ms;       /* SIGTERM -> SIGKILL */
	int verbose;
	uid_t uid;              /* reincd's own uid: may manage */
	int event_subs;         /* most process event subscribers */
	int64_t event_timeout_ms; /* unacknowledged event: kill; 0 never */
};
extern struct config cfg;
extern int shutting_down;

/* ------------------------------------------------------------------ */
/* event loop                                                           */

enum watch_kind { W_LISTEN = 1, W_CONN, W_PIDFD, W_OUTPUT, W_SIGNAL,
                  W_TIMER, W_SCRIPT };
struct watch {
	int kind;
	void *obj;
};
struct epoll_event;
int loop_init(void);
int loop_wait(struct epoll_event *evs, int max);
void loop_bury(void);
/* Make sure the timer fires by `when` (CLOCK_MONOTONIC ms); the timer
 * then calls svc_tick(). */
void loop_wake_at(int64_t when);
/* The timer fired: forget the armed time and return the descriptor's
 * expirations. */
void loop_timer_fired(void);
int loop_add(int fd, struct watch *w, uint32_t events);
void loop_del(int fd);
int loop_mod(int fd, struct watch *w, uint32_t events);
/* free(p) once the current batch of events has been handled */
void loop_defer_free(void *p);
int64_t now_ms(void);

/* ------------------------------------------------------------------ */
/* participants and channels                                            */

struct part;
struct chan {
	struct part *caller, *callee;
	uint32_t caller_slot, callee_slot;
	int caller_fd;   /* reincd's copy of the caller end, -1 for a user */
	int callee_fd;   /* reincd's copy of the callee end, -1 for a user */
};

/* Anyone with an endpoint: a service or a user process. */
struct part {
	endpoint_t ep;
	struct part *hnext;     /* endpoint hash chain */
	struct svc *svc;        /* NULL for a user process */
	struct conn *conn;      /* a user process's connection */
	struct chan **callee;   /* by slot; LIVE_MAX_CHAN for a service */
	uint32_t ncallee_cap, ncallee_hi;
	struct chan **caller;   /* by slot */
	uint32_t ncaller_cap, ncaller_hi;
	/* a process event in flight (event.c) */
	int ev;                 /* PROC_EVENT_*, 0: none */
	unsigned ev_cursor;     /* the subscriber it waits on */
	int ev_sent;            /* ... which has been sent the event */
	int ev_exit_next;       /* exited during its signal event */
	int64_t ev_sent_ms;
	uint64_t ev_req_id;     /* the P_SIGEVENT to answer */
	struct part *ev_next, *ev_prev;
};

struct part *part_new(endpoint_t ep, struct svc *svc, struct conn *conn);
/* Close every channel of p (peers are told) and free it. */
void part_free(struct part *p);
struct part *part_find(endpoint_t ep);
/* p's label as its peers see it: the service's, "rs" for reincd, "" for
 * a user process. */
const char *part_label(const struct part *p);
/* Connect caller to the endpoint: 0 and *ch, or -errno. */
int chan_connect(struct part *caller, endpoint_t dst, struct chan **ch);
/* Send every channel of a service to its new instance's control socket. */
int chan_handover(struct part *p);
/* Does any of p's callee channels hold a message it has not read? */
int chan_queued(const struct part *p);
/* After an instance died: answer -EDEADSRCDST for the requests it was
 * serving (recorded in its liveness page).  Returns how many. */
int chan_fail_pending(struct part *p, struct live_page *live);

/* ------------------------------------------------------------------ */
/* connections: the public socket's clients and instances' control      */

struct conn {
	int fd;
	struct watch w;
	uid_t uid;
	pid_t pid;
	unsigned gen;           /* unique per connection */
	unsigned slot;          /* index in the connection table */
	struct part *user;      /* joined as a user process (P_HELLO) */
	struct inst *inst;      /* the control socket of this instance */
	int dead;
	unsigned bad_acks;      /* mismatched event acknowledgements */
	struct outbuf *oq_head, *oq_tail;  /* frames waiting for room */
	size_t oq_bytes;
};
struct conn *conn_new(int fd, struct inst *inst);
void conn_close(struct conn *c);
void conn_readable(struct conn *c);
void conn_writable(struct conn *c);
/* Handle every frame already queued on c (a dying instance's last words). */
void conn_drain(struct conn *c);
/* A remembered caller to answer later (late reply). */
struct waiter {
	unsigned slot, gen;
	uint64_t id;
	int type;
	int set;
};
void waiter_set(struct waiter *w, struct conn *c, uint64_t id, int type);
/* Send P_REPLY with result to a waiter still connected; clears it. */
void waiter_reply(struct waiter *w, int result, const char *errmsg);
int conn_reply(struct conn *c, uint64_t id, int result, const char *errmsg);
/* Finish and send a frame without blocking: 0 or -errno. */
int conn_send(struct conn *c, struct proto_buf *pb, const int *fds, int nfds);

/* ------------------------------------------------------------------ */
/* services and instances                                               */

enum inst_state { I_STANDBY = 1, I_INIT, I_RUNNING, I_DEAD };

struct inst {
	struct svc *svc;
	pid_t pid;
	int pidfd;
	struct watch pw;
	struct conn *ctl;
	int live_fd;
	struct live_page *live;
	int state;
	int init_type;
	int init_err;            /* result reported by a failed init */
	int64_t init_sent_ms;
	int64_t started_ms;
	uint64_t last_counter;
	int killed_noping;       /* killed for missing heartbeats */
	int stalled;             /* idle with work queued at the last check */
	int waiting;             /* said P_WAITING: blocked for its init */
	int lu_paused;           /* ready for an update: takes no events */
	int ev_killed;           /* killed for not acknowledging an event */
	unsigned bad_acks;       /* mismatched event acknowledgements */
};

enum svc_state { S_STARTING = 1, S_RUNNING, S_RESTARTING, S_STOPPING,
                 S_BACKOFF, S_TERMINATED, S_UPDATING };

#define SVC_MAX_ARGS 64

struct svc {
	char label[RS_MAX_LABEL_LEN];
	struct part *part;
	char *path;
	char **argv;            /* argv[0] = path, NULL-terminated */
	char **env;             /* extra NAME=VALUE, NULL-terminated */
	char *cwd, *script;
	int flags;              /* UPF_* */
	int64_t period_ms, reset_ms;
	int restarts;           /* completed restarts */
	int level;              /* back-off level: crashes since healthy */
	int state;
	struct inst *cur, *standby;
	int64_t alive_ms;       /* last sign of life */
	int64_t ping_ms;        /* last ping sent */
	int ping_out;           /* a ping is unanswered */
	int64_t backoff_until;
	int64_t next_due;       /* when svc_tick must look at it next */
	int64_t standby_due;    /* when to spawn a missing standby */
	int64_t stop_ms;        /* SIGTERM sent */
	int refreshing;         /* stopping in order to restart */
	int started;            /* has completed an init once */
	int nopingreply;        /* last death: no heartbeat */
	int copy_fd;            /* -c: memfd with the binary */
	int out_fd;             /* read end of the output pipe */
	int out_wfd;            /* write end, given to instances */
	struct watch ow;
	char obuf[4096];
	size_t olen;
	struct waiter waiter;   /* up/down/refresh caller */
	struct update *upd;     /* scheduled or running live update */
	struct stored *store;   /* regions and descriptors (store.c) */
	/* privileges (system.conf; config.md) */
	int has_uid, has_gid;
	uid_t uid;
	gid_t gid;
	char **ipc;             /* NULL: no restriction; else ALL, ALL_SYS,
	                         * USER, labels */
	char **control;         /* labels it may manage; NULL: none given */
	char **syscalls;        /* seccomp allow-list; NULL: none */
	uint8_t *rlimits;       /* T_RLIMITS records */
	size_t rlimits_len;
	struct inst *exited;    /* died; recovery waits for its exit event */
	siginfo_t exit_si;
	int nregions, nfds;
	struct svc *next;
};

extern struct svc *services;

struct svc *svc_find(const char *label);
/* Create and start a service from a decoded P_UP; replies (now or late)
 * through the waiter.  Returns 0 or -errno (nothing created). */
int svc_up(const struct proto_msg *pm, struct conn *c, char *err, size_t errlen);
int svc_down(struct svc *s, struct conn *c, uint64_t id);
int svc_refresh(struct svc *s, struct conn *c, uint64_t id);
int svc_restart_req(struct svc *s);
int svc_clone(struct svc *s);
int svc_unclone(struct svc *s);
int svc_edit(struct svc *s, const struct proto_msg *pm);
void svc_init_reply(struct inst *in, int result, int flags, uint64_t id);
void svc_pong(struct inst *in);
void svc_died(struct inst *in);
void svc_output(struct svc *s);
void svc_tick(int64_t now);
/* The exit event of s's instance is over: recovery goes on. */
void svc_exit_done(struct svc *s);
/* Recompute when s needs svc_tick next, after a change of state. */
void svc_reschedule(struct svc *s);
/* Delay before restart number level+1 of a crash series (MINIX: the first
 * crash restarts at once, then 2, 4, 8, 16, 30 s; -b: 1 s; -c: <= 1 s). */
int64_t svc_backoff_ms(int level, int flags);
void svc_shutdown(void);
/* The loop has nothing to do: prepare what the next restart will need. */
void svc_idle(void);
/* Kill an instance that broke the protocol: it is treated as crashed. */
void svc_kill_instance(struct inst *in, const char *why);
int svc_count(void);
void svc_script_done(struct watch *w);
const char *svc_state_name(const struct svc *s);
/* Did s show a sign of life (refreshes alive_ms)?  period_check: this is
 * the once-per-period heartbeat check, which also looks whether work waits
 * in the channels of an instance that says it is idle. */
int svc_is_alive_now(struct svc *s, int64_t now, int period_check);
/* Spawn an instance of s running path/argv (from copy_fd if >= 0); it
 * waits in sef_startup() for its init request.  NULL, errno set. */
struct inst *svc_spawn(struct svc *s, const char *path, char *const *argv,
                       int copy_fd);
/* Make in the active instance of its service, hand it the channels and
 * send its init request (flags: SEF_INIT_*|SEF_LU_*; for LU, the state,
 * the state endpoint, and the blob's memfd or -1). */
int svc_init_send(struct inst *in, int type, int flags, int lu_state,
                  endpoint_t state_ep, int blob_fd, int64_t blob_len,
                  int64_t blob_ver);
/* The instance completed its init: it is now the running one. */
void svc_now_running(struct inst *in);
/* Detach an instance from its service; with kill_it, SIGKILL it.  Its
 * death is then only reaped. */
void svc_orphan(struct inst *in, int kill_it);
/* Nothing is starting, restarting or stopping (MINIX: RS is idle). */
int svc_all_idle(void);
/* NUL-separated blob -> NULL-terminated vector (first prepended if not
 * NULL); NULL if more than max entries or out of memory. */
char **svc_split_blob(const char *first, const char *blob, size_t len,
                      size_t max);
void svc_free_vec(char **v);
/* A copy of the binary at path in a memfd (-c): fd or -errno. */
int svc_copy_binary(const char *path);

/* boot (boot.c): reincd -c FILE */
/* Read and check FILE: the number of services, or -1 with a message. */
int boot_load(const char *file, char *err, size_t errlen);
/* Start what can start at once (after the data store is launched). */
void boot_kick(void);
/* s completed its first init / s is removed: who waits for it moves on
 * (starts, or is given up). */
void boot_up(const struct svc *s);
void boot_gone(const struct svc *s);

/* privileges (priv.c) */
struct priv_spawn {
	const char *path;
	char *const *argv, *const *envp;
	int ctl_fd, live_fd, out_fd, err_fd;
	sigset_t mask;
};
/* Privileges of a P_UP into s: 0 or -errno with a message. */
int priv_from_up(struct svc *s, const struct proto_msg *pm, char *err,
                 size_t errlen);
void priv_free(struct svc *s);
/* Must s be started by priv_spawn (uid, gid, limits, seccomp)? */
int priv_needed(const struct svc *s);
/* The uid s runs as (for authorising its requests). */
uid_t priv_uid(const struct svc *s);
/* fork, drop privileges, exec: the pid, or -1 with errno and a message. */
pid_t priv_spawn(const struct svc *s, struct priv_spawn *ps, char *err,
                 size_t errlen);
const char *priv_syscall_name(int nr);
/* Are these `system` names known (system calls, @groups)? */
int priv_check_syscalls(char **v, char *err, size_t errlen);
/* May caller open a channel to callee (ipc lists)?  0 or -EPERM (logged). */
int svc_ipc_allowed(const struct part *caller, const struct part *callee);
/* May a request from c manage the service s (root, reincd's user, or a
 * service whose control list names s)?  s NULL: every service (root and
 * reincd's user only). */
int svc_may_control(const struct conn *c, const struct svc *s);

/* ------------------------------------------------------------------ */
/* process events (event.c)                                             */

int pev_init(void);
/* The events page (struct ev_page) handed to user processes. */
int pev_page_fd(void);
const char *pev_name(int event);
/* Publish event for p: 1 if in flight (its end comes later), 0 if
 * nobody is interested (nothing happens). */
int pev_start(struct part *p, int event);
/* P_EVMASK, P_SIGEVENT (0: answered now or later, or -errno to reply),
 * P_EVACK (never answered). */
int pev_mask(struct conn *c, const struct proto_msg *pm, char *err,
             size_t errlen);
int pev_signal(struct conn *c, const struct proto_msg *pm, char *err,
               size_t errlen);
void pev_ack(struct conn *c, const struct proto_msg *pm);
/* A user process's connection closed: its exit event, then part_free. */
void pev_user_exit(struct part *p);
/* s's instance died or s is removed: no longer a subscriber. */
void pev_sub_gone(struct svc *s);
/* p is freed: forget its event without finishing it. */
void pev_part_gone(struct part *p);
/* s's instance reported ready for an update (it takes no events until it
 * resumes or its successor runs), and the instance now running can. */
void pev_sub_paused(struct svc *s);
void pev_sub_ready(struct svc *s);
/* Acknowledgement deadlines; returns when to be called next. */
int64_t pev_tick(int64_t now);
/* Shutdown: every event in flight is finished at once. */
void pev_abort_all(void);
/* For status: processes waiting on s, and its mask (-1: none). */
unsigned pev_waiting_on(const struct svc *s);
int pev_mask_of(const struct svc *s);

/* ------------------------------------------------------------------ */
/* live update (update.c)                                               */

struct update;
/* P_UPDATE, already validated and authorised. */
int upd_request(struct svc *s, const struct proto_msg *pm, struct conn *c,
                char *err, size_t errlen);
/* sysctl upd_start, upd_run, upd_stop, upd_status. */
void upd_sysctl(int sub, struct conn *c, uint64_t id);
/* Frames from instances. */
void upd_ready(struct inst *in, const struct proto_msg *pm, int fd);
void upd_waiting(struct inst *in);
/* An init reply from an LU instance: handled (1) or not ours (0). */
int upd_init_reply(struct inst *in, int result, uint64_t id);
/* An instance died: abort what it breaks.  Called before recovery. */
void upd_died(struct inst *in);
/* The service is going away for good. */
void upd_svc_gone(struct svc *s);
/* An update is being carried out (not only scheduled). */
int upd_in_progress(void);
/* Deadlines; returns when it must be called next (INT64_MAX: never). */
int64_t upd_tick(int64_t now);
/* reincd shuts down: abort everything. */
void upd_abort_all(int result);
/* One line describing the update (sysctl upd_status). */
void upd_describe(char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* regions and stored descriptors (store.c)                             */

/* P_REGION and P_FDSTORE from an instance of s. */
void store_request(struct svc *s, struct conn *c, const struct proto_msg *pm,
                   int fd);
void store_free(struct svc *s);
#define STORE_MAX_REGIONS 64
#define STORE_MAX_FDS     256

/* ------------------------------------------------------------------ */
/* requests                                                             */

/* Validate and serve one decoded frame from c, with the descriptor that
 * came with it (or -1; request_handle owns it).  Malformed or hostile
 * input: log, reply an error or drop the connection. */
void request_handle(struct conn *c, struct proto_msg *pm, int fd);
/* Pure validation of a request (for the fuzzer too): 0 or -errno with a
 * reason in err. */
int request_check(const struct proto_msg *pm, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* logging                                                              */

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ------------------------------------------------------------------ */
/* naming: the data store (naming.c)                                    */

/* Start dsd (path NULL: beside reincd's own binary) with its arguments. */
int naming_start(const char *path, char **args, int nargs);
/* The endpoint a new service with this label gets: DS_PROC_NR for the
 * data store, else next. */
endpoint_t naming_endpoint(const char *label, endpoint_t next);
/* Publish s's label and endpoint (up; restart and update with defer: a
 * few ms later, off the critical path), or delete them with everything s
 * owns in the store (down). */
void naming_publish(const struct svc *s, int defer);
void naming_delete(const struct svc *s);
/* Retry news the data store's full queue did not take. */
void naming_idle(void);

#endif
