/*
 * sef.h - the System Event Framework and IPC of reinc.
 *
 * One include gives a service (or a client) everything it needs:
 * MINIX-shaped messages and endpoints, the ipc_* primitives, SEF startup,
 * receive and callbacks (init, ping, live update, signals), and the naming
 * lookup.  Every function that can fail returns 0 (or a non-negative value)
 * on success and a negative errno on failure; reinc's own error numbers
 * (EDEADSRCDST, EDEADEPT, ...) are chosen outside Linux's errno range.
 *
 * A service is started by reincd and calls sef_startup() first; a process
 * that reincd did not start (a command, a test client) calls sef_startup()
 * too and joins as a user process through reincd's public socket, found via
 * $REINC_RUNTIME_DIR.  Not thread-safe: one thread per process talks IPC,
 * as in MINIX.
 */
#ifndef REINC_SEF_H
#define REINC_SEF_H

#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Error numbers.  Linux errno values stay as they are (EPERM 1, ESRCH 3,
 * EBUSY 16, ...); these are reinc's own, distinct from every Linux errno.
 */
#define ENOTREADY    201 /* live update: not ready yet (prepare callback) */
#define EDEADSRCDST  202 /* peer died while serving this request: retry */
#define EDONTREPLY   203 /* pseudo-result: do not reply */
#define EGENERIC     204 /* generic failure */
#define EBADCALL     209 /* unexpected call */
#define EDEADEPT     215 /* service died or failed its init */
#ifndef ERESTART
#define ERESTART     85  /* Linux's value (glibc errno.h) */
#endif

/* ---------------------------------------------------------------------
 * Endpoints and messages.
 */
typedef int endpoint_t;

#define ANY   ((endpoint_t)0x7ace) /* receive from any source */
#define NONE  ((endpoint_t)0x6ace) /* no endpoint */
#define SELF  ((endpoint_t)0x8ace) /* the caller itself */

#define SYSTEM      ((endpoint_t)-2) /* source of signal notifications */
#define PM_PROC_NR  ((endpoint_t)0)  /* reincd as MINIX's PM: process events */
#define RS_PROC_NR  ((endpoint_t)2)  /* reincd */
#define DS_PROC_NR  ((endpoint_t)6)  /* the data store (label "ds") */

/* Service endpoints are allocated from here; user processes from
 * REINC_USER_EP_BASE.  Neither is ever reused while reincd runs. */
#define REINC_SERVICE_EP_BASE 16
#define REINC_USER_EP_BASE    0x100000

#define MESSAGE_PAYLOAD 56

/* A MINIX-shaped 64-byte message.  m_source is filled in by the receiver
 * from the channel the message arrived on: it cannot be forged.  The typed
 * layouts below all alias the same 56 bytes of m_raw. */
typedef struct {
	endpoint_t m_source;
	int m_type;
	union {
		uint8_t m_raw[MESSAGE_PAYLOAD];
		uint8_t m_u8[MESSAGE_PAYLOAD];
		int32_t m_i32[MESSAGE_PAYLOAD / 4];
		uint32_t m_u32[MESSAGE_PAYLOAD / 4];
		int64_t m_i64[MESSAGE_PAYLOAD / 8];
		uint64_t m_u64[MESSAGE_PAYLOAD / 8];
		struct { int num; } m_sigs;               /* SIGS_SIGNAL_RECEIVED */
		struct { endpoint_t endpt; int event; } m_pm_lsys_proc_event;
		struct { uint64_t timestamp; } m_notify;  /* NOTIFY_MESSAGE */
	};
} message;

_Static_assert(sizeof(message) == 64, "message must be 64 bytes");

/* Message types of events SEF delivers (see sef_receive). */
#define NOTIFY_MESSAGE        0x1000 /* payload-less notification */
#define COMMON_RQ_BASE        0x1100
#define SIGS_SIGNAL_RECEIVED  (COMMON_RQ_BASE + 0)
#define PROC_EVENT            (COMMON_RQ_BASE + 3) /* from PM_PROC_NR */
#define COMMON_RS_BASE        0x1180
#define PROC_EVENT_REPLY      (COMMON_RS_BASE + 0) /* to PM_PROC_NR */
#define RS_RQ_BASE            0x700
#define RS_INIT               (RS_RQ_BASE + 20)
#define RS_LU_PREPARE         (RS_RQ_BASE + 21)

/* ipc_receive status word. */
#define IPC_STATUS_NOTIFY 0x1
#define IPC_STATUS_REPLY  0x2
#define is_ipc_notify(status) (((status) & IPC_STATUS_NOTIFY) != 0)

/* ---------------------------------------------------------------------
 * IPC.  Messages travel on kernel sockets that reincd creates and keeps a
 * reference to, so that a message queued for a service survives the
 * death of the instance and is served by the next one.
 */

/* Send m to dst.  If dst is waiting for our reply to its request, m is
 * that reply; otherwise m is queued for dst.  Blocks only while dst's
 * queue is full.  0, -EDEADSRCDST (dst gone), -EPERM (not allowed),
 * -EINVAL (bad endpoint). */
int ipc_send(endpoint_t dst, message *m);
/* As ipc_send, but -EAGAIN instead of blocking on a full queue. */
int ipc_sendnb(endpoint_t dst, message *m);
/* Receive the next message from src (or ANY) into m; status gets
 * IPC_STATUS_* bits (may be NULL).  Raw: SEF events are returned as
 * messages too; services use sef_receive(). */
int ipc_receive(endpoint_t src, message *m, int *status);
/* Send a request to dst and wait for its reply, which replaces *m.
 * -EDEADSRCDST if dst died while serving it (the request may or may
 * not have taken effect; retry if it is idempotent) or is gone. */
int ipc_sendrec(endpoint_t dst, message *m);
/* Payload-less notification: dst receives a NOTIFY_MESSAGE from us.
 * A notify to RS_PROC_NR is a heartbeat. */
int ipc_notify(endpoint_t dst);

/* Asynchronous sends: each valid entry is sent without blocking; its
 * result is stored and AMF_DONE set. */
#define AMF_VALID  0x01
#define AMF_DONE   0x02
#define AMF_NOTIFY 0x04
#define AMF_NOREPLY 0x08
typedef struct {
	int flags;
	endpoint_t dst;
	int result;
	message msg;
} asynmsg_t;
int ipc_senda(asynmsg_t *table, size_t count);

/* ---------------------------------------------------------------------
 * SEF: startup and receive.
 */

/* Initialise.  A service started by reincd blocks until reincd sends its
 * init request, runs the matching init callback and reports the result
 * (exiting if it failed).  Any other process joins reincd as a user
 * process.  Returns 0 or -errno (reincd unreachable, ...). */
int sef_startup(void);
/* Receive the next message that is not a SEF event: pings, init and
 * live-update requests and signals are handled by their callbacks and
 * never returned.  -EINTR after sef_cancel(). */
int sef_receive_status(endpoint_t src, message *m, int *status);
int sef_receive(endpoint_t src, message *m);
/* Own endpoint.  Aborts if called before sef_startup(). */
endpoint_t sef_self(void);
/* Own label ("" for a user process). */
const char *sef_self_label(void);
/* From a callback: make the pending sef_receive return -EINTR. */
void sef_cancel(void);
/* Exit: for a service this is a termination and reincd recovers it
 * (MINIX semantics).  Never returns. */
void sef_exit(int status) __attribute__((noreturn));

/* ---------------------------------------------------------------------
 * SEF: init.
 */
#define SEF_INIT_FRESH   0
#define SEF_INIT_LU      1
#define SEF_INIT_RESTART 2

/* init flags */
#define SEF_INIT_CRASH          0x01
#define SEF_INIT_FAIL           0x02
#define SEF_INIT_TIMEOUT        0x04
#define SEF_INIT_DEFCB          0x08
#define SEF_INIT_SCRIPT_RESTART 0x10
#define SEF_INIT_ST             0x20

typedef struct {
	int flags;                /* SEF_INIT_* and SEF_LU_* flags */
	endpoint_t endpoint;      /* own endpoint */
	endpoint_t old_endpoint;  /* state source; NONE for a fresh start */
	int restarts;             /* reincd's restart counter + 1 */
	int prepare_state;        /* LU: state the old instance reached */
	const char *label;
} sef_init_info_t;

typedef int (*sef_cb_init_t)(int type, sef_init_info_t *info);
typedef int (*sef_cb_init_response_t)(message *m);

void sef_setcb_init_fresh(sef_cb_init_t cb);
void sef_setcb_init_lu(sef_cb_init_t cb);
void sef_setcb_init_restart(sef_cb_init_t cb);
void sef_setcb_init_response(sef_cb_init_response_t cb);

int sef_cb_init_null(int type, sef_init_info_t *info);   /* OK */
int sef_cb_init_fail(int type, sef_init_info_t *info);   /* -ENOSYS */
/* Default LU init callback: runs the fresh init callback (with type LU),
 * i.e. the new version starts without the old one's state. */
int sef_cb_init_lu_identity_as_fresh(int type, sef_init_info_t *info);
int sef_cb_init_crash(int type, sef_init_info_t *info);  /* abort() */
int sef_cb_init_timeout(int type, sef_init_info_t *info);/* hangs */
/* Default restart callback: -ERESTART, i.e. "start me without the old
 * state".  Unlike MINIX the endpoint is kept: libsef then runs the fresh
 * init callback in the same instance and reincd counts a reset restart. */
int sef_cb_init_reset(int type, sef_init_info_t *info);
int sef_cb_init_response_rs_reply(message *m);
int sef_cb_init_response_null(message *m);

/* ---------------------------------------------------------------------
 * SEF: ping.  By default libsef answers pings itself and reincd only
 * pings a service whose shared liveness counter stopped moving.  A
 * service that registers its own ping callback (an application health
 * check) is pinged every period and must answer with ipc_notify(RS).
 */
typedef void (*sef_cb_ping_reply_t)(endpoint_t source);
void sef_setcb_ping_reply(sef_cb_ping_reply_t cb);
void sef_cb_ping_reply_pong(endpoint_t source);
void sef_cb_ping_reply_null(endpoint_t source);

/* ---------------------------------------------------------------------
 * SEF: signals.  In a service every signal except SIGKILL, SIGSTOP and
 * the lethal ones (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP,
 * SIGSYS) and SIGPIPE is blocked and delivered to the handler from
 * sef_receive.  The default handler ignores everything, so `reinc down`
 * escalates to SIGKILL after 2 s, as in MINIX.
 */
typedef void (*sef_cb_signal_handler_t)(int signo);
typedef int (*sef_cb_signal_manager_t)(endpoint_t target, int signo);
void sef_setcb_signal_handler(sef_cb_signal_handler_t cb);
void sef_setcb_signal_manager(sef_cb_signal_manager_t cb);
void sef_cb_signal_handler_null(int signo);
void sef_cb_signal_handler_term(int signo);          /* exit on SIGTERM */
void sef_cb_signal_handler_posix_default(int signo);
int sef_cb_signal_manager_null(endpoint_t target, int signo);

/* ---------------------------------------------------------------------
 * SEF: live update (registrations; the protocol is implemented by the
 * live-update work).
 */
#define SEF_LU_STATE_NULL          0
#define SEF_LU_STATE_WORK_FREE     1
#define SEF_LU_STATE_REQUEST_FREE  2
#define SEF_LU_STATE_PROTOCOL_FREE 3
#define SEF_LU_STATE_EVAL          4
#define SEF_LU_STATE_UNREACHABLE   5
#define SEF_LU_STATE_PREPARE_CRASH 6
#define SEF_LU_STATE_CUSTOM_BASE   7
#define SEF_LU_STATE_STD_BASE      1
#define SEF_LU_STATE_DEBUG_BASE    5
#define SEF_LU_STATE_IS_STANDARD(s) ((s) >= 1 && (s) < SEF_LU_STATE_CUSTOM_BASE)
#define SEF_LU_STATE_IS_DEBUG(s)    ((s) >= SEF_LU_STATE_DEBUG_BASE && \
                                     (s) < SEF_LU_STATE_CUSTOM_BASE)

#define SEF_LU_SELF         0x0100
#define SEF_LU_ASR          0x0200
#define SEF_LU_MULTI        0x0400
#define SEF_LU_INCLUDES_VM  0x0800
#define SEF_LU_INCLUDES_RS  0x1000
#define SEF_LU_PREPARE_ONLY 0x2000
#define SEF_LU_NOMMAP       0x4000
#define SEF_LU_DETACHED     0x8000

typedef int  (*sef_cb_lu_prepare_t)(int state);
typedef int  (*sef_cb_lu_state_isvalid_t)(int state, int flags);
typedef void (*sef_cb_lu_state_changed_t)(int old_state, int state);
typedef void (*sef_cb_lu_state_dump_t)(int state);
typedef int  (*sef_cb_lu_state_save_t)(int state, int flags);
typedef int  (*sef_cb_lu_response_t)(message *m);

void sef_setcb_lu_prepare(sef_cb_lu_prepare_t cb);
void sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_t cb);
void sef_setcb_lu_state_changed(sef_cb_lu_state_changed_t cb);
void sef_setcb_lu_state_dump(sef_cb_lu_state_dump_t cb);
void sef_setcb_lu_state_save(sef_cb_lu_state_save_t cb);
void sef_setcb_lu_response(sef_cb_lu_response_t cb);

int sef_cb_lu_prepare_null(int state);          /* -ENOTREADY */
int sef_cb_lu_prepare_always_ready(int state);  /* 0 */
int sef_cb_lu_prepare_never_ready(int state);   /* -ENOTREADY */
int sef_cb_lu_prepare_crash(int state);         /* abort() */
int sef_cb_lu_state_isvalid_null(int state, int flags);
int sef_cb_lu_state_isvalid_standard(int state, int flags);
int sef_cb_lu_state_isvalid_workfree(int state, int flags);
int sef_cb_lu_state_isvalid_workfree_self(int state, int flags);
int sef_cb_lu_state_isvalid_generic(int state, int flags);
void sef_cb_lu_state_changed_null(int old_state, int state);
void sef_cb_lu_state_dump_null(int state);
int sef_cb_lu_state_save_null(int state, int flags);
int sef_cb_lu_response_null(message *m);
int sef_cb_lu_response_rs_reply(message *m);

/* ---------------------------------------------------------------------
 * State transfer: what survives an instance (live update and restart).
 * reinc's answer to MINIX's identity transfer, in three forms a service
 * can combine (docs/update.md):
 *
 *  1. A versioned blob.  The old instance's state_save callback calls
 *     sef_lu_state_put(); the new instance's LU init callback reads it
 *     with sef_lu_state_get().  A new version may read an older layout
 *     and migrate it: the version number says which one it got.
 *  2. Persistent named memory regions, kept by reincd for the service
 *     and mapped by each instance, so that an update does not copy them.
 *     In an LU init the region is copy-on-write until the update commits:
 *     if the update rolls back, the old instance finds its state as it
 *     left it, whatever the new one wrote.
 *  3. Stored file descriptors (listening sockets, client connections),
 *     kept by reincd for the service, as systemd's fd store.
 */
/* In state_save (or anywhere while preparing): the blob for the next
 * instance.  0, -EINVAL outside a live update, -ENOMEM, -errno. */
int sef_lu_state_put(uint32_t version, const void *data, size_t len);
/* In the LU init callback: the blob the old instance put.  The memory
 * stays valid until sef_startup() returns.  0, or -ENOENT if there is
 * none. */
int sef_lu_state_get(uint32_t *version, const void **data, size_t *len);

#define SEF_REGION_MAX_NAME 63
/* Map the service's region NAME of at least SIZE bytes (created zeroed
 * if it does not exist yet; grown if smaller).  *created (may be NULL)
 * tells whether it is new.  NULL with errno set on failure. */
void *sef_region_map(const char *name, size_t size, int *created);
/* Forget a region for good (the mapping stays valid in this instance). */
int sef_region_remove(const char *name);

#define SEF_FD_MAX_NAME 63
/* Store a duplicate of fd under name (replacing any descriptor stored
 * under it): 0 or -errno. */
int sef_fd_store(const char *name, int fd);
/* A new descriptor for what is stored under name, or -ENOENT. */
int sef_fd_retrieve(const char *name);
/* Drop it: 0 or -ENOENT. */
int sef_fd_remove(const char *name);

/* The live-update state of this instance: SEF_LU_STATE_NULL when it is
 * not preparing for an update. */
int sef_lu_state(void);

/* ---------------------------------------------------------------------
 * The data store (MINIX DS): dsd, a service under the label "ds" that
 * reincd starts at boot.  Entries are (key, type) pairs owned by the label
 * of the service that published them last; they survive the owner's
 * restarts and live updates and go when it goes down (or restarts with its
 * state reset).  Only services publish, delete and subscribe; anyone
 * retrieves.  Every call returns 0 or -errno: -ESRCH (no such entry, or a
 * user process subscribing), -EPERM (not allowed), -EEXIST, -EINVAL (bad
 * key, pattern or size), -ENOMEM / -EAGAIN (a configured limit of dsd's is
 * reached), -EDEADSRCDST (dsd died while serving the call: a write may or
 * may not have happened; retrievals are retried once by the library),
 * -ENOSYS (there is no data store: reincd -ds none, or `reinc down ds`).
 * See docs/ds.md.
 */
#define DS_MAX_KEYLEN  80   /* keys: 1..79 bytes, no NUL inside */
#define DS_MAX_PATTERN 256  /* subscription patterns: 1..255 bytes */

/* entry flags (MINIX's values) */
#define DSF_IN_USE         0x001
#define DSF_PRIV_RETRIEVE  0x002  /* only the owner may retrieve */
#define DSF_PRIV_OVERWRITE 0x004  /* only the owner may overwrite */
#define DSF_PRIV_SUBSCRIBE 0x008  /* only the owner's subscription sees it */
#define DSF_PRIVATE (DSF_PRIV_RETRIEVE | DSF_PRIV_OVERWRITE | DSF_PRIV_SUBSCRIBE)
#define DSF_TYPE_U32       0x010
#define DSF_TYPE_STR       0x020
#define DSF_TYPE_MEM       0x040
#define DSF_TYPE_LABEL     0x100
#define DSF_MASK_TYPE      0xFF0
#define DSF_MASK_INTERNAL  0xFFF
/* request modifiers */
#define DSF_OVERWRITE      0x1000 /* replace an existing entry/subscription */
#define DSF_INITIAL        0x2000 /* subscribe: report existing keys too */

#define DS_DRIVER_UP 1  /* value of drv.chr.<label> and friends */

int ds_publish_u32(const char *name, uint32_t val, int flags);
int ds_publish_str(const char *name, const char *val, int flags);
int ds_publish_mem(const char *name, const void *val, size_t len, int flags);
/* Labels are published by reincd only (-EPERM for anyone else). */
int ds_publish_label(const char *name, endpoint_t ep, int flags);

int ds_retrieve_u32(const char *name, uint32_t *val);
/* Copies at most len characters and a NUL: buf holds len + 1 bytes. */
int ds_retrieve_str(const char *name, char *buf, size_t len);
/* Copies min(*len, stored) bytes and sets *len to the number copied. */
int ds_retrieve_mem(const char *name, void *buf, size_t *len);
/* Endpoint of the service with this label: 0, -ESRCH, -EINVAL. */
int ds_retrieve_label_endpt(const char *label, endpoint_t *ep);
/* Label of the service at this endpoint (buf of at least 16 bytes). */
int ds_retrieve_label_name(char *label, size_t len, endpoint_t ep);

int ds_delete_u32(const char *name);
int ds_delete_str(const char *name);
int ds_delete_mem(const char *name);
int ds_delete_label(const char *name);  /* reincd only */

/* One subscription per service: keys matching the POSIX extended regular
 * expression PATTERN, anchored at both ends, of the types in flags (none:
 * all).  A change notifies the subscriber (NOTIFY_MESSAGE from
 * DS_PROC_NR); it then calls ds_check until -ENOENT. */
int ds_subscribe(const char *pattern, int flags);
/* The next changed key (buf of DS_MAX_KEYLEN bytes), its type and its
 * owner's endpoint: 0, -ENOENT (nothing more), -ESRCH (no subscription). */
int ds_check(char *key, int *type, endpoint_t *owner);

/* ---------------------------------------------------------------------
 * Managing other services, as `reinc` does: op "down", "refresh",
 * "restart" (a terminated service) or "fi" (crash it).  Allowed to root,
 * reincd's user, and a service whose system.conf `control` list names
 * label (MINIX's check_call_permission): 0, -EPERM, -ESRCH (no such
 * service), -EBUSY, -EINVAL.  A `down` returns when the service is gone.
 */
int rs_manage(const char *op, const char *label);

/* ---------------------------------------------------------------------
 * Process events (MINIX PM's event.c).  A service subscribes to the exit
 * of every process reincd knows (services and user processes) and to the
 * caught signals of user processes blocked in ipc_sendrec.  Each event
 * comes as a PROC_EVENT message from PM_PROC_NR with
 * m_pm_lsys_proc_event.endpt and .event, to one subscriber at a time in
 * subscription order; the subscriber acknowledges it by sending a
 * PROC_EVENT_REPLY message with the same two fields to PM_PROC_NR (ipc_send
 * or ipc_senda), and the next subscriber gets it only then.  An exiting
 * service is restarted, and a user process's channels are closed, only
 * after the last acknowledgement; a signalled process's handler runs only
 * then.  Acknowledge every event before returning to sef_receive: one not
 * acknowledged when the service becomes ready for a live update is
 * delivered again to whichever instance runs next.
 */
#define PROC_EVENT_EXIT   0x01
#define PROC_EVENT_SIGNAL 0x02

/* Replace the caller's mask (0 unsubscribes; acknowledgements still due
 * must be sent).  0, -EPERM (not a service), -ENOMEM (too many
 * subscribers: reincd -event-subs, 4 by default), -EINVAL (unknown bits). */
int proceventmask(unsigned int mask);

/* ---------------------------------------------------------------------
 * Labels.  MINIX keeps 15 characters; longer labels are truncated.
 */
#define RS_MAX_LABEL_LEN 16

#ifdef __cplusplus
}
#endif
#endif /* REINC_SEF_H */
