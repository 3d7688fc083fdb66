/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_store.h -- rpmemd's pool store: the part files of one pool set,
 * locked, mapped contiguously, with the daemon-owned header
 *
 * Mapping: the whole client view [0, usable_size) is one contiguous range.
 * Part 0 is mapped from its file offset 0 (so the header, if any, is at
 * offset 0); in the default header mode parts 1..n are mapped from file
 * offset 4096, skipping their own part header; SINGLEHDR and NOHDRS parts
 * are mapped whole.
 *
 * Header (RPMEMD_POOL_HDR_SIZE bytes at offset 0 of part 0, and of every
 * part in the default mode), all integers little-endian:
 *     0  magic "RPMEMPL\0"
 *     8  le32 format version (1)
 *    12  le32 flags (RPMEMD_POOL_HDR_SINGLEHDR)
 *    16  le64 usable size
 *    24  le32 nparts
 *    28  le32 part index
 *    32  16-byte pool id (random, ties the parts together)
 *    48  104-byte rpmem_pool_attr (part 0 only; zero in the others)
 *   152  le64 FNV-1a 64 of the 4096 bytes with this field zeroed
 *   160  zero up to 4096
 *
 * Locking: every part is flock(LOCK_EX|LOCK_NB)ed while open, so a second
 * rpmemd gets BUSY.  Created files are mode 0600.
 *
 * Every function returns an enum rpmem_status and, on failure, a message
 * for the client in msg, e.g. "pool set 'x.set': part '/p/a' already
 * exists".  The set passed to create/open must outlive the pool.
 */
#ifndef RPMEMD_POOL_STORE_H
#define RPMEMD_POOL_STORE_H 1

#include <stddef.h>

#include "librpmem.h"
#include "poolset.h"

#define RPMEMD_POOL_HDR_SIZE 4096
#define RPMEMD_POOL_HDR_VERSION 1
#define RPMEMD_POOL_HDR_SINGLEHDR 0x2u

struct rpmemd_pool;

/*
 * rpmemd_pool_create -- create the part files (O_EXCL, 0600, allocated),
 * lock and map them and write the headers.  attr NULL (or all zero) means
 * "no header": the set must be NOHDRS, and a non-zero attr needs a set
 * with headers (else POOL_CFG).  pool_size > usable size -> BADSIZE,
 * usable < RPMEM_MIN_POOL -> POOL_CFG, an existing part -> EXISTS.  On
 * failure only the files created here are removed.
 */
int rpmemd_pool_create(const struct rpmemd_poolset *set, size_t pool_size,
		const struct rpmem_pool_attr *attr, struct rpmemd_pool **pool,
		char *msg, size_t msglen);

/*
 * rpmemd_pool_open -- lock, check and map an existing pool; fills *attr
 * (zero for NOHDRS).  Missing part -> NOEXIST, unreadable -> NOACCESS,
 * locked by another process -> BUSY, wrong size or bad header -> POOL_CFG,
 * pool_size > usable -> BADSIZE.
 */
int rpmemd_pool_open(const struct rpmemd_poolset *set, size_t pool_size,
		struct rpmem_pool_attr *attr, struct rpmemd_pool **pool,
		char *msg, size_t msglen);

/* rpmemd_pool_set_attr -- rewrite the attributes (NULL: zero) */
int rpmemd_pool_set_attr(struct rpmemd_pool *pool,
		const struct rpmem_pool_attr *attr, char *msg, size_t msglen);

/*
 * rpmemd_pool_close -- unmap and unlock; with remove, a pool created by
 * this rpmemd_pool_create() is also removed (ignored for an opened pool)
 */
int rpmemd_pool_close(struct rpmemd_pool **pool, int remove, char *msg,
		size_t msglen);

/*
 * rpmemd_pool_remove -- remove a pool that is not open: lock every part
 * (BUSY if in use, always), check the header unless RPMEM_REMOVE_FORCE
 * (which also skips missing parts), unlink the parts and, with
 * RPMEM_REMOVE_POOL_SET, the set file.  A device DAX part has its header
 * zeroed instead.
 */
int rpmemd_pool_remove(const struct rpmemd_poolset *set, int flags,
		char *msg, size_t msglen);

/*
 * rpmemd_pool_persist -- an rpmemd_persist_fn (ctx = the pool): make
 * [addr, addr+len) durable; the range must lie in [hdr_size, usable) of
 * the mapping (else RPMEM_ST_PROTO); deep uses pmem_deep_persist
 */
int rpmemd_pool_persist(void *ctx, void *addr, size_t len, int deep);

void *rpmemd_pool_addr(const struct rpmemd_pool *pool);
size_t rpmemd_pool_size(const struct rpmemd_pool *pool);	/* usable */
size_t rpmemd_pool_hdr_size(const struct rpmemd_pool *pool);
int rpmemd_pool_is_pmem(const struct rpmemd_pool *pool);
int rpmemd_pool_created(const struct rpmemd_pool *pool);

#endif /* RPMEMD_POOL_STORE_H */
