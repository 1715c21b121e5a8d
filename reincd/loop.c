/*
 * loop.c - the epoll instance every watched descriptor is registered
 * with, the clock, and deferred frees: an object whose descriptor was
 * closed may still have an event in the batch being handled, so its
 * memory is released only after the batch (loop_bury).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <time.h>

#include "reincd.h"

struct config cfg = {
	.tick_ms = 100, .init_ms = 10000, .grace_ms = 2000,
	.event_subs = 4, .event_timeout_ms = 10000,
};
int shutting_down;
static int epfd = -1;

static int tfd = -1;
static int64_t armed = INT64_MAX;
static struct watch timer_watch = { .kind = W_TIMER };

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	/* One-shot, armed for the earliest deadline of any service: reincd
	 * does not wake up at all when nothing is due. */
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd < 0)
		return -errno;
	return loop_add(tfd, &timer_watch, EPOLLIN);
}

void loop_wake_at(int64_t when)
{
	if (when >= armed)
		return;
	if (when < 1)
		when = 1;
	struct itimerspec its = {
		.it_value = { when / 1000, (when % 1000) * 1000000 },
	};
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		armed = when;
}

void loop_timer_fired(void)
{
	uint64_t n;
	if (read(tfd, &n, sizeof(n)) < 0)
		{ /* a spurious wakeup: nothing to read */ }
	armed = INT64_MAX;
}

int loop_wait(struct epoll_event *evs, int max)
{
	return epoll_wait(epfd, evs, max, -1);
}

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_add(int fd, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int loop_mod(int fd, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void loop_del(int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void **graveyard;
static size_t ngrave, capgrave;

void loop_defer_free(void *p)
{
	if (ngrave == capgrave) {
		size_t cap = capgrave ? capgrave * 2 : 32;
		void **n = realloc(graveyard, cap * sizeof(*n));
		if (!n) {
			/* leaking is safer than a use after free */
			return;
		}
		graveyard = n;
		capgrave = cap;
	}
	graveyard[ngrave++] = p;
}

void loop_bury(void)
{
	for (size_t i = 0; i < ngrave; i++)
		free(graveyard[i]);
	ngrave = 0;
}

