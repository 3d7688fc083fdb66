/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hdr_oracle.h -- the pool header's checksum written again for the tests
 * (test_pool_hdr.c, test_pool_store.c), so that they do not trust the
 * code they check (rpmemd/pool_hdr.c)
 */
#ifndef RPMEM_TEST_HDR_ORACLE_H
#define RPMEM_TEST_HDR_ORACLE_H 1

#include <stddef.h>
#include <stdint.h>

#define FNV_INIT 0xcbf29ce484222325ULL

/*
 * fnv -- FNV-1a 64 continued over len bytes of p (NULL: zeros), the 8
 * bytes at skip counted as zero (where the checksum itself is stored)
 */
static inline uint64_t
fnv(uint64_t h, const uint8_t *p, size_t len, size_t skip)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (p == NULL || (i >= skip && i < skip + 8)) ? 0 : p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif /* RPMEM_TEST_HDR_ORACLE_H */
