/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_spin.h -- the service thread's spin window (rdma_service.c says
 * why): how long to keep polling after a lane's request, from the gap
 * measured between that lane's requests.  Pure arithmetic on one lane's
 * numbers, no verbs: unit-tested (test/unit/test_rdma_spin.c).
 */
#ifndef RPMEMD_RDMA_SPIN_H
#define RPMEMD_RDMA_SPIN_H 1

#include <stdint.h>

/* the policy's two bounds */
struct rpmemd_spin_cfg {
	uint64_t min_ns;	/* RPMEMD_SPIN_US: the least window */
	uint64_t max_ns;	/* RPMEMD_SPIN_MAX_US: 0 keeps min_ns */
};

/* one lane's request history */
struct rpmemd_spin_lane {
	uint64_t last_ns;	/* the last request, 0: none yet */
	uint64_t gap_ns;	/* recent gap between requests, 0: idle */
};

/*
 * rpmemd_spin_request -- the lane got a request at now_ns: update its gap
 * (up at once, so one slow round trip already widens the window; down by
 * an eighth of the difference per request; reset when the gap exceeds
 * max_ns / 2, an idle lane) and return until when to keep polling
 */
uint64_t rpmemd_spin_request(const struct rpmemd_spin_cfg *cfg,
		struct rpmemd_spin_lane *lane, uint64_t now_ns);

/*
 * rpmemd_spin_window -- the lane's window: twice its gap, at least min_ns,
 * or min_ns for an idle lane
 */
uint64_t rpmemd_spin_window(const struct rpmemd_spin_cfg *cfg,
		const struct rpmemd_spin_lane *lane);

/*
 * a lane whose last request is younger than this is busy: a few of its
 * round trips even under TCG (about 1 ms at 8 lanes), and the same as the
 * default idle threshold of the window (RPMEMD_SPIN_MAX_US / 2)
 */
#define RPMEMD_SPIN_BUSY_NS 5000000ull

/* rpmemd_spin_busy -- 1 while the lane's last request is recent */
static inline int
rpmemd_spin_busy(const struct rpmemd_spin_lane *lane, uint64_t now_ns)
{
	return lane->last_ns != 0 && now_ns >= lane->last_ns &&
		now_ns - lane->last_ns < RPMEMD_SPIN_BUSY_NS;
}

#endif /* RPMEMD_RDMA_SPIN_H */
