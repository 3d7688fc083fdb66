/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_map.h -- the part files of one pool set: create or open them,
 * lock them, map them contiguously, flush, unmap; regular files and
 * device DAX.  The pool store's system calls on parts and its libpmem
 * calls are all here (pool_store.c only closes the descriptors
 * rpmemd_pool_remove locked, and unlinks a pool-set file); the header
 * format is pool_hdr.h's, the lifecycle that decides what to do
 * pool_store.c's.
 *
 * Mapping: the whole client view [0, usable_size) is one contiguous range.
 * Part 0 is mapped from its file offset 0 (so the header, if any, is at
 * offset 0); in the default header mode parts 1..n are mapped from file
 * offset 4096, skipping their own part header; SINGLEHDR and NOHDRS parts
 * are mapped whole.  A multi-part set is one PROT_NONE reservation
 * (aligned so fsdax can use 2 MiB pages) with every part MAP_FIXED into
 * it, MAP_SHARED_VALIDATE | MAP_SYNC tried first: when the kernel accepts
 * it the file is on DAX and CPU cache flushes alone make data durable,
 * which is what "is pmem" means to the persist policy.  A lone device DAX
 * is mapped by libpmem (it knows the alignment).  The mapping is
 * MADV_DONTFORK (it is RDMA-registered).
 *
 * Locking: every part is flock(LOCK_EX|LOCK_NB)ed while open (BUSY when
 * another process holds it); closing the fds drops the locks.  Created
 * files are mode 0600, made with O_EXCL and O_NOFOLLOW in the directory
 * the parser looked at (checked by identity); an existing part is opened
 * with O_NOFOLLOW and must be the file (device, inode) the parser saw,
 * else POOL_CFG.
 *
 * Errors (the daemon's convention, log.h): a function that decides what
 * the client is told returns an enum rpmem_status with the message for
 * the client in msg ("pool set 'x.set': part '/p/a' already exists"); the
 * plain I/O steps (flush, header page reads and writes, part removal)
 * return -1 with errno, as the system calls they wrap, and the caller
 * says which step failed.
 */
#ifndef RPMEMD_POOL_MAP_H
#define RPMEMD_POOL_MAP_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "poolset.h"

/* the parts of one open pool set and their mapping */
struct rpmemd_pool_map {
	const struct rpmemd_poolset *set;	/* must outlive the map */
	int *fds;		/* one per part, -1 when not open */
	char *made;		/* made[i]: part i was created by us */
	char *base;		/* client offset 0; NULL when not mapped */
	size_t size;		/* usable size (client view) */
	int devdax;		/* mapped with pmem_map_file */
	size_t map_len;		/* length to unmap at base */
	int is_pmem;
};

/*
 * rpmemd_pool_msg -- "pool set '<name>': <text>" into msg (msglen 0: no
 * message); returns status
 */
int rpmemd_pool_msg(char *msg, size_t msglen,
		const struct rpmemd_poolset *set, int status,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* rpmemd_pool_errno_status -- the status for a failed file operation */
int rpmemd_pool_errno_status(int err);

/*
 * rpmemd_map_init -- an empty map of set: no part open, nothing mapped;
 * 0, or -1 (ENOMEM)
 */
int rpmemd_map_init(struct rpmemd_pool_map *map,
		const struct rpmemd_poolset *set);

/* rpmemd_map_fini -- close the parts (drops the locks) and free */
void rpmemd_map_fini(struct rpmemd_pool_map *map);

/*
 * rpmemd_map_open_parts -- open (create: O_EXCL-create, except a device
 * DAX) and lock every part; a created part gets its blocks (no space or
 * quota: NOSPC), an existing one must be the file the parser saw and of
 * the size the set says.  What is open stays in map (rpmemd_map_fini
 * closes it; rpmemd_map_unlink_made removes what was created).
 */
int rpmemd_map_open_parts(struct rpmemd_pool_map *map, int create,
		char *msg, size_t msglen);

/* rpmemd_map_unlink_made -- undo a failed create: unlink what it made */
void rpmemd_map_unlink_made(struct rpmemd_pool_map *map);

/* rpmemd_map_mmap -- map the open parts contiguously at map->base */
int rpmemd_map_mmap(struct rpmemd_pool_map *map, char *msg, size_t msglen);

/* rpmemd_map_munmap -- undo rpmemd_map_mmap (nothing when not mapped) */
void rpmemd_map_munmap(struct rpmemd_pool_map *map);

/*
 * rpmemd_map_persist -- make [addr, addr+len) of the mapping durable:
 * pmem_persist when it is pmem, else msync of its pages (dirtied first:
 * an RDMA write does not mark them); deep: pmem_deep_persist.  0, or -1
 * with errno.
 */
int rpmemd_map_persist(struct rpmemd_pool_map *map, void *addr, size_t len,
		int deep);

/*
 * rpmemd_map_write_hdr -- write the RPMEMD_POOL_HDR_SIZE-byte header page
 * of part i and make it durable: part 0 through the mapping, the others
 * (whose header is not mapped) with pwrite + fdatasync; 0, or -1 (errno)
 */
int rpmemd_map_write_hdr(struct rpmemd_pool_map *map, unsigned i,
		const uint8_t *page);

/* rpmemd_map_read_hdr -- read part i's header page; 0, or -1 (errno) */
int rpmemd_map_read_hdr(struct rpmemd_pool_map *map, unsigned i,
		uint8_t *page);

/*
 * rpmemd_map_write_slot -- write header slot `slot` of part 0 through the
 * mapping and make it durable; the other slot is not touched.  The copy
 * is split after the first cache line (a power cut can persist any
 * subset of the lines), so that the fault-injection point
 * "hdr_slot_write" leaves exactly such a torn slot.  0, or -1 (errno).
 */
int rpmemd_map_write_slot(struct rpmemd_pool_map *map, unsigned slot,
		const uint8_t *buf);

/* rpmemd_map_zero_hdr -- zero part 0's header page (device DAX remove) */
void rpmemd_map_zero_hdr(struct rpmemd_pool_map *map);

/*
 * One part of a pool that is not open (rpmemd_pool_remove)
 *
 * rpmemd_part_open -- open an existing part (a file or a device DAX)
 * without following a symlink planted at its canonical path since the
 * parser looked; the identity check is rpmemd_part_check_same's.
 * Returns the fd, or -1 with the status in *st and msg filled.
 */
int rpmemd_part_open(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int flags, int *st, char *msg,
		size_t msglen);

/*
 * rpmemd_part_check_same -- fstat the open part into *sb; POOL_CFG when
 * it is not the file the parser saw (when it saw one)
 */
int rpmemd_part_check_same(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, struct stat *sb,
		char *msg, size_t msglen);

/* rpmemd_part_lock -- flock(LOCK_EX|LOCK_NB); BUSY when held elsewhere */
int rpmemd_part_lock(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, char *msg,
		size_t msglen);

/* rpmemd_part_check_size -- a regular-file part has the set's size */
int rpmemd_part_check_size(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, char *msg,
		size_t msglen);

/*
 * rpmemd_part_read_hdr -- the header page of a part: pread from fd, or,
 * for a device DAX (read(2) does not work there), through a mapping
 */
int rpmemd_part_read_hdr(const struct rpmemd_poolset *set,
		const struct rpmemd_part *part, int fd, uint8_t *page,
		char *msg, size_t msglen);

/*
 * rpmemd_part_remove -- unlink a part file, fd open on it: relative to the
 * directory the parser saw, and only when the name still is that very file
 * (else -1 with ESTALE: something took its place); a device DAX has its
 * header page zeroed instead.  0, or -1 with errno.
 */
int rpmemd_part_remove(const struct rpmemd_part *part, int fd);

/* rpmemd_part_remove_strerror -- its errno in words (ESTALE explained) */
const char *rpmemd_part_remove_strerror(int err);

#endif /* RPMEMD_POOL_MAP_H */
