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
 * without it the test is skipped (exit 77).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "rpmem_proto.h"

#define SKIP 77
#define POOL_SIZE ((size_t)4 << 20)	/* a multiple of the 2 MiB align */
#define HDR ((size_t)4096)
#define SET_NAME "pmem.set"

static char Tmp[256];
static char Log[300];

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
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "echo '--- rpmemd log:'; cat '%s'", Log);
	fflush(stdout);
	if (system(cmd)) {
		/* nothing more to show */
	}
	exit(1);
}

/* write_file -- create path with text */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

/* read_log -- rpmemd's log into buf */
static void
read_log(char *buf, size_t len)
{
	FILE *f = fopen(Log, "r");
	if (f == NULL)
		die("no rpmemd log %s: %s", Log, strerror(errno));
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
	static const struct option opts[] = {
		{"expect", required_argument, NULL, 'e'},
		{"ddio", required_argument, NULL, 'd'},
		{"ssh", required_argument, NULL, 's'},
		{"rpmemd", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *expect = NULL, *ddio = NULL, *ssh = NULL, *rpmemd = NULL;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': expect = optarg; break;
		case 'd': ddio = optarg; break;
		case 's': ssh = optarg; break;
		case 'r': rpmemd = optarg; break;
		default: return 2;
		}
	}
	if (!expect || !ddio || !ssh || !rpmemd) {
		fprintf(stderr, "usage: pmem_test --expect apm|gpspm --ddio "
			"MODE --ssh FAKE_SSH --rpmemd RPMEMD\n");
		return 2;
	}
	int want_apm = strcmp(expect, "apm") == 0;
	const char *dax = getenv("RPMEM_TEST_DEVDAX");
	const char *target = getenv("RPMEM_TEST_TARGET_ADDR");
	if (dax == NULL || dax[0] == '\0') {
		printf("SKIP: no device DAX (boot the VM with "
			"RXE_VM_NVDIMM=<MiB>)\n");
		return SKIP;
	}
	if (target == NULL)
		die("RPMEM_TEST_TARGET_ADDR is not set (run in tools/rxe-vm)");

	/* the target side: config, pool set, log in one directory */
	snprintf(Tmp, sizeof(Tmp), "/tmp/rpmem-pmem-XXXXXX");
	if (mkdtemp(Tmp) == NULL)
		die("mkdtemp: %s", strerror(errno));
	snprintf(Log, sizeof(Log), "%s/rpmemd.log", Tmp);
	char path[400], text[1024];
	snprintf(path, sizeof(path), "%s/" SET_NAME, Tmp);
	snprintf(text, sizeof(text), "PMEMPOOLSET\nAUTO %s\n", dax);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/rpmemd.conf", Tmp);
	snprintf(text, sizeof(text), "poolset-dir = %s\npersist-apm = yes\n"
		"persist-general = yes\nddio = %s\nlog-file = %s\n"
		"log-level = notice\nuse-syslog = no\n", Tmp, ddio, Log);
	write_file(path, text);
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "exec %s -c %s", rpmemd, path);
	setenv("RPMEM_SSH", ssh, 1);
	setenv("RPMEM_CMD", cmd, 1);

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
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", Tmp);
	if (system(cmd))
		printf("warning: cannot remove %s\n", Tmp);
	printf("PASS\n");
	return 0;
}
