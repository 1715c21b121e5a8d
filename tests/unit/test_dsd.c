/*
 * test_dsd.c - unit tests of dsd's store (dsd/store.c) and request decoder
 * (dsd/req.c), without dsd, reincd or any IPC: a region of calloc'd (or
 * shared anonymous) memory, store_open() on it, and the store's calls as
 * dsd makes them.  Reference items (docs: minix-semantics.md §8) 89-100
 * and 102 at store level, the configured limits, heap reuse, and the
 * crash-consistency promises of dsd.h:
 *
 *   - re-opening the region after every operation of a random sequence
 *     (what a restarted dsd does) keeps exactly what a model says;
 *   - a label removal written down in the header but not finished is
 *     finished by store_open();
 *   - damaged entries, page-table words and subscriptions are dropped by
 *     store_open() one by one, and what survives is intact and never
 *     overwritten by later allocations;
 *   - the states an operation passes through (a version written but not
 *     selected, a state word cleared before the value's block is freed,
 *     two subscriptions of one owner) read back as before or after it.
 *
 * DSD_SOAK=N multiplies the random sequences' length by N.
 */
#include <regex.h>
#include <stdint.h>
#include <sys/mman.h>

#include "ds_proto.h"
#include "dsd.h"
#include "check.h"

/* ------------------------------------------------------------------ */
/* fixture: a region, a store on it, the notifications it sent          */

#define MAXNOTE 64

struct fx {
	struct dsd_caps caps;
	uint8_t *mem;
	size_t size;
	int shared;                  /* MAP_SHARED: MADV_REMOVE works */
	struct store s;
	int nnote;
	char note[MAXNOTE][OWNER_LEN];
};

static void on_notify(struct store *s, const char *owner)
{
	struct fx *f = s->user;
	if (f->nnote < MAXNOTE)
		snprintf(f->note[f->nnote], OWNER_LEN, "%s", owner);
	f->nnote++;
}

static int fx_attach(struct fx *f, int created)
{
	int r = store_open(&f->s, f->mem, f->size, created, &f->caps);
	if (r == 0) {
		f->s.notify = on_notify;
		f->s.user = f;
	}
	return r;
}

/* A fresh store with these limits; 0 or -errno. */
static int fx_open(struct fx *f, uint64_t entries, uint64_t subs,
                   uint64_t heap, uint64_t max_value, int shared)
{
	memset(f, 0, sizeof(*f));
	f->caps = (struct dsd_caps){ entries, heap, subs, max_value };
	f->size = store_size(&f->caps);
	if (!f->size)
		return -EINVAL;
	f->shared = shared;
	if (shared) {
		void *p = mmap(NULL, f->size, PROT_READ | PROT_WRITE,
		               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		f->mem = p == MAP_FAILED ? NULL : p;
	} else {
		f->mem = calloc(1, f->size);
	}
	if (!f->mem)
		return -ENOMEM;
	return fx_attach(f, 1);
}

/* The usual small store: 256 entries, 8 subscriptions, 1 MiB of heap,
 * values up to 64 KiB. */
static int fx_small(struct fx *f)
{
	return fx_open(f, 256, 8, 1u << 20, 64u << 10, 0);
}

/* What a restarted dsd does: drop the private indexes, rebuild them. */
static int fx_reopen(struct fx *f)
{
	store_close(&f->s);
	return fx_attach(f, 0);
}

static void fx_close(struct fx *f)
{
	store_close(&f->s);
	if (f->shared && f->mem)
		munmap(f->mem, f->size);
	else
		free(f->mem);
	f->mem = NULL;
}

/* Send the notifications due; how many went to owner. */
static int fx_flush(struct fx *f, const char *owner)
{
	f->nnote = 0;
	store_flush_notify(&f->s);
	int n = 0;
	for (int i = 0; i < f->nnote && i < MAXNOTE; i++)
		n += !strcmp(f->note[i], owner);
	return n;
}

/* ------------------------------------------------------------------ */
/* store calls as dsd makes them                                        */

static int is_rs(const char *who)
{
	return !strcmp(who, "rs");
}

static int pu32(struct fx *f, const char *who, const char *key, uint32_t v,
                uint32_t flags)
{
	return store_publish(&f->s, who, is_rs(who), key, DSF_TYPE_U32, flags,
	                     v, NULL, 0);
}

static int pstr(struct fx *f, const char *who, const char *key,
                const char *v, uint32_t flags)
{
	return store_publish(&f->s, who, is_rs(who), key, DSF_TYPE_STR, flags,
	                     0, v, (uint32_t)strlen(v) + 1);
}

static int pmem(struct fx *f, const char *who, const char *key,
                const void *v, uint32_t len, uint32_t flags)
{
	return store_publish(&f->s, who, is_rs(who), key, DSF_TYPE_MEM, flags,
	                     0, v, len);
}

static int plabel(struct fx *f, const char *label, endpoint_t ep,
                  uint32_t flags)
{
	return store_publish(&f->s, "rs", 1, label, DSF_TYPE_LABEL, flags,
	                     (uint32_t)ep, NULL, 0);
}

static int del(struct fx *f, const char *who, const char *key, uint32_t type)
{
	return store_delete(&f->s, who, is_rs(who), key, type);
}

/* The entry, or NULL.  Not inlined: GCC's -Wstringop-overflow takes
 * the atomic loads behind a NULL check for writes through NULL. */
__attribute__((noinline))
static const struct pent *get(struct fx *f, const char *who, const char *key,
                              uint32_t type)
{
	const struct pent *e;
	return store_retrieve(&f->s, who, key, type, &e) == 0 ? e : NULL;
}

static int get_u32(struct fx *f, const char *key, uint32_t *v)
{
	const struct pent *e;
	int r = store_retrieve(&f->s, "rs", key, DSF_TYPE_U32, &e);
	if (r == 0)
		*v = ent_ver(e)->u32;
	return r;
}

/* The entry's owner, or "(none)". */
static const char *owner_of(struct fx *f, const char *key, uint32_t type)
{
	const struct pent *e = get(f, "rs", key, type);
	return e ? ent_ver(e)->owner : "(none)";
}

/* The slot of the entry (key, type), read from the region (private
 * entries too), or -1. */
static long slot_of(struct fx *f, const char *key, uint32_t type)
{
	uint64_t hw = atomic_load(&f->s.h->ent_hw);
	for (uint64_t i = 0; i < hw; i++) {
		const struct pent *e = &f->s.ent[i];
		if (atomic_load(&e->state) == 1 && e->type == type &&
		    !strcmp(e->key, key))
			return (long)i;
	}
	return -1;
}

/* store_check for who: 0 with key and type filled, or -errno. */
static int chk(struct fx *f, const char *who, char *key, uint32_t *type,
               endpoint_t *ep)
{
	const struct pent *e;
	endpoint_t o = 0;
	int r = store_check(&f->s, who, &e, &o);
	if (r == 0) {
		snprintf(key, DS_MAX_KEYLEN, "%s", e->key);
		if (type)
			*type = e->type;
		if (ep)
			*ep = o;
	}
	return r;
}

/* Every key store_check gives who until -ENOENT, joined by ' ' into
 * out[len]; the final code (-ENOENT expected). */
static int drain(struct fx *f, const char *who, char *out, size_t len)
{
	char key[DS_MAX_KEYLEN];
	int r, n = 0;
	out[0] = 0;
	while ((r = chk(f, who, key, NULL, NULL)) == 0 && n++ < 1000) {
		size_t l = strlen(out);
		snprintf(out + l, len - l, "%s%s", l ? " " : "", key);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* requests through dsd_request                                         */

#define GID 77

struct rq {
	message m;
	uint8_t *g;      /* the grant, exactly gsize bytes (ASan sees more) */
	size_t gsize;
	int r;
};

/* Serve one request from who; g/gsize: the grant (NULL, 0: none).
 * Key: inline when short, else in the grant. */
static int request(struct fx *f, struct rq *q, const char *who, int type,
                   uint32_t flags, const char *key, uint32_t val,
                   const void *data, uint32_t len)
{
	struct ds_msg *d = ds_msg_of(&q->m);
	memset(&q->m, 0, sizeof(q->m));
	q->m.m_type = type;
	d->flags = flags;
	d->val = val;
	d->val_len = len;
	if (key) {
		d->key_len = (uint32_t)strlen(key);
		if (d->key_len < DS_INLINE_KEY)
			memcpy(d->key, key, d->key_len);
		else if (q->g)
			memcpy(q->g, key, d->key_len + 1);
	}
	if (q->g) {
		d->grant = GID;
		if (data && len)
			memcpy(q->g + DS_BUF_KEY, data, len);
	}
	struct dsd_caller c = { 100, is_rs(who) ? "rs" : who, is_rs(who) };
	q->r = dsd_request(&f->s, &c, &q->m, q->g, q->gsize, GID);
	return q->r;
}

static int rq_grant(struct rq *q, size_t room)
{
	memset(q, 0, sizeof(*q));
	q->gsize = DS_BUF_KEY + room;
	q->g = malloc(q->gsize);
	if (!q->g)
		return 0;
	memset(q->g, 0xee, q->gsize);
	return 1;
}

static void rq_free(struct rq *q)
{
	free(q->g);
	q->g = NULL;
}

/* A key of n characters ("k" followed by digits of i, padded with 'x'). */
static const char *keyn(char *buf, size_t n, int i)
{
	snprintf(buf, n + 1, "k%d%0*d", i, (int)n, 0);
	memset(buf + strlen(buf), 'x', n - strlen(buf));
	buf[n] = 0;
	return buf;
}

/* ------------------------------------------------------------------ */
/* items 89-100                                                         */

/* 89: EEXIST without DSF_OVERWRITE; with it the value changes and the
 * entry belongs to its last publisher (who alone may delete it, whose
 * removal takes it); DSF_PRIV_OVERWRITE keeps others out. */
static void test_publish_exists_overwrite(void)
{
	struct fx f;
	uint32_t v = 0;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "k", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "k", 2, 0), ==, -EEXIST);
	CHECK_INT(pu32(&f, "b", "k", 2, 0), ==, -EEXIST);
	CHECK_INT(get_u32(&f, "k", &v), ==, 0);
	CHECK_INT(v, ==, 1);
	CHECK_STR(owner_of(&f, "k", DSF_TYPE_U32), "a");

	CHECK_INT(pu32(&f, "b", "k", 3, DSF_OVERWRITE), ==, 0);
	CHECK_INT(get_u32(&f, "k", &v), ==, 0);
	CHECK_INT(v, ==, 3);
	CHECK_STR(owner_of(&f, "k", DSF_TYPE_U32), "b");
	CHECK_INT(f.s.nent, ==, 1);
	/* a's removal no longer takes it; b's does */
	CHECK_INT(del(&f, "a", "k", DSF_TYPE_U32), ==, -EPERM);
	CHECK_INT(store_cascade(&f.s, "a", CASCADE_RESET), ==, 0);
	CHECK_INT(get_u32(&f, "k", &v), ==, 0);
	CHECK_INT(store_cascade(&f.s, "b", CASCADE_RESET), ==, 0);
	CHECK_INT(get_u32(&f, "k", &v), ==, -ESRCH);

	/* PRIV_OVERWRITE: only the owner overwrites */
	CHECK_INT(pstr(&f, "a", "p", "one", DSF_PRIV_OVERWRITE), ==, 0);
	CHECK_INT(pstr(&f, "b", "p", "two", DSF_OVERWRITE), ==, -EPERM);
	CHECK_INT(pstr(&f, "a", "p", "three", DSF_OVERWRITE), ==, 0);
	const struct pent *e = get(&f, "rs", "p", DSF_TYPE_STR);
	if (CHECK(e)) {
		CHECK_STR((const char *)ent_data(&f.s, e), "three");
		/* the new version does not carry PRIV_OVERWRITE: b may now */
		CHECK_INT(ent_ver(e)->flags & DSF_PRIVATE, ==, 0);
	}
	CHECK_INT(pstr(&f, "b", "p", "four", DSF_OVERWRITE), ==, 0);
	CHECK_STR(owner_of(&f, "p", DSF_TYPE_STR), "b");
	/* a label's overwrite keeps one entry and moves its endpoint */
	CHECK_INT(plabel(&f, "a", 40, 0), ==, 0);
	CHECK_INT(plabel(&f, "a", 41, 0), ==, -EEXIST);
	CHECK_INT(plabel(&f, "a", 41, DSF_OVERWRITE), ==, 0);
	const char *name = NULL;
	CHECK_INT(store_label_name(&f.s, 40, &name), ==, -ESRCH);
	CHECK_INT(store_label_name(&f.s, 41, &name), ==, 0);
	CHECK_STR(name, "a");
	/* all of it as a restarted dsd sees it */
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_STR(owner_of(&f, "p", DSF_TYPE_STR), "b");
		CHECK_INT(store_label_name(&f.s, 41, &name), ==, 0);
		CHECK_INT(f.s.nent, ==, 2);
	}
	fx_close(&f);
}

/* 90: one key, four types, four independent entries. */
static void test_same_key_types(void)
{
	struct fx f;
	uint32_t v = 0;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "x", 7, 0), ==, 0);
	CHECK_INT(pstr(&f, "a", "x", "str", 0), ==, 0);
	CHECK_INT(pmem(&f, "b", "x", "\1\2\3", 3, 0), ==, 0);
	CHECK_INT(plabel(&f, "x", 55, 0), ==, 0);
	CHECK_INT(f.s.nent, ==, 4);
	CHECK_INT(get_u32(&f, "x", &v), ==, 0);
	CHECK_INT(v, ==, 7);
	const struct pent *e = get(&f, "", "x", DSF_TYPE_STR);
	if (CHECK(e))
		CHECK_STR((const char *)ent_data(&f.s, e), "str");
	e = get(&f, "", "x", DSF_TYPE_MEM);
	if (CHECK(e) && CHECK_INT(ent_ver(e)->len, ==, 3))
		CHECK_MEM(ent_data(&f.s, e), "\1\2\3", 3);
	e = get(&f, "", "x", DSF_TYPE_LABEL);
	if (CHECK(e))
		CHECK_INT(ent_ver(e)->u32, ==, 55);
	/* deleting one type leaves the others */
	CHECK_INT(del(&f, "a", "x", DSF_TYPE_STR), ==, 0);
	CHECK(!get(&f, "", "x", DSF_TYPE_STR));
	CHECK(get(&f, "", "x", DSF_TYPE_U32) && get(&f, "", "x", DSF_TYPE_MEM) &&
	      get(&f, "", "x", DSF_TYPE_LABEL));
	CHECK_INT(f.s.nent, ==, 3);
	/* a type that is not exactly one of the four */
	CHECK_INT(store_publish(&f.s, "a", 0, "y", DSF_TYPE_U32 | DSF_TYPE_STR,
	                        0, 1, "z", 2), ==, -EINVAL);
	CHECK_INT(store_publish(&f.s, "a", 0, "y", 0x80, 0, 1, NULL, 0), ==,
	          -EINVAL);
	fx_close(&f);
}

/* 91: ESRCH for what does not exist, EPERM for a non-owner's delete and
 * for a PRIV_RETRIEVE entry's non-owner retrieve. */
static void test_esrch_eperm(void)
{
	struct fx f;
	const struct pent *e;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_retrieve(&f.s, "a", "nope", DSF_TYPE_U32, &e), ==,
	          -ESRCH);
	CHECK_INT(del(&f, "a", "nope", DSF_TYPE_U32), ==, -ESRCH);
	CHECK_INT(pu32(&f, "a", "k", 1, 0), ==, 0);
	CHECK_INT(del(&f, "a", "k", DSF_TYPE_STR), ==, -ESRCH);  /* type */
	CHECK_INT(del(&f, "b", "k", DSF_TYPE_U32), ==, -EPERM);
	CHECK_INT(del(&f, "rs", "k", DSF_TYPE_U32), ==, -EPERM);
	CHECK_INT(f.s.nent, ==, 1);
	CHECK_INT(del(&f, "a", "k", DSF_TYPE_U32), ==, 0);
	CHECK_INT(del(&f, "a", "k", DSF_TYPE_U32), ==, -ESRCH);
	CHECK_INT(f.s.nent, ==, 0);

	CHECK_INT(pu32(&f, "a", "secret", 9, DSF_PRIV_RETRIEVE), ==, 0);
	CHECK_INT(store_retrieve(&f.s, "b", "secret", DSF_TYPE_U32, &e), ==,
	          -EPERM);
	CHECK_INT(store_retrieve(&f.s, "", "secret", DSF_TYPE_U32, &e), ==,
	          -EPERM);
	CHECK_INT(store_retrieve(&f.s, "a", "secret", DSF_TYPE_U32, &e), ==, 0);
	/* the same through a request: the caller's label decides */
	struct rq q;
	memset(&q, 0, sizeof(q));
	CHECK_INT(request(&f, &q, "b", DS_RETRIEVE, DSF_TYPE_U32, "secret", 0,
	                  NULL, 0), ==, -EPERM);
	CHECK_INT(request(&f, &q, "a", DS_RETRIEVE, DSF_TYPE_U32, "secret", 0,
	                  NULL, 0), ==, 0);
	CHECK_INT(ds_msg_of(&q.m)->val, ==, 9);
	CHECK_INT(request(&f, &q, "a", DS_RETRIEVE, DSF_TYPE_U32, "nope", 0,
	                  NULL, 0), ==, -ESRCH);
	CHECK_INT(request(&f, &q, "a", DS_DELETE, DSF_TYPE_U32, "nope", 0,
	                  NULL, 0), ==, -ESRCH);
	CHECK_INT(request(&f, &q, "b", DS_DELETE, DSF_TYPE_U32, "secret", 0,
	                  NULL, 0), ==, -EPERM);
	fx_close(&f);
}

/* 92, 93: labels are reincd's; a user process ("" label) may only
 * retrieve. */
static void test_labels_rs_users(void)
{
	struct fx f;
	const struct pent *e;
	char key[DS_MAX_KEYLEN];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_publish(&f.s, "a", 0, "a", DSF_TYPE_LABEL, 0, 20, NULL,
	                        0), ==, -EPERM);
	CHECK_INT(plabel(&f, "a", 20, 0), ==, 0);
	CHECK_INT(del(&f, "a", "a", DSF_TYPE_LABEL), ==, -EPERM);
	CHECK_INT(del(&f, "b", "a", DSF_TYPE_LABEL), ==, -EPERM);
	CHECK(get(&f, "", "a", DSF_TYPE_LABEL));
	/* users */
	CHECK_INT(pu32(&f, "", "u", 1, 0), ==, -EPERM);
	CHECK_INT(pstr(&f, "", "u", "v", 0), ==, -EPERM);
	CHECK_INT(store_publish(&f.s, "", 0, "u", DSF_TYPE_LABEL, 0, 20, NULL,
	                        0), ==, -EPERM);
	CHECK_INT(pu32(&f, "a", "u", 1, 0), ==, 0);
	CHECK_INT(del(&f, "", "u", DSF_TYPE_U32), ==, -EPERM);
	CHECK_INT(store_retrieve(&f.s, "", "u", DSF_TYPE_U32, &e), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "", "u", 0), ==, -ESRCH);
	CHECK_INT(chk(&f, "", key, NULL, NULL), ==, -ESRCH);
	/* a service without a subscription: ESRCH too */
	CHECK_INT(chk(&f, "a", key, NULL, NULL), ==, -ESRCH);
	/* through requests */
	struct rq q;
	if (CHECK(rq_grant(&q, 64))) {
		CHECK_INT(request(&f, &q, "", DS_PUBLISH, DSF_TYPE_U32, "w", 1,
		                  NULL, 0), ==, -EPERM);
		CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_LABEL, "w",
		                  1, NULL, 0), ==, -EPERM);
		CHECK_INT(request(&f, &q, "rs", DS_PUBLISH, DSF_TYPE_LABEL, "w",
		                  21, NULL, 0), ==, 0);
		CHECK_INT(request(&f, &q, "", DS_SUBSCRIBE, 0, "w", 0, NULL, 0),
		          ==, -ESRCH);
		CHECK_INT(request(&f, &q, "", DS_CHECK, 0, NULL, 0, NULL, 0), ==,
		          -ESRCH);
		CHECK_INT(request(&f, &q, "", DS_RESET, 0, NULL, 0, NULL, 0), ==,
		          -EPERM);
		CHECK_INT(request(&f, &q, "rs", DS_RESET, 0, NULL, 0, NULL, 0),
		          ==, -EPERM);
		/* label name by endpoint */
		CHECK_INT(request(&f, &q, "", DS_RETRIEVE_LABEL, 0, NULL, 21,
		                  NULL, 0), ==, 0);
		CHECK_STR(ds_msg_of(&q.m)->key, "w");
		CHECK_INT(ds_msg_of(&q.m)->val, ==, 21);
		CHECK_INT(request(&f, &q, "", DS_RETRIEVE_LABEL, 0, NULL, 99,
		                  NULL, 0), ==, -ESRCH);
		rq_free(&q);
	}
	fx_close(&f);
}

/* 94: keys of 1..79 bytes; 0 and 80+ are EINVAL, at the store and at the
 * decoder (which also refuses a NUL inside and wants the grant for a key
 * of DS_INLINE_KEY bytes or more); patterns of 1..255 bytes. */
static void test_key_lengths(void)
{
	struct fx f;
	char k[300];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "", 1, 0), ==, -EINVAL);
	CHECK_INT(pu32(&f, "a", keyn(k, 79, 1), 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", keyn(k, 80, 2), 1, 0), ==, -EINVAL);
	CHECK_INT(pu32(&f, "a", keyn(k, 200, 3), 1, 0), ==, -EINVAL);
	CHECK(get(&f, "", keyn(k, 79, 1), DSF_TYPE_U32));
	CHECK_INT(del(&f, "a", keyn(k, 80, 2), DSF_TYPE_U32), ==, -EINVAL);
	CHECK_INT(store_retrieve(&f.s, "a", keyn(k, 80, 2), DSF_TYPE_U32,
	                         &(const struct pent *){ 0 }), ==, -EINVAL);
	CHECK_INT(store_subscribe(&f.s, "a", "", 0), ==, -EINVAL);
	CHECK_INT(store_subscribe(&f.s, "a", keyn(k, 256, 4), 0), ==, -EINVAL);
	CHECK_INT(store_subscribe(&f.s, "a", keyn(k, 255, 5), 0), ==, 0);

	struct rq q;
	struct ds_msg *d = ds_msg_of(&q.m);
	memset(&q, 0, sizeof(q));
	/* inline keys up to 27 bytes; longer ones need the grant */
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32,
	                  keyn(k, 27, 6), 1, NULL, 0), ==, 0);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32,
	                  keyn(k, 28, 7), 1, NULL, 0), ==, -DS_ENOGRANT);
	if (CHECK(rq_grant(&q, 0))) {
		CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32,
		                  keyn(k, 28, 7), 1, NULL, 0), ==, 0);
		CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32,
		                  keyn(k, 79, 8), 1, NULL, 0), ==, 0);
		CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32,
		                  keyn(k, 80, 9), 1, NULL, 0), ==, -EINVAL);
		CHECK_INT(request(&f, &q, "a", DS_RETRIEVE, DSF_TYPE_U32,
		                  keyn(k, 79, 8), 0, NULL, 0), ==, 0);
		CHECK_INT(request(&f, &q, "a", DS_DELETE, DSF_TYPE_U32,
		                  keyn(k, 80, 8), 0, NULL, 0), ==, -EINVAL);
		/* key_len 0, and a NUL inside the key */
		memset(&q.m, 0, sizeof(q.m));
		q.m.m_type = DS_PUBLISH;
		d->flags = DSF_TYPE_U32;
		d->key_len = 0;
		CHECK_INT(dsd_request(&f.s, &(struct dsd_caller){ 100, "a", 0 },
		                      &q.m, q.g, q.gsize, GID), ==, -EINVAL);
		memset(&q.m, 0, sizeof(q.m));
		q.m.m_type = DS_PUBLISH;
		d->flags = DSF_TYPE_U32;
		d->key_len = 3;
		memcpy(d->key, "a\0b", 3);
		CHECK_INT(dsd_request(&f.s, &(struct dsd_caller){ 100, "a", 0 },
		                      &q.m, q.g, q.gsize, GID), ==, -EINVAL);
		/* a huge key_len: EINVAL, nothing read beyond the grant */
		d->key_len = 0xffffffffu;
		d->grant = GID;
		CHECK_INT(dsd_request(&f.s, &(struct dsd_caller){ 100, "a", 0 },
		                      &q.m, q.g, q.gsize, GID), ==, -EINVAL);
		/* the grant named must be the one held */
		memset(&q.m, 0, sizeof(q.m));
		q.m.m_type = DS_PUBLISH;
		d->flags = DSF_TYPE_U32;
		d->key_len = 1;
		d->key[0] = 'z';
		d->grant = GID + 1;
		CHECK_INT(dsd_request(&f.s, &(struct dsd_caller){ 100, "a", 0 },
		                      &q.m, q.g, q.gsize, GID), ==, -DS_ENOGRANT);
		/* patterns: 255 bytes in the grant, 256 refused */
		CHECK_INT(request(&f, &q, "b", DS_SUBSCRIBE, 0, keyn(k, 255, 10),
		                  0, NULL, 0), ==, 0);
		CHECK_INT(request(&f, &q, "c", DS_SUBSCRIBE, 0, keyn(k, 256, 11),
		                  0, NULL, 0), ==, -EINVAL);
		rq_free(&q);
	}
	/* a grant smaller than the key part is refused */
	q.gsize = DS_BUF_KEY - 1;
	q.g = malloc(q.gsize);
	if (CHECK(q.g)) {
		CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32, "sm", 1,
		                  NULL, 0), ==, -EINVAL);
		rq_free(&q);
	}
	CHECK(!get(&f, "", "sm", DSF_TYPE_U32));
	fx_close(&f);
}

/* 95: ^(pattern)$: "abc" matches "abc" only; "a|b" is ^(a|b)$. */
static void test_anchored_regex(void)
{
	struct fx f;
	char out[512];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_subscribe(&f.s, "s", "abc", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "t", "a|b", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "u", "(", 0), ==, -EINVAL);
	CHECK_INT(f.s.nsub, ==, 2);
	const char *keys[] = { "xabcx", "abcx", "xabc", "ab", "ba", "aa" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		CHECK_INT(pu32(&f, "p", keys[i], 1, 0), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "");
	CHECK_INT(drain(&f, "t", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "");
	CHECK_INT(pu32(&f, "p", "abc", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "p", "b", 1, 0), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 1);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "abc");
	CHECK_INT(drain(&f, "t", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "b");
	/* a recompiled pattern (after a restart) is anchored too */
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(pu32(&f, "p", "zabc", 1, 0), ==, 0);
		CHECK_INT(pu32(&f, "p", "abc", 2, DSF_OVERWRITE), ==, 0);
		CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
		CHECK_STR(out, "abc");
	}
	fx_close(&f);
}

/* 96: publish and delete notify; store_check gives the changed keys
 * lowest slot first, then -ENOENT; a deleted key notifies but is not
 * listed; the type mask filters; owner endpoints come from the owner's
 * label; PRIV_SUBSCRIBE entries are seen by their owner's subscription
 * only. */
static void test_check_order(void)
{
	struct fx f;
	char out[512], key[DS_MAX_KEYLEN];
	uint32_t type = 0;
	endpoint_t ep = 0;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(plabel(&f, "a", 30, 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s", "k.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "m", "k.*", DSF_TYPE_MEM), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 0);
	CHECK_INT(pu32(&f, "a", "k0", 0, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "k1", 1, 0), ==, 0);
	CHECK_INT(pstr(&f, "a", "k2", "2", 0), ==, 0);
	CHECK_INT(pmem(&f, "b", "k3", "3", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "other", 1, 0), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 1);      /* coalesced */
	/* first the owner endpoint and type of k0 */
	CHECK_INT(chk(&f, "s", key, &type, &ep), ==, 0);
	CHECK_STR(key, "k0");
	CHECK_INT(type, ==, DSF_TYPE_U32);
	CHECK_INT(ep, ==, 30);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "k1 k2 k3");
	CHECK_INT(chk(&f, "s", key, NULL, NULL), ==, -ENOENT);
	CHECK_INT(chk(&f, "m", key, &type, &ep), ==, 0);
	CHECK_STR(key, "k3");
	CHECK_INT(ep, ==, NONE);                 /* b has no label */
	CHECK_INT(chk(&f, "m", key, NULL, NULL), ==, -ENOENT);

	/* changes after a check come back in slot order too */
	CHECK_INT(pu32(&f, "a", "k1", 11, DSF_OVERWRITE), ==, 0);
	CHECK_INT(pu32(&f, "a", "k0", 10, DSF_OVERWRITE), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "k0 k1");

	/* a delete notifies, but the key is not listed */
	CHECK_INT(pu32(&f, "a", "k9", 9, 0), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 1);
	CHECK_INT(del(&f, "a", "k9", DSF_TYPE_U32), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 1);
	CHECK_INT(chk(&f, "s", key, NULL, NULL), ==, -ENOENT);

	/* PRIV_SUBSCRIBE: only the owner's subscription sees it */
	CHECK_INT(store_subscribe(&f.s, "a", "k.*", 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "kp", 1, DSF_PRIV_SUBSCRIBE), ==, 0);
	CHECK_INT(fx_flush(&f, "s"), ==, 0);
	CHECK_INT(chk(&f, "s", key, NULL, NULL), ==, -ENOENT);
	CHECK_INT(drain(&f, "a", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "kp");
	fx_close(&f);
}

/* 96 and the brief: entry slots are allocated lowest-free-first, so keys
 * published in order come back in that order, even into slots freed by
 * deletes. */
static void test_check_order_reused_slots(void)
{
	struct fx f;
	char out[512];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	const char *k[] = { "k0", "k1", "k2", "k3", "k4", "k5" };
	for (int i = 0; i < 6; i++)
		CHECK_INT(pu32(&f, "a", k[i], 1, 0), ==, 0);
	/* free slots 1, 4 and 2, in that order */
	CHECK_INT(del(&f, "a", "k1", DSF_TYPE_U32), ==, 0);
	CHECK_INT(del(&f, "a", "k4", DSF_TYPE_U32), ==, 0);
	CHECK_INT(del(&f, "a", "k2", DSF_TYPE_U32), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s", "n.*", 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "n1", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "n2", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "n3", 1, 0), ==, 0);
	CHECK_INT(slot_of(&f, "n1", DSF_TYPE_U32), ==, 1);
	CHECK_INT(slot_of(&f, "n2", DSF_TYPE_U32), ==, 2);
	CHECK_INT(slot_of(&f, "n3", DSF_TYPE_U32), ==, 4);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "n1 n2 n3");
	/* and the same after a restart: free slots 0 and n3's */
	long n3 = slot_of(&f, "n3", DSF_TYPE_U32);
	CHECK_INT(del(&f, "a", "n3", DSF_TYPE_U32), ==, 0);
	CHECK_INT(del(&f, "a", "k0", DSF_TYPE_U32), ==, 0);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(pu32(&f, "a", "n4", 1, 0), ==, 0);
		CHECK_INT(pu32(&f, "a", "n5", 1, 0), ==, 0);
		CHECK_INT(slot_of(&f, "n4", DSF_TYPE_U32), ==, 0);
		CHECK_INT(slot_of(&f, "n5", DSF_TYPE_U32), ==, n3);
	}
	fx_close(&f);
}

/* 97: DSF_INITIAL marks every existing matching entry (slot order) and
 * notifies once; without it the new subscription starts empty. */
static void test_initial(void)
{
	struct fx f;
	char out[512];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "drv.chr.x", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "other", 1, 0), ==, 0);
	CHECK_INT(pstr(&f, "b", "drv.blk.y", "up", 0), ==, 0);
	CHECK_INT(pu32(&f, "c", "drv.chr.z", 1, DSF_PRIV_SUBSCRIBE), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "v", "drv\\.[bc]..\\..*",
	                          DSF_INITIAL | DSF_OVERWRITE), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "w", "drv\\..*", 0), ==, 0);
	CHECK_INT(fx_flush(&f, "v"), ==, 1);
	CHECK_INT(f.nnote, ==, 1);               /* w: nothing */
	CHECK_INT(drain(&f, "v", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "drv.chr.x drv.blk.y");
	CHECK_INT(drain(&f, "w", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "");
	/* INITIAL with a type mask; with nothing matching: no notify */
	CHECK_INT(store_subscribe(&f.s, "v", "drv.*",
	                          DSF_INITIAL | DSF_OVERWRITE | DSF_TYPE_STR),
	          ==, 0);
	CHECK_INT(store_subscribe(&f.s, "x", "none.*", DSF_INITIAL), ==, 0);
	CHECK_INT(fx_flush(&f, "v"), ==, 1);
	CHECK_INT(f.nnote, ==, 1);
	CHECK_INT(drain(&f, "v", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "drv.blk.y");
	/* the owner sees its private entry */
	CHECK_INT(store_subscribe(&f.s, "c", "drv.*", DSF_INITIAL), ==, 0);
	CHECK_INT(drain(&f, "c", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "drv.chr.x drv.blk.y drv.chr.z");
	/* marks are in the region: a restart between INITIAL and the checks
	 * loses none, and store_notify_all tells every subscriber */
	CHECK_INT(store_subscribe(&f.s, "c", "drv.*",
	                          DSF_INITIAL | DSF_OVERWRITE), ==, 0);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		store_notify_all(&f.s);
		CHECK_INT(fx_flush(&f, "c"), ==, 1);
		CHECK_INT(f.nnote, ==, 4);       /* v w x c */
		CHECK_INT(drain(&f, "c", out, sizeof(out)), ==, -ENOENT);
		CHECK_STR(out, "drv.chr.x drv.blk.y drv.chr.z");
	}
	fx_close(&f);
}

/* 98: one subscription per owner: EEXIST, or replaced with
 * DSF_OVERWRITE (new pattern, old marks gone). */
static void test_second_subscribe(void)
{
	struct fx f;
	char out[512];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_subscribe(&f.s, "s", "a.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s", "b.*", 0), ==, -EEXIST);
	CHECK_INT(store_subscribe(&f.s, "s", "(", DSF_OVERWRITE), ==, -EINVAL);
	CHECK_INT(pu32(&f, "p", "a1", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "p", "b1", 1, 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s", "b.*", DSF_OVERWRITE), ==, 0);
	CHECK_INT(f.s.nsub, ==, 1);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "");                      /* a1's mark went */
	CHECK_INT(pu32(&f, "p", "a2", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "p", "b2", 1, 0), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "b2");
	/* one slot after a restart too */
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nsub, ==, 1);
		CHECK_INT(store_subscribe(&f.s, "s", "a.*", 0), ==, -EEXIST);
	}
	fx_close(&f);
}

/* 98 at the limit: with every subscription slot taken, an owner still
 * replaces its own (MINIX reuses the slot; EAGAIN is for a new owner). */
static void test_replace_subscription_when_full(void)
{
	struct fx f;
	char out[512];
	if (!CHECK_INT(fx_open(&f, 64, 2, 1u << 16, 1024, 0), ==, 0))
		return;
	CHECK_INT(store_subscribe(&f.s, "s", "a.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "t", "a.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "u", "a.*", 0), ==, -EAGAIN);
	CHECK_INT(store_subscribe(&f.s, "s", "b.*", DSF_OVERWRITE), ==, 0);
	CHECK_INT(pu32(&f, "p", "b1", 1, 0), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "b1");
	fx_close(&f);
}

/* 99: retrieve_mem copies min(asked, stored, room) bytes and says how
 * many; a string is cut to the room asked; nothing beyond is written. */
static void test_retrieve_min_length(void)
{
	struct fx f;
	struct rq q;
	uint8_t val[300];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	for (int i = 0; i < 300; i++)
		val[i] = (uint8_t)(i * 7 + 1);
	if (!CHECK(rq_grant(&q, 1000))) {
		fx_close(&f);
		return;
	}
	struct ds_msg *d = ds_msg_of(&q.m);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_MEM, "m", 0, val,
	                  100), ==, 0);
	memset(q.g, 0xee, q.gsize);
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_MEM, "m", 0, NULL,
	                  10), ==, 0);
	CHECK_INT(d->val_len, ==, 10);
	CHECK_MEM(q.g + DS_BUF_KEY, val, 10);
	CHECK_INT(q.g[DS_BUF_KEY + 10], ==, 0xee);
	CHECK_INT(d->flags & DSF_MASK_TYPE, ==, DSF_TYPE_MEM);
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_MEM, "m", 0, NULL,
	                  1000), ==, 0);
	CHECK_INT(d->val_len, ==, 100);
	CHECK_MEM(q.g + DS_BUF_KEY, val, 100);
	CHECK_INT(q.g[DS_BUF_KEY + 100], ==, 0xee);
	/* asking for more than the grant holds: the grant's room */
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_MEM, "m", 0, NULL,
	                  1u << 30), ==, 0);
	CHECK_INT(d->val_len, ==, 100);
	/* a value longer than the room in the grant is refused */
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_MEM, "m2", 0, NULL,
	                  1001), ==, -EINVAL);
	/* empty memory value */
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_MEM, "e", 0, NULL,
	                  0), ==, 0);
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_MEM, "e", 0, NULL,
	                  50), ==, 0);
	CHECK_INT(d->val_len, ==, 0);
	/* strings: stored NUL-terminated, cut to what is asked */
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_STR, "s", 0,
	                  "hello world", 12), ==, 0);
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_STR, "s", 0, NULL,
	                  6), ==, 0);
	CHECK_INT(d->val_len, ==, 6);
	CHECK_MEM(q.g + DS_BUF_KEY, "hello ", 6);
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_STR, "s", 0, NULL,
	                  100), ==, 0);
	CHECK_INT(d->val_len, ==, 12);
	CHECK_STR((char *)q.g + DS_BUF_KEY, "hello world");
	/* a string without its NUL gets one in its last byte */
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_STR, "t", 0, "abc",
	                  3), ==, 0);
	const struct pent *e = get(&f, "", "t", DSF_TYPE_STR);
	if (CHECK(e))
		CHECK_STR((const char *)ent_data(&f.s, e), "ab");
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_STR, "t0", 0, NULL,
	                  0), ==, -EINVAL);
	/* data types need the grant */
	rq_free(&q);
	CHECK_INT(request(&f, &q, "x", DS_RETRIEVE, DSF_TYPE_MEM, "m", 0, NULL,
	                  10), ==, -DS_ENOGRANT);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_MEM, "m3", 0, NULL,
	                  0), ==, -DS_ENOGRANT);
	fx_close(&f);
}

/* 100: a label's removal (down) takes the service's entries, its
 * subscription and its label, and notifies the subscribers of those
 * keys (who then find nothing marked); DS_RESET (restart with reset)
 * does the same but keeps the label. */
static void test_cascade(void)
{
	struct fx f;
	char key[DS_MAX_KEYLEN], out[512];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(plabel(&f, "a", 30, 0), ==, 0);
	CHECK_INT(plabel(&f, "b", 31, 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "a", ".*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "b", "a\\..*", 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "a.one", 1, 0), ==, 0);
	CHECK_INT(pstr(&f, "a", "a.two", "2", 0), ==, 0);
	CHECK_INT(pmem(&f, "a", "a.three", "333", 3, 0), ==, 0);
	CHECK_INT(pu32(&f, "b", "b.one", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "b", "a.b", 1, 0), ==, 0);   /* b's, a's name */
	CHECK_INT(drain(&f, "b", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "a.one a.two a.three a.b");
	CHECK_INT(fx_flush(&f, "b"), ==, 1);
	uint64_t n = f.s.nent;

	/* rs deletes a's label */
	CHECK_INT(del(&f, "rs", "a", DSF_TYPE_LABEL), ==, 0);
	CHECK_INT(f.s.nent, ==, n - 4);
	CHECK(!get(&f, "", "a.one", DSF_TYPE_U32));
	CHECK(!get(&f, "", "a.two", DSF_TYPE_STR));
	CHECK(!get(&f, "", "a.three", DSF_TYPE_MEM));
	CHECK(!get(&f, "", "a", DSF_TYPE_LABEL));
	CHECK(get(&f, "", "b.one", DSF_TYPE_U32) && get(&f, "", "a.b",
	                                                DSF_TYPE_U32) &&
	      get(&f, "", "b", DSF_TYPE_LABEL));
	CHECK_INT(f.s.nsub, ==, 1);
	CHECK_INT(chk(&f, "a", key, NULL, NULL), ==, -ESRCH);
	CHECK_INT(fx_flush(&f, "b"), ==, 1);
	CHECK_INT(f.nnote, ==, 1);               /* a's subscription went */
	CHECK_INT(chk(&f, "b", key, NULL, NULL), ==, -ENOENT);
	CHECK_INT(atomic_load(&f.s.h->cascade), ==, CASCADE_NONE);

	/* a comes back; a restart with reset */
	CHECK_INT(plabel(&f, "a", 32, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "a.one", 1, 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "a", ".*", 0), ==, 0);
	CHECK_INT(drain(&f, "b", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "a.one");
	struct rq q;
	memset(&q, 0, sizeof(q));
	CHECK_INT(request(&f, &q, "a", DS_RESET, 0, NULL, 0, NULL, 0), ==, 0);
	CHECK(!get(&f, "", "a.one", DSF_TYPE_U32));
	CHECK(get(&f, "", "a", DSF_TYPE_LABEL));
	CHECK_INT(chk(&f, "a", key, NULL, NULL), ==, -ESRCH);
	CHECK_INT(fx_flush(&f, "b"), ==, 1);
	/* b's own removal: its entries including "a.b", and its label */
	CHECK_INT(del(&f, "rs", "b", DSF_TYPE_LABEL), ==, 0);
	CHECK_INT(f.s.nent, ==, 1);              /* label a */
	CHECK_INT(f.s.nsub, ==, 0);
	/* and nothing of it comes back after a restart */
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nent, ==, 1);
		CHECK_INT(f.s.nsub, ==, 0);
	}
	fx_close(&f);
}

/* A label published again under a new name for the same endpoint
 * renames the entry (MINIX); without DSF_OVERWRITE it is EEXIST. */
static void test_label_rename(void)
{
	struct fx f;
	const char *name = NULL;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(plabel(&f, "old", 40, 0), ==, 0);
	CHECK_INT(plabel(&f, "new", 40, 0), ==, -EEXIST);
	CHECK_INT(plabel(&f, "new", 40, DSF_OVERWRITE), ==, 0);
	CHECK(!get(&f, "", "old", DSF_TYPE_LABEL));
	CHECK_INT(store_label_name(&f.s, 40, &name), ==, 0);
	CHECK_STR(name, "new");
	CHECK_INT(f.s.nent, ==, 1);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* limits (102 and the -entries/-subs/-heap/-max-value options)         */

static void test_limit_entries(void)
{
	struct fx f;
	char k[32];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	for (int i = 0; i < 256; i++) {
		snprintf(k, sizeof(k), "e%d", i);
		if (!CHECK_INT(pu32(&f, "a", k, (uint32_t)i, 0), ==, 0))
			break;
	}
	CHECK_INT(pu32(&f, "a", "more", 1, 0), ==, -ENOMEM);
	CHECK_INT(plabel(&f, "more", 9, 0), ==, -ENOMEM);
	CHECK_INT(pstr(&f, "a", "more", "x", 0), ==, -ENOMEM);
	/* an overwrite needs no new slot */
	CHECK_INT(pu32(&f, "a", "e5", 55, DSF_OVERWRITE), ==, 0);
	CHECK_INT(f.s.nent, ==, 256);
	CHECK_INT(del(&f, "a", "e100", DSF_TYPE_U32), ==, 0);
	CHECK_INT(pu32(&f, "a", "more", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "more2", 1, 0), ==, -ENOMEM);
	/* the limit is the region's, whatever a restart asks for */
	f.caps.entries = 1000;
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nent, ==, 256);
		CHECK_INT(pu32(&f, "a", "more2", 1, 0), ==, -ENOMEM);
	}
	fx_close(&f);
}

static void test_limit_heap(void)
{
	struct fx f;
	char k[32];
	static uint8_t big[64 << 10];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	memset(big, 'b', sizeof(big));
	/* 16 pages of 64 KiB: sixteen 64 KiB values fill the heap */
	for (int i = 0; i < 16; i++) {
		snprintf(k, sizeof(k), "big%d", i);
		if (!CHECK_INT(pmem(&f, "a", k, big, sizeof(big), 0), ==, 0))
			break;
	}
	CHECK_INT(pmem(&f, "a", "more", big, sizeof(big), 0), ==, -ENOMEM);
	CHECK_INT(pmem(&f, "a", "more", big, 16, 0), ==, -ENOMEM);
	CHECK_INT(pstr(&f, "a", "more", "x", 0), ==, -ENOMEM);
	/* an overwrite that needs a block fails and keeps the old value */
	CHECK_INT(pmem(&f, "a", "big3", "x", 1, DSF_OVERWRITE), ==, -ENOMEM);
	const struct pent *e = get(&f, "", "big3", DSF_TYPE_MEM);
	if (CHECK(e))
		CHECK_INT(ent_ver(e)->len, ==, sizeof(big));
	/* u32 and empty values need no heap */
	CHECK_INT(pu32(&f, "a", "more", 1, 0), ==, 0);
	CHECK_INT(pmem(&f, "a", "empty", big, 0, 0), ==, 0);
	CHECK_INT(del(&f, "a", "big7", DSF_TYPE_MEM), ==, 0);
	CHECK_INT(pmem(&f, "a", "more", big, sizeof(big), 0), ==, 0);
	/* values larger than a page take a run of pages */
	CHECK_INT(del(&f, "a", "big8", DSF_TYPE_MEM), ==, 0);
	CHECK_INT(del(&f, "a", "big9", DSF_TYPE_MEM), ==, 0);
	f.s.h->max_value = 1u << 20;            /* as -max-value 1M would */
	static uint8_t huge[(128 << 10) + 1];
	CHECK_INT(pmem(&f, "a", "huge", huge, 128 << 10, 0), ==, 0);
	CHECK_INT(del(&f, "a", "huge", DSF_TYPE_MEM), ==, 0);
	/* 2 pages free, 3 needed */
	CHECK_INT(pmem(&f, "a", "huge", huge, sizeof(huge), 0), ==, -ENOMEM);
	fx_close(&f);
}

static void test_limit_subs(void)
{
	struct fx f;
	char who[16];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	for (int i = 0; i < 8; i++) {
		snprintf(who, sizeof(who), "s%d", i);
		CHECK_INT(store_subscribe(&f.s, who, ".*", 0), ==, 0);
	}
	CHECK_INT(store_subscribe(&f.s, "s8", ".*", 0), ==, -EAGAIN);
	CHECK_INT(f.s.nsub, ==, 8);
	CHECK_INT(store_cascade(&f.s, "s3", CASCADE_RESET), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s8", ".*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s9", ".*", 0), ==, -EAGAIN);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nsub, ==, 8);
		CHECK_INT(store_subscribe(&f.s, "s9", ".*", 0), ==, -EAGAIN);
	}
	fx_close(&f);
}

static void test_limit_value_size(void)
{
	struct fx f;
	struct rq q;
	static uint8_t v[(64 << 10) + 1];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pmem(&f, "a", "m", v, 64 << 10, 0), ==, 0);
	CHECK_INT(pmem(&f, "a", "m2", v, (64 << 10) + 1, 0), ==, -EFBIG);
	CHECK_INT(pmem(&f, "a", "m", v, (64 << 10) + 1, DSF_OVERWRITE), ==,
	          -EFBIG);
	CHECK_INT(store_publish(&f.s, "a", 0, "s", DSF_TYPE_STR, 0, 0, v,
	                        (64 << 10) + 1), ==, -EFBIG);
	if (CHECK(rq_grant(&q, sizeof(v)))) {
		CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_MEM, "m3",
		                  0, v, sizeof(v)), ==, -EFBIG);
		rq_free(&q);
	}
	/* limits that do not fit together */
	struct dsd_caps c = { 256, 1u << 20, 8, (1u << 20) + 1 };
	CHECK_INT(store_size(&c), ==, 0);
	c = (struct dsd_caps){ 256, (1u << 20) + 1, 8, 1 };
	CHECK_INT(store_size(&c), ==, 0);
	c = (struct dsd_caps){ 0, 1u << 20, 8, 1 };
	CHECK_INT(store_size(&c), ==, 0);
	c = (struct dsd_caps){ 256, 1u << 20, 0, 1 };
	CHECK_INT(store_size(&c), ==, 0);
	fx_close(&f);
}

/* Flags and types the decoder refuses. */
static void test_request_refusals(void)
{
	struct fx f;
	struct rq q;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	memset(&q, 0, sizeof(q));
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, 0, "k", 1, NULL, 0), ==,
	          -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32 | DSF_INITIAL,
	                  "k", 1, NULL, 0), ==, -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32 | 0x10000,
	                  "k", 1, NULL, 0), ==, -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32 | DSF_TYPE_MEM,
	                  "k", 1, NULL, 0), ==, -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_RETRIEVE, 0x80, "k", 1, NULL, 0), ==,
	          -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_DELETE, 0, "k", 1, NULL, 0), ==,
	          -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_SUBSCRIBE, 0x4000, "k", 1, NULL, 0),
	          ==, -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_SNAPSHOT, 0, "k", 1, NULL, 0), ==,
	          -EINVAL);
	CHECK_INT(request(&f, &q, "a", DS_GETSYSINFO, 0, "k", 1, NULL, 0), ==,
	          -EINVAL);
	CHECK_INT(request(&f, &q, "a", 12345, 0, "k", 1, NULL, 0), ==, -EINVAL);
	/* check wants the grant for its answer */
	CHECK_INT(request(&f, &q, "a", DS_SUBSCRIBE, DSF_INITIAL, ".*", 0, NULL,
	                  0), ==, 0);
	CHECK_INT(request(&f, &q, "a", DS_PUBLISH, DSF_TYPE_U32 |
	                  DSF_PRIV_RETRIEVE, "k", 1, NULL, 0), ==, 0);
	CHECK_INT(request(&f, &q, "a", DS_CHECK, 0, NULL, 0, NULL, 0), ==,
	          -DS_ENOGRANT);
	if (CHECK(rq_grant(&q, 0))) {
		struct ds_msg *d = ds_msg_of(&q.m);
		CHECK_INT(request(&f, &q, "a", DS_CHECK, 0, NULL, 0, NULL, 0),
		          ==, 0);
		CHECK_STR((char *)q.g, "k");
		CHECK_INT(d->key_len, ==, 1);
		CHECK_INT(d->flags, ==, DSF_TYPE_U32);
		CHECK_INT(request(&f, &q, "a", DS_CHECK, 0, NULL, 0, NULL, 0),
		          ==, -ENOENT);
		rq_free(&q);
	}
	CHECK_INT(f.s.nent, ==, 1);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* heap reuse                                                           */

/* Values of every size class and of one and two pages, published and
 * deleted over and over: the live bytes never exceed half of the heap,
 * so no publish may fail. */
static void test_heap_reuse(void)
{
	struct fx f;
	static uint8_t v[128 << 10];
	char k[32];
	const uint32_t sizes[] = { 1, 16, 17, 100, 300, 700, 1500, 3000, 6000,
	                           12000, 20000, 32768, 32769, 65536,
	                           65537, 128 << 10 };
	const int nsizes = (int)(sizeof(sizes) / sizeof(*sizes));
	if (!CHECK_INT(fx_open(&f, 256, 8, 1u << 20, 128 << 10, 0), ==, 0))
		return;
	for (size_t i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)(i * 13);
	int failed = 0;
	for (int round = 0; round < 40 && !failed; round++) {
		for (int z = 0; z < nsizes && !failed; z++) {
			uint32_t len = sizes[(z + round) % nsizes];
			/* at most 4 x 128 KiB = half of the heap live */
			for (int i = 0; i < 4 && !failed; i++) {
				snprintf(k, sizeof(k), "v%d", i);
				int r = pmem(&f, "a", k, v, len, 0);
				if (r != 0) {
					CHECK_INT(r, ==, 0);
					fprintf(stderr, "  round %d: %u-byte value %d"
					        " failed\n", round, len, i);
					failed = 1;
				}
			}
			for (int i = 0; i < 4; i++) {
				snprintf(k, sizeof(k), "v%d", i);
				const struct pent *e = get(&f, "", k, DSF_TYPE_MEM);
				if (e && !CHECK_MEM(ent_data(&f.s, e), v,
				                    ent_ver(e)->len))
					failed = 1;
				del(&f, "a", k, DSF_TYPE_MEM);
			}
		}
	}
	CHECK_INT(f.s.nent, ==, 0);
	/* with everything deleted, the whole heap is one value's again */
	static uint8_t w[1u << 20];
	f.s.h->max_value = sizeof(w);
	CHECK_INT(pmem(&f, "a", "all", w, sizeof(w), 0), ==, 0);
	fx_close(&f);
}

/* Overwriting a value in place many times (different sizes) neither
 * runs out nor disturbs its neighbours. */
static void test_heap_overwrite_churn(void)
{
	struct fx f;
	static uint8_t v[40000];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	for (size_t i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)(i * 31 + 5);
	CHECK_INT(pstr(&f, "a", "left", "left", 0), ==, 0);
	CHECK_INT(pstr(&f, "a", "right", "right", 0), ==, 0);
	for (int i = 0; i < 3000; i++) {
		uint32_t len = (uint32_t)(1 + (i * 7919) % sizeof(v));
		if (!CHECK_INT(pmem(&f, i % 2 ? "a" : "b", "x", v, len,
		                    DSF_OVERWRITE), ==, 0))
			break;
	}
	const struct pent *e = get(&f, "", "left", DSF_TYPE_STR);
	if (CHECK(e))
		CHECK_STR((const char *)ent_data(&f.s, e), "left");
	e = get(&f, "", "right", DSF_TYPE_STR);
	if (CHECK(e))
		CHECK_STR((const char *)ent_data(&f.s, e), "right");
	if (CHECK_INT(fx_reopen(&f), ==, 0))
		CHECK_INT(f.s.nent, ==, 3);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* crash consistency (a): re-open after every operation, against a model */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)((rng_state >> 11) % n) : 0;
}

#define NKEYS 12
#define NTYPES 3
#define NCALLERS 4      /* a b c rs */
#define NMODEL (NKEYS * NTYPES + 3)   /* + the labels of a b c */

static const char *const callers[NCALLERS] = { "a", "b", "c", "rs" };
static const uint32_t mtypes[NTYPES] = { DSF_TYPE_U32, DSF_TYPE_STR,
                                         DSF_TYPE_MEM };
static const char *const patterns[] = { "k1.*", ".*", "k(2|5)", "k[0-9]",
                                        "a|b", "k1[01]" };
#define NPATTERNS ((int)(sizeof(patterns) / sizeof(*patterns)))

struct ment {
	int present;
	char key[8];
	uint32_t type;
	char owner[OWNER_LEN];
	uint32_t priv;
	uint32_t u32;
	uint8_t *data;
	uint32_t len;
};

struct msub {
	int present;
	int pat;
	uint32_t typemask;
	regex_t re;
	uint8_t marked[NMODEL];
};

struct model {
	struct ment e[NMODEL];
	struct msub sub[NCALLERS];
};

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	for (int k = 0; k < NKEYS; k++)
		for (int t = 0; t < NTYPES; t++) {
			struct ment *e = &m->e[k * NTYPES + t];
			snprintf(e->key, sizeof(e->key), "k%d", k);
			e->type = mtypes[t];
		}
	for (int c = 0; c < 3; c++) {
		struct ment *e = &m->e[NKEYS * NTYPES + c];
		snprintf(e->key, sizeof(e->key), "%s", callers[c]);
		e->type = DSF_TYPE_LABEL;
	}
}

static void model_free(struct model *m)
{
	for (int i = 0; i < NMODEL; i++)
		free(m->e[i].data);
	for (int c = 0; c < NCALLERS; c++)
		if (m->sub[c].present)
			regfree(&m->sub[c].re);
}

static int model_matches(const struct model *m, int c, int i)
{
	const struct msub *u = &m->sub[c];
	const struct ment *e = &m->e[i];
	if (!u->present || !e->present)
		return 0;
	if (u->typemask && !(u->typemask & e->type))
		return 0;
	if ((e->priv & DSF_PRIV_SUBSCRIBE) && strcmp(e->owner, callers[c]))
		return 0;
	return regexec(&u->re, e->key, 0, NULL, 0) == 0;
}

/* Entry i changed (set) or went (!set). */
static void model_mark(struct model *m, int i, int set)
{
	for (int c = 0; c < NCALLERS; c++) {
		if (!m->sub[c].present)
			continue;
		if (!set)
			m->sub[c].marked[i] = 0;
		else if (model_matches(m, c, i))
			m->sub[c].marked[i] = 1;
	}
}

static void model_remove(struct model *m, int i)
{
	model_mark(m, i, 0);
	m->e[i].present = 0;
	free(m->e[i].data);
	m->e[i].data = NULL;
}

static void model_cascade(struct model *m, const char *label, int down)
{
	for (int c = 0; c < NCALLERS; c++)
		if (!strcmp(callers[c], label) && m->sub[c].present) {
			regfree(&m->sub[c].re);
			memset(&m->sub[c], 0, sizeof(m->sub[c]));
		}
	for (int i = 0; i < NMODEL; i++)
		if (m->e[i].present && !strcmp(m->e[i].owner, label))
			model_remove(m, i);
	if (down)
		for (int i = NKEYS * NTYPES; i < NMODEL; i++)
			if (m->e[i].present && !strcmp(m->e[i].key, label))
				model_remove(m, i);
}

/* Does the store hold exactly what the model says? */
static int model_compare(struct fx *f, const struct model *m, int step)
{
	uint64_t n = 0, ns = 0;
	for (int i = 0; i < NMODEL; i++) {
		const struct ment *x = &m->e[i];
		const struct pent *e;
		int r = store_retrieve(&f->s, x->present ? x->owner : "rs",
		                       x->key, x->type, &e);
		if (!x->present) {
			if (r != -ESRCH)
				return check__fail(__FILE__, __LINE__, "step %d: "
				                   "%s/%#x should be gone (%d)",
				                   step, x->key, x->type, r);
			continue;
		}
		n++;
		if (r != 0)
			return check__fail(__FILE__, __LINE__, "step %d: %s/%#x "
			                   "lost (%d)", step, x->key, x->type, r);
		const struct pver *v = ent_ver(e);
		if (strcmp(v->owner, x->owner) ||
		    (v->flags & DSF_PRIVATE) != x->priv ||
		    (v->flags & DSF_MASK_TYPE) != x->type ||
		    (!x->data && v->u32 != x->u32) || v->len != x->len ||
		    (x->len && memcmp(ent_data(&f->s, e), x->data, x->len)))
			return check__fail(__FILE__, __LINE__, "step %d: %s/%#x "
			                   "differs (owner %s/%s, len %u/%u)",
			                   step, x->key, x->type, v->owner,
			                   x->owner, v->len, x->len);
	}
	for (int c = 0; c < NCALLERS; c++) {
		if (!m->sub[c].present)
			continue;
		ns++;
		int found = 0;
		for (uint64_t j = 0; j < f->s.h->sub_cap; j++) {
			const struct psub *u = &f->s.sub[j];
			if (atomic_load(&u->state) != 1 ||
			    strcmp(u->owner, callers[c]))
				continue;
			found++;
			if (strcmp(u->pat, patterns[m->sub[c].pat]) ||
			    u->typemask != m->sub[c].typemask)
				return check__fail(__FILE__, __LINE__, "step %d: "
				                   "%s's subscription differs",
				                   step, callers[c]);
		}
		if (found != 1)
			return check__fail(__FILE__, __LINE__, "step %d: %s has "
			                   "%d subscriptions", step, callers[c],
			                   found);
	}
	if (f->s.nent != n || f->s.nsub != ns)
		return check__fail(__FILE__, __LINE__, "step %d: %" PRIu64
		                   " entries, %" PRIu64 " subscriptions; model "
		                   "%" PRIu64 ", %" PRIu64, step, f->s.nent,
		                   f->s.nsub, n, ns);
	return 1;
}

/* One store_check by caller c, against the model: the lowest slot among
 * the marked entries that still match, or ENOENT / ESRCH. */
static int model_check(struct fx *f, struct model *m, int c, int step)
{
	const struct pent *e;
	endpoint_t ep = 0;
	int r = store_check(&f->s, callers[c], &e, &ep);
	if (!m->sub[c].present)
		return r == -ESRCH ? 1 : check__fail(__FILE__, __LINE__,
		       "step %d: check without subscription: %d", step, r);
	long best = -1;
	int bi = -1;
	for (int i = 0; i < NMODEL; i++) {
		if (!m->sub[c].marked[i] || !model_matches(m, c, i))
			continue;
		long sl = slot_of(f, m->e[i].key, m->e[i].type);
		if (best < 0 || sl < best)
			best = sl, bi = i;
	}
	if (bi < 0)
		return r == -ENOENT ? 1 : check__fail(__FILE__, __LINE__,
		       "step %d: %s checks %d (%s), model ENOENT", step,
		       callers[c], r, r == 0 ? e->key : "-");
	if (r != 0 || strcmp(e->key, m->e[bi].key) || e->type != m->e[bi].type)
		return check__fail(__FILE__, __LINE__, "step %d: %s checks %d "
		                   "(%s), model %s/%#x", step, callers[c], r,
		                   r == 0 ? e->key : "-", m->e[bi].key,
		                   m->e[bi].type);
	m->sub[c].marked[bi] = 0;
	/* the owner's endpoint: its label's value */
	endpoint_t want = NONE;
	for (int l = NKEYS * NTYPES; l < NMODEL; l++)
		if (m->e[l].present && !strcmp(m->e[l].key, m->e[bi].owner))
			want = (endpoint_t)m->e[l].u32;
	if (ep != want)
		return check__fail(__FILE__, __LINE__, "step %d: owner endpoint "
		                   "%d, model %d", step, ep, want);
	return 1;
}

static void random_sequence(uint64_t seed, int steps, int shared)
{
	struct fx f;
	struct model *m = calloc(1, sizeof(*m));
	static uint8_t buf[70000];
	if (!CHECK(m))
		return;
	if (!CHECK_INT(fx_open(&f, 256, 8, 4u << 20, 64u << 10, shared), ==,
	               0)) {
		free(m);
		return;
	}
	rng_state = seed;
	model_init(m);
	for (int step = 0; step < steps; step++) {
		int op = (int)rnd(100);
		int c = (int)rnd(NCALLERS);
		const char *who = callers[c];
		int i = (int)rnd(NKEYS * NTYPES);
		struct ment *x = &m->e[i];
		int r, want;
		if (op < 40) {                       /* publish */
			uint32_t flags = rnd(4) ? DSF_OVERWRITE : 0;
			uint32_t priv = rnd(3) ? 0 : (rnd(8) & DSF_PRIVATE);
			uint32_t u = rnd(1000), len = 0;
			if (x->type != DSF_TYPE_U32) {
				len = rnd(10) ? 1 + rnd(600) : 1 + rnd(66000);
				for (uint32_t b = 0; b < len; b++)
					buf[b] = (uint8_t)rnd(256);
				if (x->type == DSF_TYPE_STR)
					buf[len - 1] = 0;
			}
			r = store_publish(&f.s, who, is_rs(who), x->key, x->type,
			                  flags | priv, u, buf, len);
			if (len > f.caps.max_value)
				want = -EFBIG;
			else if (x->present && !(flags & DSF_OVERWRITE))
				want = -EEXIST;
			else if (x->present && (x->priv & DSF_PRIV_OVERWRITE) &&
			         strcmp(x->owner, who))
				want = -EPERM;
			else
				want = 0;
			/* a data value may find the heap full: then nothing
			 * changed (checked by the comparison below) */
			if (r == -ENOMEM && want == 0 && len)
				want = -ENOMEM;
			if (!CHECK_INT(r, ==, want)) {
				fprintf(stderr, "  step %d: %s publishes %s/%#x\n",
				        step, who, x->key, x->type);
				break;
			}
			if (r == 0) {
				free(x->data);
				x->data = NULL;
				x->present = 1;
				snprintf(x->owner, sizeof(x->owner), "%s", who);
				x->priv = priv;
				x->u32 = x->type == DSF_TYPE_U32 ? u : 0;
				x->len = len;
				if (len) {
					x->data = malloc(len);
					memcpy(x->data, buf, len);
				}
				model_mark(m, i, 1);
			}
		} else if (op < 60) {                /* delete */
			r = del(&f, who, x->key, x->type);
			want = !x->present ? -ESRCH :
			       strcmp(x->owner, who) ? -EPERM : 0;
			if (!CHECK_INT(r, ==, want))
				break;
			if (r == 0)
				model_remove(m, i);
		} else if (op < 72) {                /* check */
			if (!model_check(&f, m, c, step))
				break;
		} else if (op < 80) {                /* subscribe */
			int p = (int)rnd(NPATTERNS);
			uint32_t fl = (rnd(2) ? DSF_OVERWRITE : 0) |
			              (rnd(2) ? DSF_INITIAL : 0) |
			              (rnd(4) ? 0 : mtypes[rnd(NTYPES)]);
			r = store_subscribe(&f.s, who, patterns[p], fl);
			want = m->sub[c].present && !(fl & DSF_OVERWRITE) ?
			       -EEXIST : 0;
			if (!CHECK_INT(r, ==, want))
				break;
			if (r == 0) {
				struct msub *u = &m->sub[c];
				char pat[64];
				if (u->present)
					regfree(&u->re);
				memset(u, 0, sizeof(*u));
				snprintf(pat, sizeof(pat), "^(%s)$", patterns[p]);
				regcomp(&u->re, pat, REG_EXTENDED | REG_NOSUB);
				u->present = 1;
				u->pat = p;
				u->typemask = fl & DSF_MASK_TYPE;
				if (fl & DSF_INITIAL)
					for (int k = 0; k < NMODEL; k++)
						u->marked[k] = (uint8_t)
						    model_matches(m, c, k);
			}
		} else if (op < 86) {                /* restart with reset */
			if (is_rs(who))
				continue;
			CHECK_INT(store_cascade(&f.s, who, CASCADE_RESET), ==, 0);
			model_cascade(m, who, 0);
		} else if (op < 93) {                /* rs: (re)publish a label */
			int l = (int)rnd(3);
			struct ment *y = &m->e[NKEYS * NTYPES + l];
			r = plabel(&f, y->key, 100 + l, DSF_OVERWRITE);
			if (!CHECK_INT(r, ==, 0))
				break;
			y->present = 1;
			snprintf(y->owner, sizeof(y->owner), "rs");
			y->priv = 0;
			y->u32 = 100 + (uint32_t)l;
			model_mark(m, NKEYS * NTYPES + l, 1);
		} else {                             /* rs: a service goes down */
			int l = (int)rnd(3);
			struct ment *y = &m->e[NKEYS * NTYPES + l];
			r = del(&f, "rs", y->key, DSF_TYPE_LABEL);
			if (!CHECK_INT(r, ==, y->present ? 0 : -ESRCH))
				break;
			if (r == 0)
				model_cascade(m, y->key, 1);
		}
		/* dsd restarts after every operation */
		if (!CHECK_INT(fx_reopen(&f), ==, 0))
			break;
		if (!model_compare(&f, m, step))
			break;
	}
	model_free(m);
	free(m);
	fx_close(&f);
}

static int soak(void)
{
	const char *e = getenv("DSD_SOAK");
	return e && atoi(e) > 0 ? atoi(e) : 1;
}

static void test_reopen_model_calloc(void)
{
	for (int s = 1; s <= 3 * soak(); s++)
		random_sequence(0x9e3779b97f4a7c15ull * (uint64_t)s, 1500, 0);
}

/* The same in shared memory, where clearing marks gives whole pages back
 * with MADV_REMOVE; many entries so that a bitmap spans pages. */
static void test_reopen_model_shared(void)
{
	random_sequence(0x2545f4914f6cdd1dull, 1500 * soak(), 1);
}

/* Marks of a subscription whose bitmap spans whole pages: replacing it
 * clears them (MADV_REMOVE where it works) and a later mark still
 * lands. */
static void test_marks_punch(void)
{
	struct fx f;
	char k[32], out[128];
	/* 2^17 entries: 16 KiB of marks per subscription */
	if (!CHECK_INT(fx_open(&f, 1u << 17, 3, 1u << 16, 1024, 1), ==, 0))
		return;
	/* push the high-water mark far up, then free the slots */
	for (int i = 0; i < 70000; i++) {
		snprintf(k, sizeof(k), "f%d", i);
		if (!CHECK_INT(pu32(&f, "a", k, 1, 0), ==, 0))
			break;
	}
	CHECK_INT(store_subscribe(&f.s, "s", "f(1|69999)", DSF_INITIAL), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "t", "f69999", DSF_INITIAL), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s", "f(2|69998)",
	                          DSF_OVERWRITE | DSF_INITIAL), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "f2 f69998");
	CHECK_INT(drain(&f, "t", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "f69999");
	/* the dropped subscription's slot is reused, empty */
	CHECK_INT(store_subscribe(&f.s, "u", "none", 0), ==, 0);
	CHECK_INT(drain(&f, "u", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "");
	CHECK_INT(pu32(&f, "a", "f69998", 2, DSF_OVERWRITE), ==, 0);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
		CHECK_STR(out, "f69998");
		CHECK_INT(f.s.nent, ==, 70000);
	}
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* crash consistency (b): a label removal written down, not finished    */

/* a, b: labels; a owns 3 entries and a subscription, b 2 entries. */
static int cascade_setup(struct fx *f)
{
	if (!CHECK_INT(fx_small(f), ==, 0))
		return 0;
	int r = plabel(f, "a", 30, 0) | plabel(f, "b", 31, 0) |
	        pu32(f, "a", "a1", 1, 0) | pstr(f, "a", "a2", "two", 0) |
	        pmem(f, "a", "a3", "333", 3, 0) | pu32(f, "b", "b1", 1, 0) |
	        pstr(f, "b", "b2", "bee", 0) |
	        store_subscribe(&f->s, "a", ".*", 0) |
	        store_subscribe(&f->s, "b", "a.*", 0);
	return CHECK_INT(r, ==, 0);
}

static int b_intact(struct fx *f)
{
	const struct pent *e = get(f, "", "b2", DSF_TYPE_STR);
	return CHECK(get(f, "", "b1", DSF_TYPE_U32)) && CHECK(e) &&
	       CHECK_STR((const char *)ent_data(&f->s, e), "bee") &&
	       CHECK(get(f, "", "b", DSF_TYPE_LABEL));
}

static void half_cascade(int how, int done)
{
	struct fx f;
	char key[DS_MAX_KEYLEN];
	if (!cascade_setup(&f)) {
		fx_close(&f);
		return;
	}
	/* what store_cascade writes first ... */
	memset(f.s.h->cascade_label, 0, OWNER_LEN);
	strcpy(f.s.h->cascade_label, "a");
	atomic_store(&f.s.h->cascade, (uint32_t)how);
	/* ... and the part it did before dying: some entries gone, maybe
	 * the subscription too */
	if (done >= 1) {
		const struct pent *e = get(&f, "", "a2", DSF_TYPE_STR);
		if (CHECK(e))
			atomic_store(&((struct pent *)e)->state, 0);
	}
	if (done >= 2)
		for (uint64_t j = 0; j < f.s.h->sub_cap; j++)
			if (!strcmp(f.s.sub[j].owner, "a"))
				atomic_store(&f.s.sub[j].state, 0);
	if (!CHECK_INT(fx_reopen(&f), ==, 0)) {
		fx_close(&f);
		return;
	}
	CHECK_INT(atomic_load(&f.s.h->cascade), ==, CASCADE_NONE);
	CHECK(!get(&f, "", "a1", DSF_TYPE_U32));
	CHECK(!get(&f, "", "a2", DSF_TYPE_STR));
	CHECK(!get(&f, "", "a3", DSF_TYPE_MEM));
	CHECK_INT(chk(&f, "a", key, NULL, NULL), ==, -ESRCH);
	if (how == CASCADE_DOWN)
		CHECK(!get(&f, "", "a", DSF_TYPE_LABEL));
	else
		CHECK(get(&f, "", "a", DSF_TYPE_LABEL));
	b_intact(&f);
	CHECK_INT(f.s.nent, ==, how == CASCADE_DOWN ? 3 : 4);
	CHECK_INT(f.s.nsub, ==, 1);
	/* the subscriber of a's keys is told (its marks: nothing left) */
	CHECK_INT(fx_flush(&f, "b"), ==, 1);
	/* and the heap blocks of a's values are free again: fill the heap
	 * and b's values survive */
	static uint8_t v[64 << 10];
	char k[16];
	int n = 0;
	for (int i = 0; i < 32; i++) {
		snprintf(k, sizeof(k), "fill%d", i);
		if (pmem(&f, "b", k, v, sizeof(v), 0) == 0)
			n++;
	}
	CHECK_INT(n, >=, 15);
	b_intact(&f);
	/* a second restart changes nothing */
	uint64_t nent = f.s.nent;
	if (CHECK_INT(fx_reopen(&f), ==, 0))
		CHECK_INT(f.s.nent, ==, nent);
	fx_close(&f);
}

static void test_half_cascade_down(void)
{
	half_cascade(CASCADE_DOWN, 0);
	half_cascade(CASCADE_DOWN, 1);
	half_cascade(CASCADE_DOWN, 2);
}

static void test_half_cascade_reset(void)
{
	half_cascade(CASCADE_RESET, 0);
	half_cascade(CASCADE_RESET, 2);
}

/* Nonsense in the cascade fields: ignored, cleared. */
static void test_cascade_fields_garbage(void)
{
	struct fx f;
	if (!cascade_setup(&f)) {
		fx_close(&f);
		return;
	}
	uint64_t n = f.s.nent;
	atomic_store(&f.s.h->cascade, 7);
	strcpy(f.s.h->cascade_label, "a");
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nent, ==, n);
		CHECK_INT(atomic_load(&f.s.h->cascade), ==, CASCADE_NONE);
	}
	/* a label without its NUL: cut, not overrun */
	atomic_store(&f.s.h->cascade, CASCADE_DOWN);
	memset(f.s.h->cascade_label, 'a', OWNER_LEN);
	if (CHECK_INT(fx_reopen(&f), ==, 0))
		CHECK_INT(f.s.nent, ==, n);
	/* an empty label: nothing to do */
	atomic_store(&f.s.h->cascade, CASCADE_RESET);
	memset(f.s.h->cascade_label, 0, OWNER_LEN);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nent, ==, n);
		CHECK_INT(atomic_load(&f.s.h->cascade), ==, CASCADE_NONE);
	}
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* crash consistency (c): damage is dropped entry by entry              */

#define NDMG 12

/* Twelve entries of every kind: u32, labels, strings of two classes,
 * memory values of one and two pages, in slots 0..11. */
static int damage_setup(struct fx *f)
{
	static uint8_t big[100000];
	if (!CHECK_INT(fx_open(f, 256, 8, 1u << 20, 128u << 10, 0), ==, 0))
		return 0;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 3);
	int r = pu32(f, "a", "d0", 0, 0) | plabel(f, "d1", 41, 0) |
	        pstr(f, "a", "d2", "two", 0) | pstr(f, "a", "d3", "three", 0) |
	        pstr(f, "b", "d4", "a somewhat longer string value", 0) |
	        pmem(f, "b", "d5", big, 40000, 0) |
	        pmem(f, "b", "d6", big, 100000, 0) |
	        pmem(f, "a", "d7", big, 0, 0) | pu32(f, "b", "d8", 8, 0) |
	        pstr(f, "a", "d9", "nine", 0) |
	        pmem(f, "a", "d10", big, 70000, 0) |
	        pmem(f, "b", "d11", big, 200, 0);
	return CHECK_INT(r, ==, 0) && CHECK_INT(f->s.nent, ==, NDMG);
}

static const uint32_t dmg_type[NDMG] = {
	DSF_TYPE_U32, DSF_TYPE_LABEL, DSF_TYPE_STR, DSF_TYPE_STR, DSF_TYPE_STR,
	DSF_TYPE_MEM, DSF_TYPE_MEM, DSF_TYPE_MEM, DSF_TYPE_U32, DSF_TYPE_STR,
	DSF_TYPE_MEM, DSF_TYPE_MEM
};

/* Value i of damage_setup, to compare. */
static int dmg_value_ok(struct fx *f, int i)
{
	static uint8_t big[100000];
	const uint32_t mlen[NDMG] = { [5] = 40000, [6] = 100000, [10] = 70000,
	                              [11] = 200 };
	const char *str[NDMG] = { [2] = "two", [3] = "three",
	                          [4] = "a somewhat longer string value",
	                          [9] = "nine" };
	char k[16];
	for (size_t b = 0; b < sizeof(big); b++)
		big[b] = (uint8_t)(b * 3);
	snprintf(k, sizeof(k), "d%d", i);
	const struct pent *e = get(f, "rs", k, dmg_type[i]);
	if (!e || e - f->s.ent != i)
		return 0;
	const struct pver *v = ent_ver(e);
	switch (dmg_type[i]) {
	case DSF_TYPE_U32:
		return v->u32 == (uint32_t)i;
	case DSF_TYPE_LABEL:
		return v->u32 == 41;
	case DSF_TYPE_STR:
		return v->len == strlen(str[i]) + 1 &&
		       !strcmp((const char *)ent_data(&f->s, e), str[i]);
	default:
		return v->len == mlen[i] &&
		       !memcmp(ent_data(&f->s, e), big, mlen[i]);
	}
}

/* After the damage and a restart: exactly the entries in `lost` are
 * gone, the others are intact, and stay so while the heap is filled
 * to the brim by new values (no surviving block handed out twice) and
 * after another restart. */
static void expect_dropped(struct fx *f, unsigned lost, const char *what)
{
	if (!CHECK_INT(fx_reopen(f), ==, 0))
		return;
	int n = 0;
	for (int i = 0; i < NDMG; i++) {
		int gone = lost >> i & 1;
		if (!gone)
			n++;
		if (dmg_value_ok(f, i) == gone)
			check__fail(__FILE__, __LINE__, "%s: d%d %s", what, i,
			            gone ? "kept" : "lost or changed");
	}
	CHECK_INT(f->s.nent, ==, n);
	/* fill the heap: small, then large blocks */
	static uint8_t fill[64 << 10];
	memset(fill, 0x5a, sizeof(fill));
	char k[16];
	for (int i = 0; i < 200; i++) {
		snprintf(k, sizeof(k), "s%d", i);
		if (pmem(f, "c", k, fill, 1 + (uint32_t)(i * 37) % 3000, 0) < 0)
			break;
	}
	for (int i = 0; i < 20; i++) {
		snprintf(k, sizeof(k), "l%d", i);
		if (pmem(f, "c", k, fill, sizeof(fill), 0) < 0)
			break;
	}
	for (int i = 0; i < NDMG; i++)
		if (!(lost >> i & 1) && !dmg_value_ok(f, i))
			check__fail(__FILE__, __LINE__, "%s: d%d overwritten by "
			            "a new value", what, i);
	uint64_t nent = f->s.nent;
	if (CHECK_INT(fx_reopen(f), ==, 0))
		CHECK_INT(f->s.nent, ==, nent);
}

static struct pent *dent(struct fx *f, int i)
{
	return &f->s.ent[i];
}

static struct pver *dver(struct fx *f, int i)
{
	struct pent *e = dent(f, i);
	return &e->v[atomic_load(&e->sel) & 1];
}

/* Pages of value i (the first, for a run). */
static uint64_t dpage(struct fx *f, int i)
{
	return dver(f, i)->off / HEAP_PAGE;
}

static void test_damaged_entries(void)
{
	struct fx f;
	static const char *const names[] = {
		"key without NUL", "keylen wrong", "type not one of four",
		"version type mismatch", "owner empty", "owner without NUL",
		"string off beyond page_hw", "string len > max_value",
		"string len 0", "u32 with a length", "two entries, one block",
		"misaligned block", "block of another class",
		"page of a run not PG_CONT", "run start freed",
		"run length wrong", "duplicate key", "state word 2",
		"selector to an empty version", "large run past the page high-water mark",
		"duplicate u32 key", "values over the header's max-value",
	};
	for (size_t c = 0; c < sizeof(names) / sizeof(*names); c++) {
		if (!damage_setup(&f)) {
			fx_close(&f);
			return;
		}
		unsigned lost = 0;
		uint64_t p;
		switch (c) {
		case 0:
			memset(dent(&f, 3)->key, 'x', DS_MAX_KEYLEN);
			lost = 1u << 3;
			break;
		case 1:
			dent(&f, 0)->keylen = 5;
			lost = 1u << 0;
			break;
		case 2:
			dent(&f, 8)->type = DSF_TYPE_U32 | DSF_TYPE_STR;
			lost = 1u << 8;
			break;
		case 3:
			dver(&f, 9)->flags = DSF_IN_USE | DSF_TYPE_MEM;
			lost = 1u << 9;
			break;
		case 4:
			dver(&f, 4)->owner[0] = 0;
			lost = 1u << 4;
			break;
		case 5:
			memset(dver(&f, 2)->owner, 'o', OWNER_LEN);
			lost = 1u << 2;
			break;
		case 6:
			dver(&f, 9)->off = (uint64_t)atomic_load(
			    &f.s.h->page_hw) * HEAP_PAGE;
			lost = 1u << 9;
			break;
		case 7:
			dver(&f, 10)->len = (128u << 10) + 1;
			lost = 1u << 10;
			break;
		case 8:
			dver(&f, 3)->len = 0;
			lost = 1u << 3;
			break;
		case 9:
			dver(&f, 0)->len = 4;
			lost = 1u << 0;
			break;
		case 10:
			/* d3 points at d2's block (same class): d3 goes */
			dver(&f, 3)->off = dver(&f, 2)->off;
			lost = 1u << 3;
			break;
		case 11:
			dver(&f, 11)->off += 16;
			lost = 1u << 11;
			break;
		case 12:
			/* d4's page (32-byte blocks) said to hold 16-byte
			 * ones: every value in that page goes */
			p = dpage(&f, 4);
			atomic_store(&f.s.pages[p], 1);
			for (int i = 0; i < NDMG; i++)
				if ((dmg_type[i] == DSF_TYPE_STR ||
				     (dmg_type[i] == DSF_TYPE_MEM &&
				      dver(&f, i)->len)) && dpage(&f, i) == p)
					lost |= 1u << i;
			break;
		case 13:
			p = dpage(&f, 6);
			atomic_store(&f.s.pages[p + 1], PG_FREE);
			lost = 1u << 6;
			break;
		case 14:
			p = dpage(&f, 10);
			atomic_store(&f.s.pages[p], PG_FREE);
			lost = 1u << 10;
			break;
		case 15:
			p = dpage(&f, 6);
			atomic_store(&f.s.pages[p], PG_LARGE | 3);
			lost = 1u << 6;
			break;
		case 16:
			/* slot 11 becomes a second "d9" string */
			memcpy(dent(&f, 11), dent(&f, 9), sizeof(struct pent));
			lost = 1u << 11;
			break;
		case 17:
			atomic_store(&dent(&f, 5)->state, 2);
			lost = 1u << 5;
			break;
		case 18:
			/* d0 was never overwritten: its other version is
			 * empty */
			atomic_store(&dent(&f, 0)->sel, 3);
			lost = 1u << 0;
			break;
		case 20:
			/* slot 8 becomes a second "d0" (no heap block to
			 * give it away): the later one goes */
			memcpy(dent(&f, 8), dent(&f, 0), sizeof(struct pent));
			lost = 1u << 8;
			break;
		case 21:
			/* every value longer than max-value is damage */
			f.s.h->max_value = 100;
			lost = 1u << 5 | 1u << 6 | 1u << 10 | 1u << 11;
			break;
		case 19:
			p = dpage(&f, 6);
			atomic_store(&f.s.h->page_hw, p + 1);
			lost = 1u << 6;
			for (int i = 0; i < NDMG; i++)
				if ((dmg_type[i] == DSF_TYPE_STR ||
				     (dmg_type[i] == DSF_TYPE_MEM &&
				      dver(&f, i)->len)) && dpage(&f, i) > p)
					lost |= 1u << i;
			break;
		}
		expect_dropped(&f, lost, names[c]);
		fx_close(&f);
	}
}

/* High-water marks beyond the limits, a header that does not fit the
 * region, a wrong magic or version: clamped or refused, never followed. */
static void test_damaged_header(void)
{
	struct fx f;
	if (!damage_setup(&f)) {
		fx_close(&f);
		return;
	}
	atomic_store(&f.s.h->ent_hw, 1ull << 40);
	atomic_store(&f.s.h->sub_hw, 1ull << 40);
	atomic_store(&f.s.h->page_hw, 1ull << 40);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nent, ==, NDMG);
		CHECK_INT(atomic_load(&f.s.h->ent_hw), ==, 256);
		CHECK_INT(atomic_load(&f.s.h->page_hw), ==, 16);
		CHECK_INT(f.s.nsub, ==, 0);
		for (int i = 0; i < NDMG; i++)
			CHECK(dmg_value_ok(&f, i));
		/* the pages beyond the values are free */
		static uint8_t v[64 << 10];
		int n = 0;
		for (int i = 0; i < 16; i++) {
			char k[8];
			snprintf(k, sizeof(k), "n%d", i);
			n += pmem(&f, "a", k, v, sizeof(v), 0) == 0;
		}
		CHECK_INT(n, >=, 8);
		for (int i = 0; i < NDMG; i++)
			CHECK(dmg_value_ok(&f, i));
		/* the subscription table: as many as the limit, no more */
		for (int i = 0; i < 8; i++) {
			char who[8];
			snprintf(who, sizeof(who), "s%d", i);
			CHECK_INT(store_subscribe(&f.s, who, ".*", 0), ==, 0);
		}
		CHECK_INT(store_subscribe(&f.s, "s8", ".*", 0), ==, -EAGAIN);
	}
	uint64_t nent = f.s.nent;
	store_close(&f.s);
	struct phdr *h = (struct phdr *)(void *)f.mem, save;
	memcpy(&save, h, sizeof(save));
	h->magic ^= 1;
	CHECK_INT(store_open(&f.s, f.mem, f.size, 0, &f.caps), ==, -EINVAL);
	memcpy(h, &save, sizeof(save));
	h->version = 2;
	CHECK_INT(store_open(&f.s, f.mem, f.size, 0, &f.caps), ==, -EINVAL);
	memcpy(h, &save, sizeof(save));
	h->ent_cap = 1u << 20;                  /* does not fit the region */
	CHECK_INT(store_open(&f.s, f.mem, f.size, 0, &f.caps), ==, -EINVAL);
	memcpy(h, &save, sizeof(save));
	h->heap_size += 1;
	CHECK_INT(store_open(&f.s, f.mem, f.size, 0, &f.caps), ==, -EINVAL);
	memcpy(h, &save, sizeof(save));
	h->max_value = h->heap_size + 1;
	CHECK_INT(store_open(&f.s, f.mem, f.size, 0, &f.caps), ==, -EINVAL);
	memcpy(h, &save, sizeof(save));
	CHECK_INT(store_open(&f.s, f.mem, 100, 0, &f.caps), ==, -EINVAL);
	CHECK_INT(store_open(&f.s, f.mem, f.size - 1, 0, &f.caps), ==, -EINVAL);
	/* intact again: all there */
	if (CHECK_INT(fx_attach(&f, 0), ==, 0))
		CHECK_INT(f.s.nent, ==, nent);
	fx_close(&f);
}

/* Damaged subscriptions are dropped; of two for one owner the newer
 * (higher seq) stays. */
static void test_damaged_subscriptions(void)
{
	struct fx f;
	char out[256];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_subscribe(&f.s, "s0", "k.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s1", "k.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s2", "k.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s3", "k.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s4", "k.*", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s5", "k1", 0), ==, 0);
	CHECK_INT(pu32(&f, "p", "k1", 1, 0), ==, 0);
	f.s.sub[0].patlen = 7;                  /* wrong length */
	memcpy(f.s.sub[1].pat, "k(", 3);        /* does not compile */
	f.s.sub[1].patlen = 2;
	memset(f.s.sub[2].owner, 'x', OWNER_LEN);  /* no NUL */
	f.s.sub[3].owner[0] = 0;
	/* slot 4 becomes s5 with an older seq: s5's own stays */
	struct psub old = f.s.sub[5];
	old.seq = 1;
	memcpy(old.pat, "nomatch", 8);
	old.patlen = 7;
	f.s.sub[4] = old;
	atomic_store(&f.s.sub[4].state, 1);
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nsub, ==, 1);
		CHECK_INT(drain(&f, "s5", out, sizeof(out)), ==, -ENOENT);
		CHECK_STR(out, "k1");
		CHECK_INT(chk(&f, "s0", out, NULL, NULL), ==, -ESRCH);
		/* freed slots are reused */
		for (int i = 0; i < 7; i++) {
			char who[8];
			snprintf(who, sizeof(who), "n%d", i);
			CHECK_INT(store_subscribe(&f.s, who, ".*", 0), ==, 0);
		}
		CHECK_INT(store_subscribe(&f.s, "n8", ".*", 0), ==, -EAGAIN);
	}
	/* and the other way round: the newer copy is in the lower slot */
	fx_close(&f);
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_subscribe(&f.s, "s", "old", 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "t", "x", 0), ==, 0);
	struct psub newer = f.s.sub[0];
	memcpy(newer.pat, "new", 4);
	newer.seq = 100;
	f.s.sub[1] = f.s.sub[0];                /* slot 1: old s */
	f.s.sub[0] = newer;
	atomic_store(&f.s.sub[0].state, 1);
	atomic_store(&f.s.sub[1].state, 1);
	CHECK_INT(pu32(&f, "p", "new", 1, 0), ==, 0);  /* no index: unmarked */
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.nsub, ==, 1);
		CHECK_INT(pu32(&f, "p", "old", 1, 0), ==, 0);
		CHECK_INT(pu32(&f, "p", "new", 2, DSF_OVERWRITE), ==, 0);
		CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
		CHECK_STR(out, "new");
	}
	fx_close(&f);
}

/* A state word that is neither 0 nor 1 (damage): store_open ignores the
 * slot, so nothing else may treat it as live - not store_check, not
 * DSF_INITIAL, not the one-subscription-per-owner rule, not nsub. */
static void test_damaged_state_words(void)
{
	struct fx f;
	char out[256];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "k0", 1, 0), ==, 0);
	CHECK_INT(pu32(&f, "a", "k1", 1, 0), ==, 0);
	CHECK_INT(store_subscribe(&f.s, "s", "x", 0), ==, 0);
	atomic_store(&f.s.ent[1].state, 2);
	atomic_store(&f.s.sub[0].state, 2);
	if (!CHECK_INT(fx_reopen(&f), ==, 0)) {
		fx_close(&f);
		return;
	}
	CHECK_INT(f.s.nent, ==, 1);
	CHECK_INT(f.s.nsub, ==, 0);
	/* s has no subscription: a new one is no EEXIST */
	CHECK_INT(store_subscribe(&f.s, "s", "k.*", DSF_INITIAL), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "k0");
	CHECK_INT(f.s.nsub, ==, 1);
	/* the count stays right when s goes */
	CHECK_INT(store_cascade(&f.s, "s", CASCADE_RESET), ==, 0);
	CHECK_INT(f.s.nsub, ==, 0);
	/* the damaged slots are free for new ones */
	CHECK_INT(pu32(&f, "a", "k2", 1, 0), ==, 0);
	CHECK_INT(slot_of(&f, "k2", DSF_TYPE_U32), ==, 1);
	fx_close(&f);
}

/* The same damage seen through DS_CHECK: a damaged slot whose keylen is
 * huge must not be copied into the caller's grant.  The grant ends at a
 * PROT_NONE page, so an overrun is a SIGSEGV here (in dsd: a write past
 * the client's memfd mapping). */
static void test_damaged_entry_check_request(void)
{
	struct fx f;
	struct rq q;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "k0", 1, 0), ==, 0);
	atomic_store(&f.s.ent[0].state, 2);
	f.s.ent[0].keylen = 100000;
	if (!CHECK_INT(fx_reopen(&f), ==, 0)) {
		fx_close(&f);
		return;
	}
	CHECK_INT(store_subscribe(&f.s, "s", "k.*", DSF_INITIAL), ==, 0);
	uint8_t *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(pg != MAP_FAILED)) {
		fx_close(&f);
		return;
	}
	mprotect(pg + 4096, 4096, PROT_NONE);
	memset(&q, 0, sizeof(q));
	q.g = pg + 4096 - DS_BUF_KEY;
	q.gsize = DS_BUF_KEY;
	CHECK_INT(request(&f, &q, "s", DS_CHECK, 0, NULL, 0, NULL, 0), ==,
	          -ENOENT);
	munmap(pg, 8192);
	fx_close(&f);
}

/* The states an operation passes through, frozen as a kill would leave
 * them, read back as before or after it. */
static void test_interrupted_operations(void)
{
	struct fx f;
	char out[256];
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(store_subscribe(&f.s, "s", ".*", 0), ==, 0);
	CHECK_INT(pstr(&f, "a", "x", "old value", 0), ==, 0);
	CHECK_INT(pstr(&f, "a", "y", "why", 0), ==, 0);
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	uint64_t hw = atomic_load(&f.s.h->ent_hw);

	/* an overwrite that wrote the new version and died before the
	 * selector flipped: the old value, its block kept, the new one
	 * free */
	struct pent *e = (struct pent *)get(&f, "", "x", DSF_TYPE_STR);
	if (!CHECK(e)) {
		fx_close(&f);
		return;
	}
	uint32_t cur = atomic_load(&e->sel) & 1;
	struct pver *nv = &e->v[!cur];
	*nv = e->v[cur];
	nv->off = e->v[cur].off + 4096;         /* a free block, same page */
	nv->len = 5;
	memcpy(f.s.heap + nv->off, "new!", 5);
	/* a new entry being created: slot filled, marked, state still 0 */
	struct pent *z = &f.s.ent[hw];
	memset(z, 0, sizeof(*z));
	z->type = DSF_TYPE_U32;
	z->keylen = 3;
	memcpy(z->key, "new", 4);
	z->v[0].flags = DSF_IN_USE | DSF_TYPE_U32;
	snprintf(z->v[0].owner, OWNER_LEN, "a");
	atomic_store(&f.s.h->ent_hw, hw + 1);
	for (uint64_t j = 0; j < f.s.h->sub_cap; j++)
		if (atomic_load(&f.s.sub[j].state))
			atomic_fetch_or(&f.s.marks[j * f.s.words_per_sub + hw / 64],
			                1ull << (hw % 64));
	/* a delete that cleared y's state word and died: its block is not
	 * on any free list yet */
	struct pent *y = (struct pent *)get(&f, "", "y", DSF_TYPE_STR);
	if (CHECK(y))
		atomic_store(&y->state, 0);
	if (!CHECK_INT(fx_reopen(&f), ==, 0)) {
		fx_close(&f);
		return;
	}
	e = (struct pent *)get(&f, "", "x", DSF_TYPE_STR);
	if (CHECK(e))
		CHECK_STR((const char *)ent_data(&f.s, e), "old value");
	CHECK(!get(&f, "", "new", DSF_TYPE_U32));
	CHECK(!get(&f, "", "y", DSF_TYPE_STR));
	CHECK_INT(f.s.nent, ==, 1);
	/* the stale mark on the unborn entry is not reported */
	CHECK_INT(drain(&f, "s", out, sizeof(out)), ==, -ENOENT);
	CHECK_STR(out, "");
	/* the slot and both blocks are reused; x stays */
	char k[16];
	for (int i = 0; i < 3000; i++) {
		snprintf(k, sizeof(k), "f%d", i % 200);
		if (pstr(&f, "b", k, "filler filler", DSF_OVERWRITE) < 0)
			break;
	}
	e = (struct pent *)get(&f, "", "x", DSF_TYPE_STR);
	if (CHECK(e))
		CHECK_STR((const char *)ent_data(&f.s, e), "old value");
	CHECK_INT(slot_of(&f, "f0", DSF_TYPE_STR), <, (long)hw + 1);
	fx_close(&f);
}

/* A region made by a store of other limits is opened with its own. */
static void test_region_limits_win(void)
{
	struct fx f;
	if (!CHECK_INT(fx_small(&f), ==, 0))
		return;
	CHECK_INT(pu32(&f, "a", "k", 1, 0), ==, 0);
	f.caps = (struct dsd_caps){ 16, 1u << 16, 1, 100 };
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.h->ent_cap, ==, 256);
		CHECK_INT(f.s.h->sub_cap, ==, 8);
		CHECK_INT(f.s.h->max_value, ==, 64u << 10);
		CHECK_INT(f.s.nent, ==, 1);
	}
	/* a zero magic is a new store */
	f.s.h->magic = 0;
	if (CHECK_INT(fx_reopen(&f), ==, 0)) {
		CHECK_INT(f.s.h->ent_cap, ==, 16);
		CHECK_INT(f.s.nent, ==, 0);
	}
	fx_close(&f);
}

int main(void)
{
	CHECK_RUN(test_publish_exists_overwrite);
	CHECK_RUN(test_same_key_types);
	CHECK_RUN(test_esrch_eperm);
	CHECK_RUN(test_labels_rs_users);
	CHECK_RUN(test_key_lengths);
	CHECK_RUN(test_anchored_regex);
	CHECK_RUN(test_check_order);
	CHECK_RUN(test_check_order_reused_slots);
	CHECK_RUN(test_initial);
	CHECK_RUN(test_second_subscribe);
	CHECK_RUN(test_replace_subscription_when_full);
	CHECK_RUN(test_retrieve_min_length);
	CHECK_RUN(test_cascade);
	CHECK_RUN(test_label_rename);
	CHECK_RUN(test_limit_entries);
	CHECK_RUN(test_limit_heap);
	CHECK_RUN(test_limit_subs);
	CHECK_RUN(test_limit_value_size);
	CHECK_RUN(test_request_refusals);
	CHECK_RUN(test_heap_reuse);
	CHECK_RUN(test_heap_overwrite_churn);
	CHECK_RUN(test_reopen_model_calloc);
	CHECK_RUN(test_reopen_model_shared);
	CHECK_RUN(test_marks_punch);
	CHECK_RUN(test_half_cascade_down);
	CHECK_RUN(test_half_cascade_reset);
	CHECK_RUN(test_cascade_fields_garbage);
	CHECK_RUN(test_damaged_entries);
	CHECK_RUN(test_damaged_header);
	CHECK_RUN(test_damaged_subscriptions);
	CHECK_RUN(test_damaged_state_words);
	CHECK_RUN(test_damaged_entry_check_request);
	CHECK_RUN(test_interrupted_operations);
	CHECK_RUN(test_region_limits_win);
	return check_done();
}
