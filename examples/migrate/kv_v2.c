/*
 * kv_v2.c - version 2 of the key/value service of the migration example
 * (README.md): kv_v1's table with one more field per entry, `changes`,
 * the number of writes (KV_SET, KV_INC) kv_v2 applied to the entry.  A
 * real layout change: an entry grows from 16 to 24 bytes.
 *
 * State transfer across a live update goes through the versioned state
 * blob: state_save puts the table in layout 2, and the LU init callback
 * reads whatever the old instance put.  The blob rules are in kv.h; what
 * they mean here:
 *
 *   - from kv_v1 (an upgrade): a layout-1 blob has 16-byte entries, the
 *     v1 fields; kv_v2 migrates them and gives `changes` its default, 0;
 *   - from kv_v1 that itself got the table from kv_v2 (v2 -> v1 -> v2):
 *     kv_v1 carried `changes` as opaque bytes, so the blob has 24-byte
 *     entries again and kv_v2 takes `changes` back as it left it (writes
 *     served by kv_v1 meanwhile are not counted);
 *   - from kv_v2 (`update self`): everything;
 *   - from a later layout: the fields kv_v2 knows, the rest carried;
 *   - a blob that breaks the rules makes the LU init fail, so the update
 *     rolls back and the old version keeps serving with its table.
 *
 * A crash loses the table (the restarted instance starts empty): the
 * blob only travels in a live update.
 *
 * SEF: the default live-update state 1 (WORK_FREE) is reached as soon as
 * the service is back at the top of its loop, between two requests, so
 * a request is applied exactly once, by the old version or by the new.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sef.h>

#include "kv.h"

#define MY_LAYOUT 2

/* Layout 2: one entry, the v1 fields first (kv.h rule 1). */
struct entry {
	uint32_t key;
	uint32_t reserved;   /* 0 */
	int64_t value;
	/* new in layout 2 */
	uint64_t changes;    /* writes kv_v2 applied; 0 by default */
};
_Static_assert(offsetof(struct entry, changes) == KV_V1_ENTRY_SIZE &&
               sizeof(struct entry) == 24, "layout 2 entry");

static struct entry table[KV_CAPACITY];
static uint32_t nentries;
/* The fields of later layouts we got and carry (rule 3 of kv.h): the
 * same number of bytes for every entry. */
static uint8_t tail[KV_CAPACITY][KV_TAIL_MAX];
static uint32_t tail_len;
static uint32_t transfers;  /* live updates the table went through */

static struct entry *find(uint32_t key)
{
	for (uint32_t i = 0; i < nentries; i++)
		if (table[i].key == key)
			return &table[i];
	return NULL;
}

static struct entry *find_or_add(uint32_t key, int *err)
{
	struct entry *e = find(key);
	if (e)
		return e;
	if (nentries == KV_CAPACITY) {
		*err = -ENOSPC;
		return NULL;
	}
	e = &table[nentries];
	memset(e, 0, sizeof(*e));
	memset(tail[nentries], 0, sizeof(tail[nentries]));
	e->key = key;
	nentries++;
	return e;
}

/* ------------------------------------------------------------------ */
/* state transfer                                                       */

static int save(int state, int flags)
{
	uint32_t es = (uint32_t)sizeof(struct entry) + tail_len;
	size_t len = KV_BLOB_HDR_MIN + (size_t)nentries * es;
	uint8_t *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	struct kv_blob_hdr h = {
		.magic = KV_BLOB_MAGIC, .layout = MY_LAYOUT,
		.hdr_size = KV_BLOB_HDR_MIN, .entry_size = es,
		.nentries = nentries, .transfers = transfers,
	};
	memcpy(buf, &h, sizeof(h));
	for (uint32_t i = 0; i < nentries; i++) {
		uint8_t *q = buf + KV_BLOB_HDR_MIN + (size_t)i * es;
		memcpy(q, &table[i], sizeof(table[i]));
		memcpy(q + sizeof(table[i]), tail[i], tail_len);
	}
	int r = sef_lu_state_put(MY_LAYOUT, buf, len);
	free(buf);
	return r;
}

static int init_lu(int type, sef_init_info_t *info)
{
	uint32_t ver;
	const void *p;
	size_t len;
	struct kv_blob_hdr h;
	int r;

	if (sef_lu_state_get(&ver, &p, &len) < 0) {
		printf("kv_v2: live update without a state blob: refused\n");
		fflush(stdout);
		return -ENOENT;
	}
	if ((r = kv_blob_check(p, len, sizeof(struct entry), &h)) < 0) {
		printf("kv_v2: bad state blob (version %u, %zu bytes): %s\n",
		       (unsigned)ver, len, strerror(-r));
		fflush(stdout);
		return r;
	}
	/* Rule 2: the fields we know; rule 3: carry the rest. */
	uint32_t known = h.entry_size < sizeof(struct entry) ?
	                 h.entry_size : (uint32_t)sizeof(struct entry);
	tail_len = h.entry_size - known;
	const uint8_t *base = (const uint8_t *)p + h.hdr_size;
	memset(table, 0, sizeof(table));
	memset(tail, 0, sizeof(tail));
	for (uint32_t i = 0; i < h.nentries; i++) {
		const uint8_t *q = base + (size_t)i * h.entry_size;
		memcpy(&table[i], q, known);
		memcpy(tail[i], q + known, tail_len);
	}
	nentries = h.nentries;
	transfers = h.transfers + 1;
	printf("kv_v2: live update #%u: %u entries from layout %u "
	       "(%u-byte entries: %u bytes known, %u carried), changes %s\n",
	       (unsigned)transfers, (unsigned)nentries, (unsigned)h.layout,
	       (unsigned)h.entry_size, (unsigned)known, (unsigned)tail_len,
	       known < sizeof(struct entry) ? "set to 0 (migrated)" : "kept");
	fflush(stdout);
	return 0;
}

/* Fresh start, and restart after a crash: an empty table. */
static int init_fresh(int type, sef_init_info_t *info)
{
	nentries = 0;
	tail_len = 0;
	transfers = 0;
	if (type == SEF_INIT_RESTART)
		printf("kv_v2: restarted after a crash: the table is lost, "
		       "starting empty\n");
	else
		printf("kv_v2: started, empty table of %d entries\n",
		       KV_CAPACITY);
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------------ */
/* requests                                                             */

static int64_t add64(int64_t a, int64_t b)  /* wraps, no overflow UB */
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int request(message *m)
{
	uint32_t key = m->m_u32[KV_KEY];
	int64_t v = m->m_i64[KV_VALUE];
	struct entry *e = NULL;
	int64_t sum = 0;
	uint64_t changes = 0;
	int r = 0;

	switch (m->m_type) {
	case KV_SET:
		if ((e = find_or_add(key, &r))) {
			e->value = v;
			e->changes++;
		}
		break;
	case KV_INC:
		if ((e = find_or_add(key, &r))) {
			e->value = add64(e->value, v);
			e->changes++;
		}
		break;
	case KV_GET:
		if (!(e = find(key)))
			r = -ENOENT;
		break;
	case KV_ENTRY:
		if (key < nentries)
			e = &table[key];
		else
			r = -ENOENT;
		break;
	case KV_STAT:
		for (uint32_t i = 0; i < nentries; i++) {
			sum = add64(sum, table[i].value);
			changes += table[i].changes;
		}
		break;
	default:
		r = -ENOSYS;
	}

	memset(m->m_raw, 0, sizeof(m->m_raw));
	m->m_u32[KV_VERSION] = MY_LAYOUT;
	m->m_u32[KV_TRANSFERS] = transfers;
	m->m_u32[KV_PID] = (uint32_t)getpid();
	if (e) {
		m->m_u32[KV_KEY] = e->key;
		m->m_i64[KV_VALUE] = e->value;
		m->m_u64[KV_CHANGES] = e->changes;
	} else if (r == 0) {  /* KV_STAT */
		m->m_u32[KVS_KEYS] = nentries;
		m->m_i64[KV_VALUE] = sum;
		m->m_u64[KV_CHANGES] = changes;
		m->m_u32[KVS_CAPACITY] = KV_CAPACITY;
	}
	return r;
}

int main(void)
{
	sef_setcb_init_fresh(init_fresh);
	sef_setcb_init_restart(init_fresh);
	sef_setcb_init_lu(init_lu);
	sef_setcb_lu_state_save(save);
	int r = sef_startup();
	if (r < 0) {
		fprintf(stderr, "kv_v2: sef_startup: %s\n", strerror(-r));
		sef_exit(1);
	}

	for (;;) {
		message m;
		if ((r = sef_receive(ANY, &m)) < 0) {
			fprintf(stderr, "kv_v2: sef_receive: %s\n", strerror(-r));
			continue;
		}
		endpoint_t who = m.m_source;
		m.m_type = request(&m);
		if ((r = ipc_send(who, &m)) < 0)
			fprintf(stderr, "kv_v2: reply to %d: %s\n", who,
			        strerror(-r));
	}
}
