/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_spin.c -- the service thread's spin window (rdma_spin.h)
 */
#include "rdma_spin.h"

/* rpmemd_spin_window -- see rdma_spin.h */
uint64_t
rpmemd_spin_window(const struct rpmemd_spin_cfg *cfg,
		const struct rpmemd_spin_lane *lane)
{
	uint64_t w = 2 * lane->gap_ns;

	if (lane->gap_ns == 0 || w > cfg->max_ns)
		return cfg->min_ns;
	return w > cfg->min_ns ? w : cfg->min_ns;
}

/* rpmemd_spin_request -- see rdma_spin.h */
uint64_t
rpmemd_spin_request(const struct rpmemd_spin_cfg *cfg,
		struct rpmemd_spin_lane *lane, uint64_t now_ns)
{
	uint64_t gap = now_ns - lane->last_ns;

	if (lane->last_ns == 0 || now_ns < lane->last_ns ||
	    gap > cfg->max_ns / 2)
		lane->gap_ns = 0;	/* first request, or after idling */
	else if (gap > lane->gap_ns)
		lane->gap_ns = gap;
	else
		lane->gap_ns -= (lane->gap_ns - gap) / 8;
	lane->last_ns = now_ns;
	return now_ns + rpmemd_spin_window(cfg, lane);
}
