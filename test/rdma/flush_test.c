/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flush_test.c -- API 1.2 (rpmem_flush, rpmem_drain, rpmem_deep_persist,
 * the five-argument rpmem_persist) against the real rpmemd through
 * fake-ssh, once per persist method.  The set-up is rig.h's: one
 * temporary directory holds the config, the pool-set dir and the log.
 *
 * Checks: many flushes on several lanes (far more than the SQ depth)
 * before one drain per lane, the bytes read back and then found in the
 * part file after rpmem_close; deep persist; the RELAXED flags; argument
 * errors (EINVAL) that leave the handle usable; batches of N flushes and
 * one drain for N around the send queue and CQ depths, at several depths
 * (RPMEM_WORK_QUEUE_SIZE), spinning and not (t_batches).
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
#include "client.h"
#include "rig.h"
#include "tap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define HDR RIG_HDR_SIZE
#define POOL_SIZE (4 * MiB)
#define NLANES 4
#define LANE_REGION (512 * KiB)	/* lane l owns [HDR + l * REGION, +REGION) */
#define NFLUSH 200		/* per lane: far more than the SQ depth (32) */
#define SLOT (LANE_REGION / NFLUSH)


static const char *Target;
static struct rig Rig;
static struct rig_set Set;	/* flush.set: one part of POOL_SIZE */

/* now_flush -- new bytes at [off, +len), flushed (not yet durable) */
static int
now_flush(RPMEMpool *rpp, size_t off, size_t len, unsigned lane,
		unsigned flags)
{
	fill(Pool + off, len, &Rng);
	memcpy(Shadow + off, Pool + off, len);
	return rpmem_flush(rpp, off, len, lane, flags);
}

/* t_flush -- the whole scenario on one pool */
static void
t_flush(void)
{
	struct rpmem_pool_attr attr;
	unsigned nl = NLANES;
	RPMEMpool *rpp;
	int ok = 1;

	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "FLUSHTST", 8);
	attr.major = 1;
	rpp = rpmem_create(Target, Set.name, Pool, POOL_SIZE, &nl, &attr);
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
	expect(rig_set_holds(&Set, Shadow), "the part file holds every "
		"flushed byte");
	expect(rpmem_remove(Target, Set.name, 0) == 0, "rpmem_remove");
}

/*
 * The flush batches (issue 13): N flushes back to back on one lane, then
 * one drain, for N around the send queue depth D, the CQ size (D + 1) and
 * the lazy window (lane.h), with the lane spinning for its completions and
 * with it going straight to sleep (RPMEM_SPIN_US=0: a CQE left in the CQ
 * when the lane sleeps then shows as a drain that times out).  D is set
 * through RPMEM_WORK_QUEUE_SIZE and read back from the library's log.
 */
#define BATCH_LANE 1		/* not lane 0: a lane index mixed up shows */
#define BATCH_MAX_LEN 300	/* inline (<= 64 B) and DMA-read WRITEs */

/* logged_depth -- the last "send queue depth D" in the client's log */
static unsigned
logged_depth(const char *path)
{
	static const char key[] = "send queue depth ";
	char line[512];
	unsigned d = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, key);

		if (p != NULL)
			d = (unsigned)strtoul(p + sizeof(key) - 1, NULL, 10);
	}
	fclose(f);
	return d;
}

/*
 * batch -- n flushes of 1..BATCH_MAX_LEN bytes with gaps from *off on
 * BATCH_LANE, then end: 'd' the drain, 'p' a persist of the last range
 * before it, 'r' a read back before it; the bytes must read back after it
 */
static int
batch(RPMEMpool *rpp, unsigned n, size_t *off, char end)
{
	size_t base = *off, o = *off, len = 0;

	for (unsigned i = 0; i < n; i++) {
		len = 1 + (size_t)(rnd(&Rng) % (i % 3 ? 64 : BATCH_MAX_LEN));
		if (now_flush(rpp, o, len, BATCH_LANE, 0)) {
			detail("flush %u of %u: errno %d '%s'", i + 1, n,
				errno, rpmem_errormsg());
			return 0;
		}
		o += len + (size_t)(rnd(&Rng) % 64);
	}
	*off = o + 64;
	if (end == 'p' && rpmem_persist(rpp, o - len, len, BATCH_LANE, 0)) {
		detail("persist after %u flushes: errno %d '%s'", n, errno,
			rpmem_errormsg());
		return 0;
	}
	if (end == 'r' && !read_cmp(rpp, base, o - base, BATCH_LANE)) {
		detail("read back after %u undrained flushes", n);
		return 0;
	}
	if (rpmem_drain(rpp, BATCH_LANE, 0)) {
		detail("drain after %u flushes: errno %d '%s'", n, errno,
			rpmem_errormsg());
		return 0;
	}
	return read_cmp(rpp, base, o - base, BATCH_LANE);
}

/* batches -- the batch sizes around depth d, one pool */
static void
batches(RPMEMpool *rpp, unsigned d, const char *spin)
{
	const unsigned n[] = { 1, d / 2, d / 2 + 1, d - 1, d, d + 1, d + 2,
		2 * d + 1, 200 };
	size_t off = HDR;

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		expect(batch(rpp, n[i], &off, 'd'), "depth %u, spin %s: %u "
			"flushes, one drain, read back", d, spin, n[i]);
	expect(batch(rpp, 2 * d + 1, &off, 'p'), "depth %u, spin %s: %u "
		"flushes, a persist, a drain", d, spin, 2 * d + 1);
	expect(batch(rpp, 2 * d + 1, &off, 'r'), "depth %u, spin %s: %u "
		"flushes, a read back, a drain", d, spin, 2 * d + 1);
	expect(batch(rpp, d + 1, &off, 'd'), "depth %u, spin %s: the lane "
		"works on", d, spin);
}

/*
 * t_batches_at -- a pool with send queue depth want (0: the library's
 * default) and RPMEM_SPIN_US spin (NULL: unset), the batches on it, the
 * part file after rpmem_close
 */
static void
t_batches_at(unsigned want, const char *spin)
{
	struct rpmem_pool_attr attr;
	char log[PATH_MAX], wq[16];
	unsigned nl = 2, d;
	RPMEMpool *rpp;

	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "BATCHES", 7);
	snprintf(log, sizeof(log), "%s/client.log", Rig.dir);
	snprintf(wq, sizeof(wq), "%u", want);
	if (want)
		setenv("RPMEM_WORK_QUEUE_SIZE", wq, 1);
	if (spin)
		setenv("RPMEM_SPIN_US", spin, 1);
	setenv("RPMEM_LOG_LEVEL", "2", 1);
	setenv("RPMEM_LOG_FILE", log, 1);
	memset(Pool, 0, POOL_SIZE);
	memset(Shadow, 0, POOL_SIZE);
	rpp = rpmem_create(Target, Set.name, Pool, POOL_SIZE, &nl, &attr);
	unsetenv("RPMEM_WORK_QUEUE_SIZE");
	unsetenv("RPMEM_SPIN_US");
	unsetenv("RPMEM_LOG_LEVEL");
	unsetenv("RPMEM_LOG_FILE");
	if (!expect(rpp != NULL, "rpmem_create, RPMEM_WORK_QUEUE_SIZE=%s",
			want ? wq : "(unset)"))
		return;
	d = logged_depth(log);
	expect(d >= 2 && (want == 0 || d == want), "send queue depth %u in "
		"the log (asked %s)", d, want ? wq : "the default");
	if (expect(nl > BATCH_LANE, "%u lanes", nl) && d >= 2)
		batches(rpp, d, spin ? spin : "default");
	expect(rpmem_close(rpp) == 0, "rpmem_close");
	expect(rig_set_holds(&Set, Shadow), "depth %u: the part file holds "
		"every flushed byte", d);
	expect(rpmem_remove(Target, Set.name, 0) == 0, "rpmem_remove");
}

/* t_batches -- the smallest depth, an odd one, one between, the default */
static void
t_batches(void)
{
	static const unsigned depth[] = { 2, 5, 8, 0 };

	for (size_t i = 0; i < sizeof(depth) / sizeof(depth[0]); i++) {
		t_batches_at(depth[i], NULL);
		t_batches_at(depth[i], "0");
	}
}

int
main(int argc, char *argv[])
{
	struct rig_args a;

	rig_args(argc, argv, &a, NULL, RIG_NEED_ALL, "usage: flush_test "
		"--method apm|gpspm --ssh FAKE_SSH --rpmemd RPMEMD");
	Target = a.target;
	Pool = map(POOL_SIZE);
	Shadow = map(POOL_SIZE);
	rig_setup(&Rig, &(struct rig_knobs){.name = "flush",
		.method = a.method, .ssh = a.ssh, .rpmemd = a.rpmemd}, Target);
	rig_set_make(&Rig, &Set, "flush.set", RIG_HDRS, 1,
		(size_t[]){POOL_SIZE});
	expect(rpmem_check_version(1, 2) == NULL, "rpmem_check_version(1, 2)");
	t_flush();
	t_batches();
	return rig_finish(&Rig);
}
