/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_test.c -- the client data path (rpmem_dp_*) against the daemon's RDMA
 * side (rpmemd_rdma_*) in one process, without ssh or the control
 * protocol: the port, rkey and session secret are handed over in-process.
 *
 * The daemon listens on RPMEM_TEST_TARGET_ADDR (rxb); the client's route
 * to it leaves through rxa, so the bytes really cross the veth.  After
 * every persist the daemon's whole pool is compared with a shadow copy of
 * what it must hold (catching stray writes too); the GPSPM flush callback
 * records each call so the test proves it ran with the right range.  The
 * GPSPM tests run twice: with requests that carry ranges up to
 * RPMEM_GPSPM_INLINE_MAX (what librpmem does with this daemon) and
 * without (a daemon from before them); rpmemd's per-lane log line shows
 * which path served them.
 *
 * usage: dp_test [--lat] [--linkdown RIG_LINK]
 *   --lat       only the latency table
 *   --linkdown  also the dead-link test, last: RIG_LINK (test/rdma/rig-link)
 *               takes the target's veth down for good (reboot the VM)
 * Prints "ok"/"not ok" lines and exits 1 on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "data_path.h"
#include "error.h"
#include "lane.h"
#include "log.h"
#include "rdma_server.h"
#include "rpmem_os.h"
#include "rpmem_proto.h"
#include "tap.h"

#define POOL_SIZE (8u << 20)
#define HDR RPMEM_POOL_HDR_SIZE
#define TIMEOUT_MS 5000
#define MiB (1u << 20)

static int Checks;
static const char *Target;
static int Inline;		/* client_open: GPSPM requests carry data */
static char Log[64];		/* the daemon side's log (rpmemd_log) */
static uint64_t Rng = 0x9e3779b97f4a7c15ull;

#define CHECK(cond, ...) check((cond), #cond, __VA_ARGS__)

/* check -- count and report one assertion */
static int
check(int ok, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int
check(int ok, const char *expr, const char *fmt, ...)
{
	va_list ap;

	Checks++;
	if (ok)
		return 1;
	Failures++;
	printf("not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" [%s] (errno %d %s; %s)\n", expr, errno, strerror(errno),
		rpmem_err_get());
	fflush(stdout);
	return 0;
}

/* ok -- a passed test group */
static void
ok(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void
ok(const char *fmt, ...)
{
	va_list ap;

	printf("ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------ */

struct daemon {
	struct rpmemd_rdma *rdma;
	struct rpmemd_rdma_info info;
	uint8_t *pool;
	uint8_t secret[RPMEM_SECRET_LEN];
	pthread_mutex_t lock;
	unsigned ncalls;
	uint64_t last_off;
	uint64_t last_len;
	int last_deep;
	int fail_status;	/* what the flush callback returns */
	unsigned sleep_ms_once;	/* the next call sleeps this long */
	/* main thread's copies of last_off/last_len, taken by ncalls() */
	uint64_t seen_off;
	uint64_t seen_len;
	int seen_deep;
};

/* persist_cb -- the GPSPM flush: records the range, may fail or stall */
static int
persist_cb(void *ctx, void *addr, size_t len, int deep)
{
	struct daemon *d = ctx;
	unsigned sleep_ms;
	int st;

	pthread_mutex_lock(&d->lock);
	d->ncalls++;
	d->last_off = (uint64_t)((uint8_t *)addr - d->pool);
	d->last_len = len;
	d->last_deep = deep;
	st = d->fail_status;
	sleep_ms = d->sleep_ms_once;
	d->sleep_ms_once = 0;
	pthread_mutex_unlock(&d->lock);
	if (sleep_ms)
		usleep(sleep_ms * 1000u);
	return st;
}

/* daemon_start -- listen, register, serve with method pm */
static int
daemon_start(struct daemon *d, uint16_t pm, unsigned nlanes)
{
	struct rpmemd_rdma_attr a;
	int st;

	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->pool = map(POOL_SIZE);
	for (int i = 0; i < RPMEM_SECRET_LEN; i++)
		d->secret[i] = (uint8_t)rnd(&Rng);
	memset(&a, 0, sizeof(a));
	a.bind_addr = Target;
	a.pool_addr = d->pool;
	a.pool_size = POOL_SIZE;
	a.hdr_size = HDR;
	a.nlanes = nlanes;
	memcpy(a.secret, d->secret, RPMEM_SECRET_LEN);
	st = rpmemd_rdma_new(&a, &d->rdma, &d->info);
	if (!CHECK(st == 0, "rpmemd_rdma_new: status %d", st))
		return -1;
	st = rpmemd_rdma_start(d->rdma, pm, persist_cb, d);
	if (!CHECK(st == 0, "rpmemd_rdma_start: status %d", st))
		return -1;
	return 0;
}

/* daemon_stop -- tear the daemon side down */
static void
daemon_stop(struct daemon *d)
{
	rpmemd_rdma_delete(&d->rdma);
	munmap(d->pool, POOL_SIZE);
	pthread_mutex_destroy(&d->lock);
}

/*
 * ncalls -- flush callback count; also snapshots the last range into
 * seen_off/seen_len (the callback runs on the server thread: the RDMA
 * reply is no happens-before edge a race detector can see)
 */
static unsigned
ncalls(struct daemon *d)
{
	pthread_mutex_lock(&d->lock);
	unsigned n = d->ncalls;
	d->seen_off = d->last_off;
	d->seen_len = d->last_len;
	d->seen_deep = d->last_deep;
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* set_flush_behaviour -- what the next flush callbacks do */
static void
set_flush_behaviour(struct daemon *d, int status, unsigned sleep_ms_once)
{
	pthread_mutex_lock(&d->lock);
	d->fail_status = status;
	d->sleep_ms_once = sleep_ms_once;
	pthread_mutex_unlock(&d->lock);
}

/* client_open -- rpmem_dp_new with the daemon's parameters */
static int
client_open(struct daemon *d, uint16_t pm, unsigned nlanes,
		const uint8_t *secret, uint32_t max_msg, int timeout_ms,
		uint8_t *cpool, struct rpmem_dp **dp, unsigned *got)
{
	struct rpmem_dp_attr a;

	memset(&a, 0, sizeof(a));
	a.node = Target;
	a.port = d->info.port;
	a.pool_addr = cpool;
	a.pool_size = POOL_SIZE;
	a.raddr = d->info.raddr;
	a.rkey = d->info.rkey;
	a.hdr_size = HDR;
	a.max_msg_size = max_msg;
	a.nlanes = nlanes;
	a.persist_method = pm;
	a.gpspm_inline = Inline;
	memcpy(a.secret, secret ? secret : d->secret, RPMEM_SECRET_LEN);
	a.timeout_ms = timeout_ms;
	return rpmem_dp_new(&a, dp, got);
}

/*
 * The daemon's pool is written by the daemon thread's CPU (the bytes of
 * GPSPM requests carrying data) and by the RDMA devices; what orders those
 * writes and this thread's accesses is the wire (a request is posted
 * after we wrote, its reply arrives after the daemon stored), which
 * ThreadSanitizer cannot see.  So the test touches that pool only through
 * these, uninstrumented (no libc calls: their interceptors check too).
 */
#define DP_UNTRACED __attribute__((no_sanitize("thread"), noinline))

/* pool_diff -- first i < n with pool[i] != want[i], or -1 */
static DP_UNTRACED long
pool_diff(const uint8_t *pool, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const volatile uint8_t *)pool)[i] != want[i])
			return (long)i;
	return -1;
}

/* pool_put -- n bytes of src into the daemon's pool */
static DP_UNTRACED void
pool_put(uint8_t *pool, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((volatile uint8_t *)pool)[i] = src[i];
}

/* pool_byte -- the daemon pool's byte i */
static DP_UNTRACED uint8_t
pool_byte(const uint8_t *pool, size_t i)
{
	return ((const volatile uint8_t *)pool)[i];
}

/* pool_matches -- daemon pool == shadow, report the first difference */
static int
pool_matches(const struct daemon *d, const uint8_t *shadow, const char *what)
{
	long i = pool_diff(d->pool, shadow, POOL_SIZE);

	if (i < 0)
		return 1;
	CHECK(0, "%s: daemon pool differs at offset %ld: 0x%02x, expected "
		"0x%02x", what, i, pool_byte(d->pool, (size_t)i), shadow[i]);
	return 0;
}

/* pm_str -- method name for messages */
static const char *
pm_str(uint16_t pm)
{
	return pm == RPMEM_PM_APM ? "APM" : "GPSPM";
}

/* ------------------------------------------------------------------ */

struct range {
	size_t off;
	size_t len;
};

/* test_persist_read -- sizes, offsets, argument errors, reads */
static void
test_persist_read(uint16_t pm, uint32_t max_msg)
{
	static const struct range cases[] = {
		{ HDR, 1 }, { HDR + 9, 8 }, { HDR + 100, 64 },
		{ HDR + 8192, 4096 }, { HDR + 3 * 4096 + 5, MiB },
		{ HDR + 2 * MiB + 1, MiB + 333 },
		{ POOL_SIZE - 1, 1 }, { POOL_SIZE - 8, 8 },
		{ POOL_SIZE - 5000, 4999 }, { HDR + 77, 3 },
	};
	struct daemon d;
	struct rpmem_dp *dp = NULL;
	uint8_t *cpool = map(POOL_SIZE), *shadow = map(POOL_SIZE);
	uint64_t st = rnd(&Rng);
	unsigned got = 0, n0;
	int fails0 = Failures, ret;

	if (daemon_start(&d, pm, 2))
		goto out;
	ret = client_open(&d, pm, 2, NULL, max_msg, TIMEOUT_MS, cpool, &dp,
		&got);
	if (!CHECK(ret == 0 && got == 2, "%s: rpmem_dp_new", pm_str(pm)))
		goto out_daemon;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct range *r = &cases[i];

		fill(cpool + r->off, r->len, &st);
		n0 = ncalls(&d);
		ret = rpmem_dp_persist(dp, r->off, r->len, (unsigned)i % 2);
		CHECK(ret == 0, "%s: persist [%zu, +%zu)", pm_str(pm), r->off,
			r->len);
		memcpy(shadow + r->off, cpool + r->off, r->len);
		pool_matches(&d, shadow, "persist");
		if (pm == RPMEM_PM_GPSPM)
			CHECK(ncalls(&d) == n0 + 1 && d.seen_off == r->off &&
				d.seen_len == r->len, "GPSPM flush callback "
				"range [%llu, +%llu), expected [%zu, +%zu)",
				(unsigned long long)d.seen_off,
				(unsigned long long)d.seen_len, r->off,
				r->len);
		else
			CHECK(ncalls(&d) == n0, "APM called the flush "
				"callback");
	}

	/*
	 * argument errors: librpmem.c rejects them at the API boundary (its
	 * tests: test_ctl_client, flush_test, e2e); to the data path they
	 * are a broken precondition, which it only assert()s
	 */
	n0 = ncalls(&d);
	errno = 0;
	CHECK(rpmem_dp_persist(dp, HDR, 0, 0) == 0, "0-byte persist");
	CHECK(rpmem_dp_persist(dp, POOL_SIZE, 0, 0) == 0,
		"0-byte persist at the pool end");
	CHECK(!rpmem_dp_args_valid(dp, HDR, 8, 2), "bad lane");
	CHECK(!rpmem_dp_args_valid(dp, HDR - 1, 8, 0), "range in the header");
	CHECK(!rpmem_dp_args_valid(dp, POOL_SIZE - 4, 8, 0),
		"range past the end");
	CHECK(!rpmem_dp_args_valid(dp, SIZE_MAX - 2, 8, 0),
		"overflowing range");
	CHECK(rpmem_dp_args_valid(dp, HDR, 8, 1) &&
		rpmem_dp_args_valid(dp, POOL_SIZE - 8, 8, 0) &&
		rpmem_dp_args_valid(dp, SIZE_MAX, 0, 1), "valid arguments");
	CHECK(ncalls(&d) == n0, "0-byte calls reached the daemon");
	CHECK(rpmem_dp_persist(dp, HDR + 64, 64, 1) == 0,
		"persist after argument errors");

	/* reads: through the bounce buffer and zero-copy into the pool */
	static const struct range rd[] = {
		{ HDR, 1 }, { HDR + 3, 8 }, { HDR + 4096, 4096 },
		{ HDR + 5 * MiB + 7, MiB + 123 }, { POOL_SIZE - 1, 1 },
		{ POOL_SIZE - 300001, 300001 },
	};
	uint8_t *ubuf = malloc(2 * MiB);
	for (size_t i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
		const struct range *r = &rd[i];

		fill(shadow + r->off, r->len, &st);
		pool_put(d.pool + r->off, shadow + r->off, r->len);
		memset(ubuf, 0xee, r->len);
		ret = rpmem_dp_read(dp, ubuf, r->off, r->len, (unsigned)i % 2);
		CHECK(ret == 0 && pool_diff(d.pool + r->off, ubuf, r->len) < 0,
			"%s: read (bounce) [%zu, +%zu)", pm_str(pm), r->off,
			r->len);
		memset(cpool + r->off, 0xee, r->len);
		ret = rpmem_dp_read(dp, cpool + r->off, r->off, r->len, 0);
		CHECK(ret == 0 && pool_diff(d.pool + r->off, cpool + r->off,
			r->len) < 0, "%s: read (zero-copy) [%zu, +%zu)",
			pm_str(pm), r->off, r->len);
	}
	/* into the pool at a different offset, and a 0-byte read */
	ret = rpmem_dp_read(dp, cpool + HDR + MiB, HDR + 5 * MiB + 7, 65536, 1);
	CHECK(ret == 0 && pool_diff(d.pool + HDR + 5 * MiB + 7,
		cpool + HDR + MiB, 65536) < 0, "read into another pool offset");
	CHECK(rpmem_dp_read(dp, ubuf, HDR, 0, 0) == 0, "0-byte read");
	CHECK(!rpmem_dp_args_valid(dp, POOL_SIZE - 4, 8, 0),
		"read past the end");
	free(ubuf);
	pool_matches(&d, shadow, "after reads");

	if (pm == RPMEM_PM_GPSPM) {
		/* a failed flush is reported, and the lane stays usable */
		set_flush_behaviour(&d, RPMEM_ST_FATAL, 0);
		errno = 0;
		ret = rpmem_dp_persist(dp, HDR + 16, 16, 0);
		CHECK(ret == -1 && errno ==
			rpmem_status_to_errno(RPMEM_ST_FATAL),
			"GPSPM remote failure -> errno");
		set_flush_behaviour(&d, RPMEM_ST_OK, 0);
		fill(cpool + HDR + 16, 16, &st);
		ret = rpmem_dp_persist(dp, HDR + 16, 16, 0);
		memcpy(shadow + HDR + 16, cpool + HDR + 16, 16);
		CHECK(ret == 0, "persist after a remote failure");
		pool_matches(&d, shadow, "after a remote failure");
	}

	rpmem_dp_delete(&dp);
	CHECK(dp == NULL, "rpmem_dp_delete clears the pointer");
	if (Failures == fails0)
		ok("%s persist/read, max_msg_size %u%s", pm_str(pm), max_msg,
			Inline ? ", inline requests" : "");
out_daemon:
	if (dp)
		rpmem_dp_delete(&dp);
	daemon_stop(&d);
out:
	munmap(cpool, POOL_SIZE);
	munmap(shadow, POOL_SIZE);
}

/* ------------------------------------------------------------------ */

struct worker {
	struct rpmem_dp *dp;
	struct daemon *d;
	uint8_t *cpool;
	uint8_t *shadow;
	unsigned lane;
	int iters;
	int errors;
};

/* worker -- persist and read back random pieces of its own region */
static void *
worker(void *arg)
{
	struct worker *w = arg;
	size_t base = HDR + (size_t)w->lane * MiB;
	uint64_t st = 0x1234567ull * (w->lane + 1);
	uint8_t *buf = malloc(65536);

	for (int i = 0; i < w->iters; i++) {
		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		size_t len = 1 + (size_t)(st % 65536);
		size_t off = base + (size_t)((st >> 20) % (MiB - len));

		fill(w->cpool + off, len, &st);
		if (rpmem_dp_persist(w->dp, off, len, w->lane)) {
			w->errors++;
			printf("# lane %u persist: %s\n", w->lane,
				rpmem_err_get());
			continue;
		}
		memcpy(w->shadow + off, w->cpool + off, len);
		if (i % 8 == 0 && (rpmem_dp_read(w->dp, buf, off, len, w->lane)
				|| memcmp(buf, w->cpool + off, len))) {
			w->errors++;
			printf("# lane %u read-back mismatch\n", w->lane);
		}
	}
	free(buf);
	return NULL;
}

/* test_lanes -- 4 threads on 4 lanes, each in its own region */
static void
test_lanes(uint16_t pm)
{
	struct daemon d;
	struct rpmem_dp *dp;
	struct worker w[4];
	pthread_t t[4];
	uint8_t *cpool = map(POOL_SIZE), *shadow = map(POOL_SIZE);
	unsigned got;
	int fails0 = Failures, errors = 0;

	if (daemon_start(&d, pm, 4))
		goto out;
	if (!CHECK(client_open(&d, pm, 4, NULL, 0, TIMEOUT_MS, cpool, &dp,
			&got) == 0 && got == 4, "%s: 4 lanes", pm_str(pm)))
		goto out_daemon;
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){ dp, &d, cpool, shadow, i, 150, 0 };
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	CHECK(errors == 0, "%s: %d errors in the lane threads", pm_str(pm),
		errors);
	pool_matches(&d, shadow, "multi-lane");
	if (pm == RPMEM_PM_GPSPM)
		CHECK(ncalls(&d) == 600, "GPSPM flush calls: %u, expected 600",
			ncalls(&d));
	rpmem_dp_delete(&dp);
	if (Failures == fails0)
		ok("%s: 4 threads x 150 persists on 4 lanes%s", pm_str(pm),
			Inline ? ", inline requests" : "");
out_daemon:
	daemon_stop(&d);
out:
	munmap(cpool, POOL_SIZE);
	munmap(shadow, POOL_SIZE);
}

/* ------------------------------------------------------------------ */

/* test_auth -- wrong secret rejected; lane taken rejected; right works */
static void
test_auth(void)
{
	struct daemon d;
	struct rpmem_dp *dp = NULL, *dp2 = NULL;
	uint8_t *cpool = map(POOL_SIZE);
	uint8_t bad[RPMEM_SECRET_LEN];
	unsigned got;
	int fails0 = Failures, ret;

	if (daemon_start(&d, RPMEM_PM_GPSPM, 2))
		goto out;
	memcpy(bad, d.secret, sizeof(bad));
	bad[7] ^= 1;
	errno = 0;
	ret = client_open(&d, RPMEM_PM_GPSPM, 2, bad, 0, TIMEOUT_MS, cpool,
		&dp, &got);
	CHECK(ret == -1 && errno == ECONNREFUSED, "wrong secret refused");
	printf("# wrong secret: %s\n", rpmem_err_get());
	ret = client_open(&d, RPMEM_PM_GPSPM, 2, NULL, 0, TIMEOUT_MS, cpool,
		&dp, &got);
	CHECK(ret == 0 && got == 2, "right secret accepted after a refusal");
	if (ret == 0) {
		errno = 0;
		ret = client_open(&d, RPMEM_PM_GPSPM, 1, NULL, 0, TIMEOUT_MS,
			cpool, &dp2, &got);
		CHECK(ret == -1 && errno == ECONNREFUSED,
			"second connection to a busy lane refused");
		memset(cpool + HDR, 0x42, 4096);
		CHECK(rpmem_dp_persist(dp, HDR, 4096, 1) == 0 &&
			pool_diff(d.pool + HDR, cpool + HDR, 4096) < 0,
			"persist on the accepted connection");
		rpmem_dp_delete(&dp);
	}
	if (Failures == fails0)
		ok("authentication: wrong secret and busy lane refused");
	daemon_stop(&d);
out:
	munmap(cpool, POOL_SIZE);
}

/* ------------------------------------------------------------------ */

/* raw_req -- send 32 crafted bytes on a raw lane; the response status */
static int
raw_req(struct rpmem_lane *lane, const uint8_t *req, uint32_t *status)
{
	memcpy(lane->sbuf, req, RPMEM_GPSPM_REQ_SIZE);
	if (rpmem_lane_post(lane, &lane->send_wr, &lane->send_wr, 1))
		return -1;
	lane->resp_pending = 1;
	if (rpmem_lane_wait(lane, 0))
		return -1;
	if (lane->resp_bad ||
	    lane->resp.seq != rpmem_get_le32(req + 28) ||
	    lane->resp.lane != lane->index)
		return -1;
	*status = lane->resp.status;
	return 0;
}

/*
 * raw_send -- send n crafted bytes (a request, maybe with data) on a raw
 * lane from its bounce buffer; the response status, or -1 (errno and
 * lane->err say why: a SEND longer than the daemon's RECV buffer fails
 * the lane)
 */
static int
raw_send(struct rpmem_lane *lane, const uint8_t *msg, size_t n,
		uint32_t *status)
{
	struct ibv_sge sge = { (uintptr_t)lane->bounce, (uint32_t)n,
		lane->bounce_lkey };
	struct ibv_send_wr wr;

	memset(&wr, 0, sizeof(wr));
	wr.opcode = IBV_WR_SEND;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	memcpy(lane->bounce, msg, n);
	if (rpmem_lane_post(lane, &wr, &wr, 1))
		return -1;
	lane->resp_pending = 1;
	if (rpmem_lane_wait(lane, 0))
		return -1;
	if (lane->resp_bad ||
	    lane->resp.seq != rpmem_get_le32(msg + 28) ||
	    lane->resp.lane != lane->index)
		return -1;
	*status = lane->resp.status;
	return 0;
}

/* raw_inline -- an inline request header for lane into msg, data after */
static void
raw_inline(uint8_t *msg, uint32_t op, uint32_t lane, uint64_t off,
		uint64_t len, uint32_t seq)
{
	struct rpmem_gpspm_req r = { op, lane, off, len, seq };

	rpmem_gpspm_req_encode(&r, msg);
	for (size_t i = RPMEM_GPSPM_REQ_SIZE; i < RPMEM_GPSPM_REQ_MAX_SIZE + 8;
			i++)
		msg[i] = (uint8_t)(i * 31 + seq);
}

/* raw_connect -- a raw lane number index on the daemon's port */
static int
raw_connect(struct rpmem_lane_attr *la, unsigned index, struct ibv_pd **pd,
		struct rpmem_lane **lane)
{
	struct rpmem_lane_qp_cfg cfg = { 8, 1, 16, 3, 3, 1, 0 };
	int exhausted;

	la->index = index;
	if (rpmem_lane_new(la, lane))
		return -1;
	if (*pd == NULL)
		*pd = ibv_alloc_pd(rpmem_lane_verbs(*lane));
	if (*pd == NULL)
		return -1;
	return rpmem_lane_connect(*lane, *pd, &cfg, &exhausted);
}

/*
 * test_gpspm_raw_inline -- crafted inline requests: a wrong total length,
 * length 0, length above the max, a range outside the pool, data on a
 * request that takes none: PROTO, nothing written or flushed, the lane
 * serves on; a valid one lands in the pool; one longer than the daemon's
 * RECV buffer fails that lane only, another lane is served after it
 */
static void
test_gpspm_raw_inline(void)
{
	struct daemon d;
	struct rpmem_lane *lane = NULL, *lane0 = NULL;
	struct rpmem_lane_attr la;
	struct ibv_pd *pd = NULL;
	struct addrinfo *ai;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM };
	char port[8];
	uint8_t msg[RPMEM_GPSPM_REQ_MAX_SIZE + 8];
	uint8_t *shadow = map(POOL_SIZE);
	uint32_t status;
	unsigned n0;
	int fails0 = Failures, ret;
	const size_t max = RPMEM_GPSPM_INLINE_MAX;
	const struct {
		const char *what;
		uint32_t op;
		uint64_t off, len;
		size_t sent;	/* bytes of data after the header */
	} bad[] = {
		{ "total length one short", RPMEM_GPSPM_PERSIST_INLINE,
			HDR, 100, 99 },
		{ "total length one long", RPMEM_GPSPM_PERSIST_INLINE,
			HDR, 100, 101 },
		{ "no data", RPMEM_GPSPM_PERSIST_INLINE, HDR, 100, 0 },
		{ "length 0", RPMEM_GPSPM_PERSIST_INLINE, HDR, 0, 0 },
		{ "length max + 1, max sent",
			RPMEM_GPSPM_DEEP_PERSIST_INLINE, HDR, max + 1, max },
		{ "range in the header", RPMEM_GPSPM_PERSIST_INLINE,
			HDR - 4, 8, 8 },
		{ "range past the end", RPMEM_GPSPM_PERSIST_INLINE,
			POOL_SIZE - 4, 8, 8 },
		{ "data on PERSIST", RPMEM_GPSPM_PERSIST, HDR, 8, 8 },
	};

	if (daemon_start(&d, RPMEM_PM_GPSPM, 2))
		goto out;
	snprintf(port, sizeof(port), "%u", d.info.port);
	if (getaddrinfo(Target, port, &hints, &ai)) {
		CHECK(0, "getaddrinfo");
		goto out_daemon;
	}
	memset(&la, 0, sizeof(la));
	la.dst = ai->ai_addr;
	la.secret = d.secret;
	la.timeout_ms = TIMEOUT_MS;
	la.spin_us = 100;
	if (!CHECK(raw_connect(&la, 1, &pd, &lane) == 0, "raw lane 1"))
		goto out_lanes;

	n0 = ncalls(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_inline(msg, bad[i].op, 1, bad[i].off, bad[i].len,
			300 + (uint32_t)i);
		ret = raw_send(lane, msg, RPMEM_GPSPM_REQ_SIZE + bad[i].sent,
			&status);
		CHECK(ret == 0 && status == RPMEM_ST_PROTO, "inline request "
			"(%s) -> PROTO status", bad[i].what);
	}
	CHECK(ncalls(&d) == n0, "malformed inline requests reached the "
		"flush callback");
	pool_matches(&d, shadow, "after malformed inline requests");

	/* a valid one, unaligned, after them: copied, flushed, answered */
	raw_inline(msg, RPMEM_GPSPM_PERSIST_INLINE, 1, HDR + 1029, 300, 400);
	memcpy(shadow + HDR + 1029, msg + RPMEM_GPSPM_REQ_SIZE, 300);
	ret = raw_send(lane, msg, RPMEM_GPSPM_REQ_SIZE + 300, &status);
	CHECK(ret == 0 && status == RPMEM_ST_OK && ncalls(&d) == n0 + 1 &&
		d.seen_off == HDR + 1029 && d.seen_len == 300 && !d.seen_deep,
		"valid inline request after malformed ones");
	pool_matches(&d, shadow, "valid inline request");

	/* max + 1 bytes of data: longer than the RECV, the lane fails */
	raw_inline(msg, RPMEM_GPSPM_PERSIST_INLINE, 1, HDR, max + 1, 401);
	errno = 0;
	ret = raw_send(lane, msg, RPMEM_GPSPM_REQ_MAX_SIZE + 1, &status);
	CHECK(ret == -1 && lane->err != 0, "inline request longer than the "
		"daemon's RECV buffer fails the lane (ret %d, lane err %d)",
		ret, lane->err);
	printf("# oversized inline request: %s\n", rpmem_err_get());
	CHECK(ncalls(&d) == n0 + 1, "the oversized request reached the "
		"flush callback");
	pool_matches(&d, shadow, "after the oversized request");

	/* ... and only that lane: another one is served */
	if (CHECK(raw_connect(&la, 0, &pd, &lane0) == 0, "raw lane 0 after "
			"the failed lane")) {
		raw_inline(msg, RPMEM_GPSPM_DEEP_PERSIST_INLINE, 0,
			POOL_SIZE - max, max, 402);
		memcpy(shadow + POOL_SIZE - max, msg + RPMEM_GPSPM_REQ_SIZE,
			max);
		ret = raw_send(lane0, msg, RPMEM_GPSPM_REQ_MAX_SIZE, &status);
		CHECK(ret == 0 && status == RPMEM_ST_OK &&
			ncalls(&d) == n0 + 2 && d.seen_off == POOL_SIZE - max &&
			d.seen_len == max && d.seen_deep, "max-size deep "
			"inline request at the pool end on another lane");
		pool_matches(&d, shadow, "max-size inline request");
		rpmem_lane_disconnect(lane0);
		rpmem_lane_wait_disconnected(lane0,
			rpmem_now_ns() / 1000000 + 2000);
	}
	if (Failures == fails0)
		ok("GPSPM: crafted inline requests get PROTO, an oversized one "
			"fails its lane only");
out_lanes:
	rpmem_lane_delete(&lane0);
	rpmem_lane_delete(&lane);
	if (pd)
		ibv_dealloc_pd(pd);
	freeaddrinfo(ai);
out_daemon:
	daemon_stop(&d);
out:
	munmap(shadow, POOL_SIZE);
}

/* test_gpspm_raw -- crafted requests on a raw lane: error status, alive */
static void
test_gpspm_raw(void)
{
	struct daemon d;
	struct rpmem_lane *lane = NULL, *lane2 = NULL;
	struct rpmem_lane_attr la;
	struct rpmem_lane_qp_cfg cfg = { 8, 1, 16, 3, 3, 1, 0 };
	struct ibv_pd *pd = NULL;
	struct addrinfo *ai;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM };
	char port[8];
	uint8_t buf[RPMEM_GPSPM_REQ_SIZE];
	struct rpmem_gpspm_req r;
	uint32_t status;
	unsigned n0;
	int fails0 = Failures, exhausted;

	if (daemon_start(&d, RPMEM_PM_GPSPM, 2))
		return;
	snprintf(port, sizeof(port), "%u", d.info.port);
	if (getaddrinfo(Target, port, &hints, &ai)) {
		CHECK(0, "getaddrinfo");
		goto out_daemon;
	}
	memset(&la, 0, sizeof(la));
	la.dst = ai->ai_addr;
	la.index = 1;
	la.secret = d.secret;
	la.timeout_ms = TIMEOUT_MS;
	la.spin_us = 100;
	if (!CHECK(rpmem_lane_new(&la, &lane) == 0, "raw lane: resolve"))
		goto out_ai;
	pd = ibv_alloc_pd(rpmem_lane_verbs(lane));
	if (!CHECK(pd && rpmem_lane_connect(lane, pd, &cfg, &exhausted) == 0,
			"raw lane: connect"))
		goto out_lane;

	n0 = ncalls(&d);
	struct {
		const char *what;
		uint64_t off, len;
		uint32_t lane;
		int bad_magic;
	} bad[] = {
		{ "range in the header", 0, 8, 1, 0 },
		{ "range past the end", POOL_SIZE - 4, 8, 1, 0 },
		{ "overflowing range", UINT64_MAX - 2, 8, 1, 0 },
		{ "huge length", HDR, UINT64_MAX, 1, 0 },
		{ "lane mismatch", HDR, 8, 0, 0 },
		{ "bad magic", HDR, 8, 1, 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = (struct rpmem_gpspm_req){ RPMEM_GPSPM_PERSIST, bad[i].lane,
			bad[i].off, bad[i].len, 100 + (uint32_t)i };
		rpmem_gpspm_req_encode(&r, buf);
		if (bad[i].bad_magic)
			buf[0] ^= 0xff;
		CHECK(raw_req(lane, buf, &status) == 0 &&
			status == RPMEM_ST_PROTO, "crafted request (%s) -> "
			"PROTO status", bad[i].what);
	}
	CHECK(ncalls(&d) == n0, "crafted requests reached the flush callback");
	r = (struct rpmem_gpspm_req){ RPMEM_GPSPM_PERSIST, 1, HDR + 512, 100,
		200 };
	rpmem_gpspm_req_encode(&r, buf);
	CHECK(raw_req(lane, buf, &status) == 0 && status == RPMEM_ST_OK &&
		ncalls(&d) == n0 + 1 && d.seen_off == HDR + 512 &&
		d.seen_len == 100, "valid request after crafted ones");

	/* the same lane number again: refused while lane 1 is connected */
	if (CHECK(rpmem_lane_new(&la, &lane2) == 0, "second lane 1: resolve")) {
		errno = 0;
		CHECK(rpmem_lane_connect(lane2, pd, &cfg, &exhausted) == -1 &&
			errno == ECONNREFUSED, "second lane 1 refused");
		rpmem_lane_delete(&lane2);
	}
	if (Failures == fails0)
		ok("GPSPM: crafted requests get an error status, daemon serves on");
	rpmem_lane_disconnect(lane);
	rpmem_lane_wait_disconnected(lane, rpmem_now_ns() / 1000000 + 2000);
out_lane:
	rpmem_lane_delete(&lane);
	if (pd)
		ibv_dealloc_pd(pd);
out_ai:
	freeaddrinfo(ai);
out_daemon:
	daemon_stop(&d);
}

/* ------------------------------------------------------------------ */

/*
 * lane_counts -- the daemon's last "lane N: R requests served, I with
 * inline data" line in Log (written when the lane is destroyed); 0 if found
 */
static int
lane_counts(unsigned lane, unsigned long long *req, unsigned long long *inl)
{
	FILE *f = fopen(Log, "r");
	char line[512];
	int found = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "lane ");
		unsigned l;
		unsigned long long r, i;

		if (p != NULL && sscanf(p, "lane %u: %llu requests served, "
				"%llu with inline data", &l, &r, &i) == 3 &&
		    l == lane) {
			*req = r;
			*inl = i;
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/*
 * test_inline -- GPSPM persist and deep persist of 1, 7, 8, max - 1, max
 * and max + 1 bytes at an aligned and an unaligned offset and on the
 * pool's last bytes: the daemon's pool holds exactly them, the flush ran
 * on the range (deep for a deep persist), and the daemon counted one
 * inline request for each range up to the max -- or none, when the client
 * was told the daemon cannot take them (inl 0)
 */
static void
test_inline(int inl)
{
	static const size_t lens[] = { 1, 7, 8, RPMEM_GPSPM_INLINE_MAX - 1,
		RPMEM_GPSPM_INLINE_MAX, RPMEM_GPSPM_INLINE_MAX + 1 };
	const size_t nlens = sizeof(lens) / sizeof(lens[0]);
	struct daemon d;
	struct rpmem_dp *dp = NULL;
	uint8_t *cpool = map(POOL_SIZE), *shadow = map(POOL_SIZE);
	uint8_t *ubuf = malloc(2 * RPMEM_GPSPM_INLINE_MAX);
	uint64_t st = rnd(&Rng);
	unsigned long long req = 0, inreq = 0, want_req = 0, want_inl = 0;
	unsigned got, n0;
	int fails0 = Failures, ret;

	Inline = inl;
	if (truncate(Log, 0) && errno != ENOENT)
		CHECK(0, "truncate %s", Log);
	if (daemon_start(&d, RPMEM_PM_GPSPM, 1))
		goto out;
	ret = client_open(&d, RPMEM_PM_GPSPM, 1, NULL, 0, TIMEOUT_MS, cpool,
		&dp, &got);
	if (!CHECK(ret == 0, "inline %d: rpmem_dp_new", inl))
		goto out_daemon;
	for (int deep = 0; deep <= 1; deep++) {
		for (size_t i = 0; i < nlens; i++) {
			size_t len = lens[i];
			/* aligned, unaligned, the pool's last bytes */
			const size_t offs[] = { HDR + (size_t)deep * 8192,
				HDR + 4096 + 3 + (size_t)deep * 8192,
				POOL_SIZE - len };

			for (size_t o = 0; o < 3; o++) {
				size_t off = offs[o];

				fill(cpool + off, len, &st);
				n0 = ncalls(&d);
				ret = deep ? rpmem_dp_deep_persist(dp, off, len,
					0) : rpmem_dp_persist(dp, off, len, 0);
				CHECK(ret == 0, "inline %d: %spersist [%zu, "
					"+%zu)", inl, deep ? "deep " : "", off,
					len);
				memcpy(shadow + off, cpool + off, len);
				pool_matches(&d, shadow, "inline");
				CHECK(ncalls(&d) == n0 + 1 &&
					d.seen_off == off &&
					d.seen_len == len &&
					d.seen_deep == deep, "inline %d: flush "
					"of [%llu, +%llu) deep %d, expected "
					"[%zu, +%zu) deep %d", inl,
					(unsigned long long)d.seen_off,
					(unsigned long long)d.seen_len,
					d.seen_deep, off, len, deep);
				/* and what a read of it returns */
				memset(ubuf, 0xee, len);
				CHECK(rpmem_dp_read(dp, ubuf, off, len, 0) == 0
					&& memcmp(ubuf, shadow + off, len) == 0,
					"inline %d: read back [%zu, +%zu)", inl,
					off, len);
				want_req++;
				if (inl && len <= RPMEM_GPSPM_INLINE_MAX)
					want_inl++;
			}
		}
	}
	rpmem_dp_delete(&dp);
	daemon_stop(&d);
	/* the service thread is gone: its log lines are all written */
	CHECK(lane_counts(0, &req, &inreq) == 0 && req == want_req &&
		inreq == want_inl, "inline %d: daemon served %llu requests, "
		"%llu inline; expected %llu, %llu", inl, req, inreq, want_req,
		want_inl);
	if (Failures == fails0)
		ok("GPSPM %s: 1, 7, 8, max - 1, max, max + 1 bytes (max %d), "
			"aligned, unaligned, at the pool end; %llu of %llu "
			"requests inline", inl ? "inline requests" :
			"requests without data (old daemon)",
			RPMEM_GPSPM_INLINE_MAX, inreq, req);
	goto out;
out_daemon:
	daemon_stop(&d);
out:
	free(ubuf);
	munmap(cpool, POOL_SIZE);
	munmap(shadow, POOL_SIZE);
}

/* ------------------------------------------------------------------ */

/* test_timeout -- a slow flush times out; the lane recovers afterwards */
static void
test_timeout(void)
{
	struct daemon d;
	struct rpmem_dp *dp;
	uint8_t *cpool = map(POOL_SIZE);
	unsigned got;
	uint64_t t0, dt;
	int fails0 = Failures, ret;

	if (daemon_start(&d, RPMEM_PM_GPSPM, 1))
		goto out;
	if (!CHECK(client_open(&d, RPMEM_PM_GPSPM, 1, NULL, 0, 400, cpool,
			&dp, &got) == 0, "open with a 400 ms timeout"))
		goto out_daemon;
	set_flush_behaviour(&d, RPMEM_ST_OK, 1200);
	memset(cpool + HDR, 1, 64);
	t0 = rpmem_now_ns();
	errno = 0;
	ret = rpmem_dp_persist(dp, HDR, 64, 0);
	dt = (rpmem_now_ns() - t0) / 1000000;
	CHECK(ret == -1 && errno == ETIMEDOUT && dt >= 390 && dt < 400 + 5000,
		"slow flush -> ETIMEDOUT after %llu ms",
		(unsigned long long)dt);
	usleep(1200 * 1000);
	memset(cpool + HDR, 2, 64);
	ret = rpmem_dp_persist(dp, HDR, 64, 0);
	CHECK(ret == 0 && ncalls(&d) == 2 &&
		pool_diff(d.pool + HDR, cpool + HDR, 64) < 0,
		"the lane recovers after a timeout");
	rpmem_dp_delete(&dp);
	if (Failures == fails0)
		ok("timeout: ETIMEDOUT, then the next persist drains and works");
out_daemon:
	daemon_stop(&d);
out:
	munmap(cpool, POOL_SIZE);
}

/* ------------------------------------------------------------------ */

struct killer {
	struct rpmem_dp *dp;
	uint8_t *cpool;
	int started;	/* atomic */
	int err;
	uint64_t t_err;
	unsigned done;
};

/* persist_until_error -- persist in a loop until a call fails */
static void *
persist_until_error(void *arg)
{
	struct killer *k = arg;
	uint64_t deadline = rpmem_now_ns() + 20000000000ull;

	k->err = 0;
	while (rpmem_now_ns() < deadline) {
		k->cpool[HDR + (k->done % 4096)]++;
		if (rpmem_dp_persist(k->dp, HDR, 4096, 0)) {
			k->err = errno;
			k->t_err = rpmem_now_ns();
			printf("# persist failed: %s\n", rpmem_err_get());
			return NULL;
		}
		k->done++;
		__atomic_store_n(&k->started, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* run_dead_peer -- persist loop, then `kill` the target, time the error */
static void
run_dead_peer(uint16_t pm, const char *how, int timeout_ms,
		void (*kill_fn)(struct daemon *))
{
	struct daemon d;
	struct killer k;
	pthread_t t;
	uint8_t *cpool = map(POOL_SIZE);
	unsigned got;
	uint64_t t_kill, t0, dt;
	int fails0 = Failures, daemon_alive = 1;

	memset(&k, 0, sizeof(k));
	k.cpool = cpool;
	if (daemon_start(&d, pm, 1))
		goto out;
	if (!CHECK(client_open(&d, pm, 1, NULL, 0, timeout_ms, cpool, &k.dp,
			&got) == 0, "open"))
		goto out_daemon;
	pthread_create(&t, NULL, persist_until_error, &k);
	while (!__atomic_load_n(&k.started, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(100 * 1000);
	t_kill = rpmem_now_ns();
	kill_fn(&d);
	if (d.rdma == NULL)
		daemon_alive = 0;
	pthread_join(t, NULL);
	dt = k.t_err > t_kill ? (k.t_err - t_kill) / 1000000 : 0;
	CHECK((k.err == ECONNRESET || k.err == ETIMEDOUT) &&
		dt <= (uint64_t)timeout_ms + 5000, "%s %s: persist fails with "
		"ECONNRESET/ETIMEDOUT in bounded time (errno %d after %llu ms)",
		pm_str(pm), how, k.err, (unsigned long long)dt);
	printf("# %s %s: %u persists, then errno %d (%s) %llu ms after the "
		"kill\n", pm_str(pm), how, k.done, k.err, strerror(k.err),
		(unsigned long long)dt);
	errno = 0;
	CHECK(rpmem_dp_persist(k.dp, HDR, 8, 0) == -1 &&
		(errno == ECONNRESET || errno == ETIMEDOUT || errno == EIO),
		"a later persist fails too");
	t0 = rpmem_now_ns();
	rpmem_dp_delete(&k.dp);
	dt = (rpmem_now_ns() - t0) / 1000000;
	CHECK(dt < 10000, "rpmem_dp_delete returned after %llu ms",
		(unsigned long long)dt);
	if (Failures == fails0)
		ok("%s %s: client fails cleanly, delete took %llu ms",
			pm_str(pm), how, (unsigned long long)dt);
out_daemon:
	if (daemon_alive)
		daemon_stop(&d);
	else
		munmap(d.pool, POOL_SIZE);
out:
	munmap(cpool, POOL_SIZE);
}

/* kill_daemon -- tear the daemon's RDMA side down mid-persist */
static void
kill_daemon(struct daemon *d)
{
	rpmemd_rdma_delete(&d->rdma);
}

/* link_down -- RigLink (test/rdma/rig-link) down */
static const char *RigLink;

static void
link_down(struct daemon *d)
{
	char cmd[4096];

	(void) d;
	snprintf(cmd, sizeof(cmd), "%s down", RigLink);
	if (system(cmd))
		printf("# %s failed\n", cmd);
}

/* ------------------------------------------------------------------ */

/* cmp_u64 -- qsort order of samples */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* lat_print -- median / p99 / mean of n samples (ns) */
static void
lat_print(const char *what, size_t size, uint64_t *s, int n)
{
	uint64_t sum = 0;

	for (int i = 0; i < n; i++)
		sum += s[i];
	qsort(s, (size_t)n, sizeof(*s), cmp_u64);
	printf("lat %-14s %8zu B: median %7.1f us  p99 %7.1f us  mean "
		"%7.1f us  (n=%d)\n", what, size, (double)s[n / 2] / 1e3,
		(double)s[(n * 99) / 100] / 1e3, (double)sum / n / 1e3, n);
}

/* test_latency -- per-persist and per-read latency by size */
static void
test_latency(uint16_t pm)
{
	static const size_t sizes[] = { 8, 64, 512, 4096, 65536, MiB };
	struct daemon d;
	struct rpmem_dp *dp;
	uint8_t *cpool = map(POOL_SIZE);
	uint8_t *ubuf = malloc(MiB);
	uint64_t *s = malloc(2000 * sizeof(*s));
	unsigned got;
	char what[32];

	if (daemon_start(&d, pm, 1))
		goto out;
	if (!CHECK(client_open(&d, pm, 1, NULL, 0, TIMEOUT_MS, cpool, &dp,
			&got) == 0, "open"))
		goto out_daemon;
	memset(cpool, 0x5a, POOL_SIZE);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t sz = sizes[i];
		int n = sz <= 4096 ? 2000 : sz <= 65536 ? 300 : 40;

		for (int j = -20; j < n; j++) {	/* 20 warm-up rounds */
			uint64_t t0 = rpmem_now_ns();
			if (rpmem_dp_persist(dp, HDR + 4096, sz, 0)) {
				CHECK(0, "latency persist");
				goto out_dp;
			}
			if (j >= 0)
				s[j] = rpmem_now_ns() - t0;
		}
		snprintf(what, sizeof(what), "%s persist", pm_str(pm));
		lat_print(what, sz, s, n);
	}
	for (int zc = 0; zc < 2; zc++) {
		for (size_t i = 0; i < 4; i += 3) {
			size_t sz = sizes[i];
			int n = 1000;

			for (int j = -20; j < n; j++) {
				uint64_t t0 = rpmem_now_ns();
				if (rpmem_dp_read(dp, zc ? cpool + HDR : ubuf,
						HDR, sz, 0)) {
					CHECK(0, "latency read");
					goto out_dp;
				}
				if (j >= 0)
					s[j] = rpmem_now_ns() - t0;
			}
			lat_print(zc ? "read zero-copy" : "read bounce", sz, s,
				n);
		}
	}
out_dp:
	rpmem_dp_delete(&dp);
out_daemon:
	daemon_stop(&d);
out:
	free(s);
	free(ubuf);
	munmap(cpool, POOL_SIZE);
}

int
main(int argc, char *argv[])
{
	int lat_only = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lat") == 0)
			lat_only = 1;
		else if (strcmp(argv[i], "--linkdown") == 0 && i + 1 < argc)
			RigLink = argv[++i];
	}
	Target = getenv("RPMEM_TEST_TARGET_ADDR");
	if (Target == NULL || *Target == '\0') {
		fprintf(stderr, "dp_test: RPMEM_TEST_TARGET_ADDR is not set "
			"(run inside tools/rxe-vm)\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the daemon side's log: its lines say which request path ran */
	snprintf(Log, sizeof(Log), "/tmp/dp_test-%d.log", (int)getpid());
	if (rpmemd_log_setup(Log, 0, RPMEMD_LOG_INFO)) {
		fprintf(stderr, "dp_test: rpmemd_log_setup(%s): %s\n", Log,
			strerror(errno));
		return 1;
	}
	printf("# dp_test: target %s, RPMEM_SPIN_US=%s RPMEMD_SPIN_US=%s\n",
		Target, getenv("RPMEM_SPIN_US") ? getenv("RPMEM_SPIN_US") :
		"(default)", getenv("RPMEMD_SPIN_US") ?
		getenv("RPMEMD_SPIN_US") : "(default)");

	if (!lat_only) {
		for (uint16_t pm = RPMEM_PM_APM; pm <= RPMEM_PM_GPSPM; pm++) {
			test_persist_read(pm, 0);
			test_persist_read(pm, 16384);	/* split transfers */
			test_lanes(pm);
		}
		/* what librpmem does with this daemon from here on */
		Inline = 1;
		test_persist_read(RPMEM_PM_GPSPM, 0);
		test_lanes(RPMEM_PM_GPSPM);
		test_inline(0);
		test_inline(1);
		test_auth();
		test_gpspm_raw();
		test_gpspm_raw_inline();
		test_timeout();
		run_dead_peer(RPMEM_PM_APM, "daemon torn down", 3000,
			kill_daemon);
		run_dead_peer(RPMEM_PM_GPSPM, "daemon torn down", 3000,
			kill_daemon);
	}
	test_latency(RPMEM_PM_APM);
	test_latency(RPMEM_PM_GPSPM);
	/* opt-in: the API-level network-loss test is fault_test's link_down */
	if (RigLink != NULL) {
		run_dead_peer(RPMEM_PM_APM, "target link down", 3000,
			link_down);
	}
	printf("# %d checks, %d failures\n", Checks, Failures);
	if (Failures == 0)
		unlink(Log);
	else
		printf("# the daemon side's log: %s\n", Log);
	return Failures ? 1 : 0;
}
