/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem_test.c -- a pool on real persistent memory: a device-DAX pool set
 * (AUTO /dev/daxN.M) served by rpmemd over rxe, through the ssh transport
 * (fake-ssh).  Checks the persist policy's decision (rpmemd's log block and
 * the method + reason the client got), persists a pattern, closes, and
 * reads the bytes back from the device itself.
 *
 * usage: pmem_test --expect apm|gpspm --ddio check|disable|ignore
 *                  --ssh FAKE_SSH --rpmemd RPMEMD
 * Needs RPMEM_TEST_DEVDAX (the VM sets it when booted with RXE_VM_NVDIMM);
 * without it the test is skipped (exit 77).  The target side (config, set,
 * log in a temp dir) is rig.h's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "librpmem.h"
#include "pool.h"
#include "rig.h"
#include "rpmem_proto.h"
#include "tap.h"

#define SKIP 77
#define POOL_SIZE ((size_t)4 << 20)	/* a multiple of the 2 MiB align */
#define HDR ((size_t)4096)
#define SET_NAME "pmem.set"

static struct rig Rig;

/* die -- report, show rpmemd's log, fail */
__attribute__((format(printf, 1, 2), noreturn))
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	dump_log(Rig.log);
	exit(1);
}

/* read_log -- rpmemd's log into buf */
static void
read_log(char *buf, size_t len)
{
	FILE *f = fopen(Rig.log, "r");
	if (f == NULL)
		die("no rpmemd log %s: %s", Rig.log, strerror(errno));
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* has -- text contains s, else fail */
static void
has(const char *text, const char *s)
{
	if (strstr(text, s) == NULL)
		die("'%s' not found", s);
}

int
main(int argc, char *argv[])
{
	const char *expect = NULL, *ddio = NULL;
	const struct rig_opt opts[] = {
		{"--expect", &expect, NULL},
		{"--ddio", &ddio, NULL},
		{NULL, NULL, NULL},
	};
	const char *usage = "usage: pmem_test --expect apm|gpspm --ddio MODE "
		"--ssh FAKE_SSH --rpmemd RPMEMD";
	struct rig_args a;
	struct rig_set set;

	/* the target is checked after the device: no device, no test */
	rig_args(argc, argv, &a, opts, RIG_NEED_SSH | RIG_NEED_RPMEMD, usage);
	if (!expect || !ddio)
		rig_usage(usage);
	int want_apm = strcmp(expect, "apm") == 0;
	const char *dax = getenv("RPMEM_TEST_DEVDAX");
	const char *target = a.target;
	if (dax == NULL || dax[0] == '\0') {
		printf("SKIP: no device DAX (boot the VM with "
			"RXE_VM_NVDIMM=<MiB>)\n");
		return SKIP;
	}
	if (target == NULL)
		die("RPMEM_TEST_TARGET_ADDR is not set (run in tools/rxe-vm)");

	/* the target side: config, pool set, log in one directory */
	rig_setup(&Rig, &(struct rig_knobs){.name = "pmem",
		.persist_apm = "yes", .ddio = ddio, .log_level = "notice",
		.ssh = a.ssh, .rpmemd = a.rpmemd}, NULL);
	rig_set_init(&set, Rig.sets, SET_NAME, NULL, RIG_HDRS, 1,
		(size_t[]){0});
	snprintf(set.part[0], sizeof(set.part[0]), "%s", dax);
	rig_set_write(&set);

	/* an earlier run may have left its pool on the device */
	(void) rpmem_remove(target, SET_NAME, RPMEM_REMOVE_FORCE);

	uint8_t *pool = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	struct rpmem_pool_attr attr;
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "PMEMTST", 8);
	attr.major = 1;
	unsigned nlanes = 4;
	RPMEMpool *rpp = rpmem_create(target, SET_NAME, pool, POOL_SIZE,
			&nlanes, &attr);
	if (rpp == NULL)
		die("rpmem_create on %s: %s", dax, rpmem_errormsg());

	/* the decision as the client sees it */
	const char *reason = NULL;
	uint16_t method = rpmem_pool_persist_method(rpp, &reason);
	printf("persist method %s: %s\n", rpmem_persist_method_str(method),
		reason);
	if (method != (want_apm ? RPMEM_PM_APM : RPMEM_PM_GPSPM))
		die("expected %s", expect);
	has(reason, want_apm ? "ddio = ignore" : "software RDMA device");

	/* a pattern over the whole user range, persisted on two lanes */
	if (getrandom(pool + HDR, 4096, 0) != 4096)
		die("getrandom: %s", strerror(errno));
	for (size_t off = HDR + 4096; off < POOL_SIZE; off += 4096)
		memcpy(pool + off, pool + HDR, 4096);
	for (size_t off = HDR; off < POOL_SIZE; off += 4096)
		pool[off] = (uint8_t)(off >> 12);
	size_t half = (POOL_SIZE - HDR) / 2;
	if (rpmem_persist(rpp, HDR, half, 0) ||
	    rpmem_persist(rpp, HDR + half, POOL_SIZE - HDR - half,
			nlanes > 1 ? 1 : 0))
		die("rpmem_persist: %s", rpmem_errormsg());
	if (rpmem_close(rpp))
		die("rpmem_close: %s", rpmem_errormsg());

	/* rpmemd's log: one block with every input and the decision */
	static char log[65536];
	read_log(log, sizeof(log));
	const char *blk = strstr(log, "persist policy:");
	if (blk == NULL)
		die("no persist policy block in the log");
	has(blk, "  pool is pmem:    yes\n");
	has(blk, "  rdma device:     ");
	has(blk, want_apm ? "  method:          APM (" :
		"  method:          GPSPM (software RDMA device");
	has(blk, "  gpspm flush:     pmem_persist\n");
	const char *end = strstr(blk, "  method:");
	end = end ? strchr(end, '\n') : NULL;
	printf("%.*s\n", end ? (int)(end - blk) : 2000, blk);

	/* the bytes on the device, after the daemon let go of it */
	int fd = open(dax, O_RDWR);
	if (fd < 0)
		die("open %s: %s", dax, strerror(errno));
	uint8_t *dev = mmap(NULL, POOL_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (dev == MAP_FAILED)
		die("mmap %s: %s", dax, strerror(errno));
	if (memcmp(dev, "RPMEMPL", 8) != 0)
		die("no pool header on %s", dax);
	for (size_t off = HDR; off < POOL_SIZE; off++)
		if (dev[off] != pool[off])
			die("%s differs at byte %zu: 0x%02x, persisted 0x%02x",
				dax, off, dev[off], pool[off]);
	munmap(dev, POOL_SIZE);
	close(fd);
	printf("%zu bytes read back from %s match\n", POOL_SIZE - HDR, dax);

	/* leave the device empty for the next test */
	if (rpmem_remove(target, SET_NAME, 0))
		die("rpmem_remove: %s", rpmem_errormsg());
	rm_rf(Rig.dir);
	printf("PASS\n");
	return 0;
}
