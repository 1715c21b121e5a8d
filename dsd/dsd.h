/*
 * dsd.h - the data store's store (store.c) and request handler (req.c).
 *
 * Everything that must survive dsd itself lives in one persistent region
 * (sef_region_map "ds"), laid out as
 *
 *   header | heap page table | entries | subscriptions | marks | heap
 *
 * and is written so that dsd can be killed between any two instructions:
 * an entry appears when its state word is set, changes when its version
 * selector flips, and goes when its state word is cleared; a value is
 * written into a free heap block before the entry points at it.  Indexes
 * (hash tables, free lists, compiled patterns) are private memory, rebuilt
 * from the region when an instance starts: O(entries).  A label's removal
 * (many entries) is written down first and finished by the next instance
 * if this one dies half-way.
 */
#ifndef REINC_DSD_H
#define REINC_DSD_H

#include <regex.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sef.h"

#define DSD_MAGIC   0x31445344u  /* "DSD1" */
#define DSD_VERSION 1
#define OWNER_LEN   16           /* a label and its NUL */

#define HEAP_PAGE_SHIFT 16       /* 64 KiB pages */
#define HEAP_PAGE       (1u << HEAP_PAGE_SHIFT)
#define NCLASS          12       /* blocks of 16 B .. 32 KiB */
#define PG_FREE         0u
#define PG_LARGE        0x80000000u  /* | pages: first page of a run */
#define PG_CONT         0x40000000u  /* later page of a run */

/* Limits: every one can be set on dsd's command line. */
struct dsd_caps {
	uint64_t entries;     /* -entries N */
	uint64_t heap;        /* -heap SIZE: bytes for string/memory values */
	uint64_t subs;        /* -subs N */
	uint64_t max_value;   /* -max-value SIZE */
};
#define DSD_DEF_ENTRIES   1048576
#define DSD_DEF_HEAP      (256ull << 20)
#define DSD_DEF_SUBS      1024
#define DSD_DEF_MAX_VALUE (16ull << 20)

struct pver {                /* one version of an entry's value */
	uint32_t flags;          /* DSF_* kept (IN_USE | type | PRIV_*) */
	uint32_t u32;            /* U32 value, LABEL endpoint */
	uint64_t off;            /* STR/MEM: heap offset */
	uint32_t len;            /* STR/MEM: length */
	char owner[OWNER_LEN];   /* label of the last publisher */
	uint32_t pad;
};

struct pent {
	_Atomic uint32_t state;  /* 1: in use */
	_Atomic uint32_t sel;    /* index of the current version */
	uint32_t type;           /* DSF_TYPE_* */
	uint32_t keylen;
	char key[DS_MAX_KEYLEN];
	struct pver v[2];
};

struct psub {
	_Atomic uint32_t state;  /* 1: in use */
	uint32_t typemask;       /* DSF_TYPE_* bits; 0: all */
	uint32_t patlen;
	uint32_t pad;
	uint64_t seq;            /* newest wins if an owner has two */
	char owner[OWNER_LEN];
	char pat[DS_MAX_PATTERN];
};

enum { CASCADE_NONE = 0, CASCADE_DOWN = 1, CASCADE_RESET = 2 };

struct phdr {
	uint32_t magic, version;
	uint64_t ent_cap, heap_size, sub_cap, max_value;
	_Atomic uint64_t ent_hw;     /* entries below this may be in use */
	_Atomic uint64_t page_hw;    /* heap pages below this may be in use */
	_Atomic uint64_t sub_hw;
	_Atomic uint64_t sub_seq;
	_Atomic uint32_t cascade;    /* a label removal under way */
	char cascade_label[OWNER_LEN];
	uint8_t pad[4096 - 96];
};
_Static_assert(sizeof(struct phdr) == 4096, "header is one page");

struct owner;                /* private: entries owned by one label */
struct subx {                /* private per subscription */
	regex_t re;
	int compiled;
	uint64_t lo;             /* no mark below this entry */
	int notify;              /* a notification is due */
};

struct store {
	/* the region */
	uint8_t *base;
	size_t size;
	struct phdr *h;
	_Atomic uint32_t *pages;
	struct pent *ent;
	struct psub *sub;
	_Atomic uint64_t *marks;     /* sub_cap bitmaps of ent_cap bits */
	uint8_t *heap;
	uint64_t words_per_sub;

	/* private indexes */
	uint32_t *bucket, *hnext;    /* (key, type) -> entry + 1 */
	uint32_t *lbucket, *lnext;   /* label endpoint -> entry + 1 */
	uint32_t *onext, *oprev;     /* owner lists, entry + 1 */
	struct owner **obucket;
	uint64_t hmask;
	uint32_t *efree;             /* free entry stack */
	uint64_t nefree, nent;
	uint64_t *cfree[NCLASS];     /* free heap blocks per class */
	uint64_t ncfree[NCLASS], capcfree[NCLASS];
	uint8_t *pfree;              /* 1: heap page free */
	uint64_t npfree;
	struct subx *sx;
	uint64_t nsub;
	int mark_punch;              /* MADV_REMOVE works on the region */
	int notify_due;              /* some sx[].notify is set */

	/* notify a subscriber's owner (dsd.c); NULL for none */
	void (*notify)(struct store *s, const char *owner);
	void *user;
};

/* Bytes of region the limits need. */
size_t store_size(const struct dsd_caps *caps);
/* Attach to a region (created: zero-filled) and rebuild the indexes.
 * The region's own limits win over caps when it exists.  0 or -errno. */
int store_open(struct store *s, void *base, size_t size, int created,
               const struct dsd_caps *caps);
void store_close(struct store *s);

/* Operations: 0 or -errno, MINIX's meanings.  caller is the calling
 * service's label ("" for a user process); rs: the caller is reincd. */
int store_publish(struct store *s, const char *caller, int rs,
                  const char *key, uint32_t type, uint32_t flags,
                  uint32_t u32, const void *val, uint32_t len);
/* On success *e is the entry (valid until the next change). */
int store_retrieve(struct store *s, const char *caller, const char *key,
                   uint32_t type, const struct pent **e);
int store_label_name(struct store *s, endpoint_t ep, const char **name);
int store_delete(struct store *s, const char *caller, int rs,
                 const char *key, uint32_t type);
int store_subscribe(struct store *s, const char *caller, const char *pat,
                    uint32_t flags);
/* The next changed key of caller's subscription: *e is the entry. */
int store_check(struct store *s, const char *caller, const struct pent **e,
                endpoint_t *owner_ep);
/* Drop owner's entries and subscription; CASCADE_DOWN drops its label
 * entry too. */
int store_cascade(struct store *s, const char *label, int how);
/* Notify every subscriber (after a restart: a notification may have been
 * lost with the previous instance). */
void store_notify_all(struct store *s);
/* Send the notifications that are due. */
void store_flush_notify(struct store *s);

/* req.c: decode and serve one request.  gbuf/gsize/gid: the caller's
 * grant as dsd holds it (NULL, 0, 0: none).  Returns the reply code and
 * fills the reply's payload in m. */
struct dsd_caller {
	endpoint_t ep;
	const char *label;       /* "" for a user process */
	int rs;                  /* reincd */
};
int dsd_request(struct store *s, const struct dsd_caller *c, message *m,
                uint8_t *gbuf, size_t gsize, uint64_t gid);

/* The four entry types; STR and MEM have their value in the heap. */
static inline int ds_type_ok(uint32_t t)
{
	return t == DSF_TYPE_U32 || t == DSF_TYPE_STR || t == DSF_TYPE_MEM ||
	       t == DSF_TYPE_LABEL;
}
static inline int ds_has_data(uint32_t t)
{
	return t == DSF_TYPE_STR || t == DSF_TYPE_MEM;
}

static inline const struct pver *ent_ver(const struct pent *e)
{
	return &e->v[atomic_load_explicit(&e->sel, memory_order_acquire) & 1];
}
static inline const void *ent_data(const struct store *s, const struct pent *e)
{
	return s->heap + ent_ver(e)->off;
}

#endif
