/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_args.c -- command-line values the benchmark tools share
 */
#include <errno.h>
#include <stdlib.h>

#include "bench_args.h"

/* bench_parse_size -- see bench_args.h */
int
bench_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	/* strtoull would skip blanks and take a sign: " -5" is 2^64 - 5 */
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || v == 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (shift != 0 && *end == 'i')	/* KiB, MiB, GiB */
		end++;
	if (*end == 'B')
		end++;
	if (*end != '\0' || v > (~0ull >> shift) || v > (size_t)-1 >> shift)
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

/* bench_parse_count -- see bench_args.h */
int
bench_parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}
