/*
 * ctl.c - libsef's control connection to reincd: requests (connect,
 * lookup, init reply) and the events reincd pushes (new channels, pings).
 *
 * A service's control socket is a socketpair reincd hands it at spawn; a
 * user process connects to reincd's public socket.  Frames are proto.h
 * control frames.  This module never blocks except where its caller asks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sef_internal.h"

void sef__die(const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "libsef: %s\n", buf);
	fflush(stderr);
	_exit(1);
}

int sef__ctl_connect_public(void)
{
	char dir[4096];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r = proto_runtime_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
	                     REINC_SOCK_NAME) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int sef__ctl_recv(int block, int *fds, int *nfds)
{
	struct sef__state *st = sef__st;
	ssize_t n = proto_recvfds(st->ctl_fd, st->ctl_buf, sizeof(st->ctl_buf),
	                          fds, nfds, block ? 0 : MSG_DONTWAIT);
	if (n == -EAGAIN)
		return 0;
	if (n == 0)
		return -EPIPE;      /* reincd is gone */
	if (n < 0)
		return (int)n;
	if (proto_decode(st->ctl_buf, (size_t)n, &st->pm) < 0) {
		for (int i = 0; nfds && i < *nfds; i++)
			close(fds[i]);
		if (nfds)
			*nfds = 0;
		return -EPROTO;
	}
	return 1;
}

static void chans_frame(struct proto_msg *pm, int *fds, int nfds, int add)
{
	if (!proto_has(pm, T_CHANS) || pm->slen[T_CHANS] % CHAN_REC_SIZE) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return;
	}
	int n = (int)(pm->slen[T_CHANS] / CHAN_REC_SIZE);
	const uint8_t *p = (const uint8_t *)pm->sval[T_CHANS];
	for (int i = 0; i < n; i++) {
		struct chan_rec r;
		chan_rec_decode(p + i * CHAN_REC_SIZE, &r);
		if (!add)
			sef__chan_remove((int)r.role, r.slot);
		else if (i < nfds)
			sef__chan_install(&r, fds[i]);
	}
	for (int i = add ? n : 0; i < nfds; i++)
		close(fds[i]);
}

void sef__ctl_dispatch(struct proto_msg *pm, int *fds, int nfds)
{
	switch (pm->type) {
	case P_CHAN_ADD:
		chans_frame(pm, fds, nfds, 1);
		return;
	case P_CHAN_DEL:
		chans_frame(pm, fds, nfds, 0);
		return;
	case P_PING:
		sef__st->ping_pending = 1;
		break;
	case P_LU_PREPARE:
		sef__lu_request(pm);
		break;
	case P_PROC_EVENT:
		sef__pev_queue(pm);
		break;
	default:
		/* late replies, init requests after init: nothing to do */
		break;
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

int sef__ctl_read(int block)
{
	int fds[PROTO_MAX_FDS], nfds = PROTO_MAX_FDS;
	int r = sef__ctl_recv(block, fds, &nfds);
	if (r <= 0)
		return r == -EPROTO ? 1 : r;
	sef__ctl_dispatch(&sef__st->pm, fds, nfds);
	return 1;
}

int sef__ctl_call(struct proto_buf *pb, int *fd_out)
{
	return sef__ctl_call_fds(pb, NULL, 0, fd_out);
}

int sef__ctl_call_fds(struct proto_buf *pb, const int *sfds, int snfds,
                      int *fd_out)
{
	struct sef__state *st = sef__st;
	uint64_t id = get_le64(pb->b + 8);
	if (fd_out)
		*fd_out = -1;
	int r = proto_send(st->ctl_fd, pb, sfds, snfds);
	if (r < 0)
		return r;
	for (;;) {
		int fds[PROTO_MAX_FDS], nfds = PROTO_MAX_FDS;
		r = sef__ctl_recv(1, fds, &nfds);
		if (r == -EPROTO)
			continue;
		if (r < 0)
			return r;
		if (st->pm.type == P_REPLY && st->pm.id == id) {
			for (int i = 0; i < nfds; i++) {
				if (fd_out && *fd_out < 0)
					*fd_out = fds[i];
				else
					close(fds[i]);
			}
			return (int)proto_int(&st->pm, T_RESULT, -EPROTO);
		}
		sef__ctl_dispatch(&st->pm, fds, nfds);
	}
}
