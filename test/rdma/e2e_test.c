/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * e2e_test.c -- the public API (librpmem.h, shared librpmem) against the
 * real rpmemd, started through the ssh transport (RPMEM_SSH = fake-ssh,
 * which runs the remote command locally) and served over RDMA on
 * RPMEM_TEST_TARGET_ADDR.
 *
 * Everything on the target side lives in one temporary directory (rig.h):
 * the rpmemd config, the poolset directory with the pool-set and part
 * files, rpmemd's log.  Assertions are on data: bytes read back with
 * rpmem_read, bytes in the part files after rpmem_close (compared with a
 * shadow of everything persisted, so stray writes show too), errno values
 * and rpmem_errormsg() substrings.
 *
 * usage: e2e_test --method apm|gpspm --ssh FAKE_SSH --rpmemd RPMEMD
 *                 [--only NAME]   (tests whose call contains NAME)
 * Prints "ok N - what" / "not ok N - what: detail"; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "librpmem.h"
#include "client.h"
#include "rig.h"
#include "rpmem_proto.h"	/* RPMEM_GPSPM_INLINE_MAX */
#include "tap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define HDR RIG_HDR_SIZE
#define POOL_SIZE (4 * MiB)	/* local pool; the biggest remote pool */
#define CFG_MAX_LANES RIG_MAX_LANES	/* rpmemd max-lanes in the config */
#define NTHREADS 8
#define THREAD_REGION (64 * KiB)
#define THREAD_ITERS 150
#define DEAD_CLIENT_SEED 0xdeadc1ull
/* service-nice in the config: not the default; a bare number, for STR */
#define SERVICE_NICE -7
#define STR_(x) #x
#define STR(x) STR_(x)


static const char *Method;	/* "apm" or "gpspm" */
static const char *Only;	/* run only the tests named so */
static const char *Child;	/* --child SET: t_dead_client's child */
static const char *Target;
static const char *Rpmemd;
static struct rig Rig;		/* everything of the target side */


/* ------------------------------------------------------------------ */
/* client side */

/* attr_make -- recognizable attributes, varied by seed */
static void
attr_make(struct rpmem_pool_attr *a, unsigned seed)
{
	uint64_t st = 0x1234567ull + seed;

	memset(a, 0, sizeof(*a));
	memcpy(a->signature, "E2EPOOL", 8);
	a->major = 1 + seed;
	a->compat_features = 0x11 * seed;
	a->incompat_features = 0x22 + seed;
	a->ro_compat_features = 0x33;
	fill(a->poolset_uuid, RPMEM_POOL_HDR_UUID_LEN, &st);
	fill(a->uuid, RPMEM_POOL_HDR_UUID_LEN, &st);
	fill(a->next_uuid, RPMEM_POOL_HDR_UUID_LEN, &st);
	fill(a->prev_uuid, RPMEM_POOL_HDR_UUID_LEN, &st);
	fill(a->user_flags, RPMEM_POOL_USER_FLAGS_LEN, &st);
}

/* reset_local -- zero the local pool and the shadow */
static void
reset_local(void)
{
	memset(Pool, 0, POOL_SIZE);
	memset(Shadow, 0, POOL_SIZE);
}

/* create_captured -- create_logged (client.c) on a rig set */
static RPMEMpool *
create_captured(const struct rig_set *ps, unsigned *nl,
		const struct rpmem_pool_attr *attr, char *log, size_t loglen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/stderr.txt", Rig.dir);
	return create_logged(Target, ps->name, Pool, ps->usable, nl, attr,
		path, log, loglen);
}

/* attr_eq -- compare attributes, Detail at the first difference */
static int
attr_eq(const struct rpmem_pool_attr *got, const struct rpmem_pool_attr *want)
{
	return same((const uint8_t *)got, (const uint8_t *)want,
		sizeof(*got), 0);
}

/* ------------------------------------------------------------------ */
/* the tests */

/* t_basic -- the life of a pool with a header, on one part */
static void
t_basic(void)
{
	struct rpmem_pool_attr a1, a2, got;
	struct rig_set ps;
	size_t sz = POOL_SIZE;
	char log[2048];
	const char *want_pm = strcmp(Method, "apm") == 0 ? "APM" : "GPSPM";
	char want_line[64];
	unsigned nl = 4;
	RPMEMpool *rpp;

	rig_set_make(&Rig, &ps, "basic.set", RIG_HDRS, 1, &sz);
	reset_local();
	attr_make(&a1, 1);
	attr_make(&a2, 2);

	rpp = create_captured(&ps, &nl, &a1, log, sizeof(log));
	if (!expect(rpp != NULL, "basic: rpmem_create with attributes"))
		return;
	if (!(nl >= 1 && nl <= 4))
		detail("nlanes %u", nl);
	expect(nl >= 1 && nl <= 4, "basic: 1..4 lanes granted (%u)", nl);
	snprintf(want_line, sizeof(want_line), "persist method %s (", want_pm);
	if (strstr(log, want_line) == NULL)
		detail("librpmem's log: '%s'", log);
	expect(strstr(log, want_line) != NULL, "basic: the pool got %s",
		want_pm);

	/* a header exists and is the daemon's, not the client's bytes */
	{
		uint8_t h[8];
		int ok = read_part(ps.part[0], 0, h, 8) == 0 &&
			memcmp(h, "RPMEMPL", 8) == 0;
		expect(ok, "basic: part file starts with the pool header");
	}

	expect(put(rpp, HDR, 100, 0) == 0, "basic: persist [4096, +100)");
	expect(put(rpp, 8192 + 5, 3 * 4096 + 17, 1 % nl) == 0,
		"basic: persist unaligned 12 KiB range");
	expect(put(rpp, sz - 64, 64, 0) == 0, "basic: persist the last 64 B");
	expect(put(rpp, MiB, MiB, 0) == 0, "basic: persist 1 MiB");
	expect(put(rpp, HDR + 200, 1, 0) == 0, "basic: persist 1 byte");
	expect(put(rpp, 3 * MiB + 3, 7, 0) == 0, "basic: persist 7 bytes");

	expect(read_cmp(rpp, HDR, 100, 0), "basic: read back [4096, +100)");
	expect(read_cmp(rpp, 8192 + 5, 3 * 4096 + 17, nl - 1),
		"basic: read back the unaligned range");
	expect(read_cmp(rpp, sz - 64, 64, 0), "basic: read back last 64 B");
	/* > the lane's bounce buffer: several bounce rounds */
	expect(read_cmp(rpp, MiB - 4096, MiB + 8192, 0),
		"basic: read back 1 MiB + 8 KiB (bounce path)");
	expect(read_cmp(rpp, HDR, sz - HDR, 0),
		"basic: read back the whole pool (untouched bytes zero)");
	{
		/* straight into the registered pool (zero-copy path) */
		memset(Pool + MiB, 0, 64 * KiB);
		int r = rpmem_read(rpp, Pool + MiB, MiB, 64 * KiB, 0);
		expect(r == 0 && same(Pool + MiB, Shadow + MiB, 64 * KiB, MiB),
			"basic: read into the pool itself");
	}

	expect(rpmem_close(rpp) == 0, "basic: rpmem_close");
	expect(rig_set_holds(&ps, Shadow), "basic: part file holds every "
		"persisted byte, nothing else");

	/* reopen: same attributes, same bytes */
	nl = 2;
	memset(&got, 0xee, sizeof(got));
	rpp = rpmem_open(Target, ps.name, Pool, ps.usable, &nl, &got);
	if (!expect(rpp != NULL, "basic: rpmem_open"))
		return;
	expect(attr_eq(&got, &a1), "basic: rpmem_open returns the create "
		"attributes");
	expect(read_cmp(rpp, HDR, sz - HDR, 0), "basic: reopened pool holds "
		"the data");
	expect(rpmem_set_attr(rpp, &a2) == 0, "basic: rpmem_set_attr");
	/* data still reachable after set_attr */
	expect(put(rpp, 2 * MiB, 4096, nl - 1) == 0 &&
		read_cmp(rpp, 2 * MiB, 4096, 0),
		"basic: persist + read after set_attr");
	expect(rpmem_close(rpp) == 0, "basic: rpmem_close after set_attr");

	nl = 1;
	memset(&got, 0xee, sizeof(got));
	rpp = rpmem_open(Target, ps.name, Pool, ps.usable, &nl, &got);
	if (!expect(rpp != NULL, "basic: rpmem_open after set_attr"))
		return;
	expect(nl == 1, "basic: one lane asked, one granted (%u)", nl);
	expect(attr_eq(&got, &a2), "basic: the new attributes are returned");
	/* NULL open_attr on a header pool: allowed, attributes ignored */
	expect(rpmem_close(rpp) == 0, "basic: rpmem_close");
	nl = 1;
	rpp = rpmem_open(Target, ps.name, Pool, ps.usable, &nl, NULL);
	expect(rpp != NULL && read_cmp(rpp, HDR, sz - HDR, 0),
		"basic: rpmem_open with NULL open_attr, data intact");
	if (rpp != NULL)
		expect(rpmem_close(rpp) == 0, "basic: rpmem_close");
	expect(rig_set_holds(&ps, Shadow), "basic: part file after set_attr");

	/* a smaller pool_size than the remote pool is fine */
	nl = 1;
	rpp = rpmem_open(Target, ps.name, Pool, ps.usable / 2, &nl, NULL);
	expect(rpp != NULL, "basic: rpmem_open with half the pool size");
	if (rpp != NULL) {
		expect_err(rpmem_persist(rpp, ps.usable / 2, 8, 0) != 0,
			EINVAL, "exceeds", "basic: persist beyond the local "
			"pool_size -> EINVAL");
		expect(rpmem_close(rpp) == 0, "basic: rpmem_close");
	}

	expect(rpmem_remove(Target, ps.name, 0) == 0, "basic: rpmem_remove");
	expect(rig_set_parts_gone(&ps), "basic: part file removed");
	expect(rig_exists(ps.path), "basic: pool-set file kept without "
		"RPMEM_REMOVE_POOL_SET");
	unlink(ps.path);
}

/* t_args -- argument errors on an open pool; the handle stays usable */
static void
t_args(void)
{
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	uint8_t buf[64];
	unsigned nl = 2;
	RPMEMpool *rpp;

	rig_set_make(&Rig, &ps, "args.set", RIG_HDRS, 1, &sz);
	reset_local();
	attr_make(&a, 3);
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL, "args: rpmem_create"))
		return;

	expect_err(rpmem_persist(rpp, 0, 64, 0) != 0, EINVAL, "header",
		"args: persist at offset 0 of a header pool -> EINVAL");
	expect_err(rpmem_persist(rpp, HDR - 1, 64, 0) != 0, EINVAL, NULL,
		"args: persist at offset 4095 -> EINVAL");
	expect_err(rpmem_persist(rpp, HDR, SIZE_MAX, 0) != 0, EINVAL, NULL,
		"args: persist offset+length overflow -> EINVAL");
	expect_err(rpmem_persist(rpp, SIZE_MAX - 10, 20, 0) != 0, EINVAL,
		NULL, "args: persist offset near SIZE_MAX -> EINVAL");
	expect_err(rpmem_persist(rpp, sz - 8, 16, 0) != 0, EINVAL, NULL,
		"args: persist past the pool end -> EINVAL");
	expect_err(rpmem_persist(rpp, HDR, 8, nl) != 0, EINVAL, "lane",
		"args: persist on lane == nlanes -> EINVAL");
	expect_err(rpmem_persist(rpp, HDR, 8, UINT_MAX) != 0, EINVAL, "lane",
		"args: persist on lane UINT_MAX -> EINVAL");
	expect_err(rpmem_read(rpp, buf, HDR, 8, nl) != 0, EINVAL, "lane",
		"args: read on lane == nlanes -> EINVAL");
	expect_err(rpmem_read(rpp, buf, HDR, SIZE_MAX, 0) != 0, EINVAL, NULL,
		"args: read offset+length overflow -> EINVAL");
	expect_err(rpmem_read(rpp, buf, sz - 4, 8, 0) != 0, EINVAL, NULL,
		"args: read past the pool end -> EINVAL");
	expect_err(rpmem_read(rpp, NULL, HDR, 8, 0) != 0, EINVAL, NULL,
		"args: read into NULL -> EINVAL");
	/* the decision: the header is the daemon's, not readable either */
	expect_err(rpmem_read(rpp, buf, 0, 8, 0) != 0, EINVAL, "header",
		"args: read of the header (offset 0) -> EINVAL");
	expect_err(rpmem_read(rpp, buf, HDR - 8, 16, 0) != 0, EINVAL,
		"header", "args: read straddling the header end -> EINVAL");
	expect_err(rpmem_set_attr(NULL, &a) != 0, EINVAL, NULL,
		"args: set_attr(NULL) -> EINVAL");

	expect(rpmem_persist(rpp, HDR, 0, 0) == 0, "args: persist length 0 "
		"is a no-op");
	expect(rpmem_persist(rpp, 0, 0, 0) == 0, "args: persist length 0 at "
		"offset 0 is a no-op");
	expect(rpmem_read(rpp, buf, HDR, 0, 0) == 0, "args: read length 0 is "
		"a no-op");

	/* after all that: the handle works, on every lane */
	for (unsigned l = 0; l < nl; l++) {
		expect(put(rpp, HDR + l * 4096, 4096, l) == 0 &&
			read_cmp(rpp, HDR + l * 4096, 4096, l),
			"args: lane %u usable after the errors", l);
	}
	expect(rpmem_close(rpp) == 0, "args: rpmem_close");
	expect(rpmem_close(NULL) != 0 && errno == EINVAL,
		"args: rpmem_close(NULL) -> EINVAL");
	expect(rig_set_holds(&ps, Shadow), "args: part file");
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_POOL_SET) == 0,
		"args: rpmem_remove");
}

/* t_create_args -- rpmem_create/rpmem_open argument errors */
static void
t_create_args(void)
{
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	unsigned nl;

	rig_set_make(&Rig, &ps, "cargs.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 4);

	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool + 1, sz, &nl, &a) ==
		NULL, EINVAL, "aligned", "create: unaligned pool_addr -> "
		"EINVAL");
	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool, sz + 1, &nl, &a) ==
		NULL, EINVAL, "pool_size", "create: unaligned pool_size -> "
		"EINVAL");
	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool, 4096, &nl, &a) ==
		NULL, EINVAL, "RPMEM_MIN_POOL", "create: pool_size below "
		"RPMEM_MIN_POOL -> EINVAL");
	expect_err(rpmem_create(Target, ps.name, Pool, sz, NULL, &a) == NULL,
		EINVAL, "nlanes", "create: NULL nlanes -> EINVAL");
	nl = 0;
	expect_err(rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL,
		EINVAL, "nlanes", "create: *nlanes == 0 -> EINVAL");
	nl = 1;
	expect_err(rpmem_create(NULL, ps.name, Pool, sz, &nl, &a) == NULL,
		EINVAL, "target", "create: NULL target -> EINVAL");
	nl = 1;
	expect_err(rpmem_create(Target, NULL, Pool, sz, &nl, &a) == NULL,
		EINVAL, "pool_set_name", "create: NULL pool set -> EINVAL");
	nl = 1;
	expect_err(rpmem_open(Target, ps.name, NULL, sz, &nl, NULL) == NULL,
		EINVAL, "pool_addr", "open: NULL pool_addr -> EINVAL");
	nl = 0;
	expect_err(rpmem_open(Target, ps.name, Pool, sz, &nl, NULL) == NULL,
		EINVAL, "nlanes", "open: *nlanes == 0 -> EINVAL");
	nl = 1;
	expect_err(rpmem_create(Target, "../escape.set", Pool, sz, &nl, &a) ==
		NULL, EINVAL, "..", "create: pool set outside poolset-dir -> "
		"EINVAL");
	expect(rig_set_parts_gone(&ps), "create: failed creates left no part "
		"file");
	unlink(ps.path);
}

/* t_nohdrs -- NOHDRS pools: NULL attributes, offset 0 is the user's */
static void
t_nohdrs(void)
{
	struct rpmem_pool_attr a, got;
	struct rig_set ps, hps;
	size_t sz = MiB;
	unsigned nl = 2;
	RPMEMpool *rpp;

	rig_set_make(&Rig, &ps, "nohdrs.set", RIG_NOHDRS, 1, &sz);
	rig_set_make(&Rig, &hps, "hdrs.set", RIG_HDRS, 1, &sz);
	reset_local();
	attr_make(&a, 5);

	expect_err(rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL,
		EINVAL, "NOHDRS", "nohdrs: create with attributes on a NOHDRS "
		"set -> EINVAL");
	expect(rig_set_parts_gone(&ps), "nohdrs: ... and no part file left");
	nl = 2;
	expect_err(rpmem_create(Target, hps.name, Pool, sz, &nl, NULL) ==
		NULL, EINVAL, "NOHDRS", "nohdrs: create without attributes on "
		"a set with headers -> EINVAL");
	expect(rig_set_parts_gone(&hps), "nohdrs: ... and no part file left");
	/*
	 * all-zero attributes are attributes (PMDK sends them as given): on
	 * a set with headers, a pool whose header holds zeros, protected
	 */
	memset(&got, 0, sizeof(got));
	nl = 2;
	rpp = rpmem_create(Target, hps.name, Pool, sz, &nl, &got);
	if (expect(rpp != NULL, "nohdrs: create with zero attributes on a "
			"set with headers")) {
		expect_err(rpmem_persist(rpp, 0, 8, 0) != 0, EINVAL, NULL,
			"nohdrs: ... its header is protected (persist at 0 -> "
			"EINVAL)");
		expect(put(rpp, HDR, 8, 0) == 0, "nohdrs: ... persist after "
			"the header");
		expect(rpmem_close(rpp) == 0, "nohdrs: rpmem_close");
		nl = 1;
		memset(&got, 0xee, sizeof(got));
		rpp = rpmem_open(Target, hps.name, Pool, sz, &nl, &got);
		if (expect(rpp != NULL, "nohdrs: reopen the zero-attribute "
				"pool")) {
			struct rpmem_pool_attr zero;

			memset(&zero, 0, sizeof(zero));
			expect(attr_eq(&got, &zero), "nohdrs: ... open "
				"returns the zero attributes");
			expect_err(rpmem_persist(rpp, 0, 8, 0) != 0, EINVAL,
				NULL, "nohdrs: ... header still protected");
			expect(rpmem_close(rpp) == 0, "nohdrs: rpmem_close");
		}
		expect(rpmem_remove(Target, hps.name, 0) == 0 &&
			rig_set_parts_gone(&hps), "nohdrs: zero-attribute "
			"pool removed");
	}
	/* ... and on a NOHDRS set the headerless pool (below) */

	nl = 2;
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, NULL);
	if (!expect(rpp != NULL, "nohdrs: rpmem_create with NULL attributes"))
		goto out;
	expect(put(rpp, 0, 4096, 0) == 0, "nohdrs: persist at offset 0");
	expect(put(rpp, 4000, 200, nl - 1) == 0, "nohdrs: persist across "
		"4096");
	expect(put(rpp, sz - 1, 1, 0) == 0, "nohdrs: persist the last byte");
	expect(read_cmp(rpp, 0, sz, 0), "nohdrs: read back from offset 0");
	expect_err(rpmem_set_attr(rpp, &a) != 0, EINVAL, "header",
		"nohdrs: rpmem_set_attr -> EINVAL");
	expect(rpmem_persist(rpp, 100, 8, 0) == 0, "nohdrs: usable after "
		"the failed set_attr");
	expect(rpmem_close(rpp) == 0, "nohdrs: rpmem_close");
	expect(rig_set_holds(&ps, Shadow), "nohdrs: part file holds every "
		"byte from offset 0");

	nl = 1;
	memset(&got, 0xee, sizeof(got));
	rpp = rpmem_open(Target, ps.name, Pool, sz, &nl, &got);
	if (expect(rpp != NULL, "nohdrs: rpmem_open")) {
		struct rpmem_pool_attr zero;

		memset(&zero, 0, sizeof(zero));
		expect(attr_eq(&got, &zero), "nohdrs: open returns zero "
			"attributes");
		expect(read_cmp(rpp, 0, sz, 0), "nohdrs: data after reopen");
		expect(rpmem_close(rpp) == 0, "nohdrs: rpmem_close");
	}
	nl = 1;
	rpp = rpmem_open(Target, ps.name, Pool, sz, &nl, NULL);
	expect(rpp != NULL, "nohdrs: rpmem_open with NULL open_attr");
	if (rpp != NULL)
		rpmem_close(rpp);
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_POOL_SET) == 0 &&
		rig_set_parts_gone(&ps) && !rig_exists(ps.path),
		"nohdrs: removed");
out:
	unlink(ps.path);
	unlink(hps.path);
}

/* t_multipart -- persist across part boundaries, check every part file */
static void
t_multipart(enum rig_hdr mode, const char *name)
{
	static const size_t sizes[3] = {MiB, MiB, 512 * KiB};
	struct rpmem_pool_attr a, got;
	struct rig_set ps;
	size_t b1, b2;
	unsigned nl = 2;
	RPMEMpool *rpp;

	rig_set_make(&Rig, &ps, name, mode, 3, sizes);
	reset_local();
	attr_make(&a, 6);
	/* pool offsets where part 1 and part 2 begin */
	b1 = sizes[0];
	b2 = b1 + sizes[1] - (mode == RIG_HDRS ? HDR : 0);

	rpp = rpmem_create(Target, ps.name, Pool, ps.usable, &nl,
		mode == RIG_NOHDRS ? NULL : &a);
	if (!expect(rpp != NULL, "%s: rpmem_create of 3 parts (%zu bytes)",
			name, ps.usable))
		goto out;
	expect(put(rpp, b1 - 1000, 2000, 0) == 0, "%s: persist across the "
		"part 0/1 boundary", name);
	expect(put(rpp, b2 - 3, 6, nl - 1) == 0, "%s: persist across the "
		"part 1/2 boundary", name);
	expect(put(rpp, ps.hdr, ps.usable - ps.hdr - 4096, 0) == 0,
		"%s: persist nearly everything", name);
	expect(put(rpp, ps.usable - 4096, 4096, 0) == 0,
		"%s: persist the last page", name);
	expect(read_cmp(rpp, b1 - 5000, 10000, 0) &&
		read_cmp(rpp, b2 - 5000, 10000, nl - 1),
		"%s: read back across the boundaries", name);
	expect_err(rpmem_persist(rpp, ps.usable - 8, 16, 0) != 0, EINVAL,
		NULL, "%s: persist past the usable size -> EINVAL", name);
	expect(rpmem_close(rpp) == 0, "%s: rpmem_close", name);
	expect(rig_set_holds(&ps, Shadow), "%s: every part file holds its "
		"bytes", name);

	nl = 1;
	memset(&got, 0xee, sizeof(got));
	rpp = rpmem_open(Target, ps.name, Pool, ps.usable, &nl, &got);
	if (expect(rpp != NULL, "%s: rpmem_open", name)) {
		struct rpmem_pool_attr zero;

		memset(&zero, 0, sizeof(zero));
		expect(attr_eq(&got, mode == RIG_NOHDRS ? &zero : &a),
			"%s: attributes after reopen", name);
		expect(read_cmp(rpp, ps.hdr, ps.usable - ps.hdr, 0),
			"%s: all data after reopen", name);
		expect(rpmem_close(rpp) == 0, "%s: rpmem_close", name);
	}
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_POOL_SET) == 0 &&
		rig_set_parts_gone(&ps), "%s: removed", name);
out:
	unlink(ps.path);
}

/*
 * t_parts_elsewhere -- the classic target layout: the set in poolset-dir,
 * its parts (absolute paths) in another directory; created 0600 there,
 * data and attributes survive, removed from there
 */
static void
t_parts_elsewhere(void)
{
	static const size_t sizes[2] = {MiB, MiB};
	struct rpmem_pool_attr a, got;
	struct rig_set ps;
	char parts[PATH_MAX];
	struct stat st;
	unsigned nl = 2;
	RPMEMpool *rpp;

	rig_path(&Rig, parts, sizeof(parts), "parts-elsewhere", 1);
	rig_set_init(&ps, Rig.sets, "elsewhere.set", parts, RIG_HDRS, 2,
		sizes);
	rig_set_write(&ps);
	reset_local();
	attr_make(&a, 8);

	rpp = rpmem_create(Target, ps.name, Pool, ps.usable, &nl, &a);
	if (!expect(rpp != NULL, "elsewhere: rpmem_create, parts outside "
			"poolset-dir"))
		goto out;
	expect(put(rpp, MiB - 1000, 2000, 0) == 0, "elsewhere: persist "
		"across the part boundary");
	expect(rpmem_close(rpp) == 0, "elsewhere: rpmem_close");
	expect(stat(ps.part[0], &st) == 0 && (st.st_mode & 07777) == 0600,
		"elsewhere: part created in %s, mode 0600", parts);
	expect(rig_set_holds(&ps, Shadow), "elsewhere: the part files hold "
		"the bytes");

	nl = 1;
	memset(&got, 0xee, sizeof(got));
	rpp = rpmem_open(Target, ps.name, Pool, ps.usable, &nl, &got);
	if (expect(rpp != NULL, "elsewhere: rpmem_open")) {
		expect(attr_eq(&got, &a), "elsewhere: attributes after "
			"reopen");
		expect(read_cmp(rpp, MiB - 1000, 2000, 0), "elsewhere: data "
			"after reopen");
		expect(rpmem_close(rpp) == 0, "elsewhere: rpmem_close");
	}
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_POOL_SET) == 0 &&
		rig_set_parts_gone(&ps), "elsewhere: removed, parts too");
out:
	unlink(ps.path);
	rmdir(parts);
}

/* t_errors -- EEXIST, ENOENT, EFBIG, EBUSY */
static void
t_errors(void)
{
	struct rpmem_pool_attr a, got;
	struct rig_set ps, ms;
	size_t sz = MiB;
	uint8_t *other = map(sz);
	unsigned nl = 1;
	RPMEMpool *rpp, *rpp2;

	rig_set_make(&Rig, &ps, "err.set", RIG_HDRS, 1, &sz);
	reset_local();
	attr_make(&a, 7);

	nl = 1;
	expect_err(rpmem_open(Target, "no-such.set", Pool, sz, &nl, NULL) ==
		NULL, ENOENT, NULL, "errors: open of a missing pool set -> "
		"ENOENT");
	nl = 1;
	expect_err(rpmem_create(Target, "no-such.set", Pool, sz, &nl, &a) ==
		NULL, ENOENT, NULL, "errors: create on a missing pool set -> "
		"ENOENT");
	expect_err(rpmem_remove(Target, "no-such.set", 0) != 0, ENOENT, NULL,
		"errors: remove of a missing pool set -> ENOENT");
	nl = 1;
	expect_err(rpmem_open(Target, ps.name, Pool, sz, &nl, NULL) == NULL,
		ENOENT, "does not exist", "errors: open of a set whose part "
		"does not exist -> ENOENT");
	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool, 2 * MiB, &nl, &a) ==
		NULL, EFBIG, "exceeds", "errors: create with pool_size > the "
		"remote pool -> EFBIG");
	expect(rig_set_parts_gone(&ps), "errors: ... and no part file left");

	nl = 1;
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL, "errors: rpmem_create"))
		goto out;
	expect(put(rpp, HDR, 4096, 0) == 0, "errors: persist");

	/* a second session on the same pool */
	nl = 1;
	expect_err(rpmem_open(Target, ps.name, other, sz, &nl, NULL) == NULL,
		EBUSY, "in use", "errors: open of a pool open in another "
		"session -> EBUSY");
	expect_err(rpmem_remove(Target, ps.name, RPMEM_REMOVE_FORCE) != 0,
		EBUSY, "in use", "errors: remove (even forced) of an open "
		"pool -> EBUSY");
	expect(rig_exists(ps.part[0]), "errors: ... the part survives");
	nl = 1;
	expect_err(rpmem_create(Target, ps.name, other, sz, &nl, &a) == NULL,
		EEXIST, "already exists", "errors: create over an open pool "
		"-> EEXIST");
	expect(read_cmp(rpp, HDR, sz - HDR, 0), "errors: first session "
		"unaffected");
	expect(rpmem_close(rpp) == 0, "errors: rpmem_close");

	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL,
		EEXIST, "already exists", "errors: create over an existing "
		"pool -> EEXIST");
	nl = 1;
	expect_err(rpmem_open(Target, ps.name, Pool, 2 * MiB, &nl, NULL) ==
		NULL, EFBIG, "exceeds", "errors: open with pool_size > the "
		"remote pool -> EFBIG");
	/* the failed create and open must not have touched the pool */
	nl = 1;
	memset(&got, 0, sizeof(got));
	rpp = rpmem_open(Target, ps.name, Pool, sz, &nl, &got);
	expect(rpp != NULL && attr_eq(&got, &a) &&
		read_cmp(rpp, HDR, sz - HDR, 0),
		"errors: pool intact after EEXIST/EFBIG");
	if (rpp != NULL) {
		/* EBUSY on open, then the second session's pool usable */
		nl = 1;
		rpp2 = rpmem_open(Target, ps.name, other, sz, &nl, NULL);
		expect_err(rpp2 == NULL, EBUSY, NULL, "errors: EBUSY again");
		if (rpp2 != NULL)
			rpmem_close(rpp2);
		expect(rpmem_close(rpp) == 0, "errors: rpmem_close");
	}
	expect(rig_set_holds(&ps, Shadow), "errors: part file");

	/* a part with the wrong size is a configuration mismatch */
	rig_set_make(&Rig, &ms, "mismatch.set", RIG_HDRS, 1,
		(size_t[]){2 * MiB});
	snprintf(ms.part[0], sizeof(ms.part[0]), "%s", ps.part[0]);
	{
		char text[PATH_MAX + 64];

		snprintf(text, sizeof(text), "PMEMPOOLSET\n%zu %s\n",
			2 * MiB, ps.part[0]);
		write_file(ms.path, text);
	}
	nl = 1;
	expect_err(rpmem_open(Target, ms.name, Pool, sz, &nl, NULL) == NULL,
		EINVAL, "bytes", "errors: open with a part of the wrong size "
		"-> EINVAL");
	unlink(ms.path);
	expect(rpmem_remove(Target, ps.name, 0) == 0, "errors: remove");
out:
	unlink(ps.path);
	munmap(other, sz);
}

/* t_remove -- RPMEM_REMOVE_FORCE and RPMEM_REMOVE_POOL_SET */
static void
t_remove(void)
{
	static const size_t sizes[2] = {MiB, MiB};
	struct rpmem_pool_attr a;
	struct rig_set ps;
	uint8_t junk[64];
	unsigned nl = 1;
	RPMEMpool *rpp;

	rig_set_make(&Rig, &ps, "rm.set", RIG_HDRS, 2, sizes);
	attr_make(&a, 8);
	reset_local();

	rpp = rpmem_create(Target, ps.name, Pool, ps.usable, &nl, &a);
	if (!expect(rpp != NULL, "remove: rpmem_create"))
		goto out;
	expect(rpmem_close(rpp) == 0, "remove: rpmem_close");

	/* a damaged header: refused without force, removed with it */
	memset(junk, 0x5a, sizeof(junk));
	rig_patch(ps.part[1], 0, junk, sizeof(junk));
	expect_err(rpmem_remove(Target, ps.name, 0) != 0, EINVAL, "force",
		"remove: damaged part header without FORCE -> EINVAL");
	expect(rig_exists(ps.part[0]) && rig_exists(ps.part[1]),
		"remove: ... nothing removed");
	expect_err(rpmem_remove(Target, ps.name, 0x100) != 0, EINVAL, "flags",
		"remove: unknown flags -> EINVAL");
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_FORCE) == 0,
		"remove: FORCE removes a damaged pool");
	expect(rig_set_parts_gone(&ps) && rig_exists(ps.path), "remove: parts "
		"gone, set file kept");

	/* FORCE also skips missing parts; POOL_SET removes the set file */
	nl = 1;
	rpp = rpmem_create(Target, ps.name, Pool, ps.usable, &nl, &a);
	if (!expect(rpp != NULL, "remove: create again"))
		goto out;
	expect(rpmem_close(rpp) == 0, "remove: rpmem_close");
	unlink(ps.part[1]);
	expect_err(rpmem_remove(Target, ps.name, RPMEM_REMOVE_POOL_SET) != 0,
		ENOENT, "does not exist", "remove: a missing part without "
		"FORCE -> ENOENT");
	expect(rig_exists(ps.part[0]) && rig_exists(ps.path),
		"remove: ... nothing removed");
	expect(rpmem_remove(Target, ps.name,
		RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET) == 0,
		"remove: FORCE | POOL_SET with a missing part");
	expect(rig_set_parts_gone(&ps) && !rig_exists(ps.path), "remove: parts "
		"and set file gone");
	expect_err(rpmem_remove(Target, ps.name, RPMEM_REMOVE_FORCE) != 0,
		ENOENT, NULL, "remove: the set file is gone -> ENOENT");
out:
	unlink(ps.path);
}

struct worker {
	RPMEMpool *rpp;
	unsigned lane;
	size_t base;
	int failed;
	char why[256];
	pthread_t th;
};

static int Workers_done;	/* __atomic: workers that returned */

/* worker -- persist random ranges of its own region on its own lane */
static void *
worker(void *arg)
{
	struct worker *w = arg;
	uint64_t st = 0x51ed2701ull * (w->lane + 1);
	uint8_t *chk = malloc(8 * KiB);

	for (unsigned i = 0; i < THREAD_ITERS && !w->failed; i++) {
		size_t len = 1 + rnd(&st) % (8 * KiB);
		size_t off = w->base + rnd(&st) % (THREAD_REGION - len + 1);

		fill(Pool + off, len, &st);
		if (rpmem_persist(w->rpp, off, len, w->lane)) {
			snprintf(w->why, sizeof(w->why), "persist %zu+%zu: "
				"errno %d '%s'", off, len, errno,
				rpmem_errormsg());
			w->failed = 1;
			break;
		}
		/* disjoint regions: no other thread touches these bytes */
		memcpy(Shadow + off, Pool + off, len);
		if (i % 10 == 0 && chk != NULL) {
			if (rpmem_read(w->rpp, chk, off, len, w->lane) ||
			    memcmp(chk, Pool + off, len) != 0) {
				snprintf(w->why, sizeof(w->why), "read back "
					"%zu+%zu differs or failed (errno %d "
					"'%s')", off, len, errno,
					rpmem_errormsg());
				w->failed = 1;
			}
		}
	}
	free(chk);
	__atomic_add_fetch(&Workers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * nice_min -- the lowest nice among pid's threads now (proc(5): the 19th
 * field of /proc/PID/task/TID/stat, the 17th after the ")" that ends the
 * command name); 100 when none could be read
 */
static int
nice_min(pid_t pid)
{
	char path[64], buf[1024];
	int min = 100;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (d == NULL)
		return min;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stat",
			(int)pid, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		char *p = strrchr(buf, ')');
		int field = 2, nice;
		for (; p != NULL && *p != '\0' && field < 19; p++)
			field += *p == ' ';
		if (p != NULL && field == 19 && sscanf(p, "%d", &nice) == 1 &&
		    nice < min)
			min = nice;
	}
	closedir(d);
	return min;
}

/*
 * run_workers -- nt threads persisting on lanes 0..nt-1 (worker) while
 * this thread samples the lowest nice of rpmemd's threads;
 * 1 when every worker succeeded; *nice_seen: that lowest nice (100: never
 * read)
 */
static int
run_workers(RPMEMpool *rpp, unsigned nt, const char *what, int *nice_seen)
{
	struct worker w[NTHREADS];
	pid_t pid = rig_rpmemd_pid(&Rig);
	int ok = 1;

	*nice_seen = 100;
	__atomic_store_n(&Workers_done, 0, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < nt; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].rpp = rpp;
		w[i].lane = i;
		w[i].base = HDR + (size_t)i * THREAD_REGION;
		if (pthread_create(&w[i].th, NULL, worker, &w[i])) {
			nt = i;
			ok = 0;
			break;
		}
	}
	while (pid > 0 && (unsigned)__atomic_load_n(&Workers_done,
			__ATOMIC_ACQUIRE) < nt) {
		int n = nice_min(pid);
		if (n < *nice_seen)
			*nice_seen = n;
		usleep(2000);
	}
	for (unsigned i = 0; i < nt; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].failed) {
			if (ok)
				detail("%s: lane %u: %s", what, w[i].lane,
					w[i].why);
			ok = 0;
		}
	}
	return ok && nt >= 2;
}

/* t_lanes -- *nlanes clamped; concurrent persists on several lanes */
static void
t_lanes(void)
{
	const int gpspm = strcmp(Method, "gpspm") == 0;
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = 2 * MiB;
	unsigned nl = 1000, nt;
	RPMEMpool *rpp;
	int ok, nice;
	int base = getpriority(PRIO_PROCESS, 0);	/* rpmemd inherits it */

	rig_set_make(&Rig, &ps, "lanes.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 9);
	reset_local();
	unlink(Rig.pidfile);
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL, "lanes: rpmem_create asking 1000 lanes"))
		goto out;
	expect(nl >= 1 && nl <= CFG_MAX_LANES, "lanes: *nlanes clamped to "
		"1..max-lanes (%u)", nl);
	expect(put(rpp, HDR, 64, nl - 1) == 0, "lanes: the last lane (%u) "
		"works", nl - 1);
	expect_err(rpmem_persist(rpp, HDR, 64, nl) != 0, EINVAL, "lane",
		"lanes: lane %u (== nlanes) -> EINVAL", nl);

	nt = nl < NTHREADS ? nl : NTHREADS;
	ok = run_workers(rpp, nt, "lanes", &nice);
	expect(ok, "lanes: %u threads x %d persists on their own lanes", nt,
		THREAD_ITERS);
	/*
	 * GPSPM: the service thread serves several busy lanes at
	 * service-nice; APM sends it no request: it stays where it started
	 */
	if (gpspm)
		expect(nice == SERVICE_NICE, "lanes: rpmemd's service thread "
			"at service-nice (%d) while %u lanes persist (lowest "
			"nice seen: %d)", SERVICE_NICE, nt, nice);
	else
		expect(nice == base, "lanes: APM: rpmemd's threads stay at "
			"nice %d (lowest seen: %d)", base, nice);
	expect(read_cmp(rpp, HDR, sz - HDR, 0), "lanes: read back everything");
	expect(rpmem_close(rpp) == 0, "lanes: rpmem_close");
	expect(rig_set_holds(&ps, Shadow), "lanes: part file holds every "
		"thread's bytes");
	expect(rpmem_remove(Target, ps.name, 0) == 0, "lanes: remove");
out:
	unlink(ps.path);
}

/*
 * t_nice_refused -- GPSPM, rpmemd without CAP_SYS_NICE (setpriv drops it
 * from the bounding set, so root's rpmemd does not get it back at exec;
 * RLIMIT_NICE stays 0): raising the service thread's priority is refused,
 * rpmemd says so once in its log, stays at its nice, and serves every
 * lane; the bytes arrive
 */
static void
t_nice_refused(void)
{
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = 2 * MiB;
	unsigned nl = NTHREADS;
	char cmd[sizeof(Rig.cmd)];
	RPMEMpool *rpp;
	int nice;
	int base = getpriority(PRIO_PROCESS, 0);
	int warned0 = rig_log_count(&Rig, "service thread stays at nice");

	if (strcmp(Method, "gpspm") != 0)
		return;		/* APM sends the service thread nothing */
	rig_set_make(&Rig, &ps, "nice.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 13);
	reset_local();
	snprintf(cmd, sizeof(cmd), "exec setpriv --bounding-set=-sys_nice "
		"%s -c %s", Rpmemd, Rig.conf);
	setenv("RPMEM_CMD", cmd, 1);
	unlink(Rig.pidfile);
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL && nl >= 2, "nice refused: rpmem_create "
			"(%u lanes) with rpmemd under setpriv", nl))
		goto out;
	expect(run_workers(rpp, nl < NTHREADS ? nl : NTHREADS, "nice refused",
		&nice), "nice refused: every lane's persists succeed");
	expect(nice == base, "nice refused: rpmemd's threads stay at nice %d "
		"(lowest seen: %d)", base, nice);
	expect(read_cmp(rpp, HDR, sz - HDR, 0), "nice refused: read back "
		"everything");
	expect(rpmem_close(rpp) == 0, "nice refused: rpmem_close");
	expect(rig_set_holds(&ps, Shadow), "nice refused: the part file holds "
		"every thread's bytes");
	char want[160];
	snprintf(want, sizeof(want), "service thread stays at nice %d: "
		"setpriority(%d): Permission denied (service-nice needs "
		"CAP_SYS_NICE", base, SERVICE_NICE);
	expect(rig_log_count(&Rig, want) == 1 &&
		rig_log_count(&Rig, "service thread stays at nice") ==
		warned0 + 1, "nice refused: rpmemd's log says so, once");
	expect(rpmem_remove(Target, ps.name, 0) == 0, "nice refused: remove");
out:
	rig_cmd(&Rig, NULL);
	unlink(ps.path);
}

/*
 * log_lane_totals -- the sums of rpmemd's "lane N: R requests served, I
 * with inline data" lines so far (one per lane, when it is destroyed: at
 * the latest before CLOSE_RESP)
 */
static void
log_lane_totals(unsigned long long *req, unsigned long long *inl)
{
	FILE *f = fopen(Rig.log, "r");
	char line[1024];

	*req = *inl = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "lane ");
		unsigned l;
		unsigned long long r, i;

		if (p != NULL && sscanf(p, "lane %u: %llu requests served, "
				"%llu with inline data", &l, &r, &i) == 3) {
			*req += r;
			*inl += i;
		}
	}
	fclose(f);
}

/*
 * t_inline -- persists and deep persists of 1, 7, 8, max - 1, max and
 * max + 1 bytes (max: the most a GPSPM request carries itself) at an
 * aligned and an unaligned offset and on the pool's last bytes: rpmem_read
 * and the part file hold them, and rpmemd counted an inline request for
 * each one of at most max bytes that was a request (every GPSPM persist,
 * every deep persist), the rest went as WRITEs
 */
static void
t_inline(void)
{
	static const size_t lens[] = {1, 7, 8, RPMEM_GPSPM_INLINE_MAX - 1,
		RPMEM_GPSPM_INLINE_MAX, RPMEM_GPSPM_INLINE_MAX + 1};
	const int gpspm = strcmp(Method, "gpspm") == 0;
	unsigned long long r0, i0, r1, i1, want_req = 0, want_inl = 0;
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	unsigned nl = 2;
	RPMEMpool *rpp;

	rig_set_make(&Rig, &ps, "inline.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 11);
	reset_local();
	log_lane_totals(&r0, &i0);
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL, "inline: rpmem_create"))
		goto out;
	for (int deep = 0; deep <= 1; deep++) {
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
			size_t len = lens[k];
			/* aligned, unaligned, the pool's last bytes */
			const size_t offs[] = {HDR + (size_t)deep * 4 * KiB,
				HDR + 16 * KiB + 3 + (size_t)deep * 4 * KiB,
				sz - len};

			for (size_t o = 0; o < 3; o++) {
				size_t off = offs[o];
				unsigned lane = (unsigned)(k + o) % nl;
				int ret;

				fill(Pool + off, len, &Rng);
				ret = deep ? rpmem_deep_persist(rpp, off, len,
					lane) : rpmem_persist(rpp, off, len,
					lane);
				if (ret == 0)
					memcpy(Shadow + off, Pool + off, len);
				else
					detail("errno %d, '%s'", errno,
						rpmem_errormsg());
				expect(ret == 0, "inline: %s [%zu, +%zu) "
					"on lane %u", deep ?
					"rpmem_deep_persist" : "rpmem_persist",
					off, len, lane);
				expect(read_cmp(rpp, off, len, lane),
					"inline: read back [%zu, +%zu)", off,
					len);
				if (!deep && !gpspm)
					continue;	/* APM: WRITE + READ */
				want_req++;
				if (len <= RPMEM_GPSPM_INLINE_MAX)
					want_inl++;
			}
		}
	}
	expect(read_cmp(rpp, HDR, sz - HDR, 0), "inline: read back the whole "
		"pool (nothing else changed)");
	expect(rpmem_close(rpp) == 0, "inline: rpmem_close");
	expect(rig_set_holds(&ps, Shadow), "inline: the part file holds "
		"every persisted byte, nothing else");
	log_lane_totals(&r1, &i1);
	if (r1 - r0 != want_req || i1 - i0 != want_inl)
		detail("rpmemd counted %llu requests, %llu inline; expected "
			"%llu, %llu", r1 - r0, i1 - i0, want_req, want_inl);
	expect(r1 - r0 == want_req && i1 - i0 == want_inl, "inline: rpmemd "
		"got %llu requests with the data, every one of at most %d "
		"bytes, of %llu", i1 - i0, RPMEM_GPSPM_INLINE_MAX, r1 - r0);
	expect(rpmem_remove(Target, ps.name, 0) == 0, "inline: remove");
out:
	unlink(ps.path);
}

/* cmp_dbl -- qsort ascending */
static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* t_latency -- median persist/read latency (TCG: for ratios only) */
static void
t_latency(void)
{
	enum { N = 200 };
	static const size_t lens[] = {8, 4096, 64 * 1024};
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	double t[N];
	uint8_t *buf = map(64 * KiB);
	unsigned nl = 1;
	RPMEMpool *rpp;
	int ok = 1;

	rig_set_make(&Rig, &ps, "lat.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 10);
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL, "latency: rpmem_create"))
		goto out;
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		double pm, rm;

		for (int i = 0; i < N && ok; i++) {
			double t0 = now_ms();
			ok = rpmem_persist(rpp, HDR, lens[k], 0) == 0;
			t[i] = now_ms() - t0;
		}
		qsort(t, N, sizeof(t[0]), cmp_dbl);
		pm = t[N / 2];
		for (int i = 0; i < N && ok; i++) {
			double t0 = now_ms();
			ok = rpmem_read(rpp, buf, HDR, lens[k], 0) == 0;
			t[i] = now_ms() - t0;
		}
		qsort(t, N, sizeof(t[0]), cmp_dbl);
		rm = t[N / 2];
		printf("# %s: %6zu B  persist median %8.1f us  read median "
			"%8.1f us\n", Method, lens[k], pm * 1e3, rm * 1e3);
	}
	expect(ok, "latency: %d persists and reads of each size", N);
	expect(rpmem_close(rpp) == 0, "latency: rpmem_close");
	expect(rpmem_remove(Target, ps.name, 0) == 0, "latency: remove");
out:
	unlink(ps.path);
	munmap(buf, 64 * KiB);
}

/* t_daemon_errors -- rpmemd's startup errors reach rpmem_errormsg() */
static void
t_daemon_errors(void)
{
	char bad[300], text[PATH_MAX + 128];
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	unsigned nl = 1;

	rig_set_make(&Rig, &ps, "daemon.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 11);
	snprintf(bad, sizeof(bad), "%s/bad.conf", Rig.dir);
	snprintf(text, sizeof(text), "poolset-dir = %s\nbogus-key = 1\n",
		Rig.sets);
	write_file(bad, text);
	rig_cmd(&Rig, bad);
	expect_err(rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL,
		EINVAL, "unknown key 'bogus-key'", "daemon: a bad config key "
		"-> EINVAL with the daemon's text");
	nl = 1;
	expect_err(rpmem_remove(Target, ps.name, 0) != 0, EINVAL,
		"unknown key 'bogus-key'", "daemon: ... for rpmem_remove too");

	snprintf(text, sizeof(text), "poolset-dir = %s\nmax-lanes = 0\n",
		Rig.sets);
	write_file(bad, text);
	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL,
		EINVAL, "max-lanes", "daemon: max-lanes = 0 -> EINVAL naming "
		"the key");

	/* a daemon that is not there at all */
	setenv("RPMEM_CMD", "exec /nonexistent/rpmemd", 1);
	nl = 1;
	expect_err(rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL,
		ECONNRESET, "nonexistent", "daemon: missing rpmemd -> "
		"ECONNRESET with the shell's message");
	rig_cmd(&Rig, NULL);
	expect(rig_set_parts_gone(&ps), "daemon: no part file created");
	unlink(bad);
	unlink(ps.path);
}

/* t_transport -- target forms, RPMEM_MAX_NLANES, a daemon that is silent */
static void
t_transport(void)
{
	char target[128];
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	unsigned nl = 8;
	RPMEMpool *rpp;
	double t0, dt;
	int failed;

	rig_set_make(&Rig, &ps, "transport.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 13);
	reset_local();

	/* user@host:port: ssh gets "-p 22 root@host", the lanes the host */
	snprintf(target, sizeof(target), "root@%s:22", Target);
	setenv("RPMEM_MAX_NLANES", "2", 1);
	rpp = rpmem_create(target, ps.name, Pool, sz, &nl, &a);
	unsetenv("RPMEM_MAX_NLANES");
	if (expect(rpp != NULL, "transport: rpmem_create on '%s'", target)) {
		expect(nl == 2, "transport: RPMEM_MAX_NLANES=2 caps 8 lanes "
			"(%u)", nl);
		expect(put(rpp, HDR, 4096, 1) == 0 &&
			read_cmp(rpp, HDR, 4096, 0), "transport: persist + "
			"read");
		expect(rpmem_close(rpp) == 0, "transport: rpmem_close");
		expect(rig_set_holds(&ps, Shadow), "transport: part file");
		expect(rpmem_remove(target, ps.name, 0) == 0 &&
			rig_set_parts_gone(&ps), "transport: rpmem_remove on "
			"'%s'", target);
	}

	/* a daemon that never says HELLO: bounded by RPMEM_TIMEOUT_MS */
	setenv("RPMEM_CMD", "exec sleep 60", 1);
	setenv("RPMEM_TIMEOUT_MS", "1000", 1);
	nl = 1;
	t0 = now_ms();
	failed = rpmem_create(Target, ps.name, Pool, sz, &nl, &a) == NULL;
	dt = now_ms() - t0;
	expect_err(failed, ETIMEDOUT, "1000 ms", "transport: a silent daemon "
		"-> ETIMEDOUT");
	/* + RPMEM_SSH_CLOSE_TIMEOUT_MS (5 s) to end the child */
	expect(dt < 10000, "transport: ... after %.0f ms", dt);
	unsetenv("RPMEM_TIMEOUT_MS");
	rig_cmd(&Rig, NULL);
	unlink(ps.path);
}

/* t_dead_client -- the client dies without rpmem_close: rpmemd notices */
static void
t_dead_client(void)
{
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	unsigned nl = 2;
	RPMEMpool *rpp = NULL;
	double t0;
	pid_t pid;
	int st = 0;

	rig_set_make(&Rig, &ps, "deadclient.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 14);
	reset_local();
	{
		uint64_t seed = DEAD_CLIENT_SEED;

		fill(Shadow + HDR, 8192, &seed);
	}

	/*
	 * a fresh process (exec): a fork()ed copy of a process that used
	 * rdma_cm cannot use RDMA itself
	 */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "e2e_test", "--method", Method,
			"--ssh", getenv("RPMEM_SSH"), "--rpmemd", Rpmemd,
			"--child", ps.name, (char *)NULL);
		_exit(127);
	}
	if (!expect(pid > 0 && waitpid(pid, &st, 0) == pid &&
			WIFEXITED(st) && WEXITSTATUS(st) == 0,
			"deadclient: a child created and persisted, then died"))
		goto out;

	/* rpmemd reads end of file, closes the session, drops the lock */
	t0 = now_ms();
	do {
		nl = 1;
		rpp = rpmem_open(Target, ps.name, Pool, sz, &nl, NULL);
		if (rpp != NULL || errno != EBUSY)
			break;
		usleep(200 * 1000);
	} while (now_ms() - t0 < 20000);
	expect(rpp != NULL, "deadclient: the pool opens again after %.0f ms",
		now_ms() - t0);
	if (rpp != NULL) {
		memset(Pool, 0, POOL_SIZE);
		expect(read_cmp(rpp, HDR, sz - HDR, 0), "deadclient: with the "
			"child's data");
		expect(rpmem_close(rpp) == 0, "deadclient: rpmem_close");
	}
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_FORCE) == 0,
		"deadclient: remove");
out:
	unlink(ps.path);
}

/*
 * child_main -- the dead client of t_dead_client: create set, persist
 * [4096, +8192) and exit without rpmem_close
 */
static int
child_main(const char *set)
{
	struct rpmem_pool_attr a;
	uint64_t seed = DEAD_CLIENT_SEED;
	unsigned nl = 2;
	RPMEMpool *rpp;

	attr_make(&a, 14);
	fill(Pool + HDR, 8192, &seed);
	rpp = rpmem_create(Target, set, Pool, MiB, &nl, &a);
	if (rpp == NULL || rpmem_persist(rpp, HDR, 8192, nl - 1)) {
		printf("# child: errno %d, '%s'\n", errno, rpmem_errormsg());
		return 1;
	}
	/*
	 * no rpmem_close: the lanes and the ssh channel just die; _exit, so
	 * that no exit handler (LeakSanitizer's included) runs either
	 */
	fflush(stdout);
	_exit(0);
}

/* transport_errno -- an errno that says "the connection is gone" */
static int
transport_errno(int e)
{
	return e == ECONNRESET || e == ECONNABORTED || e == ENOTCONN ||
		e == EPIPE || e == ETIMEDOUT || e == EIO;
}

/* t_dead_peer -- rpmemd killed mid-session: errors, no hang */
static void
t_dead_peer(void)
{
	struct rpmem_pool_attr a;
	struct rig_set ps;
	size_t sz = MiB;
	uint8_t buf[64];
	unsigned nl = 2;
	RPMEMpool *rpp;
	pid_t pid = 0;
	double t0, dt;
	int r, e;

	rig_set_make(&Rig, &ps, "dead.set", RIG_HDRS, 1, &sz);
	attr_make(&a, 12);
	reset_local();
	unlink(Rig.pidfile);
	rpp = rpmem_create(Target, ps.name, Pool, sz, &nl, &a);
	if (!expect(rpp != NULL, "dead: rpmem_create"))
		goto out;
	expect(put(rpp, HDR, 8192, 0) == 0, "dead: persist before the kill");
	pid = rig_rpmemd_pid(&Rig);
	if (!expect(pid > 0 && kill(pid, SIGKILL) == 0, "dead: rpmemd (pid "
			"%d) killed", (int)pid)) {
		rpmem_close(rpp);
		goto out;
	}
	t0 = now_ms();
	while (!rig_proc_dead(pid) && now_ms() - t0 < 5000)
		usleep(1000);

	/*
	 * the first call may still find the QP alive for a moment; outside
	 * the range checked below: a failed persist may still have written
	 */
	fill(Pool + HDR + 8192, 64, &Rng);
	t0 = now_ms();
	do {
		r = rpmem_persist(rpp, HDR + 8192, 64, 0);
		e = errno;
	} while (r == 0 && now_ms() - t0 < 30000);
	dt = now_ms() - t0;
	errno = e;
	if (r == 0)
		detail("persists still succeed %.0f ms after the kill", dt);
	else if (!transport_errno(e))
		detail("errno %d (%s): '%s'", e, strerror(e), rpmem_errormsg());
	expect(r != 0 && transport_errno(e), "dead: rpmem_persist fails with "
		"a transport errno (%s) after %.0f ms", strerror(e), dt);
	expect(dt < 15000, "dead: ... within the data path timeout");

	t0 = now_ms();
	r = rpmem_read(rpp, buf, HDR, sizeof(buf), 1 % nl);
	e = errno;
	dt = now_ms() - t0;
	errno = e;
	expect(r != 0 && transport_errno(e) && dt < 15000, "dead: rpmem_read "
		"on another lane fails (%s) in %.0f ms", strerror(e), dt);
	r = rpmem_persist(rpp, HDR + 8192, 64, 1 % nl);
	e = errno;
	expect(r != 0 && transport_errno(e), "dead: later persists fail too "
		"(%s)", strerror(e));
	t0 = now_ms();
	r = rpmem_close(rpp);
	e = errno;
	dt = now_ms() - t0;
	errno = e;
	expect(r != 0 && transport_errno(e) && dt < 15000, "dead: rpmem_close "
		"reports the lost connection (%s) in %.0f ms", strerror(e), dt);

	/* the lock died with the daemon: the pool opens, data intact */
	nl = 1;
	memset(Pool, 0, POOL_SIZE);
	rpp = rpmem_open(Target, ps.name, Pool, sz, &nl, NULL);
	expect(rpp != NULL && read_cmp(rpp, HDR, 8192, 0), "dead: the pool "
		"reopens with the data persisted before the kill");
	if (rpp != NULL)
		rpmem_close(rpp);
	expect(rpmem_remove(Target, ps.name, RPMEM_REMOVE_FORCE) == 0,
		"dead: remove");
out:
	unlink(Rig.pidfile);
	unlink(ps.path);
}

/*
 * t_env -- the classic client environment end to end (issue 14, librpmem
 * side): two RPMEM_CMD commands, one per connection, reach two daemons
 * with their own poolset-dir; RPMEM_WORK_QUEUE_SIZE=2, the smallest send
 * queue, still moves every byte through flush/drain, persist and the
 * bounce read; RPMEM_LOG_FILE gets the log; RPMEM_ENABLE_VERBS=0 refuses
 * before anything starts, RPMEM_ENABLE_SOCKETS=1 alone changes nothing
 */
static void
t_env(void)
{
	static struct rig r2;	/* the second daemon: its own poolset-dir */
	static char cmds[2 * sizeof(Rig.cmd) + 2];
	char conf2[PATH_MAX], logf[PATH_MAX], logp[PATH_MAX + 16];
	char text[8192];
	struct rpmem_pool_attr a;
	struct rig_set s1, s2;
	size_t sz = MiB;
	uint8_t *pool2 = map(MiB), *buf = map(4096);
	uint64_t st = 0xe2e0e2e0ull;
	RPMEMpool *p1, *p2;
	unsigned nl;
	int fd, ok, warned0;
	ssize_t n;

	reset_local();
	attr_make(&a, 20);
	r2 = Rig;
	rig_path(&Rig, r2.sets, sizeof(r2.sets), "sets2", 1);
	rig_path(&Rig, r2.log, sizeof(r2.log), "rpmemd2.log", 0);
	rig_path(&Rig, conf2, sizeof(conf2), "rpmemd2.conf", 0);
	rig_write_conf(&r2, conf2, NULL);
	rig_cmd(&r2, conf2);
	rig_cmd(&Rig, NULL);
	snprintf(cmds, sizeof(cmds), "%s|%s", Rig.cmd, r2.cmd);
	setenv("RPMEM_CMD", cmds, 1);
	/* the same name in both directories */
	rig_set_make(&Rig, &s1, "env.set", RIG_HDRS, 1, &sz);
	rig_set_make(&r2, &s2, "env.set", RIG_HDRS, 1, &sz);

	nl = 1;
	p1 = rpmem_create(Target, "env.set", Pool, sz, &nl, &a);
	expect(p1 != NULL && rig_exists(s1.part[0]) &&
		!rig_exists(s2.part[0]), "env: RPMEM_CMD command 1 creates "
		"in the first daemon's poolset-dir only");
	nl = 1;
	p2 = rpmem_create(Target, "env.set", pool2, sz, &nl, &a);
	expect(p2 != NULL && rig_exists(s2.part[0]), "env: command 2 "
		"creates in the second's");
	fill(Pool + HDR, 4096, &st);
	fill(pool2 + HDR, 4096, &st);
	expect(p1 != NULL && p2 != NULL && rpmem_persist(p1, HDR, 4096, 0) ==
		0 && rpmem_persist(p2, HDR, 4096, 0) == 0, "env: persist "
		"to both pools");
	expect((p1 == NULL || rpmem_close(p1) == 0) &&
		(p2 == NULL || rpmem_close(p2) == 0), "env: close both");
	expect(read_part(s1.part[0], HDR, buf, 4096) == 0 &&
		same(buf, Pool + HDR, 4096, HDR), "env: the first part "
		"holds the first pool's bytes");
	expect(read_part(s2.part[0], HDR, buf, 4096) == 0 &&
		same(buf, pool2 + HDR, 4096, HDR), "env: the second part "
		"holds the second pool's bytes");
	/* the third and fourth connections: command 1, then 2 again */
	expect(rpmem_remove(Target, "env.set", RPMEM_REMOVE_POOL_SET) == 0 &&
		!rig_exists(s1.path) && rig_exists(s2.path), "env: the third "
		"connection (rpmem_remove) uses command 1 again");
	expect(rpmem_remove(Target, "env.set", RPMEM_REMOVE_POOL_SET) == 0 &&
		!rig_exists(s2.path), "env: ... and the fourth command 2");
	rig_cmd(&Rig, NULL);

	/* the smallest send queue, the log in a file of its own */
	reset_local();
	rig_path(&Rig, logf, sizeof(logf), "client.log-", 0);
	snprintf(logp, sizeof(logp), "%s%d", logf, (int)getpid());
	setenv("RPMEM_LOG_FILE", logf, 1);
	setenv("RPMEM_LOG_LEVEL", "2", 1);
	setenv("RPMEM_WORK_QUEUE_SIZE", "2", 1);
	/* invalid spin settings at both ends: warned about, defaults used */
	setenv("RPMEM_SPIN_US", "100us", 1);
	snprintf(cmds, sizeof(cmds), "exec env RPMEMD_SPIN_US=-1 "
		"RPMEMD_SPIN_YIELD=yes %s", Rig.cmd + strlen("exec "));
	setenv("RPMEM_CMD", cmds, 1);
	warned0 = rig_log_count(&Rig, "ignoring invalid RPMEMD_SPIN");
	rig_set_make(&Rig, &s1, "wq.set", RIG_HDRS, 1, &sz);
	nl = 2;
	p1 = rpmem_create(Target, s1.name, Pool, sz, &nl, &a);
	unsetenv("RPMEM_WORK_QUEUE_SIZE");
	unsetenv("RPMEM_SPIN_US");
	rig_cmd(&Rig, NULL);
	if (expect(p1 != NULL, "env: rpmem_create with "
			"RPMEM_WORK_QUEUE_SIZE=2")) {
		ok = 1;
		/* every flush waits for a free entry: 40 in a row */
		for (size_t i = 0; i < 40 && ok; i++) {
			size_t off = HDR + i * 4096 + i;

			fill(Pool + off, 4000, &Rng);
			ok = rpmem_flush(p1, off, 4000, 0, 0) == 0;
			memcpy(Shadow + off, Pool + off, 4000);
		}
		expect(ok && rpmem_drain(p1, 0, 0) == 0, "env: 40 flushes and "
			"a drain on a 2-entry send queue");
		expect(put(p1, 256 * KiB, 512 * KiB, nl - 1) == 0,
			"env: persist 512 KiB");
		/* > the bounce buffer: several READ rounds */
		expect(read_cmp(p1, HDR, sz - HDR, 0), "env: read back the "
			"whole pool");
		expect(rpmem_close(p1) == 0, "env: rpmem_close");
		expect(rig_set_holds(&s1, Shadow), "env: the part holds every "
			"byte");
	}
	unsetenv("RPMEM_LOG_LEVEL");
	unsetenv("RPMEM_LOG_FILE");
	text[0] = '\0';
	fd = open(logp, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	ok = strstr(text, "send queue depth 2 per lane\n") != NULL &&
		strstr(text, "(RPMEM_CMD command 1 of 1)\n") != NULL &&
		strstr(text, "pool wq.set: persist method ") != NULL;
	if (!ok)
		detail("%s: '%s'", logp, text);
	expect(ok, "env: RPMEM_LOG_FILE (pid appended) has the setup lines");
	expect(strstr(text, "librpmem: warning: ignoring invalid RPMEM_SPIN_US="
		"'100us' (not a number of microseconds up to 1000000), using "
		"100\n") != NULL, "env: RPMEM_SPIN_US=100us is warned about");
	expect(rig_log_count(&Rig, "ignoring invalid RPMEMD_SPIN_US='-1' (not "
		"a number of microseconds up to 1000000), using 200") == 1 &&
		rig_log_count(&Rig, "ignoring invalid RPMEMD_SPIN_YIELD='yes' "
		"(not 0 or 1), using 0") == 1 && rig_log_count(&Rig,
		"ignoring invalid RPMEMD_SPIN") == warned0 + 2, "env: rpmemd "
		"warns once about each invalid RPMEMD_SPIN_* and serves on");
	expect(rpmem_remove(Target, s1.name, RPMEM_REMOVE_POOL_SET) == 0,
		"env: remove");

	/* no provider: refused before ssh; sockets alone: verbs */
	rig_set_make(&Rig, &s1, "prov.set", RIG_HDRS, 1, &sz);
	setenv("RPMEM_ENABLE_VERBS", "0", 1);
	nl = 1;
	expect_err(rpmem_create(Target, s1.name, Pool, sz, &nl, &a) == NULL,
		ENOMEDIUM, "cannot find provider", "env: RPMEM_ENABLE_VERBS=0 "
		"-> ENOMEDIUM");
	expect(rig_set_parts_gone(&s1), "env: ... and no part created");
	unsetenv("RPMEM_ENABLE_VERBS");
	setenv("RPMEM_ENABLE_SOCKETS", "1", 1);
	nl = 1;
	p1 = rpmem_create(Target, s1.name, Pool, sz, &nl, &a);
	expect(p1 != NULL && rpmem_close(p1) == 0, "env: "
		"RPMEM_ENABLE_SOCKETS=1 with verbs enabled: verbs is used");
	unsetenv("RPMEM_ENABLE_SOCKETS");
	expect(rpmem_remove(Target, s1.name, RPMEM_REMOVE_POOL_SET) == 0,
		"env: remove");
	munmap(pool2, MiB);
	munmap(buf, 4096);
}

/* RUN -- a test, unless --only names others (a substring match) */
#define RUN(call) RIG_RUN(Only, call)

int
main(int argc, char *argv[])
{
	const struct rig_opt opts[] = {
		{"--child", &Child, NULL},
		{NULL, NULL, NULL},
	};
	struct rig_args a;

	rig_args(argc, argv, &a, opts, RIG_NEED_ALL, "usage: e2e_test "
		"--method apm|gpspm --ssh FAKE_SSH --rpmemd RPMEMD "
		"[--only NAME]");
	Method = a.method;
	Only = a.only;
	Target = a.target;
	Rpmemd = a.rpmemd;

	Rng = 0x2545f4914f6cdd1dull;
	Pool = map(POOL_SIZE);
	Shadow = map(POOL_SIZE);
	if (Child != NULL)
		return child_main(Child);
	rig_setup(&Rig, &(struct rig_knobs){.name = "e2e", .method = Method,
		.ssh = a.ssh, .rpmemd = Rpmemd,
		.extra = "service-nice = " STR(SERVICE_NICE) "\n"}, Target);

	expect(rpmem_check_version(RPMEM_MAJOR_VERSION,
		RPMEM_MINOR_VERSION) == NULL, "rpmem_check_version(1, 1)");
	RUN(t_basic());
	RUN(t_args());
	RUN(t_create_args());
	RUN(t_nohdrs());
	RUN(t_multipart(RIG_HDRS, "multi.set"));
	RUN(t_multipart(RIG_SINGLEHDR, "multi-single.set"));
	RUN(t_multipart(RIG_NOHDRS, "multi-nohdrs.set"));
	RUN(t_parts_elsewhere());
	RUN(t_errors());
	RUN(t_remove());
	RUN(t_lanes());
	RUN(t_nice_refused());
	RUN(t_inline());
	RUN(t_latency());
	RUN(t_daemon_errors());
	RUN(t_transport());
	RUN(t_env());
	RUN(t_dead_client());
	RUN(t_dead_peer());

	return rig_finish(&Rig);
}
