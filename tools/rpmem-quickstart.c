/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-quickstart.c -- persist and read latency through the public
 * librpmem API only (what tools/quickstart shows)
 *
 * usage: rpmem-quickstart TARGET POOLSET [N64 N4K N1M]
 *
 * Creates the remote pool (rpmem starts rpmemd through ssh, so the persist
 * method is whatever the daemon chooses: RPMEM_LOG_LEVEL=1 prints it), then
 * per size (64 B, 4 KiB, 1 MiB; N64/N4K/N1M iterations, default
 * 1000/1000/50, after a few warm-up rounds) times each rpmem_persist and
 * each rpmem_read of that size on lane 0.  Finally reads the 1 MiB area
 * back into a separate buffer and compares it with what was persisted.
 *
 * Prints one line per measurement for tools/quickstart-run to tabulate:
 *   result persist|read SIZE N MEDIAN_US P99_US
 * Exit status: 0 only if everything worked and the bytes match.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librpmem.h>

#include "bench_stats.h"

#define POOL_SIZE	((size_t)(4 * 1024 * 1024))
#define DATA_OFF	((size_t)4096)	/* the pool header belongs to rpmemd */
#define MAX_SIZE	((size_t)(1024 * 1024))
#define WARMUP		10

static const size_t Sizes[] = { 64, 4096, MAX_SIZE };
#define NSIZES (sizeof(Sizes) / sizeof(Sizes[0]))

/* report -- print median and p99 (bench_stats: as rpmem-bench computes) */
static void
report(const char *op, size_t size, uint64_t *s, int n)
{
	struct lat_summary l;

	lat_summarize(s, (size_t)n, &l);
	printf("result %s %zu %d %.2f %.2f\n", op, size, n, l.p50, l.p99);
}

/* parse_n -- a positive iteration count */
static int
parse_n(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < 1 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

int
main(int argc, char *argv[])
{
	int iters[NSIZES] = { 1000, 1000, 50 };
	struct rpmem_pool_attr attr;
	unsigned nlanes = 1;
	RPMEMpool *rpp;
	uint64_t *s;
	char *pool, *back;
	void *mem;
	int ret = 1;

	if (argc != 3 && argc != 6) {
		fprintf(stderr, "usage: %s TARGET POOLSET [N64 N4K N1M]\n",
			argv[0]);
		return 2;
	}
	for (size_t i = 0; argc == 6 && i < NSIZES; i++) {
		if (parse_n(argv[3 + i], &iters[i])) {
			fprintf(stderr, "invalid iteration count '%s'\n",
				argv[3 + i]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (posix_memalign(&mem, (size_t)sysconf(_SC_PAGESIZE), POOL_SIZE)) {
		fprintf(stderr, "posix_memalign failed\n");
		return 1;
	}
	pool = mem;
	back = malloc(MAX_SIZE);
	s = malloc(1000000 * sizeof(*s));
	if (back == NULL || s == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	memset(pool, 0, POOL_SIZE);
	for (size_t i = 0; i < MAX_SIZE; i++)
		pool[DATA_OFF + i] = (char)(i * 7 + 3);

	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "QUICKST", 8);
	attr.major = 1;

	uint64_t t0 = rpmem_now_ns();
	rpp = rpmem_create(argv[1], argv[2], pool, POOL_SIZE, &nlanes, &attr);
	if (rpp == NULL) {
		fprintf(stderr, "rpmem_create(%s, %s): %s\n", argv[1], argv[2],
			rpmem_errormsg());
		return 1;
	}
	printf("# rpmem_create over ssh took %.1f ms, %u lane(s)\n",
		(double)(rpmem_now_ns() - t0) / 1e6, nlanes);

	for (size_t i = 0; i < NSIZES; i++) {
		for (int j = -WARMUP; j < iters[i]; j++) {
			uint64_t t = rpmem_now_ns();

			if (rpmem_persist(rpp, DATA_OFF, Sizes[i], 0)) {
				fprintf(stderr, "rpmem_persist %zu B: %s\n",
					Sizes[i], rpmem_errormsg());
				goto close_pool;
			}
			if (j >= 0)
				s[j] = rpmem_now_ns() - t;
		}
		report("persist", Sizes[i], s, iters[i]);
	}
	for (size_t i = 0; i < NSIZES; i++) {
		for (int j = -WARMUP; j < iters[i]; j++) {
			uint64_t t = rpmem_now_ns();

			if (rpmem_read(rpp, back, DATA_OFF, Sizes[i], 0)) {
				fprintf(stderr, "rpmem_read %zu B: %s\n",
					Sizes[i], rpmem_errormsg());
				goto close_pool;
			}
			if (j >= 0)
				s[j] = rpmem_now_ns() - t;
		}
		report("read", Sizes[i], s, iters[i]);
	}

	/* the last reads were MAX_SIZE bytes: what the target holds */
	if (memcmp(back, pool + DATA_OFF, MAX_SIZE)) {
		fprintf(stderr, "the bytes read back differ from the bytes "
			"persisted\n");
		goto close_pool;
	}
	printf("# verified: %zu bytes read back match\n", MAX_SIZE);
	ret = 0;

close_pool:
	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		ret = 1;
	}
	free(s);
	free(back);
	free(pool);
	return ret;
}
