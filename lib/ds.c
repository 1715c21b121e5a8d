/*
 * ds.c - the data store's client API (MINIX libsys/ds.c): each call is
 * one ipc_sendrec to dsd (DS_PROC_NR).  Keys shorter than DS_INLINE_KEY
 * travel in the message; longer keys, string and memory values, patterns
 * and ds_check's key travel through this process's grant, a sealed memfd
 * shared with dsd (see ds_proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ds_proto.h"
#include "sef_internal.h"

static struct {
	int fd;
	uint8_t *buf;
	size_t size;      /* whole grant, DS_BUF_KEY + value room */
	uint64_t id;
	pid_t pid;        /* the process that made it (fork: make a new one) */
	int fresh;        /* dsd has not seen it yet: attach it at once */
} g = { .fd = -1 };

/* A grant with room for a value of vlen bytes. */
static int grant(size_t vlen)
{
	pid_t me = getpid();
	if (g.buf && g.pid == me && g.size - DS_BUF_KEY >= vlen)
		return 0;
	if (vlen > ((size_t)1 << 40))
		return -EINVAL;
	size_t size = 64 * 1024;
	while (size - DS_BUF_KEY < vlen)
		size *= 2;
	int fd = memfd_create("ds-grant", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	void *p = MAP_FAILED;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL) < 0 ||
	    (p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
	    MAP_FAILED) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (g.buf && g.pid == me) {
		munmap(g.buf, g.size);
		close(g.fd);
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	g.fd = fd;
	g.buf = p;
	g.size = size;
	g.pid = me;
	g.id = ((uint64_t)me << 32 ^ (uint64_t)ts.tv_nsec ^
	        (uint64_t)ts.tv_sec << 30) | 1;
	g.fresh = 1;
	return 0;
}

static int key_len(const char *key, size_t max)
{
	if (!key)
		return -EINVAL;
	size_t n = strnlen(key, max);
	return n == 0 || n >= max ? -EINVAL : (int)n;
}

/* Fill in the key: in the message when short, else in the grant. */
static int put_key(message *m, const char *key, size_t max)
{
	int n = key_len(key, max);
	if (n < 0)
		return n;
	struct ds_msg *q = ds_msg_of(m);
	q->key_len = (uint32_t)n;
	if (n < DS_INLINE_KEY) {
		memcpy(q->key, key, (size_t)n + 1);
		return 0;
	}
	int r = grant(0);
	if (r < 0)
		return r;
	memcpy(g.buf, key, (size_t)n + 1);
	q->grant = g.id;
	return 0;
}

/* Is there no data store at all (reincd -ds none, or dsd down)? */
static int no_store(void)
{
	endpoint_t ep;
	return sef__rs_lookup("ds", NONE, &ep, NULL, 0) == -ESRCH;
}

/* One request; the reply replaces *m.  Returns the reply's code. */
static int call(message *m, int retry_dead)
{
	struct ds_msg *q = ds_msg_of(m);
	message req = *m;
	for (int attempt = 0; attempt < 4; attempt++) {
		int pass = q->grant && g.fresh ? g.fd : -1;
		int r = sef__sendrec_fd(DS_PROC_NR, m, pass);
		if (r == -EDEADSRCDST && retry_dead) {
			retry_dead = 0;
			*m = req;
			continue;
		}
		if (r == -EDEADSRCDST && no_store())
			return -ENOSYS;
		if (r < 0)
			return r;
		if (pass >= 0 && m->m_type != -DS_ENOGRANT)
			g.fresh = 0;
		if (m->m_type == -DS_ENOGRANT && ds_msg_of(&req)->grant) {
			g.fresh = 1;  /* dsd lost it (restart, update, eviction) */
			*m = req;
			continue;
		}
		return m->m_type == -DS_ENOGRANT ? -EPROTO : m->m_type;
	}
	return -EPROTO;
}

static void init_msg(message *m, int type, int flags)
{
	memset(m, 0, sizeof(*m));
	m->m_type = type;
	ds_msg_of(m)->flags = (uint32_t)flags;
}

/* ------------------------------------------------------------------ */
/* publish                                                              */

static int publish(const char *name, int type, int flags, uint32_t val,
                   const void *data, size_t len)
{
	message m;
	int r, data_type = type == DSF_TYPE_STR || type == DSF_TYPE_MEM;
	init_msg(&m, DS_PUBLISH, (flags & ~DSF_MASK_TYPE) | type);
	if ((r = key_len(name, DS_MAX_KEYLEN)) < 0)
		return r;   /* a bad key is reported before anything else */
	if (data_type) {
		if (len > UINT32_MAX)
			return -EINVAL;
		if (len && !data)
			return -EFAULT;
		/* room for the value first: put_key may then use the grant */
		if ((r = grant(len)) < 0)
			return r;
	}
	if ((r = put_key(&m, name, DS_MAX_KEYLEN)) < 0)
		return r;
	struct ds_msg *q = ds_msg_of(&m);
	q->val = val;
	if (data_type) {
		if (len)
			memcpy(g.buf + DS_BUF_KEY, data, len);
		q->val_len = (uint32_t)len;
		q->grant = g.id;
	}
	return call(&m, 0);
}

int ds_publish_u32(const char *name, uint32_t val, int flags)
{
	return publish(name, DSF_TYPE_U32, flags, val, NULL, 0);
}

int ds_publish_str(const char *name, const char *val, int flags)
{
	if (!val)
		return -EFAULT;
	return publish(name, DSF_TYPE_STR, flags, 0, val, strlen(val) + 1);
}

int ds_publish_mem(const char *name, const void *val, size_t len, int flags)
{
	return publish(name, DSF_TYPE_MEM, flags, 0, val, len);
}

int ds_publish_label(const char *name, endpoint_t ep, int flags)
{
	return publish(name, DSF_TYPE_LABEL, flags, (uint32_t)ep, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* retrieve                                                             */

static int retrieve(const char *name, int type, message *m, size_t room)
{
	int r, data_type = type == DSF_TYPE_STR || type == DSF_TYPE_MEM;
	init_msg(m, DS_RETRIEVE, type);
	if ((r = key_len(name, DS_MAX_KEYLEN)) < 0)
		return r;   /* a bad key is reported before anything else */
	if (room > UINT32_MAX)
		room = UINT32_MAX;
	/* room for the value first: put_key may then use the grant */
	if (data_type && (r = grant(room)) < 0)
		return r;
	if ((r = put_key(m, name, DS_MAX_KEYLEN)) < 0)
		return r;
	struct ds_msg *q = ds_msg_of(m);
	if (data_type) {
		q->val_len = (uint32_t)room;
		q->grant = g.id;
	}
	return call(m, 1);
}

int ds_retrieve_u32(const char *name, uint32_t *val)
{
	if (!val)
		return -EFAULT;
	message m;
	int r = retrieve(name, DSF_TYPE_U32, &m, 0);
	if (r == 0)
		*val = ds_msg_of(&m)->val;
	return r;
}

int ds_retrieve_str(const char *name, char *buf, size_t len)
{
	if (!buf)
		return -EFAULT;
	message m;
	int r = retrieve(name, DSF_TYPE_STR, &m, len + 1);
	if (r < 0)
		return r;
	size_t n = ds_msg_of(&m)->val_len;
	if (n > len + 1)
		n = len + 1;
	memcpy(buf, g.buf + DS_BUF_KEY, n);
	buf[n ? n - 1 : 0] = '\0';  /* n <= len + 1: truncated at len */
	return 0;
}

int ds_retrieve_mem(const char *name, void *buf, size_t *len)
{
	if (!len || (!buf && *len))
		return -EFAULT;
	message m;
	int r = retrieve(name, DSF_TYPE_MEM, &m, *len);
	if (r < 0)
		return r;
	size_t n = ds_msg_of(&m)->val_len;
	if (n > *len)
		n = *len;
	if (n)
		memcpy(buf, g.buf + DS_BUF_KEY, n);
	*len = n;
	return 0;
}

/* The data store is not running (reincd started without it): naming is
 * then answered by reincd itself. */
static int no_ds(int r)
{
	return r == -EDEADSRCDST || r == -ENOSYS;
}

int ds_retrieve_label_endpt(const char *label, endpoint_t *ep)
{
	if (!ep)
		return -EFAULT;
	if (key_len(label, DS_MAX_KEYLEN) < 0)
		return -EINVAL;
	message m;
	int r = retrieve(label, DSF_TYPE_LABEL, &m, 0);
	if (r == 0)
		*ep = (endpoint_t)ds_msg_of(&m)->val;
	else if (no_ds(r))
		r = strlen(label) < RS_MAX_LABEL_LEN
		    ? sef__rs_lookup(label, NONE, ep, NULL, 0) : -ESRCH;
	return r;
}

int ds_retrieve_label_name(char *label, size_t len, endpoint_t ep)
{
	if (!label || len == 0)
		return -EINVAL;
	message m;
	init_msg(&m, DS_RETRIEVE_LABEL, DSF_TYPE_LABEL);
	ds_msg_of(&m)->val = (uint32_t)ep;
	int r = call(&m, 1);
	if (r == 0) {
		struct ds_msg *q = ds_msg_of(&m);
		size_t n = q->key_len < DS_INLINE_KEY ? q->key_len : 0;
		char tmp[DS_INLINE_KEY];
		memcpy(tmp, q->key, n);
		tmp[n] = '\0';
		snprintf(label, len, "%s", tmp);
	} else if (no_ds(r)) {
		r = sef__rs_lookup(NULL, ep, NULL, label, len);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* delete                                                               */

static int delete(const char *name, int type)
{
	message m;
	init_msg(&m, DS_DELETE, type);
	int r = put_key(&m, name, DS_MAX_KEYLEN);
	return r < 0 ? r : call(&m, 0);
}

int ds_delete_u32(const char *name) { return delete(name, DSF_TYPE_U32); }
int ds_delete_str(const char *name) { return delete(name, DSF_TYPE_STR); }
int ds_delete_mem(const char *name) { return delete(name, DSF_TYPE_MEM); }
int ds_delete_label(const char *name) { return delete(name, DSF_TYPE_LABEL); }

/* ------------------------------------------------------------------ */
/* subscribe, check                                                     */

int ds_subscribe(const char *pattern, int flags)
{
	message m;
	init_msg(&m, DS_SUBSCRIBE, flags);
	int r = put_key(&m, pattern, DS_MAX_PATTERN);
	return r < 0 ? r : call(&m, 0);
}

int ds_check(char *key, int *type, endpoint_t *owner)
{
	if (!key)
		return -EFAULT;
	message m;
	init_msg(&m, DS_CHECK, 0);
	int r = grant(0);
	if (r < 0)
		return r;
	ds_msg_of(&m)->grant = g.id;
	if ((r = call(&m, 0)) < 0)
		return r;
	struct ds_msg *q = ds_msg_of(&m);
	size_t n = q->key_len < DS_MAX_KEYLEN ? q->key_len : DS_MAX_KEYLEN - 1;
	memcpy(key, g.buf, n);
	key[n] = '\0';
	if (type)
		*type = (int)(q->flags & DSF_MASK_TYPE);
	if (owner)
		*owner = (endpoint_t)q->val;
	return 0;
}

/* ------------------------------------------------------------------ */
/* reset: a restart that resets the state drops the label's entries    */

void sef__ds_reset(void)
{
	struct sef__state *st = sef__st;
	if (!st || st->mode != SEF_MODE_SERVICE || st->self == DS_PROC_NR)
		return;
	/* Only a service that ever talked to the data store can own
	 * anything there; its caller channel survives restarts. */
	int have = 0;
	for (int i = 0; i < SEF_MAX_CALLER && !have; i++)
		have = st->caller[i].used && st->caller[i].peer == DS_PROC_NR;
	if (!have)
		return;
	message m;
	init_msg(&m, DS_RESET, 0);
	/* One-way, ahead of anything this instance will send: the channel
	 * keeps the order, so dsd drops the old entries first. */
	ipc_send(DS_PROC_NR, &m);
}
