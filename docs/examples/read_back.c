/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * read_back.c -- restore a local pool from its remote replica
 *
 * usage: read_back <target> <pool set name> <pool size> <output file>
 *
 * Opens an existing remote pool (for instance one that classic_api left
 * behind), prints the attributes kept in its header, reads the data area
 * back in 1 MiB pieces spread over the granted lanes and writes it to
 * <output file> -- what an application does after losing its local copy.
 * <pool size> is the size the pool was created with (bytes, or with a K,
 * M or G suffix); it may be smaller than the pool set.
 *
 * build:  cc read_back.c $(pkg-config --cflags --libs librpmem)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librpmem.h>

#define DATA_OFF	((size_t)4096)	/* the remote pool header */
#define PIECE		((size_t)(1024 * 1024))
#define NLANES		4

/* parse_size -- "64M" -> 67108864; 0 on a malformed size */
static size_t
parse_size(const char *str)
{
	char *end;
	unsigned long long size = strtoull(str, &end, 10);
	const char *suffixes = "KMG";
	const char *s = *end ? strchr(suffixes, *end) : NULL;

	if (s) {
		size <<= 10 * (s - suffixes + 1);
		end++;
	}
	return *end == '\0' ? (size_t)size : 0;
}

static void
print_uuid(const char *name, const unsigned char *uuid)
{
	printf("  %-13s", name);
	for (int i = 0; i < RPMEM_POOL_HDR_UUID_LEN; i++)
		printf("%02x%s", uuid[i],
			i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
	printf("\n");
}

int
main(int argc, char *argv[])
{
	struct rpmem_pool_attr attr;
	unsigned nlanes = NLANES;
	RPMEMpool *rpp;
	char *pool;
	FILE *out;
	int ret;

	if (argc != 5) {
		fprintf(stderr, "usage:\t%s <target> <poolset> <pool size> "
			"<output file>\n", argv[0]);
		return 1;
	}
	const char *target = argv[1];
	const char *poolset = argv[2];
	size_t pool_size = parse_size(argv[3]);
	if (pool_size <= DATA_OFF) {
		fprintf(stderr, "invalid pool size '%s'\n", argv[3]);
		return 1;
	}

	if (rpmem_check_version(RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION)) {
		fprintf(stderr, "%s\n", rpmem_check_version(
			RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION));
		return 1;
	}

	/* the (empty) local pool the remote data is restored into */
	ret = posix_memalign((void **)&pool, (size_t)sysconf(_SC_PAGESIZE),
			pool_size);
	if (ret) {
		fprintf(stderr, "posix_memalign: %s\n", strerror(ret));
		return 1;
	}
	memset(pool, 0, pool_size);

	rpp = rpmem_open(target, poolset, pool, pool_size, &nlanes, &attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_open: %s\n", rpmem_errormsg());
		return 1;
	}

	printf("%s on %s: %u lanes\n", poolset, target, nlanes);
	printf("  signature    %.*s\n", RPMEM_POOL_HDR_SIG_LEN, attr.signature);
	printf("  major        %u\n", attr.major);
	printf("  features     compat 0x%x incompat 0x%x ro_compat 0x%x\n",
		attr.compat_features, attr.incompat_features,
		attr.ro_compat_features);
	print_uuid("poolset_uuid", attr.poolset_uuid);
	print_uuid("uuid", attr.uuid);

	/* read the data area piece by piece, round robin over the lanes */
	unsigned lane = 0;
	for (size_t off = DATA_OFF; off < pool_size; off += PIECE) {
		size_t len = pool_size - off < PIECE ? pool_size - off : PIECE;

		if (rpmem_read(rpp, pool + off, off, len, lane)) {
			fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
			return 1;
		}
		lane = (lane + 1) % nlanes;
	}

	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}

	out = fopen(argv[4], "wb");
	if (out == NULL) {
		perror(argv[4]);
		return 1;
	}
	if (fwrite(pool + DATA_OFF, 1, pool_size - DATA_OFF, out) !=
			pool_size - DATA_OFF || fclose(out)) {
		perror(argv[4]);
		return 1;
	}
	printf("wrote %zu bytes (pool offsets %zu to %zu) to %s\n",
		pool_size - DATA_OFF, DATA_OFF, pool_size, argv[4]);

	free(pool);
	return 0;
}
