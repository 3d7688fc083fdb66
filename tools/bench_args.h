/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_args.h -- command-line values the benchmark tools share
 * (bench_args.c)
 */
#ifndef RPMEM_BENCH_ARGS_H
#define RPMEM_BENCH_ARGS_H 1

#include <stddef.h>
#include <stdint.h>

/*
 * bench_parse_size -- "N[K|M|G][i][B]" (binary units: 4K = 4KiB = 4096),
 * N > 0; 0 and *out set, or -1 for anything else
 */
int bench_parse_size(const char *s, size_t *out);

/*
 * bench_parse_count -- decimal digits only (no sign, no blank), at most
 * max; 0 and *out set, or -1 for anything else
 */
int bench_parse_count(const char *s, uint64_t max, uint64_t *out);

#endif /* RPMEM_BENCH_ARGS_H */
