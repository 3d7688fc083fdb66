/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpspm_serve.c -- serving one lane's CQ: GPSPM request -> flush -> reply
 * (gpspm_serve.h)
 */
#include <errno.h>

#include "fault_inject.h"
#include "gpspm.h"
#include "gpspm_serve.h"
#include "log.h"
#include "rdma_lane.h"

/* send_resp -- post the response; the RECV was re-posted already */
static void
send_resp(struct rpmemd_lane *lane, const struct rpmem_gpspm_resp *resp)
{
	struct ibv_send_wr *bad;
	uint8_t *slot;

	/* a client that keeps one request in flight never gets here */
	if (lane->sq_used == RPMEMD_SQ_DEPTH) {
		RPMEMD_LOG(NOTICE, "lane %u: client floods requests, "
			"disconnecting", lane->index);
		rpmemd_lane_close(lane);
		return;
	}
	slot = lane->page + RPMEMD_SEND_OFF +
		(size_t)lane->send_head * RPMEMD_SLOT;
	lane->send_head = (lane->send_head + 1) % RPMEMD_SQ_DEPTH;
	rpmem_gpspm_resp_encode(resp, slot);
	lane->ssge.addr = (uintptr_t)slot;
	if (RPMEM_FI("ibv_post_send", ENOMEM) ||
	    ibv_post_send(lane->qp, &lane->swr, &bad)) {
		RPMEMD_LOG(ERR, "lane %u: ibv_post_send failed", lane->index);
		rpmemd_lane_close(lane);
		return;
	}
	lane->sq_used++;
}

/* serve -- one GPSPM request: check, persist, re-post RECV, respond */
static void
serve(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane,
		const struct ibv_wc *wc)
{
	const uint8_t *buf = lane->page;
	struct rpmem_gpspm_req req;
	struct rpmem_gpspm_resp resp;
	struct ibv_recv_wr *bad;
	char why[160];
	int st;

	lane->requests++;
	/*
	 * the RECV buffer is RPMEMD_RECV_SIZE: byte_len cannot exceed it (a
	 * longer SEND fails the RECV, and the lane, with an error CQE)
	 */
	st = rpmemd_gpspm_check(buf, wc->byte_len, lane->index,
			rdma->hdr_size, rdma->pool_size, &req, why,
			sizeof(why));
	if (st != RPMEM_ST_OK) {
		RPMEMD_LOG(NOTICE, "lane %u: %s", lane->index, why);
	} else if (req.length == 0) {
		st = RPMEM_ST_OK;
	} else if (rdma->persist == NULL) {
		st = RPMEM_ST_NOSUPP;
	} else {
		uint8_t *dst = rdma->pool_addr + req.offset;

		/*
		 * The bytes came in the SEND instead of a WRITE: store them
		 * (8-byte aligned words atomically), then the same flush as
		 * for a WRITE: one path for pmem_persist, msync (our stores
		 * dirty the pages) and deep persist.
		 */
		if (rpmem_gpspm_op_inline(req.op)) {
			rpmemd_gpspm_copy(dst, buf + RPMEM_GPSPM_REQ_SIZE,
				(size_t)req.length);
			lane->inline_requests++;
		}
		st = rdma->persist(rdma->persist_ctx, dst, (size_t)req.length,
			rpmem_gpspm_op_deep(req.op));
		if (st < 0 || st >= RPMEM_ST_MAX)
			st = RPMEM_ST_FATAL;
	}
	/* re-post first: the client may send again once it has the reply */
	if (RPMEM_FI("ibv_post_recv", ENOMEM) ||
	    ibv_post_recv(lane->qp, &lane->rwr, &bad)) {
		RPMEMD_LOG(ERR, "lane %u: ibv_post_recv failed", lane->index);
		rpmemd_lane_close(lane);
		return;
	}
	resp.status = (uint32_t)st;
	resp.lane = lane->index;
	resp.seq = req.seq;
	send_resp(lane, &resp);
}

/* rpmemd_gpspm_serve_cq -- see gpspm_serve.h */
int
rpmemd_gpspm_serve_cq(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	struct ibv_wc wc[4];
	int n = ibv_poll_cq(lane->cq, 4, wc);

	/*
	 * one rule on both sides (the client's lane_poll does the same): a CQ
	 * that cannot be polled leaves the lane's state unknown, so the lane
	 * is closed instead of looking idle forever
	 */
	if (n < 0) {
		if (lane->state != LANE_CLOSING) {
			RPMEMD_LOG(ERR, "lane %u: ibv_poll_cq failed, "
				"disconnecting", lane->index);
			rpmemd_lane_close(lane);
		}
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (lane->state == LANE_CLOSING)
			continue;	/* flushed leftovers */
		/* as if the transport gave up on this work request */
		if (RPMEM_FI("completion", 0))
			wc[i].status = IBV_WC_RETRY_EXC_ERR;
		if (wc[i].status != IBV_WC_SUCCESS) {
			RPMEMD_LOG(NOTICE, "lane %u: %s, disconnecting",
				lane->index, ibv_wc_status_str(wc[i].status));
			rpmemd_lane_close(lane);
		} else if (wc[i].opcode == IBV_WC_RECV) {
			serve(rdma, lane, &wc[i]);
		} else if (wc[i].opcode == IBV_WC_SEND && lane->sq_used > 0) {
			lane->sq_used--;
		} else {
			/*
			 * a WRITE with immediate data takes the request's
			 * RECV: served as a send it would leave the lane with
			 * no RECV posted and a wrapped send count
			 */
			RPMEMD_LOG(NOTICE, "lane %u: unexpected completion "
				"(opcode %d), disconnecting", lane->index,
				(int)wc[i].opcode);
			rpmemd_lane_close(lane);
		}
	}
	return n;
}
