/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * basic.c -- the life of a remote pool with the classic librpmem API 1.1:
 * create, persist, close, open, read, close, remove
 *
 * usage: basic <target> <pool set name>
 *
 *   target         [user@]host[:port] of the node running rpmemd
 *   pool set name  a pool-set file inside rpmemd's poolset-dir, e.g.
 *                  "basic.set" holding
 *                      PMEMPOOLSET
 *                      8M basic.part
 *
 * The remote pool is removed at the end (its pool-set file stays).
 *
 * build:  cc basic.c $(pkg-config --cflags --libs librpmem) -o basic
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librpmem.h>

#define POOL_SIGNATURE	"BASIC"
#define POOL_SIZE	((size_t)(8 * 1024 * 1024))
#define NLANES		1

#define DATA_OFF	4096	/* the first 4 KiB hold the remote pool header */

static const char message[] = "Hello, remote persistent memory!";

int
main(int argc, char *argv[])
{
	struct rpmem_pool_attr pool_attr, open_attr;
	unsigned nlanes = NLANES;
	RPMEMpool *rpp;
	const char *msg;
	char back[sizeof(message)];
	void *pool;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage:\t%s <target> <poolset>\n", argv[0]);
		return 1;
	}
	const char *target = argv[1];
	const char *poolset = argv[2];

	/* the library must provide the API this program was written for */
	msg = rpmem_check_version(RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION);
	if (msg) {
		fprintf(stderr, "rpmem_check_version: %s\n", msg);
		return 1;
	}

	/* the local pool: page aligned, registered for RDMA by rpmem_create */
	ret = posix_memalign(&pool, (size_t)sysconf(_SC_PAGESIZE), POOL_SIZE);
	if (ret) {
		fprintf(stderr, "posix_memalign: %s\n", strerror(ret));
		return 1;
	}
	memset(pool, 0, POOL_SIZE);

	/* the attributes stored in the remote pool header */
	memset(&pool_attr, 0, sizeof(pool_attr));
	strncpy(pool_attr.signature, POOL_SIGNATURE, RPMEM_POOL_HDR_SIG_LEN);
	pool_attr.major = 1;
	memset(pool_attr.poolset_uuid, 0x01, RPMEM_POOL_HDR_UUID_LEN);
	memset(pool_attr.uuid, 0x02, RPMEM_POOL_HDR_UUID_LEN);

	rpp = rpmem_create(target, poolset, pool, POOL_SIZE, &nlanes,
			&pool_attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_create: %s\n", rpmem_errormsg());
		return 1;
	}
	printf("created %s on %s (%u lane%s)\n", poolset, target, nlanes,
		nlanes == 1 ? "" : "s");

	/* write into the local pool, then make the range durable remotely */
	memcpy((char *)pool + DATA_OFF, message, sizeof(message));
	if (rpmem_persist(rpp, DATA_OFF, sizeof(message), 0)) {
		fprintf(stderr, "rpmem_persist: %s\n", rpmem_errormsg());
		return 1;
	}
	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}

	/* open it again: the attributes come back from the remote header */
	nlanes = NLANES;
	rpp = rpmem_open(target, poolset, pool, POOL_SIZE, &nlanes,
			&open_attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_open: %s\n", rpmem_errormsg());
		return 1;
	}
	if (memcmp(open_attr.signature, POOL_SIGNATURE,
			sizeof(POOL_SIGNATURE))) {
		fprintf(stderr, "unexpected pool signature\n");
		return 1;
	}

	/* read the data back from the remote pool */
	if (rpmem_read(rpp, back, DATA_OFF, sizeof(back), 0)) {
		fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
		return 1;
	}
	if (memcmp(back, message, sizeof(message))) {
		fprintf(stderr, "read back other bytes than persisted\n");
		return 1;
	}
	printf("read back: %s\n", back);

	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}

	/* remove the pool's part files; the pool-set file stays */
	if (rpmem_remove(target, poolset, 0)) {
		fprintf(stderr, "rpmem_remove: %s\n", rpmem_errormsg());
		return 1;
	}
	printf("removed the pool of %s\n", poolset);

	free(pool);
	return 0;
}
