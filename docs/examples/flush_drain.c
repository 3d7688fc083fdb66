/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flush_drain.c -- batch many small updates with rpmem_flush and make
 * them durable with one rpmem_drain (API 1.2)
 *
 * usage: flush_drain <target> <pool set name>
 *
 * rpmem_flush starts the transfer of a range and returns at once;
 * rpmem_drain waits until every range flushed on that lane is durable on
 * the target: one round trip for the whole batch instead of one per
 * record.  The bytes of a flushed range must not change until the drain
 * returns.  The program writes BATCHES batches of RECORDS records, reads
 * the data area back, checks it and removes the pool.  The pool-set file
 * must describe at least POOL_SIZE (4 MiB).
 *
 * build:  cc flush_drain.c $(pkg-config --cflags --libs librpmem)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librpmem.h>

#define POOL_SIZE	((size_t)(4 * 1024 * 1024))
#define DATA_OFF	((size_t)4096)	/* the remote pool header */
#define RECORD_SIZE	((size_t)64)
#define RECORDS		256		/* per batch: one drain each */
#define BATCHES		16

int
main(int argc, char *argv[])
{
	struct rpmem_pool_attr attr;
	unsigned nlanes = 1;
	unsigned char *pool, *back;
	RPMEMpool *rpp;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage:\t%s <target> <pool set name>\n",
			argv[0]);
		return 1;
	}
	/* flush/drain came with API 1.2 */
	if (rpmem_check_version(RPMEM_MAJOR_VERSION, 2)) {
		fprintf(stderr, "%s\n", rpmem_check_version(
			RPMEM_MAJOR_VERSION, 2));
		return 1;
	}
	ret = posix_memalign((void **)&pool, (size_t)sysconf(_SC_PAGESIZE),
			POOL_SIZE);
	if (ret) {
		fprintf(stderr, "posix_memalign: %s\n", strerror(ret));
		return 1;
	}
	memset(pool, 0, POOL_SIZE);
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "FLUSHDRN", RPMEM_POOL_HDR_SIG_LEN);
	attr.major = 1;

	rpp = rpmem_create(argv[1], argv[2], pool, POOL_SIZE, &nlanes, &attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_create: %s\n", rpmem_errormsg());
		return 1;
	}

	for (unsigned b = 0; b < BATCHES; b++) {
		for (unsigned r = 0; r < RECORDS; r++) {
			size_t off = DATA_OFF +
				((size_t)b * RECORDS + r) * RECORD_SIZE;

			memset(pool + off, (int)(b * 7 + r), RECORD_SIZE);
			/* RELAXED: no ordering needed among the records */
			if (rpmem_flush(rpp, off, RECORD_SIZE, 0,
					RPMEM_FLUSH_RELAXED)) {
				fprintf(stderr, "rpmem_flush: %s\n",
					rpmem_errormsg());
				return 1;
			}
		}
		if (rpmem_drain(rpp, 0, 0)) {
			fprintf(stderr, "rpmem_drain: %s\n", rpmem_errormsg());
			return 1;
		}
	}
	printf("%d batches of %d records durable, one drain each\n",
		BATCHES, RECORDS);

	/* a commit record that must survive even a target power failure */
	pool[POOL_SIZE - 1] = 1;
	if (rpmem_deep_persist(rpp, POOL_SIZE - 1, 1, 0)) {
		fprintf(stderr, "rpmem_deep_persist: %s\n", rpmem_errormsg());
		return 1;
	}

	back = malloc(POOL_SIZE);
	if (back == NULL ||
	    rpmem_read(rpp, back, DATA_OFF, POOL_SIZE - DATA_OFF, 0)) {
		fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
		return 1;
	}
	if (memcmp(back, pool + DATA_OFF, POOL_SIZE - DATA_OFF)) {
		fprintf(stderr, "read-back mismatch\n");
		return 1;
	}
	printf("read back and checked\n");

	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}
	if (rpmem_remove(argv[1], argv[2], 0)) {
		fprintf(stderr, "rpmem_remove: %s\n", rpmem_errormsg());
		return 1;
	}
	free(back);
	free(pool);
	return 0;
}
