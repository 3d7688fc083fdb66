/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_store.c -- rpmemd's pool store on top of libpmem
 *
 * libpmem does the flushing (pmem_persist / pmem_msync /
 * pmem_deep_persist) and maps a lone device DAX (pmem_map_file knows its
 * alignment).  Multi-part sets are mapped by hand: one PROT_NONE
 * reservation, then every part MAP_FIXED into it, so the client sees one
 * contiguous range.  MAP_SHARED_VALIDATE | MAP_SYNC is tried first: when
 * the kernel accepts it the file is on DAX and CPU cache flushes alone
 * make data durable, which is what "is pmem" means to the persist policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_inject.h"
#include "pool_store.h"
#include "rpmem_proto.h"

/* older libc headers lack these; the values are the kernel ABI */
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

#define HDR_MAGIC "RPMEMPL"	/* 8 bytes with the NUL */
#define HDR_MAGIC_LEN 8
#define HDR_OFF_VERSION 8
#define HDR_OFF_FLAGS 12
#define HDR_OFF_USABLE 16
#define HDR_OFF_NPARTS 24
#define HDR_OFF_PART 28
#define HDR_OFF_POOL_ID 32
#define HDR_POOL_ID_LEN 16
#define HDR_OFF_ATTR 48
#define HDR_OFF_CSUM (HDR_OFF_ATTR + RPMEM_ATTR_WIRE_SIZE)	/* 152 */

/* big enough to let fsdax use 2 MiB pages for the whole pool */
#define STORE_MAP_ALIGN ((size_t)2 << 20)

/* the decoded identifying fields of a header */
struct store_hdr {
	uint32_t version;
	uint32_t flags;
	uint64_t usable;
	uint32_t nparts;
	uint32_t part;
	uint8_t pool_id[HDR_POOL_ID_LEN];
	struct rpmem_pool_attr attr;
};

struct rpmemd_pool {
	const struct rpmemd_poolset *set;
	int *fds;		/* one per part, -1 when not open */
	char *made;		/* made[i]: part i was created by us */
	char *base;		/* client offset 0 */
	size_t size;		/* usable size (client view) */
	size_t hdr_size;
	int devdax;		/* mapped with pmem_map_file */
	size_t map_len;		/* length to unmap at base */
	int is_pmem;
	int created;
	uint8_t pool_id[HDR_POOL_ID_LEN];
};

/* store_msg -- "pool set '<name>': <text>" into msg; returns status */
__attribute__((format(printf, 5, 6)))
static int
store_msg(char *msg, size_t msglen, const struct rpmemd_poolset *set,
		int status, const char *fmt, ...)
{
	va_list ap;
	size_t off = 0;

	if (msglen == 0)
		return status;
	int n = snprintf(msg, msglen, "pool set '%s': ", set->name);
	if (n > 0)
		off = (size_t)n < msglen ? (size_t)n : msglen - 1;
	va_start(ap, fmt);
	vsnprintf(msg + off, msglen - off, fmt, ap);
	va_end(ap);
	return status;
}

/* store_errno_status -- status for a failed file operation */
static int
store_errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return RPMEM_ST_NOEXIST;
	case EACCES:
	case EPERM:
	case EROFS:
		return RPMEM_ST_NOACCESS;
	case EEXIST:
		return RPMEM_ST_EXISTS;
	case EWOULDBLOCK:
		return RPMEM_ST_BUSY;
	case ENOMEM:
		return RPMEM_ST_NOMEM;
	default:
		return RPMEM_ST_FATAL;
	}
}

/* store_attr_encode -- rpmem_pool_attr to its 104-byte LE form */
static void
store_attr_encode(const struct rpmem_pool_attr *a, uint8_t *p)
{
	memcpy(p, a->signature, RPMEM_POOL_HDR_SIG_LEN);
	p += RPMEM_POOL_HDR_SIG_LEN;
	rpmem_put_le32(p, a->major);
	rpmem_put_le32(p + 4, a->compat_features);
	rpmem_put_le32(p + 8, a->incompat_features);
	rpmem_put_le32(p + 12, a->ro_compat_features);
	p += 16;
	memcpy(p, a->poolset_uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->next_uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->prev_uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->user_flags, RPMEM_POOL_USER_FLAGS_LEN);
}

/* store_attr_decode -- the 104-byte LE form to rpmem_pool_attr */
static void
store_attr_decode(const uint8_t *p, struct rpmem_pool_attr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, p, RPMEM_POOL_HDR_SIG_LEN);
	p += RPMEM_POOL_HDR_SIG_LEN;
	a->major = rpmem_get_le32(p);
	a->compat_features = rpmem_get_le32(p + 4);
	a->incompat_features = rpmem_get_le32(p + 8);
	a->ro_compat_features = rpmem_get_le32(p + 12);
	p += 16;
	memcpy(a->poolset_uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->next_uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->prev_uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->user_flags, p, RPMEM_POOL_USER_FLAGS_LEN);
}

/* store_hdr_csum -- FNV-1a 64 of the header, checksum field as zero */
static uint64_t
store_hdr_csum(const uint8_t *buf)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < RPMEMD_POOL_HDR_SIZE; i++) {
		uint8_t b = (i >= HDR_OFF_CSUM && i < HDR_OFF_CSUM + 8) ?
			0 : buf[i];
		h ^= b;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* store_hdr_encode -- build the 4096-byte header image */
static void
store_hdr_encode(const struct store_hdr *h, uint8_t *buf)
{
	memset(buf, 0, RPMEMD_POOL_HDR_SIZE);
	memcpy(buf, HDR_MAGIC, HDR_MAGIC_LEN);
	rpmem_put_le32(buf + HDR_OFF_VERSION, h->version);
	rpmem_put_le32(buf + HDR_OFF_FLAGS, h->flags);
	rpmem_put_le64(buf + HDR_OFF_USABLE, h->usable);
	rpmem_put_le32(buf + HDR_OFF_NPARTS, h->nparts);
	rpmem_put_le32(buf + HDR_OFF_PART, h->part);
	memcpy(buf + HDR_OFF_POOL_ID, h->pool_id, HDR_POOL_ID_LEN);
	store_attr_encode(&h->attr, buf + HDR_OFF_ATTR);
	rpmem_put_le64(buf + HDR_OFF_CSUM, store_hdr_csum(buf));
}

/* store_hdr_decode -- check magic, checksum and version; NULL when valid */
static const char *
store_hdr_decode(const uint8_t *buf, struct store_hdr *h)
{
	if (memcmp(buf, HDR_MAGIC, HDR_MAGIC_LEN) != 0)
		return "no pool header (bad magic)";
	if (rpmem_get_le64(buf + HDR_OFF_CSUM) != store_hdr_csum(buf))
		return "corrupted pool header (bad checksum)";
	h->version = rpmem_get_le32(buf + HDR_OFF_VERSION);
	if (h->version != RPMEMD_POOL_HDR_VERSION)
		return "unsupported pool header version";
	h->flags = rpmem_get_le32(buf + HDR_OFF_FLAGS);
	h->usable = rpmem_get_le64(buf + HDR_OFF_USABLE);
	h->nparts = rpmem_get_le32(buf + HDR_OFF_NPARTS);
	h->part = rpmem_get_le32(buf + HDR_OFF_PART);
	memcpy(h->pool_id, buf + HDR_OFF_POOL_ID, HDR_POOL_ID_LEN);
	store_attr_decode(buf + HDR_OFF_ATTR, &h->attr);
	return NULL;
}

/* store_hdr_flags -- header flags for a set's header mode */
static uint32_t
store_hdr_flags(const struct rpmemd_poolset *set)
{
	return set->hdr_mode == RPMEMD_HDR_SINGLE ?
		RPMEMD_POOL_HDR_SINGLEHDR : 0;
}

/*
 * store_hdr_check -- does a decoded header belong to part i of this set;
 * pool_id NULL takes any id (part 0: it defines the id)
 */
static const char *
store_hdr_check(const struct rpmemd_poolset *set, const struct store_hdr *h,
		unsigned i, const uint8_t *pool_id)
{
	if (h->flags != store_hdr_flags(set))
		return "header mode differs from the pool set's OPTION";
	if (h->nparts != set->nparts)
		return "the number of parts differs from the pool set";
	if (h->usable != set->usable_size)
		return "the pool size differs from the pool set";
	if (h->part != i)
		return "the part is not at its place in the pool set";
	if (pool_id && memcmp(h->pool_id, pool_id, HDR_POOL_ID_LEN) != 0)
		return "the part belongs to another pool";
	return NULL;
}

/* store_check_sizes -- pool limits shared by create and open */
static int
store_check_sizes(const struct rpmemd_poolset *set, size_t pool_size,
		char *msg, size_t msglen)
{
	if (set->usable_size < RPMEM_MIN_POOL)
		return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"pool size %zu is below the minimum %zu",
			set->usable_size, (size_t)RPMEM_MIN_POOL);
	if (pool_size > set->usable_size)
		return store_msg(msg, msglen, set, RPMEM_ST_BADSIZE,
			"requested size %zu exceeds the pool size %zu",
			pool_size, set->usable_size);
	return RPMEM_ST_OK;
}

/* store_pool_new -- an empty pool object for a set */
static struct rpmemd_pool *
store_pool_new(const struct rpmemd_poolset *set)
{
	struct rpmemd_pool *pool = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	pool->fds = RPMEM_FI("malloc", ENOMEM) ? NULL :
		malloc(set->nparts * sizeof(*pool->fds));
	pool->made = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(set->nparts, 1);
	if (pool->fds == NULL || pool->made == NULL) {
		free(pool->fds);
		free(pool->made);
		free(pool);
		return NULL;
	}
	for (unsigned i = 0; i < set->nparts; i++)
		pool->fds[i] = -1;
	pool->set = set;
	pool->size = set->usable_size;
	pool->hdr_size = set->hdr_size;
	return pool;
}

/* store_pool_free -- close the files (drops the locks) and free */
static void
store_pool_free(struct rpmemd_pool *pool)
{
	for (unsigned i = 0; i < pool->set->nparts; i++) {
		if (pool->fds[i] >= 0)
			close(pool->fds[i]);
	}
	free(pool->fds);
	free(pool->made);
	free(pool);
}

/* store_unlink_made -- undo a failed create: remove what we created */
static void
store_unlink_made(struct rpmemd_pool *pool)
{
	for (unsigned i = 0; i < pool->set->nparts; i++) {
		if (pool->made[i])
			unlink(pool->set->parts[i].path);
	}
}

/* store_sync_dir -- make a new directory entry durable (best effort) */
static void
store_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len = slash == NULL ? 0 : (size_t)(slash - path);

	if (len == 0)
		len = 1;	/* "/file" lives in "/" */
	if (slash == NULL || len >= sizeof(dir))
		return;
	memcpy(dir, path, len);
	dir[len] = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void) fsync(fd);
	close(fd);
}

/*
 * store_open_parts -- open (or create) and lock every part; a created
 * part gets its final size
 */
static int
store_open_parts(struct rpmemd_pool *pool, int create, char *msg,
		size_t msglen)
{
	const struct rpmemd_poolset *set = pool->set;

	for (unsigned i = 0; i < set->nparts; i++) {
		const struct rpmemd_part *part = &set->parts[i];
		int fd;

		if (create && !part->is_devdax) {
			/* 0600: the pool is the ssh user's data only */
			fd = RPMEM_FI("open", EACCES) ? -1 :
				open(part->path, O_RDWR | O_CREAT | O_EXCL |
				O_CLOEXEC | O_NOFOLLOW, 0600);
			if (fd < 0 && errno == EEXIST)
				return store_msg(msg, msglen, set,
					RPMEM_ST_EXISTS,
					"part '%s' already exists", part->path);
			if (fd >= 0)
				pool->made[i] = 1;
		} else {
			fd = RPMEM_FI("open", EACCES) ? -1 :
				open(part->path, O_RDWR | O_CLOEXEC);
			if (fd < 0 && errno == ENOENT)
				return store_msg(msg, msglen, set,
					RPMEM_ST_NOEXIST,
					"part '%s' does not exist", part->path);
		}
		if (fd < 0) {
			int err = errno;
			return store_msg(msg, msglen, set,
				store_errno_status(err), "part '%s': %s",
				part->path, strerror(err));
		}
		pool->fds[i] = fd;

		if (RPMEM_FI("flock", ENOLCK) || flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno;
			if (err == EWOULDBLOCK)
				return store_msg(msg, msglen, set,
					RPMEM_ST_BUSY, "part '%s' is in use by "
					"another process", part->path);
			return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
				"cannot lock part '%s': %s", part->path,
				strerror(err));
		}

		if (part->is_devdax)
			continue;

		if (pool->made[i]) {
			int err = RPMEM_FI_RET("posix_fallocate", ENOSPC);
			if (err == 0)
				err = posix_fallocate(fd, 0,
					(off_t)part->size);
			if (err == ENOSPC)
				return store_msg(msg, msglen, set,
					RPMEM_ST_FATAL, "part '%s': no space "
					"left for %zu bytes", part->path,
					part->size);
			if (err)
				return store_msg(msg, msglen, set,
					store_errno_status(err),
					"cannot allocate part '%s': %s",
					part->path, strerror(err));
			continue;
		}

		struct stat st;
		if (RPMEM_FI("fstat", EIO) || fstat(fd, &st)) {
			int err = errno;
			return store_msg(msg, msglen, set,
				store_errno_status(err), "part '%s': %s",
				part->path, strerror(err));
		}
		if (!S_ISREG(st.st_mode) || (size_t)st.st_size != part->size)
			return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
				"part '%s' is %lld bytes, the pool set says "
				"%zu", part->path, (long long)st.st_size,
				part->size);
	}

	if (create) {
		for (unsigned i = 0; i < set->nparts; i++) {
			if (pool->made[i])
				store_sync_dir(set->parts[i].path);
		}
	}
	return RPMEM_ST_OK;
}

/* store_unmap -- undo store_map */
static void
store_unmap(struct rpmemd_pool *pool)
{
	if (pool->base == NULL)
		return;
	if (pool->devdax)
		pmem_unmap(pool->base, pool->map_len);
	else
		munmap(pool->base, pool->map_len);
	pool->base = NULL;
}

/* store_map_devdax -- a lone device DAX part: libpmem maps it aligned */
static int
store_map_devdax(struct rpmemd_pool *pool, char *msg, size_t msglen)
{
	const struct rpmemd_part *part = &pool->set->parts[0];
	size_t mapped = 0;
	int is_pmem = 0;

	void *addr = RPMEM_FI("pmem_map_file", ENOMEM) ? NULL :
		pmem_map_file(part->path, 0, 0, 0, &mapped, &is_pmem);
	if (addr == NULL)
		return store_msg(msg, msglen, pool->set, RPMEM_ST_FATAL,
			"cannot map device DAX '%s': %s", part->path,
			pmem_errormsg());
	if (mapped < pool->size) {
		pmem_unmap(addr, mapped);
		return store_msg(msg, msglen, pool->set, RPMEM_ST_POOL_CFG,
			"device DAX '%s' is smaller than the pool set says",
			part->path);
	}
	pool->base = addr;
	pool->map_len = mapped;
	pool->devdax = 1;
	pool->is_pmem = is_pmem;
	return RPMEM_ST_OK;
}

/* store_map_part -- map one part at addr, MAP_SYNC when the fs allows */
static int
store_map_part(int fd, void *addr, size_t len, off_t off, int *sync)
{
	void *p = RPMEM_FI("mmap", ENOMEM) ? MAP_FAILED :
		mmap(addr, len, PROT_READ | PROT_WRITE,
			MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED, fd, off);
	if (p != MAP_FAILED) {
		*sync = 1;
		return 0;
	}
	/* EOPNOTSUPP: not DAX; EINVAL: a kernel without MAP_SYNC */
	if (errno != EOPNOTSUPP && errno != EINVAL)
		return -1;
	p = RPMEM_FI("mmap", ENOMEM) ? MAP_FAILED :
		mmap(addr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			fd, off);
	if (p == MAP_FAILED)
		return -1;
	*sync = 0;
	return 0;
}

/*
 * store_map -- map all parts contiguously: reserve [0, usable) with
 * PROT_NONE (aligned so fsdax can use huge pages), then replace it part
 * by part with MAP_FIXED file mappings
 */
static int
store_map(struct rpmemd_pool *pool, char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->set;
	int ret;

	if (set->parts[0].is_devdax) {
		ret = store_map_devdax(pool, msg, msglen);
		if (ret != RPMEM_ST_OK)
			return ret;
		goto dontfork;
	}

	size_t align = pool->size >= STORE_MAP_ALIGN ? STORE_MAP_ALIGN :
		(size_t)sysconf(_SC_PAGESIZE);
	size_t resv_len = pool->size + align;
	char *resv = RPMEM_FI("mmap", ENOMEM) ? MAP_FAILED :
		mmap(NULL, resv_len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED) {
		int err = errno;
		return store_msg(msg, msglen, set, store_errno_status(err),
			"cannot reserve %zu bytes of address space: %s",
			pool->size, strerror(err));
	}
	char *base = (char *)(((uintptr_t)resv + align - 1) & ~(align - 1));
	if (base > resv)
		munmap(resv, (size_t)(base - resv));
	size_t tail = (size_t)(resv + resv_len - (base + pool->size));
	if (tail > 0)
		munmap(base + pool->size, tail);
	pool->base = base;
	pool->map_len = pool->size;

	int all_sync = 1;
	size_t cursor = 0;
	for (unsigned i = 0; i < set->nparts; i++) {
		const struct rpmemd_part *part = &set->parts[i];
		/* default mode: a further part's own header stays unmapped */
		size_t skip = (i > 0 && set->hdr_mode == RPMEMD_HDR_DEFAULT) ?
			RPMEMD_PART_HDR_SIZE : 0;
		size_t len = part->size - skip;
		int sync = 0;

		if (store_map_part(pool->fds[i], base + cursor, len,
				(off_t)skip, &sync)) {
			int err = errno;
			ret = store_msg(msg, msglen, set,
				store_errno_status(err), "cannot map part "
				"'%s': %s", part->path, strerror(err));
			goto unmap;
		}
		all_sync &= sync;
		cursor += len;
	}
	/* PMEM_IS_PMEM_FORCE and libpmem's own detection still count */
	pool->is_pmem = all_sync || pmem_is_pmem(base, pool->size);

dontfork:
	/* an RDMA-registered range must not be COW-shared with a child */
	if (RPMEM_FI("madvise", EINVAL) ||
	    madvise(pool->base, pool->map_len, MADV_DONTFORK)) {
		int err = errno;
		ret = store_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"madvise(MADV_DONTFORK): %s", strerror(err));
		goto unmap;
	}
	return RPMEM_ST_OK;

unmap:
	store_unmap(pool);
	return ret;
}

/* store_flush -- make [addr, addr+len) of the mapping durable */
static int
store_flush(struct rpmemd_pool *pool, void *addr, size_t len)
{
	if (pool->is_pmem) {
		pmem_persist(addr, len);
		return 0;
	}
	/* msync wants a page-aligned start; the base is page aligned */
	uintptr_t a = (uintptr_t)addr;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = a & ~(pg - 1);
	/*
	 * msync writes back only pages the kernel knows to be dirty, and an
	 * RDMA write never tells it: the NIC (or rxe's kernel memcpy) writes
	 * the pinned page directly, not through our page table.  Once a page
	 * has been written back (an earlier msync of a neighbouring range),
	 * its mapping is write-protected and clean, and a later RDMA write
	 * into it would be acknowledged yet never reach the disk (the
	 * power-cut test, test/rdma/powercut, caught exactly that).  So
	 * dirty every page of the range through the mapping first: a write
	 * fault marks the page dirty.  An atomic OR with 0 stores the value
	 * it read in one locked operation: no byte can change under it.
	 */
	for (uintptr_t p = start; p < a + len; p += pg) {
		uint8_t *b = (uint8_t *)(p < a ? a : p);
		(void) __atomic_fetch_or(b, (uint8_t)0, __ATOMIC_RELAXED);
	}
	if (RPMEM_FI("pmem_msync", EIO))
		return -1;
	return pmem_msync((void *)start, len + (a - start));
}

/* store_write_hdr0 -- write part 0's header through the mapping */
static int
store_write_hdr0(struct rpmemd_pool *pool, const uint8_t *buf)
{
	if (pool->is_pmem) {
		pmem_memcpy_persist(pool->base, buf, RPMEMD_POOL_HDR_SIZE);
		return 0;
	}
	memcpy(pool->base, buf, RPMEMD_POOL_HDR_SIZE);
	return store_flush(pool, pool->base, RPMEMD_POOL_HDR_SIZE);
}

/* store_pwrite_all -- write buf at off, EINTR/partial-write safe */
static int
store_pwrite_all(int fd, const uint8_t *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = RPMEM_FI("pwrite", EIO) ? -1 :
			pwrite(fd, buf, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* store_pread_all -- read len bytes at off; short file -> EIO */
static int
store_pread_all(int fd, uint8_t *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = RPMEM_FI("pread", EIO) ? -1 :
			pread(fd, buf, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * store_write_hdrs -- write all headers; the further parts first, part 0
 * last, so a valid part-0 header means a complete pool
 */
static int
store_write_hdrs(struct rpmemd_pool *pool, const struct rpmem_pool_attr *attr,
		char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->set;
	uint8_t buf[RPMEMD_POOL_HDR_SIZE];
	struct store_hdr h = {
		.version = RPMEMD_POOL_HDR_VERSION,
		.flags = store_hdr_flags(set),
		.usable = set->usable_size,
		.nparts = set->nparts,
	};
	memcpy(h.pool_id, pool->pool_id, HDR_POOL_ID_LEN);

	if (set->hdr_mode == RPMEMD_HDR_DEFAULT) {
		for (unsigned i = 1; i < set->nparts; i++) {
			h.part = i;
			store_hdr_encode(&h, buf);
			if (store_pwrite_all(pool->fds[i], buf, sizeof(buf),
					0) || RPMEM_FI("fdatasync", EIO) ||
			    fdatasync(pool->fds[i])) {
				int err = errno;
				return store_msg(msg, msglen, set,
					RPMEM_ST_FATAL, "cannot write the "
					"header of part '%s': %s",
					set->parts[i].path, strerror(err));
			}
		}
	}

	h.part = 0;
	if (attr != NULL)
		h.attr = *attr;
	store_hdr_encode(&h, buf);
	if (store_write_hdr0(pool, buf)) {
		int err = errno;
		return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"cannot write the pool header: %s", strerror(err));
	}
	return RPMEM_ST_OK;
}

/* store_read_hdr -- header of part i from the mapping or the file */
static int
store_read_hdr(struct rpmemd_pool *pool, unsigned i, uint8_t *buf)
{
	if (i == 0) {
		memcpy(buf, pool->base, RPMEMD_POOL_HDR_SIZE);
		return 0;
	}
	return store_pread_all(pool->fds[i], buf, RPMEMD_POOL_HDR_SIZE, 0);
}

/* store_verify_hdrs -- check every header of an opened pool */
static int
store_verify_hdrs(struct rpmemd_pool *pool, struct rpmem_pool_attr *attr,
		char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->set;
	uint8_t buf[RPMEMD_POOL_HDR_SIZE];
	struct store_hdr h;
	unsigned n = set->hdr_mode == RPMEMD_HDR_DEFAULT ? set->nparts : 1;

	for (unsigned i = 0; i < n; i++) {
		const char *why;
		if (store_read_hdr(pool, i, buf)) {
			int err = errno;
			return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
				"cannot read the header of part '%s': %s",
				set->parts[i].path, strerror(err));
		}
		why = store_hdr_decode(buf, &h);
		if (why == NULL)
			why = store_hdr_check(set, &h, i,
				i == 0 ? NULL : pool->pool_id);
		if (why != NULL)
			return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
				"part '%s': %s", set->parts[i].path, why);
		if (i == 0) {
			memcpy(pool->pool_id, h.pool_id, HDR_POOL_ID_LEN);
			if (attr != NULL)
				*attr = h.attr;
		}
	}
	return RPMEM_ST_OK;
}

/* rpmemd_pool_create -- create, lock, map and initialize a pool */
int
rpmemd_pool_create(const struct rpmemd_poolset *set, size_t pool_size,
		const struct rpmem_pool_attr *attr, struct rpmemd_pool **poolp,
		char *msg, size_t msglen)
{
	int ret;

	if (attr != NULL && rpmem_attr_is_zero(attr))
		attr = NULL;
	if (attr == NULL && set->hdr_mode != RPMEMD_HDR_NONE)
		return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"creating a pool without attributes needs "
			"'OPTION NOHDRS' in the pool set");
	if (attr != NULL && set->hdr_mode == RPMEMD_HDR_NONE)
		return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"the pool set has 'OPTION NOHDRS': a pool with "
			"attributes cannot be created");
	ret = store_check_sizes(set, pool_size, msg, msglen);
	if (ret != RPMEM_ST_OK)
		return ret;

	struct rpmemd_pool *pool = store_pool_new(set);
	if (pool == NULL)
		return store_msg(msg, msglen, set, RPMEM_ST_NOMEM,
			"out of memory");
	pool->created = 1;
	if (RPMEM_FI("getrandom", EAGAIN) ||
	    getrandom(pool->pool_id, sizeof(pool->pool_id), 0) !=
			(ssize_t)sizeof(pool->pool_id)) {
		ret = store_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"getrandom: %s", strerror(errno));
		goto free_pool;
	}

	ret = store_open_parts(pool, 1, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto unlink_made;
	ret = store_map(pool, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto unlink_made;
	/* a device cannot be O_EXCL-created: a valid header means "exists" */
	if (pool->devdax && set->hdr_mode != RPMEMD_HDR_NONE) {
		struct store_hdr old;
		if (store_hdr_decode((const uint8_t *)pool->base, &old) ==
				NULL) {
			ret = store_msg(msg, msglen, set, RPMEM_ST_EXISTS,
				"device DAX '%s' already holds a pool",
				set->parts[0].path);
			goto unmap;
		}
	}
	if (set->hdr_mode != RPMEMD_HDR_NONE) {
		ret = store_write_hdrs(pool, attr, msg, msglen);
		if (ret != RPMEM_ST_OK)
			goto unmap;
	}

	*poolp = pool;
	return RPMEM_ST_OK;

unmap:
	store_unmap(pool);
unlink_made:
	store_unlink_made(pool);
free_pool:
	store_pool_free(pool);
	return ret;
}

/* rpmemd_pool_open -- lock, check and map an existing pool */
int
rpmemd_pool_open(const struct rpmemd_poolset *set, size_t pool_size,
		struct rpmem_pool_attr *attr, struct rpmemd_pool **poolp,
		char *msg, size_t msglen)
{
	int ret = store_check_sizes(set, pool_size, msg, msglen);
	if (ret != RPMEM_ST_OK)
		return ret;

	struct rpmemd_pool *pool = store_pool_new(set);
	if (pool == NULL)
		return store_msg(msg, msglen, set, RPMEM_ST_NOMEM,
			"out of memory");

	ret = store_open_parts(pool, 0, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto free_pool;
	ret = store_map(pool, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto free_pool;

	if (set->hdr_mode == RPMEMD_HDR_NONE) {
		if (attr != NULL)
			memset(attr, 0, sizeof(*attr));
	} else {
		ret = store_verify_hdrs(pool, attr, msg, msglen);
		if (ret != RPMEM_ST_OK)
			goto unmap;
	}

	*poolp = pool;
	return RPMEM_ST_OK;

unmap:
	store_unmap(pool);
free_pool:
	store_pool_free(pool);
	return ret;
}

/* rpmemd_pool_set_attr -- rewrite the attributes in part 0's header */
int
rpmemd_pool_set_attr(struct rpmemd_pool *pool,
		const struct rpmem_pool_attr *attr, char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->set;
	uint8_t buf[RPMEMD_POOL_HDR_SIZE];
	struct store_hdr h = {
		.version = RPMEMD_POOL_HDR_VERSION,
		.flags = store_hdr_flags(set),
		.usable = set->usable_size,
		.nparts = set->nparts,
		.part = 0,
	};

	if (set->hdr_mode == RPMEMD_HDR_NONE)
		return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"the pool has no header (OPTION NOHDRS): attributes "
			"cannot be set");
	memcpy(h.pool_id, pool->pool_id, HDR_POOL_ID_LEN);
	if (attr != NULL)
		h.attr = *attr;
	store_hdr_encode(&h, buf);
	if (store_write_hdr0(pool, buf)) {
		int err = errno;
		return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"cannot write the pool header: %s", strerror(err));
	}
	return RPMEM_ST_OK;
}

/* store_zero_devdax_hdr -- "remove" a device DAX pool: wipe its header */
static int
store_zero_devdax_hdr(const char *path)
{
	size_t mapped = 0;
	int is_pmem = 0;
	void *addr = pmem_map_file(path, 0, 0, 0, &mapped, &is_pmem);
	if (addr == NULL)
		return -1;
	if (mapped >= RPMEMD_POOL_HDR_SIZE)
		pmem_memset_persist(addr, 0, RPMEMD_POOL_HDR_SIZE);
	pmem_unmap(addr, mapped);
	return 0;
}

/* rpmemd_pool_close -- unmap and unlock (and remove a fresh pool) */
int
rpmemd_pool_close(struct rpmemd_pool **poolp, int remove, char *msg,
		size_t msglen)
{
	struct rpmemd_pool *pool = *poolp;
	int ret = RPMEM_ST_OK;

	if (pool == NULL)
		return RPMEM_ST_OK;
	const struct rpmemd_poolset *set = pool->set;
	remove = remove && pool->created;

	if (remove && pool->devdax)
		pmem_memset_persist(pool->base, 0, RPMEMD_POOL_HDR_SIZE);
	store_unmap(pool);

	/* unlink while still holding the locks: no one reopens it halfway */
	if (remove) {
		for (unsigned i = 0; i < set->nparts; i++) {
			if (set->parts[i].is_devdax)
				continue;
			if ((RPMEM_FI("unlink", EACCES) ||
			     unlink(set->parts[i].path)) && errno != ENOENT &&
			    ret == RPMEM_ST_OK) {
				int err = errno;
				ret = store_msg(msg, msglen, set,
					store_errno_status(err),
					"cannot remove part '%s': %s",
					set->parts[i].path, strerror(err));
			}
		}
	}

	store_pool_free(pool);
	*poolp = NULL;
	return ret;
}

/*
 * store_remove_check -- a closed pool's part i is what the set says:
 * right size and (headers) a valid header of this pool
 */
static int
store_remove_check(const struct rpmemd_poolset *set, int fd, unsigned i,
		uint8_t *pool_id, char *msg, size_t msglen)
{
	const struct rpmemd_part *part = &set->parts[i];
	uint8_t buf[RPMEMD_POOL_HDR_SIZE];
	struct store_hdr h;
	struct stat st;
	const char *why;

	if (part->is_devdax) {
		/* read(2) does not work on device DAX: map it */
		size_t mapped = 0;
		int is_pmem = 0;
		void *addr = pmem_map_file(part->path, 0, 0, 0, &mapped,
				&is_pmem);
		if (addr == NULL)
			return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
				"cannot map device DAX '%s': %s", part->path,
				pmem_errormsg());
		memcpy(buf, addr, sizeof(buf));
		pmem_unmap(addr, mapped);
	} else {
		if (RPMEM_FI("fstat", EIO) || fstat(fd, &st)) {
			/* not a configuration error: say what failed */
			int err = errno;
			return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
				"part '%s': %s", part->path, strerror(err));
		}
		if ((size_t)st.st_size != part->size)
			return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,

				"part '%s' is not the size the pool set says",
				part->path);
		if (set->hdr_mode == RPMEMD_HDR_NONE ||
		    (i > 0 && set->hdr_mode == RPMEMD_HDR_SINGLE))
			return RPMEM_ST_OK;
		if (store_pread_all(fd, buf, sizeof(buf), 0)) {
			int err = errno;
			return store_msg(msg, msglen, set, RPMEM_ST_FATAL,
				"cannot read the header of part '%s': %s",
				part->path, strerror(err));
		}
	}
	if (set->hdr_mode == RPMEMD_HDR_NONE)
		return RPMEM_ST_OK;

	why = store_hdr_decode(buf, &h);
	if (why == NULL)
		why = store_hdr_check(set, &h, i, i == 0 ? NULL : pool_id);
	if (why != NULL)
		return store_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"part '%s': %s (use force to remove anyway)",
			part->path, why);
	if (i == 0)
		memcpy(pool_id, h.pool_id, HDR_POOL_ID_LEN);
	return RPMEM_ST_OK;
}

/* rpmemd_pool_remove -- remove a pool that is not open */
int
rpmemd_pool_remove(const struct rpmemd_poolset *set, int flags, char *msg,
		size_t msglen)
{
	int force = (flags & RPMEM_REMOVE_FORCE) != 0;
	uint8_t pool_id[HDR_POOL_ID_LEN] = {0};
	int ret = RPMEM_ST_OK;
	unsigned i;

	if (flags & ~(RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET))
		return store_msg(msg, msglen, set, RPMEM_ST_PROTO,
			"invalid remove flags 0x%x", (unsigned)flags);

	int *fds = RPMEM_FI("malloc", ENOMEM) ? NULL :
		malloc(set->nparts * sizeof(*fds));
	if (fds == NULL)
		return store_msg(msg, msglen, set, RPMEM_ST_NOMEM,
			"out of memory");
	for (i = 0; i < set->nparts; i++)
		fds[i] = -1;

	/* lock everything before touching anything: all or nothing */
	for (i = 0; i < set->nparts; i++) {
		const char *path = set->parts[i].path;
		/* read-only is enough to lock; unlinking needs the dir */
		fds[i] = RPMEM_FI("open", EACCES) ? -1 :
			open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int err = errno;
			if (force && err == ENOENT)
				continue;
			ret = err == ENOENT ?
				store_msg(msg, msglen, set, RPMEM_ST_NOEXIST,
					"part '%s' does not exist", path) :
				store_msg(msg, msglen, set,
					store_errno_status(err),
					"part '%s': %s", path, strerror(err));
			goto close_fds;
		}
		if (RPMEM_FI("flock", ENOLCK) ||
		    flock(fds[i], LOCK_EX | LOCK_NB)) {
			int err = errno;
			ret = err == EWOULDBLOCK ?
				store_msg(msg, msglen, set, RPMEM_ST_BUSY,
					"part '%s' is in use by another "
					"process", path) :
				store_msg(msg, msglen, set, RPMEM_ST_FATAL,
					"cannot lock part '%s': %s", path,
					strerror(err));
			goto close_fds;
		}
	}

	if (!force) {
		for (i = 0; i < set->nparts; i++) {
			ret = store_remove_check(set, fds[i], i, pool_id, msg,
					msglen);
			if (ret != RPMEM_ST_OK)
				goto close_fds;
		}
	}

	for (i = 0; i < set->nparts; i++) {
		const char *path = set->parts[i].path;
		if (fds[i] < 0)
			continue;
		int failed = set->parts[i].is_devdax ?
			store_zero_devdax_hdr(path) :
			RPMEM_FI("unlink", EACCES) ? -1 : unlink(path);
		if (failed && errno != ENOENT) {
			int err = errno;
			ret = store_msg(msg, msglen, set,
				store_errno_status(err),
				"cannot remove part '%s': %s", path,
				strerror(err));
			goto close_fds;
		}
	}

	if ((flags & RPMEM_REMOVE_POOL_SET) &&
	    (RPMEM_FI("unlink", EACCES) || unlink(set->path)) &&
	    errno != ENOENT) {

		int err = errno;
		ret = store_msg(msg, msglen, set, store_errno_status(err),
			"cannot remove the pool set file: %s", strerror(err));
	}

close_fds:
	for (i = 0; i < set->nparts; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	free(fds);
	return ret;
}

/* rpmemd_pool_persist -- GPSPM flush of a client range */
int
rpmemd_pool_persist(void *ctx, void *addr, size_t len, int deep)
{
	struct rpmemd_pool *pool = ctx;

	if (pool == NULL || pool->base == NULL ||
	    (uintptr_t)addr < (uintptr_t)pool->base)
		return RPMEM_ST_PROTO;
	uint64_t off = (uintptr_t)addr - (uintptr_t)pool->base;
	if (!rpmem_range_valid(off, len, pool->hdr_size, pool->size))
		return RPMEM_ST_PROTO;
	if (len == 0)
		return RPMEM_ST_OK;
#ifdef RPMEMD_TEST_SKIP_FLUSH
	/*
	 * test/rdma's rpmemd_noflush only (never built otherwise): a daemon
	 * that acknowledges without flushing, which the power-cut test must
	 * catch
	 */
	return RPMEM_ST_OK;
#endif

	if (deep)
		return pmem_deep_persist(addr, len) ? RPMEM_ST_FATAL :
			RPMEM_ST_OK;
	return store_flush(pool, addr, len) ? RPMEM_ST_FATAL : RPMEM_ST_OK;
}

/* rpmemd_pool_addr -- address of pool offset 0 */
void *
rpmemd_pool_addr(const struct rpmemd_pool *pool)
{
	return pool->base;
}

/* rpmemd_pool_size -- usable size, client view */
size_t
rpmemd_pool_size(const struct rpmemd_pool *pool)
{
	return pool->size;
}

/* rpmemd_pool_hdr_size -- 0 (NOHDRS) or RPMEMD_POOL_HDR_SIZE */
size_t
rpmemd_pool_hdr_size(const struct rpmemd_pool *pool)
{
	return pool->hdr_size;
}

/* rpmemd_pool_is_pmem -- is the mapping persistent memory */
int
rpmemd_pool_is_pmem(const struct rpmemd_pool *pool)
{
	return pool->is_pmem;
}

/* rpmemd_pool_created -- was the pool created by this process */
int
rpmemd_pool_created(const struct rpmemd_pool *pool)
{
	return pool->created;
}
