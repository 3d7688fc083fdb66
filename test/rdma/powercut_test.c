/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * powercut_test.c -- the guest side of the power-cut test (driven from the
 * host by test/rdma/powercut, which boots the VM twice and cuts its power
 * in between):
 *
 *   write  rpmemd (started through fake-ssh, as in e2e_test.c) serves a
 *          pool on an ordinary file on an ext4 file system on the VM's
 *          virtio disk: not pmem, so GPSPM with msync; NLANES threads
 *          persist pseudo-random data, each through its own region of the
 *          pool, append-only (no range is ever written twice), every
 *          other one with rpmem_deep_persist().  After each
 *          persist returns, the lane appends the acknowledged range
 *          (offset, length, seed) to its ack log in ACKDIR.  ACKDIR is on
 *          the rig's writable 9p share: a write() there returns only after
 *          QEMU has written the bytes into the host file, i.e. into the
 *          host's page cache, which a kill of QEMU does not touch; so every
 *          record in the log was acknowledged, and every acknowledged range
 *          whose record write() returned is in the log, whatever happens to
 *          the guest afterwards.  After SECONDS (or a lane's region full)
 *          it creates ACKDIR/cut and goes on persisting: the host kills
 *          QEMU while persists are in flight.  It never returns on its own
 *          (exit 1 if the cut does not come).
 *   check  (second boot, the same disk mounted again) reads the part file
 *          directly and compares every acknowledged range byte for byte;
 *          prints "powercut: N acknowledged ranges, B bytes checked, M
 *          missing".  Exit 0 when nothing is missing; with --expect-loss
 *          (the deliberately broken rpmemd_noflush) exit 0 only when ranges
 *          ARE missing: the test shows it can tell.
 *
 * usage: powercut_test write --dir DIR --acks ACKDIR --ssh FAKE_SSH
 *                      --rpmemd RPMEMD [--seconds S] [--lanes N]
 *        powercut_test check --dir DIR --acks ACKDIR [--expect-loss]
 * DIR: a directory on the file system under test (the pool set goes in
 * DIR/sets).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "librpmem.h"
#include "client.h"
#include "rig.h"
#include "tap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define HDR ((size_t)4096)		/* the daemon's pool header */
#define POOL_SIZE (128 * MiB)
#define MAX_LANES 8
#define MAX_LEN (32 * KiB)		/* persists are 64 B .. 32 KiB */
#define MIN_ACKS 20			/* per lane, before the cut */
#define CUT_WAIT_S 60			/* how long to wait for the cut */
#define REC_MAGIC 0x706f776572637574ull	/* "powercut" */
#define SET_NAME "powercut.set"

/* one acknowledged persist, as the lane appends it to its log */
struct ack_rec {
	uint64_t off;
	uint64_t len;
	uint64_t seed;
	uint64_t check;	/* rec_check(): a torn or foreign record shows */
};

static const char *Dir;
static const char *Acks;
static const char *Target;
static char Sets[PATH_MAX];
static char Part[PATH_MAX + 32];
static char Log[PATH_MAX + 32];
static uint64_t Gen;		/* this run's generation: seeds its data */
static unsigned Nlanes = 4;
static RPMEMpool *Rpp;
static atomic_int Stop;		/* a lane is full or failed */
static atomic_ulong Acked;	/* records written so far */

/* range_seed -- the data of the range at off in generation gen */
static uint64_t
range_seed(uint64_t gen, uint64_t off)
{
	return mix(gen ^ mix(off)) | 1;
}

static uint64_t
rec_check(const struct ack_rec *r)
{
	return mix(r->off ^ mix(r->len ^ mix(r->seed ^ REC_MAGIC)));
}

static void
paths(void)
{
	snprintf(Sets, sizeof(Sets), "%s/sets", Dir);
	snprintf(Part, sizeof(Part), "%s/powercut.part0", Sets);
	snprintf(Log, sizeof(Log), "%s/rpmemd.log", Acks);
}

/* ------------------------------------------------------------------ */
/* write */

/* file_has -- does the file contain s */
static int
file_has(const char *path, const char *s)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, s) != NULL;
	fclose(f);
	return found;
}

/* sync_path -- fsync a file or directory; exits on failure */
static void
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd)) {
		fprintf(stderr, "fsync %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* create_captured -- create_logged (client.c) of this run's pool */
static RPMEMpool *
create_captured(unsigned *nl, char *log, size_t loglen)
{
	char path[PATH_MAX + 32];
	struct rpmem_pool_attr a;

	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "PWRCUT", 7);
	a.major = 1;
	snprintf(path, sizeof(path), "%s/create-stderr.txt", Acks);
	return create_logged(Target, SET_NAME, Pool, POOL_SIZE, nl, &a, path,
		log, loglen);
}

/*
 * lane -- persist fresh ranges through the lane's region, one after the
 * other, each logged once rpmem_persist() returned
 */
static void *
lane(void *arg)
{
	unsigned ln = (unsigned)(uintptr_t)arg;
	size_t region = ((POOL_SIZE - HDR) / Nlanes) & ~(size_t)63;
	size_t off = HDR + ln * region, end = off + region;
	uint64_t st = mix(Gen + ln) | 1;
	char path[PATH_MAX + 32];
	int deep = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/acks.%u", Acks, ln);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		0600);
	if (fd < 0) {
		printf("# lane %u: %s: %s\n", ln, path, strerror(errno));
		atomic_store(&Stop, 1);
		return NULL;
	}
	for (;;) {
		size_t len = 64 + (size_t)(rnd(&st) % (MAX_LEN - 64 + 1));
		struct ack_rec r = { off, len, range_seed(Gen, off), 0 };
		uint64_t s = r.seed;

		if (off + len > end) {
			printf("# lane %u: region full\n", ln);
			atomic_store(&Stop, 1);
			break;
		}
		fill(Pool + off, len, &s);
		/* every other one deep: its flush must dirty pages too */
		deep = !deep;
		if ((deep ? rpmem_deep_persist : rpmem_persist)(Rpp, off, len,
				ln)) {
			printf("# lane %u: rpmem_%spersist(%zu, %zu): errno "
				"%d '%s'\n", ln, deep ? "deep_" : "", off, len,
				errno, rpmem_errormsg());
			atomic_store(&Stop, 1);
			break;
		}
		r.check = rec_check(&r);
		if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
			printf("# lane %u: ack log: %s\n", ln, strerror(errno));
			atomic_store(&Stop, 1);
			break;
		}
		atomic_fetch_add(&Acked, 1);
		off += len;
	}
	close(fd);
	return NULL;
}

static int
do_write(const char *ssh, const char *rpmemd, double seconds)
{
	char text[3 * PATH_MAX];
	char log[4096], path[PATH_MAX + 32];
	struct rig rig;
	struct rig_set set;
	pthread_t th[MAX_LANES];
	unsigned nl;
	struct timespec ts;
	double t0;

	clock_gettime(CLOCK_REALTIME, &ts);
	Gen = mix((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	Pool = map(POOL_SIZE);

	/* the pool set on the disk under test; config and log on the share */
	if (rig_exists(Sets)) {
		printf("not ok - %s exists already\n", Sets);
		return 1;
	}
	/*
	 * persist-apm = yes: GPSPM must come from "not persistent memory";
	 * no method: nothing (PMEM_IS_PMEM_FORCE) may pretend the file is pmem
	 */
	rig_setup(&rig, &(struct rig_knobs){.name = "powercut", .dir = Dir,
		.confdir = Acks, .persist_apm = "yes", .ssh = ssh,
		.rpmemd = rpmemd}, NULL);
	rig_set_init(&set, Sets, SET_NAME, NULL, RIG_HDRS, 1,
		(size_t[]){POOL_SIZE});
	snprintf(set.part[0], sizeof(set.part[0]), "%.4000s", Part);
	rig_set_write(&set);
	sync_path(set.path);
	sync_path(Sets);
	sync_path(Dir);

	nl = Nlanes;
	Rpp = create_captured(&nl, log, sizeof(log));
	if (!expect(Rpp != NULL, "rpmem_create of a %zu MiB pool on %s",
			POOL_SIZE / MiB, Part)) {
		printf("# librpmem: %s", log);
		dump_log(Log);
		return 1;
	}
	if (!(nl == Nlanes))
		detail("%u of %u lanes", nl, Nlanes);
	if (!expect(nl == Nlanes, "%u lanes granted", Nlanes))
		return 1;
	if (strstr(log, "persist method GPSPM (pool is not on persistent "
			"memory") == NULL)
		detail("librpmem's log: '%s'", log);
	if (!expect(strstr(log, "persist method GPSPM (pool is not on "
			"persistent memory") != NULL, "GPSPM, because the pool "
			"is not on persistent memory"))
		return 1;
	if (!file_has(Log, "gpspm flush:     pmem_msync"))
		detail("no 'gpspm flush: pmem_msync' in %s", Log);
	if (!expect(file_has(Log, "gpspm flush:     pmem_msync"),
			"rpmemd flushes with msync"))
		return 1;

	snprintf(path, sizeof(path), "%s/run", Acks);
	snprintf(text, sizeof(text), "%llu %u %zu\n", (unsigned long long)Gen,
		Nlanes, POOL_SIZE);
	write_file(path, text);

	t0 = now_ms();
	for (unsigned i = 0; i < Nlanes; i++)
		pthread_create(&th[i], NULL, lane, (void *)(uintptr_t)i);
	/* SECONDS, longer (up to CUT_WAIT_S) on a slow machine */
	while (!atomic_load(&Stop) && (now_ms() - t0 < seconds * 1000 ||
			atomic_load(&Acked) < MIN_ACKS * Nlanes) &&
			now_ms() - t0 < CUT_WAIT_S * 1000)
		usleep(10000);
	if (!expect(atomic_load(&Acked) >= MIN_ACKS * Nlanes,
			"%lu persists acknowledged in %.1f s (at least %u "
			"wanted)", atomic_load(&Acked),
			(now_ms() - t0) / 1000, MIN_ACKS * Nlanes)) {
		dump_log(Log);
		return 1;
	}
	/* the lanes go on persisting: the cut comes in mid-flight */
	printf("# asking for the cut after %lu acknowledged persists; "
		"persisting on\n", atomic_load(&Acked));
	/* whole or not at all: the host cuts as soon as it sees the file */
	snprintf(path, sizeof(path), "%s/cut.tmp", Acks);
	snprintf(text, sizeof(text), "%lu\n", atomic_load(&Acked));
	write_file(path, text);
	snprintf(text, sizeof(text), "%s/cut", Acks);
	if (rename(path, text)) {
		printf("not ok - rename %s: %s\n", path, strerror(errno));
		return 1;
	}
	t0 = now_ms();
	while (now_ms() - t0 < CUT_WAIT_S * 1000)
		usleep(100000);
	printf("not ok - no power cut within %d s\n", CUT_WAIT_S);
	return 1;
}

/* ------------------------------------------------------------------ */
/* check */

static uint8_t Want[MAX_LEN];
static uint8_t Got[MAX_LEN];

static int
do_check(int expect_loss)
{
	char path[PATH_MAX + 32];
	unsigned long long gen;
	unsigned lanes;
	size_t pool, nrec = 0, missing = 0, zero = 0, partly = 0;
	size_t lost_bytes = 0, torn = 0, bad = 0, checked = 0;
	struct stat sb;
	uint8_t h[8];
	FILE *f;

	snprintf(path, sizeof(path), "%s/run", Acks);
	f = fopen(path, "r");
	if (f == NULL || fscanf(f, "%llu %u %zu", &gen, &lanes, &pool) != 3 ||
			lanes == 0 || lanes > MAX_LANES || pool != POOL_SIZE) {
		printf("not ok - %s: no run record\n", path);
		return 1;
	}
	fclose(f);
	if (stat(Part, &sb) || (size_t)sb.st_size != POOL_SIZE) {
		printf("not ok - part file %s: %s\n", Part, errno ?
			strerror(errno) : "wrong size");
		return 1;
	}
	if (read_part(Part, 0, h, 8) || memcmp(h, "RPMEMPL", 8) != 0) {
		printf("not ok - %s does not start with the pool header\n",
			Part);
		return 1;
	}
	for (unsigned ln = 0; ln < lanes; ln++) {
		struct ack_rec r;
		size_t n = 0;
		int fd;
		ssize_t got;

		snprintf(path, sizeof(path), "%s/acks.%u", Acks, ln);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("not ok - %s: %s\n", path, strerror(errno));
			return 1;
		}
		while ((got = read(fd, &r, sizeof(r))) == (ssize_t)sizeof(r)) {
			uint64_t s = r.seed;
			long d;

			if (r.check != rec_check(&r) || r.len < 64 ||
			    r.len > MAX_LEN || r.off < HDR ||
			    r.off + r.len > POOL_SIZE ||
			    r.seed != range_seed(gen, r.off)) {
				if (bad++ < 5)
					printf("# lane %u record %zu is "
						"garbage\n", ln, n);
				n++;
				continue;
			}
			n++;
			checked += r.len;
			fill(Want, r.len, &s);
			if (read_part(Part, r.off, Got, r.len)) {
				printf("not ok - %s\n", Detail);
				close(fd);
				return 1;
			}
			d = diff(Got, Want, r.len);
			if (d < 0)
				continue;
			size_t ok = 0, nz = 0;

			for (size_t i = 0; i < r.len; i++) {
				ok += Got[i] == Want[i];
				nz += Got[i] != 0;
			}
			missing++;
			lost_bytes += r.len - ok;
			if (nz == 0)
				zero++;
			else
				partly++;
			if (missing <= 10)
				printf("# missing: lane %u ack %zu [%llu, +%llu)"
					": first wrong byte at %llu, %zu of "
					"%llu bytes right%s\n", ln, n - 1,
					(unsigned long long)r.off,
					(unsigned long long)r.len,
					(unsigned long long)(r.off +
						(uint64_t)d), ok,
					(unsigned long long)r.len,
					nz == 0 ? ", all zero" : "");
		}
		if (got > 0)
			torn++;	/* the cut hit a record write: not acked */
		close(fd);
		nrec += n;
		printf("# lane %u: %zu acknowledged ranges\n", ln, n);
	}
	printf("powercut: %zu acknowledged ranges, %zu bytes checked, %zu "
		"missing (%zu all zero, %zu partly written, %zu bytes lost)"
		"%s\n", nrec, checked, missing, zero, partly,
		lost_bytes, torn ? ", a torn record at the end ignored" : "");
	if (bad) {
		printf("not ok - %zu garbage records in the ack logs\n", bad);
		return 1;
	}
	if (nrec < MIN_ACKS * lanes) {
		printf("not ok - only %zu acknowledged ranges\n", nrec);
		return 1;
	}
	if (expect_loss) {
		if (missing == 0) {
			printf("not ok - the daemon skipped its flush, yet "
				"every acknowledged range survived: this test "
				"cannot tell\n");
			return 1;
		}
		printf("ok - powercut: the loss is detected (%zu of %zu "
			"acknowledged ranges missing: the daemon skipped its "
			"flush)\n", missing, nrec);
		return 0;
	}
	if (missing) {
		printf("not ok - powercut: %zu of %zu acknowledged ranges "
			"missing after the power cut\n", missing, nrec);
		return 1;
	}
	printf("ok - powercut: every acknowledged range is on disk\n");
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: powercut_test write --dir DIR --acks ACKDIR "
		"--ssh FAKE_SSH --rpmemd RPMEMD [--seconds S] [--lanes N]\n"
		"       powercut_test check --dir DIR --acks ACKDIR "
		"[--expect-loss]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *ssh = NULL, *rpmemd = NULL;
	double seconds = 5;
	int expect_loss = 0;

	if (argc < 2)
		usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--expect-loss") == 0) {
			expect_loss = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--dir") == 0)
			Dir = argv[++i];
		else if (strcmp(argv[i], "--acks") == 0)
			Acks = argv[++i];
		else if (strcmp(argv[i], "--ssh") == 0)
			ssh = argv[++i];
		else if (strcmp(argv[i], "--rpmemd") == 0)
			rpmemd = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--lanes") == 0)
			Nlanes = (unsigned)atoi(argv[++i]);
		else
			usage();
	}
	if (Dir == NULL || Acks == NULL || strlen(Dir) > 1000 ||
			strlen(Acks) > 1000)
		usage();
	paths();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "write") == 0) {
		Target = getenv("RPMEM_TEST_TARGET_ADDR");
		if (ssh == NULL || rpmemd == NULL || Target == NULL ||
				Nlanes < 2 || Nlanes > MAX_LANES)
			usage();
		return do_write(ssh, rpmemd, seconds);
	}
	if (strcmp(argv[1], "check") == 0)
		return do_check(expect_loss);
	usage();
	return 2;
}
