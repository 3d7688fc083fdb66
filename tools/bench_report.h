/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_report.h -- rpmem-bench's output formats (table, CSV, JSON,
 * gnuplot PNG), kept out of the measuring program: they only format what
 * was measured, described by struct bench_info and struct bench_result
 */
#ifndef RPMEM_BENCH_REPORT_H
#define RPMEM_BENCH_REPORT_H 1

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_stats.h"

/* one measured point */
struct bench_result {
	const char *op;		/* "persist", "read", "flush" */
	const char *pattern;	/* "seq", "rand" */
	size_t size;
	unsigned lanes;
	struct lat_summary lat;	/* n = operations timed, all lanes */
	double secs;		/* wall time of the timed phase */
	double mib_s, ops_s;
};

/* what was run, where and how: the header of every format */
struct bench_info {
	const char *version, *build_type;
	char host[128];
	char date[64];
	const char *target, *poolset;
	int opened;		/* rpmem_open, not rpmem_create */
	char device[512];
	const char *method;
	char reason[256];	/* a copy: the pool's goes with rpmem_close */
	unsigned lanes_req, lanes_granted;
	size_t pool_size, hdr, region;
	const char *spin_us;
	double time_s;		/* > 0: time budget per point */
	uint64_t iters, max_mib, min_iters, warmup;
	int read_into_pool;
};

/* bench_human -- "8 B", "4 KiB", "1 MiB" (exact multiples only) */
const char *bench_human(size_t s, char *buf, size_t len);

/* report_table_head -- the "# ..." header and the column titles */
void report_table_head(FILE *f, const struct bench_info *h);

/* report_table_row -- one point; prev (or NULL) decides the blank line */
void report_table_row(FILE *f, const struct bench_result *r,
		const struct bench_result *prev);

/* report_csv / report_json -- every point to path ("-": stdout); 0 or -1 */
int report_csv(const char *path, const struct bench_result *r, size_t n);
int report_json(const char *path, const struct bench_info *h,
		const struct bench_result *r, size_t n);

/*
 * report_plot -- a PNG through gnuplot: p50/p99 latency vs size of every
 * op at the smallest lane count, and op top's throughput vs lanes per size;
 * pattern pat only; 0 or -1 (message on stderr)
 */
int report_plot(const char *path, const struct bench_info *h,
		const struct bench_result *r, size_t n, const char *top,
		const char *pat);

#endif /* RPMEM_BENCH_REPORT_H */
