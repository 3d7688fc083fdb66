/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * multi_lane.c -- persist from several threads at once, one lane each
 *
 * usage: multi_lane <target> <pool set name> [threads]
 *
 * A lane is an independent connection to the remote pool: threads that use
 * different lanes share no lock and their persists proceed in parallel.
 * rpmem_create may grant fewer lanes than asked for; the program then runs
 * one thread per granted lane.  Each thread owns a slice of the pool,
 * writes it record by record and persists every record on its lane.  At
 * the end the whole data area is read back and checked, and the pool is
 * removed.  The pool-set file must describe at least POOL_SIZE (16 MiB).
 *
 * build:  cc -pthread multi_lane.c $(pkg-config --cflags --libs librpmem)
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librpmem.h>

#define POOL_SIZE	((size_t)(16 * 1024 * 1024))
#define DATA_OFF	((size_t)4096)	/* the remote pool header */
#define DATA_SIZE	(POOL_SIZE - DATA_OFF)
#define RECORD_SIZE	((size_t)4096)
#define MAX_THREADS	16

struct worker {
	pthread_t thread;
	RPMEMpool *rpp;
	unsigned char *pool;
	unsigned lane;
	size_t off;		/* the worker's slice of the pool */
	size_t len;
	int error;		/* an errno value, 0 on success */
	char errmsg[256];
};

/* the byte every worker stores at a pool offset */
static unsigned char
pattern(size_t off)
{
	return (unsigned char)((off / RECORD_SIZE) * 31 + off);
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	for (size_t done = 0; done < w->len; done += RECORD_SIZE) {
		size_t off = w->off + done;
		size_t len = w->len - done < RECORD_SIZE ?
			w->len - done : RECORD_SIZE;

		for (size_t i = 0; i < len; i++)
			w->pool[off + i] = pattern(off + i);

		/* this thread is the only user of its lane */
		if (rpmem_persist(w->rpp, off, len, w->lane)) {
			w->error = errno;
			/* rpmem_errormsg() is per thread */
			snprintf(w->errmsg, sizeof(w->errmsg), "%s",
				rpmem_errormsg());
			return NULL;
		}
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct rpmem_pool_attr attr;
	struct worker workers[MAX_THREADS];
	unsigned nthreads = 4, nlanes;
	unsigned char *pool, *back;
	RPMEMpool *rpp;
	int ret, failed = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage:\t%s <target> <poolset> [threads]\n",
			argv[0]);
		return 1;
	}
	const char *target = argv[1];
	const char *poolset = argv[2];
	if (argc == 4) {
		nthreads = (unsigned)strtoul(argv[3], NULL, 10);
		if (nthreads < 1 || nthreads > MAX_THREADS) {
			fprintf(stderr, "threads: 1 to %d\n", MAX_THREADS);
			return 1;
		}
	}

	if (rpmem_check_version(RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION)) {
		fprintf(stderr, "%s\n", rpmem_check_version(
			RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION));
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
	strncpy(attr.signature, "LANES", RPMEM_POOL_HDR_SIG_LEN);
	attr.major = 1;

	/* ask for one lane per thread: *nlanes returns what was granted */
	nlanes = nthreads;
	rpp = rpmem_create(target, poolset, pool, POOL_SIZE, &nlanes, &attr);
	if (!rpp) {
		fprintf(stderr, "rpmem_create: %s\n", rpmem_errormsg());
		return 1;
	}
	if (nlanes < nthreads) {
		printf("asked for %u lanes, got %u: using %u threads\n",
			nthreads, nlanes, nlanes);
		nthreads = nlanes;
	}

	/* split the data area into one record-aligned slice per thread */
	size_t records = DATA_SIZE / RECORD_SIZE;
	for (unsigned t = 0; t < nthreads; t++) {
		struct worker *w = &workers[t];
		size_t first = records * t / nthreads;
		size_t last = records * (t + 1) / nthreads;

		memset(w, 0, sizeof(*w));
		w->rpp = rpp;
		w->pool = pool;
		w->lane = t;
		w->off = DATA_OFF + first * RECORD_SIZE;
		w->len = (last - first) * RECORD_SIZE;
		ret = pthread_create(&w->thread, NULL, worker_run, w);
		if (ret) {
			fprintf(stderr, "pthread_create: %s\n", strerror(ret));
			return 1;
		}
	}
	for (unsigned t = 0; t < nthreads; t++) {
		pthread_join(workers[t].thread, NULL);
		if (workers[t].error) {
			fprintf(stderr, "lane %u: rpmem_persist: %s\n", t,
				workers[t].errmsg);
			failed = 1;
		}
	}
	if (failed)
		return 1;
	printf("%u threads persisted %zu bytes in %zu-byte records\n",
		nthreads, DATA_SIZE, RECORD_SIZE);

	/* read the whole data area back from the remote pool and check it */
	back = malloc(DATA_SIZE);
	if (back == NULL) {
		perror("malloc");
		return 1;
	}
	if (rpmem_read(rpp, back, DATA_OFF, DATA_SIZE, 0)) {
		fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
		return 1;
	}
	for (size_t i = 0; i < DATA_SIZE; i++) {
		if (back[i] != pattern(DATA_OFF + i)) {
			fprintf(stderr, "mismatch at pool offset %zu\n",
				DATA_OFF + i);
			return 1;
		}
	}
	printf("read back and verified\n");

	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		return 1;
	}
	if (rpmem_remove(target, poolset, 0)) {
		fprintf(stderr, "rpmem_remove: %s\n", rpmem_errormsg());
		return 1;
	}
	free(back);
	free(pool);
	return 0;
}
