/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_stats.h -- latency samples to a summary, shared by every measuring
 * tool (rpmem-bench, rpmem-quickstart, rpma-flush-lat), so the figures that
 * rpmem-compare and quickstart set side by side are computed one way
 */
#ifndef RPMEM_BENCH_STATS_H
#define RPMEM_BENCH_STATS_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_os.h"	/* rpmem_now_ns: the clock of the library's waits */

/* one operation's latency distribution, in microseconds */
struct lat_summary {
	uint64_t n;
	double min, p50, p99, p999, max, mean;
};


/* lat_pct -- nearest-rank percentile q (0..1] of n sorted ns samples, us
 * (NaN for n == 0) */
double lat_pct(const uint64_t *sorted, size_t n, double q);

/*
 * lat_summarize -- sort the n ns samples in place and fill *s; the
 * percentiles are nearest-rank (an observed sample, never interpolated);
 * n == 0: every figure NaN
 */
void lat_summarize(uint64_t *samples, size_t n, struct lat_summary *s);

#endif /* RPMEM_BENCH_STATS_H */
