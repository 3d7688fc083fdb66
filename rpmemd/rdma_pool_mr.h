/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_pool_mr.h -- registering the pool for remote READ/WRITE: pinned
 * when the memory allows, else (fsdax) with On-Demand Paging when the
 * device has it, prefetched so that the first accesses do not fault
 */
#ifndef RPMEMD_RDMA_POOL_MR_H
#define RPMEMD_RDMA_POOL_MR_H 1

#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>

/*
 * rpmemd_pool_mr_reg -- register [addr, addr + len) on pd with local and
 * remote read/write access; 0 with *mr set, or an enum rpmem_status with
 * the reason logged (an operator can act on each: RLIMIT_MEMLOCK, fsdax
 * without ODP, permissions)
 */
int rpmemd_pool_mr_reg(struct ibv_pd *pd, uint8_t *addr, size_t len,
		struct ibv_mr **mr);

#endif /* RPMEMD_RDMA_POOL_MR_H */
