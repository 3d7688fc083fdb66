/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * librpmem.h -- remote persistent memory replication, API version 1.2
 *
 * Source compatible with the classic librpmem API 1.1: a program written for
 * it compiles against this header unchanged.  See librpmem(7).
 */
#ifndef LIBRPMEM_H
#define LIBRPMEM_H 1

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RPMEM_MAJOR_VERSION 1
#define RPMEM_MINOR_VERSION 2

#define RPMEM_POOL_HDR_SIG_LEN 8
#define RPMEM_POOL_HDR_UUID_LEN 16
#define RPMEM_POOL_USER_FLAGS_LEN 16

/* smallest pool and smallest pool-set part accepted */
#define RPMEM_MIN_POOL ((size_t)(1024 * 8))
#define RPMEM_MIN_PART ((size_t)(1024 * 8))

/* rpmem_remove() flags */
#define RPMEM_REMOVE_FORCE 0x1
#define RPMEM_REMOVE_POOL_SET 0x2

typedef struct rpmem_pool RPMEMpool;

/* attributes kept in the remote pool header: 104 bytes, no padding */
struct rpmem_pool_attr {
	char signature[RPMEM_POOL_HDR_SIG_LEN];
	uint32_t major;
	uint32_t compat_features;
	uint32_t incompat_features;
	uint32_t ro_compat_features;
	unsigned char poolset_uuid[RPMEM_POOL_HDR_UUID_LEN];
	unsigned char uuid[RPMEM_POOL_HDR_UUID_LEN];
	unsigned char next_uuid[RPMEM_POOL_HDR_UUID_LEN];
	unsigned char prev_uuid[RPMEM_POOL_HDR_UUID_LEN];
	unsigned char user_flags[RPMEM_POOL_USER_FLAGS_LEN];
};

RPMEMpool *rpmem_create(const char *target, const char *pool_set_name,
		void *pool_addr, size_t pool_size, unsigned *nlanes,
		const struct rpmem_pool_attr *create_attr);

RPMEMpool *rpmem_open(const char *target, const char *pool_set_name,
		void *pool_addr, size_t pool_size, unsigned *nlanes,
		struct rpmem_pool_attr *open_attr);

int rpmem_set_attr(RPMEMpool *rpp, const struct rpmem_pool_attr *attr);

int rpmem_close(RPMEMpool *rpp);

/*
 * rpmem_persist, rpmem_read -- offset is relative to pool_addr.  In a pool
 * created with attributes the first 4096 bytes hold the remote pool header,
 * which belongs to rpmemd: a range starting below 4096 fails with EINVAL
 * for both (read the attributes with rpmem_open instead).  A NOHDRS pool
 * (created with NULL attributes) has no header: offset 0 is valid.  A range
 * past pool_size, lane >= *nlanes or a NULL buff with length > 0 fail with
 * EINVAL too and leave the pool usable; length 0 does nothing and returns 0
 * (even on a pool whose connection was lost).
 */
int rpmem_persist(RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane);

int rpmem_read(RPMEMpool *rpp, void *buff, size_t offset, size_t length,
		unsigned lane);

/*
 * API 1.2 (the later librpmem's flush/drain API; symbol version
 * LIBRPMEM_1.2): rpmem_flush posts the WRITE(s) of the range on the lane
 * and returns without waiting; rpmem_drain makes every range flushed on
 * that lane durable (one round trip); rpmem_deep_persist is rpmem_persist
 * with pmem_deep_persist on the target.  Arguments are checked like
 * rpmem_persist's; unknown flags fail with EINVAL.  See rpmem_flush(3).
 */
#define RPMEM_FLUSH_RELAXED (1U << 0)	/* a hint: no ordering asked */
#define RPMEM_FLUSH_FLAGS_MASK RPMEM_FLUSH_RELAXED
#define RPMEM_PERSIST_RELAXED (1U << 0)	/* a hint: no ordering asked */
#define RPMEM_PERSIST_FLAGS_MASK RPMEM_PERSIST_RELAXED

int rpmem_flush(RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane, unsigned flags);

int rpmem_drain(RPMEMpool *rpp, unsigned lane, unsigned flags);

int rpmem_deep_persist(RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane);

/* rpmem_persist with the flags argument of later releases */
int rpmem_persist_flags(RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane, unsigned flags);

/*
 * Code written for the later five-argument rpmem_persist(rpp, offset,
 * length, lane, flags) defines RPMEM_PERSIST_FLAGS before including this
 * header: rpmem_persist(...) with five arguments then calls
 * rpmem_persist_flags.  The 1.1 symbol rpmem_persist keeps its four
 * arguments either way (binary compatibility), so such code cannot take
 * the five-argument form's address: use rpmem_persist_flags for that.
 */
#ifdef RPMEM_PERSIST_FLAGS
#define rpmem_persist(rpp, offset, length, lane, flags) \
	rpmem_persist_flags((rpp), (offset), (length), (lane), (flags))
#endif

int rpmem_remove(const char *target, const char *pool_set, int flags);

const char *rpmem_check_version(unsigned major_required,
		unsigned minor_required);

const char *rpmem_errormsg(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBRPMEM_H */
