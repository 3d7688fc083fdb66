/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tap.h -- the shared harness of the rdma test programs (tap.c)
 */
#ifndef RPMEM_TEST_TAP_H
#define RPMEM_TEST_TAP_H 1

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

extern int Failures;	/* failed checks so far */
extern int Num;		/* checks so far */
extern char Detail[512];	/* why the next failing check fails */
/*
 * the message a failed check without detail prints, and expect_err's
 * text; NULL: rpmem_errormsg() (when the program links librpmem)
 */
extern const char *(*Tap_errormsg)(void);

/* detail -- the reason the next failed check prints */
__attribute__((format(printf, 1, 2)))
void detail(const char *fmt, ...);

/*
 * expect -- one numbered check; a failure prints Detail (or errno and
 * rpmem_errormsg() or Tap_errormsg() when no detail was given); returns ok
 */
__attribute__((format(printf, 2, 3)))
int expect(int ok, const char *fmt, ...);

/*
 * expect_err -- a call that must fail (failed != 0) with errno want and,
 * when sub is not NULL, a message containing sub
 */
__attribute__((format(printf, 4, 5)))
int expect_err(int failed, int want, const char *sub, const char *fmt, ...);

uint64_t rnd(uint64_t *st);	/* xorshift64*: reproducible data */
uint64_t mix(uint64_t x);	/* splitmix64 finalizer: a hash of x */
void fill(uint8_t *p, size_t n, uint64_t *st);	/* random bytes */
double now_ms(void);	/* CLOCK_MONOTONIC in ms */
uint8_t *map(size_t n);	/* zeroed page-aligned memory, exits on failure */
long diff(const uint8_t *a, const uint8_t *b, size_t n); /* first diff or -1 */
/* same -- got == want (n bytes); else Detail names the byte at base + i */
int same(const uint8_t *got, const uint8_t *want, size_t n, size_t base);
void write_file(const char *path, const char *text);	/* exits on failure */
void dump_log(const char *path);	/* the rpmemd log, as "# " lines */
/* read_part -- n bytes at off of a file; -1 on error (Detail set) */
int read_part(const char *path, size_t off, uint8_t *buf, size_t n);
int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw);
void rm_rf(const char *dir);	/* remove a directory tree */

#endif /* RPMEM_TEST_TAP_H */
