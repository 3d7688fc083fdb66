/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.h -- the librpmem side the rdma test programs share (client.c):
 * the local pool, a shadow of what the remote pool must hold, and the
 * calls that keep the two in step.  Like tap.h's counters, the pool and
 * the shadow are globals: a program maps them once in main().
 *
 *	Pool = map(SIZE);
 *	Shadow = map(SIZE);
 *	rpp = rpmem_create(target, set, Pool, SIZE, &nl, &attr);
 *	expect(put(rpp, 4096, 100, 0) == 0, "persist");
 *	expect(read_cmp(rpp, 4096, 100, 0), "read back");
 *
 * Needs librpmem (shared or static); tap.c does not.
 */
#ifndef RPMEM_TEST_CLIENT_H
#define RPMEM_TEST_CLIENT_H 1

#include <stddef.h>
#include <stdint.h>

#include "librpmem.h"

extern uint8_t *Pool;	/* the local pool, page aligned */
extern uint8_t *Shadow;	/* what the remote pool must hold */
extern uint64_t Rng;	/* put()'s data: set a seed of its own in main() */

/*
 * put -- new random bytes at Pool [off, +len), persisted, then in the
 * shadow; -1 if rpmem_persist failed (the shadow keeps the old bytes)
 */
int put(RPMEMpool *rpp, size_t off, size_t len, unsigned lane);

/*
 * read_cmp -- rpmem_read [off, +len) into a fresh buffer, compared with
 * the shadow; 1 if equal, else 0 with Detail set
 */
int read_cmp(RPMEMpool *rpp, size_t off, size_t len, unsigned lane);

/*
 * create_logged -- rpmem_create with RPMEM_LOG_LEVEL=1 and stderr captured
 * (through the file tmp, removed after) into log: librpmem logs "persist
 * method X (why)" there, which the public API does not expose.  errno is
 * rpmem_create's.
 */
RPMEMpool *create_logged(const char *target, const char *set, void *pool,
		size_t size, unsigned *nlanes,
		const struct rpmem_pool_attr *attr, const char *tmp,
		char *log, size_t loglen);

#endif /* RPMEM_TEST_CLIENT_H */
