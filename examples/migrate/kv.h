/*
 * kv.h - the key/value service of the migration example: its request
 * protocol (shared by kv_v1, kv_v2 and kv_client) and the envelope of its
 * state blob (shared by kv_v1 and kv_v2).
 *
 * Two versions of one service, live-updated into each other in both
 * directions (README.md):
 *
 *   kv_v1  a table of up to KV_CAPACITY entries {key, value}
 *   kv_v2  the same table, each entry with one more field: `changes`, the
 *          number of writes (set, inc) kv_v2 applied to that entry
 *
 * Requests (m_type; 0 or a negative errno in the reply's m_type):
 *
 *   KV_SET    key, value: value := value          -> the entry
 *   KV_GET    key                                  -> the entry, -ENOENT
 *   KV_INC    key, value (delta): value += delta   -> the entry
 *             (a missing key is created with value 0 first)
 *   KV_STAT                                        -> KVS_* below
 *   KV_ENTRY  key field = index i                  -> the i-th entry
 *             (0-based, in the table's order), -ENOENT past the last
 *
 * SET and INC answer -ENOSPC when a new key does not fit.  Every reply
 * carries the answering program's version and pid and the number of live
 * updates the table went through: a client sees which version served it.
 *
 * The state blob (sef_lu_state_put / sef_lu_state_get):
 *
 *   struct kv_blob_hdr          (hdr_size bytes; this struct is the first
 *                                KV_BLOB_HDR_MIN of them)
 *   nentries entries of entry_size bytes each, starting at hdr_size
 *
 * and the blob version (sef_lu_state_put's) is the layout of the writer
 * (1 or 2), also in the header.  The rules that let any version read any
 * other's blob, older or newer:
 *
 *   1. An entry's fields are only ever appended.  A field, once in a
 *      layout, keeps its offset, size and meaning in every later one; the
 *      v1 fields come first (key, reserved, value: KV_V1_ENTRY_SIZE
 *      bytes), v2's field after them.  The header likewise only grows.
 *   2. A reader takes the fields it knows, i.e. the first
 *      min(entry_size, its own entry size) bytes of each entry, and gives
 *      the fields it knows and the blob lacks their default (0; for v2's
 *      `changes`: "no write seen by v2").  A blob whose entry_size is
 *      smaller than KV_V1_ENTRY_SIZE, whose length is not hdr_size +
 *      nentries * entry_size, or with more entries than the reader holds,
 *      is refused: the LU init fails and the update rolls back (the old
 *      version keeps serving, with its table).
 *   3. A reader keeps the bytes it does not know (an entry's tail past
 *      its own entry size, up to KV_TAIL_MAX) unchanged, and writes them
 *      back when it saves: entry_size out = its own + the tail it carries.
 *      An entry it creates gets a zero tail.  So v2's `changes` survives
 *      v2 -> v1 -> v2: v1 carries it without understanding it (and, not
 *      knowing it, does not count its own writes in it).
 *
 * Both versions run on the same host: fields are in the host's byte
 * order.
 */
#ifndef REINC_EXAMPLE_KV_H
#define REINC_EXAMPLE_KV_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KV_SET    0x1300
#define KV_GET    0x1301
#define KV_INC    0x1302
#define KV_STAT   0x1303
#define KV_ENTRY  0x1304

/* Request and reply fields (byte offsets into the 56-byte payload). */
#define KV_KEY        0   /* m_u32[0]: key (KV_ENTRY: index) */
#define KV_VERSION    1   /* m_u32[1]: reply: version of the answering program */
#define KV_VALUE      1   /* m_i64[1]: value or delta; reply: the value */
#define KV_CHANGES    2   /* m_u64[2]: reply: kv_v2's changes, KV_NONE from kv_v1 */
#define KV_TRANSFERS  6   /* m_u32[6]: reply: live updates the table went through */
#define KV_PID        7   /* m_u32[7]: reply: pid of the answering instance */
#define KV_NONE       UINT64_MAX /* a field the answering version does not have */

/* KV_STAT reply: m_u32[KVS_KEYS] keys in use, m_i64[KV_VALUE] the sum of
 * the values, m_u64[KV_CHANGES] the sum of changes (KV_NONE from kv_v1),
 * m_u32[KVS_CAPACITY], and the common fields. */
#define KVS_KEYS      0
#define KVS_CAPACITY  8   /* m_u32[8] */

#define KV_CAPACITY   64

/* ---- the state blob (see the rules above) ---- */
#define KV_BLOB_MAGIC     0x4b565442u   /* "KVTB" */
#define KV_V1_ENTRY_SIZE  16            /* key, reserved, value */
#define KV_TAIL_MAX       240           /* unknown bytes carried per entry */

struct kv_blob_hdr {
	uint32_t magic;       /* KV_BLOB_MAGIC */
	uint32_t layout;      /* the writer's layout version (1, 2) */
	uint32_t hdr_size;    /* header bytes: entries start here */
	uint32_t entry_size;  /* bytes per entry, >= KV_V1_ENTRY_SIZE */
	uint32_t nentries;
	uint32_t transfers;   /* live updates the table went through */
};
#define KV_BLOB_HDR_MIN ((uint32_t)sizeof(struct kv_blob_hdr))

_Static_assert(sizeof(struct kv_blob_hdr) == 24, "kv_blob_hdr layout");

/* Check a blob against rule 2 for a reader whose entries are own_size
 * bytes: 0 and the header in *h, or -EINVAL (not a kv blob, inconsistent
 * sizes, a tail longer than KV_TAIL_MAX) or -ENOSPC (more entries than
 * KV_CAPACITY). */
static inline int kv_blob_check(const void *p, size_t len, uint32_t own_size,
                                struct kv_blob_hdr *h)
{
	if (len < KV_BLOB_HDR_MIN)
		return -EINVAL;
	memcpy(h, p, sizeof(*h));
	if (h->magic != KV_BLOB_MAGIC || h->hdr_size < KV_BLOB_HDR_MIN ||
	    h->hdr_size > len || h->entry_size < KV_V1_ENTRY_SIZE ||
	    (h->entry_size > own_size &&
	     h->entry_size - own_size > KV_TAIL_MAX))
		return -EINVAL;
	if (h->nentries > KV_CAPACITY)
		return -ENOSPC;
	if ((uint64_t)h->hdr_size + (uint64_t)h->nentries * h->entry_size != len)
		return -EINVAL;
	return 0;
}

#endif
