/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.h -- internal queries on an open RPMEMpool (for the benchmark and
 * the tests; not exported from librpmem.so)
 */
#ifndef RPMEM_POOL_H
#define RPMEM_POOL_H 1

#include <stdint.h>

#include "librpmem.h"

/*
 * rpmem_pool_persist_method -- the persist method the daemon chose (enum
 * rpmem_persist_method; 0 for rpp NULL) and, when reason is not NULL, its
 * reason as the daemon gave it (valid until rpmem_close)
 */
uint16_t rpmem_pool_persist_method(const RPMEMpool *rpp,
		const char **reason);

/* rpmem_pool_hdr_size -- 0 (no header) or RPMEM_POOL_HDR_SIZE */
uint32_t rpmem_pool_hdr_size(const RPMEMpool *rpp);

#endif /* RPMEM_POOL_H */
