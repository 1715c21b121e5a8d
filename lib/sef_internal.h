/*
 * sef_internal.h - libsef's internal state, shared by its modules
 * (ipc.c: channels and messages; ctl.c: the control connection to reincd;
 * sef.c: startup, receive and callbacks).  Internal names use sef__.
 */
#ifndef REINC_SEF_INTERNAL_H
#define REINC_SEF_INTERNAL_H

#include "proto.h"
#include "sef.h"

enum { SEF_MODE_NONE = 0, SEF_MODE_SERVICE, SEF_MODE_USER };

/* epoll tags: kind in the high 32 bits, slot in the low ones */
enum { EV_CTL = 1, EV_SIG = 2, EV_CALLEE = 3 };

struct sef__chan {
	int used;
	int fd;
	endpoint_t peer;
	int pending;       /* callee: a request awaits our reply */
	int parked;        /* callee: held by an IPC filter, out of epoll */
	uint64_t pend_seq;
	char label[CHAN_LABEL_LEN];  /* the peer's, as reincd named it */
};

/* endpoint -> slot map, open addressing */
#define EPMAP_SIZE 8192
struct sef__epmap {
	int32_t key[EPMAP_SIZE];   /* endpoint + 1; 0 = empty */
	int32_t val[EPMAP_SIZE];
};

#define SEF_MAX_CALLER 4096

struct sef__state {
	int mode;
	int ctl_fd;
	int epfd;
	int sigfd;
	struct live_page *live;
	endpoint_t self;
	char label[RS_MAX_LABEL_LEN];
	uint64_t seq;           /* last data-frame sequence number used */
	uint64_t ctl_id;        /* last control request id */

	struct sef__chan callee[LIVE_MAX_CHAN];
	struct sef__chan caller[SEF_MAX_CALLER];
	struct sef__epmap callee_map, caller_map;

	/* events gathered by epoll_wait and not yet consumed */
	uint64_t ready[64];
	int nready, iready;

	/* deferred control events */
	int ping_pending;
	int warm;               /* backtrace() loaded (services) */

	int cancelled;
	int rx_fd;              /* descriptor that came with the last message */

	/* live update (sef_lu.c) */
	int lu_state, lu_flags;     /* preparing for this state, or NULL */
	int lu_req, lu_req_state, lu_req_flags;  /* a P_LU_PREPARE to handle */
	int lu_req_seen;            /* ... already handed up as a message */
	int lu_init;                /* in an LU init: regions copy-on-write */
	int lu_blob_fd;             /* old instance: the blob it put, or -1 */
	uint32_t lu_blob_ver;
	size_t lu_blob_len;
	const void *lu_in_blob;     /* new instance: the blob it was given */
	size_t lu_in_len;
	uint32_t lu_in_ver;
	int lu_nfilt;               /* IPC filter elements while preparing */
	int lu_req_nfilt;           /* ... of the request being handled */
	struct ipcf_rec lu_filt[IPCF_MAX_FILTERS * IPCF_MAX_ELEMENTS];
	struct ipcf_rec lu_req_filt[IPCF_MAX_FILTERS * IPCF_MAX_ELEMENTS];
	/* process events (event.c) */
	int pev_drop;               /* ready for an update: drop them */
	const struct ev_page *evpage;   /* user process: reincd's page */
	int usigfd;                 /* user process: pending-signal watch */
	uint64_t ctl_buf_align;
	uint8_t ctl_buf[PROTO_MAX_FRAME];
	struct proto_msg pm;    /* scratch for decoding control frames */
};

extern struct sef__state *sef__st;

/* Callback registration: MINIX asserts the callback is not NULL. */
#define SEF__SETCB(name, type, var)                              \
	void name(type cb)                                       \
	{                                                        \
		if (!cb)                                         \
			sef__die(#name ": NULL callback");       \
		var = cb;                                        \
	}

/* ipc.c */
int sef__ipc_init(void);
void sef__chan_install(const struct chan_rec *r, int fd);
void sef__chan_remove(int role, uint32_t slot);
int sef__next_message(endpoint_t src, message *m, int *status);
/* Channels held by IPC filters go back to being watched. */
void sef__ipc_unpark(void);
/* The label reincd gave the caller at ep (NULL: no such callee channel;
 * "" a user process; "rs" reincd). */
const char *sef__callee_label(endpoint_t ep);
/* Did the message just taken from ep come as a request (awaiting a
 * reply)? */
int sef__is_request(endpoint_t ep);
/* Take a message from src's callee channel if one is queued: 1 yes,
 * 0 nothing there, -errno. */
int sef__try_receive(endpoint_t src, message *m, int *status);
/* ipc_sendrec that passes a descriptor along with the request. */
int sef__sendrec_fd(endpoint_t dst, message *m, int fd);
/* The descriptor that came with the last message received (ownership
 * passes to the caller), or -1.  An untaken one is closed at the next
 * receive. */
int sef__take_fd(void);

/* ctl.c */
/* Handle one control frame already decoded into st->pm with fds. */
void sef__ctl_dispatch(struct proto_msg *pm, int *fds, int nfds);
/* Read and dispatch one control frame; 1 if one was handled, 0 if none
 * was ready (nonblocking), -errno (-EPIPE: reincd is gone). */
int sef__ctl_read(int block);
/* Receive and decode one frame into st->pm (fds up to *nfds): 1, 0 when
 * nothing is ready (nonblocking), -EPIPE at end of file, -errno. */
int sef__ctl_recv(int block, int *fds, int *nfds);
/* Send a request and wait for its P_REPLY; other frames are dispatched
 * meanwhile.  Returns T_RESULT; the reply stays in st->pm. fd_out gets
 * a descriptor that came with the reply (or -1). */
int sef__ctl_call(struct proto_buf *pb, int *fd_out);
/* The same, sending descriptors with the request. */
int sef__ctl_call_fds(struct proto_buf *pb, const int *fds, int nfds,
                      int *fd_out);
int sef__ctl_connect_public(void);
void sef__die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* sef_lu.c */
/* A prepare request arrived (P_LU_PREPARE): remember it for the loop. */
void sef__lu_request(const struct proto_msg *pm);
/* Called by sef_receive before every receive: handles a prepare request
 * and, while preparing, checks readiness (and blocks once ready). */
void sef__lu_before_receive(void);
/* The new instance's init: take the blob attached to P_INIT. */
void sef__lu_init_begin(const struct proto_msg *pm, int *fds, int nfds);
/* The init is over: on success (committed) regions become shared. */
void sef__lu_init_end(int ok);
/* May a message from src of this type be received now? */
int sef__lu_filter_pass(endpoint_t src, int type);

/* event.c */
struct sef__pev { endpoint_t ep; int event; };
/* A P_PROC_EVENT frame arrived: queue it (or drop it, see pev_drop). */
void sef__pev_queue(const struct proto_msg *pm);
/* Hand up the oldest queued event as a PROC_EVENT message: 1 or 0. */
int sef__pev_take(message *m, int *status);
/* Drop what was not handed up (the service is ready for an update). */
void sef__pev_clear(void);
/* ipc_send to PM_PROC_NR: a PROC_EVENT_REPLY. */
int sef__pev_reply(const message *m);
/* A user process waits for its reply on fd with caught signals held
 * back: reads the reply frame into buf (length returned, or -errno). */
ssize_t sef__user_wait(int fd, uint8_t *buf, size_t len, endpoint_t dst);

/* sef.c */
void sef__ping_event(void);
/* A restart resets the state: ask dsd to drop this label's entries and
 * subscription before the fresh init runs (ds.c). */
void sef__ds_reset(void);
/* reincd's own answer to a label or endpoint lookup (label != NULL: by
 * label into *ep_out; else by ep into name). */
int sef__rs_lookup(const char *label, endpoint_t ep, endpoint_t *ep_out,
                   char *name, size_t len);
void sef__warm_backtrace(void);

#endif
