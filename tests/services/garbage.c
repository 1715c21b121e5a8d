/*
 * garbage.c - send malformed control frames to reincd's public socket.
 *
 *   garbage [-seed N] [-rounds N]
 *
 * Connects to $REINC_RUNTIME_DIR/reincd.sock again and again and writes
 * frames that are wrong in every way the decoder has to catch: empty,
 * short, wrong version, a length that disagrees with the frame, unknown
 * and reincd-to-participant types, fields that overrun the frame, integers
 * of the wrong size, strings with NULs or too long, duplicated fields,
 * descriptors nobody asked for, and random bytes behind a valid header.
 * It never sends a well-formed request that changes anything (no
 * shutdown, down, ...), so reincd must simply drop these peers and go on
 * serving.  The frames are built here byte by byte, independently of
 * lib/proto.c, on purpose.  Exit 0 once everything was sent (send errors
 * are expected: reincd may hang up on us); 1 if reincd could not be
 * reached at all.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HDR 16
#define MAXF 20000

/* Types as in docs/protocol.md (lib/proto.h); harmless ones only. */
enum { T_HELLO = 1, T_UP = 2, T_LOOKUP = 9, T_STATUS = 11, T_CONNECT = 12,
       T_INIT_REPLY = 40, T_PONG = 41, T_REPLY = 64, T_STATUS_REC = 65,
       T_INIT = 66, T_PING = 67, T_CHAN_ADD = 68, T_CHAN_DEL = 69 };
enum { F_RESULT = 1, F_LABEL = 2, F_PATH = 3, F_ARGV = 4, F_EP = 9,
       F_CHANS = 17 };

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static uint64_t rng = 88172645463325252ull;
static int sent_ok, connects;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int conn(void)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	connects++;
	return fd;
}

/* Drain whatever reincd answered, without waiting. */
static void drain(int fd)
{
	char buf[MAXF];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void sendfr(int fd, const void *p, size_t n, int with_fds)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	int fds[8];
	int nfds = 0;
	if (with_fds) {
		nfds = 1 + (int)(rnd() % 8);
		for (int i = 0; i < nfds; i++)
			fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
		sent_ok++;
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	drain(fd);
}

static void put16(uint8_t *p, unsigned v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}
static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

struct fr { size_t len; uint8_t b[MAXF]; };

static void begin(struct fr *f, int ver, int type)
{
	memset(f->b, 0, HDR);
	f->b[0] = (uint8_t)ver;
	put16(f->b + 2, (unsigned)type);
	put64(f->b + 8, rnd());
	f->len = HDR;
}

/* Append a field whose declared length may differ from the bytes put. */
static void field(struct fr *f, unsigned tag, unsigned declared,
                  const void *v, size_t n)
{
	if (f->len + 4 + n > MAXF)
		return;
	put16(f->b + f->len, tag);
	put16(f->b + f->len + 2, declared);
	if (n)
		memcpy(f->b + f->len + 4, v, n);
	f->len += 4 + n;
}

static void finish(struct fr *f)
{
	put32(f->b + 4, (uint32_t)(f->len - HDR));
}

/* One connection per malformed frame: reincd is expected to hang up. */
static void one(struct fr *f, int with_fds)
{
	int fd = conn();
	if (fd < 0)
		return;
	sendfr(fd, f->b, f->len, with_fds);
	close(fd);
}

static void fixed_cases(void)
{
	static struct fr f;
	uint8_t big[5000];
	memset(big, 'A', sizeof(big));

	/* empty frame, then 1..15 bytes */
	int fd = conn();
	if (fd >= 0) {
		sendfr(fd, "", 0, 0);
		close(fd);
	}
	for (size_t n = 1; n < HDR; n++) {
		for (size_t i = 0; i < n; i++)
			f.b[i] = (uint8_t)rnd();
		f.b[0] = 1;
		f.len = n;
		one(&f, 0);
	}
	/* wrong version, non-zero reserved byte */
	begin(&f, 2, T_STATUS); finish(&f); one(&f, 0);
	begin(&f, 0, T_STATUS); finish(&f); one(&f, 0);
	begin(&f, 1, T_STATUS); f.b[1] = 7; finish(&f); one(&f, 0);
	/* declared length disagrees with the frame */
	begin(&f, 1, T_STATUS); put32(f.b + 4, 100); one(&f, 0);
	begin(&f, 1, T_STATUS); put32(f.b + 4, 0xffffffffu); f.len = 40; one(&f, 0);
	/* unknown types and reincd-to-participant types */
	int types[] = { 0, 999, 0xffff, 39, 63, T_REPLY, T_STATUS_REC, T_INIT,
	                T_PING, T_CHAN_ADD, T_CHAN_DEL, T_INIT_REPLY, T_PONG };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		begin(&f, 1, types[i]);
		uint8_t v[8] = { 0 };
		field(&f, F_RESULT, 8, v, 8);
		finish(&f);
		one(&f, i & 1);
	}
	/* a field that overruns the frame; a truncated field header */
	begin(&f, 1, T_LOOKUP); field(&f, F_LABEL, 500, "hello", 5); finish(&f);
	one(&f, 0);
	begin(&f, 1, T_LOOKUP); f.b[f.len++] = F_LABEL; f.b[f.len++] = 0;
	finish(&f); one(&f, 0);
	/* an integer of the wrong size */
	begin(&f, 1, T_LOOKUP); field(&f, F_EP, 4, "\1\2\3\4", 4); finish(&f);
	one(&f, 0);
	/* a string with a NUL inside; a string too long */
	begin(&f, 1, T_LOOKUP); field(&f, F_LABEL, 5, "he\0lo", 5); finish(&f);
	one(&f, 0);
	begin(&f, 1, T_LOOKUP); field(&f, F_LABEL, sizeof(big), big, sizeof(big));
	finish(&f); one(&f, 0);
	begin(&f, 1, T_STATUS); field(&f, F_LABEL, 4097, big, 4097); finish(&f);
	one(&f, 0);
	/* the same field twice */
	begin(&f, 1, T_LOOKUP); field(&f, F_LABEL, 1, "a", 1);
	field(&f, F_LABEL, 1, "b", 1); finish(&f); one(&f, 0);
	/* a lookup with neither label nor endpoint, an absurd endpoint */
	begin(&f, 1, T_LOOKUP); finish(&f); one(&f, 0);
	begin(&f, 1, T_LOOKUP); {
		uint8_t v[8];
		put64(v, 0x8000000000000000ull);
		field(&f, F_EP, 8, v, 8);
	}
	finish(&f); one(&f, 0);
	/* connect to an absurd endpoint, with descriptors nobody asked for */
	begin(&f, 1, T_CONNECT); {
		uint8_t v[8];
		put64(v, (uint64_t)-1);
		field(&f, F_EP, 8, v, 8);
	}
	finish(&f); one(&f, 1);
	/* channel records from a stranger */
	begin(&f, 1, T_CHAN_ADD); field(&f, F_CHANS, 7, big, 7); finish(&f);
	one(&f, 1);
	/* up with a path holding a NUL: a malformed request, never run */
	begin(&f, 1, T_UP); field(&f, F_PATH, 13, "/nonexistent\0", 13);
	field(&f, F_ARGV, 3, "a\0b", 3); field(&f, F_LABEL, 15, big, 15);
	finish(&f); one(&f, 0);
	/* hello twice on one connection, then junk on it */
	fd = conn();
	if (fd >= 0) {
		begin(&f, 1, T_HELLO); finish(&f);
		sendfr(fd, f.b, f.len, 0);
		sendfr(fd, f.b, f.len, 0);
		sendfr(fd, big, 64, 1);
		close(fd);
	}
	/* a frame larger than any reincd accepts */
	memset(f.b, 0, sizeof(f.b));
	begin(&f, 1, T_STATUS);
	f.len = MAXF;
	finish(&f);
	one(&f, 0);
	/* connect and vanish */
	for (int i = 0; i < 20; i++) {
		fd = conn();
		if (fd >= 0)
			close(fd);
	}
}

static void random_cases(int rounds)
{
	static struct fr f;
	static const int harmless[] = { T_HELLO, T_LOOKUP, T_STATUS, T_CONNECT,
	                                T_INIT_REPLY, T_PONG, T_REPLY, T_INIT,
	                                T_PING, T_CHAN_ADD, T_CHAN_DEL, 0, 77 };
	for (int i = 0; i < rounds; i++) {
		int fd = conn();
		if (fd < 0)
			continue;
		int frames = 1 + (int)(rnd() % 4);
		for (int k = 0; k < frames; k++) {
			size_t n = (size_t)(rnd() % 300);
			if (rnd() % 2) {
				/* a valid header, random fields */
				begin(&f, 1, harmless[rnd() % (sizeof(harmless) /
				                               sizeof(harmless[0]))]);
				for (size_t j = 0; j < n; j++)
					f.b[f.len++] = (uint8_t)rnd();
				if (rnd() % 4)
					finish(&f);
			} else {
				f.len = n;
				for (size_t j = 0; j < n; j++)
					f.b[j] = (uint8_t)rnd();
			}
			/* never a valid shutdown/down/...: those types are
			 * not in the list, and random headers are version-
			 * checked first */
			if (f.len >= 4 && f.b[0] == 1 && f.b[1] == 0) {
				unsigned t = f.b[2] | f.b[3] << 8;
				if (t >= T_UP && t <= 16 && t != T_LOOKUP &&
				    t != T_STATUS && t != T_CONNECT)
					f.b[2] = T_STATUS;
			}
			sendfr(fd, f.b, f.len, rnd() % 8 == 0);
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	int rounds = 300;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-seed"))
			rng ^= strtoull(argv[i + 1], NULL, 0) * 2654435761u;
		else if (!strcmp(argv[i], "-rounds"))
			rounds = atoi(argv[i + 1]);
	}
	const char *dir = getenv("REINC_RUNTIME_DIR");
	if (!dir || snprintf(sock_path, sizeof(sock_path), "%s/reincd.sock",
	                     dir) >= (int)sizeof(sock_path)) {
		fprintf(stderr, "garbage: REINC_RUNTIME_DIR unset or too long\n");
		return 1;
	}
	fixed_cases();
	random_cases(rounds);
	printf("garbage: %d connections, %d frames accepted by the socket\n",
	       connects, sent_ok);
	return connects > 0 ? 0 : 1;
}
