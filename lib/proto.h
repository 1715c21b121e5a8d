/*
 * proto.h - reinc's wire formats, shared by libsef, reincd and reinc.
 *
 * Three formats, each with an explicit encode/decode pair and a version:
 *
 *  1. Data frames (72 bytes) carry a message on a channel between two
 *     endpoints: a SOCK_SEQPACKET socketpair created by reincd.  The
 *     receiver fills in m_source from the channel; the sender never
 *     writes it.  A sequence number ties a reply to its request.
 *  2. Control frames carry requests and events between a participant
 *     (service, user process, the reinc command) and reincd: a 16-byte
 *     header then tag/length/value fields.  Unknown tags are skipped, so
 *     newer peers can add fields.
 *  3. The liveness page: a small shared-memory region per service
 *     instance (memfd) that libsef writes and reincd reads: a counter
 *     bumped on every trip through the receive loop, an idle flag, and
 *     per-channel records of the request being served (so that reincd
 *     can fail exactly that request if the instance dies).
 *
 * Nothing here allocates, logs or exits; everything returns -errno.
 * See docs/protocol.md for the full contract.
 */
#ifndef REINC_PROTO_H
#define REINC_PROTO_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "sef.h"

/* ------------------------------------------------------------------ */
/* Data frames                                                          */

#define DF_VERSION 1
#define DF_SIZE    72

enum df_kind {
	DF_REQ = 1,     /* request: the sender waits for a DF_REPLY */
	DF_REPLY = 2,   /* reply to the DF_REQ with the same seq */
	DF_ONEWAY = 3,  /* ipc_send/ipc_sendnb/ipc_senda: no reply */
	DF_NOTIFY = 4,  /* ipc_notify */
};

#define DFF_DEAD 0x01   /* reply written by reincd: the server died */

struct df {
	uint8_t kind, flags;
	int32_t m_type;
	uint64_t seq;
	const uint8_t *payload;  /* decode: points into the frame */
};

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v); put_le32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void df_encode(uint8_t out[DF_SIZE], int kind, int flags,
                             uint64_t seq, const message *m)
{
	out[0] = DF_VERSION; out[1] = (uint8_t)kind; out[2] = (uint8_t)flags;
	out[3] = 0;
	put_le32(out + 4, (uint32_t)(m ? m->m_type : 0));
	put_le64(out + 8, seq);
	if (m)
		memcpy(out + 16, m->m_raw, MESSAGE_PAYLOAD);
	else
		memset(out + 16, 0, MESSAGE_PAYLOAD);
}

/* 0, or -EPROTO for a frame of the wrong size, version or kind. */
static inline int df_decode(const uint8_t *in, size_t len, struct df *d)
{
	if (len != DF_SIZE || in[0] != DF_VERSION || in[1] < DF_REQ ||
	    in[1] > DF_NOTIFY)
		return -EPROTO;
	d->kind = in[1];
	d->flags = in[2];
	d->m_type = (int32_t)get_le32(in + 4);
	d->seq = get_le64(in + 8);
	d->payload = in + 16;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Control frames                                                       */

#define PROTO_VERSION   1
#define PROTO_HDR       16
#define PROTO_MAX_FRAME 16384
#define PROTO_MAX_FDS   64
#define PROTO_MAX_STR   4096

enum proto_type {
	/* requests to reincd; answered by P_REPLY with the same id */
	P_HELLO = 1,     /* join as a user process -> T_EP */
	P_UP, P_DOWN, P_REFRESH, P_RESTART, P_CLONE, P_UNCLONE, P_EDIT,
	P_LOOKUP,        /* T_LABEL -> T_EP; or T_EP -> T_LABEL */
	P_SHUTDOWN,
	P_STATUS,        /* [T_LABEL] -> P_STATUS_REC..., then P_REPLY */
	P_CONNECT,       /* T_EP -> T_CHAN record + fd (caller end) */
	P_UPDATE, P_SYSCTL, P_FI,
	P_EVMASK,        /* proceventmask: T_FLAGS(mask) -> P_REPLY */
	P_EVACK,         /* PROC_EVENT_REPLY: T_EP T_EVENT, never answered */
	P_SIGEVENT,      /* user process: a caught signal (T_SIGNO) is
	                  * pending while it waits in ipc_sendrec to T_EP;
	                  * P_REPLY once every subscriber acknowledged */
	P_REQ_LAST,
	/* service -> reincd, no reply unless said */
	P_INIT_REPLY = 40, /* T_RESULT, T_FLAGS(INITR_*) -> P_REPLY */
	P_PONG,          /* answer to P_PING, or an unsolicited heartbeat */
	P_LU_READY,      /* T_RESULT T_LU_STATE [T_SIZE T_STATE_VER + blob fd]
	                  * -> P_REPLY only when the update is over: 0 never
	                  * comes (the instance is killed), -errno = resume */
	P_WAITING,       /* the instance waits for its init request */
	P_REGION,        /* T_NAME T_SIZE -> P_REPLY T_SIZE T_FLAGS + memfd */
	P_FDSTORE,       /* T_SUBTYPE(FDS_*) T_NAME [+ fd] -> P_REPLY [+ fd] */
	P_INST_LAST,
	/* reincd -> participant */
	P_REPLY = 64,    /* T_RESULT [+ fields] */
	P_STATUS_REC,    /* one service's status */
	P_INIT,          /* T_INIT_TYPE T_INIT_FLAGS T_EP T_OLD_EP T_RESTARTS T_LABEL */
	P_PING,
	P_CHAN_ADD,      /* T_CHANS records, fds attached in order */
	P_CHAN_DEL,      /* T_CHANS records (no fds) */
	P_LU_PREPARE,    /* T_LU_STATE (0 = cancel) T_FLAGS (SEF_LU_*) */
	P_PROC_EVENT,    /* T_EP T_EVENT: to a subscriber, acknowledged by
	                  * P_EVACK */
	P_TYPE_LAST
};

enum proto_tag {
	T_RESULT = 1,   /* int: 0 or -errno */
	T_LABEL,        /* str */
	T_PATH,         /* str: absolute path of the binary */
	T_ARGV,         /* blob: NUL-terminated arguments, back to back */
	T_PERIOD_MS,    /* int */
	T_SCRIPT,       /* str */
	T_FLAGS,        /* int: UPF_* for up/edit; INITR_* for init replies */
	T_RESTARTS,     /* int */
	T_EP,           /* int */
	T_OLD_EP,       /* int */
	T_INIT_TYPE,    /* int */
	T_INIT_FLAGS,   /* int */
	T_PID,          /* int */
	T_STATE,        /* str: status state name */
	T_UPTIME_MS,    /* int */
	T_ALIVE_MS,     /* int: ms since the last sign of life */
	T_CHANS,        /* blob: chan records */
	T_ERRMSG,       /* str: human-readable reason of a failure */
	T_RESET_MS,     /* int: healthy stretch that resets the back-off */
	T_BACKOFF_MS,   /* int: pending back-off (status) */
	T_SUBTYPE,      /* int: sysctl subtype, ... */
	T_LU_STATE,     /* int */
	T_MAXTIME_MS,   /* int */
	T_ENV,          /* blob: NUL-terminated NAME=value, back to back */
	T_CWD,          /* str */
	T_SFLAGS,       /* str: status flags */
	T_STANDBY_PID,  /* int: pid of the hot standby, 0 if none */
	T_CMD,          /* str: command line (status) */
	T_INIT_MS,      /* int: init deadline */
	T_NAME,         /* str: region or stored-descriptor name */
	T_SIZE,         /* int: bytes */
	T_STATE_VER,    /* int: version of a state blob */
	T_TRG_LABEL,    /* str: update: the service whose endpoint the new
	                 * instance gets as its old endpoint (-trg-label) */
	T_IPC_FILTERS,  /* blob: update (reinc -> reincd): filters as text,
	                 * NUL-terminated "w:SPEC" or "b:SPEC"; prepare
	                 * (reincd -> instance): ipcf records */
	T_EVENT,        /* int: PROC_EVENT_* */
	T_SIGNO,        /* int: a signal number */
	T_UID,          /* int: up: run as this user (system.conf uid) */
	T_GID,          /* int: ... and group */
	T_IPC,          /* blob: up: NUL-terminated ipc names (ALL, ALL_SYS,
	                 * USER, labels); absent: no restriction */
	T_CONTROL,      /* blob: up: labels the service may manage */
	T_SYSCALLS,     /* blob: up: the seccomp allow-list (system) */
	T_RLIMITS,      /* blob: up: 20-byte records: resource (u32), soft,
	                 * hard (u64, little-endian) */
	T_MAX_TAG
};

/* up/edit flags (reinc's letters in brackets) */
#define UPF_NOBLOCK     0x0001 /* -n: do not wait for init */
#define UPF_REPLICA     0x0002 /* -p: keep a hot standby */
#define UPF_NORESTART   0x0004 /* -f: never restart */
#define UPF_NO_BIN_EXP  0x0008 /* -b: no exponential back-off */
#define UPF_RUN         0x0010 /* run: down on first termination */
#define UPF_COPY        0x0020 /* -c: keep a copy of the binary */
#define UPF_INIT_CRASH  0x0040 /* -x */
#define UPF_INIT_FAIL   0x0080 /* -y */
#define UPF_INIT_TIMEOUT 0x0100 /* -z */
#define UPF_INIT_DEFCB  0x0200 /* -d */
#define UPF_DETACH      0x0400 /* -e */
#define UPF_PERIOD_SET  0x1000 /* edit: T_PERIOD_MS is to be applied */
#define UPF_BATCH       0x2000 /* -q: update: schedule only */
#define UPF_PREPARE_ONLY 0x4000 /* -o: update: prepare, then release */

/* sysctl subtypes (MINIX's order) */
enum { SYSCTL_SRV_STATUS = 1, SYSCTL_UPD_START, SYSCTL_UPD_RUN,
       SYSCTL_UPD_STOP, SYSCTL_UPD_STATUS };

/* P_FDSTORE operations */
enum { FDS_PUT = 1, FDS_GET, FDS_DEL };
/* P_REGION reply flags */
#define REGF_CREATED 0x1   /* the region did not exist: it is zeroed */
#define REGION_MAX_NAME 64
#define FDSTORE_MAX_NAME 64

/* init reply flags */
#define INITR_RESET  0x1  /* restart init reset the state (ERESTART) */
#define INITR_NOWAIT 0x2  /* the instance goes on without reincd's answer */
/* init request flag (T_FLAGS of P_INIT): a state blob's memfd is attached */
#define INITF_BLOB   0x1

/* IPC filters while preparing for an update (MINIX -ipc_wl/-ipc_bl): a
 * message passes if it passes every filter; a whitelist lets through what
 * matches one of its elements, a blacklist what matches none.  An element
 * matches on its source (an endpoint, or any user process / any service)
 * and, if given, its type.  Records of 16 bytes, little-endian. */
#define IPCF_MAX_FILTERS  4
#define IPCF_MAX_ELEMENTS 128
#define IPCF_REC_SIZE     16
enum { IPCF_BL = 1, IPCF_WL = 2 };                 /* kind */
enum { IPCF_SRC = 1, IPCF_TYPE = 2, IPCF_ANY_USR = 4, IPCF_ANY_SYS = 8 };
struct ipcf_rec {
	uint8_t kind, filter;   /* IPCF_BL/WL; which filter (0..3) */
	uint16_t flags;         /* what the element matches on */
	int32_t ep, type;
};
static inline void ipcf_encode(uint8_t *p, const struct ipcf_rec *r)
{
	p[0] = r->kind; p[1] = r->filter;
	p[2] = (uint8_t)r->flags; p[3] = (uint8_t)(r->flags >> 8);
	put_le32(p + 4, (uint32_t)r->ep); put_le32(p + 8, (uint32_t)r->type);
	put_le32(p + 12, 0);
}
static inline void ipcf_decode(const uint8_t *p, struct ipcf_rec *r)
{
	r->kind = p[0]; r->filter = p[1];
	r->flags = (uint16_t)(p[2] | p[3] << 8);
	r->ep = (int32_t)get_le32(p + 4); r->type = (int32_t)get_le32(p + 8);
}

/* The events page: a memfd reincd gives every user process with its
 * P_HELLO reply, mapped read-only.  sig_subs counts the services
 * subscribed to PROC_EVENT_SIGNAL; while it is 0 libsef's ipc_sendrec
 * does not hold signals back (there is nobody to tell). */
#define EV_PAGE_SIZE    4096
#define EV_PAGE_VERSION 1
struct ev_page {
	uint32_t version;
	_Atomic uint32_t sig_subs;
};

/* A channel record in T_CHANS: 28 bytes, little-endian.  The peer's
 * label comes from reincd, so a callee can trust it ("" for a user
 * process, "rs" for reincd itself). */
#define CHAN_REC_SIZE 28
#define CHAN_LABEL_LEN 16
enum chan_role { CHAN_CALLEE = 0, CHAN_CALLER = 1 };
struct chan_rec {
	uint32_t slot;     /* index in the participant's table of that role */
	int32_t peer;      /* the endpoint at the other end */
	uint32_t role;     /* CHAN_CALLEE: I serve requests on it */
	char label[CHAN_LABEL_LEN];  /* the peer's label, NUL-terminated */
};
static inline void chan_rec_encode(uint8_t *p, const struct chan_rec *r)
{
	put_le32(p, r->slot); put_le32(p + 4, (uint32_t)r->peer);
	put_le32(p + 8, r->role);
	memcpy(p + 12, r->label, CHAN_LABEL_LEN);
	p[12 + CHAN_LABEL_LEN - 1] = 0;
}
static inline void chan_rec_decode(const uint8_t *p, struct chan_rec *r)
{
	r->slot = get_le32(p); r->peer = (int32_t)get_le32(p + 4);
	r->role = get_le32(p + 8);
	memcpy(r->label, p + 12, CHAN_LABEL_LEN);
	r->label[CHAN_LABEL_LEN - 1] = 0;
}

/* Encoder: fields are appended to a fixed buffer; an overflow is
 * remembered and reported by proto_finish(). */
struct proto_buf {
	size_t len;
	int err;
	uint8_t b[PROTO_MAX_FRAME];
};

void proto_begin(struct proto_buf *pb, int type, uint64_t id);
void proto_put_int(struct proto_buf *pb, int tag, int64_t v);
void proto_put_str(struct proto_buf *pb, int tag, const char *s);
void proto_put_blob(struct proto_buf *pb, int tag, const void *p, size_t n);
/* Total length, or -E2BIG if a field did not fit. */
int proto_finish(struct proto_buf *pb);

/* Decoded frame.  Strings and blobs are copied into arena and
 * NUL-terminated, so they may be used as C strings. */
struct proto_msg {
	int type;
	uint64_t id;
	uint64_t present;          /* bit (1 << tag) per field seen */
	int64_t ival[T_MAX_TAG];
	const char *sval[T_MAX_TAG];
	uint32_t slen[T_MAX_TAG];
	char arena[PROTO_MAX_FRAME + T_MAX_TAG];
};

/* 0, or -EPROTO: bad version, type, length, field size, a string with a
 * NUL inside or longer than PROTO_MAX_STR, a field given twice. */
int proto_decode(const uint8_t *buf, size_t len, struct proto_msg *pm);

static inline int proto_has(const struct proto_msg *pm, int tag)
{
	return (pm->present >> tag) & 1;
}
static inline int64_t proto_int(const struct proto_msg *pm, int tag,
                                int64_t dflt)
{
	return proto_has(pm, tag) ? pm->ival[tag] : dflt;
}
static inline const char *proto_str(const struct proto_msg *pm, int tag)
{
	return proto_has(pm, tag) ? pm->sval[tag] : NULL;
}

/* Socket I/O with descriptors.  proto_sendfds: sendmsg with MSG_NOSIGNAL
 * and SCM_RIGHTS; 0 or -errno.  proto_recvfds: recvmsg with
 * MSG_CMSG_CLOEXEC; returns the frame length, 0 at end of file, or
 * -errno; received descriptors go to fds (up to *nfds, which is updated);
 * extra or truncated ones are closed and reported as -EPROTO. */
int proto_sendfds(int fd, const void *buf, size_t len, const int *fds,
                  int nfds, int flags);
ssize_t proto_recvfds(int fd, void *buf, size_t cap, int *fds, int *nfds,
                      int flags);
/* Encode-and-send convenience: proto_finish + proto_sendfds. */
int proto_send(int fd, struct proto_buf *pb, const int *fds, int nfds);

/* The runtime directory: $REINC_RUNTIME_DIR, else /run/reinc for root,
 * else $XDG_RUNTIME_DIR/reinc, else /tmp/reinc-<uid>.  0 or -ENAMETOOLONG. */
int proto_runtime_dir(char *buf, size_t len);
#define REINC_SOCK_NAME "reincd.sock"

/* Durations: "500ms", "2s", "1.5s", "5HZ" (5 s, MINIX), "3m", or a bare
 * number of MINIX ticks (60 per second).  Result in ms; -EINVAL. */
int proto_parse_duration(const char *s, int64_t *ms);

/* ------------------------------------------------------------------ */
/* The liveness page                                                    */

#define LIVE_MAGIC   0x6576696cu /* "live" */
#define LIVE_VERSION 1
#define LIVE_MAX_CHAN 4096  /* callee channels a service can have */

enum { PEND_NONE = 0, PEND_PEEKED = 1, PEND_SERVING = 2 };

struct live_pend {
	_Atomic uint64_t seq;
	_Atomic uint32_t state;  /* PEND_* */
	uint32_t pad;
};

struct live_page {
	uint32_t magic, version;
	_Atomic uint64_t counter;    /* +1 per trip through the receive loop */
	_Atomic uint32_t idle;       /* 1 while blocked in sef_receive */
	_Atomic uint32_t custom_ping;/* service answers pings itself */
	_Atomic uint32_t ready;      /* 1 once past sef_startup */
	_Atomic uint32_t sigsys;     /* 1 + the system call seccomp refused */
	uint8_t pad[32];
	struct live_pend pend[LIVE_MAX_CHAN];
};

#define LIVE_PAGE_SIZE (((sizeof(struct live_page)) + 4095) & ~(size_t)4095)

/* Signals that end an instance (libsef prints a stack trace first). */
#define LIVE_LETHAL_SIGNALS SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS

/* The signals libsef takes over in a service - blocked and read from a
 * signalfd - i.e. all but the lethal ones, SIGPIPE, SIGKILL and SIGSTOP.
 * reincd spawns instances with exactly these blocked, so that none can
 * kill a service before libsef is ready for it. */
static inline void live_taken_signals(sigset_t *set)
{
	static const int keep[] = { LIVE_LETHAL_SIGNALS, SIGPIPE, SIGKILL,
	                            SIGSTOP };
	sigfillset(set);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		sigdelset(set, keep[i]);
}

/* Environment of a service instance. */
#define ENV_CTL_FD  "REINC_CTL_FD"   /* control socket to reincd */
#define ENV_LIVE_FD "REINC_LIVE_FD"  /* memfd of the liveness page */

#endif /* REINC_PROTO_H */
