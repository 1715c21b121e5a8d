/*
 * store.c - what a service keeps across its instances: persistent named
 * memory regions (memfds) and stored file descriptors.  Both belong to
 * the service, not to an instance: they survive crashes and live updates
 * and go when the service is removed (down, -f, a failed first init).
 *
 * Limits: STORE_MAX_REGIONS regions and STORE_MAX_FDS descriptors per
 * service (past them: ENOSPC), names of 1..63 bytes and regions of at
 * most 1 TiB (else EINVAL, from request_check).  A refused request
 * changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reincd.h"

enum { ST_REGION = 1, ST_FD };

struct stored {
	int kind;
	char name[64];
	int fd;
	struct stored *next;
};

static struct stored *find(struct svc *s, int kind, const char *name)
{
	for (struct stored *x = s->store; x; x = x->next)
		if (x->kind == kind && !strcmp(x->name, name))
			return x;
	return NULL;
}

static void unlink_free(struct svc *s, struct stored *x)
{
	struct stored **pp = &s->store;
	while (*pp && *pp != x)
		pp = &(*pp)->next;
	if (*pp)
		*pp = x->next;
	if (x->kind == ST_REGION)
		s->nregions--;
	else
		s->nfds--;
	close(x->fd);
	free(x);
}

static struct stored *add(struct svc *s, int kind, const char *name, int fd)
{
	struct stored *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->kind = kind;
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->fd = fd;
	x->next = s->store;
	s->store = x;
	if (kind == ST_REGION)
		s->nregions++;
	else
		s->nfds++;
	return x;
}

static void reply_fd(struct conn *c, uint64_t id, int fd, int64_t size,
                     int flags)
{
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return;
	proto_begin(pb, P_REPLY, id);
	proto_put_int(pb, T_RESULT, 0);
	if (size >= 0)
		proto_put_int(pb, T_SIZE, size);
	proto_put_int(pb, T_FLAGS, flags);
	conn_send(c, pb, &fd, 1);
	free(pb);
}

static void region(struct svc *s, struct conn *c, const struct proto_msg *pm)
{
	const char *name = proto_str(pm, T_NAME);
	struct stored *x = find(s, ST_REGION, name);
	if (proto_int(pm, T_SUBTYPE, 0) == 2) {  /* remove */
		if (!x) {
			conn_reply(c, pm->id, -ENOENT, "no such region");
			return;
		}
		unlink_free(s, x);
		conn_reply(c, pm->id, 0, NULL);
		return;
	}
	int64_t want = proto_int(pm, T_SIZE, 0);
	int created = 0;
	if (!x) {
		if (s->nregions >= STORE_MAX_REGIONS) {
			conn_reply(c, pm->id, -ENOSPC, "too many regions");
			return;
		}
		int fd = memfd_create("reinc-region", MFD_CLOEXEC);
		if (fd < 0) {
			conn_reply(c, pm->id, -errno, "cannot create the region");
			return;
		}
		if (!(x = add(s, ST_REGION, name, fd))) {
			close(fd);
			conn_reply(c, pm->id, -ENOMEM, NULL);
			return;
		}
		created = 1;
	}
	struct stat sb;
	if (fstat(x->fd, &sb) < 0) {
		conn_reply(c, pm->id, -errno, NULL);
		return;
	}
	/* Grown, never shrunk: an older instance may still map all of it. */
	if (sb.st_size < want && ftruncate(x->fd, want) < 0) {
		int e = errno;
		if (created)
			unlink_free(s, x);
		conn_reply(c, pm->id, -e, "cannot size the region");
		return;
	}
	reply_fd(c, pm->id, x->fd, sb.st_size > want ? sb.st_size : want,
	         created ? REGF_CREATED : 0);
	if (created)
		log_debug("service '%s': region '%s' created (%lld bytes)",
		          s->label, name, (long long)want);
}

static void fdstore(struct svc *s, struct conn *c, const struct proto_msg *pm,
                    int fd)
{
	const char *name = proto_str(pm, T_NAME);
	struct stored *x = find(s, ST_FD, name);
	switch (proto_int(pm, T_SUBTYPE, 0)) {
	case FDS_PUT:
		if (fd < 0) {
			conn_reply(c, pm->id, -EINVAL, "no descriptor attached");
			return;
		}
		if (x) {
			close(x->fd);
			x->fd = fd;
		} else if (s->nfds >= STORE_MAX_FDS) {
			close(fd);
			conn_reply(c, pm->id, -ENOSPC, "too many stored descriptors");
			return;
		} else if (!add(s, ST_FD, name, fd)) {
			close(fd);
			conn_reply(c, pm->id, -ENOMEM, NULL);
			return;
		}
		conn_reply(c, pm->id, 0, NULL);
		return;
	case FDS_GET:
		if (!x)
			conn_reply(c, pm->id, -ENOENT, "nothing stored under that name");
		else
			reply_fd(c, pm->id, x->fd, -1, 0);
		break;
	case FDS_DEL:
		if (!x) {
			conn_reply(c, pm->id, -ENOENT, "nothing stored under that name");
		} else {
			unlink_free(s, x);
			conn_reply(c, pm->id, 0, NULL);
		}
		break;
	}
	if (fd >= 0)
		close(fd);
}

void store_request(struct svc *s, struct conn *c, const struct proto_msg *pm,
                   int fd)
{
	if (pm->type == P_REGION) {
		if (fd >= 0)
			close(fd);
		region(s, c, pm);
	} else {
		fdstore(s, c, pm, fd);
	}
}

void store_free(struct svc *s)
{
	while (s->store)
		unlink_free(s, s->store);
}
