/*
 * proto.c - encode/decode of control frames, descriptor passing, the
 * runtime directory and duration parsing.  Shared by libsef, reincd and
 * reinc.  Does not allocate, log or exit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

/* Kind of each tag: the decoder checks sizes against it. */
enum { K_NONE, K_INT, K_STR, K_BLOB };
static const unsigned char tag_kind[T_MAX_TAG] = {
	[T_RESULT] = K_INT, [T_LABEL] = K_STR, [T_PATH] = K_STR,
	[T_ARGV] = K_BLOB, [T_PERIOD_MS] = K_INT, [T_SCRIPT] = K_STR,
	[T_FLAGS] = K_INT, [T_RESTARTS] = K_INT, [T_EP] = K_INT,
	[T_OLD_EP] = K_INT, [T_INIT_TYPE] = K_INT, [T_INIT_FLAGS] = K_INT,
	[T_PID] = K_INT, [T_STATE] = K_STR, [T_UPTIME_MS] = K_INT,
	[T_ALIVE_MS] = K_INT, [T_CHANS] = K_BLOB, [T_ERRMSG] = K_STR,
	[T_RESET_MS] = K_INT, [T_BACKOFF_MS] = K_INT, [T_SUBTYPE] = K_INT,
	[T_LU_STATE] = K_INT, [T_MAXTIME_MS] = K_INT, [T_ENV] = K_BLOB,
	[T_CWD] = K_STR, [T_SFLAGS] = K_STR, [T_STANDBY_PID] = K_INT,
	[T_CMD] = K_STR, [T_INIT_MS] = K_INT, [T_NAME] = K_STR,
	[T_SIZE] = K_INT, [T_STATE_VER] = K_INT, [T_TRG_LABEL] = K_STR,
	[T_IPC_FILTERS] = K_BLOB, [T_EVENT] = K_INT, [T_SIGNO] = K_INT,
	[T_UID] = K_INT, [T_GID] = K_INT, [T_IPC] = K_BLOB,
	[T_CONTROL] = K_BLOB, [T_SYSCALLS] = K_BLOB, [T_RLIMITS] = K_BLOB,
};

void proto_begin(struct proto_buf *pb, int type, uint64_t id)
{
	pb->err = 0;
	pb->len = PROTO_HDR;
	pb->b[0] = PROTO_VERSION;
	pb->b[1] = 0;
	pb->b[2] = (uint8_t)type;
	pb->b[3] = (uint8_t)(type >> 8);
	put_le32(pb->b + 4, 0);
	put_le64(pb->b + 8, id);
}

static uint8_t *put_field(struct proto_buf *pb, int tag, size_t n)
{
	if (pb->err || n > 0xffff || pb->len + 4 + n > PROTO_MAX_FRAME) {
		pb->err = -E2BIG;
		return NULL;
	}
	uint8_t *p = pb->b + pb->len;
	p[0] = (uint8_t)tag; p[1] = (uint8_t)(tag >> 8);
	p[2] = (uint8_t)n; p[3] = (uint8_t)(n >> 8);
	pb->len += 4 + n;
	return p + 4;
}

void proto_put_int(struct proto_buf *pb, int tag, int64_t v)
{
	uint8_t *p = put_field(pb, tag, 8);
	if (p)
		put_le64(p, (uint64_t)v);
}

void proto_put_str(struct proto_buf *pb, int tag, const char *s)
{
	size_t n = strlen(s);
	if (n > PROTO_MAX_STR) {
		pb->err = -E2BIG;
		return;
	}
	proto_put_blob(pb, tag, s, n);
}

void proto_put_blob(struct proto_buf *pb, int tag, const void *src, size_t n)
{
	uint8_t *p = put_field(pb, tag, n);
	if (p && n)
		memcpy(p, src, n);
}

int proto_finish(struct proto_buf *pb)
{
	if (pb->err)
		return pb->err;
	put_le32(pb->b + 4, (uint32_t)(pb->len - PROTO_HDR));
	return (int)pb->len;
}

int proto_decode(const uint8_t *buf, size_t len, struct proto_msg *pm)
{
	if (len < PROTO_HDR || len > PROTO_MAX_FRAME)
		return -EPROTO;
	if (buf[0] != PROTO_VERSION || buf[1] != 0)
		return -EPROTO;
	int type = buf[2] | buf[3] << 8;
	if (type <= 0 || type >= P_TYPE_LAST)
		return -EPROTO;
	if (get_le32(buf + 4) != len - PROTO_HDR)
		return -EPROTO;
	pm->type = type;
	pm->id = get_le64(buf + 8);
	pm->present = 0;

	size_t off = PROTO_HDR, used = 0;
	while (off < len) {
		if (len - off < 4)
			return -EPROTO;
		unsigned tag = buf[off] | buf[off + 1] << 8;
		size_t n = buf[off + 2] | (size_t)buf[off + 3] << 8;
		off += 4;
		if (n > len - off)
			return -EPROTO;
		const uint8_t *v = buf + off;
		off += n;
		if (tag >= T_MAX_TAG || tag_kind[tag] == K_NONE)
			continue;  /* a newer peer's field: skip it */
		if ((pm->present >> tag) & 1)
			return -EPROTO;
		switch (tag_kind[tag]) {
		case K_INT:
			if (n != 8)
				return -EPROTO;
			pm->ival[tag] = (int64_t)get_le64(v);
			break;
		case K_STR:
			if (n > PROTO_MAX_STR || memchr(v, 0, n))
				return -EPROTO;
			/* fall through */
		case K_BLOB:
			if (used + n + 1 > sizeof(pm->arena))
				return -EPROTO;
			memcpy(pm->arena + used, v, n);
			pm->arena[used + n] = 0;
			pm->sval[tag] = pm->arena + used;
			pm->slen[tag] = (uint32_t)n;
			used += n + 1;
			break;
		}
		pm->present |= (uint64_t)1 << tag;
	}
	return 0;
}

int proto_sendfds(int fd, const void *buf, size_t len, const int *fds,
                  int nfds, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds < 0 || nfds > PROTO_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	for (;;) {
		ssize_t r = sendmsg(fd, &mh, flags | MSG_NOSIGNAL);
		if (r >= 0)
			return (size_t)r == len ? 0 : -EMSGSIZE;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t proto_recvfds(int fd, void *buf, size_t cap, int *fds, int *nfds,
                      int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	int max = nfds ? *nfds : 0, got = 0, bad = 0;
	ssize_t r;

	if (nfds)
		*nfds = 0;
	do
		r = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int *p = (int *)CMSG_DATA(c);
		for (int i = 0; i < n; i++) {
			int d;
			memcpy(&d, p + i, sizeof(int));
			if (got < max)
				fds[got++] = d;
			else {
				close(d);
				bad = 1;
			}
		}
	}
	if (nfds)
		*nfds = got;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		bad = 1;
	if (bad) {
		for (int i = 0; i < got; i++)
			close(fds[i]);
		if (nfds)
			*nfds = 0;
		return -EPROTO;
	}
	return r;
}

int proto_send(int fd, struct proto_buf *pb, const int *fds, int nfds)
{
	int n = proto_finish(pb);
	if (n < 0)
		return n;
	return proto_sendfds(fd, pb->b, (size_t)n, fds, nfds, 0);
}

int proto_runtime_dir(char *buf, size_t len)
{
	const char *e = getenv("REINC_RUNTIME_DIR");
	int n;

	if (e && *e)
		n = snprintf(buf, len, "%s", e);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/reinc");
	else if ((e = getenv("XDG_RUNTIME_DIR")) && *e)
		n = snprintf(buf, len, "%s/reinc", e);
	else
		n = snprintf(buf, len, "/tmp/reinc-%u", (unsigned)geteuid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int proto_parse_duration(const char *s, int64_t *ms)
{
	if (!s || !*s)
		return -EINVAL;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v != v || isspace((unsigned char)*s))
		return -EINVAL;
	double mul;
	if (!*end)
		mul = 1000.0 / 60.0;   /* MINIX ticks at 60 Hz */
	else if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s") || !strcmp(end, "HZ") || !strcmp(end, "hz"))
		mul = 1000;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60000;
	else if (!strcmp(end, "us"))
		mul = 0.001;
	else
		return -EINVAL;
	double r = v * mul;
	if (r > 1e12)
		return -EINVAL;
	*ms = (int64_t)(r + 0.5);
	if (*ms == 0 && v > 0)
		*ms = 1;
	return 0;
}
