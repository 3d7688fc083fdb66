/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_map.c -- the part files of a pool set, locked and mapped, on top
 * of libpmem (what and why: pool_map.h)
 *
 * libpmem does the flushing (pmem_persist / pmem_msync /
 * pmem_deep_persist) and maps a lone device DAX (pmem_map_file knows its
 * alignment); multi-part sets are mapped by hand.
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
#include <sys/stat.h>
#include <unistd.h>

#include "fault_inject.h"
#include "pool_hdr.h"
#include "pool_map.h"
#include "rpmem_proto.h"

/* older libc headers lack these; the values are the kernel ABI */
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

#define MAP_LINE 64		/* a cache line */

/* big enough to let fsdax use 2 MiB pages for the whole pool */
#define MAP_ALIGN ((size_t)2 << 20)

/* rpmemd_pool_msg -- "pool set '<name>': <text>" into msg; returns status */
int
rpmemd_pool_msg(char *msg, size_t msglen, const struct rpmemd_poolset *set,
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

/* rpmemd_pool_errno_status -- status for a failed file operation */
int
rpmemd_pool_errno_status(int err)
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
	case ESTALE:	/* rpmemd_part_remove: a file swapped in */
		return RPMEM_ST_POOL_CFG;
	case EWOULDBLOCK:
		return RPMEM_ST_BUSY;
	case ENOMEM:
		return RPMEM_ST_NOMEM;
	case ENOSPC:
	case EDQUOT:
		/* the same remedy: free space or ask for less */
		return RPMEM_ST_NOSPC;
	default:
		return RPMEM_ST_FATAL;
	}
}

/* rpmemd_map_init -- an empty map: the fd and "made" arrays */
int
rpmemd_map_init(struct rpmemd_pool_map *map,
		const struct rpmemd_poolset *set)
{
	memset(map, 0, sizeof(*map));
	map->fds = RPMEM_FI("malloc", ENOMEM) ? NULL :
		malloc(set->nparts * sizeof(*map->fds));
	map->made = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(set->nparts, 1);
	if (map->fds == NULL || map->made == NULL) {
		free(map->fds);
		free(map->made);
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < set->nparts; i++)
		map->fds[i] = -1;
	map->set = set;
	map->size = set->usable_size;
	return 0;
}

/* rpmemd_map_fini -- close the files (drops the locks) and free */
void
rpmemd_map_fini(struct rpmemd_pool_map *map)
{
	for (unsigned i = 0; i < map->set->nparts; i++) {
		if (map->fds[i] >= 0)
			close(map->fds[i]);
	}
	free(map->fds);
	free(map->made);
	map->fds = NULL;
	map->made = NULL;
}

/* rpmemd_map_unlink_made -- undo a failed create: remove what we created */
void
rpmemd_map_unlink_made(struct rpmemd_pool_map *map)
{
	for (unsigned i = 0; i < map->set->nparts; i++) {
		if (map->made[i] && map->fds[i] >= 0)
			(void) rpmemd_part_remove(&map->set->parts[i],
				map->fds[i]);
	}
}

/* map_sync_dir -- make a new directory entry durable (best effort) */
static void
map_sync_dir(const char *path)
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
 * map_open_part_dir -- the directory the parser saw part in, opened
 * without following a final symlink and compared by identity, so that
 * what is done relative to it (create, unlink) cannot be redirected by a
 * symlink or a directory swapped in since; *base: the part's name in it.
 * The fd, or -1 with errno (ELOOP, ENOTDIR or ESTALE: swapped).
 */
static int
map_open_part_dir(const struct rpmemd_part *part, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(part->path, '/');
	struct stat dst;

	/* the parser gives canonical absolute paths */
	if (slash == NULL || (size_t)(slash - part->path) >= sizeof(dir)) {
		errno = EINVAL;
		return -1;
	}
	size_t len = slash == part->path ? 1 : (size_t)(slash - part->path);
	memcpy(dir, part->path, len);
	dir[len] = '\0';
	*base = slash + 1;

	int dfd = RPMEM_FI("open", EACCES) ? -1 :
		open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return -1;
	if (RPMEM_FI("fstat", EIO) || fstat(dfd, &dst))
		goto err_close_dir;
	if (part->dir_known && (dst.st_dev != part->dir_dev ||
			dst.st_ino != part->dir_ino)) {
		errno = ESTALE;
		goto err_close_dir;
	}
	return dfd;

err_close_dir:
	{
		int err = errno;
		close(dfd);
		errno = err;
	}
	return -1;
}

/* map_dir_swapped -- did map_open_part_dir fail because it was swapped */
static int
map_dir_swapped(int err)
{
	return err == ELOOP || err == ENOTDIR || err == ESTALE;
}

/*
 * map_create_part -- create a part that must not exist yet, O_EXCL and
 * mode 0600, relative to the directory the parser looked at
 * (map_open_part_dir).  Returns the fd, or -1 with the status in *st and
 * msg filled.
 */
static int
map_create_part(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int *st, char *msg,
		size_t msglen)
{
	const char *base;
	int dfd = map_open_part_dir(part, &base);

	if (dfd < 0) {
		int err = errno;
		if (map_dir_swapped(err))
			*st = rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_POOL_CFG, "the directory of part "
				"'%s' changed after the pool set was read",
				part->path);
		else if (err == EINVAL)
			*st = rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_POOL_CFG, "part '%s' is not an "
				"absolute path", part->path);
		else
			*st = rpmemd_pool_msg(msg, msglen, set,
				rpmemd_pool_errno_status(err),
				"directory of part '%s': %s", part->path,
				strerror(err));
		return -1;
	}

	/* 0600: the pool is the ssh user's data only */
	int fd = RPMEM_FI("open", EACCES) ? -1 :
		openat(dfd, base, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
			O_NOFOLLOW, 0600);
	if (fd < 0) {
		int err = errno;
		if (err == EEXIST)
			*st = rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_EXISTS, "part '%s' already exists",
				part->path);
		else if (err == ENOSPC || err == EDQUOT)
			*st = rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_NOSPC, "cannot create part '%s': %s",
				part->path, strerror(err));
		else
			*st = rpmemd_pool_msg(msg, msglen, set,
				rpmemd_pool_errno_status(err),
				"part '%s': %s", part->path, strerror(err));
	}
	close(dfd);
	return fd;
}

/* rpmemd_part_open -- open an existing part, never through a symlink */
int
rpmemd_part_open(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int flags, int *st, char *msg,
		size_t msglen)
{
	int fd = RPMEM_FI("open", EACCES) ? -1 :
		open(part->path, flags | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0)
		return fd;
	int err = errno;
	if (err == ENOENT)
		*st = rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_NOEXIST,
			"part '%s' does not exist", part->path);
	else if (err == ELOOP)
		*st = rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"part '%s' is a symbolic link now (changed after the "
			"pool set was read)", part->path);
	else
		*st = rpmemd_pool_msg(msg, msglen, set,
			rpmemd_pool_errno_status(err), "part '%s': %s",
			part->path, strerror(err));
	return -1;
}

/*
 * map_same_part -- is the open file st the one the parser saw (when it
 * saw one); 0 with msg filled when another file took its place
 */
static int
map_same_part(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, const struct stat *st,
		char *msg, size_t msglen)
{
	if (!part->existed ||
	    (st->st_dev == part->dev && st->st_ino == part->ino))
		return 1;
	rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG, "part '%s' was "
		"replaced after the pool set was read", part->path);
	return 0;
}

/* rpmemd_part_check_same -- fstat an open part, and is it the parser's */
int
rpmemd_part_check_same(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, struct stat *sb,
		char *msg, size_t msglen)
{
	if (RPMEM_FI("fstat", EIO) || fstat(fd, sb)) {
		int err = errno;
		return rpmemd_pool_msg(msg, msglen, set,
			rpmemd_pool_errno_status(err), "part '%s': %s",
			part->path, strerror(err));
	}
	if (!map_same_part(set, part, sb, msg, msglen))
		return RPMEM_ST_POOL_CFG;
	return RPMEM_ST_OK;
}

/* rpmemd_part_lock -- lock a part for this process, without waiting */
int
rpmemd_part_lock(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, char *msg,
		size_t msglen)
{
	if (RPMEM_FI("flock", ENOLCK) || flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;
		if (err == EWOULDBLOCK)
			return rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_BUSY, "part '%s' is in use by "
				"another process", part->path);
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"cannot lock part '%s': %s", part->path,
			strerror(err));
	}
	return RPMEM_ST_OK;
}

/*
 * map_alloc_part -- give a created part its blocks; no space (or quota)
 * is NOSPC, so the client sees ENOSPC and not a remote I/O error
 */
static int
map_alloc_part(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, char *msg,
		size_t msglen)
{
	int err = RPMEM_FI_RET("posix_fallocate", ENOSPC);

	if (err == 0)
		err = posix_fallocate(fd, 0, (off_t)part->size);
	if (err == 0)
		return RPMEM_ST_OK;
	if (err == ENOSPC)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_NOSPC,
			"part '%s': no space left for %zu bytes", part->path,
			part->size);
	if (err == EDQUOT)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_NOSPC,
			"part '%s': disk quota exceeded for %zu bytes",
			part->path, part->size);
	return rpmemd_pool_msg(msg, msglen, set,
		rpmemd_pool_errno_status(err), "cannot allocate part '%s': %s",
		part->path, strerror(err));
}

/* rpmemd_map_open_parts -- open (or create) and lock every part */
int
rpmemd_map_open_parts(struct rpmemd_pool_map *map, int create, char *msg,
		size_t msglen)
{
	const struct rpmemd_poolset *set = map->set;
	int st = RPMEM_ST_FATAL;

	for (unsigned i = 0; i < set->nparts; i++) {
		const struct rpmemd_part *part = &set->parts[i];
		int fd;

		if (create && !part->is_devdax) {
			fd = map_create_part(set, part, &st, msg, msglen);
			if (fd >= 0)
				map->made[i] = 1;
		} else {
			fd = rpmemd_part_open(set, part, O_RDWR, &st, msg,
				msglen);
		}
		if (fd < 0)
			return st;
		map->fds[i] = fd;

		st = rpmemd_part_lock(set, part, fd, msg, msglen);
		if (st != RPMEM_ST_OK)
			return st;

		if (map->made[i]) {
			st = map_alloc_part(set, part, fd, msg, msglen);
			if (st != RPMEM_ST_OK)
				return st;
			continue;
		}

		struct stat sb;
		st = rpmemd_part_check_same(set, part, fd, &sb, msg, msglen);
		if (st != RPMEM_ST_OK)
			return st;
		if (part->is_devdax)
			continue;
		if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size != part->size)
			return rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_POOL_CFG, "part '%s' is %lld bytes, "
				"the pool set says %zu", part->path,
				(long long)sb.st_size, part->size);
	}

	if (create) {
		for (unsigned i = 0; i < set->nparts; i++) {
			if (map->made[i])
				map_sync_dir(set->parts[i].path);
		}
	}
	return RPMEM_ST_OK;
}

/* rpmemd_map_munmap -- undo rpmemd_map_mmap */
void
rpmemd_map_munmap(struct rpmemd_pool_map *map)
{
	if (map->base == NULL)
		return;
	if (map->devdax)
		pmem_unmap(map->base, map->map_len);
	else
		munmap(map->base, map->map_len);
	map->base = NULL;
}

/* map_devdax -- a lone device DAX part: libpmem maps it aligned */
static int
map_devdax(struct rpmemd_pool_map *map, char *msg, size_t msglen)
{
	const struct rpmemd_part *part = &map->set->parts[0];
	size_t mapped = 0;
	int is_pmem = 0;

	void *addr = RPMEM_FI("pmem_map_file", ENOMEM) ? NULL :
		pmem_map_file(part->path, 0, 0, 0, &mapped, &is_pmem);
	if (addr == NULL)
		return rpmemd_pool_msg(msg, msglen, map->set, RPMEM_ST_FATAL,
			"cannot map device DAX '%s': %s", part->path,
			pmem_errormsg());
	if (mapped < map->size) {
		pmem_unmap(addr, mapped);
		return rpmemd_pool_msg(msg, msglen, map->set,
			RPMEM_ST_POOL_CFG, "device DAX '%s' is smaller than "
			"the pool set says", part->path);
	}
	map->base = addr;
	map->map_len = mapped;
	map->devdax = 1;
	map->is_pmem = is_pmem;
	return RPMEM_ST_OK;
}

/* map_part -- map one part at addr, MAP_SYNC when the fs allows */
static int
map_part(int fd, void *addr, size_t len, off_t off, int *sync)
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
 * map_files -- map file parts contiguously: reserve [0, usable) with
 * PROT_NONE (aligned so fsdax can use huge pages), then replace it part
 * by part with MAP_FIXED file mappings
 */
static int
map_files(struct rpmemd_pool_map *map, char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = map->set;
	int ret;

	size_t align = map->size >= MAP_ALIGN ? MAP_ALIGN :
		(size_t)sysconf(_SC_PAGESIZE);
	size_t resv_len = map->size + align;
	char *resv = RPMEM_FI("mmap", ENOMEM) ? MAP_FAILED :
		mmap(NULL, resv_len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED) {
		int err = errno;
		return rpmemd_pool_msg(msg, msglen, set,
			rpmemd_pool_errno_status(err), "cannot reserve %zu "
			"bytes of address space: %s", map->size,
			strerror(err));
	}
	char *base = (char *)(((uintptr_t)resv + align - 1) & ~(align - 1));
	if (base > resv)
		munmap(resv, (size_t)(base - resv));
	size_t tail = (size_t)(resv + resv_len - (base + map->size));
	if (tail > 0)
		munmap(base + map->size, tail);
	map->base = base;
	map->map_len = map->size;

	int all_sync = 1;
	size_t cursor = 0;
	for (unsigned i = 0; i < set->nparts; i++) {
		const struct rpmemd_part *part = &set->parts[i];
		/* default mode: a further part's own header stays unmapped */
		size_t skip = (i > 0 && set->hdr_mode == RPMEMD_HDR_DEFAULT) ?
			RPMEMD_PART_HDR_SIZE : 0;
		size_t len = part->size - skip;
		int sync = 0;

		if (map_part(map->fds[i], base + cursor, len, (off_t)skip,
				&sync)) {
			int err = errno;
			ret = rpmemd_pool_msg(msg, msglen, set,
				rpmemd_pool_errno_status(err), "cannot map "
				"part '%s': %s", part->path, strerror(err));
			goto err_unmap;
		}
		all_sync &= sync;
		cursor += len;
	}
	/* PMEM_IS_PMEM_FORCE and libpmem's own detection still count */
	map->is_pmem = all_sync || pmem_is_pmem(base, map->size);
	return RPMEM_ST_OK;

err_unmap:
	rpmemd_map_munmap(map);
	return ret;
}

/* rpmemd_map_mmap -- map all parts contiguously, MADV_DONTFORK */
int
rpmemd_map_mmap(struct rpmemd_pool_map *map, char *msg, size_t msglen)
{
	int ret = map->set->parts[0].is_devdax ?
		map_devdax(map, msg, msglen) : map_files(map, msg, msglen);
	if (ret != RPMEM_ST_OK)
		return ret;

	/* an RDMA-registered range must not be COW-shared with a child */
	if (RPMEM_FI("madvise", EINVAL) ||
	    madvise(map->base, map->map_len, MADV_DONTFORK)) {
		int err = errno;
		ret = rpmemd_pool_msg(msg, msglen, map->set, RPMEM_ST_FATAL,
			"madvise(MADV_DONTFORK): %s", strerror(err));
		goto err_unmap;
	}
	return RPMEM_ST_OK;

err_unmap:
	rpmemd_map_munmap(map);
	return ret;
}

/* map_flush -- make [addr, addr+len) of the mapping durable */
static int
map_flush(struct rpmemd_pool_map *map, void *addr, size_t len)
{
	if (map->is_pmem) {
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

/*
 * rpmemd_map_persist -- a flush (or deep flush) of a client range; off
 * pmem a deep flush is map_flush's msync, which must dirty the pages first
 * (pmem_deep_persist would msync pages an RDMA write left clean)
 */
int
rpmemd_map_persist(struct rpmemd_pool_map *map, void *addr, size_t len,
		int deep)
{
	if (deep && map->is_pmem)
		return pmem_deep_persist(addr, len) ? -1 : 0;
	return map_flush(map, addr, len);
}

/* map_pwrite_all -- write buf at off, EINTR/partial-write safe */
static int
map_pwrite_all(int fd, const uint8_t *buf, size_t len, off_t off)
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

/* map_pread_all -- read len bytes at off; short file -> EIO */
static int
map_pread_all(int fd, uint8_t *buf, size_t len, off_t off)
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

/* rpmemd_map_write_hdr -- write part i's header page durably */
int
rpmemd_map_write_hdr(struct rpmemd_pool_map *map, unsigned i,
		const uint8_t *page)
{
	if (i > 0) {
		int fd = map->fds[i];
		if (map_pwrite_all(fd, page, RPMEMD_POOL_HDR_SIZE, 0) ||
		    RPMEM_FI("fdatasync", EIO) || fdatasync(fd))
			return -1;
		return 0;
	}
	if (map->is_pmem) {
		pmem_memcpy_persist(map->base, page, RPMEMD_POOL_HDR_SIZE);
		return 0;
	}
	memcpy(map->base, page, RPMEMD_POOL_HDR_SIZE);
	return map_flush(map, map->base, RPMEMD_POOL_HDR_SIZE);
}

/* rpmemd_map_read_hdr -- part i's header from the mapping or the file */
int
rpmemd_map_read_hdr(struct rpmemd_pool_map *map, unsigned i, uint8_t *page)
{
	if (i == 0) {
		memcpy(page, map->base, RPMEMD_POOL_HDR_SIZE);
		return 0;
	}
	return map_pread_all(map->fds[i], page, RPMEMD_POOL_HDR_SIZE, 0);
}

/* rpmemd_map_write_slot -- one header slot of part 0, durably */
int
rpmemd_map_write_slot(struct rpmemd_pool_map *map, unsigned slot,
		const uint8_t *buf)
{
	uint8_t *dst = (uint8_t *)map->base +
		(size_t)slot * RPMEMD_POOL_HDR_SLOT_SIZE;

	memcpy(dst, buf, MAP_LINE);
	if (RPMEM_FI("hdr_slot_write", EIO))
		return -1;	/* "the power went out here" */
	memcpy(dst + MAP_LINE, buf + MAP_LINE,
		RPMEMD_POOL_HDR_SLOT_SIZE - MAP_LINE);
	return map_flush(map, dst, RPMEMD_POOL_HDR_SLOT_SIZE);
}

/* rpmemd_map_zero_hdr -- wipe part 0's header page through the mapping */
void
rpmemd_map_zero_hdr(struct rpmemd_pool_map *map)
{
	pmem_memset_persist(map->base, 0, RPMEMD_POOL_HDR_SIZE);
}

/* rpmemd_part_check_size -- a closed part is the size the set says */
int
rpmemd_part_check_size(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, char *msg,
		size_t msglen)
{
	struct stat st;

	if (RPMEM_FI("fstat", EIO) || fstat(fd, &st)) {
		/* not a configuration error: say what failed */
		int err = errno;
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"part '%s': %s", part->path, strerror(err));
	}
	if ((size_t)st.st_size != part->size)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"part '%s' is not the size the pool set says",
			part->path);
	return RPMEM_ST_OK;
}

/* rpmemd_part_read_hdr -- the header page of a part that is not open */
int
rpmemd_part_read_hdr(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, uint8_t *page,
		char *msg, size_t msglen)
{
	if (part->is_devdax) {
		/* read(2) does not work on device DAX: map it */
		size_t mapped = 0;
		int is_pmem = 0;
		void *addr = pmem_map_file(part->path, 0, 0, 0, &mapped,
				&is_pmem);
		if (addr == NULL)
			return rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_FATAL, "cannot map device DAX '%s': "
				"%s", part->path, pmem_errormsg());
		memcpy(page, addr, RPMEMD_POOL_HDR_SIZE);
		pmem_unmap(addr, mapped);
		return RPMEM_ST_OK;
	}
	if (map_pread_all(fd, page, RPMEMD_POOL_HDR_SIZE, 0)) {
		int err = errno;
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"cannot read the header of part '%s': %s",
			part->path, strerror(err));
	}
	return RPMEM_ST_OK;
}

/* map_zero_devdax_hdr -- "remove" a device DAX pool: wipe its header */
static int
map_zero_devdax_hdr(const char *path)
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

/* rpmemd_part_remove -- see pool_map.h */
int
rpmemd_part_remove(const struct rpmemd_part *part, int fd)
{
	struct stat fst, est;
	const char *base;
	int ret = -1;

	if (part->is_devdax)
		return map_zero_devdax_hdr(part->path);
	if (RPMEM_FI("fstat", EIO) || fstat(fd, &fst))
		return -1;
	/* by name in the parser's directory, and only the file we hold */
	int dfd = map_open_part_dir(part, &base);
	if (dfd < 0) {
		if (map_dir_swapped(errno))
			errno = ESTALE;
		return -1;
	}
	if (fstatat(dfd, base, &est, AT_SYMLINK_NOFOLLOW))
		goto close_dir;
	if (est.st_dev != fst.st_dev || est.st_ino != fst.st_ino) {
		errno = ESTALE;
		goto close_dir;
	}
	ret = RPMEM_FI("unlink", EACCES) ? -1 : unlinkat(dfd, base, 0);
close_dir:
	{
		int err = errno;
		close(dfd);
		errno = err;
	}
	return ret;
}

/* rpmemd_part_remove_strerror -- rpmemd_part_remove's errno in words */
const char *
rpmemd_part_remove_strerror(int err)
{
	return err == ESTALE ? "another file or directory took its place "
		"after the pool set was read" : strerror(err);
}
