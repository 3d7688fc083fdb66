/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_gpspm_serve.c -- the daemon serving one lane's CQ
 * (rpmemd_gpspm_serve_cq) without an RDMA device: ibv_poll_cq,
 * ibv_post_recv and ibv_post_send are inline calls through the context's
 * ops, so a fake context scripts the completions and records the posts,
 * and rdma_disconnect is defined here (the executable's definition wins
 * over librdmacm's) to see the lane being closed.
 *
 * The rule under test is the one both sides follow: a CQ that cannot be
 * polled, or an error completion, closes the lane (the client's lane_poll
 * kills its lane in the same cases); a request is flushed and answered
 * with its seq, a bad one answered with a refusal and nothing flushed.
 * An inline request's bytes are in the pool before the flush sees them; a
 * malformed one changes nothing.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpspm_serve.h"
#include "rdma_server_int.h"
#include "rpmem_proto.h"

#define POOL_SIZE (1u << 16)
#define HDR_SIZE 4096u
#define LANE 2u

/* what the fake device does and saw */
static struct {
	int poll_ret;			/* < 0: ibv_poll_cq fails */
	struct ibv_wc wc[4];		/* returned when poll_ret > 0 */
	int posted_recv;
	int posted_send;
	uint8_t resp[RPMEM_GPSPM_RESP_SIZE];	/* last response SENT */
	int disconnects;
	struct rdma_cm_id *disconnected;
	int flushes;
	size_t flush_off, flush_len;
	int flush_deep;
	int flush_saw_bytes;	/* the pool held the payload at the flush */
	const uint8_t *expect;	/* ... this payload (NULL: not checked) */
} Dev;

static uint8_t Pool[POOL_SIZE];
static uint8_t Page[4096] __attribute__((aligned(64)));
static struct ibv_context Ctx;
static struct ibv_cq Cq;
static struct ibv_qp Qp;
static struct rdma_cm_id Id;
static struct rpmemd_rdma Rdma;
static struct rpmemd_lane Lane;

/* rdma_disconnect -- librdmacm's, replaced: count and remember */
int
rdma_disconnect(struct rdma_cm_id *id)
{
	Dev.disconnects++;
	Dev.disconnected = id;
	return 0;
}

static int
fake_poll_cq(struct ibv_cq *cq, int num, struct ibv_wc *wc)
{
	int n = Dev.poll_ret;

	(void) cq;
	if (n <= 0)
		return n;
	if (n > num)
		n = num;
	memcpy(wc, Dev.wc, (size_t)n * sizeof(*wc));
	Dev.poll_ret = 0;	/* consumed */
	return n;
}

static int
fake_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
		struct ibv_recv_wr **bad)
{
	(void) qp;
	(void) wr;
	(void) bad;
	Dev.posted_recv++;
	return 0;
}

static int
fake_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
		struct ibv_send_wr **bad)
{
	(void) qp;
	(void) bad;
	Dev.posted_send++;
	ck_assert_int_eq(wr->sg_list->length, RPMEM_GPSPM_RESP_SIZE);
	memcpy(Dev.resp, (void *)(uintptr_t)wr->sg_list->addr,
		RPMEM_GPSPM_RESP_SIZE);
	return 0;
}

/* flush -- the server's persist callback */
static int
flush(void *ctx, void *addr, size_t len, int deep)
{
	ck_assert_ptr_eq(ctx, &Rdma);
	Dev.flushes++;
	Dev.flush_off = (size_t)((uint8_t *)addr - Pool);
	Dev.flush_len = len;
	Dev.flush_deep = deep;
	Dev.flush_saw_bytes = Dev.expect != NULL &&
		memcmp(addr, Dev.expect, len) == 0;
	return RPMEM_ST_OK;
}

/* setup -- one established lane of a server over Pool */
static void
setup(void)
{
	memset(&Dev, 0, sizeof(Dev));
	memset(&Ctx, 0, sizeof(Ctx));
	Ctx.ops.poll_cq = fake_poll_cq;
	Ctx.ops.post_recv = fake_post_recv;
	Ctx.ops.post_send = fake_post_send;
	Cq.context = &Ctx;
	Qp.context = &Ctx;

	memset(&Rdma, 0, sizeof(Rdma));
	Rdma.pool_addr = Pool;
	Rdma.pool_size = POOL_SIZE;
	Rdma.hdr_size = HDR_SIZE;
	Rdma.persist = flush;
	Rdma.persist_ctx = &Rdma;

	memset(&Lane, 0, sizeof(Lane));
	Lane.rdma = &Rdma;
	Lane.index = LANE;
	Lane.state = LANE_ESTABLISHED;
	Lane.id = &Id;
	Lane.cq = &Cq;
	Lane.qp = &Qp;
	Lane.page = Page;
	Lane.ssge.length = RPMEM_GPSPM_RESP_SIZE;
	Lane.swr.sg_list = &Lane.ssge;
	Lane.swr.num_sge = 1;
	Lane.rwr.sg_list = &Lane.rsge;
	Lane.rwr.num_sge = 1;
}

/* request -- a RECV completion carrying a request for [off, off + len) */
static void
request(uint32_t lane, uint64_t off, uint64_t len, uint32_t seq)
{
	struct rpmem_gpspm_req r = {
		.op = RPMEM_GPSPM_PERSIST, .lane = lane, .offset = off,
		.length = len, .seq = seq,
	};

	rpmem_gpspm_req_encode(&r, Page);
	memset(&Dev.wc[0], 0, sizeof(Dev.wc[0]));
	Dev.wc[0].status = IBV_WC_SUCCESS;
	Dev.wc[0].opcode = IBV_WC_RECV;
	Dev.wc[0].byte_len = RPMEM_GPSPM_REQ_SIZE;
	Dev.poll_ret = 1;
}

/*
 * request_inline -- a RECV completion carrying an inline request of op
 * for [off, off + len) with payload pl, received as byte_len bytes
 */
static void
request_inline(uint32_t op, uint64_t off, uint64_t len, const uint8_t *pl,
		size_t plen, uint32_t byte_len, uint32_t seq)
{
	struct rpmem_gpspm_req r = {
		.op = op, .lane = LANE, .offset = off, .length = len,
		.seq = seq,
	};

	rpmem_gpspm_req_encode(&r, Page);
	memcpy(Page + RPMEM_GPSPM_REQ_SIZE, pl, plen);
	memset(&Dev.wc[0], 0, sizeof(Dev.wc[0]));
	Dev.wc[0].status = IBV_WC_SUCCESS;
	Dev.wc[0].opcode = IBV_WC_RECV;
	Dev.wc[0].byte_len = byte_len;
	Dev.poll_ret = 1;
}

/* response -- decode what the lane SENT last */
static struct rpmem_gpspm_resp
response(void)
{
	struct rpmem_gpspm_resp resp;

	ck_assert_int_eq(rpmem_gpspm_resp_decode(Dev.resp,
		RPMEM_GPSPM_RESP_SIZE, &resp), 0);
	return resp;
}

START_TEST(poll_failure_closes_lane)
{
	Dev.poll_ret = -1;
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 0);
	ck_assert_int_eq(Lane.state, LANE_CLOSING);
	ck_assert_int_eq(Dev.disconnects, 1);
	ck_assert_ptr_eq(Dev.disconnected, &Id);
	/* still failing while it closes: disconnected once, not per poll */
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 0);
	ck_assert_int_eq(Dev.disconnects, 1);
	ck_assert_int_eq(Dev.posted_send + Dev.posted_recv + Dev.flushes, 0);
}
END_TEST

START_TEST(empty_cq_is_idle)
{
	Dev.poll_ret = 0;
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 0);
	ck_assert_int_eq(Lane.state, LANE_ESTABLISHED);
	ck_assert_int_eq(Dev.disconnects, 0);
}
END_TEST

START_TEST(error_completion_closes_lane)
{
	Dev.wc[0].status = IBV_WC_RETRY_EXC_ERR;
	Dev.wc[0].opcode = IBV_WC_SEND;
	Dev.poll_ret = 1;
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_int_eq(Lane.state, LANE_CLOSING);
	ck_assert_int_eq(Dev.disconnects, 1);
}
END_TEST

START_TEST(request_flushed_and_answered)
{
	struct rpmem_gpspm_resp resp;

	request(LANE, HDR_SIZE + 64, 128, 41);
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_int_eq(Dev.flushes, 1);
	ck_assert_uint_eq(Dev.flush_off, HDR_SIZE + 64);
	ck_assert_uint_eq(Dev.flush_len, 128);
	ck_assert_int_eq(Dev.flush_deep, 0);
	/* the RECV is back before the reply can trigger the next request */
	ck_assert_int_eq(Dev.posted_recv, 1);
	ck_assert_int_eq(Dev.posted_send, 1);
	resp = response();
	ck_assert_uint_eq(resp.status, RPMEM_ST_OK);
	ck_assert_uint_eq(resp.lane, LANE);
	ck_assert_uint_eq(resp.seq, 41);
	ck_assert_uint_eq(Lane.sq_used, 1);

	/* the reply's own completion frees its slot */
	memset(&Dev.wc[0], 0, sizeof(Dev.wc[0]));
	Dev.wc[0].status = IBV_WC_SUCCESS;
	Dev.wc[0].opcode = IBV_WC_SEND;
	Dev.poll_ret = 1;
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_uint_eq(Lane.sq_used, 0);
	ck_assert_int_eq(Lane.state, LANE_ESTABLISHED);
}
END_TEST

START_TEST(bad_request_refused_not_flushed)
{
	struct rpmem_gpspm_resp resp;

	/* the daemon-owned header is out of reach */
	request(LANE, 0, 64, 7);
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_int_eq(Dev.flushes, 0);
	resp = response();
	ck_assert_uint_eq(resp.status, RPMEM_ST_PROTO);
	ck_assert_uint_eq(resp.seq, 7);
	/* refused, not fatal: the lane stays */
	ck_assert_int_eq(Lane.state, LANE_ESTABLISHED);
	ck_assert_int_eq(Dev.disconnects, 0);
}
END_TEST

START_TEST(inline_request_copied_flushed_answered)
{
	static const size_t lens[] = {1, 7, 8, RPMEM_GPSPM_INLINE_MAX - 1,
		RPMEM_GPSPM_INLINE_MAX};
	static const size_t offs[] = {HDR_SIZE, HDR_SIZE + 3, HDR_SIZE + 64};
	uint8_t pl[RPMEM_GPSPM_INLINE_MAX];
	struct rpmem_gpspm_resp resp;
	uint32_t seq = 100;

	/* the request buffer and the reply slots share the lane's page */
	ck_assert_uint_ge(RPMEMD_RECV_SIZE, RPMEM_GPSPM_REQ_MAX_SIZE);
	ck_assert_uint_ge(RPMEMD_SEND_OFF, RPMEMD_RECV_SIZE);
	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)(i * 13 + 5);
	for (size_t o = 0; o <= sizeof(offs) / sizeof(offs[0]); o++) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			size_t len = lens[i];
			/* the last: ending on the pool's last byte */
			size_t off = o < sizeof(offs) / sizeof(offs[0]) ?
				offs[o] : POOL_SIZE - len;
			uint32_t op = (i & 1) ?
				RPMEM_GPSPM_DEEP_PERSIST_INLINE :
				RPMEM_GPSPM_PERSIST_INLINE;
			int flushes = Dev.flushes;

			memset(Pool, 0, sizeof(Pool));
			Dev.expect = pl;
			request_inline(op, off, len, pl, len,
				(uint32_t)(RPMEM_GPSPM_REQ_SIZE + len), ++seq);
			ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane),
				1);
			ck_assert_int_eq(Dev.flushes, flushes + 1);
			ck_assert_uint_eq(Dev.flush_off, off);
			ck_assert_uint_eq(Dev.flush_len, len);
			ck_assert_int_eq(Dev.flush_deep, (i & 1) != 0);
			/* copied before the flush, exactly the range */
			ck_assert_int_eq(Dev.flush_saw_bytes, 1);
			ck_assert(memcmp(Pool + off, pl, len) == 0);
			for (size_t b = 0; b < POOL_SIZE; b++)
				if (b < off || b >= off + len)
					ck_assert_uint_eq(Pool[b], 0);
			resp = response();
			ck_assert_uint_eq(resp.status, RPMEM_ST_OK);
			ck_assert_uint_eq(resp.seq, seq);
			ck_assert_uint_eq(Lane.inline_requests,
				(uint64_t)Dev.flushes);
			/* its reply's completion */
			memset(&Dev.wc[0], 0, sizeof(Dev.wc[0]));
			Dev.wc[0].status = IBV_WC_SUCCESS;
			Dev.wc[0].opcode = IBV_WC_SEND;
			Dev.poll_ret = 1;
			ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane),
				1);
		}
	}
	ck_assert_uint_eq(Lane.requests, Lane.inline_requests);
	ck_assert_int_eq(Lane.state, LANE_ESTABLISHED);
}
END_TEST

START_TEST(bad_inline_request_changes_nothing)
{
	static const struct {
		uint64_t off, len;
		uint32_t byte_len;
	} bad[] = {
		/* received length != 32 + length */
		{ HDR_SIZE, 100, RPMEM_GPSPM_REQ_SIZE + 99 },
		{ HDR_SIZE, 100, RPMEM_GPSPM_REQ_SIZE + 101 },
		{ HDR_SIZE, 100, RPMEM_GPSPM_REQ_SIZE },
		/* length 0, above the max */
		{ HDR_SIZE, 0, RPMEM_GPSPM_REQ_SIZE },
		{ HDR_SIZE, RPMEM_GPSPM_INLINE_MAX + 1,
			RPMEM_GPSPM_REQ_MAX_SIZE },
		/* out of the registered range */
		{ HDR_SIZE - 8, 8, RPMEM_GPSPM_REQ_SIZE + 8 },
		{ POOL_SIZE - 7, 8, RPMEM_GPSPM_REQ_SIZE + 8 },
		{ UINT64_MAX - 3, 8, RPMEM_GPSPM_REQ_SIZE + 8 },
	};
	uint8_t pl[RPMEM_GPSPM_INLINE_MAX];
	struct rpmem_gpspm_resp resp;

	memset(pl, 0x77, sizeof(pl));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(Pool, 0, sizeof(Pool));
		request_inline(RPMEM_GPSPM_PERSIST_INLINE, bad[i].off,
			bad[i].len, pl, sizeof(pl), bad[i].byte_len,
			200 + (uint32_t)i);
		ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
		ck_assert_int_eq(Dev.flushes, 0);
		resp = response();
		ck_assert_uint_eq(resp.status, RPMEM_ST_PROTO);
		ck_assert_uint_eq(resp.seq, 200 + i);
		for (size_t b = 0; b < POOL_SIZE; b++)
			ck_assert_uint_eq(Pool[b], 0);
		ck_assert_int_eq(Lane.state, LANE_ESTABLISHED);
		Lane.sq_used = 0;	/* as if the reply had completed */
	}
	ck_assert_uint_eq(Lane.inline_requests, 0);
}
END_TEST

/* what the protocol never makes: the lane closes, nothing is counted */
START_TEST(unexpected_completion_closes_lane)
{
	/* a client's WRITE with immediate data consumed the RECV */
	memset(&Dev.wc[0], 0, sizeof(Dev.wc[0]));
	Dev.wc[0].status = IBV_WC_SUCCESS;
	Dev.wc[0].opcode = IBV_WC_RECV_RDMA_WITH_IMM;
	Dev.poll_ret = 1;
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_int_eq(Lane.state, LANE_CLOSING);
	ck_assert_int_eq(Dev.disconnects, 1);
	ck_assert_uint_eq(Lane.sq_used, 0);
	ck_assert_int_eq(Dev.flushes + Dev.posted_send + Dev.posted_recv, 0);

	/* a send completion with no send outstanding */
	setup();
	Dev.wc[0].status = IBV_WC_SUCCESS;
	Dev.wc[0].opcode = IBV_WC_SEND;
	Dev.poll_ret = 1;
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_int_eq(Lane.state, LANE_CLOSING);
	ck_assert_uint_eq(Lane.sq_used, 0);
}
END_TEST

START_TEST(closing_lane_ignores_leftovers)
{
	Lane.state = LANE_CLOSING;
	request(LANE, HDR_SIZE, 64, 1);
	ck_assert_int_eq(rpmemd_gpspm_serve_cq(&Rdma, &Lane), 1);
	ck_assert_int_eq(Dev.flushes + Dev.posted_send + Dev.posted_recv, 0);
	ck_assert_int_eq(Dev.disconnects, 0);
}
END_TEST

static Suite *
gpspm_serve_suite(void)
{
	Suite *s = suite_create("gpspm_serve");
	TCase *tc = tcase_create("serve_cq");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, poll_failure_closes_lane);
	tcase_add_test(tc, empty_cq_is_idle);
	tcase_add_test(tc, error_completion_closes_lane);
	tcase_add_test(tc, request_flushed_and_answered);
	tcase_add_test(tc, bad_request_refused_not_flushed);
	tcase_add_test(tc, inline_request_copied_flushed_answered);
	tcase_add_test(tc, bad_inline_request_changes_nothing);
	tcase_add_test(tc, unexpected_completion_closes_lane);
	tcase_add_test(tc, closing_lane_ignores_leftovers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gpspm_serve_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
