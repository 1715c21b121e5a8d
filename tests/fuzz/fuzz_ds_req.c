/*
 * fuzz_ds_req.c - dsd's request decoder and store: a sequence of
 * requests from different callers through dsd_request(), over a store on
 * calloc'd memory with small limits (256 entries, 8 subscriptions, 1 MiB
 * of heap, values up to 64 KiB), then the region re-opened as a restarted
 * dsd would.  Nothing may crash or read outside the grant it was given
 * (each grant is a heap block of exactly its size, for AddressSanitizer),
 * and these must hold:
 *
 *   - every reply code is 0 or one of the errors dsd documents;
 *   - a retrieve copies no more than was asked and fits; a check's key
 *     is NUL-terminated where it says; a publish that succeeded reads
 *     back the value it wrote;
 *   - after every request, nent and nsub count exactly the live entries
 *     and subscriptions of the region, each live entry is found under its
 *     key, and notifications go to owners that have a subscription;
 *   - after a restart (store_open on the same memory), every entry is in
 *     the same slot with the same value, and the subscriptions are the
 *     same; a label removal written down but not done is finished: none
 *     of the label's entries or its subscription survive, all else does.
 *
 * Input: records of
 *
 *   b0   caller (low 3 bits mod 6: "", rs, a, b, c, a 15-character
 *        label) | 0x08 with a grant | 0x10 naming another grant id |
 *        0x20 a grant smaller than DS_BUF_KEY | 0x40 raw payload |
 *        0x80 64 KiB more room in the grant
 *   b1   operation (low 4 bits): 0-8 DS_PUBLISH..DS_RESET, 9 an unknown
 *        request, 10 a raw m_type (2 more bytes), 11 restart, 12 restart
 *        in the middle of a label removal, 13 notify everyone,
 *        14 DS_PUBLISH, 15 DS_RETRIEVE
 *   b2   flags: type (low 3 bits: u32 str mem label none u32|str 0x80
 *        raw) | 0x08/0x10/0x20 the three DSF_PRIV_* | 0x40 OVERWRITE |
 *        0x80 INITIAL
 *   b3   key: < 0x80 a word of a small dictionary; else 0x7f & b3 bytes
 *        follow (0xff: a 4-byte key_len follows, bytes from the dictionary)
 *   b4   value: 100..107 (endpoints), or >= 0xf8: 4 bytes follow
 *   b5 b6  val_len (b6 0xff: 4 bytes follow instead)
 *   [grant: 2 bytes of room, a count n, n bytes: the value, repeated]
 *   [raw: 56 payload bytes]
 *
 * Replayed from tests/fuzz/corpus/ds_req/ by `make check`; run-libfuzzer.sh
 * explores with libFuzzer.  FUZZ_DS_TRACE=1 prints each request and its
 * answer (to see what an input does).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_proto.h"
#include "dsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...) do { \
	fprintf(stderr, "fuzz_ds_req: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

#define GID 0x6701u

static const struct dsd_caps caps = { 256, 1u << 20, 8, 64u << 10 };

static const struct {
	const char *label;
	int rs;
	endpoint_t ep;
} callers[6] = {
	{ "", 0, REINC_USER_EP_BASE }, { "rs", 1, RS_PROC_NR },
	{ "a", 0, 100 }, { "b", 0, 101 }, { "c", 0, 102 },
	{ "svc-fifteen-chr", 0, 103 },
};

static const char *const dict[] = {
	"k0", "k1", "k2", "a", "b", "c", "svc-fifteen-chr", "rs",
	"drv.chr.a", "drv.blk.b", ".*", "k.*", "(a|b)", "drv\\..*", "k[0-9]",
	"long.key.that.does.not.fit.inline.at.all",
	"k012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567",            /* 79 bytes */
	"k012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678",           /* 80 bytes: too long */
	"k01234567890123456789012345",   /* 27: inline */
	"k012345678901234567890123456",  /* 28: in the grant */
};
#define NDICT (sizeof(dict) / sizeof(*dict))

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t get8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint32_t get32(struct rd *r)
{
	uint32_t v = get8(r);
	v |= (uint32_t)get8(r) << 8;
	v |= (uint32_t)get8(r) << 16;
	return v | (uint32_t)get8(r) << 24;
}

/* ------------------------------------------------------------------ */
/* the store under test                                                 */

static struct store st;
static int trace;             /* $FUZZ_DS_TRACE: print each request */
static uint8_t *region;
static size_t region_size;
static int notified;
static unsigned nreq;         /* requests served: a full check every 16 */

static void on_notify(struct store *s, const char *owner)
{
	size_t n = strnlen(owner, OWNER_LEN);
	if (n == 0 || n >= OWNER_LEN)
		FAIL("notify for a bad owner");
	int found = 0;
	for (uint64_t j = 0; j < atomic_load(&s->h->sub_hw); j++)
		if (atomic_load(&s->sub[j].state) == 1 &&
		    !strcmp(s->sub[j].owner, owner))
			found = 1;
	if (!found)
		FAIL("notify for %s, which has no subscription", owner);
	notified++;
}

static void attach(void)
{
	int r = store_open(&st, region, region_size, 0, &caps);
	if (r < 0)
		FAIL("store_open of a sound region: %d", r);
	st.notify = on_notify;
	if (atomic_load(&st.h->cascade) != CASCADE_NONE)
		FAIL("cascade left in the header after store_open");
}

/* nent, nsub and (full) the indexes agree with the region. */
static void consistent(int full)
{
	uint64_t n = 0, ns = 0, hw = atomic_load(&st.h->ent_hw);
	if (hw > st.h->ent_cap)
		FAIL("ent_hw %llu beyond the cap", (unsigned long long)hw);
	for (uint64_t i = 0; i < hw; i++) {
		const struct pent *e = &st.ent[i], *f;
		if (atomic_load(&e->state) != 1)
			continue;
		n++;
		if (!full)
			continue;
		const struct pver *v = ent_ver(e);
		if (strnlen(e->key, DS_MAX_KEYLEN) != e->keylen || !e->keylen ||
		    e->keylen >= DS_MAX_KEYLEN)
			FAIL("slot %llu: bad key", (unsigned long long)i);
		if (strnlen(v->owner, OWNER_LEN) >= OWNER_LEN || !v->owner[0])
			FAIL("slot %llu: bad owner", (unsigned long long)i);
		if (store_retrieve(&st, v->owner, e->key, e->type, &f) != 0 ||
		    f != e)
			FAIL("slot %llu (%s) not found by its key",
			     (unsigned long long)i, e->key);
		if (v->len && (v->off >= st.h->heap_size ||
		               st.h->heap_size - v->off < v->len))
			FAIL("slot %llu: value outside the heap",
			     (unsigned long long)i);
	}
	for (uint64_t j = 0; j < atomic_load(&st.h->sub_hw); j++)
		ns += atomic_load(&st.sub[j].state) == 1;
	if (n != st.nent || ns != st.nsub)
		FAIL("nent %llu nsub %llu, region has %llu and %llu",
		     (unsigned long long)st.nent, (unsigned long long)st.nsub,
		     (unsigned long long)n, (unsigned long long)ns);
}

/* ------------------------------------------------------------------ */
/* restart: what survives                                               */

struct snap_ent {
	uint64_t slot;
	uint32_t type, flags, u32, len;
	char key[DS_MAX_KEYLEN];
	char owner[OWNER_LEN];
	uint64_t at;                 /* the value's copy in saved[] */
};

struct snap_sub {
	uint64_t slot;
	uint32_t typemask;
	char owner[OWNER_LEN];
	char pat[DS_MAX_PATTERN];
};

static struct snap_ent sent[256];
static uint8_t saved[1u << 20];  /* values never overlap: the heap's size */
static size_t nsaved;
static struct snap_sub ssub[8];
static size_t nsent, nssub;

/* Remember what is in the store, but for what label's removal takes. */
static void snapshot(const char *gone, int down)
{
	nsent = nssub = nsaved = 0;
	for (uint64_t i = 0; i < atomic_load(&st.h->ent_hw); i++) {
		const struct pent *e = &st.ent[i];
		if (atomic_load(&e->state) != 1)
			continue;
		const struct pver *v = ent_ver(e);
		if (gone && (!strcmp(v->owner, gone) ||
		             (down && e->type == DSF_TYPE_LABEL &&
		              !strcmp(e->key, gone))))
			continue;
		struct snap_ent *x = &sent[nsent++];
		x->slot = i;
		x->type = e->type;
		x->flags = v->flags;
		x->u32 = v->u32;
		x->len = v->len;
		memcpy(x->key, e->key, sizeof(x->key));
		memcpy(x->owner, v->owner, sizeof(x->owner));
		if (nsaved + v->len > sizeof(saved))
			FAIL("values add up to more than the heap");
		x->at = nsaved;
		memcpy(saved + nsaved, ent_data(&st, e), v->len);
		nsaved += v->len;
	}
	for (uint64_t j = 0; j < atomic_load(&st.h->sub_hw); j++) {
		const struct psub *u = &st.sub[j];
		if (atomic_load(&u->state) != 1 ||
		    (gone && !strcmp(u->owner, gone)))
			continue;
		struct snap_sub *x = &ssub[nssub++];
		x->slot = j;
		x->typemask = u->typemask;
		memcpy(x->owner, u->owner, sizeof(x->owner));
		memcpy(x->pat, u->pat, sizeof(x->pat));
	}
}

static void compare(const char *why)
{
	if (st.nent != nsent || st.nsub != nssub)
		FAIL("%s: %llu entries and %llu subscriptions, were %zu, %zu",
		     why, (unsigned long long)st.nent,
		     (unsigned long long)st.nsub, nsent, nssub);
	for (size_t k = 0; k < nsent; k++) {
		const struct snap_ent *x = &sent[k];
		const struct pent *e;
		if (store_retrieve(&st, x->owner, x->key, x->type, &e) != 0)
			FAIL("%s: %s lost", why, x->key);
		const struct pver *v = ent_ver(e);
		if ((uint64_t)(e - st.ent) != x->slot || v->flags != x->flags ||
		    v->u32 != x->u32 || v->len != x->len ||
		    strcmp(v->owner, x->owner) ||
		    memcmp(ent_data(&st, e), saved + x->at, v->len))
			FAIL("%s: %s changed", why, x->key);
	}
	for (size_t k = 0; k < nssub; k++) {
		const struct snap_sub *x = &ssub[k];
		const struct psub *u = &st.sub[x->slot];
		if (atomic_load(&u->state) != 1 || u->typemask != x->typemask ||
		    strcmp(u->owner, x->owner) || strcmp(u->pat, x->pat))
			FAIL("%s: subscription of %s changed", why, x->owner);
	}
}

static void restart(void)
{
	snapshot(NULL, 0);
	store_close(&st);
	attach();
	compare("restart");
	consistent(1);
}

/* dsd died in the middle of removing label's entries (after the header
 * said so, maybe after a part of it): the next instance finishes. */
static void restart_in_cascade(const char *label, int how)
{
	snapshot(label, how == CASCADE_DOWN);
	memset(st.h->cascade_label, 0, OWNER_LEN);
	snprintf(st.h->cascade_label, OWNER_LEN, "%s", label);
	atomic_store(&st.h->cascade, (uint32_t)how);
	store_close(&st);
	attach();
	compare("restart in a cascade");
	for (uint64_t i = 0; i < atomic_load(&st.h->ent_hw); i++) {
		const struct pent *e = &st.ent[i];
		if (atomic_load(&e->state) == 1 &&
		    !strcmp(ent_ver(e)->owner, label))
			FAIL("cascade of %s left %s", label, e->key);
	}
	consistent(1);
}

/* ------------------------------------------------------------------ */
/* one request                                                          */

static int known_error(int r)
{
	switch (-r) {
	case 0: case EINVAL: case EPERM: case ESRCH: case EEXIST:
	case ENOMEM: case EAGAIN: case EFBIG: case ENOENT: case DS_ENOGRANT:
	case ENAMETOOLONG:
		return 1;
	}
	return 0;
}

/* A pattern whose matching costs seconds and gigabytes in glibc (bounded
 * repetitions nested, back-references): a known problem of dsd's, not
 * this fuzzer's to find again and again. */
static int costly_pattern(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '{' || (p[i] == '\\' && i + 1 < n &&
		                    p[i + 1] >= '0' && p[i + 1] <= '9'))
			return 1;
	return 0;
}

static const uint32_t types[8] = {
	DSF_TYPE_U32, DSF_TYPE_STR, DSF_TYPE_MEM, DSF_TYPE_LABEL, 0,
	DSF_TYPE_U32 | DSF_TYPE_STR, 0x80, 0,
};

static void one(struct rd *in)
{
	uint8_t b0 = get8(in), b1 = get8(in), b2 = get8(in), b3;
	int c = (b0 & 7) % 6;
	const char *label = callers[c].label;
	int op = b1 & 15;

	switch (op) {
	case 11:
		restart();
		return;
	case 12:
		if (*label && !callers[c].rs)
			restart_in_cascade(label, b2 & 1 ? CASCADE_DOWN :
			                   CASCADE_RESET);
		return;
	case 13:
		store_notify_all(&st);
		store_flush_notify(&st);
		return;
	}

	message m;
	struct ds_msg *q = ds_msg_of(&m);
	memset(&m, 0, sizeof(m));
	m.m_source = callers[c].ep;
	m.m_type = op == 14 ? DS_PUBLISH : op == 15 ? DS_RETRIEVE :
	           DS_RQ_BASE + op;
	if (op == 10) {
		m.m_type = get8(in);
		m.m_type |= get8(in) << 8;
	}

	/* flags */
	uint32_t flags = types[b2 & 7];
	if ((b2 & 7) == 7)
		flags = (uint32_t)get8(in) << 4;
	flags |= (uint32_t)(b2 >> 2) & DSF_PRIVATE;
	if (b2 & 0x40)
		flags |= DSF_OVERWRITE;
	if (b2 & 0x80)
		flags |= DSF_INITIAL;

	/* key */
	char key[DS_MAX_PATTERN + 1];
	size_t klen;
	uint32_t key_len;
	b3 = get8(in);
	if (b3 == 0xff) {
		key_len = get32(in);
		klen = strlen(dict[key_len % NDICT]);
		memcpy(key, dict[key_len % NDICT], klen + 1);
	} else if (b3 & 0x80) {
		klen = b3 & 0x7f;
		for (size_t i = 0; i < klen; i++)
			key[i] = (char)get8(in);
		key[klen] = 0;
		key_len = (uint32_t)klen;
	} else {
		klen = strlen(dict[b3 % NDICT]);
		memcpy(key, dict[b3 % NDICT], klen + 1);
		key_len = (uint32_t)klen;
	}
	uint8_t b4 = get8(in);
	uint32_t val = b4 >= 0xf8 ? get32(in) : 100u + (b4 & 7u);
	uint32_t val_len = get8(in);
	uint8_t b6 = get8(in);
	val_len = b6 == 0xff ? get32(in) : val_len | (uint32_t)b6 << 8;

	/* the grant: a block of exactly its size */
	uint8_t *g = NULL;
	size_t gsize = 0;
	uint64_t gid = GID;
	if (b0 & 0x08) {
		uint32_t room = get8(in);
		room |= (uint32_t)get8(in) << 8;
		if (b0 & 0x80)
			room += 1u << 16;
		gsize = b0 & 0x20 ? room % DS_BUF_KEY : DS_BUF_KEY + room;
		g = malloc(gsize ? gsize : 1);
		if (!g)
			return;
		memset(g, 'g', gsize);
		/* the value: n bytes from the input, repeated */
		size_t n = get8(in);
		if (n > in->n)
			n = in->n;
		if (gsize >= DS_BUF_KEY) {
			if (klen < DS_BUF_KEY)
				memcpy(g, key, klen + 1);
			/* (memcpy: a byte loop costs libFuzzer dearly) */
			uint8_t *vp = g + DS_BUF_KEY;
			size_t have = n < room ? n : room;
			if (have)
				memcpy(vp, in->p, have);
			while (have && have < room) {
				size_t k = have < room - have ? have : room - have;
				memcpy(vp + have, vp, k);
				have += k;
			}
		}
		in->p += n;
		in->n -= n;
	}

	q->flags = flags;
	q->key_len = key_len;
	q->val = val;
	q->val_len = val_len;
	q->grant = g ? (b0 & 0x10 ? GID + 1 : GID) : 0;
	if (klen < DS_INLINE_KEY)
		memcpy(q->key, key, klen);
	if (b0 & 0x40) {                  /* raw payload */
		for (size_t i = 0; i < MESSAGE_PAYLOAD; i++)
			m.m_raw[i] = get8(in);
		if (g && !(b0 & 0x10))
			gid = q->grant;   /* the grant named is the one held */
	}
	struct ds_msg req = *q;

	if (m.m_type == DS_SUBSCRIBE) {
		const char *p = req.key_len < DS_INLINE_KEY ? req.key :
		                gsize >= DS_BUF_KEY ? (const char *)g : NULL;
		size_t n = req.key_len < DS_INLINE_KEY ? req.key_len :
		           req.key_len < DS_MAX_PATTERN ? req.key_len : 0;
		if (p && costly_pattern(p, n)) {
			free(g);
			return;
		}
	}

	struct dsd_caller who = { callers[c].ep, label, callers[c].rs };
	int r = dsd_request(&st, &who, &m, g, gsize, gid);
	if (trace)
		fprintf(stderr, "%-15s %#x flags %#x key %.*s (%u) val %u "
		        "len %u grant %zu: %d\n", c == 1 ? "rs" : label,
		        (unsigned)m.m_type, req.flags,
		        req.key_len < DS_INLINE_KEY ? (int)req.key_len : 0,
		        req.key, req.key_len, req.val, req.val_len, gsize, r);
	if (r > 0 || !known_error(r))
		FAIL("request %#x answered %d", req.flags, r);
	size_t room = g && gsize >= DS_BUF_KEY ? gsize - DS_BUF_KEY : 0;

	if (r == 0 && m.m_type == DS_RETRIEVE &&
	    (req.flags & DSF_MASK_TYPE) != DSF_TYPE_U32 &&
	    (req.flags & DSF_MASK_TYPE) != DSF_TYPE_LABEL) {
		if (q->val_len > req.val_len || q->val_len > room)
			FAIL("retrieve gave %u bytes, %u asked, %zu room",
			     q->val_len, req.val_len, room);
	}
	if (r == 0 && m.m_type == DS_CHECK) {
		if (q->key_len == 0 || q->key_len >= DS_MAX_KEYLEN ||
		    strnlen((char *)g, DS_BUF_KEY) != q->key_len)
			FAIL("check gave a bad key");
	}
	if (r == 0 && m.m_type == DS_RETRIEVE_LABEL &&
	    strnlen(q->key, DS_INLINE_KEY) != q->key_len)
		FAIL("label name not terminated");
	/* a publish that succeeded reads back what it wrote */
	if (r == 0 && m.m_type == DS_PUBLISH && !(b0 & 0x40)) {
		const struct pent *e;
		uint32_t t = req.flags & DSF_MASK_TYPE;
		const char *owner = callers[c].rs ? "rs" : label;
		/* the key as dsd read it (key_len may cut the one sent) */
		memcpy(key, req.key_len < DS_INLINE_KEY ? (const uint8_t *)
		       req.key : g, req.key_len);
		key[req.key_len] = 0;
		if (store_retrieve(&st, owner, key, t, &e) != 0)
			FAIL("published %s, not found", key);
		const struct pver *v = ent_ver(e);
		if (strcmp(v->owner, owner) ||
		    (v->flags & DSF_PRIVATE) != (req.flags & DSF_PRIVATE))
			FAIL("published %s: owner or flags differ", key);
		if (t == DSF_TYPE_STR || t == DSF_TYPE_MEM) {
			const uint8_t *d = ent_data(&st, e);
			if (v->len != req.val_len ||
			    (v->len && memcmp(d, g + DS_BUF_KEY, v->len - (t ==
			                      DSF_TYPE_STR))) ||
			    (t == DSF_TYPE_STR && d[v->len - 1]))
				FAIL("published %s: value differs", key);
		} else if (v->u32 != req.val) {
			FAIL("published %s: value differs", key);
		}
	}
	free(g);
	store_flush_notify(&st);
	consistent(++nreq % 16 == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd in = { data, size };
	trace = getenv("FUZZ_DS_TRACE") != NULL;
	region_size = store_size(&caps);
	region = calloc(1, region_size);
	if (!region)
		return 0;
	if (store_open(&st, region, region_size, 1, &caps) < 0)
		FAIL("cannot create a store");
	st.notify = on_notify;
	for (int n = 0; in.n && n < 4096; n++)
		one(&in);
	/* dsd restarts: the same store */
	restart();
	store_close(&st);
	free(region);
	region = NULL;
	return 0;
}
