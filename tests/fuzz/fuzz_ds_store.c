/*
 * fuzz_ds_store.c - dsd's persistent store format: store_open() on a
 * region whose bytes come from the input, as a restarted dsd finds it
 * after a crash, a bad update or plain damage.  store_open must refuse
 * it or accept it; when it accepts, what it kept must be sound:
 *
 *   - every live entry has a proper key and owner, is found under its
 *     key, and its value lies in the heap; no two values share a byte;
 *   - nent and nsub count the live entries and subscriptions; no owner
 *     has two subscriptions; no label removal is left pending;
 *   - new values published, overwritten and deleted afterwards never
 *     change the values that were kept (no block handed out twice);
 *     subscriptions, checks, label removals and notifications work;
 *   - opening the region again keeps exactly the same entries.
 *
 * Nothing may crash, hang or leak (AddressSanitizer, LeakSanitizer).
 *
 * Input:
 *   b0..b3  limits of the region: entries 1 + (b0 | b1 << 8) % 512,
 *           subscriptions 1 + b2 % 8, heap 1 + (b3 & 7) % 6 pages,
 *           max value heap >> (b3 >> 3 & 3); b3 & 0x80: the region is
 *           4 KiB longer than needed (else exactly store_size())
 *   b4      0x01 a valid header with these limits (else the header is
 *           all patches); 0x02 store_open's created flag
 *   [valid header] ent_hw (2 bytes), page_hw, sub_hw, sub_seq, cascade,
 *           then a length and that many bytes of cascade_label
 *   then patches until the end: a section (header, page table,
 *   entries, subscriptions, marks, heap), a 3-byte offset (modulo the
 *   section's size), a length and that many bytes.
 *
 * Replayed from tests/fuzz/corpus/ds_store/ by `make check`;
 * run-libfuzzer.sh explores with libFuzzer.  FUZZ_DS_TRACE=1 prints what
 * store_open made of the input.
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
	fprintf(stderr, "fuzz_ds_store: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

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

/* The sections of a region of these limits: header, page table,
 * entries, subscriptions, marks, heap.  Taken from a store made on the
 * (still zero) region, so that they follow dsd.h's layout as it is. */
struct sect {
	uint64_t off, len;
};

static int sections(uint8_t *region, size_t size,
                    const struct dsd_caps *c, struct sect s[6])
{
	struct store st;
	if (store_open(&st, region, size, 1, c) < 0)
		return -1;
	uint64_t pages = (uint64_t)((uint8_t *)st.pages - region);
	uint64_t ent = (uint64_t)((uint8_t *)st.ent - region);
	uint64_t sub = (uint64_t)((uint8_t *)st.sub - region);
	uint64_t marks = (uint64_t)((uint8_t *)st.marks - region);
	uint64_t heap = (uint64_t)(st.heap - region);
	store_close(&st);
	memset(region, 0, sizeof(struct phdr));
	s[0] = (struct sect){ 0, sizeof(struct phdr) };
	s[1] = (struct sect){ pages, c->heap / HEAP_PAGE * 4 };
	s[2] = (struct sect){ ent, c->entries * sizeof(struct pent) };
	s[3] = (struct sect){ sub, marks - sub };
	s[4] = (struct sect){ marks, heap - marks };
	s[5] = (struct sect){ heap, c->heap };
	return 0;
}

/* A pattern whose matching costs seconds and gigabytes in glibc (nested
 * bounded repetitions, back-references): a known problem of dsd's, not
 * this fuzzer's to find again and again.  Such bytes are blunted. */
static void blunt_patterns(uint8_t *region, const struct sect *sub)
{
	for (uint64_t j = 0; j < sub->len / sizeof(struct psub); j++) {
		struct psub *u = (struct psub *)(void *)(region + sub->off +
		                                        j * sizeof(*u));
		for (size_t i = 0; i < DS_MAX_PATTERN; i++)
			if (u->pat[i] == '{' || (u->pat[i] == '\\' &&
			    i + 1 < DS_MAX_PATTERN && u->pat[i + 1] >= '0' &&
			    u->pat[i + 1] <= '9'))
				u->pat[i] = '.';
	}
}

/* ------------------------------------------------------------------ */
/* what store_open kept                                                 */

static int notified;

static void on_notify(struct store *s, const char *owner)
{
	size_t n = strnlen(owner, OWNER_LEN);
	if (n == 0 || n >= OWNER_LEN)
		FAIL("notify for a bad owner");
	notified++;
}

struct kept {
	uint64_t slot, off, end;
	uint32_t type, len;
	const uint8_t *copy;         /* the value as it was */
	int ours;                    /* key fz.*: exercise() may change it */
};

static int cmp_kept(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Check the store's soundness; fill k[] with the live values, copied
 * into save[] (of heap_size bytes: values never overlap). */
static size_t sound(struct store *s, struct kept *k, uint8_t *save)
{
	size_t nsave = 0;
	uint64_t n = 0, nk = 0, ns = 0;
	uint64_t hw = atomic_load(&s->h->ent_hw);
	if (hw > s->h->ent_cap)
		FAIL("ent_hw beyond the cap");
	if (atomic_load(&s->h->cascade) != CASCADE_NONE)
		FAIL("a label removal left pending");
	for (uint64_t i = 0; i < hw; i++) {
		const struct pent *e = &s->ent[i], *f;
		if (atomic_load(&e->state) != 1)
			continue;
		n++;
		const struct pver *v = ent_ver(e);
		size_t kl = strnlen(e->key, DS_MAX_KEYLEN);
		if (kl == 0 || kl >= DS_MAX_KEYLEN || kl != e->keylen)
			FAIL("slot %llu kept with a bad key", (unsigned long long)i);
		if (!v->owner[0] || strnlen(v->owner, OWNER_LEN) >= OWNER_LEN)
			FAIL("slot %llu kept with a bad owner",
			     (unsigned long long)i);
		if ((v->flags & DSF_MASK_TYPE) != e->type)
			FAIL("slot %llu kept with a bad type", (unsigned long long)i);
		if (store_retrieve(s, v->owner, e->key, e->type, &f) != 0 ||
		    f != e)
			FAIL("slot %llu not found by its key", (unsigned long long)i);
		if (v->len > s->h->max_value)
			FAIL("slot %llu kept a value over max-value",
			     (unsigned long long)i);
		if (!v->len)
			continue;
		if (e->type != DSF_TYPE_STR && e->type != DSF_TYPE_MEM)
			FAIL("slot %llu: a %#x with a value", (unsigned long long)i,
			     e->type);
		if (v->off >= s->h->heap_size || s->h->heap_size - v->off < v->len)
			FAIL("slot %llu: value outside the heap",
			     (unsigned long long)i);
		k[nk] = (struct kept){ i, v->off, v->off + v->len, e->type,
		                       v->len, save + nsave,
		                       !strncmp(e->key, "fz", 2) };
		nk++;
		if (nsave + v->len > s->h->heap_size)
			FAIL("values add up to more than the heap: some overlap");
		memcpy(save + nsave, ent_data(s, e), v->len);
		nsave += v->len;
	}
	qsort(k, nk, sizeof(*k), cmp_kept);
	for (uint64_t i = 1; i < nk; i++)
		if (k[i].off < k[i - 1].end)
			FAIL("slots %llu and %llu share heap bytes",
			     (unsigned long long)k[i - 1].slot,
			     (unsigned long long)k[i].slot);
	for (uint64_t j = 0; j < atomic_load(&s->h->sub_hw); j++) {
		const struct psub *u = &s->sub[j];
		if (atomic_load(&u->state) != 1)
			continue;
		ns++;
		if (!u->owner[0] || strnlen(u->owner, OWNER_LEN) >= OWNER_LEN)
			FAIL("subscription %llu kept with a bad owner",
			     (unsigned long long)j);
		for (uint64_t l = 0; l < j; l++)
			if (atomic_load(&s->sub[l].state) == 1 &&
			    !strcmp(s->sub[l].owner, u->owner))
				FAIL("two subscriptions of %s", u->owner);
	}
	if (n != s->nent || ns != s->nsub)
		FAIL("nent %llu nsub %llu, region has %llu and %llu",
		     (unsigned long long)s->nent, (unsigned long long)s->nsub,
		     (unsigned long long)n, (unsigned long long)ns);
	return nk;
}

/* The kept values are what they were (but for those exercise() may
 * overwrite, when ours is set, and those a cascade deleted). */
static void unchanged(struct store *s, const struct kept *k, size_t nk,
                      int ours, const char *why)
{
	for (size_t i = 0; i < nk; i++) {
		const struct pent *e = &s->ent[k[i].slot];
		if ((ours && k[i].ours) || atomic_load(&e->state) != 1)
			continue;
		const struct pver *v = ent_ver(e);
		if (v->off != k[i].off || v->len != k[i].len ||
		    memcmp(ent_data(s, e), k[i].copy, v->len))
			FAIL("%s changed the value of slot %llu", why,
			     (unsigned long long)k[i].slot);
	}
}

/* ------------------------------------------------------------------ */
/* a few operations on what was kept                                    */

/* Every subscriber checks until ENOENT: slots in increasing order
 * (nothing changes meanwhile), each a live entry. */
static void check_all(struct store *s)
{
	const struct pent *e;
	endpoint_t ep;
	for (uint64_t j = 0; j < atomic_load(&s->h->sub_hw); j++) {
		if (atomic_load(&s->sub[j].state) != 1)
			continue;
		char owner[OWNER_LEN];
		memcpy(owner, s->sub[j].owner, OWNER_LEN);
		long last = -1;
		int r;
		while ((r = store_check(s, owner, &e, &ep)) == 0) {
			if (e - s->ent <= last)
				FAIL("check of %s: slot %ld after %ld", owner,
				     (long)(e - s->ent), last);
			if (atomic_load(&e->state) != 1)
				FAIL("check of %s: slot %ld is not live", owner,
				     (long)(e - s->ent));
			last = e - s->ent;
		}
		if (r != -ENOENT)
			FAIL("check of %s: %d", owner, r);
	}
}

/* The owner of the lowest live entry (reincd aside) goes down; the owner
 * named in the first subscription slot (whatever its state) restarts with
 * a reset. */
static void cascades(struct store *s)
{
	char owner[OWNER_LEN] = "";
	for (uint64_t i = 0; i < atomic_load(&s->h->ent_hw) && !*owner; i++)
		if (atomic_load(&s->ent[i].state) == 1 &&
		    strcmp(ent_ver(&s->ent[i])->owner, "rs"))
			memcpy(owner, ent_ver(&s->ent[i])->owner, OWNER_LEN);
	if (*owner) {
		if (store_cascade(s, owner, CASCADE_DOWN) != 0)
			FAIL("cascade of %s failed", owner);
		for (uint64_t i = 0; i < atomic_load(&s->h->ent_hw); i++)
			if (atomic_load(&s->ent[i].state) == 1 &&
			    !strcmp(ent_ver(&s->ent[i])->owner, owner))
				FAIL("cascade of %s left an entry", owner);
	}
	if (atomic_load(&s->h->sub_hw)) {
		memcpy(owner, s->sub[0].owner, OWNER_LEN);
		owner[OWNER_LEN - 1] = 0;
		if (*owner)
			store_cascade(s, owner, CASCADE_RESET);
	}
}

static void exercise(struct store *s, struct kept *k, size_t nk,
                     uint8_t *buf)
{
	static uint8_t v[64 << 10];
	const struct pent *e;
	char key[32];
	memset(v, 0x3c, sizeof(v));
	uint32_t maxv = (uint32_t)s->h->max_value;
	const uint32_t sizes[] = { 1, 16, 100, 3000, 32768, 40000, 65536 };

	/* a subscriber of everything, told of what exists; all check */
	int rs = store_subscribe(s, "fz", ".*", DSF_INITIAL | DSF_OVERWRITE);
	if (rs != 0 && rs != -EAGAIN)
		FAIL("subscribe: %d", rs);
	check_all(s);
	/* new values of every size, some overwritten, some deleted */
	for (int i = 0; i < 24; i++) {
		uint32_t len = sizes[i % 7];
		if (len > maxv)
			len = maxv;
		snprintf(key, sizeof(key), "fz.%d", i % 12);
		int r = store_publish(s, "fz", 0, key, DSF_TYPE_MEM,
		                      DSF_OVERWRITE, 0, v, len);
		if (r && r != -ENOMEM && r != -EFBIG && r != -EPERM)
			FAIL("publish %s: %d", key, r);
		if (i % 5 == 4)
			store_delete(s, "fz", 0, key, DSF_TYPE_MEM);
	}
	store_publish(s, "rs", 1, "fz", DSF_TYPE_LABEL, DSF_OVERWRITE, 77,
	              NULL, 0);
	store_flush_notify(s);
	unchanged(s, k, nk, 1, "publishing");
	check_all(s);
	/* read every entry, as a retrieve would */
	for (uint64_t i = 0; i < atomic_load(&s->h->ent_hw); i++) {
		const struct pent *x = &s->ent[i];
		if (atomic_load(&x->state) != 1)
			continue;
		const struct pver *pv = ent_ver(x);
		if (store_retrieve(s, pv->owner, x->key, x->type, &e) != 0)
			FAIL("retrieve of a live entry failed");
		if (pv->len)
			memcpy(buf, ent_data(s, e), pv->len);
		const char *name;
		if (x->type == DSF_TYPE_LABEL &&
		    store_label_name(s, (endpoint_t)pv->u32, &name) != 0)
			FAIL("label %s not found by endpoint", x->key);
	}
	cascades(s);
	store_cascade(s, "fz", CASCADE_RESET);
	store_notify_all(s);
	store_flush_notify(s);
	unchanged(s, k, nk, 1, "deleting");
}

/* ------------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd in = { data, size };
	uint32_t e16 = get8(&in);
	e16 |= (uint32_t)get8(&in) << 8;
	uint8_t b2 = get8(&in), b3 = get8(&in), b4 = get8(&in);
	struct dsd_caps caps;
	caps.entries = 1 + e16 % 512;
	caps.subs = 1 + b2 % 8;
	caps.heap = (uint64_t)(1 + (b3 & 7) % 6) * HEAP_PAGE;
	caps.max_value = caps.heap >> (b3 >> 3 & 3);
	size_t need = store_size(&caps);
	if (!need)
		FAIL("limits rejected");
	size_t rsize = need + (b3 & 0x80 ? 4096 : 0);
	uint8_t *region = calloc(1, rsize);
	if (!region)
		return 0;
	struct sect sec[6];
	if (sections(region, rsize, &caps, sec) < 0)
		FAIL("cannot make a store of these limits");
	if (sec[5].off + sec[5].len != need)
		FAIL("the heap does not end the region");

	if (b4 & 1) {                   /* a valid header, then patches */
		struct phdr *h = (struct phdr *)(void *)region;
		h->magic = DSD_MAGIC;
		h->version = DSD_VERSION;
		h->ent_cap = caps.entries;
		h->heap_size = caps.heap;
		h->sub_cap = caps.subs;
		h->max_value = caps.max_value;
		uint64_t ehw = get8(&in);
		ehw |= (uint64_t)get8(&in) << 8;
		atomic_store(&h->ent_hw, ehw);
		atomic_store(&h->page_hw, get8(&in));
		atomic_store(&h->sub_hw, get8(&in));
		atomic_store(&h->sub_seq, get8(&in));
		atomic_store(&h->cascade, get8(&in));
		size_t n = get8(&in) % (OWNER_LEN + 1);
		for (size_t i = 0; i < n; i++)
			h->cascade_label[i] = (char)get8(&in);
	}
	while (in.n) {
		const struct sect *s = &sec[get8(&in) % 6];
		uint64_t off = get8(&in);
		off |= (uint64_t)get8(&in) << 8;
		off |= (uint64_t)get8(&in) << 16;
		size_t n = get8(&in);
		if (!s->len)
			continue;
		off = s->off + off % s->len;
		for (size_t i = 0; i < n; i++) {
			uint8_t b = get8(&in);
			if (off + i < rsize)
				region[off + i] = b;
		}
	}
	blunt_patterns(region, &sec[3]);

	struct store st;
	int r = store_open(&st, region, rsize, b4 & 2, &caps);
	if (getenv("FUZZ_DS_TRACE"))
		fprintf(stderr, "store_open: %d, %llu entries, %llu "
		        "subscriptions\n", r, r ? 0ull :
		        (unsigned long long)st.nent,
		        r ? 0ull : (unsigned long long)st.nsub);
	if (r < 0) {
		if (r != -EINVAL && r != -ENOMEM)
			FAIL("store_open: %d", r);
		free(region);
		return 0;
	}
	st.notify = on_notify;
	/* the limits the store works by fit the region */
	struct dsd_caps have = { st.h->ent_cap, st.h->heap_size, st.h->sub_cap,
	                         st.h->max_value };
	if (!store_size(&have) || store_size(&have) > rsize)
		FAIL("accepted limits that do not fit the region");
	struct kept *kept = malloc(st.h->ent_cap * sizeof(*kept));
	struct kept *kept2 = malloc(st.h->ent_cap * sizeof(*kept));
	uint8_t *save = malloc(st.h->heap_size), *save2 = malloc(st.h->heap_size);
	if (!kept || !kept2 || !save || !save2) {
		free(kept);
		free(kept2);
		free(save);
		free(save2);
		store_close(&st);
		free(region);
		return 0;
	}
	size_t nk = sound(&st, kept, save);

	/* a second instance finds the same */
	uint64_t nent = st.nent, nsub = st.nsub;
	store_close(&st);
	if (store_open(&st, region, rsize, 0, &caps) != 0)
		FAIL("re-open of an accepted region failed");
	st.notify = on_notify;
	if (st.nent != nent || st.nsub != nsub)
		FAIL("re-open: %llu entries, %llu subscriptions; were %llu, %llu",
		     (unsigned long long)st.nent, (unsigned long long)st.nsub,
		     (unsigned long long)nent, (unsigned long long)nsub);
	unchanged(&st, kept, nk, 0, "re-opening");

	exercise(&st, kept, nk, save2);
	size_t nk2 = sound(&st, kept2, save2);
	nent = st.nent;
	store_close(&st);
	if (store_open(&st, region, rsize, 0, &caps) != 0)
		FAIL("re-open after the operations failed");
	if (st.nent != nent)
		FAIL("re-open after the operations: %llu entries, were %llu",
		     (unsigned long long)st.nent, (unsigned long long)nent);
	unchanged(&st, kept2, nk2, 0, "re-opening after the operations");
	store_close(&st);
	free(kept);
	free(kept2);
	free(save);
	free(save2);
	free(region);
	return 0;
}
