/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj_test.c -- Debian's libpmemobj and libpmempool (PMDK 1.12) with a
 * remote replica: a local pool set with a "REPLICA root@TARGET x.set"
 * line makes them dlopen librpmem.so.1, which must be ours (the program
 * does not link it; LD_LIBRARY_PATH names the build's library directory),
 * and rpmemd is started by a real OpenSSH server (run under
 * test/rdma/with-sshd) through RPMEM_CMD.
 *
 *   replica  pmemobj_create makes the remote pool (its header holds the
 *            pool's attributes); transactions (TX_ADD, tx_alloc/zalloc,
 *            tx_free, an abort) reach the remote part file at the same
 *            offsets as in the local pool; pmemobj_open sees them;
 *            pmempool_check refuses the set (as in PMDK); pmempool_sync
 *            rebuilds a deleted, then a zeroed, local part from the
 *            remote one; pmempool_rm removes the parts, with the
 *            POOLSET flags the set files too
 *   kill     a child looping transactions is SIGKILLed at a random point:
 *            reopen recovers a whole transaction (never a torn one, never
 *            less than acknowledged), and so does a pool rebuilt from the
 *            remote replica by pmempool_sync
 *   classic  the remote set's part lives outside rpmemd's poolset-dir
 *            (sets in one directory, parts in another, as PMDK's rpmemd
 *            allows)
 *   devdax   the remote part is device DAX (RPMEM_TEST_DEVDAX; skipped
 *            without it)
 *   example  docs/examples/pmemobj_replica (--example PROG), run as a user
 *            would: its note reaches the remote part, survives a rebuild
 *
 * Data: every object of a transaction of generation g is rewritten with
 * bytes that only (g, k, size) determine, the root's gen_a first and gen_b
 * last, so a torn transaction shows as gen_a != gen_b or as objects of
 * two generations, and every byte can be checked against what was
 * written; the heap must hold exactly the root's objects (a rolled-back
 * allocation freed).  In the remote part: the pool's metadata and every
 * object at its local offset (meta_equal, remote_holds).
 *
 * usage: obj_test --rpmemd RPMEMD --librpmem LIBRPMEM [--example PROG]
 *                 [--only NAME,...]
 * Prints "ok N - what" / "not ok N - what: detail"; exits 1 on a failure,
 * 77 when every test asked for was skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>
#include <libpmempool.h>

#include "rig.h"
#include "tap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)
#define SKIP 77
#define POOL_SIZE (8 * MiB)	/* PMEMOBJ_MIN_POOL */
#define LAYOUT "obj_test"
#define NOBJ 8			/* objects, all rewritten by every tx */
#define NGEN 5			/* transactions of the replica test */
#define REC_TYPE 1
#define OPEN_WAIT_MS 30000	/* a killed client's rpmemd lets go */
#define CHILD_MAX_MS 120000	/* the child gives up if never killed */
#define MIN_ACKS 3		/* acknowledged before the kill */

/*
 * PMDK's on-media layout (libpmemobj format 6): the pool header in the
 * first 4 KiB, then the pool descriptor whose first 2 KiB are checksummed
 * and five more fields are persistent (root_offset, run_id, root_size,
 * conversion_flags, heap_size); after them run-time state that is never
 * persisted, up to lanes_offset
 */
#define PHDR_MAJOR 8
#define PHDR_POOLSET_UUID 24
#define PHDR_UUID 40
#define PHDR_PREV_REPL_UUID 88
#define PHDR_NEXT_REPL_UUID 104
#define DSC_OFF 4096
#define DSC_LANES_OFFSET (DSC_OFF + 1024)
#define DSC_HEAP_OFFSET (DSC_OFF + 1024 + 16)
#define DSC_PERSISTENT_END (DSC_OFF + 2048 + 5 * 8)

/*
 * ... and its heap: a 1 KiB heap header, then zone 0: a 64-byte zone
 * header, MAX_CHUNK 8-byte chunk headers ({u16 type, u16 flags, u32
 * size_idx}: the first header of a block of size_idx chunks), the 256 KiB
 * chunks.  The local pool holds bytes that libpmemobj writes but never
 * persists, so they never reach a replica: the descriptor's run-time
 * tail, a block's last chunk header (its footer: "footers are recreated
 * in heap_populate_buckets", heap.c), free heap space (what an aborted
 * transaction wrote into its allocation, run-time state); and the headers
 * inside a block mean nothing (a device DAX part keeps whatever an
 * earlier user left there).  So the replicas are compared where
 * libpmemobj persists: the descriptor, the heap and zone headers, the
 * first chunk header of every block, and every live object
 */
#define HEAP_HDR_SIZE 1024
#define ZONE_HDR_SIZE 64
#define MAX_CHUNK (UINT16_MAX - 7)
#define CHUNK_SIZE (256 * KiB)

/* rpmemd's header (rpmemd/pool_hdr.h): rpmem_pool_attr at 48 */
#define RHDR_SIGNATURE 48
#define RHDR_MAJOR 56
#define RHDR_POOLSET_UUID 72
#define RHDR_UUID 88
#define RHDR_NEXT_UUID 104
#define RHDR_PREV_UUID 120

/* one object: gen, k and size say what the payload must be */
struct rec {
	uint64_t gen;
	uint64_t k;
	uint64_t size;		/* of payload */
	uint64_t sum;		/* rec_sum() */
	uint8_t payload[];
};

struct root {
	uint64_t gen_a;		/* the first store of a transaction */
	PMEMoid obj[NOBJ];
	uint64_t gen_b;		/* the last one */
};

/* what a run saw of a pool: enough to find its bytes in a part file */
struct snap {
	uint64_t gen;
	PMEMoid root;
	struct root r;
};

static const char *Target;
static const char *Librpmem;	/* --librpmem: the library to be loaded */
static const char *Example;	/* --example: the pmemobj_replica example */
static struct rig Rig;
static char Local[PATH_MAX];	/* client side: local sets and parts */
static char Pools[PATH_MAX];	/* parts outside the poolset-dir */
static uint64_t Seed;

/* ------------------------------------------------------------------ */
/* the data */

/* rec_size -- payload bytes of object k when generation g allocates it */
static size_t
rec_size(uint64_t g, unsigned k)
{
	return 64 + (size_t)(mix(g * NOBJ + k) % 15) * 64;
}

/*
 * size_at -- the payload size of object k at generation g: gen 1
 * allocates every object, gen g >= 2 replaces object g % NOBJ
 */
static size_t
size_at(uint64_t g, unsigned k)
{
	uint64_t last = 1;

	for (uint64_t i = 2; i <= g; i++)
		if (i % NOBJ == k)
			last = i;
	return rec_size(last, k);
}

/* rec_fill -- the bytes of object k at generation g, size payload bytes */
static void
rec_fill(struct rec *o, uint64_t g, unsigned k, size_t size)
{
	uint64_t st = mix(g ^ mix(k + 1)) | 1;

	o->gen = g;
	o->k = k;
	o->size = size;
	fill(o->payload, size, &st);
	o->sum = mix(g ^ mix(k ^ mix(size)));
}

/* rec_want -- a malloc'ed copy of what object k must hold at gen g */
static struct rec *
rec_want(uint64_t g, unsigned k)
{
	size_t size = size_at(g, k);
	struct rec *o = malloc(sizeof(*o) + size);

	if (o == NULL) {
		perror("malloc");
		exit(1);
	}
	rec_fill(o, g, k, size);
	return o;
}

/*
 * tx_gen -- one transaction of generation g: gen_a, then every object
 * (object g % NOBJ freed and allocated anew, alternately with tx_alloc and
 * tx_zalloc; the others TX_ADDed and rewritten), then gen_b; with
 * abort_it it ends in pmemobj_tx_abort.  Returns 0 when it committed.
 */
static int
tx_gen(PMEMobjpool *pop, uint64_t g, int abort_it)
{
	PMEMoid root = pmemobj_root(pop, sizeof(struct root));
	struct root *r = pmemobj_direct(root);
	/* set in TX_ONCOMMIT: volatile across the longjmp */
	volatile int ret = -1;

	if (r == NULL)
		return -1;
	TX_BEGIN(pop) {
		pmemobj_tx_add_range(root, 0, sizeof(*r));
		r->gen_a = g;
		for (unsigned k = 0; k < NOBJ; k++) {
			size_t size = size_at(g, k);
			struct rec *o;

			if (g == 1 || g % NOBJ == k) {
				if (!OID_IS_NULL(r->obj[k]))
					pmemobj_tx_free(r->obj[k]);
				r->obj[k] = (g & 1) ?
					pmemobj_tx_zalloc(sizeof(*o) + size,
						REC_TYPE) :
					pmemobj_tx_alloc(sizeof(*o) + size,
						REC_TYPE);
			} else {
				pmemobj_tx_add_range(r->obj[k], 0,
					sizeof(*o) + size);
			}
			o = pmemobj_direct(r->obj[k]);
			rec_fill(o, g, k, size);
		}
		r->gen_b = g;
		if (abort_it)
			pmemobj_tx_abort(ECANCELED);
	} TX_ONCOMMIT {
		ret = 0;
	} TX_END
	return ret;
}

/*
 * allocs_match -- the heap holds exactly the root's NOBJ record objects:
 * a rolled-back allocation was freed, a committed free is gone
 */
static int
allocs_match(PMEMobjpool *pop, const struct root *r)
{
	unsigned n = 0, stray = 0;

	for (PMEMoid o = pmemobj_first(pop); !OID_IS_NULL(o);
			o = pmemobj_next(o)) {
		unsigned k = 0;

		if (pmemobj_type_num(o) != REC_TYPE)
			continue;
		n++;
		while (k < NOBJ && !OID_EQUALS(o, r->obj[k]))
			k++;
		stray += k == NOBJ;
	}
	if (n != NOBJ || stray)
		detail("%u record objects allocated, %u not in the root (want "
			"%u, 0)", n, stray, NOBJ);
	return n == NOBJ && stray == 0;
}

/*
 * verify -- the pool holds one whole generation, byte for byte: gen_a ==
 * gen_b == g, want_lo <= g <= want_hi, every object of gen g with its
 * size and bytes, no other allocation; fills *s (for the part file
 * checks)
 */
static int
verify(PMEMobjpool *pop, uint64_t want_lo, uint64_t want_hi, struct snap *s)
{
	PMEMoid root = pmemobj_root(pop, sizeof(struct root));
	struct root *r = pmemobj_direct(root);
	uint64_t g;

	if (r == NULL) {
		detail("no root object: %s", pmemobj_errormsg());
		return 0;
	}
	s->root = root;
	s->r = *r;
	s->gen = g = r->gen_a;
	if (r->gen_a != r->gen_b) {
		detail("torn: gen_a %llu, gen_b %llu",
			(unsigned long long)r->gen_a,
			(unsigned long long)r->gen_b);
		return 0;
	}
	if (g < want_lo || g > want_hi) {
		detail("generation %llu, want %llu..%llu",
			(unsigned long long)g, (unsigned long long)want_lo,
			(unsigned long long)want_hi);
		return 0;
	}
	for (unsigned k = 0; k < NOBJ; k++) {
		struct rec *want = rec_want(g, k);
		size_t n = sizeof(*want) + want->size;
		const struct rec *o = pmemobj_direct(r->obj[k]);
		int ok = o != NULL && pmemobj_alloc_usable_size(r->obj[k]) >= n
			&& same((const uint8_t *)o, (const uint8_t *)want, n,
				0);

		if (o == NULL) {
			detail("object %u is NULL", k);
		} else if (!ok && Detail[0] == '\0') {
			detail("object %u: %zu usable bytes, want %zu", k,
				pmemobj_alloc_usable_size(r->obj[k]), n);
		} else if (!ok) {
			char why[sizeof(Detail)];

			snprintf(why, sizeof(why), "%s", Detail);
			detail("object %u (gen %llu in it, %llu in the root): "
				"%.400s", k, (unsigned long long)o->gen,
				(unsigned long long)g, why);
		}
		free(want);
		if (!ok)
			return 0;
	}
	return allocs_match(pop, r);
}

/* ------------------------------------------------------------------ */
/* files */

/* devdax -- is path a character device (device DAX) */
static int
devdax(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

/*
 * part_read -- n bytes at off of a remote or local part: pread for a
 * file, a mapping for device DAX (which has no read(2)); -1 with Detail
 */
static int
part_read(const char *path, size_t off, void *buf, size_t n)
{
	size_t align = 2 * MiB;
	size_t base = off / align * align;
	size_t len = (off + n - base + align - 1) / align * align;
	uint8_t *m;
	int fd;

	if (!devdax(path))
		return read_part(path, off, buf, n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		detail("open %s: %s", path, strerror(errno));
		return -1;
	}
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)base);
	close(fd);
	if (m == MAP_FAILED) {
		detail("mmap %s: %s", path, strerror(errno));
		return -1;
	}
	memcpy(buf, m + (off - base), n);
	munmap(m, len);
	return 0;
}

/* file_sum -- a hash of a part's first n bytes (0: unreadable) */
static uint64_t
file_sum(const char *path, size_t n)
{
	uint8_t *buf = malloc(n);
	uint64_t h = 0;

	if (buf != NULL && part_read(path, 0, buf, n) == 0) {
		h = 0x6a09e667f3bcc908ull;
		for (size_t i = 0; i + 8 <= n; i += 8) {
			uint64_t v;

			memcpy(&v, buf + i, 8);
			h = mix(h ^ v);
		}
	}
	free(buf);
	return h;
}

/*
 * remote_holds -- the remote part holds s's generation where the local
 * pool has it: the root object and every object at their pool offsets
 */
static int
remote_holds(const char *part, const struct snap *s)
{
	struct root r;

	if (part_read(part, s->root.off, &r, sizeof(r)))
		return 0;
	if (!same((const uint8_t *)&r, (const uint8_t *)&s->r, sizeof(r),
			s->root.off))
		return 0;
	for (unsigned k = 0; k < NOBJ; k++) {
		struct rec *want = rec_want(s->gen, k);
		size_t n = sizeof(*want) + want->size;
		uint8_t *got = malloc(n);
		int ok = got != NULL &&
			part_read(part, s->r.obj[k].off, got, n) == 0 &&
			same(got, (const uint8_t *)want, n, s->r.obj[k].off);

		free(got);
		free(want);
		if (!ok)
			return 0;
	}
	return 1;
}

/* diff_ranges -- where l and r differ in [from, to), as "# " lines */
static void
diff_ranges(const uint8_t *l, const uint8_t *r, size_t from, size_t to)
{
	int shown = 0;

	for (size_t o = from; o < to && shown < 16; o++) {
		size_t e = o;

		if (l[o] == r[o])
			continue;
		while (e < to && l[e] != r[e])
			e++;
		printf("# differ: [%#zx, %#zx) local", o, e);
		for (size_t i = o; i < e && i < o + 16; i++)
			printf(" %02x", l[i]);
		printf(", remote");
		for (size_t i = o; i < e && i < o + 16; i++)
			printf(" %02x", r[i]);
		printf("\n");
		shown++;
		o = e;
	}
}

/* range_equal -- [o, o + n) of l and r, Detail and the diffs if not */
static int
range_equal(const uint8_t *l, const uint8_t *r, size_t o, size_t n,
		const char *what)
{
	long d = diff(r + o, l + o, n);

	if (d < 0)
		return 1;
	detail("%s: byte at offset %zu is 0x%02x in the remote part, 0x%02x "
		"in the local one", what, o + (size_t)d, r[o + (size_t)d],
		l[o + (size_t)d]);
	diff_ranges(l, r, o, o + n);
	return 0;
}

/*
 * meta_equal -- the remote part holds the local pool's persistent
 * metadata at the same offsets: the descriptor, the heap header, zone 0's
 * header, the first chunk header of each block, walked as libpmemobj
 * does (the objects: remote_holds)
 */
static int
meta_equal(const char *local, const char *remote, size_t pool_size)
{
	uint8_t *l = malloc(pool_size), *r = malloc(pool_size);
	uint64_t heap = 0;
	uint32_t zone_chunks;
	size_t hdrs, nchunks;
	int ok = 0;

	if (l == NULL || r == NULL) {
		detail("malloc %zu", pool_size);
		goto free_bufs;
	}
	if (read_part(local, 0, l, pool_size) ||
	    part_read(remote, 0, r, pool_size))
		goto free_bufs;
	memcpy(&heap, l + DSC_HEAP_OFFSET, sizeof(heap));
	hdrs = heap + HEAP_HDR_SIZE + ZONE_HDR_SIZE;
	if (heap < DSC_PERSISTENT_END || hdrs + (size_t)MAX_CHUNK * 8 >=
			pool_size) {
		detail("heap_offset %llu in %s", (unsigned long long)heap,
			local);
		goto free_bufs;
	}
	/* zone 0's header: u32 magic, u32 size_idx (its chunks) */
	memcpy(&zone_chunks, l + heap + HEAP_HDR_SIZE + 4,
		sizeof(zone_chunks));
	nchunks = zone_chunks;
	if (nchunks == 0 || nchunks > (pool_size - hdrs -
			(size_t)MAX_CHUNK * 8) / CHUNK_SIZE) {
		detail("zone 0 of %s: %zu chunks", local, nchunks);
		goto free_bufs;
	}
	if (!range_equal(l, r, DSC_OFF, DSC_PERSISTENT_END - DSC_OFF,
			"descriptor") ||
	    !range_equal(l, r, heap, hdrs - heap, "heap and zone header"))
		goto free_bufs;
	for (size_t i = 0; i < nchunks; ) {
		uint32_t size_idx;

		if (!range_equal(l, r, hdrs + i * 8, 8, "chunk header"))
			goto free_bufs;
		memcpy(&size_idx, l + hdrs + i * 8 + 4, sizeof(size_idx));
		if (size_idx == 0 || size_idx > nchunks - i) {
			detail("chunk header %zu: a block of %u chunks in a "
				"zone of %zu", i, size_idx, nchunks);
			goto free_bufs;
		}
		i += size_idx;
	}
	ok = 1;
free_bufs:
	free(l);
	free(r);
	return ok;
}

/*
 * header_linked -- rpmemd's header of the remote part holds the pool's
 * attributes as libpmemobj passed them: PMDK's signature and major, the
 * local pool's poolset uuid, the remote replica's uuid (the local one's
 * next replica) and the local replica as its neighbours
 */
static int
header_linked(const char *local, const char *remote)
{
	uint8_t l[4096], r[4096];

	if (read_part(local, 0, l, sizeof(l)) ||
	    part_read(remote, 0, r, sizeof(r)))
		return 0;
	if (memcmp(r, "RPMEMPL", 8) != 0) {
		detail("no rpmemd header magic in %s", remote);
		return 0;
	}
	if (memcmp(r + RHDR_SIGNATURE, "PMEMOBJ", 8) != 0) {
		detail("signature '%.8s' in %s", r + RHDR_SIGNATURE, remote);
		return 0;
	}
	return same(r + RHDR_MAJOR, l + PHDR_MAJOR, 4, RHDR_MAJOR) &&
		same(r + RHDR_POOLSET_UUID, l + PHDR_POOLSET_UUID, 16,
			RHDR_POOLSET_UUID) &&
		same(r + RHDR_UUID, l + PHDR_NEXT_REPL_UUID, 16, RHDR_UUID) &&
		same(r + RHDR_NEXT_UUID, l + PHDR_UUID, 16, RHDR_NEXT_UUID) &&
		same(r + RHDR_PREV_UUID, l + PHDR_UUID, 16, RHDR_PREV_UUID);
}

/* zero_file -- overwrite a whole file with zeros (same size) */
static int
zero_file(const char *path)
{
	static const uint8_t zero[64 * 1024];
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && fstat(fd, &st) == 0;

	for (off_t o = 0; ok && o < st.st_size; o += (off_t)sizeof(zero))
		ok = pwrite(fd, zero, sizeof(zero), o) == (ssize_t)sizeof(zero);
	if (fd >= 0)
		close(fd);
	if (!ok)
		detail("zeroing %s: %s", path, strerror(errno));
	return ok;
}

/* file_size -- st_size, or -1 */
static long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* ------------------------------------------------------------------ */
/* the library actually loaded */

struct lib_found {
	int n;
	char path[PATH_MAX];
};

/* lib_cb -- dl_iterate_phdr: every loaded librpmem.so* */
static int
lib_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct lib_found *f = arg;
	const char *base = strrchr(info->dlpi_name, '/');

	(void) size;
	base = base != NULL ? base + 1 : info->dlpi_name;
	if (strncmp(base, "librpmem.so", 11) == 0) {
		f->n++;
		snprintf(f->path, sizeof(f->path), "%s", info->dlpi_name);
	}
	return 0;
}

/*
 * ours_loaded -- exactly one librpmem is mapped and it is --librpmem
 * (loaded: want 1; else none may be: nothing but libpmemobj loads it)
 */
static int
ours_loaded(int loaded)
{
	struct lib_found f;
	char a[PATH_MAX], b[PATH_MAX];

	memset(&f, 0, sizeof(f));
	dl_iterate_phdr(lib_cb, &f);
	if (!loaded) {
		if (f.n != 0)
			detail("%s is loaded already", f.path);
		return f.n == 0;
	}
	if (f.n != 1) {
		detail("%d librpmem objects loaded (last: '%s')", f.n, f.path);
		return 0;
	}
	if (realpath(f.path, a) == NULL || realpath(Librpmem, b) == NULL ||
	    strcmp(a, b) != 0) {
		detail("the loaded librpmem is %s, not %s", f.path, Librpmem);
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* pools */

/*
 * make_sets -- a remote set NAME in the poolset-dir whose part is in
 * partdir (NULL: the poolset-dir; a path to a device: that device) and
 * the local set NAME in Local with a REPLICA line naming it
 */
static void
make_sets(struct rig_set *remote, struct rig_set *local, const char *name,
		const char *partdir)
{
	size_t sz = POOL_SIZE;

	if (partdir != NULL && devdax(partdir)) {
		rig_set_init(remote, Rig.sets, name, NULL, RIG_HDRS, 1,
			(size_t[]){0});
		snprintf(remote->part[0], sizeof(remote->part[0]), "%s",
			partdir);
	} else {
		rig_set_init(remote, Rig.sets, name, partdir, RIG_HDRS, 1,
			&sz);
	}
	rig_set_write(remote);
	rig_set_init(local, Local, name, NULL, RIG_HDRS, 1, &sz);
	snprintf(local->replica, sizeof(local->replica), "root@%s %s", Target,
		name);
	rig_set_write(local);
}

/*
 * drop_sets -- what a test left of its sets and parts (a device DAX part
 * stays: the device)
 */
static void
drop_sets(const struct rig_set *local, const struct rig_set *remote)
{
	unlink(local->path);
	unlink(local->part[0]);
	unlink(remote->path);
	if (!devdax(remote->part[0]))
		unlink(remote->part[0]);
}

/* rm_sets -- pmempool_rm of the parts and both set files (Detail: why not) */
static void
rm_sets(const struct rig_set *local)
{
	if (pmempool_rm(local->path, PMEMPOOL_RM_POOLSET_LOCAL |
			PMEMPOOL_RM_POOLSET_REMOTE) != 0)
		detail("pmempool_rm: %s", pmempool_errormsg());
}

/*
 * open_retry -- pmemobj_open, again while it fails for up to ms (a killed
 * client's rpmemd still holds the remote pool for a moment)
 */
static PMEMobjpool *
open_retry(const char *path, double ms)
{
	double t0 = now_ms();
	PMEMobjpool *pop;

	while ((pop = pmemobj_open(path, LAYOUT)) == NULL &&
			now_ms() - t0 < ms)
		usleep(500 * 1000);
	return pop;
}

/*
 * gens -- transactions from..to on pop, the result checked in place (and
 * left in *s); the name says which test
 */
static int
gens(PMEMobjpool *pop, uint64_t from, uint64_t to, const char *name,
		struct snap *s)
{
	int ok = 1;

	for (uint64_t g = from; g <= to && ok; g++)
		ok = tx_gen(pop, g, 0) == 0;
	if (!ok)
		detail("transaction failed: %s", pmemobj_errormsg());
	return expect(ok && verify(pop, to, to, s), "%s: transactions "
		"%llu..%llu (TX_ADD, tx_alloc/zalloc, tx_free) committed",
		name, (unsigned long long)from, (unsigned long long)to);
}

/*
 * reopen_check -- pmemobj_open sees generation g byte for byte; with
 * add, one more transaction (g + 1) in that session; after pmemobj_close
 * the remote part holds the newest generation too
 */
static void
reopen_check(const struct rig_set *local, const struct rig_set *remote,
		uint64_t g, int add, const char *name, const char *when)
{
	PMEMobjpool *pop = pmemobj_open(local->path, LAYOUT);
	struct snap s;

	if (!expect(pop != NULL, "%s: pmemobj_open %s", name, when))
		return;
	expect(verify(pop, g, g, &s), "%s: every object of generation %llu "
		"reads back %s", name, (unsigned long long)g, when);
	if (add)
		gens(pop, g + 1, g + 1, name, &s);
	pmemobj_close(pop);
	expect(remote_holds(remote->part[0], &s), "%s: the remote part holds "
		"generation %llu at the local offsets", name,
		(unsigned long long)s.gen);
}

/*
 * create_cycle -- the life of a replicated pool: create, transactions
 * 1..NGEN, close, the remote bytes, reopen, transaction NGEN + 1, close
 */
static int
create_cycle(const struct rig_set *local, const struct rig_set *remote,
		const char *name, struct snap *s)
{
	PMEMobjpool *pop;
	int ok, aborted;

	pop = pmemobj_create(local->path, LAYOUT, 0, 0600);
	if (!expect(pop != NULL, "%s: pmemobj_create with a REPLICA line",
			name))
		return 0;
	expect(ours_loaded(1), "%s: libpmemobj loaded our librpmem.so.1",
		name);
	ok = gens(pop, 1, NGEN, name, s);
	/* an aborted transaction leaves no trace, locally or remotely */
	aborted = tx_gen(pop, NGEN + 1, 1) != 0;
	if (!aborted)
		detail("transaction %d committed", NGEN + 1);
	expect(aborted && verify(pop, NGEN, NGEN, s), "%s: an aborted "
		"transaction is rolled back", name);
	pmemobj_close(pop);
	expect(header_linked(local->part[0], remote->part[0]), "%s: the "
		"remote header holds the pool's attributes", name);
	expect(ok && remote_holds(remote->part[0], s), "%s: the remote part "
		"holds every object at its local offset", name);
	if (!devdax(remote->part[0]))
		expect(file_size(remote->part[0]) == (long long)POOL_SIZE,
			"%s: the remote part is %zu bytes", name, POOL_SIZE);
	expect(meta_equal(local->part[0], remote->part[0], POOL_SIZE),
		"%s: the remote part holds the pool's metadata (descriptor, "
		"heap and chunk headers)", name);
	reopen_check(local, remote, NGEN, 1, name, "after pmemobj_close");
	return ok;
}

/* ------------------------------------------------------------------ */
/* the tests */

/*
 * check_refused -- does pmempool_check_init refuse the set (1; its
 * message in msg), accept it (0) or could it not be asked (-1).  In a
 * child process: libpmempool 1.12.1 leaks the parsed set when it refuses
 * one with a remote replica (any librpmem, any daemon: a ten-line program
 * shows it), which LeakSanitizer would blame on this test at exit; the
 * child _exit()s, the parent stays under LeakSanitizer's watch.  The
 * child makes no RDMA call (the refusal comes before any).
 */
static int
check_refused(const char *set, char *msg, size_t len)
{
	int fds[2], st = 0;
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (pipe(fds))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct pmempool_check_args args;
		PMEMpoolcheck *ppc;
		const char *m;

		close(fds[0]);
		memset(&args, 0, sizeof(args));
		args.path = set;
		args.pool_type = PMEMPOOL_POOL_TYPE_DETECT;
		args.flags = PMEMPOOL_CHECK_FORMAT_STR;
		ppc = pmempool_check_init(&args, sizeof(args));
		m = pmempool_errormsg();
		if (write(fds[1], m, strlen(m)) < 0)
			_exit(2);
		if (ppc != NULL)
			(void) pmempool_check_end(ppc);
		_exit(ppc == NULL ? 1 : 0);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], msg, len - 1) : -1;
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st);
}

/* t_replica -- create, transactions, check, sync, rm */
static void
t_replica(void)
{
	struct rig_set remote, local;
	char msg[512];
	uint64_t lsum, rsum;
	PMEMobjpool *pop;
	struct snap s;
	int rm, refused;

	make_sets(&remote, &local, "obj.set", NULL);
	expect(ours_loaded(0), "replica: no librpmem loaded before "
		"libpmemobj needs one");
	if (!create_cycle(&local, &remote, "replica", &s))
		goto drop;

	/* PMDK's check does not take sets with remote replicas */
	lsum = file_sum(local.part[0], POOL_SIZE);
	rsum = file_sum(remote.part[0], POOL_SIZE);
	refused = check_refused(local.path, msg, sizeof(msg));
	if (refused == 0)
		detail("pmempool_check_init accepted the set");
	else if (refused > 0 && strstr(msg, "remote replicas are not "
			"supported") == NULL)
		detail("message '%s'", msg);
	expect(refused > 0 && strstr(msg, "remote replicas are not "
		"supported") != NULL, "replica: pmempool_check_init refuses "
		"the set (remote replicas are not supported)");
	expect(lsum != 0 && lsum == file_sum(local.part[0], POOL_SIZE) &&
		rsum != 0 && rsum == file_sum(remote.part[0], POOL_SIZE),
		"replica: ... and changes no byte of either part");

	/* a deleted local part, rebuilt from the remote replica */
	expect(unlink(local.part[0]) == 0, "replica: local part deleted");
	if (pmempool_sync(local.path, 0) != 0)
		detail("pmempool_sync: %s", pmempool_errormsg());
	else if (file_size(local.part[0]) != (long long)POOL_SIZE)
		detail("local part: %lld bytes", file_size(local.part[0]));
	expect(file_size(local.part[0]) == (long long)POOL_SIZE,
		"replica: pmempool_sync rebuilds the deleted local part");
	expect(meta_equal(local.part[0], remote.part[0], POOL_SIZE),
		"replica: the rebuilt part has the remote one's metadata");
	reopen_check(&local, &remote, NGEN + 1, 0, "replica", "from the "
		"rebuilt part");

	/* a zeroed local part: unusable until synced */
	expect(zero_file(local.part[0]), "replica: local part zeroed");
	pop = pmemobj_open(local.path, LAYOUT);
	expect(pop == NULL, "replica: pmemobj_open refuses the zeroed part "
		"(%s)", pop == NULL ? pmemobj_errormsg() : "opened");
	if (pop != NULL)
		pmemobj_close(pop);
	if (pmempool_sync(local.path, 0) != 0)
		detail("pmempool_sync: %s", pmempool_errormsg());
	expect(meta_equal(local.part[0], remote.part[0], POOL_SIZE),
		"replica: pmempool_sync rebuilds the zeroed part (its "
		"metadata from the remote one)");
	reopen_check(&local, &remote, NGEN + 1, 0, "replica", "from the part "
		"rebuilt after zeroing");

	/* pmempool_rm: the parts; the sets only with the POOLSET flags */
	if (pmempool_rm(local.path, 0) != 0)
		detail("pmempool_rm: %s", pmempool_errormsg());
	expect(!rig_exists(local.part[0]) && !rig_exists(remote.part[0]) &&
		rig_exists(local.path) && rig_exists(remote.path),
		"replica: pmempool_rm(0) removes both parts, keeps both sets");
	rm = pmempool_rm(local.path, 0);
	expect(rm != 0, "replica: pmempool_rm of removed parts fails (%s)",
		rm != 0 ? pmempool_errormsg() : "it succeeded");
	expect(pmempool_rm(local.path, PMEMPOOL_RM_FORCE) == 0 &&
		rig_exists(local.path) && rig_exists(remote.path),
		"replica: ... and succeeds with PMEMPOOL_RM_FORCE");
drop:
	drop_sets(&local, &remote);
}

/* child_loop -- the killed client: transactions until SIGKILLed */
static int
child_loop(const char *set, int ack)
{
	PMEMobjpool *pop = pmemobj_open(set, LAYOUT);
	PMEMoid root;
	uint64_t g;
	double t0 = now_ms();

	/* not for ssh: the parent reads the acks until we are gone */
	fcntl(ack, F_SETFD, FD_CLOEXEC);
	if (pop == NULL) {
		printf("# child: pmemobj_open: %s\n", pmemobj_errormsg());
		return 1;
	}
	root = pmemobj_root(pop, sizeof(struct root));
	g = ((struct root *)pmemobj_direct(root))->gen_b;
	while (now_ms() - t0 < CHILD_MAX_MS) {
		if (tx_gen(pop, ++g, 0)) {
			printf("# child: transaction %llu: %s\n",
				(unsigned long long)g, pmemobj_errormsg());
			return 1;
		}
		/* acknowledged: pmemobj's commit returned */
		if (write(ack, &g, sizeof(g)) != (ssize_t)sizeof(g))
			return 1;
	}
	printf("# child: not killed within %d ms\n", CHILD_MAX_MS);
	return 1;
}

/*
 * read_acks -- acknowledged generations from the child, the newest into
 * *last: n of them, or (n 0) all until the end of the pipe (the child is
 * dead); at most ms
 */
static int
read_acks(int fd, int n, double ms, uint64_t *last, double *t_first,
		double *t_last)
{
	double t0 = now_ms();
	int got = 0;

	while ((n == 0 || got < n) && now_ms() - t0 < ms) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t g;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read(fd, &g, sizeof(g)) != (ssize_t)sizeof(g))
			break;	/* end of file: the child is gone */
		*last = g;
		if (got++ == 0 && t_first != NULL)
			*t_first = now_ms();
		if (t_last != NULL)
			*t_last = now_ms();
	}
	return got;
}

/* t_kill -- SIGKILL mid-transaction: recovery, locally and rebuilt */
static void
t_kill(void)
{
	struct rig_set remote, local;
	PMEMobjpool *pop;
	struct snap s;
	uint64_t acked = 0;
	double t_first = 0, t_last = 0, per_tx, delay;
	char fdarg[16];
	int fds[2], st = 0, n;
	pid_t pid;

	make_sets(&remote, &local, "kill.set", NULL);
	pop = pmemobj_create(local.path, LAYOUT, 0, 0600);
	if (!expect(pop != NULL, "kill: pmemobj_create"))
		goto drop;
	gens(pop, 1, 1, "kill", &s);
	pmemobj_close(pop);

	/*
	 * a fresh process (exec): a fork()ed copy of a process that used
	 * rdma_cm cannot use RDMA itself
	 */
	if (pipe(fds)) {
		perror("pipe");
		exit(1);
	}
	snprintf(fdarg, sizeof(fdarg), "%d", fds[1]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		execl("/proc/self/exe", "obj_test", "--rpmemd", Rig.k.rpmemd,
			"--librpmem", Librpmem, "--child-loop", local.path,
			"--ack-fd", fdarg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (!expect(pid > 0, "kill: child started")) {
		close(fds[0]);
		goto drop;
	}
	n = read_acks(fds[0], MIN_ACKS, 60000, &acked, &t_first, &t_last);
	if (n < MIN_ACKS)
		detail("%d transactions acknowledged", n);
	if (!expect(n >= MIN_ACKS, "kill: the child commits transactions")) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		close(fds[0]);
		goto drop;
	}
	/* a random point within the next two transactions */
	per_tx = (t_last - t_first) / (n - 1);
	delay = (double)(rnd(&Seed) % 1000) / 1000 * 2 * per_tx;
	usleep((useconds_t)(delay * 1000));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	/* the acks written before the kill: the newest counts */
	read_acks(fds[0], 0, 5000, &acked, NULL, NULL);
	close(fds[0]);
	expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kill: the child "
		"SIGKILLed %.1f ms after its ack number %d (%.1f ms per "
		"transaction), the last ack for transaction %llu", delay,
		MIN_ACKS, per_tx, (unsigned long long)acked);

	/* recovery on the local pool: acked, or the next one, whole */
	pop = open_retry(local.path, OPEN_WAIT_MS);
	if (!expect(pop != NULL, "kill: pmemobj_open after the kill"))
		goto drop;
	expect(verify(pop, acked, acked + 1, &s), "kill: recovered to a whole "
		"transaction, none acknowledged lost");
	printf("# kill: reopened at generation %llu (%s)\n",
		(unsigned long long)s.gen, s.gen == acked ?
		"the one in flight rolled back or never begun" :
		"the one in flight complete");
	pmemobj_close(pop);
	expect(remote_holds(remote.part[0], &s) &&
		meta_equal(local.part[0], remote.part[0], POOL_SIZE),
		"kill: the remote replica holds the recovered pool");

	/* the same from a pool rebuilt from the remote replica */
	unlink(local.part[0]);
	if (pmempool_sync(local.path, 0) != 0)
		detail("pmempool_sync: %s", pmempool_errormsg());
	expect(file_size(local.part[0]) == (long long)POOL_SIZE,
		"kill: pmempool_sync rebuilds the local part");
	pop = pmemobj_open(local.path, LAYOUT);
	if (expect(pop != NULL, "kill: pmemobj_open of the rebuilt pool")) {
		expect(verify(pop, acked, acked + 1, &s), "kill: the rebuilt "
			"pool holds a whole transaction too");
		pmemobj_close(pop);
	}
	rm_sets(&local);
	expect(!rig_exists(remote.part[0]) && !rig_exists(local.part[0]) &&
		!rig_exists(remote.path) && !rig_exists(local.path),
		"kill: pmempool_rm(POOLSET_LOCAL | POOLSET_REMOTE) removes "
		"the parts and the sets");
drop:
	drop_sets(&local, &remote);
}

/*
 * t_classic -- the classic target layout: the remote set in the
 * poolset-dir, its part (an absolute path) in another directory
 */
static void
t_classic(void)
{
	struct rig_set remote, local;
	struct snap s;

	make_sets(&remote, &local, "classic.set", Pools);
	if (create_cycle(&local, &remote, "classic", &s)) {
		rm_sets(&local);
		expect(!rig_exists(remote.part[0]) &&
			!rig_exists(remote.path) && !rig_exists(local.path),
			"classic: pmempool_rm removes the part outside the "
			"poolset-dir and the sets");
	}
	drop_sets(&local, &remote);
}

/* t_devdax -- the remote part is device DAX (skipped without one) */
static int
t_devdax(void)
{
	const char *dax = getenv("RPMEM_TEST_DEVDAX");
	struct rig_set remote, local;
	struct snap s;
	uint8_t magic[8];

	if (dax == NULL || dax[0] == '\0') {
		printf("# devdax: skipped, no device DAX (boot the VM with "
			"RXE_VM_NVDIMM=<MiB>)\n");
		return SKIP;
	}
	make_sets(&remote, &local, "dax.set", dax);
	/* an earlier run may have left its pool on the device */
	(void) pmempool_rm(local.path, PMEMPOOL_RM_FORCE);
	if (create_cycle(&local, &remote, "devdax", &s)) {
		if (pmempool_rm(local.path, 0) != 0)
			detail("pmempool_rm: %s", pmempool_errormsg());
		expect(!rig_exists(local.part[0]) &&
			part_read(dax, 0, magic, sizeof(magic)) == 0 &&
			memcmp(magic, "RPMEMPL", 8) != 0, "devdax: pmempool_rm "
			"removes the local part and the device's pool header");
	}
	drop_sets(&local, &remote);
	return 0;
}

/*
 * run_example -- the example program on set with a note; its output in
 * out; returns its exit status
 */
static int
run_example(const char *set, const char *note, char *out, size_t len)
{
	char path[PATH_MAX], cmd[3 * PATH_MAX];
	FILE *f;
	size_t n;
	int st;

	rig_path(&Rig, path, sizeof(path), "example.out", 0);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' >'%s' 2>&1", Example, set,
		note, path);
	st = system(cmd);
	out[0] = '\0';
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(out, 1, len - 1, f);
		out[n] = '\0';
		fclose(f);
	}
	for (char *l = out; *l != '\0';) {
		char *e = strchrnul(l, '\n');

		printf("# example: %.*s\n", (int)(e - l), l);
		l = *e ? e + 1 : e;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* part_has -- the part file contains s */
static int
part_has(const char *part, const char *s)
{
	uint8_t *buf = malloc(POOL_SIZE);
	int ok = buf != NULL && read_part(part, 0, buf, POOL_SIZE) == 0 &&
		memmem(buf, POOL_SIZE, s, strlen(s)) != NULL;

	if (buf != NULL && !ok && Detail[0] == '\0')
		detail("'%s' not in %s", s, part);
	free(buf);
	return ok;
}

/*
 * t_example -- docs/examples/pmemobj_replica as a user runs it: create,
 * a note per run, the notes replicated and kept across a rebuild
 */
static void
t_example(void)
{
	struct rig_set remote, local;
	char out[4096];

	if (Example == NULL) {
		expect(0, "example: no --example PROG given");
		return;
	}
	make_sets(&remote, &local, "example.set", NULL);
	expect(run_example(local.path, "first note", out, sizeof(out)) == 0 &&
		strstr(out, "created") != NULL &&
		strstr(out, "note 1: first note") != NULL,
		"example: creates the pool, stores a note");
	expect(part_has(remote.part[0], "first note"), "example: the remote "
		"part holds the note");
	unlink(local.part[0]);
	if (pmempool_sync(local.path, 0) != 0)
		detail("pmempool_sync: %s", pmempool_errormsg());
	expect(file_size(local.part[0]) == (long long)POOL_SIZE,
		"example: pmempool_sync rebuilds the deleted local part");
	expect(run_example(local.path, "second note", out, sizeof(out)) == 0 &&
		strstr(out, "opened") != NULL &&
		strstr(out, "note 1: first note") != NULL &&
		strstr(out, "note 2: second note") != NULL,
		"example: opens the rebuilt pool: the first note is back, a "
		"second one added");
	expect(part_has(remote.part[0], "second note"), "example: the remote "
		"part holds the second note");
	(void) pmempool_rm(local.path, PMEMPOOL_RM_FORCE |
		PMEMPOOL_RM_POOLSET_LOCAL | PMEMPOOL_RM_POOLSET_REMOTE);
	expect(!rig_exists(remote.part[0]) && !rig_exists(local.part[0]),
		"example: removed");
}

int
main(int argc, char *argv[])
{
	const char *child = NULL, *ack = NULL;
	const struct rig_opt opts[] = {
		{"--librpmem", &Librpmem, NULL},
		{"--example", &Example, NULL},
		{"--child-loop", &child, NULL},
		{"--ack-fd", &ack, NULL},
		{NULL, NULL, NULL},
	};
	const char *usage = "usage: obj_test --rpmemd RPMEMD --librpmem "
		"LIBRPMEM [--example PROG] [--only NAME,...] (NAME: replica, "
		"example, kill, classic, devdax; under with-sshd, "
		"LD_LIBRARY_PATH naming LIBRPMEM's directory)";
	struct rig_args a;
	const char *seed;
	int skipped = 0, ran = 0;

	rig_args(argc, argv, &a, opts, RIG_NEED_RPMEMD | RIG_NEED_TARGET,
		usage);
	if (Librpmem == NULL)
		rig_usage(usage);
	Target = a.target;
	Tap_errormsg = pmemobj_errormsg;
	if (child != NULL)
		return child_loop(child, atoi(ack ? ack : "-1"));
	if (getenv("WITH_SSHD_DIR") == NULL) {
		printf("not ok 1 - not under test/rdma/with-sshd: rpmemd must "
			"be started by a real sshd\n");
		return 1;
	}
	seed = getenv("OBJ_TEST_SEED");
	Seed = seed != NULL ? strtoull(seed, NULL, 0) :
		(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	Seed |= 1;
	/* GPSPM; few lanes: each costs a connection under TCG */
	rig_setup(&Rig, &(struct rig_knobs){.name = "obj", .max_lanes = 4,
		.rpmemd = a.rpmemd}, Target);
	printf("# seed %#llx (OBJ_TEST_SEED)\n", (unsigned long long)Seed);
	rig_path(&Rig, Local, sizeof(Local), "local", 1);
	rig_path(&Rig, Pools, sizeof(Pools), "pools", 1);

	/* --only NAMES: the tests named in it, e.g. "classic,devdax" */
	if (a.only == NULL || strstr(a.only, "replica") != NULL) {
		t_replica();
		ran++;
	}
	if ((a.only == NULL && Example != NULL) ||
	    (a.only != NULL && strstr(a.only, "example") != NULL)) {
		t_example();
		ran++;
	}
	if (a.only == NULL || strstr(a.only, "kill") != NULL) {
		t_kill();
		ran++;
	}
	if (a.only == NULL || strstr(a.only, "classic") != NULL) {
		t_classic();
		ran++;
	}
	if (a.only == NULL || strstr(a.only, "devdax") != NULL) {
		int skip = t_devdax() == SKIP;

		skipped += skip;
		ran++;
		/* named on purpose (the test VM has an NVDIMM): must run */
		if (skip && a.only != NULL)
			expect(0, "devdax: asked for by --only, but there is "
				"no device DAX (RPMEM_TEST_DEVDAX)");
	}
	if (ran == 0)
		rig_usage(usage);
	if (ran == skipped && Num == 0) {
		rig_finish(&Rig);
		return SKIP;
	}
	return rig_finish(&Rig);
}
