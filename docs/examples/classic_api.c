/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * classic_api.c -- a program written for the classic PMDK librpmem API 1.1,
 * in the style of PMDK's own librpmem examples and man page, built
 * unchanged against this project's librpmem.h and librpmem.so.
 *
 * usage: classic_api <target> <pool set name>
 *
 * Creates the remote pool, fills its data area (everything after the
 * 4 KiB header) with the text CLASSIC_PATTERN repeated, persists it lane
 * by lane, reads it back, closes; opens the pool again into a zeroed local
 * pool, checks the attributes and reads the data back into the pool.
 * Exit status 0 only when every byte read back is the byte written.
 *
 * The remote part file then holds, from offset 4096 on, exactly what
 * `yes 'classic librpmem API 1.1' | head -c <POOL_SIZE - 4096>` prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librpmem.h>

#define POOL_SIGNATURE	"CLASSIC"
#define POOL_SIZE	((size_t)(4 * 1024 * 1024))
#define NLANES		4

#define DATA_OFF	4096	/* the pool header belongs to rpmemd */
#define DATA_SIZE	(POOL_SIZE - DATA_OFF)

#define CLASSIC_PATTERN	"classic librpmem API 1.1\n"

static void *
alloc_memory(void)
{
	long pagesize = sysconf(_SC_PAGESIZE);
	void *mem;
	int ret;

	if (pagesize < 0) {
		perror("sysconf");
		exit(1);
	}

	/* a page size aligned local memory pool */
	ret = posix_memalign(&mem, (size_t)pagesize, POOL_SIZE);
	if (ret) {
		fprintf(stderr, "posix_memalign: %s\n", strerror(ret));
		exit(1);
	}
	return mem;
}

static void
fill(char *data, size_t len)
{
	const size_t plen = strlen(CLASSIC_PATTERN);

	for (size_t i = 0; i < len; i++)
		data[i] = CLASSIC_PATTERN[i % plen];
}

/* verify -- 0 when data holds the pattern, else report the first bad byte */
static int
verify(const char *what, const char *data, size_t len)
{
	const size_t plen = strlen(CLASSIC_PATTERN);

	for (size_t i = 0; i < len; i++) {
		if (data[i] != CLASSIC_PATTERN[i % plen]) {
			fprintf(stderr, "%s: mismatch at data byte %zu: "
				"0x%02x, expected 0x%02x\n", what, i,
				(unsigned char)data[i],
				(unsigned char)CLASSIC_PATTERN[i % plen]);
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct rpmem_pool_attr pool_attr, open_attr;
	const char *target, *poolset;
	unsigned nlanes = NLANES;
	RPMEMpool *rpp;
	const char *msg;
	char *pool, *back;
	size_t chunk;

	if (argc < 3) {
		fprintf(stderr, "usage:\t%s <target> <poolset>\n", argv[0]);
		return 1;
	}
	target = argv[1];
	poolset = argv[2];

	msg = rpmem_check_version(RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION);
	if (msg) {
		fprintf(stderr, "rpmem_check_version: %s\n", msg);
		return 1;
	}

	pool = alloc_memory();
	back = malloc(DATA_SIZE);
	if (back == NULL) {
		perror("malloc");
		return 1;
	}

	/* fill pool attributes */
	memset(&pool_attr, 0, sizeof(pool_attr));
	strncpy(pool_attr.signature, POOL_SIGNATURE, RPMEM_POOL_HDR_SIG_LEN);
	pool_attr.major = 1;
	memset(pool_attr.poolset_uuid, 0x11, RPMEM_POOL_HDR_UUID_LEN);
	memset(pool_attr.uuid, 0x22, RPMEM_POOL_HDR_UUID_LEN);
	memset(pool_attr.next_uuid, 0x22, RPMEM_POOL_HDR_UUID_LEN);
	memset(pool_attr.prev_uuid, 0x22, RPMEM_POOL_HDR_UUID_LEN);

	/* create a remote pool */
	rpp = rpmem_create(target, poolset, pool, POOL_SIZE, &nlanes,
			&pool_attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_create: %s\n", rpmem_errormsg());
		return 1;
	}
	printf("created %s on %s: %u lanes\n", poolset, target, nlanes);

	/* store data in the local pool ... */
	memset(pool, 0, POOL_SIZE);
	fill(pool + DATA_OFF, DATA_SIZE);

	/* ... and make it persistent on the remote node, one part per lane */
	chunk = DATA_SIZE / nlanes;
	for (unsigned lane = 0; lane < nlanes; lane++) {
		size_t off = DATA_OFF + lane * chunk;
		size_t len = lane == nlanes - 1 ?
			POOL_SIZE - off : chunk;

		if (rpmem_persist(rpp, off, len, lane)) {
			fprintf(stderr, "rpmem_persist: %s\n",
				rpmem_errormsg());
			return 1;
		}
	}

	/* read it back from the remote pool */
	memset(back, 0, DATA_SIZE);
	if (rpmem_read(rpp, back, DATA_OFF, DATA_SIZE, 0)) {
		fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
		return 1;
	}
	if (verify("after create", back, DATA_SIZE))
		return 1;

	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}

	/* open the remote pool again, into an empty local pool */
	memset(pool, 0, POOL_SIZE);
	nlanes = NLANES;
	memset(&open_attr, 0, sizeof(open_attr));
	rpp = rpmem_open(target, poolset, pool, POOL_SIZE, &nlanes,
			&open_attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_open: %s\n", rpmem_errormsg());
		return 1;
	}
	if (memcmp(&open_attr, &pool_attr, sizeof(pool_attr))) {
		fprintf(stderr, "rpmem_open: pool attributes differ from "
			"the ones given to rpmem_create\n");
		return 1;
	}

	/* restore the local pool's data from the remote pool */
	if (rpmem_read(rpp, pool + DATA_OFF, DATA_OFF, DATA_SIZE, 0)) {
		fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
		return 1;
	}
	if (verify("after open", pool + DATA_OFF, DATA_SIZE))
		return 1;

	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}

	printf("OK: %zu bytes persisted, read back after create and after "
		"open (%u lanes)\n", (size_t)DATA_SIZE, nlanes);
	free(back);
	free(pool);
	return 0;
}
