/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flush_test.c -- API 1.2 (rpmem_flush, rpmem_drain, rpmem_deep_persist,
 * the five-argument rpmem_persist) against the real rpmemd through
 * fake-ssh, once per persist method.  Set-up as in e2e_test.c: one
 * temporary directory holds the config, the pool-set dir and the log.
 *
 * Checks: many flushes on several lanes (far more than the SQ depth)
 * before one drain per lane, the bytes read back and then found in the
 * part file after rpmem_close; deep persist; the RELAXED flags; argument
 * errors (EINVAL) that leave the handle usable.
 *
 * usage: flush_test --method apm|gpspm --ssh FAKE_SSH --rpmemd RPMEMD
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* the later five-argument rpmem_persist (see librpmem.h) */
#define RPMEM_PERSIST_FLAGS 1
#include "librpmem.h"
#include "tap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define HDR ((size_t)4096)
#define POOL_SIZE (4 * MiB)
#define NLANES 4
#define LANE_REGION (512 * KiB)	/* lane l owns [HDR + l * REGION, +REGION) */
#define NFLUSH 200		/* per lane: far more than the SQ depth (8) */
#define SLOT (LANE_REGION / NFLUSH)


static const char *Method;
static const char *Target;
static const char *Rpmemd;
static char Tmp[256];
static char Sets[300];
static char Conf[300];
static char Log[300];
static char Part[PATH_MAX];
static char Cmd[3 * PATH_MAX];

static uint8_t *Pool;
static uint8_t *Shadow;
static uint64_t Rng = 0x9e3779b97f4a7c15ull;

/* same -- compare, setting Detail at a mismatch */
static int
same(const uint8_t *got, const uint8_t *want, size_t n, size_t base)
{
	long d = diff(got, want, n);

	if (d < 0)
		return 1;
	detail("byte at offset %zu is 0x%02x, want 0x%02x", base + (size_t)d,
		got[d], want[d]);
	return 0;
}

/* setup -- temp dir, config, pool-set file, environment of the transport */
static void
setup(const char *ssh)
{
	char text[2 * PATH_MAX + 256];
	const char *tmpdir = getenv("TMPDIR");
	int apm = strcmp(Method, "apm") == 0;

	if (tmpdir == NULL || tmpdir[0] == '\0' || strlen(tmpdir) > 200)
		tmpdir = "/tmp";
	snprintf(Tmp, sizeof(Tmp), "%.200s/rpmem-flush-%.5s-XXXXXX", tmpdir,
		Method);
	if (mkdtemp(Tmp) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(Sets, sizeof(Sets), "%s/sets", Tmp);
	snprintf(Conf, sizeof(Conf), "%s/rpmemd.conf", Tmp);
	snprintf(Log, sizeof(Log), "%s/rpmemd.log", Tmp);
	snprintf(Part, sizeof(Part), "%s/flush.part0", Sets);
	if (mkdir(Sets, 0700)) {
		perror("mkdir");
		exit(1);
	}
	snprintf(text, sizeof(text),
		"poolset-dir = %s\n"
		"persist-apm = %s\n"
		"persist-general = yes\n"
		"ddio = %s\n"
		"max-lanes = 16\n"
		"log-file = %s\n"
		"log-level = info\n"
		"use-syslog = no\n",
		Sets, apm ? "yes" : "no", apm ? "ignore" : "check", Log);
	write_file(Conf, text);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n%zu %s\n", POOL_SIZE,
		Part);
	snprintf(Cmd, sizeof(Cmd), "%s/flush.set", Sets);
	write_file(Cmd, text);

	setenv("RPMEM_SSH", ssh, 1);
	unsetenv("RPMEM_MAX_NLANES");
	unsetenv("RPMEM_LOG_LEVEL");
	snprintf(Cmd, sizeof(Cmd), "exec %s%s -c %s",
		apm ? "env PMEM_IS_PMEM_FORCE=1 " : "", Rpmemd, Conf);
	setenv("RPMEM_CMD", Cmd, 1);
}

/* now_flush -- new bytes at [off, +len), flushed (not yet durable) */
static int
now_flush(RPMEMpool *rpp, size_t off, size_t len, unsigned lane,
		unsigned flags)
{
	fill(Pool + off, len, &Rng);
	memcpy(Shadow + off, Pool + off, len);
	return rpmem_flush(rpp, off, len, lane, flags);
}

/* read_cmp -- rpmem_read [off, +len) and compare with the shadow */
static int
read_cmp(RPMEMpool *rpp, size_t off, size_t len, unsigned lane)
{
	uint8_t *buf = map(len);
	int ok;

	if (rpmem_read(rpp, buf, off, len, lane)) {
		detail("rpmem_read: errno %d, '%s'", errno, rpmem_errormsg());
		ok = 0;
	} else {
		ok = same(buf, Shadow + off, len, off);
	}
	munmap(buf, len);
	return ok;
}

/* t_flush -- the whole scenario on one pool */
static void
t_flush(void)
{
	struct rpmem_pool_attr attr;
	unsigned nl = NLANES;
	RPMEMpool *rpp;
	uint8_t *buf;
	int ok = 1;

	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "FLUSHTST", 8);
	attr.major = 1;
	rpp = rpmem_create(Target, "flush.set", Pool, POOL_SIZE, &nl, &attr);
	if (!expect(rpp != NULL, "rpmem_create"))
		return;
	expect(nl >= 2, "at least 2 lanes (%u)", nl);
	if (nl > NLANES)
		nl = NLANES;

	/* interleaved over the lanes: NFLUSH flushes each, no drain */
	for (unsigned i = 0; i < NFLUSH && ok; i++) {
		for (unsigned l = 0; l < nl && ok; l++) {
			size_t off = HDR + l * LANE_REGION + i * SLOT;
			size_t len = 1 + (size_t)(rnd(&Rng) % SLOT);

			if (now_flush(rpp, off, len, l,
					(i & 1) ? RPMEM_FLUSH_RELAXED : 0)) {
				detail("flush %u on lane %u: errno %d '%s'",
					i, l, errno, rpmem_errormsg());
				ok = 0;
			}
		}
	}
	expect(ok, "%u flushes on each of %u lanes", NFLUSH, nl);
	/* a large one too: several MTUs in one WRITE */
	expect(now_flush(rpp, HDR + nl * LANE_REGION, 256 * KiB, 0, 0) == 0,
		"a 256 KiB flush");
	ok = 1;
	for (unsigned l = 0; l < nl; l++) {
		if (rpmem_drain(rpp, l, 0)) {
			detail("drain lane %u: errno %d '%s'", l, errno,
				rpmem_errormsg());
			ok = 0;
		}
	}
	expect(ok, "one rpmem_drain per lane");
	expect(rpmem_drain(rpp, 0, 0) == 0, "a drain with nothing flushed");
	expect(read_cmp(rpp, HDR, POOL_SIZE - HDR, 1),
		"the flushed bytes read back");

	/* deep persist and the five-argument persist, both lanes */
	fill(Pool + 3 * MiB, 64 * KiB, &Rng);
	memcpy(Shadow + 3 * MiB, Pool + 3 * MiB, 64 * KiB);
	expect(rpmem_deep_persist(rpp, 3 * MiB, 64 * KiB, 1) == 0,
		"rpmem_deep_persist 64 KiB");
	fill(Pool + 3 * MiB + 64 * KiB, 100, &Rng);
	memcpy(Shadow + 3 * MiB + 64 * KiB, Pool + 3 * MiB + 64 * KiB, 100);
	expect(rpmem_persist(rpp, 3 * MiB + 64 * KiB, 100, 0,
		RPMEM_PERSIST_RELAXED) == 0,
		"rpmem_persist(..., RPMEM_PERSIST_RELAXED)");
	expect(rpmem_persist(rpp, 3 * MiB + 64 * KiB, 100, 0, 0) == 0,
		"rpmem_persist(..., 0)");
	expect(rpmem_deep_persist(rpp, HDR, 0, 0) == 0,
		"rpmem_deep_persist of 0 bytes");

	/* argument errors: EINVAL, the handle stays usable */
	expect_err(rpmem_flush(rpp, HDR, 8, nl, 0), EINVAL, "lane",
		"rpmem_flush lane >= nlanes");
	expect_err(rpmem_flush(rpp, HDR - 8, 16, 0, 0), EINVAL, "header",
		"rpmem_flush into the header");
	expect_err(rpmem_flush(rpp, HDR, SIZE_MAX, 0, 0), EINVAL, NULL,
		"rpmem_flush whose end overflows");
	expect_err(rpmem_flush(rpp, POOL_SIZE - 4, 8, 0, 0), EINVAL,
		"pool size", "rpmem_flush past the pool");
	expect_err(rpmem_flush(rpp, HDR, 8, 0, 1U << 5), EINVAL, "flags",
		"rpmem_flush unknown flags");
	expect_err(rpmem_drain(rpp, 0, RPMEM_FLUSH_RELAXED), EINVAL, "flags",
		"rpmem_drain flags");
	expect_err(rpmem_drain(rpp, nl, 0), EINVAL, "lane",
		"rpmem_drain lane >= nlanes");
	expect_err(rpmem_deep_persist(rpp, 0, 8, 0), EINVAL, "header",
		"rpmem_deep_persist into the header");
	expect_err(rpmem_deep_persist(rpp, HDR, 8, nl), EINVAL, "lane",
		"rpmem_deep_persist lane >= nlanes");
	expect_err(rpmem_persist(rpp, HDR, 8, 0, 2), EINVAL, "flags",
		"rpmem_persist unknown flags");
	expect(now_flush(rpp, 2 * MiB + 5, 333, nl - 1, 0) == 0 &&
		rpmem_drain(rpp, nl - 1, 0) == 0 &&
		read_cmp(rpp, 2 * MiB, 4 * KiB, nl - 1),
		"flush + drain after the argument errors");
	/* interleaved: persist on a lane with flushes outstanding */
	expect(now_flush(rpp, 3 * MiB + 128 * KiB, 4 * KiB, 0, 0) == 0 &&
		now_flush(rpp, 3 * MiB + 140 * KiB, 1, 0, 0) == 0 &&
		rpmem_persist(rpp, HDR, 8, 0, 0) == 0 &&
		rpmem_drain(rpp, 0, 0) == 0, "flush, persist, drain");
	/* ... and a read on a lane whose flushes await their drain */
	expect(now_flush(rpp, 3 * MiB + 160 * KiB, 512, 1, 0) == 0 &&
		now_flush(rpp, 3 * MiB + 170 * KiB, 3, 1, 0) == 0 &&
		read_cmp(rpp, 3 * MiB + 160 * KiB, 12 * KiB, 1) &&
		rpmem_drain(rpp, 1, 0) == 0, "flush, read back, drain");

	expect(rpmem_close(rpp) == 0, "rpmem_close");
	buf = map(POOL_SIZE);
	if (read_part(Part, HDR, buf, POOL_SIZE - HDR) == 0)
		expect(same(buf, Shadow + HDR, POOL_SIZE - HDR, HDR),
			"the part file holds every flushed byte");
	else
		expect(0, "read the part file");
	munmap(buf, POOL_SIZE);
	expect(rpmem_remove(Target, "flush.set", 0) == 0, "rpmem_remove");
}

int
main(int argc, char *argv[])
{
	const char *ssh = NULL;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--method") == 0)
			Method = argv[i + 1];
		else if (strcmp(argv[i], "--ssh") == 0)
			ssh = argv[i + 1];
		else if (strcmp(argv[i], "--rpmemd") == 0)
			Rpmemd = argv[i + 1];
	}
	if (Method == NULL || ssh == NULL || Rpmemd == NULL ||
	    (strcmp(Method, "apm") != 0 && strcmp(Method, "gpspm") != 0)) {
		fprintf(stderr, "usage: flush_test --method apm|gpspm --ssh "
			"FAKE_SSH --rpmemd RPMEMD\n");
		return 2;
	}
	Target = getenv("RPMEM_TEST_TARGET_ADDR");
	if (Target == NULL || Target[0] == '\0') {
		printf("not ok 1 - RPMEM_TEST_TARGET_ADDR is not set (run "
			"inside tools/rxe-vm)\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	Pool = map(POOL_SIZE);
	Shadow = map(POOL_SIZE);
	setup(ssh);
	printf("# method %s, target %s, rpmemd dir %s\n", Method, Target, Tmp);
	expect(rpmem_check_version(1, 2) == NULL, "rpmem_check_version(1, 2)");
	t_flush();
	if (Failures)
		dump_log(Log);
	rm_rf(Tmp);
	printf("# %s: %d checks, %d failed\n", Method, Num, Failures);
	return Failures ? 1 : 0;
}
