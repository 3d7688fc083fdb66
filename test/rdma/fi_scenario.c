/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fi_scenario.c -- one use of the public API, the way an application uses
 * it, for the fault-injection sweep (test/rdma/fault_sweep): whatever call
 * a forced fault makes fail, the failure must look like a documented one
 * and the cleanup must work; when every call succeeds, every byte read
 * back must be right.
 *
 *   create (2 lanes, attributes) -> persist on every lane, flush + drain,
 *   deep persist -> read back -> close -> open (attributes, read back)
 *   -> set_attr -> close -> remove
 *
 * On the first failing call: the return value says failure, errno is one
 * that the function documents (docs/man), rpmem_errormsg() is not empty;
 * an open pool is then closed (rpmem_close must return, whatever it says)
 * and the program exits FAILED_CLEANLY.
 *
 * usage: fi_scenario --ssh FAKE_SSH --rpmemd RPMEMD --dir DIR
 *   DIR: an empty directory for the target side (config, pool set, log)
 * exit: 0 all calls succeeded, data right; 2 failed cleanly; 1 a check
 * failed (wrong errno, empty message, wrong data, bad setup)
 */
#define _GNU_SOURCE
#include <errno.h>
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

#include "librpmem.h"
#include "rig.h"
#include "tap.h"

#define FAILED_CLEANLY 2
#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define HDR ((size_t)4096)
#define PART_SIZE (2 * MiB)
/* two parts with headers: the second part's header costs a page */
#define POOL_SIZE (2 * PART_SIZE - HDR)
#define NLANES 2
#define REGION (64 * KiB)
#define SET_NAME "fi.set"

static const char *Target;
static struct rig Rig;
static RPMEMpool *Rpp;
static uint8_t *Pool;
static uint8_t *Shadow;
static uint8_t *Buf;

/* the errnos each function documents (docs/man/rpmem_*.3.md) */
static const int Err_pool[] = {	/* rpmem_create, rpmem_open */
	EINVAL, EFBIG, EEXIST, ENOSPC, ENOENT, EACCES, EBUSY, ENOMEM, EAGAIN,
	ENOMEDIUM, EOPNOTSUPP, ECONNABORTED, ECONNREFUSED, EHOSTUNREACH, ECONNRESET,
	ETIMEDOUT, EPROTO, EPROTONOSUPPORT, ENODEV, EXDEV, EREMOTEIO,
	/* "a system call or a verbs call fails ... the message names it" */
	EMFILE, EIO, EADDRNOTAVAIL, 0
};
static const int Err_data[] = {	/* persist, flush, drain, read */
	ECONNRESET, ECONNABORTED, ENOTCONN, EPIPE, ESHUTDOWN, ETIMEDOUT,
	EPROTO, EIO, ENETDOWN, ENETUNREACH, EHOSTUNREACH, EREMOTEIO,
	EOPNOTSUPP, 0
};
static const int Err_set_attr[] = {
	ENOTCONN, ECONNRESET, ETIMEDOUT, EPROTO, EPROTONOSUPPORT, EREMOTEIO, 0
};
static const int Err_close[] = {
	ENOTCONN, ECONNRESET, ETIMEDOUT, EPROTO, EPROTONOSUPPORT, 0
};
static const int Err_remove[] = {
	ENOENT, EBUSY, EACCES, ENOMEM, EREMOTEIO, ECONNRESET, ETIMEDOUT,
	EPROTO, EPROTONOSUPPORT, EINVAL,
	/* "a failing socketpair(2) or posix_spawnp(3)" */
	EMFILE, EAGAIN, 0
};

/* bad -- a check failed: say why, exit 1 (no cleanup: the run failed) */
__attribute__((format(printf, 1, 2), noreturn))
static void
bad(const char *fmt, ...)
{
	va_list ap;

	printf("fi_scenario: FAILED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* allowed -- err is in the zero-terminated list */
static int
allowed(int err, const int *list)
{
	for (; *list; list++)
		if (*list == err)
			return 1;
	return 0;
}

/*
 * failed -- call failed: judge errno and the message, close the pool if
 * one is open, exit FAILED_CLEANLY (or 1 when the failure is malformed)
 */
__attribute__((noreturn))
static void
failed(const char *call, const int *list)
{
	int err = errno;
	const char *msg = rpmem_errormsg();

	printf("fi_scenario: %s failed: errno %d (%s): %s\n", call, err,
		strerrorname_np(err) ? strerrorname_np(err) : "?", msg);
	if (err == 0 || !allowed(err, list))
		bad("%s: errno %d is not one it documents", call, err);
	if (msg == NULL || msg[0] == '\0')
		bad("%s: empty rpmem_errormsg()", call);
	if (Rpp != NULL) {
		/* must return and release everything, whatever it says */
		if (rpmem_close(Rpp)) {
			err = errno;
			printf("fi_scenario: rpmem_close after the failure: "
				"errno %d: %s\n", err, rpmem_errormsg());
			if (!allowed(err, Err_close))
				bad("rpmem_close: errno %d is not one it "
					"documents", err);
		}
		Rpp = NULL;
	}
	exit(FAILED_CLEANLY);
}

/* region -- lane l's range: its own 64 KiB after the header */
static size_t
region(unsigned l)
{
	return HDR + (size_t)l * REGION;
}

/* verify -- read [off, +len) back on lane and compare with Shadow */
static void
verify(const char *when, size_t off, size_t len, unsigned lane)
{
	memset(Buf, 0xa5, len);
	if (rpmem_read(Rpp, Buf, off, len, lane))
		failed("rpmem_read", Err_data);
	long d = diff(Buf, Shadow + off, len);
	if (d >= 0)
		bad("%s: byte at offset %zu is 0x%02x, want 0x%02x", when,
			off + (size_t)d, Buf[d], Shadow[off + (size_t)d]);
}

/* attr_of -- the attributes of generation g */
static void
attr_of(struct rpmem_pool_attr *a, unsigned g)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, "FISWEEP", 8);

	a->major = 1;
	a->compat_features = g;
	for (size_t i = 0; i < sizeof(a->poolset_uuid); i++)
		a->poolset_uuid[i] = (unsigned char)(i * 7 + g);
}

/* setup -- rpmemd config and a two-part pool set in dir */
static void
setup(const char *dir, const char *ssh, const char *rpmemd)
{
	struct rig_set set;

	/* short paths: part paths must fit the pool set's lines */
	if (strlen(dir) > 200)
		bad("--dir %s: path too long", dir);
	/* the sweep's RPMEM_TIMEOUT_MS stays */
	rig_setup(&Rig, &(struct rig_knobs){.name = "fi", .dir = dir,
		.max_lanes = NLANES, .keep_env = 1, .ssh = ssh,
		.rpmemd = rpmemd}, NULL);
	rig_set_init(&set, Rig.sets, SET_NAME, NULL, RIG_HDRS, 2,
		(size_t[]){PART_SIZE, PART_SIZE});
	/* fi.partN: the names test/rdma/fault_sweep looks for */
	for (unsigned i = 0; i < set.nparts; i++)
		snprintf(set.part[i], sizeof(set.part[i]), "%.4000s/fi.part%u",
			Rig.sets, i);
	rig_set_write(&set);
}

int
main(int argc, char *argv[])
{
	const char *ssh = NULL, *rpmemd = NULL, *dir = NULL;
	struct rpmem_pool_attr attr, got;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	unsigned nlanes = NLANES;

	/* not rig_args: its usage exit 2 is this program's FAILED_CLEANLY */
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--ssh") == 0)
			ssh = argv[i + 1];
		else if (strcmp(argv[i], "--rpmemd") == 0)
			rpmemd = argv[i + 1];
		else if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
	}
	Target = getenv("RPMEM_TEST_TARGET_ADDR");
	if (ssh == NULL || rpmemd == NULL || dir == NULL || Target == NULL)
		bad("usage: fi_scenario --ssh FAKE_SSH --rpmemd RPMEMD "
			"--dir DIR (RPMEM_TEST_TARGET_ADDR set)");
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	setup(dir, ssh, rpmemd);
	Pool = map(POOL_SIZE);
	Shadow = map(POOL_SIZE);
	Buf = map(POOL_SIZE);

	/* session 1: create, write on every lane, read back, close */
	attr_of(&attr, 1);
	Rpp = rpmem_create(Target, SET_NAME, Pool, POOL_SIZE, &nlanes, &attr);
	if (Rpp == NULL)
		failed("rpmem_create", Err_pool);
	if (nlanes == 0 || nlanes > NLANES)
		bad("rpmem_create granted %u lanes", nlanes);
	for (unsigned l = 0; l < nlanes; l++) {
		fill(Pool + region(l), REGION, &rng);
		if (rpmem_persist(Rpp, region(l), REGION, l))
			failed("rpmem_persist", Err_data);
		memcpy(Shadow + region(l), Pool + region(l), REGION);
	}
	/* API 1.2: two flushes made durable by one drain, a deep persist */
	size_t f = region(NLANES);
	fill(Pool + f, 2 * REGION, &rng);
	if (rpmem_flush(Rpp, f, REGION, 0, 0) ||
	    rpmem_flush(Rpp, f + REGION, REGION, 0, 0))
		failed("rpmem_flush", Err_data);
	if (rpmem_drain(Rpp, 0, 0))
		failed("rpmem_drain", Err_data);
	memcpy(Shadow + f, Pool + f, 2 * REGION);
	fill(Pool + f + 2 * REGION, 4 * KiB, &rng);
	if (rpmem_deep_persist(Rpp, f + 2 * REGION, 4 * KiB, nlanes - 1))
		failed("rpmem_deep_persist", Err_data);
	memcpy(Shadow + f + 2 * REGION, Pool + f + 2 * REGION, 4 * KiB);
	for (unsigned l = 0; l < nlanes; l++)
		verify("read back", region(l), REGION, l);
	verify("read back (flushed)", f, 2 * REGION + 4 * KiB, 0);
	if (rpmem_close(Rpp)) {
		Rpp = NULL;	/* released anyway */
		failed("rpmem_close", Err_close);
	}
	Rpp = NULL;

	/* session 2: open (attributes and bytes survived), set_attr */
	memset(Pool, 0, POOL_SIZE);
	nlanes = NLANES;
	Rpp = rpmem_open(Target, SET_NAME, Pool, POOL_SIZE, &nlanes, &got);
	if (Rpp == NULL)
		failed("rpmem_open", Err_pool);
	if (memcmp(&got, &attr, sizeof(attr)) != 0)
		bad("rpmem_open: the attributes differ from rpmem_create's");
	verify("after reopen", HDR, f + 2 * REGION + 4 * KiB - HDR, 0);
	attr_of(&attr, 2);
	if (rpmem_set_attr(Rpp, &attr))
		failed("rpmem_set_attr", Err_set_attr);
	if (rpmem_close(Rpp)) {
		Rpp = NULL;
		failed("rpmem_close", Err_close);
	}
	Rpp = NULL;

	/* session 3: remove the pool and its set file */
	if (rpmem_remove(Target, SET_NAME, RPMEM_REMOVE_POOL_SET))
		failed("rpmem_remove", Err_remove);
	printf("fi_scenario: all calls succeeded, data verified\n");
	munmap(Pool, POOL_SIZE);
	munmap(Shadow, POOL_SIZE);
	munmap(Buf, POOL_SIZE);
	return 0;
}
