/*
 * ds_proto.h - the data store's requests, as libsef's DS client sends
 * them and dsd decodes them.  Internal: not installed.
 *
 * A request is an ordinary 64-byte message (m_type DS_*) whose payload is
 * struct ds_msg.  Short keys travel in the message itself; a longer key,
 * a string or memory value, a subscription pattern and ds_check's answer
 * travel through the caller's *grant*: a sealed memfd the client maps and
 * hands to dsd once (MINIX passed memory grants).  Its layout:
 *
 *   [0, DS_BUF_KEY)       a key or a pattern (NUL-terminated)
 *   [DS_BUF_KEY, size)    a value
 *
 * Every request names the grant it relies on by id.  When dsd does not
 * hold that grant (it restarted, was updated, or evicted it) it answers
 * DS_ENOGRANT and the client sends the request again with the memfd
 * attached.  The memfd must carry F_SEAL_SHRINK, so that dsd can never
 * touch a page the client took away.
 */
#ifndef REINC_DS_PROTO_H
#define REINC_DS_PROTO_H

#include <stdint.h>
#include "sef.h"

#define DS_RQ_BASE        0x800
#define DS_PUBLISH        (DS_RQ_BASE + 0)
#define DS_RETRIEVE       (DS_RQ_BASE + 1)
#define DS_SUBSCRIBE      (DS_RQ_BASE + 2)
#define DS_CHECK          (DS_RQ_BASE + 3)
#define DS_DELETE         (DS_RQ_BASE + 4)
#define DS_SNAPSHOT       (DS_RQ_BASE + 5)  /* MINIX: no longer handled */
#define DS_RETRIEVE_LABEL (DS_RQ_BASE + 6)  /* endpoint -> label name */
#define DS_GETSYSINFO     (DS_RQ_BASE + 7)  /* not supported here */
#define DS_RESET          (DS_RQ_BASE + 8)  /* drop the caller's entries */

/* Reply code: dsd does not hold the grant named (never reaches a user). */
#define DS_ENOGRANT 240

#define DS_BUF_KEY    512               /* key/pattern part of a grant */
#define DS_INLINE_KEY 28                /* key bytes in the message */

struct ds_msg {
	uint32_t flags;     /* DSF_* (request); type bits (check's reply) */
	uint32_t key_len;   /* key or pattern length, without the NUL */
	uint32_t val;       /* u32 value, endpoint; owner endpoint (check) */
	uint32_t val_len;   /* STR/MEM: value length; room for it (retrieve) */
	uint64_t grant;     /* grant id, 0 for none */
	uint32_t aux;       /* reserved, 0 */
	char key[DS_INLINE_KEY];  /* key_len < DS_INLINE_KEY: here */
};
_Static_assert(sizeof(struct ds_msg) == MESSAGE_PAYLOAD, "ds_msg size");

static inline struct ds_msg *ds_msg_of(message *m)
{
	return (struct ds_msg *)(void *)m->m_raw;
}

#endif
