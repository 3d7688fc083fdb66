/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_stats.c -- latency samples to a summary (bench_stats.h)
 */
#include <math.h>
#include <stdlib.h>

#include "bench_stats.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double
lat_pct(const uint64_t *sorted, size_t n, double q)
{
	size_t r = (size_t)ceil(q * (double)n);

	if (n == 0)
		return NAN;
	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return (double)sorted[r - 1] / 1e3;
}

void
lat_summarize(uint64_t *samples, size_t n, struct lat_summary *s)
{
	uint64_t sum = 0;

	if (n == 0) {
		/* no sample: nothing to report, never a read outside */
		*s = (struct lat_summary){.n = 0, .min = NAN, .p50 = NAN,
			.p99 = NAN, .p999 = NAN, .max = NAN, .mean = NAN};
		return;
	}
	qsort(samples, n, sizeof(*samples), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += samples[i];
	s->n = n;
	s->min = (double)samples[0] / 1e3;
	s->p50 = lat_pct(samples, n, 0.50);
	s->p99 = lat_pct(samples, n, 0.99);
	s->p999 = lat_pct(samples, n, 0.999);
	s->max = (double)samples[n - 1] / 1e3;
	s->mean = (double)sum / (double)n / 1e3;
}
