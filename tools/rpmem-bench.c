/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-bench.c -- persist and read latency / throughput of a remote pool,
 * swept over transfer sizes x lane counts x offset patterns
 *
 * usage: rpmem-bench [options] TARGET POOLSET   (rpmem-bench --help)
 *
 * Creates (or, with --open, opens) the remote pool through the public
 * API -- librpmem starts rpmemd over ssh (RPMEM_SSH / RPMEM_CMD apply) --
 * then, per point, runs one thread per lane (thread i uses lane i), each
 * on its own region of the pool: warm-up, a barrier, then a fixed number of
 * operations (--iters) or a time budget (--time).  Every operation is timed;
 * the samples of all threads are merged for the percentiles, throughput is
 * bytes / (last thread's end - first thread's start).
 *
 * Linked with rpmem_client_static rather than librpmem.so only for
 * rpmem_pool_persist_method() (pool.h): the header must say which persist
 * method the daemon chose and why.  The code measured is the same object
 * files as the shared library's; nothing else internal is used.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include <librpmem.h>

#include "bench_report.h"
#include "bench_args.h"
#include "bench_stats.h"
#include "pool.h"
#include "rpmem_proto.h"

#ifndef RPMEM_BENCH_BUILD_TYPE
#define RPMEM_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef RPMEM_BENCH_VERSION
#define RPMEM_BENCH_VERSION "unknown"
#endif

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define MAX_LIST 32
#define MAX_LANES 64
#define DEF_POOL_SIZE (32 * MiB)
#define DEF_ITERS 1000
#define DEF_WARMUP 10
#define DEF_MAX_MIB 64		/* bytes per lane per point, fixed iters */
#define MIN_ITERS 16		/* floor under the --max-mib cap */
#define MAX_ITERS 100000000	/* the samples: 8 bytes each, per lane */
#define TIME_CAP_SAMPLES ((size_t)1 << 22)	/* per thread, --time */
#define MAX_SAMPLES 200000000ull	/* all lanes: 1.6 GB, twice (merge) */
#define RESOLVE_MS 2000

enum op { OP_PERSIST, OP_READ, OP_FLUSH, OP_MAX };
enum pattern { PAT_SEQ, PAT_RAND, PAT_MAX };
static const char *const Op_name[OP_MAX] = { "persist", "read", "flush" };
#define DEF_DRAIN_EVERY 16
static const char *const Pat_name[PAT_MAX] = { "seq", "rand" };

/* what the command line asked for */
static struct {
	const char *target, *poolset;
	int open;
	int remove;
	int verify;
	int quiet;
	int read_into_pool;
	size_t pool_size;
	size_t sizes[MAX_LIST];
	unsigned nsizes;
	size_t max_size;	/* the largest of sizes */
	unsigned lanes[MAX_LIST];
	unsigned nlanes;
	unsigned max_lanes;	/* the largest of lanes */
	int ops[OP_MAX];
	int pats[PAT_MAX];
	uint64_t iters;
	uint64_t warmup;
	uint64_t drain_every;	/* flush: rpmem_drain after every N */
	double time_s;		/* > 0: time budget per point */
	uint64_t max_mib;
	const char *csv, *json, *plot;
	uint64_t seed;
} Opt;

/* the pool and the point being run, shared by the worker threads */
static struct {
	RPMEMpool *rpp;
	uint8_t *pool;
	size_t hdr;		/* first usable offset */
	size_t region;		/* bytes of the pool per lane */
	enum op op;
	enum pattern pat;
	size_t size;
	uint64_t iters;		/* 0: time budget */
	uint64_t budget_ns;
	pthread_barrier_t start;
	atomic_int stop;	/* a worker failed */
	pthread_t main;		/* die() cleans up only from here */
	int main_thread;	/* main is set */
} Run;

struct worker {
	pthread_t th;
	unsigned lane;
	uint64_t rng;
	uint8_t *rbuf;		/* read destination outside the pool */
	uint64_t *samples;
	size_t cap, n;
	uint64_t t_start, t_end;
	int failed;
	char msg[300];
};

static struct bench_result *Results;
static size_t Nresults;

/* ------------------------------------------------------------------ */

/* rnd -- xorshift64*: cheap, reproducible offsets */
static inline uint64_t
rnd(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 2685821657736338717ull;
}

__attribute__((format(printf, 1, 2), noreturn))
static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rpmem-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	/*
	 * a pool this run created goes with it: its parts are created
	 * O_EXCL, so a leftover would fail every later run
	 */
	if (Run.rpp != NULL && Run.main_thread &&
			pthread_equal(pthread_self(), Run.main)) {
		(void) rpmem_close(Run.rpp);
		Run.rpp = NULL;
		if (!Opt.open && rpmem_remove(Opt.target, Opt.poolset,
				RPMEM_REMOVE_FORCE))
			fprintf(stderr, "rpmem-bench: rpmem_remove of the "
				"pool it created: %s\n", rpmem_errormsg());
	}
	exit(1);
}

/* split -- comma-separated list: calls one(item) per element */
static void
split(const char *what, const char *arg, void (*one)(const char *, char *))
{
	char *copy = strdup(arg), *save = NULL, *tok;

	if (copy == NULL)
		die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save))
		one(what, tok);
	free(copy);
}

static void
one_size(const char *what, char *tok)
{
	size_t v;

	if (bench_parse_size(tok, &v))
		die("%s: invalid size '%s'", what, tok);
	if (Opt.nsizes == MAX_LIST)
		die("%s: more than %d sizes", what, MAX_LIST);
	Opt.sizes[Opt.nsizes++] = v;
}

static void
one_lanes(const char *what, char *tok)
{
	uint64_t v;

	if (bench_parse_count(tok, MAX_LANES, &v) || v < 1)
		die("%s: invalid lane count '%s' (1..%d)", what, tok,
			MAX_LANES);
	if (Opt.nlanes == MAX_LIST)
		die("%s: more than %d lane counts", what, MAX_LIST);
	Opt.lanes[Opt.nlanes++] = (unsigned)v;
}

static void
one_op(const char *what, char *tok)
{
	for (int i = 0; i < OP_MAX; i++) {
		if (strcmp(tok, Op_name[i]) == 0) {
			Opt.ops[i] = 1;
			return;
		}
	}
	die("%s: unknown operation '%s' (persist, read, flush)", what, tok);
}

static void
one_pat(const char *what, char *tok)
{
	for (int i = 0; i < PAT_MAX; i++) {
		if (strcmp(tok, Pat_name[i]) == 0) {
			Opt.pats[i] = 1;
			return;
		}
	}
	die("%s: unknown pattern '%s' (seq, rand)", what, tok);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rpmem-bench [options] TARGET POOLSET\n"
"  TARGET   [user@]host[:port], as for rpmem_create (ssh starts rpmemd)\n"
"  POOLSET  pool-set file name in rpmemd's poolset-dir\n"
"options:\n"
"  --open             open an existing pool instead of creating it\n"
"  --remove           rpmem_remove the pool after the run\n"
"  --pool-size SIZE   bytes of the pool used (default 32M; the pool set\n"
"                     must be at least that large)\n"
"  --sizes LIST       transfer sizes (default 8,16,64,256,1K,4K,16K,64K,\n"
"                     256K,1M)\n"
"  --lanes LIST       lane counts, one thread per lane (default 1,2,4,8)\n"
"  --ops LIST         persist,read,flush (default persist,read); flush:\n"
"                     rpmem_flush, and rpmem_drain after every\n"
"                     --drain-every N of them (default %d), timed with\n"
"                     the flush that precedes it\n"
"  --pattern LIST     seq,rand offsets (default both)\n"
"  --iters N          timed operations per lane per point (default %d)\n"
"  --max-mib N        ... but at most N MiB per lane per point, at least\n"
"                     %d operations (default %d; 0: no cap)\n"
"  --time SECONDS     time budget per point instead of --iters\n"
"  --warmup N         untimed operations per lane first (default %d)\n"
"  --read-into pool|buffer  read destination: the registered pool (zero\n"
"                     copy) or a separate buffer (default buffer)\n"
"  --verify           at the end persist every lane region, read it back\n"
"                     and compare\n"
"  --csv FILE         results as CSV ('-': stdout, instead of the table)\n"
"  --json FILE        results and the header as JSON ('-': stdout)\n"
"  --plot FILE.png    latency-vs-size and throughput-vs-lanes (gnuplot)\n"
"  --seed N           random offsets seed\n"
"  --quiet            no table, no progress\n"
"environment: RPMEM_SSH, RPMEM_CMD, RPMEM_SPIN_US, RPMEM_MAX_NLANES, ...\n"
"(librpmem(7)); latencies in microseconds, throughput in MiB/s (2^20).\n",
		DEF_DRAIN_EVERY, DEF_ITERS, MIN_ITERS, DEF_MAX_MIB,
		DEF_WARMUP);
}

static void
parse_args(int argc, char *argv[])
{
	enum { O_OPEN = 256, O_REMOVE, O_POOL_SIZE, O_SIZES, O_LANES, O_OPS,
		O_PATTERN, O_ITERS, O_MAX_MIB, O_TIME, O_WARMUP, O_READ_INTO,
		O_VERIFY, O_CSV, O_JSON, O_PLOT, O_SEED, O_QUIET, O_HELP,
		O_DRAIN_EVERY };
	static const struct option lo[] = {
		{ "open", no_argument, NULL, O_OPEN },
		{ "remove", no_argument, NULL, O_REMOVE },
		{ "pool-size", required_argument, NULL, O_POOL_SIZE },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "lanes", required_argument, NULL, O_LANES },
		{ "ops", required_argument, NULL, O_OPS },
		{ "pattern", required_argument, NULL, O_PATTERN },
		{ "iters", required_argument, NULL, O_ITERS },
		{ "max-mib", required_argument, NULL, O_MAX_MIB },
		{ "time", required_argument, NULL, O_TIME },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "drain-every", required_argument, NULL, O_DRAIN_EVERY },
		{ "read-into", required_argument, NULL, O_READ_INTO },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "csv", required_argument, NULL, O_CSV },
		{ "json", required_argument, NULL, O_JSON },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	Opt.pool_size = DEF_POOL_SIZE;
	Opt.iters = DEF_ITERS;
	Opt.warmup = DEF_WARMUP;
	Opt.drain_every = DEF_DRAIN_EVERY;
	Opt.max_mib = DEF_MAX_MIB;
	Opt.seed = 0x2545f4914f6cdd1dull;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_OPEN: Opt.open = 1; break;
		case O_REMOVE: Opt.remove = 1; break;
		case O_POOL_SIZE:
			if (bench_parse_size(optarg, &Opt.pool_size))
				die("--pool-size: invalid size '%s'", optarg);
			break;
		case O_SIZES: split("--sizes", optarg, one_size); break;
		case O_LANES: split("--lanes", optarg, one_lanes); break;
		case O_OPS: split("--ops", optarg, one_op); break;
		case O_PATTERN: split("--pattern", optarg, one_pat); break;
		case O_ITERS:
			if (bench_parse_count(optarg, MAX_ITERS, &Opt.iters) ||
					Opt.iters == 0)
				die("--iters: invalid count '%s' (1..%d)",
					optarg, MAX_ITERS);
			break;
		case O_MAX_MIB:
			if (bench_parse_count(optarg, 1u << 20, &Opt.max_mib))
				die("--max-mib: invalid count '%s'", optarg);
			break;
		case O_TIME:
			errno = 0;
			Opt.time_s = strtod(optarg, &end);
			if (errno || *end != '\0' || !(Opt.time_s > 0) ||
					Opt.time_s > 86400)
				die("--time: invalid seconds '%s'", optarg);
			break;
		case O_WARMUP:
			if (bench_parse_count(optarg, MAX_ITERS, &Opt.warmup))
				die("--warmup: invalid count '%s' (0..%d)",
					optarg, MAX_ITERS);
			break;
		case O_DRAIN_EVERY:
			if (bench_parse_count(optarg, MAX_ITERS,
					&Opt.drain_every) || Opt.drain_every < 1)
				die("--drain-every: invalid count '%s'", optarg);
			break;
		case O_READ_INTO:
			if (strcmp(optarg, "pool") == 0)
				Opt.read_into_pool = 1;
			else if (strcmp(optarg, "buffer") == 0)
				Opt.read_into_pool = 0;
			else
				die("--read-into: pool or buffer, not '%s'",
					optarg);
			break;
		case O_VERIFY: Opt.verify = 1; break;
		case O_CSV: Opt.csv = optarg; break;
		case O_JSON: Opt.json = optarg; break;
		case O_PLOT: Opt.plot = optarg; break;
		case O_SEED:
			if (bench_parse_count(optarg, UINT64_MAX, &Opt.seed) ||
					Opt.seed == 0)
				die("--seed: invalid seed '%s'", optarg);
			break;
		case O_QUIET: Opt.quiet = 1; break;
		case 'h':
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		exit(2);
	}
	Opt.target = argv[optind];
	Opt.poolset = argv[optind + 1];
	if (Opt.nsizes == 0) {
		/* powers of 4 from 16 B to 1 MiB, and the 8-byte store */
		static const size_t def[] = { 8, 16, 64, 256, KiB, 4 * KiB,
			16 * KiB, 64 * KiB, 256 * KiB, MiB };
		for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
			Opt.sizes[Opt.nsizes++] = def[i];
	}
	if (Opt.nlanes == 0) {
		static const unsigned def[] = { 1, 2, 4, 8 };
		for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
			Opt.lanes[Opt.nlanes++] = def[i];
	}
	if (!Opt.ops[OP_PERSIST] && !Opt.ops[OP_READ] && !Opt.ops[OP_FLUSH])
		Opt.ops[OP_PERSIST] = Opt.ops[OP_READ] = 1;
	if (!Opt.pats[PAT_SEQ] && !Opt.pats[PAT_RAND])
		Opt.pats[PAT_SEQ] = Opt.pats[PAT_RAND] = 1;
	if (Opt.csv && Opt.json && strcmp(Opt.csv, "-") == 0 &&
			strcmp(Opt.json, "-") == 0)
		die("--csv - and --json - cannot both go to stdout");
	if (Opt.pool_size % (size_t)sysconf(_SC_PAGESIZE))
		die("--pool-size %zu is not a multiple of the page size",
			Opt.pool_size);
	/* checked again with the lanes granted; now, before a pool exists */
	for (unsigned i = 0; i < Opt.nlanes; i++)
		if (Opt.lanes[i] > Opt.max_lanes)
			Opt.max_lanes = Opt.lanes[i];
	for (unsigned i = 0; i < Opt.nsizes; i++)
		if (Opt.sizes[i] > Opt.max_size)
			Opt.max_size = Opt.sizes[i];
	unsigned maxl = Opt.max_lanes;
	size_t maxs = Opt.max_size;
	if (Opt.pool_size <= 4 * KiB ||
	    (((Opt.pool_size - 4 * KiB) / maxl) & ~(4 * KiB - 1)) < maxs)
		die("--pool-size %zu leaves less than the largest size %zu per "
			"lane for %u lanes", Opt.pool_size, maxs, maxl);
	/* the latency samples of every lane are in memory at once */
	uint64_t per_lane = Opt.time_s > 0 ? TIME_CAP_SAMPLES : Opt.iters;
	if (per_lane * maxl > MAX_SAMPLES)
		die("%u lanes x %llu samples: more than %llu latency samples "
			"in memory (8 bytes each); ask for fewer --iters",
			maxl, (unsigned long long)per_lane,
			(unsigned long long)MAX_SAMPLES);
	/* fail now, not after a long sweep */
	if (Opt.plot && system("command -v gnuplot >/dev/null 2>&1") != 0)
		die("--plot needs gnuplot (Debian: apt-get install gnuplot-nox)");
}

/* ------------------------------------------------------------------ */

/*
 * target_host -- the host part of [user@]host[:port] / [user@][v6]:port
 * (what librpmem's target.c accepts), into buf
 */
static void
target_host(const char *t, char *buf, size_t len)
{
	const char *at = strrchr(t, '@'), *colon;

	if (at != NULL)
		t = at + 1;
	if (t[0] == '[') {
		const char *rb = strchr(t, ']');
		size_t n = rb ? (size_t)(rb - t - 1) : strlen(t + 1);

		snprintf(buf, len, "%.*s", (int)n, t + 1);
		return;
	}
	colon = strchr(t, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL)
		snprintf(buf, len, "%.*s", (int)(colon - t), t);
	else
		snprintf(buf, len, "%s", t);
}

/*
 * describe_device -- the local RDMA device and port rdma_cm routes to the
 * target host through: the one every lane uses (librpmem resolves each
 * lane the same way; its daemon listens on the address ssh reached)
 */
static void
describe_device(char *buf, size_t len)
{
	struct rdma_event_channel *ch = NULL;
	struct rdma_cm_id *id = NULL;
	struct rdma_cm_event *ev = NULL;
	struct addrinfo hints, *ai = NULL;
	char host[200];

	snprintf(buf, len, "unknown");
	target_host(Opt.target, host, sizeof(host));
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &ai) || ai == NULL)
		goto out;
	ch = rdma_create_event_channel();
	if (ch == NULL || rdma_create_id(ch, &id, NULL, RDMA_PS_TCP))
		goto out;
	if (rdma_resolve_addr(id, NULL, ai->ai_addr, RESOLVE_MS) ||
			rdma_get_cm_event(ch, &ev))
		goto out;
	if (ev->event == RDMA_CM_EVENT_ADDR_RESOLVED && id->verbs) {
		struct ibv_port_attr pa;
		const char *dev = ibv_get_device_name(id->verbs->device);

		if (ibv_query_port(id->verbs, id->port_num, &pa) == 0)
			snprintf(buf, len, "%s port %u (%s, active MTU %d) "
				"to %s", dev, id->port_num,
				pa.link_layer == IBV_LINK_LAYER_ETHERNET ?
				"RoCE" : "InfiniBand", 128 << pa.active_mtu,
				host);
		else
			snprintf(buf, len, "%s port %u to %s", dev,
				id->port_num, host);
	}
	rdma_ack_cm_event(ev);
out:
	if (id != NULL)
		rdma_destroy_id(id);
	if (ch != NULL)
		rdma_destroy_event_channel(ch);
	if (ai != NULL)
		freeaddrinfo(ai);
}

static const char *
build_type(void)
{
#ifdef __OPTIMIZE__
	return RPMEM_BENCH_BUILD_TYPE ", optimized";
#else
	return RPMEM_BENCH_BUILD_TYPE ", not optimized";
#endif
}

/* ------------------------------------------------------------------ */

/* worker -- one lane: warm-up, barrier, timed operations */
static void *
worker(void *arg)
{
	struct worker *w = arg;
	const size_t size = Run.size;
	const size_t base = Run.hdr + (size_t)w->lane * Run.region;
	const uint64_t nslots = Run.region / size;
	const uint64_t warm = Opt.warmup;
	uint64_t i = 0, deadline = 0;
	int started = 0;

	for (uint64_t k = 0; ; k++, i++) {
		/* the timed phase starts after every lane warmed up */
		if (k == warm) {
			pthread_barrier_wait(&Run.start);
			started = 1;
			w->t_start = rpmem_now_ns();
			deadline = w->t_start + Run.budget_ns;
		}
		if (k >= warm) {
			uint64_t j = k - warm;

			if (Run.iters ? j >= Run.iters :
					(rpmem_now_ns() >= deadline || j >= w->cap))
				break;
		}
		if (atomic_load_explicit(&Run.stop, memory_order_relaxed))
			break;

		uint64_t slot = Run.pat == PAT_SEQ ? i % nslots :
			rnd(&w->rng) % nslots;
		size_t off = base + (size_t)slot * size;
		uint64_t t = rpmem_now_ns();
		int ret;

		if (Run.op == OP_PERSIST) {
			ret = rpmem_persist(Run.rpp, off, size, w->lane);
		} else if (Run.op == OP_FLUSH) {
			ret = rpmem_flush(Run.rpp, off, size, w->lane, 0);
			if (ret == 0 && (k + 1) % Opt.drain_every == 0)
				ret = rpmem_drain(Run.rpp, w->lane, 0);
		} else {
			ret = rpmem_read(Run.rpp, Opt.read_into_pool ?
				Run.pool + off : w->rbuf, off, size, w->lane);
		}
		t = rpmem_now_ns() - t;
		if (ret) {
			w->failed = 1;
			snprintf(w->msg, sizeof(w->msg), "lane %u: %s %zu B "
				"at %zu: %s", w->lane, Op_name[Run.op], size,
				off, rpmem_errormsg());
			atomic_store(&Run.stop, 1);
			break;
		}
		if (k >= warm)
			w->samples[w->n++] = t;
	}
	/* stopped during warm-up: the others still count on us there */
	if (!started)
		pthread_barrier_wait(&Run.start);
	w->t_end = rpmem_now_ns();
	/* flushes of a partial batch: durable before the next point */
	if (Run.op == OP_FLUSH && !w->failed &&
	    rpmem_drain(Run.rpp, w->lane, 0)) {
		w->failed = 1;
		snprintf(w->msg, sizeof(w->msg), "lane %u: rpmem_drain: %s",
			w->lane, rpmem_errormsg());
	}
	return NULL;
}

/* run_point -- lanes threads, one point; 0 or -1 (message printed) */
static int
run_point(struct worker *ws, unsigned lanes, struct bench_result *r)
{
	uint64_t t0 = UINT64_MAX, t1 = 0;
	size_t n = 0;
	uint64_t *all;

	Run.iters = 0;
	Run.budget_ns = 0;
	if (Opt.time_s > 0) {
		Run.budget_ns = (uint64_t)(Opt.time_s * 1e9);
	} else {
		/* min(iters, max(MIN_ITERS, max_mib / size)): the samples
		 * buffers hold Opt.iters */
		Run.iters = Opt.iters;
		if (Opt.max_mib && Run.iters * Run.size > Opt.max_mib * MiB) {
			uint64_t cap = Opt.max_mib * MiB / Run.size;

			if (cap < MIN_ITERS)
				cap = MIN_ITERS;
			if (cap < Run.iters)
				Run.iters = cap;
		}
	}
	if (pthread_barrier_init(&Run.start, NULL, lanes))
		die("pthread_barrier_init failed");
	atomic_store(&Run.stop, 0);
	for (unsigned l = 0; l < lanes; l++) {
		struct worker *w = &ws[l];

		w->n = 0;
		w->failed = 0;
		if (Run.iters)
			w->cap = Run.iters;
		else
			w->cap = TIME_CAP_SAMPLES;
		if (pthread_create(&w->th, NULL, worker, w))
			die("pthread_create failed");
	}
	int failed = 0;

	for (unsigned l = 0; l < lanes; l++) {
		pthread_join(ws[l].th, NULL);
		if (ws[l].failed) {
			fprintf(stderr, "rpmem-bench: %s\n", ws[l].msg);
			failed = 1;
		}
	}
	pthread_barrier_destroy(&Run.start);
	if (failed)
		return -1;

	for (unsigned l = 0; l < lanes; l++)
		n += ws[l].n;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all == NULL)
		die("out of memory");
	n = 0;
	for (unsigned l = 0; l < lanes; l++) {
		memcpy(all + n, ws[l].samples, ws[l].n * sizeof(*all));
		n += ws[l].n;
		if (ws[l].t_start < t0)
			t0 = ws[l].t_start;
		if (ws[l].t_end > t1)
			t1 = ws[l].t_end;
	}
	if (n == 0)
		die("no operation completed in the time budget");
	lat_summarize(all, n, &r->lat);
	r->secs = (double)(t1 - t0) / 1e9;
	r->ops_s = (double)n / r->secs;
	r->mib_s = r->ops_s * (double)Run.size / (double)MiB;
	free(all);
	return 0;
}

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */

/* verify -- persist every lane region, read it back, compare */
static int
verify(unsigned lanes)
{
	size_t len = (size_t)lanes * Run.region;
	uint8_t *back = malloc(len);
	int ret = -1;

	if (back == NULL)
		die("out of memory");
	if (rpmem_persist(Run.rpp, Run.hdr, len, 0)) {
		fprintf(stderr, "rpmem-bench: verify: rpmem_persist: %s\n",
			rpmem_errormsg());
	} else if (rpmem_read(Run.rpp, back, Run.hdr, len, 0)) {
		fprintf(stderr, "rpmem-bench: verify: rpmem_read: %s\n",
			rpmem_errormsg());
	} else if (memcmp(back, Run.pool + Run.hdr, len)) {
		fprintf(stderr, "rpmem-bench: verify: the bytes read back "
			"differ from the bytes persisted\n");
	} else {
		if (!Opt.quiet)
			fprintf(stderr, "rpmem-bench: verified %zu bytes\n",
				len);
		ret = 0;
	}
	free(back);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct rpmem_pool_attr attr;
	struct bench_info h;
	struct worker *ws;
	struct utsname un;
	unsigned maxl, granted;
	size_t maxs;
	int progress, ret = 0;
	time_t tnow = time(NULL);

	Run.main = pthread_self();
	Run.main_thread = 1;
	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	progress = !Opt.quiet && isatty(STDERR_FILENO);

	memset(&h, 0, sizeof(h));
	maxl = Opt.max_lanes;	/* parse_args found them */
	maxs = Opt.max_size;
	h.version = RPMEM_BENCH_VERSION;
	h.build_type = build_type();
	h.target = Opt.target;
	h.poolset = Opt.poolset;
	h.opened = Opt.open;
	h.pool_size = Opt.pool_size;
	h.time_s = Opt.time_s;
	h.iters = Opt.iters;
	h.max_mib = Opt.max_mib;
	h.min_iters = MIN_ITERS;
	h.warmup = Opt.warmup;
	h.read_into_pool = Opt.read_into_pool;
	h.lanes_req = maxl;
	h.spin_us = getenv("RPMEM_SPIN_US") ? getenv("RPMEM_SPIN_US") :
		"default";
	uname(&un);
	snprintf(h.host, sizeof(h.host), "%s", un.nodename);
	strftime(h.date, sizeof(h.date), "%Y-%m-%dT%H:%M:%S%z",
		localtime(&tnow));

	/* random bytes: what is persisted is not a page of zeros */
	Run.pool = mmap(NULL, Opt.pool_size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (Run.pool == MAP_FAILED)
		die("mmap %zu bytes: %s", Opt.pool_size, strerror(errno));
	uint64_t st = Opt.seed;

	for (size_t i = 0; i + 8 <= Opt.pool_size; i += 8) {
		uint64_t v = rnd(&st);

		memcpy(Run.pool + i, &v, 8);
	}

	describe_device(h.device, sizeof(h.device));
	granted = maxl;
	memset(&attr, 0, sizeof(attr));
	if (Opt.open) {
		Run.rpp = rpmem_open(Opt.target, Opt.poolset, Run.pool,
			Opt.pool_size, &granted, &attr);
	} else {
		memcpy(attr.signature, "RPBENCH", 8);
		attr.major = 1;
		Run.rpp = rpmem_create(Opt.target, Opt.poolset, Run.pool,
			Opt.pool_size, &granted, &attr);
	}
	if (Run.rpp == NULL)
		die("%s(%s, %s, %zu bytes): %s", Opt.open ? "rpmem_open" :
			"rpmem_create", Opt.target, Opt.poolset,
			Opt.pool_size, rpmem_errormsg());
	h.lanes_granted = granted;
	{
		const char *reason = NULL;

		h.method = rpmem_persist_method_str(
			rpmem_pool_persist_method(Run.rpp, &reason));
		snprintf(h.reason, sizeof(h.reason), "%s",
			reason != NULL && reason[0] != '\0' ? reason :
			"no reason given");
	}
	Run.hdr = rpmem_pool_hdr_size(Run.rpp);
	h.hdr = Run.hdr;

	/* lane counts the daemon / device did not grant are skipped */
	unsigned used = 0;

	for (unsigned i = 0; i < Opt.nlanes; i++) {
		if (Opt.lanes[i] <= granted) {
			if (Opt.lanes[i] > used)
				used = Opt.lanes[i];
		} else {
			fprintf(stderr, "rpmem-bench: %u lanes requested, %u "
				"granted: skipping %u lanes\n", maxl, granted,
				Opt.lanes[i]);
		}
	}
	if (used == 0)
		die("no lane count fits the %u lane(s) granted", granted);
	Run.region = ((Opt.pool_size - Run.hdr) / used) & ~(4 * KiB - 1);
	h.region = Run.region;
	if (Run.region < maxs)
		die("--pool-size %zu leaves %zu bytes per lane for %u lanes, "
			"less than the largest size %zu", Opt.pool_size,
			Run.region, used, maxs);

	ws = calloc(used, sizeof(*ws));
	if (ws == NULL)
		die("out of memory");
	for (unsigned l = 0; l < used; l++) {
		ws[l].lane = l;
		ws[l].rng = Opt.seed ^ (0x9e3779b97f4a7c15ull * (l + 1));
		ws[l].rbuf = malloc(maxs);
		if (ws[l].rbuf == NULL)
			die("out of memory");
	}

	size_t total = 0, done = 0;

	for (int op = 0; op < OP_MAX; op++)
		for (int p = 0; p < PAT_MAX; p++)
			for (unsigned li = 0; li < Opt.nlanes; li++)
				total += Opt.ops[op] && Opt.pats[p] &&
					Opt.lanes[li] <= granted ?
					Opt.nsizes : 0;
	Results = calloc(total, sizeof(*Results));
	if (Results == NULL)
		die("out of memory");

	/* the table goes where --csv - / --json - do not */
	FILE *tf = (Opt.csv && strcmp(Opt.csv, "-") == 0) ||
		(Opt.json && strcmp(Opt.json, "-") == 0) ? stderr : stdout;

	if (!Opt.quiet)
		report_table_head(tf, &h);
	uint64_t t_sweep = rpmem_now_ns();

	for (int op = 0; op < OP_MAX && !ret; op++) {
	for (int p = 0; p < PAT_MAX && !ret; p++) {
	for (unsigned li = 0; li < Opt.nlanes && !ret; li++) {
		unsigned lanes = Opt.lanes[li];

		if (!Opt.ops[op] || !Opt.pats[p] || lanes > granted)
			continue;
		for (unsigned si = 0; si < Opt.nsizes; si++) {
			struct bench_result *r = &Results[Nresults];
			char b[32];

			Run.op = (enum op)op;
			Run.pat = (enum pattern)p;
			Run.size = Opt.sizes[si];
			if (progress)
				fprintf(stderr, "\r\033[K[%zu/%zu, %.0f s] %s "
					"%s, %u lane(s), %s", done + 1, total,
					(double)(rpmem_now_ns() - t_sweep) / 1e9,
					Op_name[op], Pat_name[p], lanes,
					bench_human(Run.size, b, sizeof(b)));
			/* allocated once, for the largest point */
			uint64_t need = Opt.time_s > 0 ? TIME_CAP_SAMPLES :
				Opt.iters;
			for (unsigned l = 0; l < lanes; l++) {
				if (ws[l].samples == NULL) {
					ws[l].samples = malloc(need *
						sizeof(uint64_t));
					if (ws[l].samples == NULL)
						die("out of memory");
				}
			}
			if (run_point(ws, lanes, r)) {
				ret = 1;
				break;
			}
			r->op = Op_name[op];
			r->pattern = Pat_name[p];
			r->size = Run.size;
			r->lanes = lanes;
			if (progress)
				fprintf(stderr, "\r\033[K");
			if (!Opt.quiet)
				report_table_row(tf, r, Nresults ?
					&Results[Nresults - 1] : NULL);
			Nresults++;
			done++;
		}
	}
	}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");

	if (!ret && Opt.verify && verify(used))
		ret = 1;
	if (rpmem_close(Run.rpp)) {
		fprintf(stderr, "rpmem-bench: rpmem_close: %s\n",
			rpmem_errormsg());
		ret = 1;
	}
	if (Opt.remove && rpmem_remove(Opt.target, Opt.poolset, 0)) {
		fprintf(stderr, "rpmem-bench: rpmem_remove: %s\n",
			rpmem_errormsg());
		ret = 1;
	}

	/* what was measured is reported even after a failure */
	if (Opt.csv && report_csv(Opt.csv, Results, Nresults))
		ret = 1;
	if (Opt.json && report_json(Opt.json, &h, Results, Nresults))
		ret = 1;
	/* persist throughput if it was measured, else flush, else read */
	if (Opt.plot && Nresults && report_plot(Opt.plot, &h, Results,
			Nresults, Op_name[Opt.ops[OP_PERSIST] ? OP_PERSIST :
			Opt.ops[OP_FLUSH] ? OP_FLUSH : OP_READ],
			Pat_name[Opt.pats[PAT_SEQ] ? PAT_SEQ : PAT_RAND]))
		ret = 1;

	for (unsigned l = 0; l < used; l++) {
		free(ws[l].samples);
		free(ws[l].rbuf);
	}
	free(ws);
	free(Results);
	munmap(Run.pool, Opt.pool_size);
	return ret;
}
