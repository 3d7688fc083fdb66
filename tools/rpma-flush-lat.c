/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpma-flush-lat.c -- the librpma peer of rpmem-bench's APM persist: per
 * size, rpma_write (no completion) + rpma_flush(RPMA_FLUSH_TYPE_VISIBILITY,
 * completion always), i.e. an RDMA WRITE and an 8-byte RDMA READ after it,
 * timed until the flush's completion -- what tools/rpmem-compare sets
 * next to rpmem_persist (APM) and ib_read_lat.
 *
 * usage:
 *   rpma-flush-lat --server ADDR [--port P] [--max-size SIZE]
 *       one connection: registers SIZE bytes (default 1M) for WRITE, READ
 *       and visibility flush, sends their descriptor in the connection's
 *       private data, prints "listening", exits when the client is gone
 *   rpma-flush-lat --client ADDR [--port P] [--sizes LIST] [--iters N]
 *                  [--warmup N] [--spin-us N]
 *       prints "result write+flush SIZE N MIN P50 P99 P99.9 MAX" (us)
 *
 * The client busy-polls the CQ for --spin-us (default RPMEM_SPIN_US, else
 * 1000 -- what tools/rpmem-compare gives librpmem too) and then blocks on
 * the completion channel, like a librpmem lane.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librpma.h>

#include "bench_args.h"
#include "bench_stats.h"

#define MAX_SIZES 32
#define MAX_ITERS 100000000ull	/* samples: 8 bytes each */
#define MAX_SPIN_US 10000000ull
#define DEF_PORT "7471"

/* check -- a librpma call that must succeed */
#define check(call) do {						\
	int ret_ = (call);						\
	if (ret_) {							\
		fprintf(stderr, "rpma-flush-lat: %s: %s\n", #call,	\
			rpma_err_2str(ret_));				\
		exit(1);						\
	}								\
} while (0)

static void *
alloc(size_t size)
{
	void *p;

	if (posix_memalign(&p, (size_t)sysconf(_SC_PAGESIZE), size)) {
		fprintf(stderr, "rpma-flush-lat: out of memory\n");
		exit(1);
	}
	memset(p, 0x5a, size);
	return p;
}

static int
server(const char *addr, const char *port, size_t max_size)
{
	struct ibv_context *ctx;
	struct rpma_peer *peer;
	struct rpma_mr_local *mr;
	struct rpma_ep *ep;
	struct rpma_conn_req *req;
	struct rpma_conn *conn;
	struct rpma_conn_private_data pdata;
	enum rpma_conn_event ev;
	char desc[256];
	size_t dsize;
	void *buf = alloc(max_size);

	check(rpma_utils_get_ibv_context(addr, RPMA_UTIL_IBV_CONTEXT_LOCAL,
		&ctx));
	check(rpma_peer_new(ctx, &peer));
	check(rpma_mr_reg(peer, buf, max_size, RPMA_MR_USAGE_WRITE_DST |
		RPMA_MR_USAGE_READ_SRC | RPMA_MR_USAGE_FLUSH_TYPE_VISIBILITY,
		&mr));
	check(rpma_mr_get_descriptor_size(mr, &dsize));
	if (dsize > sizeof(desc)) {
		fprintf(stderr, "rpma-flush-lat: descriptor too large\n");
		return 1;
	}
	check(rpma_mr_get_descriptor(mr, desc));
	check(rpma_ep_listen(peer, addr, port, &ep));
	printf("listening on %s:%s\n", addr, port);
	fflush(stdout);
	check(rpma_ep_next_conn_req(ep, NULL, &req));
	pdata.ptr = desc;
	pdata.len = (uint8_t)dsize;
	check(rpma_conn_req_connect(&req, &pdata, &conn));
	check(rpma_conn_next_event(conn, &ev));
	if (ev != RPMA_CONN_ESTABLISHED) {
		fprintf(stderr, "rpma-flush-lat: connection: %s\n",
			rpma_utils_conn_event_2str(ev));
		return 1;
	}
	/* the client does all the work; wait for it to go */
	(void) rpma_conn_next_event(conn, &ev);
	(void) rpma_conn_disconnect(conn);
	(void) rpma_conn_delete(&conn);
	(void) rpma_ep_shutdown(&ep);
	(void) rpma_mr_dereg(&mr);
	(void) rpma_peer_delete(&peer);
	free(buf);
	return 0;
}

/* wait_one -- the flush's completion: spin spin_ns, then block */
static void
wait_one(struct rpma_cq *cq, uint64_t spin_ns)
{
	uint64_t t0 = rpmem_now_ns();
	struct ibv_wc wc;
	int got, ret;

	for (;;) {
		ret = rpma_cq_get_wc(cq, 1, &wc, &got);
		if (ret == 0 && got == 1)
			break;
		if (ret && ret != RPMA_E_NO_COMPLETION)
			check(ret);
		/* a stale event only costs one more round */
		if (rpmem_now_ns() - t0 > spin_ns)
			check(rpma_cq_wait(cq));
	}
	if (wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "rpma-flush-lat: completion: %s\n",
			ibv_wc_status_str(wc.status));
		exit(1);
	}
}

static int
client(const char *addr, const char *port, const size_t *sizes,
		unsigned nsizes, uint64_t iters, uint64_t warmup,
		uint64_t spin_ns)
{
	struct ibv_context *ctx;
	struct rpma_peer *peer;
	struct rpma_mr_local *mr;
	struct rpma_mr_remote *rmr;
	struct rpma_conn_req *req;
	struct rpma_conn *conn;
	struct rpma_conn_private_data pdata;
	struct rpma_cq *cq;
	enum rpma_conn_event ev;
	size_t max = 0, rsize;
	uint64_t *s = malloc(iters * sizeof(*s));	/* <= MAX_ITERS */

	for (unsigned i = 0; i < nsizes; i++)
		if (sizes[i] > max)
			max = sizes[i];
	void *buf = alloc(max);

	if (s == NULL) {
		fprintf(stderr, "rpma-flush-lat: cannot allocate %llu samples\n",
			(unsigned long long)iters);
		return 1;
	}
	check(rpma_utils_get_ibv_context(addr, RPMA_UTIL_IBV_CONTEXT_REMOTE,
		&ctx));
	check(rpma_peer_new(ctx, &peer));
	check(rpma_mr_reg(peer, buf, max, RPMA_MR_USAGE_WRITE_SRC, &mr));
	check(rpma_conn_req_new(peer, addr, port, NULL, &req));
	check(rpma_conn_req_connect(&req, NULL, &conn));
	check(rpma_conn_next_event(conn, &ev));
	if (ev != RPMA_CONN_ESTABLISHED) {
		fprintf(stderr, "rpma-flush-lat: connection: %s\n",
			rpma_utils_conn_event_2str(ev));
		return 1;
	}
	check(rpma_conn_get_private_data(conn, &pdata));
	check(rpma_mr_remote_from_descriptor(pdata.ptr, pdata.len, &rmr));
	check(rpma_mr_remote_get_size(rmr, &rsize));
	if (rsize < max) {
		fprintf(stderr, "rpma-flush-lat: the server registered %zu "
			"bytes, %zu needed\n", rsize, max);
		return 1;
	}
	check(rpma_conn_get_cq(conn, &cq));
	printf("# librpma write + flush(visibility), %s, spin %" PRIu64
		" us then block\n", ibv_get_device_name(ctx->device),
		spin_ns / 1000);

	for (unsigned i = 0; i < nsizes; i++) {
		size_t size = sizes[i];
		struct lat_summary l;

		for (uint64_t j = 0; j < warmup + iters; j++) {
			uint64_t t = rpmem_now_ns();

			check(rpma_write(conn, rmr, 0, mr, 0, size,
				RPMA_F_COMPLETION_ON_ERROR, NULL));
			check(rpma_flush(conn, rmr, 0, size,
				RPMA_FLUSH_TYPE_VISIBILITY,
				RPMA_F_COMPLETION_ALWAYS, NULL));
			wait_one(cq, spin_ns);
			if (j >= warmup)
				s[j - warmup] = rpmem_now_ns() - t;
		}
		lat_summarize(s, iters, &l);
		printf("result write+flush %zu %" PRIu64 " %.2f %.2f %.2f %.2f "
			"%.2f %.2f\n", size, iters, l.min, l.p50, l.p99,
			l.p999, l.max, l.mean);
		fflush(stdout);
	}
	check(rpma_conn_disconnect(conn));
	(void) rpma_conn_next_event(conn, &ev);
	(void) rpma_conn_delete(&conn);
	(void) rpma_mr_remote_delete(&rmr);
	(void) rpma_mr_dereg(&mr);
	(void) rpma_peer_delete(&peer);
	free(buf);
	free(s);
	return 0;
}

/* bad_arg -- name the value refused, then the usage */
static void
bad_arg(const char *what, const char *v, uint64_t max)
{
	fprintf(stderr, "rpma-flush-lat: %s: invalid count '%s' (0..%llu)\n",
		what, v, (unsigned long long)max);
	exit(2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: rpma-flush-lat --server ADDR [--port P] "
		"[--max-size SIZE]\n"
		"       rpma-flush-lat --client ADDR [--port P] [--sizes LIST] "
		"[--iters N] [--warmup N] [--spin-us N]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "iters", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "spin-us", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *srv = NULL, *cli = NULL, *port = DEF_PORT;
	const char *spin_env = getenv("RPMEM_SPIN_US");
	size_t sizes[MAX_SIZES] = { 64, 4096, 1 << 20 }, max_size = 1 << 20;
	unsigned nsizes = 3;
	uint64_t iters = 1000, warmup = 10;
	uint64_t spin_us = 1000;
	char *tok, *save;

	if (spin_env != NULL && spin_env[0] != '\0' &&
			bench_parse_count(spin_env, MAX_SPIN_US, &spin_us))
		bad_arg("RPMEM_SPIN_US", spin_env, MAX_SPIN_US);
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': srv = optarg; break;
		case 'c': cli = optarg; break;
		case 'p': port = optarg; break;
		case 'm':
			if (bench_parse_size(optarg, &max_size))
				usage();
			break;
		case 'z':
			nsizes = 0;
			for (tok = strtok_r(optarg, ",", &save); tok;
					tok = strtok_r(NULL, ",", &save)) {
				if (nsizes == MAX_SIZES ||
						bench_parse_size(tok, &sizes[nsizes]))
					usage();
				nsizes++;
			}
			break;
		/* the samples are in memory: 8 bytes each */
		case 'n':
			if (bench_parse_count(optarg, MAX_ITERS, &iters))
				bad_arg("--iters", optarg, MAX_ITERS);
			break;
		case 'w':
			if (bench_parse_count(optarg, MAX_ITERS, &warmup))
				bad_arg("--warmup", optarg, MAX_ITERS);
			break;
		case 'u':
			if (bench_parse_count(optarg, MAX_SPIN_US, &spin_us))
				bad_arg("--spin-us", optarg, MAX_SPIN_US);
			break;
		default: usage();
		}
	}
	if ((srv == NULL) == (cli == NULL) || optind != argc || iters == 0 ||
			nsizes == 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (srv != NULL)
		return server(srv, port, max_size);
	return client(cli, port, sizes, nsizes, iters, warmup,
		spin_us * 1000);
}
