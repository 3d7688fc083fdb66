/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_store.h -- rpmemd's pool store: the lifecycle of the pool one
 * session serves (create, open, set_attr, close, remove) and its GPSPM
 * persist callback
 *
 * Three files, one job each:
 *   pool_store.c  this interface: which parts to create or open, when
 *                 headers are written and checked, what a failure undoes
 *   pool_map.[ch] the part files: create/open, flock, the contiguous
 *                 mapping (files and device DAX), flush, unmap
 *   pool_hdr.[ch] the on-media header format: encode, decode, checksum,
 *                 the two crash-consistent slots (pure, no I/O)
 *
 * The pool is one contiguous range [0, usable size) of the client's view,
 * header (if any) at offset 0 (the mapping: pool_map.h); the header
 * format, RPMEMD_POOL_HDR_SIZE bytes: pool_hdr.h.  Every part is locked
 * while open, so a second rpmemd gets BUSY.
 *
 * Every request function returns an enum rpmem_status and, on failure, a
 * message for the client in msg, e.g. "pool set 'x.set': part '/p/a'
 * already exists" (the daemon's error convention: log.h); the persist
 * callback returns the status alone (the GPSPM reply has no text).  The
 * set passed to create/open must outlive the pool.
 */
#ifndef RPMEMD_POOL_STORE_H
#define RPMEMD_POOL_STORE_H 1

#include <stddef.h>

#include "librpmem.h"
#include "pool_hdr.h"		/* RPMEMD_POOL_HDR_SIZE, the format */
#include "poolset.h"

struct rpmemd_pool;

/*
 * rpmemd_pool_create -- create the part files (O_EXCL, 0600, allocated),
 * lock and map them and write the headers.  attr NULL means "no header":
 * the set must be NOHDRS (else POOL_CFG).  attr all zero is attributes:
 * a header holding zeros on a set with headers, a headerless pool on a
 * NOHDRS set.  A non-zero attr needs a set with headers (else POOL_CFG).
 * pool_size > usable size -> BADSIZE, usable < RPMEM_MIN_POOL ->
 * POOL_CFG, an existing part -> EXISTS, no space or quota for a part ->
 * NOSPC.  On failure only the files created here are removed.
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

/*
 * rpmemd_pool_set_attr -- rewrite the attributes (NULL: zero), crash-
 * consistently (the other header slot, then it becomes current)
 */
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
