/*
 * sef_lu.c - live update, service side (MINIX SEF's sef_liveupdate.c),
 * and the state-transfer API: blobs, persistent regions, stored
 * descriptors.
 *
 * The old instance.  reincd's P_LU_PREPARE is remembered by the control
 * dispatcher and handled by sef_receive before its next receive: the
 * state is checked (isvalid), then, before every receive while
 * preparing, readiness is decided (WORK_FREE: at once; UNREACHABLE:
 * never; PREPARE_CRASH: crash; others: the prepare callback).  Once
 * ready, state_save runs and the response callback reports to reincd
 * and blocks: the instance takes no message until reincd answers.  An
 * answer means the update did not happen (or, for -EDEADEPT, that this
 * instance was detached): the state goes back to NULL and serving
 * resumes.  On success reincd kills the instance and no answer comes.
 *
 * The new instance gets its init request with type LU, the blob, and
 * every channel; its regions are mapped copy-on-write (MAP_PRIVATE)
 * until reincd commits the update, so that a rollback finds the old
 * state untouched.  At the commit the pages it wrote are copied into the
 * shared region and the mapping is replaced by a shared one at the same
 * address (sef__lu_init_end).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sef_internal.h"

static sef_cb_lu_prepare_t cb_prepare = sef_cb_lu_prepare_null;
static sef_cb_lu_state_isvalid_t cb_isvalid = sef_cb_lu_state_isvalid_generic;
static sef_cb_lu_state_changed_t cb_changed = sef_cb_lu_state_changed_null;
static sef_cb_lu_state_dump_t cb_dump = sef_cb_lu_state_dump_null;
static sef_cb_lu_state_save_t cb_save = sef_cb_lu_state_save_null;
static sef_cb_lu_response_t cb_response = sef_cb_lu_response_rs_reply;

SEF__SETCB(sef_setcb_lu_prepare, sef_cb_lu_prepare_t, cb_prepare)
SEF__SETCB(sef_setcb_lu_state_isvalid, sef_cb_lu_state_isvalid_t, cb_isvalid)
SEF__SETCB(sef_setcb_lu_state_changed, sef_cb_lu_state_changed_t, cb_changed)
SEF__SETCB(sef_setcb_lu_state_dump, sef_cb_lu_state_dump_t, cb_dump)
SEF__SETCB(sef_setcb_lu_state_save, sef_cb_lu_state_save_t, cb_save)
SEF__SETCB(sef_setcb_lu_response, sef_cb_lu_response_t, cb_response)

/* ------------------------------------------------------------------ */
/* predefined callbacks                                                 */

int sef_cb_lu_prepare_null(int state) { return -ENOTREADY; }
int sef_cb_lu_prepare_always_ready(int state) { return 0; }
int sef_cb_lu_prepare_never_ready(int state) { return -ENOTREADY; }

int sef_cb_lu_prepare_crash(int state)
{
	fprintf(stderr, "Simulating a crash at update prepare time...\n");
	fflush(stderr);
	abort();
}

int sef_cb_lu_state_isvalid_null(int state, int flags) { return 0; }

int sef_cb_lu_state_isvalid_standard(int state, int flags)
{
	return SEF_LU_STATE_IS_STANDARD(state);
}

int sef_cb_lu_state_isvalid_workfree(int state, int flags)
{
	return state == SEF_LU_STATE_WORK_FREE;
}

int sef_cb_lu_state_isvalid_workfree_self(int state, int flags)
{
	return state == SEF_LU_STATE_WORK_FREE &&
	       (flags & (SEF_LU_SELF | SEF_LU_ASR));
}

int sef_cb_lu_state_isvalid_generic(int state, int flags)
{
	return state == SEF_LU_STATE_EVAL || state == SEF_LU_STATE_WORK_FREE;
}

void sef_cb_lu_state_changed_null(int old_state, int state) { }

void sef_cb_lu_state_dump_null(int state)
{
	printf("NULL\n");
}

int sef_cb_lu_state_save_null(int state, int flags) { return 0; }
int sef_cb_lu_response_null(message *m) { return -ENOSYS; }

/* Report to reincd and wait for its answer (m_i32[0] = state, m_i32[1] =
 * result).  Returns the answer: -EINTR (cancelled or timed out), the
 * update's error, -EDEADEPT (detached), or an IPC error. */
int sef_cb_lu_response_rs_reply(message *m)
{
	struct sef__state *st = sef__st;
	if (!st || st->mode != SEF_MODE_SERVICE)
		return -ENOSYS;
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	int result = m->m_i32[1];
	int nfd = 0;
	proto_begin(pb, P_LU_READY, ++st->ctl_id);
	proto_put_int(pb, T_RESULT, result);
	proto_put_int(pb, T_LU_STATE, m->m_i32[0]);
	if (result == 0 && st->lu_blob_fd >= 0) {
		proto_put_int(pb, T_SIZE, (int64_t)st->lu_blob_len);
		proto_put_int(pb, T_STATE_VER, st->lu_blob_ver);
		nfd = 1;
	}
	int r = sef__ctl_call_fds(pb, &st->lu_blob_fd, nfd, NULL);
	free(pb);
	return r;
}

/* ------------------------------------------------------------------ */
/* the prepare protocol                                                 */

static int neg(int r)
{
	return r > 0 ? -r : r;
}

static void set_state(int state)
{
	struct sef__state *st = sef__st;
	int old = st->lu_state;
	st->lu_state = state;
	if (state == SEF_LU_STATE_NULL) {
		st->lu_flags = 0;
		if (st->lu_nfilt) {  /* filters go with the preparation */
			st->lu_nfilt = 0;
			sef__ipc_unpark();
		}
	}
	if (old != state)
		cb_changed(old, state);
}

static void drop_blob(void)
{
	struct sef__state *st = sef__st;
	if (st->lu_blob_fd >= 0)
		close(st->lu_blob_fd);
	st->lu_blob_fd = -1;
	st->lu_blob_len = 0;
	st->lu_blob_ver = 0;
}

/* Detached (-e): the service now belongs to the new instance.  Let go of
 * every channel, so that this one can never take its messages. */
static void detach(void)
{
	struct sef__state *st = sef__st;
	for (uint32_t i = 0; i < LIVE_MAX_CHAN; i++)
		sef__chan_remove(CHAN_CALLEE, i);
	for (uint32_t i = 0; i < SEF_MAX_CALLER; i++)
		sef__chan_remove(CHAN_CALLER, i);
	st->self = NONE;
	fprintf(stderr, "libsef: detached from the service by a live update\n");
	fflush(stderr);
}

/* MINIX's sef_lu_ready: save the state if ready, report, block until the
 * answer; back here only if the update did not happen. */
static void lu_ready(int state, int result)
{
	struct sef__state *st = sef__st;
	if (result == 0) {
		int r = neg(cb_save(state, st->lu_flags));
		if (r != 0)
			result = r;
	}
	message m;
	memset(&m, 0, sizeof(m));
	m.m_type = RS_LU_PREPARE;
	m.m_i32[0] = state;
	m.m_i32[1] = result;
	if (result == 0) {
		/* Blocked from here on: process events not handed up yet
		 * go, and reincd sends them again to whichever instance runs
		 * next (this one if the update fails). */
		sef__pev_clear();
		st->pev_drop = 1;
	}
	int r = neg(cb_response(&m));
	st->pev_drop = 0;
	if (r == -EDEADEPT)
		detach();
	drop_blob();
	set_state(SEF_LU_STATE_NULL);
}

void sef__lu_request(const struct proto_msg *pm)
{
	struct sef__state *st = sef__st;
	st->lu_req = 1;
	st->lu_req_state = (int)proto_int(pm, T_LU_STATE, 0);
	st->lu_req_flags = (int)proto_int(pm, T_FLAGS, 0);
	st->lu_req_nfilt = 0;
	if (proto_has(pm, T_IPC_FILTERS)) {
		uint32_t len = pm->slen[T_IPC_FILTERS];
		const uint8_t *p = (const uint8_t *)pm->sval[T_IPC_FILTERS];
		int max = IPCF_MAX_FILTERS * IPCF_MAX_ELEMENTS;
		if (len % IPCF_REC_SIZE || len == 0 ||
		    len / IPCF_REC_SIZE > (uint32_t)max) {
			st->lu_req_nfilt = -1;  /* malformed: EINVAL */
			return;
		}
		st->lu_req_nfilt = (int)(len / IPCF_REC_SIZE);
		for (int i = 0; i < st->lu_req_nfilt; i++)
			ipcf_decode(p + i * IPCF_REC_SIZE, &st->lu_req_filt[i]);
	}
}

static int element_matches(const struct ipcf_rec *r, endpoint_t src, int type)
{
	if ((r->flags & IPCF_SRC) && r->ep != src)
		return 0;
	if ((r->flags & IPCF_ANY_USR) && src < REINC_USER_EP_BASE)
		return 0;
	if ((r->flags & IPCF_ANY_SYS) && src >= REINC_USER_EP_BASE)
		return 0;
	if ((r->flags & IPCF_TYPE) && r->type != type)
		return 0;
	return 1;
}

int sef__lu_filter_pass(endpoint_t src, int type)
{
	struct sef__state *st = sef__st;
	for (int f = 0; f < IPCF_MAX_FILTERS; f++) {
		int present = 0, hit = 0, white = 0;
		for (int i = 0; i < st->lu_nfilt; i++) {
			const struct ipcf_rec *r = &st->lu_filt[i];
			if (r->filter != f)
				continue;
			present = 1;
			white = r->kind == IPCF_WL;
			hit |= element_matches(r, src, type);
		}
		if (present && (white ? !hit : hit))
			return 0;
	}
	return 1;
}

/* The filters of a request: 0, or -EINVAL (MINIX: an empty or bad filter
 * fails the preparation). */
static int check_filters(void)
{
	struct sef__state *st = sef__st;
	if (st->lu_req_nfilt < 0)
		return -EINVAL;
	for (int i = 0; i < st->lu_req_nfilt; i++) {
		const struct ipcf_rec *r = &st->lu_req_filt[i];
		if ((r->kind != IPCF_BL && r->kind != IPCF_WL) ||
		    r->filter >= IPCF_MAX_FILTERS || r->flags == 0)
			return -EINVAL;
		/* one kind per filter */
		for (int j = 0; j < i; j++)
			if (st->lu_req_filt[j].filter == r->filter &&
			    st->lu_req_filt[j].kind != r->kind)
				return -EINVAL;
	}
	return 0;
}

static void handle_request(void)
{
	struct sef__state *st = sef__st;
	int state = st->lu_req_state, flags = st->lu_req_flags;
	st->lu_req = st->lu_req_seen = 0;
	if (state == SEF_LU_STATE_NULL) {  /* cancel */
		drop_blob();
		set_state(SEF_LU_STATE_NULL);
		return;
	}
	if (st->lu_state != SEF_LU_STATE_NULL) {
		lu_ready(state, -EBUSY);
		return;
	}
	if (state < 0) {
		lu_ready(state, -EINVAL);
		return;
	}
	if (!SEF_LU_STATE_IS_DEBUG(state) && !cb_isvalid(state, flags)) {
		lu_ready(state, cb_isvalid == sef_cb_lu_state_isvalid_generic
		                ? -ENOSYS : -EINVAL);
		return;
	}
	/* EVAL needs an expression over the service's globals, which only
	 * MINIX's LLVM instrumentation could evaluate. */
	if (state == SEF_LU_STATE_EVAL || check_filters() < 0) {
		lu_ready(state, -EINVAL);
		return;
	}
	st->lu_flags = flags;
	memcpy(st->lu_filt, st->lu_req_filt,
	       (size_t)st->lu_req_nfilt * sizeof(st->lu_filt[0]));
	st->lu_nfilt = st->lu_req_nfilt;
	set_state(state);
}

void sef__lu_before_receive(void)
{
	struct sef__state *st = sef__st;
	if (st->lu_req)
		handle_request();
	if (st->lu_state == SEF_LU_STATE_NULL)
		return;
	int state = st->lu_state, r;
	switch (state) {
	case SEF_LU_STATE_WORK_FREE:
		r = 0;  /* we are back at the top of the loop */
		break;
	case SEF_LU_STATE_UNREACHABLE:
		r = -ENOTREADY;
		break;
	case SEF_LU_STATE_PREPARE_CRASH:
		r = sef_cb_lu_prepare_crash(state);
		break;
	default:
		r = neg(cb_prepare(state));
	}
	if (r != -ENOTREADY)
		lu_ready(state, r);
}

int sef_lu_state(void)
{
	return sef__st ? sef__st->lu_state : SEF_LU_STATE_NULL;
}

/* ------------------------------------------------------------------ */
/* blobs                                                                */

int sef_lu_state_put(uint32_t version, const void *data, size_t len)
{
	struct sef__state *st = sef__st;
	if (!st || st->mode != SEF_MODE_SERVICE ||
	    st->lu_state == SEF_LU_STATE_NULL)
		return -EINVAL;
	if (!data && len)
		return -EFAULT;
	int fd = memfd_create("reinc-state", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	const char *p = data;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? -errno : -EIO;
			close(fd);
			return e;
		}
		done += (size_t)n;
	}
	drop_blob();
	st->lu_blob_fd = fd;
	st->lu_blob_len = len;
	st->lu_blob_ver = version;
	return 0;
}

int sef_lu_state_get(uint32_t *version, const void **data, size_t *len)
{
	struct sef__state *st = sef__st;
	if (!st || !st->lu_init || !st->lu_in_blob)
		return -ENOENT;
	if (version)
		*version = st->lu_in_ver;
	if (data)
		*data = st->lu_in_blob;
	if (len)
		*len = st->lu_in_len;
	return 0;
}

/* An empty blob still maps: point at something harmless. */
static const char empty_blob[1];

void sef__lu_init_begin(const struct proto_msg *pm, int *fds, int nfds)
{
	struct sef__state *st = sef__st;
	int type = (int)proto_int(pm, T_INIT_TYPE, SEF_INIT_FRESH);
	st->lu_init = type == SEF_INIT_LU;
	int used = 0;
	if (st->lu_init && (proto_int(pm, T_FLAGS, 0) & INITF_BLOB) &&
	    nfds >= 1) {
		int64_t len = proto_int(pm, T_SIZE, 0);
		used = 1;
		if (len == 0) {
			st->lu_in_blob = empty_blob;
		} else if (len > 0) {
			void *p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE,
			               fds[0], 0);
			if (p != MAP_FAILED)
				st->lu_in_blob = p;
		}
		if (st->lu_in_blob) {
			st->lu_in_len = (size_t)len;
			st->lu_in_ver = (uint32_t)proto_int(pm, T_STATE_VER, 0);
		}
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	(void)used;
}

/* ------------------------------------------------------------------ */
/* regions                                                              */

/* Regions mapped copy-on-write during an LU init, until the commit. */
#define MAX_REGIONS 64
static struct region {
	char name[SEF_REGION_MAX_NAME + 1];
	void *addr;
	size_t size;
	int fd;        /* kept while private (until the commit) */
} regions[MAX_REGIONS];
static int nregions;

static int name_ok(const char *name, size_t max)
{
	size_t n = name ? strnlen(name, max + 1) : 0;
	if (n < 1 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < ' ' || name[i] == 0x7f)
			return 0;
	return 1;
}

static int store_call(int type, int sub, const char *name, int64_t size,
                      int send_fd, int *fd_out)
{
	struct sef__state *st = sef__st;
	if (!st || st->mode != SEF_MODE_SERVICE)
		return -EPERM;  /* user processes have no service state */
	struct proto_buf *pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	proto_begin(pb, type, ++st->ctl_id);
	proto_put_int(pb, T_SUBTYPE, sub);
	proto_put_str(pb, T_NAME, name);
	if (size >= 0)
		proto_put_int(pb, T_SIZE, size);
	int r = sef__ctl_call_fds(pb, &send_fd, send_fd >= 0 ? 1 : 0, fd_out);
	free(pb);
	return r;
}

void *sef_region_map(const char *name, size_t size, int *created)
{
	struct sef__state *st = sef__st;
	if (!name_ok(name, SEF_REGION_MAX_NAME) || size == 0 ||
	    size > ((size_t)1 << 40)) {
		errno = EINVAL;
		return NULL;
	}
	if (!st || st->mode == SEF_MODE_NONE) {
		errno = EPERM;
		return NULL;
	}
	/* Only copy-on-write mappings are tracked (for the commit). */
	if (st->lu_init && nregions == MAX_REGIONS) {
		errno = ENOSPC;
		return NULL;
	}
	int fd = -1;
	int r = store_call(P_REGION, 1, name, (int64_t)size, -1, &fd);
	if (r < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		errno = r < 0 ? -r : EPROTO;
		return NULL;
	}
	if (created)
		*created = (proto_int(&st->pm, T_FLAGS, 0) & REGF_CREATED) != 0;
	/* Copy-on-write while an update may still roll back. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	               st->lu_init ? MAP_PRIVATE : MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	if (st->lu_init) {
		struct region *g = &regions[nregions++];
		snprintf(g->name, sizeof(g->name), "%s", name);
		g->addr = p;
		g->size = size;
		g->fd = fd;
	} else {
		close(fd);
	}
	return p;
}

int sef_region_remove(const char *name)
{
	if (!name_ok(name, SEF_REGION_MAX_NAME))
		return -EINVAL;
	return store_call(P_REGION, 2, name, -1, -1, NULL);
}

/* The PAGEMAP_SCAN ioctl (Linux 6.7): the kernel reports only the pages
 * that match, instead of one pagemap entry per page (1.3 ms for 1 GiB). */
#ifndef PAGEMAP_SCAN
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
struct page_region {
	uint64_t start, end, categories;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_FILE    (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#endif

static int copy_out(struct region *g, size_t at, size_t len)
{
	if (at + len > g->size)
		len = g->size - at;
	return pwrite(g->fd, (char *)g->addr + at, len, (off_t)at) ==
	       (ssize_t)len ? 0 : -EIO;
}

/* 1: done with the ioctl; 0: not available (fall back); -errno. */
static int scan_written(struct region *g, int pagemap)
{
	struct page_region vec[64];
	uint64_t start = (uintptr_t)g->addr;
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t end = start + (g->size + pg - 1) / pg * pg;
	while (start < end) {
		struct pm_scan_arg a = {
			.size = sizeof(a), .start = start, .end = end,
			.vec = (uintptr_t)vec, .vec_len = 64,
			/* written = no longer the file's page: present and
			 * not file-backed, or swapped out */
			.category_inverted = PAGE_IS_FILE,
			.category_mask = PAGE_IS_FILE,
			.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
			.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED |
			               PAGE_IS_FILE,
		};
		int n = ioctl(pagemap, PAGEMAP_SCAN, &a);
		if (n < 0)
			return errno == ENOTTY || errno == EINVAL ? 0 : -errno;
		for (int i = 0; i < n; i++) {
			size_t at = (size_t)(vec[i].start - (uintptr_t)g->addr);
			if (copy_out(g, at, (size_t)(vec[i].end - vec[i].start)) < 0)
				return -EIO;
		}
		if (a.walk_end <= start)
			return -EIO;
		start = a.walk_end;
	}
	return 1;
}

/* Copy the pages this instance wrote to its private mapping of g into
 * the region, then map the region shared at the same address.  Written
 * pages are the ones that are no longer the file's: anonymous (bit 61
 * clear) when present, or swapped out (bit 62), in /proc/self/pagemap. */
static int commit_region(struct region *g, int pagemap)
{
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t npages = (g->size + pg - 1) / pg;
	uint64_t ent[512];
	uintptr_t base = (uintptr_t)g->addr;
	int r = scan_written(g, pagemap);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < npages;) {
		size_t n = npages - i < 512 ? npages - i : 512;
		off_t off = (off_t)((base / pg + i) * sizeof(uint64_t));
		ssize_t got = pread(pagemap, ent, n * sizeof(uint64_t), off);
		if (got != (ssize_t)(n * sizeof(uint64_t)))
			return -EIO;
		for (size_t k = 0; k < n; k++) {
			uint64_t e = ent[k];
			int present = (e >> 63) & 1, swapped = (e >> 62) & 1,
			    file = (e >> 61) & 1;
			if (!swapped && !(present && !file))
				continue;
			if (copy_out(g, (i + k) * pg, pg) < 0)
				return -EIO;
		}
		i += n;
	}
	void *p = mmap(g->addr, g->size, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_FIXED, g->fd, 0);
	return p == MAP_FAILED ? -errno : 0;
}

void sef__lu_init_end(int ok)
{
	struct sef__state *st = sef__st;
	int was_lu = st->lu_init;
	st->lu_init = 0;
	if (st->lu_in_blob && st->lu_in_blob != empty_blob)
		munmap((void *)st->lu_in_blob, st->lu_in_len);
	st->lu_in_blob = NULL;
	st->lu_in_len = 0;
	if (!was_lu || !ok)
		return;
	int pagemap = -1;
	for (int i = 0; i < nregions; i++) {
		struct region *g = &regions[i];
		if (g->fd < 0)
			continue;
		if (pagemap < 0)
			pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (pagemap < 0 || commit_region(g, pagemap) < 0)
			sef__die("cannot commit region '%s' after the update: %s",
			         g->name, strerror(errno));
		close(g->fd);
		g->fd = -1;
	}
	nregions = 0;
	if (pagemap >= 0)
		close(pagemap);
}

/* ------------------------------------------------------------------ */
/* stored descriptors                                                   */

int sef_fd_store(const char *name, int fd)
{
	if (!name_ok(name, SEF_FD_MAX_NAME) || fd < 0)
		return -EINVAL;
	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	return store_call(P_FDSTORE, FDS_PUT, name, -1, fd, NULL);
}

int sef_fd_retrieve(const char *name)
{
	if (!name_ok(name, SEF_FD_MAX_NAME))
		return -EINVAL;
	int fd = -1;
	int r = store_call(P_FDSTORE, FDS_GET, name, -1, -1, &fd);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd >= 0 ? fd : -EPROTO;
}

int sef_fd_remove(const char *name)
{
	if (!name_ok(name, SEF_FD_MAX_NAME))
		return -EINVAL;
	return store_call(P_FDSTORE, FDS_DEL, name, -1, -1, NULL);
}
