/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz.h -- what every fuzz target (test/fuzz/fuzz_*.c) shares
 *
 * A target defines LLVMFuzzerTestOneInput() only.  The same object is
 * linked either with libFuzzer (clang, RPMEM_BUILD_FUZZERS=ON: fuzz_<name>)
 * or with replay_main.c (every build: replay_<name>, the unit test that
 * replays test/fuzz/corpus/<name> and test/fuzz/regress/<name>).
 *
 * FUZZ_CHECK states a property of the code under test; a violation aborts,
 * which libFuzzer reports as a crash (and keeps the input) and which fails
 * the replay test.
 */
#ifndef RPMEM_FUZZ_H
#define RPMEM_FUZZ_H 1

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property violated: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#endif /* RPMEM_FUZZ_H */
