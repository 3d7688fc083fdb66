/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmemobj_replica.c -- libpmemobj with a remote replica: the pool lives in
 * a local file and, through librpmem and rpmemd, on a remote node; every
 * transaction reaches both before it returns.  This program uses
 * libpmemobj only: libpmemobj loads librpmem.so.1 itself when the pool
 * set has a REPLICA line.
 *
 * usage: pmemobj_replica <local pool set> <note>
 *
 * Creates the pool (first run) or opens it, appends the note to the list
 * in the root object in one transaction, prints every note and closes.
 *
 * The local pool set (on this node), e.g. "notes.set":
 *     PMEMPOOLSET
 *     8M /pmem/notes.part
 *     REPLICA user@target notes-remote.set
 * the remote one, "notes-remote.set" in rpmemd's poolset-dir on target:
 *     PMEMPOOLSET
 *     8M /pmem/notes-remote.part
 * (8 MiB: libpmemobj's minimum pool size).  librpmem starts rpmemd on
 * target with "ssh user@target rpmemd" (RPMEM_SSH, RPMEM_CMD change
 * that).  If the local part is lost, pmempool_sync(3) (or
 * "pmempool sync notes.set") rebuilds it from the remote replica.
 *
 * build:  cc pmemobj_replica.c $(pkg-config --cflags --libs libpmemobj) \
 *             -o pmemobj_replica
 * run with this project's librpmem.so.1 where the dynamic linker finds it
 * (the librpmem1 package, or LD_LIBRARY_PATH naming its directory).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libpmemobj.h>

#define LAYOUT		"pmemobj_replica"
#define MAX_NOTES	64
#define NOTE_LEN	120

struct notes {
	uint64_t n;
	char note[MAX_NOTES][NOTE_LEN];
};

int
main(int argc, char *argv[])
{
	PMEMobjpool *pop;
	PMEMoid root;
	struct notes *rp;
	/* set in TX_ONABORT: volatile across the longjmp */
	volatile int ret = 0;

	if (argc != 3) {
		fprintf(stderr, "usage:\t%s <local pool set> <note>\n",
			argv[0]);
		return 1;
	}
	const char *set = argv[1];
	const char *note = argv[2];

	/* size 0: the sizes come from the pool set */
	pop = pmemobj_create(set, LAYOUT, 0, 0600);
	if (pop != NULL) {
		printf("created %s\n", set);
	} else if (errno == EEXIST) {
		pop = pmemobj_open(set, LAYOUT);
		if (pop == NULL) {
			fprintf(stderr, "pmemobj_open %s: %s\n", set,
				pmemobj_errormsg());
			return 1;
		}
		printf("opened %s\n", set);
	} else {
		fprintf(stderr, "pmemobj_create %s: %s\n", set,
			pmemobj_errormsg());
		return 1;
	}

	root = pmemobj_root(pop, sizeof(struct notes));
	rp = pmemobj_direct(root);
	if (rp == NULL) {
		fprintf(stderr, "pmemobj_root: %s\n", pmemobj_errormsg());
		pmemobj_close(pop);
		return 1;
	}

	/*
	 * one transaction: the count and the new note are both there after
	 * a crash, locally and on the replica, or neither is
	 */
	TX_BEGIN(pop) {
		if (rp->n == MAX_NOTES)
			pmemobj_tx_abort(ENOSPC);
		pmemobj_tx_add_range_direct(&rp->n, sizeof(rp->n));
		pmemobj_tx_add_range_direct(rp->note[rp->n], NOTE_LEN);
		snprintf(rp->note[rp->n], NOTE_LEN, "%s", note);
		rp->n++;
	} TX_ONABORT {
		fprintf(stderr, "transaction aborted: %s\n",
			pmemobj_errormsg());
		ret = 1;
	} TX_END

	for (uint64_t i = 0; i < rp->n; i++)
		printf("note %llu: %s\n", (unsigned long long)i + 1,
			rp->note[i]);

	pmemobj_close(pop);
	return ret;
}
