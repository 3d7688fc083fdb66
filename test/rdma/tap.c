/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tap.c -- what the rdma test programs share: numbered "ok"/"not ok"
 * checks, reproducible data, page-aligned buffers, file helpers (their
 * set-up is rig.c's)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "librpmem.h"
#include "tap.h"

int Failures;
int Num;
char Detail[512];
const char *(*Tap_errormsg)(void);

/*
 * weak: a program that reaches librpmem only through another library's
 * dlopen (libpmemobj) links tap.c without it and sets Tap_errormsg
 */
#pragma weak rpmem_errormsg

/* errormsg -- the library's message for a failed call */
static const char *
errormsg(void)
{
	if (Tap_errormsg != NULL)
		return Tap_errormsg();
	return rpmem_errormsg != NULL ? rpmem_errormsg() : "";
}

/* detail -- the reason the next failed check prints */
void
detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(Detail, sizeof(Detail), fmt, ap);
	va_end(ap);
}

/*
 * expect -- one numbered check; a failure prints Detail (or errno and
 * rpmem_errormsg() when no detail was given)
 */
int
expect(int ok, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	Num++;
	printf("%s %d - ", ok ? "ok" : "not ok", Num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		Failures++;
		if (Detail[0] != '\0')
			printf(": %s", Detail);
		else
			printf(": errno %d (%s), %s '%s'", err,
				strerror(err), Tap_errormsg != NULL ?
				"message" : "rpmem_errormsg", errormsg());
	}
	printf("\n");
	fflush(stdout);
	Detail[0] = '\0';
	return ok;
}

/*
 * expect_err -- a call that must fail (failed != 0) with errno want and,
 * when sub is not NULL, a message containing sub
 */
int
expect_err(int failed, int want, const char *sub, const char *fmt, ...)
{
	int err = errno;
	const char *msg = errormsg();
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!failed)
		detail("the call succeeded");
	else if (err != want)
		detail("errno %d (%s), want %d (%s); message '%s'", err,
			strerror(err), want, strerror(want), msg);
	else if (sub != NULL && strstr(msg, sub) == NULL)
		detail("message '%s' lacks '%s'", msg, sub);
	return expect(failed && err == want &&
		(sub == NULL || strstr(msg, sub) != NULL), "%s", what);
}

/* same -- compare, setting Detail at the first mismatch */
int
same(const uint8_t *got, const uint8_t *want, size_t n, size_t base)
{
	long d = diff(got, want, n);

	if (d < 0)
		return 1;
	detail("byte at offset %zu is 0x%02x, want 0x%02x", base + (size_t)d,
		got[d], want[d]);
	return 0;
}

/* rnd -- xorshift64*: reproducible data */
uint64_t
rnd(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 2685821657736338717ull;
}

/* mix -- splitmix64 finalizer: a value's well-mixed hash */
uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* fill -- random bytes */
void
fill(uint8_t *p, size_t n, uint64_t *st)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v = rnd(st);
		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)rnd(st);
}

/* now_ms -- CLOCK_MONOTONIC in ms */
double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* map -- zeroed page-aligned memory */
uint8_t *
map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* diff -- first differing byte of a and b, or -1 */
long
diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (memcmp(a, b, n) == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (long)i;
	}
	return -1;
}

/* write_file -- create path with text */
void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* dump_log -- a daemon log file as "# " lines, after a failure */
void
dump_log(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	printf("# --- rpmemd log (%s) ---\n", path);
	while (fgets(line, sizeof(line), f) != NULL)
		printf("# %s", line);
	fclose(f);
}

/* read_part -- n bytes at off of a part file; -1 on error (Detail set) */
int
read_part(const char *path, size_t off, uint8_t *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0) {
		detail("open %s: %s", path, strerror(errno));
		return -1;
	}
	r = pread(fd, buf, n, (off_t)off);
	close(fd);
	if (r != (ssize_t)n) {
		detail("pread %s: %zd of %zu bytes", path, r, n);
		return -1;
	}
	return 0;
}

/* rm_cb -- nftw callback of rm_rf */
int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return remove(path);
}

/* rm_rf -- remove a directory tree */
void
rm_rf(const char *dir)
{
	(void) nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}
