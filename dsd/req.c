/*
 * req.c - dsd's request decoder: checks every field of a request (types,
 * key and pattern lengths, sizes, the grant it names), copies what it
 * needs out of the caller's grant before using it, and calls the store.
 * Pure: no I/O, so the fuzzer drives it directly.
 */
#include <errno.h>
#include <string.h>

#include "ds_proto.h"
#include "dsd.h"

/* Copy the request's key (or pattern) into out[max]: 0 or -errno. */
static int get_key(const struct ds_msg *q, const uint8_t *gbuf, char *out,
                   size_t max)
{
	size_t n = q->key_len;
	if (n == 0 || n >= max)
		return -EINVAL;
	if (n < DS_INLINE_KEY) {
		memcpy(out, q->key, n);
	} else {
		if (!gbuf)
			return -DS_ENOGRANT;
		memcpy(out, gbuf, n);  /* DS_BUF_KEY >= max: in the grant */
	}
	out[n] = '\0';
	return strlen(out) == n ? 0 : -EINVAL;  /* no NUL inside */
}

static int single_type(uint32_t flags)
{
	uint32_t t = flags & DSF_MASK_TYPE;
	return ds_type_ok(t) ? (int)t : -1;
}

int dsd_request(struct store *s, const struct dsd_caller *c, message *m,
                uint8_t *gbuf, size_t gsize, uint64_t gid)
{
	struct ds_msg *q = ds_msg_of(m);
	struct ds_msg in = *q;
	char key[DS_MAX_PATTERN];
	int type = single_type(in.flags);
	int r;

	/* The grant a request names must be the one we hold. */
	if (in.grant && in.grant != gid)
		return -DS_ENOGRANT;
	if (!in.grant) {
		gbuf = NULL;
		gsize = 0;
	}
	if (gbuf && gsize < DS_BUF_KEY)
		return -EINVAL;
	size_t room = gbuf ? gsize - DS_BUF_KEY : 0;
	uint8_t *val = gbuf ? gbuf + DS_BUF_KEY : NULL;

	memset(q, 0, sizeof(*q));
	switch (m->m_type) {
	case DS_PUBLISH:
		if (type < 0 || (in.flags & ~(DSF_MASK_INTERNAL | DSF_OVERWRITE)))
			return -EINVAL;
		if ((r = get_key(&in, gbuf, key, DS_MAX_KEYLEN)) < 0)
			return r;
		if (ds_has_data((uint32_t)type)) {
			if (!gbuf)
				return -DS_ENOGRANT;
			if (in.val_len > room)
				return -EINVAL;
		}
		return store_publish(s, c->label, c->rs, key, (uint32_t)type,
		                     in.flags, in.val, val,
		                     ds_has_data((uint32_t)type) ? in.val_len : 0);

	case DS_RETRIEVE: {
		if (type < 0)
			return -EINVAL;
		if ((r = get_key(&in, gbuf, key, DS_MAX_KEYLEN)) < 0)
			return r;
		if (ds_has_data((uint32_t)type) && !gbuf)
			return -DS_ENOGRANT;
		const struct pent *e;
		if ((r = store_retrieve(s, c->rs ? "rs" : c->label, key,
		                        (uint32_t)type, &e)) < 0)
			return r;
		const struct pver *v = ent_ver(e);
		if (ds_has_data((uint32_t)type)) {
			size_t n = v->len;
			if (n > in.val_len)
				n = in.val_len;
			if (n > room)
				n = room;
			if (n)
				memcpy(val, ent_data(s, e), n);
			q->val_len = (uint32_t)n;
		} else {
			q->val = v->u32;
		}
		q->flags = v->flags;
		return 0;
	}

	case DS_RETRIEVE_LABEL: {
		const char *name;
		if ((r = store_label_name(s, (endpoint_t)in.val, &name)) < 0)
			return r;
		size_t n = strlen(name);
		if (n >= DS_INLINE_KEY)
			return -ENAMETOOLONG;
		memcpy(q->key, name, n + 1);
		q->key_len = (uint32_t)n;
		q->val = in.val;
		return 0;
	}

	case DS_DELETE:
		if (type < 0)
			return -EINVAL;
		if ((r = get_key(&in, gbuf, key, DS_MAX_KEYLEN)) < 0)
			return r;
		return store_delete(s, c->label, c->rs, key, (uint32_t)type);

	case DS_SUBSCRIBE:
		if (in.flags & ~(DSF_MASK_TYPE | DSF_OVERWRITE | DSF_INITIAL))
			return -EINVAL;
		if ((r = get_key(&in, gbuf, key, DS_MAX_PATTERN)) < 0)
			return r;
		return store_subscribe(s, c->label, key, in.flags);

	case DS_CHECK: {
		if (!gbuf)
			return -DS_ENOGRANT;
		const struct pent *e;
		endpoint_t owner;
		if ((r = store_check(s, c->label, &e, &owner)) < 0)
			return r;
		memcpy(gbuf, e->key, e->keylen + 1);
		q->key_len = e->keylen;
		q->flags = e->type;
		q->val = (uint32_t)owner;
		return 0;
	}

	case DS_RESET:
		if (!*c->label || c->rs)
			return -EPERM;
		return store_cascade(s, c->label, CASCADE_RESET);

	default:   /* DS_SNAPSHOT, DS_GETSYSINFO and anything unknown */
		return -EINVAL;
	}
}
