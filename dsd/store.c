/*
 * store.c - dsd's store: entries, values, subscriptions and their marks
 * in one persistent region, with private indexes rebuilt at start.  The
 * rules that make it survive a kill at any point are in dsd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dsd.h"

#define OBUCKETS 4096

struct owner {
	char label[OWNER_LEN];
	uint32_t head;           /* entry + 1 */
	uint64_t n;
	struct owner *next;
};

#define REL memory_order_release
#define ACQ memory_order_acquire
#define RLX memory_order_relaxed

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t words_per_sub(uint64_t entries)
{
	return (entries + 63) / 64;
}

struct layout {
	uint64_t pages, ent, sub, marks, heap, end;
};

static int layout_of(const struct dsd_caps *c, struct layout *l)
{
	if (c->entries == 0 || c->entries > (1u << 30) || c->subs == 0 ||
	    c->subs > (1u << 20) || c->heap < HEAP_PAGE ||
	    c->heap > (1ull << 40) || c->heap % HEAP_PAGE ||
	    c->max_value > c->heap)
		return -EINVAL;
	uint64_t npages = c->heap / HEAP_PAGE;
	l->pages = sizeof(struct phdr);
	l->ent = align_up(l->pages + npages * 4, 4096);
	l->sub = align_up(l->ent + c->entries * sizeof(struct pent), 4096);
	/* one slot more than the limit: a replacement is written beside the
	 * subscription it replaces, even when the table is full */
	l->marks = align_up(l->sub + (c->subs + 1) * sizeof(struct psub), 4096);
	l->heap = align_up(l->marks + (c->subs + 1) *
	                   words_per_sub(c->entries) * 8, HEAP_PAGE);
	l->end = l->heap + c->heap;
	return 0;
}

size_t store_size(const struct dsd_caps *caps)
{
	struct layout l;
	return layout_of(caps, &l) < 0 ? 0 : (size_t)l.end;
}

/* ------------------------------------------------------------------ */
/* private indexes                                                      */

static uint64_t hash_str(const char *k, uint64_t h)
{
	for (; *k; k++)
		h = (h ^ (uint8_t)*k) * 0x100000001b3ull;
	return h;
}

static uint64_t hash_key(const char *key, uint32_t type)
{
	uint64_t h = hash_str(key, 0xcbf29ce484222325ull ^ type);
	return h ^ h >> 29;
}

static uint64_t hash_ep(uint32_t ep)
{
	uint64_t h = ep * 0x9e3779b97f4a7c15ull;
	return h ^ h >> 31;
}

/* Free entry slots: a binary min-heap, so the lowest one is reused first
 * (MINIX's first free slot; ds_check reports in slot order). */
static void efree_push(struct store *s, uint32_t i)
{
	uint64_t k = s->nefree++;
	while (k > 0 && s->efree[(k - 1) / 2] > i) {
		s->efree[k] = s->efree[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	s->efree[k] = i;
}

static uint32_t efree_top(const struct store *s)
{
	return s->efree[0];
}

static void efree_pop(struct store *s)
{
	uint32_t last = s->efree[--s->nefree];
	uint64_t k = 0, n = s->nefree;
	for (;;) {
		uint64_t c = 2 * k + 1;
		if (c >= n)
			break;
		if (c + 1 < n && s->efree[c + 1] < s->efree[c])
			c++;
		if (s->efree[c] >= last)
			break;
		s->efree[k] = s->efree[c];
		k = c;
	}
	if (n)
		s->efree[k] = last;
}

static int64_t find(const struct store *s, const char *key, uint32_t type)
{
	for (uint32_t i = s->bucket[hash_key(key, type) & s->hmask]; i;
	     i = s->hnext[i - 1]) {
		const struct pent *e = &s->ent[i - 1];
		if (e->type == type && !strcmp(e->key, key))
			return i - 1;
	}
	return -1;
}

static void idx_insert(struct store *s, uint64_t i)
{
	uint64_t b = hash_key(s->ent[i].key, s->ent[i].type) & s->hmask;
	s->hnext[i] = s->bucket[b];
	s->bucket[b] = (uint32_t)i + 1;
}

static void chain_remove(uint32_t *head, uint32_t *next, uint64_t i)
{
	for (uint32_t *pp = head; *pp; pp = &next[*pp - 1])
		if (*pp == i + 1) {
			*pp = next[i];
			next[i] = 0;
			return;
		}
}

static void idx_remove(struct store *s, uint64_t i)
{
	chain_remove(&s->bucket[hash_key(s->ent[i].key, s->ent[i].type) &
	                        s->hmask], s->hnext, i);
}

static void lidx_insert(struct store *s, uint64_t i, uint32_t ep)
{
	uint64_t b = hash_ep(ep) & s->hmask;
	s->lnext[i] = s->lbucket[b];
	s->lbucket[b] = (uint32_t)i + 1;
}

static void lidx_remove(struct store *s, uint64_t i, uint32_t ep)
{
	chain_remove(&s->lbucket[hash_ep(ep) & s->hmask], s->lnext, i);
}

/* The hash tables grow with the store (load factor at most 1), so that a
 * small store's rebuild touches a small table: recovery time follows the
 * entries, not the -entries limit. */
static void maybe_grow(struct store *s)
{
	uint64_t hb = s->hmask + 1;
	if (s->nent + 1 <= hb || hb >= s->h->ent_cap)
		return;
	uint32_t *b = calloc(hb * 2, sizeof(uint32_t));
	uint32_t *lb = calloc(hb * 2, sizeof(uint32_t));
	if (!b || !lb) {   /* longer chains, still correct */
		free(b);
		free(lb);
		return;
	}
	free(s->bucket);
	free(s->lbucket);
	s->bucket = b;
	s->lbucket = lb;
	s->hmask = hb * 2 - 1;
	uint64_t hw = atomic_load_explicit(&s->h->ent_hw, RLX);
	for (uint64_t i = 0; i < hw; i++) {
		const struct pent *e = &s->ent[i];
		if (atomic_load_explicit(&e->state, RLX) != 1)
			continue;
		idx_insert(s, i);
		if (e->type == DSF_TYPE_LABEL)
			lidx_insert(s, i, ent_ver(e)->u32);
	}
}

static int64_t find_label_ep(const struct store *s, uint32_t ep)
{
	for (uint32_t i = s->lbucket[hash_ep(ep) & s->hmask]; i;
	     i = s->lnext[i - 1])
		if (ent_ver(&s->ent[i - 1])->u32 == ep)
			return i - 1;
	return -1;
}

static struct owner **owner_slot(struct store *s, const char *label)
{
	struct owner **pp = &s->obucket[hash_str(label, 7) % OBUCKETS];
	while (*pp && strcmp((*pp)->label, label))
		pp = &(*pp)->next;
	return pp;
}

static int owner_add(struct store *s, uint64_t i, const char *label)
{
	struct owner **pp = owner_slot(s, label);
	if (!*pp) {
		struct owner *o = calloc(1, sizeof(*o));
		if (!o)
			return -ENOMEM;
		snprintf(o->label, sizeof(o->label), "%s", label);
		*pp = o;
	}
	struct owner *o = *pp;
	s->oprev[i] = 0;
	s->onext[i] = o->head;
	if (o->head)
		s->oprev[o->head - 1] = (uint32_t)i + 1;
	o->head = (uint32_t)i + 1;
	o->n++;
	return 0;
}

static void owner_del(struct store *s, uint64_t i, const char *label)
{
	struct owner **pp = owner_slot(s, label);
	struct owner *o = *pp;
	if (!o)
		return;
	if (s->oprev[i])
		s->onext[s->oprev[i] - 1] = s->onext[i];
	else if (o->head == i + 1)
		o->head = s->onext[i];
	else
		return;  /* not on this list */
	if (s->onext[i])
		s->oprev[s->onext[i] - 1] = s->oprev[i];
	s->onext[i] = s->oprev[i] = 0;
	if (--o->n == 0) {
		*pp = o->next;
		free(o);
	}
}

/* ------------------------------------------------------------------ */
/* heap                                                                 */

static int class_of(uint32_t len)
{
	for (int c = 0; c < NCLASS; c++)
		if (len <= 16u << c)
			return c;
	return -1;
}

static int push_block(struct store *s, int c, uint64_t off)
{
	if (s->ncfree[c] == s->capcfree[c]) {
		uint64_t n = s->capcfree[c] ? s->capcfree[c] * 2 : 256;
		uint64_t *a = realloc(s->cfree[c], n * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->cfree[c] = a;
		s->capcfree[c] = n;
	}
	s->cfree[c][s->ncfree[c]++] = off;
	return 0;
}

static uint64_t npages_total(const struct store *s)
{
	return s->h->heap_size / HEAP_PAGE;
}

/* A run of n free pages: its first page, or -1. */
static int64_t take_pages(struct store *s, uint64_t n)
{
	uint64_t hw = atomic_load_explicit(&s->h->page_hw, RLX);
	if (s->npfree >= n) {
		uint64_t run = 0;
		for (uint64_t p = 0; p < hw; p++) {
			run = s->pfree[p] ? run + 1 : 0;
			if (run == n) {
				uint64_t first = p + 1 - n;
				for (uint64_t q = first; q <= p; q++)
					s->pfree[q] = 0;
				s->npfree -= n;
				return (int64_t)first;
			}
		}
	}
	/* extend: a free tail run joins the new pages */
	uint64_t tail = 0;
	while (tail < hw && tail < n && s->pfree[hw - 1 - tail])
		tail++;
	if (hw + (n - tail) > npages_total(s))
		return -1;
	uint64_t first = hw - tail;
	for (uint64_t q = first; q < hw; q++)
		s->pfree[q] = 0;
	s->npfree -= tail;
	atomic_store_explicit(&s->h->page_hw, hw + (n - tail), REL);
	return (int64_t)first;
}

static void free_pages(struct store *s, uint64_t first, uint64_t n)
{
	for (uint64_t q = first; q < first + n; q++) {
		atomic_store_explicit(&s->pages[q], PG_FREE, RLX);
		s->pfree[q] = 1;
	}
	s->npfree += n;
}

/* Give back to the page pool every size-class page whose blocks are all
 * free (nothing refers to them, so this is safe at any instant); blocks
 * return to their class one by one, pages only here.  How many. */
static uint64_t reclaim_pages(struct store *s)
{
	uint64_t hw = atomic_load_explicit(&s->h->page_hw, RLX);
	uint16_t *nfree = calloc(hw ? hw : 1, sizeof(*nfree));
	uint64_t got = 0;
	if (!nfree)
		return 0;
	for (int c = 0; c < NCLASS; c++) {
		uint64_t per = HEAP_PAGE / (16u << c);
		memset(nfree, 0, hw * sizeof(*nfree));
		for (uint64_t k = 0; k < s->ncfree[c]; k++)
			nfree[s->cfree[c][k] / HEAP_PAGE]++;
		uint64_t keep = 0;
		for (uint64_t k = 0; k < s->ncfree[c]; k++) {
			uint64_t off = s->cfree[c][k];
			if (nfree[off / HEAP_PAGE] != per)
				s->cfree[c][keep++] = off;
		}
		s->ncfree[c] = keep;
		for (uint64_t p = 0; p < hw; p++)
			if (nfree[p] == per) {
				free_pages(s, p, 1);
				got++;
			}
	}
	free(nfree);
	return got;
}

static int64_t take_pages_or_reclaim(struct store *s, uint64_t n)
{
	int64_t p = take_pages(s, n);
	if (p < 0 && reclaim_pages(s))
		p = take_pages(s, n);
	return p;
}

/* A block for len bytes: its offset, or -ENOMEM. */
static int64_t heap_alloc(struct store *s, uint32_t len)
{
	int c = class_of(len);
	if (c < 0) {
		uint64_t n = (len + HEAP_PAGE - 1) / HEAP_PAGE;
		int64_t p = take_pages_or_reclaim(s, n);
		if (p < 0)
			return -ENOMEM;
		for (uint64_t q = 1; q < n; q++)
			atomic_store_explicit(&s->pages[p + q], PG_CONT, RLX);
		atomic_store_explicit(&s->pages[p], PG_LARGE | (uint32_t)n, REL);
		return p * (int64_t)HEAP_PAGE;
	}
	if (!s->ncfree[c]) {
		int64_t p = take_pages_or_reclaim(s, 1);
		if (p < 0)
			return -ENOMEM;
		atomic_store_explicit(&s->pages[p], (uint32_t)c + 1, REL);
		uint64_t bs = 16u << c;
		for (uint64_t b = HEAP_PAGE / bs; b-- > 0;)
			if (push_block(s, c, (uint64_t)p * HEAP_PAGE + b * bs) < 0)
				return -ENOMEM;
	}
	return (int64_t)s->cfree[c][--s->ncfree[c]];
}

static void heap_free(struct store *s, uint64_t off, uint32_t len)
{
	if (len == 0)
		return;
	int c = class_of(len);
	if (c < 0)
		free_pages(s, off / HEAP_PAGE, (len + HEAP_PAGE - 1) / HEAP_PAGE);
	else
		push_block(s, c, off);  /* a failure only leaks until restart */
}

/* ------------------------------------------------------------------ */
/* subscriptions and marks                                              */

static _Atomic uint64_t *marks_of(const struct store *s, uint64_t j)
{
	return s->marks + j * s->words_per_sub;
}

static void clear_marks(struct store *s, uint64_t j)
{
	_Atomic uint64_t *m = marks_of(s, j);
	size_t len = s->words_per_sub * 8;
	/* Give the pages back where the kernel lets us (whole pages). */
	uintptr_t a = align_up((uintptr_t)m, 4096);
	uintptr_t b = ((uintptr_t)m + len) & ~(uintptr_t)4095;
	if (s->mark_punch && b > a &&
	    madvise((void *)a, b - a, MADV_REMOVE) == 0) {
		memset((void *)m, 0, a - (uintptr_t)m);
		memset((void *)b, 0, (uintptr_t)m + len - b);
		return;
	}
	memset((void *)m, 0, len);
}

static int sub_matches(const struct store *s, uint64_t j, const struct pent *e,
                       const struct pver *v)
{
	const struct psub *u = &s->sub[j];
	if (!atomic_load_explicit(&u->state, RLX) || !s->sx[j].compiled)
		return 0;
	if (u->typemask && !(u->typemask & e->type))
		return 0;
	if ((v->flags & DSF_PRIV_SUBSCRIBE) && strcmp(u->owner, v->owner))
		return 0;
	return regexec(&s->sx[j].re, e->key, 0, NULL, 0) == 0;
}

static uint64_t sub_hw(const struct store *s)
{
	return atomic_load_explicit(&s->h->sub_hw, RLX);
}

/* Entry i (version v) changed: mark it for every matching subscriber
 * (set) or unmark it (deleted), and let them know. */
static void mark(struct store *s, uint64_t i, const struct pver *v, int set)
{
	for (uint64_t j = 0; j < sub_hw(s); j++) {
		if (!sub_matches(s, j, &s->ent[i], v))
			continue;
		_Atomic uint64_t *w = marks_of(s, j) + i / 64;
		uint64_t bit = 1ull << (i % 64);
		if (set) {
			atomic_fetch_or_explicit(w, bit, REL);
			if (i < s->sx[j].lo)
				s->sx[j].lo = i;
		} else {
			atomic_fetch_and_explicit(w, ~bit, REL);
		}
		s->sx[j].notify = s->notify_due = 1;
	}
}

static int64_t find_sub(const struct store *s, const char *owner)
{
	for (uint64_t j = 0; j < sub_hw(s); j++)
		if (atomic_load_explicit(&s->sub[j].state, RLX) &&
		    !strcmp(s->sub[j].owner, owner))
			return (int64_t)j;
	return -1;
}

static void sub_drop(struct store *s, uint64_t j)
{
	atomic_store_explicit(&s->sub[j].state, 0, REL);
	if (s->sx[j].compiled)
		regfree(&s->sx[j].re);
	memset(&s->sx[j], 0, sizeof(s->sx[j]));
	clear_marks(s, j);
	s->nsub--;
}

/* glibc expands a bounded repetition by copying its operand, and
 * back-references make matching exponential: one pattern could stall dsd
 * (and, stored, every dsd after it).  Refused: back-references, and
 * intervals whose bounds multiply past DS_MAX_REPEAT. */
#define DS_MAX_REPEAT 256
static int pattern_ok(const char *p)
{
	uint64_t product = 1;
	for (; *p; p++) {
		if (*p == '\\') {
			if (p[1] >= '1' && p[1] <= '9')
				return 0;
			if (p[1])
				p++;
		} else if (*p == '{') {
			uint64_t lo = 0, hi = 0;
			const char *q = p + 1;
			while (*q >= '0' && *q <= '9' && lo <= DS_MAX_REPEAT)
				lo = lo * 10 + (uint64_t)(*q++ - '0');
			hi = lo;
			if (*q == ',') {
				q++;
				hi = *q == '}' ? lo + 1 : 0;   /* {m,}: m copies and a star */
				while (*q >= '0' && *q <= '9' && hi <= DS_MAX_REPEAT)
					hi = hi * 10 + (uint64_t)(*q++ - '0');
			}
			if (hi < 1)
				hi = 1;
			product *= hi;
			if (product > DS_MAX_REPEAT)
				return 0;
		}
	}
	return 1;
}

static int compile(regex_t *re, const char *pat)
{
	if (!pattern_ok(pat))
		return -EINVAL;
	char buf[DS_MAX_PATTERN + 8];
	snprintf(buf, sizeof(buf), "^(%s)$", pat);
	return regcomp(re, buf, REG_EXTENDED | REG_NOSUB) ? -EINVAL : 0;
}

/* ------------------------------------------------------------------ */
/* entries                                                              */

static const char *owner_of(const char *caller, int rs)
{
	return rs ? "rs" : caller;
}

static int key_ok(const char *key)
{
	size_t n = strnlen(key, DS_MAX_KEYLEN);
	return n >= 1 && n < DS_MAX_KEYLEN;
}

/* Fill version v with a new value; the heap block is taken here. */
static int fill_ver(struct store *s, struct pver *v, uint32_t type,
                    uint32_t flags, const char *owner, uint32_t u32,
                    const void *val, uint32_t len)
{
	memset(v, 0, sizeof(*v));
	v->flags = DSF_IN_USE | type | (flags & DSF_PRIVATE);
	v->u32 = ds_has_data(type) ? 0 : u32;
	snprintf(v->owner, sizeof(v->owner), "%s", owner);
	if (ds_has_data(type) && len) {
		int64_t off = heap_alloc(s, len);
		if (off < 0)
			return (int)off;
		memcpy(s->heap + off, val, len);
		if (type == DSF_TYPE_STR)
			s->heap[off + len - 1] = '\0';
		v->off = (uint64_t)off;
		v->len = len;
	}
	return 0;
}

static void delete_entry(struct store *s, uint64_t i)
{
	struct pent *e = &s->ent[i];
	struct pver v = *ent_ver(e);
	atomic_store_explicit(&e->state, 0, REL);   /* gone from here on */
	idx_remove(s, i);
	owner_del(s, i, v.owner);
	if (e->type == DSF_TYPE_LABEL)
		lidx_remove(s, i, v.u32);
	mark(s, i, &v, 0);
	if (ds_has_data(e->type))
		heap_free(s, v.off, v.len);
	efree_push(s, (uint32_t)i);
	s->nent--;
}

int store_publish(struct store *s, const char *caller, int rs,
                  const char *key, uint32_t type, uint32_t flags,
                  uint32_t u32, const void *val, uint32_t len)
{
	if (!key_ok(key) || !ds_type_ok(type))
		return -EINVAL;
	if (!rs && !*caller)
		return -EPERM;   /* not a service */
	if (type == DSF_TYPE_LABEL && !rs)
		return -EPERM;   /* labels are reincd's */
	if (ds_has_data(type)) {
		if (len > s->h->max_value)
			return -EFBIG;
		if (type == DSF_TYPE_STR && len == 0)
			return -EINVAL;
	} else {
		len = 0;
	}
	const char *owner = owner_of(caller, rs);
	int64_t i = find(s, key, type);
	int64_t renamed = -1;
	if (i < 0 && type == DSF_TYPE_LABEL)
		renamed = find_label_ep(s, u32);  /* same endpoint, new name */
	if (i >= 0) {
		struct pent *e = &s->ent[i];
		uint32_t cur = atomic_load_explicit(&e->sel, RLX) & 1;
		struct pver old = e->v[cur];
		if (!(flags & DSF_OVERWRITE))
			return -EEXIST;
		if ((old.flags & DSF_PRIV_OVERWRITE) && strcmp(old.owner, owner))
			return -EPERM;
		int r = fill_ver(s, &e->v[!cur], type, flags, owner, u32, val, len);
		if (r < 0)
			return r;
		mark(s, (uint64_t)i, &e->v[!cur], 1);
		atomic_store_explicit(&e->sel, !cur, REL);  /* the change */
		if (ds_has_data(type))
			heap_free(s, old.off, old.len);
		if (strcmp(old.owner, owner)) {
			owner_del(s, (uint64_t)i, old.owner);
			owner_add(s, (uint64_t)i, owner);
		}
		if (type == DSF_TYPE_LABEL && old.u32 != u32) {
			lidx_remove(s, (uint64_t)i, old.u32);
			lidx_insert(s, (uint64_t)i, u32);
		}
		return 0;
	}
	if (renamed >= 0) {
		struct pver *ov = (struct pver *)ent_ver(&s->ent[renamed]);
		if (!(flags & DSF_OVERWRITE))
			return -EEXIST;
		if ((ov->flags & DSF_PRIV_OVERWRITE) && strcmp(ov->owner, owner))
			return -EPERM;
	}
	/* a new entry */
	maybe_grow(s);
	uint64_t hw = atomic_load_explicit(&s->h->ent_hw, RLX);
	if (!s->nefree) {
		if (hw >= s->h->ent_cap)
			return -ENOMEM;
		atomic_store_explicit(&s->h->ent_hw, hw + 1, REL);
		efree_push(s, (uint32_t)hw);
	}
	uint64_t n = efree_top(s);
	struct pent *e = &s->ent[n];
	int r = fill_ver(s, &e->v[0], type, flags, owner, u32, val, len);
	if (r < 0)
		return r;
	efree_pop(s);
	e->type = type;
	e->keylen = (uint32_t)strlen(key);
	memset(e->key, 0, sizeof(e->key));
	memcpy(e->key, key, e->keylen);
	atomic_store_explicit(&e->sel, 0, RLX);
	mark(s, n, &e->v[0], 1);
	atomic_store_explicit(&e->state, 1, REL);   /* it exists from here */
	s->nent++;
	idx_insert(s, n);
	owner_add(s, n, owner);
	if (type == DSF_TYPE_LABEL)
		lidx_insert(s, n, u32);
	if (renamed >= 0)
		delete_entry(s, (uint64_t)renamed);
	return 0;
}

int store_retrieve(struct store *s, const char *caller, const char *key,
                   uint32_t type, const struct pent **out)
{
	if (!key_ok(key) || !ds_type_ok(type))
		return -EINVAL;
	int64_t i = find(s, key, type);
	if (i < 0)
		return -ESRCH;
	const struct pver *v = ent_ver(&s->ent[i]);
	if ((v->flags & DSF_PRIV_RETRIEVE) && strcmp(v->owner, caller))
		return -EPERM;
	*out = &s->ent[i];
	return 0;
}

int store_label_name(struct store *s, endpoint_t ep, const char **name)
{
	int64_t i = find_label_ep(s, (uint32_t)ep);
	if (i < 0)
		return -ESRCH;
	*name = s->ent[i].key;
	return 0;
}

int store_delete(struct store *s, const char *caller, int rs,
                 const char *key, uint32_t type)
{
	if (!key_ok(key) || !ds_type_ok(type))
		return -EINVAL;
	if (!rs && !*caller)
		return -EPERM;
	if (type == DSF_TYPE_LABEL && !rs)
		return -EPERM;
	int64_t i = find(s, key, type);
	if (i < 0)
		return -ESRCH;
	if (strcmp(ent_ver(&s->ent[i])->owner, owner_of(caller, rs)))
		return -EPERM;
	if (type == DSF_TYPE_LABEL && strlen(key) < OWNER_LEN)
		return store_cascade(s, key, CASCADE_DOWN);
	delete_entry(s, (uint64_t)i);
	return 0;
}

int store_subscribe(struct store *s, const char *caller, const char *pat,
                    uint32_t flags)
{
	if (!*caller)
		return -ESRCH;   /* MINIX: not a registered service */
	size_t n = strnlen(pat, DS_MAX_PATTERN);
	if (n == 0 || n >= DS_MAX_PATTERN)
		return -EINVAL;
	regex_t re;
	if (compile(&re, pat) < 0)
		return -EINVAL;
	int64_t old = find_sub(s, caller);
	if (old >= 0 && !(flags & DSF_OVERWRITE)) {
		regfree(&re);
		return -EEXIST;
	}
	if (old < 0 && s->nsub >= s->h->sub_cap) {
		regfree(&re);
		return -EAGAIN;   /* MINIX: no free slot */
	}
	int64_t j = -1;
	uint64_t hw = sub_hw(s);
	for (uint64_t k = 0; k < hw && j < 0; k++)
		if (!atomic_load_explicit(&s->sub[k].state, RLX))
			j = (int64_t)k;
	if (j < 0) {   /* nsub <= sub_cap: the spare slot is free at least */
		if (hw > s->h->sub_cap) {   /* only a damaged store gets here */
			regfree(&re);
			return -EAGAIN;
		}
		j = (int64_t)hw;
		atomic_store_explicit(&s->h->sub_hw, hw + 1, REL);
	}
	struct psub *u = &s->sub[j];
	clear_marks(s, (uint64_t)j);
	u->typemask = flags & DSF_MASK_TYPE;
	u->patlen = (uint32_t)n;
	memset(u->pat, 0, sizeof(u->pat));
	memcpy(u->pat, pat, n);
	snprintf(u->owner, sizeof(u->owner), "%s", caller);
	u->seq = atomic_fetch_add(&s->h->sub_seq, 1) + 1;
	s->sx[j].re = re;
	s->sx[j].compiled = 1;
	s->sx[j].lo = 0;
	s->sx[j].notify = 0;
	atomic_store_explicit(&u->state, 1, REL);   /* it exists from here */
	s->nsub++;
	if (old >= 0)
		sub_drop(s, (uint64_t)old);
	if (flags & DSF_INITIAL) {
		uint64_t ehw = atomic_load_explicit(&s->h->ent_hw, RLX);
		_Atomic uint64_t *m = marks_of(s, (uint64_t)j);
		for (uint64_t i = 0; i < ehw; i++) {
			const struct pent *e = &s->ent[i];
			if (!atomic_load_explicit(&e->state, RLX) ||
			    !sub_matches(s, (uint64_t)j, e, ent_ver(e)))
				continue;
			atomic_fetch_or_explicit(&m[i / 64], 1ull << (i % 64), REL);
			s->sx[j].notify = s->notify_due = 1;
		}
	}
	return 0;
}

int store_check(struct store *s, const char *caller, const struct pent **out,
                endpoint_t *owner_ep)
{
	if (!*caller)
		return -ESRCH;
	int64_t j = find_sub(s, caller);
	if (j < 0)
		return -ESRCH;
	_Atomic uint64_t *m = marks_of(s, (uint64_t)j);
	uint64_t hw = atomic_load_explicit(&s->h->ent_hw, RLX);
	for (uint64_t w = s->sx[j].lo / 64; w * 64 < hw; w++) {
		uint64_t bits;
		while ((bits = atomic_load_explicit(&m[w], ACQ))) {
			uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(bits);
			atomic_fetch_and_explicit(&m[w], ~(1ull << (i % 64)), REL);
			s->sx[j].lo = i;
			const struct pent *e = &s->ent[i];
			/* A mark may outlive its entry if an instance died
			 * between the two: check it still applies. */
			if (i >= hw || !atomic_load_explicit(&e->state, ACQ) ||
			    !sub_matches(s, (uint64_t)j, e, ent_ver(e)))
				continue;
			*out = e;
			int64_t l = find(s, ent_ver(e)->owner, DSF_TYPE_LABEL);
			*owner_ep = l >= 0 ? (endpoint_t)ent_ver(&s->ent[l])->u32
			                   : NONE;
			return 0;
		}
	}
	s->sx[j].lo = hw;
	return -ENOENT;
}

int store_cascade(struct store *s, const char *label, int how)
{
	if (strnlen(label, OWNER_LEN) >= OWNER_LEN)
		return -EINVAL;
	/* Written down first: a successor finishes it. */
	memset(s->h->cascade_label, 0, OWNER_LEN);
	snprintf(s->h->cascade_label, OWNER_LEN, "%s", label);
	atomic_store_explicit(&s->h->cascade, (uint32_t)how, REL);
	int64_t j = find_sub(s, label);
	if (j >= 0)
		sub_drop(s, (uint64_t)j);
	struct owner *o;
	while ((o = *owner_slot(s, label)) && o->head)
		delete_entry(s, o->head - 1);
	if (how == CASCADE_DOWN) {
		int64_t i = find(s, label, DSF_TYPE_LABEL);
		if (i >= 0)
			delete_entry(s, (uint64_t)i);
	}
	atomic_store_explicit(&s->h->cascade, CASCADE_NONE, REL);
	return 0;
}

void store_notify_all(struct store *s)
{
	for (uint64_t j = 0; j < sub_hw(s); j++)
		if (atomic_load_explicit(&s->sub[j].state, RLX))
			s->sx[j].notify = s->notify_due = 1;
}

void store_flush_notify(struct store *s)
{
	if (!s->notify_due)
		return;   /* the common case: nothing changed */
	s->notify_due = 0;
	for (uint64_t j = 0; j < sub_hw(s); j++) {
		if (!s->sx[j].notify)
			continue;
		s->sx[j].notify = 0;
		if (s->notify && atomic_load_explicit(&s->sub[j].state, RLX))
			s->notify(s, s->sub[j].owner);
	}
}

/* ------------------------------------------------------------------ */
/* open and rebuild                                                     */

void store_close(struct store *s)
{
	free(s->bucket);
	free(s->hnext);
	free(s->lbucket);
	free(s->lnext);
	free(s->onext);
	free(s->oprev);
	free(s->efree);
	free(s->pfree);
	for (int c = 0; c < NCLASS; c++)
		free(s->cfree[c]);
	if (s->obucket)
		for (int b = 0; b < OBUCKETS; b++)
			while (s->obucket[b]) {
				struct owner *o = s->obucket[b];
				s->obucket[b] = o->next;
				free(o);
			}
	free(s->obucket);
	if (s->sx)
		for (uint64_t j = 0; j <= s->h->sub_cap; j++)
			if (s->sx[j].compiled)
				regfree(&s->sx[j].re);
	free(s->sx);
	memset(s, 0, sizeof(*s));
}

/* used[]: one bit per 16 bytes of heap. */
#define UNIT 16
#define PAGE_BYTES (HEAP_PAGE / UNIT / 8)   /* bytes of used[] per page */

static int bit(const uint8_t *used, uint64_t u)
{
	return used[u / 8] >> (u % 8) & 1;
}

/* Claim units [first, first + n): 0 if one was already claimed. */
static int claim(uint8_t *used, uint64_t first, uint64_t n)
{
	for (uint64_t u = first; u < first + n; u++)
		if (bit(used, u))
			return 0;
	for (uint64_t u = first; u < first + n; u++)
		used[u / 8] |= (uint8_t)(1u << (u % 8));
	return 1;
}

/* Is entry e's current version sound, given the heap's page table?  Its
 * blocks are claimed in used[]. */
static int value_ok(struct store *s, const struct pent *e, uint8_t *used)
{
	const struct pver *v = ent_ver(e);
	if (!ds_has_data(e->type))
		return v->len == 0;
	if (v->len == 0)
		return e->type == DSF_TYPE_MEM;
	if (v->len > s->h->max_value)
		return 0;
	uint64_t hw = atomic_load_explicit(&s->h->page_hw, RLX);
	uint64_t p = v->off / HEAP_PAGE;
	if (p >= hw)
		return 0;
	uint32_t pg = atomic_load_explicit(&s->pages[p], RLX);
	if (pg >= 1 && pg <= NCLASS) {
		uint64_t bs = 16u << (pg - 1);
		if (class_of(v->len) != (int)pg - 1 || v->off % bs)
			return 0;
		return claim(used, v->off / UNIT, bs / UNIT);
	}
	if (!(pg & PG_LARGE))
		return 0;
	uint64_t n = pg & ~PG_LARGE;
	if (v->off % HEAP_PAGE || class_of(v->len) >= 0 ||
	    n != (v->len + HEAP_PAGE - 1) / HEAP_PAGE || p + n > hw)
		return 0;
	for (uint64_t q = 1; q < n; q++)
		if (atomic_load_explicit(&s->pages[p + q], RLX) != PG_CONT)
			return 0;
	for (uint64_t q = p; q < p + n; q++) {
		uint8_t *u = used + q * PAGE_BYTES;
		for (uint64_t k = 0; k < PAGE_BYTES; k++)
			if (u[k])
				return 0;
	}
	memset(used + p * PAGE_BYTES, 0xff, n * PAGE_BYTES);
	return 1;
}

static int ver_ok(const struct pent *e)
{
	const struct pver *v = ent_ver(e);
	return strnlen(v->owner, OWNER_LEN) < OWNER_LEN && v->owner[0] &&
	       (v->flags & DSF_MASK_TYPE) == e->type;
}

static int rebuild_heap(struct store *s, uint8_t *used)
{
	uint64_t hw = atomic_load_explicit(&s->h->page_hw, RLX);
	for (uint64_t p = 0; p < hw; p++) {
		uint32_t pg = atomic_load_explicit(&s->pages[p], RLX);
		const uint8_t *u = used + p * PAGE_BYTES;
		int any = 0;
		for (uint64_t k = 0; k < PAGE_BYTES && !any; k++)
			any = u[k] != 0;
		if (!any) {
			free_pages(s, p, 1);
		} else if (pg >= 1 && pg <= NCLASS) {
			uint64_t bs = 16u << (pg - 1);
			for (uint64_t b = HEAP_PAGE / bs; b-- > 0;) {
				uint64_t off = p * HEAP_PAGE + b * bs;
				if (!bit(used, off / UNIT) &&
				    push_block(s, (int)pg - 1, off) < 0)
					return -ENOMEM;
			}
		}
		/* pages of a value's run (PG_LARGE, PG_CONT): in use */
	}
	return 0;
}

int store_open(struct store *s, void *base, size_t size, int created,
               const struct dsd_caps *caps)
{
	memset(s, 0, sizeof(*s));
	struct phdr *h = base;
	struct layout l;
	if (size < sizeof(*h))
		return -EINVAL;
	if (created || h->magic == 0) {
		if (layout_of(caps, &l) < 0 || l.end > size)
			return -EINVAL;
		memset(h, 0, sizeof(*h));
		h->version = DSD_VERSION;
		h->ent_cap = caps->entries;
		h->heap_size = caps->heap;
		h->sub_cap = caps->subs;
		h->max_value = caps->max_value;
		atomic_thread_fence(memory_order_release);
		h->magic = DSD_MAGIC;
	} else {
		if (h->magic != DSD_MAGIC || h->version != DSD_VERSION)
			return -EINVAL;
		struct dsd_caps have = { h->ent_cap, h->heap_size, h->sub_cap,
		                         h->max_value };
		if (layout_of(&have, &l) < 0 || l.end > size)
			return -EINVAL;
	}
	s->base = base;
	s->size = size;
	s->h = h;
	s->pages = (_Atomic uint32_t *)(void *)((uint8_t *)base + l.pages);
	s->ent = (struct pent *)(void *)((uint8_t *)base + l.ent);
	s->sub = (struct psub *)(void *)((uint8_t *)base + l.sub);
	s->marks = (_Atomic uint64_t *)(void *)((uint8_t *)base + l.marks);
	s->heap = (uint8_t *)base + l.heap;
	s->words_per_sub = words_per_sub(h->ent_cap);
	s->mark_punch = 1;
	/* high-water marks beyond the limits are damage: clamp them */
	if (atomic_load(&h->ent_hw) > h->ent_cap)
		atomic_store(&h->ent_hw, h->ent_cap);
	if (atomic_load(&h->sub_hw) > h->sub_cap + 1)
		atomic_store(&h->sub_hw, h->sub_cap + 1);
	if (atomic_load(&h->page_hw) > h->heap_size / HEAP_PAGE)
		atomic_store(&h->page_hw, h->heap_size / HEAP_PAGE);

	uint64_t cap = h->ent_cap, hb = 1024;
	while (hb < atomic_load(&h->ent_hw) && hb < cap)
		hb *= 2;   /* maybe_grow() doubles it as the store grows */
	s->hmask = hb - 1;
	uint64_t npages = h->heap_size / HEAP_PAGE;
	s->bucket = calloc(hb, sizeof(uint32_t));
	s->lbucket = calloc(hb, sizeof(uint32_t));
	s->hnext = calloc(cap, sizeof(uint32_t));
	s->lnext = calloc(cap, sizeof(uint32_t));
	s->onext = calloc(cap, sizeof(uint32_t));
	s->oprev = calloc(cap, sizeof(uint32_t));
	s->efree = calloc(cap, sizeof(uint32_t));
	s->pfree = calloc(npages, 1);
	s->obucket = calloc(OBUCKETS, sizeof(*s->obucket));
	s->sx = calloc(h->sub_cap + 1, sizeof(*s->sx));
	uint64_t phw = atomic_load(&h->page_hw);
	uint8_t *used = calloc(phw * PAGE_BYTES + 1, 1);
	if (!s->bucket || !s->lbucket || !s->hnext || !s->lnext || !s->onext ||
	    !s->oprev || !s->efree || !s->pfree || !s->obucket || !s->sx ||
	    !used) {
		free(used);
		store_close(s);
		return -ENOMEM;
	}

	/* entries: every sound one is indexed, the rest are free */
	uint64_t ehw = atomic_load(&h->ent_hw);
	for (uint64_t i = 0; i < ehw; i++) {
		struct pent *e = &s->ent[i];
		if (atomic_load(&e->state) != 1) {
			atomic_store(&e->state, 0);   /* damage: free */
			continue;
		}
		int ok = key_ok(e->key) && ds_type_ok(e->type) &&
		         e->keylen == strlen(e->key) && ver_ok(e) &&
		         find(s, e->key, e->type) < 0 && value_ok(s, e, used);
		if (!ok) {
			atomic_store(&e->state, 0);
			continue;
		}
		idx_insert(s, i);
		if (owner_add(s, i, ent_ver(e)->owner) < 0) {
			free(used);
			store_close(s);
			return -ENOMEM;
		}
		if (e->type == DSF_TYPE_LABEL)
			lidx_insert(s, i, ent_ver(e)->u32);
		s->nent++;
	}
	for (uint64_t i = 0; i < ehw; i++)   /* ascending: already a heap */
		if (atomic_load(&s->ent[i].state) != 1)
			s->efree[s->nefree++] = (uint32_t)i;
	int r = rebuild_heap(s, used);
	free(used);
	if (r < 0) {
		store_close(s);
		return r;
	}

	/* subscriptions: the newest of an owner's wins */
	for (uint64_t j = 0; j < sub_hw(s); j++) {
		struct psub *u = &s->sub[j];
		if (atomic_load(&u->state) != 1) {
			atomic_store(&u->state, 0);   /* damage: free */
			continue;
		}
		int ok = strnlen(u->owner, OWNER_LEN) < OWNER_LEN && u->owner[0] &&
		         u->patlen >= 1 && u->patlen < DS_MAX_PATTERN &&
		         strnlen(u->pat, DS_MAX_PATTERN) == u->patlen &&
		         compile(&s->sx[j].re, u->pat) == 0;
		if (!ok) {
			atomic_store(&u->state, 0);
			continue;
		}
		s->sx[j].compiled = 1;
		s->nsub++;
		for (uint64_t k = 0; k < j; k++)
			if (atomic_load(&s->sub[k].state) &&
			    !strcmp(s->sub[k].owner, u->owner)) {
				sub_drop(s, s->sub[k].seq > u->seq ? j : k);
				break;
			}
	}

	/* a label removal the previous instance did not finish */
	uint32_t how = atomic_load(&h->cascade);
	if (how == CASCADE_DOWN || how == CASCADE_RESET) {
		char label[OWNER_LEN];
		memcpy(label, h->cascade_label, OWNER_LEN);
		label[OWNER_LEN - 1] = '\0';
		if (*label)
			store_cascade(s, label, (int)how);
	}
	atomic_store(&h->cascade, CASCADE_NONE);
	return 0;
}
