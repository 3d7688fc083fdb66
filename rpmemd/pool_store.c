/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_store.c -- the lifecycle of rpmemd's pool: create, open, set_attr,
 * close, remove, and the GPSPM persist callback (interface: pool_store.h)
 *
 * What is decided here: which parts to create or open, when headers are
 * written and checked, what a failure undoes.  The bytes of a header are
 * pool_hdr.c's; every file, lock, mapping and flush is pool_map.c's.
 *
 * test/rdma's rpmemd_noflush recompiles this file with
 * RPMEMD_TEST_SKIP_FLUSH: rpmemd_pool_persist then acknowledges without
 * flushing, the daemon the power-cut test must catch losing data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_inject.h"
#include "pool_hdr.h"
#include "pool_map.h"
#include "pool_store.h"
#include "rpmem_proto.h"

struct rpmemd_pool {
	struct rpmemd_pool_map map;	/* the parts, locked and mapped */
	size_t hdr_size;
	int created;
	uint8_t pool_id[RPMEMD_POOL_ID_LEN];
	unsigned hdr_slot;	/* part 0's current header slot */
	uint64_t hdr_seq;	/* and its sequence number */
};

/* store_check_sizes -- pool limits shared by create and open */
static int
store_check_sizes(const struct rpmemd_poolset *set, size_t pool_size,
		char *msg, size_t msglen)
{
	if (set->usable_size < RPMEM_MIN_POOL)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"pool size %zu is below the minimum %zu",
			set->usable_size, (size_t)RPMEM_MIN_POOL);
	if (pool_size > set->usable_size)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_BADSIZE,
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
	if (rpmemd_map_init(&pool->map, set)) {
		free(pool);
		return NULL;
	}
	pool->hdr_size = set->hdr_size;
	return pool;
}

/* store_pool_free -- close the files (drops the locks) and free */
static void
store_pool_free(struct rpmemd_pool *pool)
{
	rpmemd_map_fini(&pool->map);
	free(pool);
}

/* store_hdr_new -- the header of part i of this pool, sequence seq */
static struct rpmemd_pool_hdr
store_hdr_new(const struct rpmemd_pool *pool, unsigned i, uint64_t seq)
{
	const struct rpmemd_poolset *set = pool->map.set;
	struct rpmemd_pool_hdr h = {
		.version = RPMEMD_POOL_HDR_VERSION,
		.flags = rpmemd_pool_hdr_flags(set),
		.usable = set->usable_size,
		.nparts = set->nparts,
		.part = i,
		.seq = seq,
	};
	memcpy(h.pool_id, pool->pool_id, RPMEMD_POOL_ID_LEN);
	return h;
}

/*
 * store_write_hdrs -- write all headers; the further parts first, part 0
 * last, so a valid part-0 header means a complete pool
 */
static int
store_write_hdrs(struct rpmemd_pool *pool, const struct rpmem_pool_attr *attr,
		char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->map.set;
	uint8_t buf[RPMEMD_POOL_HDR_SIZE];
	struct rpmemd_pool_hdr h;

	if (set->hdr_mode == RPMEMD_HDR_DEFAULT) {
		for (unsigned i = 1; i < set->nparts; i++) {
			h = store_hdr_new(pool, i, 1);
			rpmemd_pool_hdr_page_encode(&h, buf);
			if (rpmemd_map_write_hdr(&pool->map, i, buf)) {
				int err = errno;
				return rpmemd_pool_msg(msg, msglen, set,
					RPMEM_ST_FATAL, "cannot write the "
					"header of part '%s': %s",
					set->parts[i].path, strerror(err));
			}
		}
	}

	h = store_hdr_new(pool, 0, 1);
	if (attr != NULL)
		h.attr = *attr;
	rpmemd_pool_hdr_page_encode(&h, buf);
	if (rpmemd_map_write_hdr(&pool->map, 0, buf)) {
		int err = errno;
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"cannot write the pool header: %s", strerror(err));
	}
	pool->hdr_slot = 0;
	pool->hdr_seq = h.seq;
	return RPMEM_ST_OK;
}

/* store_verify_hdrs -- check every header of an opened pool */
static int
store_verify_hdrs(struct rpmemd_pool *pool, struct rpmem_pool_attr *attr,
		char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->map.set;
	uint8_t buf[RPMEMD_POOL_HDR_SIZE];
	struct rpmemd_pool_hdr h;
	unsigned n = set->hdr_mode == RPMEMD_HDR_DEFAULT ? set->nparts : 1;

	for (unsigned i = 0; i < n; i++) {
		const char *why;
		unsigned slot = 0;
		if (rpmemd_map_read_hdr(&pool->map, i, buf)) {
			int err = errno;
			return rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_FATAL, "cannot read the header of "
				"part '%s': %s", set->parts[i].path,
				strerror(err));
		}
		why = rpmemd_pool_hdr_decode(buf, &h, &slot);
		if (why == NULL)
			why = rpmemd_pool_hdr_check(set, &h, i,
				i == 0 ? NULL : pool->pool_id);
		if (why != NULL)
			return rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_POOL_CFG, "part '%s': %s",
				set->parts[i].path, why);
		if (i == 0) {
			memcpy(pool->pool_id, h.pool_id, RPMEMD_POOL_ID_LEN);
			pool->hdr_slot = slot;
			pool->hdr_seq = h.seq;
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

	if (attr == NULL && set->hdr_mode != RPMEMD_HDR_NONE)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"creating a pool without attributes needs "
			"'OPTION NOHDRS' in the pool set");
	/*
	 * all-zero attributes are attributes (PMDK's zero-filled create_attr
	 * is not NULL): a header holding zeros, or, on a NOHDRS set, nothing
	 * to keep, so the headerless pool the set asks for
	 */
	if (attr != NULL && !rpmem_attr_is_zero(attr) &&
	    set->hdr_mode == RPMEMD_HDR_NONE)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"the pool set has 'OPTION NOHDRS': a pool with "
			"attributes cannot be created");
	ret = store_check_sizes(set, pool_size, msg, msglen);
	if (ret != RPMEM_ST_OK)
		return ret;

	struct rpmemd_pool *pool = store_pool_new(set);
	if (pool == NULL)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_NOMEM,
			"out of memory");
	pool->created = 1;
	if (RPMEM_FI("getrandom", EAGAIN) ||
	    getrandom(pool->pool_id, sizeof(pool->pool_id), 0) !=
			(ssize_t)sizeof(pool->pool_id)) {
		ret = rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"getrandom: %s", strerror(errno));
		goto free_pool;
	}

	ret = rpmemd_map_open_parts(&pool->map, 1, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto unlink_made;
	ret = rpmemd_map_mmap(&pool->map, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto unlink_made;
	/* a device cannot be O_EXCL-created: a valid header means "exists" */
	if (pool->map.devdax && set->hdr_mode != RPMEMD_HDR_NONE) {
		struct rpmemd_pool_hdr old;
		if (rpmemd_pool_hdr_decode((const uint8_t *)pool->map.base,
				&old, NULL) == NULL) {
			ret = rpmemd_pool_msg(msg, msglen, set,
				RPMEM_ST_EXISTS, "device DAX '%s' already "
				"holds a pool", set->parts[0].path);
			goto err_unmap;
		}
	}
	if (set->hdr_mode != RPMEMD_HDR_NONE) {
		ret = store_write_hdrs(pool, attr, msg, msglen);
		if (ret != RPMEM_ST_OK)
			goto err_unmap;
	}

	*poolp = pool;
	return RPMEM_ST_OK;

err_unmap:
	rpmemd_map_munmap(&pool->map);
unlink_made:
	rpmemd_map_unlink_made(&pool->map);
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
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_NOMEM,
			"out of memory");

	ret = rpmemd_map_open_parts(&pool->map, 0, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto free_pool;
	ret = rpmemd_map_mmap(&pool->map, msg, msglen);
	if (ret != RPMEM_ST_OK)
		goto free_pool;

	if (set->hdr_mode == RPMEMD_HDR_NONE) {
		if (attr != NULL)
			memset(attr, 0, sizeof(*attr));
	} else {
		ret = store_verify_hdrs(pool, attr, msg, msglen);
		if (ret != RPMEM_ST_OK)
			goto err_unmap;
	}

	*poolp = pool;
	return RPMEM_ST_OK;

err_unmap:
	rpmemd_map_munmap(&pool->map);
free_pool:
	store_pool_free(pool);
	return ret;
}

/*
 * rpmemd_pool_set_attr -- rewrite the attributes in part 0's header: the
 * new header goes to the slot not in use, with the next sequence number,
 * and becomes current only once durable (crash-consistent: a reader
 * finds the old or the new header, never a torn one)
 */
int
rpmemd_pool_set_attr(struct rpmemd_pool *pool,
		const struct rpmem_pool_attr *attr, char *msg, size_t msglen)
{
	const struct rpmemd_poolset *set = pool->map.set;
	uint8_t buf[RPMEMD_POOL_HDR_SLOT_SIZE];
	unsigned slot = pool->hdr_slot ^ 1u;

	if (set->hdr_mode == RPMEMD_HDR_NONE)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"the pool has no header (OPTION NOHDRS): attributes "
			"cannot be set");
	struct rpmemd_pool_hdr h = store_hdr_new(pool, 0, pool->hdr_seq + 1);
	if (attr != NULL)
		h.attr = *attr;
	rpmemd_pool_hdr_slot_encode(&h, buf);
	if (rpmemd_map_write_slot(&pool->map, slot, buf)) {
		int err = errno;
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_FATAL,
			"cannot write the pool header: %s", strerror(err));
	}
	pool->hdr_slot = slot;
	pool->hdr_seq = h.seq;
	return RPMEM_ST_OK;
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
	const struct rpmemd_poolset *set = pool->map.set;
	remove = remove && pool->created;

	if (remove && pool->map.devdax)
		rpmemd_map_zero_hdr(&pool->map);
	rpmemd_map_munmap(&pool->map);

	/* unlink while still holding the locks: no one reopens it halfway */
	if (remove) {
		for (unsigned i = 0; i < set->nparts; i++) {
			if (set->parts[i].is_devdax)
				continue;
			if (rpmemd_part_remove(&set->parts[i],
					pool->map.fds[i]) &&
			    errno != ENOENT && ret == RPMEM_ST_OK) {
				int err = errno;
				ret = rpmemd_pool_msg(msg, msglen, set,
					rpmemd_pool_errno_status(err),
					"cannot remove part '%s': %s",
					set->parts[i].path,
					rpmemd_part_remove_strerror(err));
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
	struct rpmemd_pool_hdr h;
	const char *why;
	int ret;

	if (!part->is_devdax) {
		ret = rpmemd_part_check_size(set, part, fd, msg, msglen);
		if (ret != RPMEM_ST_OK)
			return ret;
		if (set->hdr_mode == RPMEMD_HDR_NONE ||
		    (i > 0 && set->hdr_mode == RPMEMD_HDR_SINGLE))
			return RPMEM_ST_OK;
	}
	ret = rpmemd_part_read_hdr(set, part, fd, buf, msg, msglen);
	if (ret != RPMEM_ST_OK)
		return ret;
	if (set->hdr_mode == RPMEMD_HDR_NONE)
		return RPMEM_ST_OK;

	why = rpmemd_pool_hdr_decode(buf, &h, NULL);
	if (why == NULL)
		why = rpmemd_pool_hdr_check(set, &h, i,
			i == 0 ? NULL : pool_id);
	if (why != NULL)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_POOL_CFG,
			"part '%s': %s (use force to remove anyway)",
			part->path, why);
	if (i == 0)
		memcpy(pool_id, h.pool_id, RPMEMD_POOL_ID_LEN);
	return RPMEM_ST_OK;
}

/* rpmemd_pool_remove -- remove a pool that is not open */
int
rpmemd_pool_remove(const struct rpmemd_poolset *set, int flags, char *msg,
		size_t msglen)
{
	int force = (flags & RPMEM_REMOVE_FORCE) != 0;
	uint8_t pool_id[RPMEMD_POOL_ID_LEN] = {0};
	int ret = RPMEM_ST_OK;
	unsigned i;

	if (flags & ~(RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET))
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_PROTO,
			"invalid remove flags 0x%x", (unsigned)flags);

	int *fds = RPMEM_FI("malloc", ENOMEM) ? NULL :
		malloc(set->nparts * sizeof(*fds));
	if (fds == NULL)
		return rpmemd_pool_msg(msg, msglen, set, RPMEM_ST_NOMEM,
			"out of memory");
	for (i = 0; i < set->nparts; i++)
		fds[i] = -1;

	/* lock everything before touching anything: all or nothing */
	for (i = 0; i < set->nparts; i++) {
		const struct rpmemd_part *part = &set->parts[i];
		struct stat sb;
		/* read-only is enough to lock; unlinking needs the dir */
		fds[i] = rpmemd_part_open(set, part, O_RDONLY, &ret, msg,
				msglen);
		if (fds[i] < 0) {
			if (force && ret == RPMEM_ST_NOEXIST) {
				ret = RPMEM_ST_OK;
				if (msglen > 0)
					msg[0] = '\0';
				continue;
			}
			goto close_fds;
		}
		/* a file that took the part's place is never removed */
		if (part->existed) {
			ret = rpmemd_part_check_same(set, part, fds[i], &sb,
					msg, msglen);
			if (ret != RPMEM_ST_OK)
				goto close_fds;
		}
		ret = rpmemd_part_lock(set, part, fds[i], msg, msglen);
		if (ret != RPMEM_ST_OK)
			goto close_fds;
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
		if (rpmemd_part_remove(&set->parts[i], fds[i]) &&
		    errno != ENOENT) {
			int err = errno;
			ret = rpmemd_pool_msg(msg, msglen, set,
				rpmemd_pool_errno_status(err),
				"cannot remove part '%s': %s", path,
				rpmemd_part_remove_strerror(err));
			goto close_fds;
		}
	}

	if ((flags & RPMEM_REMOVE_POOL_SET) &&
	    (RPMEM_FI("unlink", EACCES) || unlink(set->path)) &&
	    errno != ENOENT) {
		int err = errno;
		ret = rpmemd_pool_msg(msg, msglen, set,
			rpmemd_pool_errno_status(err),
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

	if (pool == NULL || pool->map.base == NULL ||
	    (uintptr_t)addr < (uintptr_t)pool->map.base)
		return RPMEM_ST_PROTO;
	uint64_t off = (uintptr_t)addr - (uintptr_t)pool->map.base;
	if (!rpmem_range_valid(off, len, pool->hdr_size, pool->map.size))
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

	return rpmemd_map_persist(&pool->map, addr, len, deep) ?
		RPMEM_ST_FATAL : RPMEM_ST_OK;
}

/* rpmemd_pool_addr -- address of pool offset 0 */
void *
rpmemd_pool_addr(const struct rpmemd_pool *pool)
{
	return pool->map.base;
}

/* rpmemd_pool_size -- usable size, client view */
size_t
rpmemd_pool_size(const struct rpmemd_pool *pool)
{
	return pool->map.size;
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
	return pool->map.is_pmem;
}

/* rpmemd_pool_created -- was the pool created by this process */
int
rpmemd_pool_created(const struct rpmemd_pool *pool)
{
	return pool->created;
}
