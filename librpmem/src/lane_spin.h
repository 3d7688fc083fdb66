/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lane_spin.h -- a lane's spin window (lane.c, "Waiting" says why): how
 * long a wait polls before it sleeps, from the lane's recent waits.  Pure
 * arithmetic on one lane's numbers: unit-tested (test_lane_spin.c).
 */
#ifndef RPMEM_LANE_SPIN_H
#define RPMEM_LANE_SPIN_H 1

#include <stdint.h>

/*
 * rpmem_spin_window -- twice the recent wait, at least min_ns, at most
 * max_ns (max_ns <= min_ns: always min_ns)
 */
static inline uint64_t
rpmem_spin_window(uint64_t recent_ns, uint64_t min_ns, uint64_t max_ns)
{
	uint64_t w = 2 * recent_ns;

	if (w <= min_ns || max_ns <= min_ns)
		return min_ns;
	return w < max_ns ? w : max_ns;
}

/*
 * rpmem_spin_learn -- the recent wait after a wait that took took_ns: up
 * at once, down by an eighth of the difference; 0 after a wait longer
 * than max_ns / 2 (a large transfer: spinning would not catch it)
 */
static inline uint64_t
rpmem_spin_learn(uint64_t recent_ns, uint64_t took_ns, uint64_t max_ns)
{
	if (took_ns > max_ns / 2)
		return 0;
	if (took_ns > recent_ns)
		return took_ns;
	return recent_ns - (recent_ns - took_ns) / 8;
}

#endif /* RPMEM_LANE_SPIN_H */
