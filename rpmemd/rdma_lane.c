/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_lane.c -- one lane of rpmemd's RDMA server: create, accept, close,
 * destroy (rdma_lane.h)
 *
 * Each lane has its own CQ: tearing a lane down then never leaves CQEs
 * that name a destroyed QP in a CQ other lanes still use.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "fault_inject.h"
#include "log.h"
#include "rdma_lane.h"

#define RPMEMD_INLINE 16	/* a response fits inline */
#define RPMEMD_ACK_TIMEOUT 18	/* 4.096 us * 2^18 = 1.07 s */
#define RPMEMD_RETRY_COUNT 3

/* active_add -- the thread polls the lane's CQ from now on */
static void
active_add(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	lane->active_idx = rdma->nactive;
	rdma->active[rdma->nactive++] = lane;
}

/* active_del -- swap-remove from the polled set */
static void
active_del(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	struct rpmemd_lane *last = rdma->active[--rdma->nactive];

	rdma->active[lane->active_idx] = last;
	last->active_idx = lane->active_idx;
}

/*
 * rpmemd_lane_destroy -- undo rpmemd_lane_accept; the id's events must
 * all be acked.  Unretrieved completion events of the CQ are dropped by the
 * kernel.
 */
void
rpmemd_lane_destroy(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	if (lane->state == LANE_FREE)
		return;
	/* every lane, however it ends: which request path ran, how often */
	RPMEMD_LOG(INFO, "lane %u: %llu requests served, %llu with inline "
		"data", lane->index, (unsigned long long)lane->requests,
		(unsigned long long)lane->inline_requests);
	active_del(rdma, lane);
	rdma_destroy_qp(lane->id);
	(void) ibv_destroy_cq(lane->cq);
	(void) ibv_dereg_mr(lane->mr);
	(void) munmap(lane->page, rdma->pagesz);
	(void) rdma_destroy_id(lane->id);
	lane->id = NULL;
	lane->qp = NULL;
	lane->cq = NULL;
	lane->mr = NULL;
	lane->page = NULL;
	lane->state = LANE_FREE;
}

/* rpmemd_lane_close -- disconnect; destroyed on DISCONNECTED */
void
rpmemd_lane_close(struct rpmemd_lane *lane)
{
	if (lane->state == LANE_ACCEPTED || lane->state == LANE_ESTABLISHED) {
		lane->state = LANE_CLOSING;
		(void) rdma_disconnect(lane->id);
	}
}

/* lane_create_qp -- RC QP on the lane's CQ; retried without inline */
static int
lane_create_qp(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	struct ibv_qp_init_attr qpa;

	memset(&qpa, 0, sizeof(qpa));
	qpa.qp_context = lane;
	qpa.send_cq = lane->cq;
	qpa.recv_cq = lane->cq;
	qpa.qp_type = IBV_QPT_RC;
	qpa.sq_sig_all = 0;
	qpa.cap.max_send_wr = RPMEMD_SQ_DEPTH;
	qpa.cap.max_recv_wr = 1;
	qpa.cap.max_send_sge = 1;
	qpa.cap.max_recv_sge = 1;
	qpa.cap.max_inline_data = RPMEMD_INLINE;
	if (RPMEM_FI("rdma_create_qp", ENOMEM) ||
	    rdma_create_qp(lane->id, rdma->pd, &qpa)) {
		qpa.cap.max_inline_data = 0;
		if (RPMEM_FI("rdma_create_qp", ENOMEM) ||
		    rdma_create_qp(lane->id, rdma->pd, &qpa))
			return -1;
	}
	lane->qp = lane->id->qp;
	lane->max_inline = qpa.cap.max_inline_data;
	return 0;
}

/* lane_prebuild -- the RECV and response SEND WRs */
static void
lane_prebuild(struct rpmemd_lane *lane)
{
	lane->rsge.addr = (uintptr_t)lane->page;
	lane->rsge.length = RPMEMD_RECV_SIZE;
	lane->rsge.lkey = lane->mr->lkey;
	lane->rwr.sg_list = &lane->rsge;
	lane->rwr.num_sge = 1;

	lane->ssge.length = RPMEM_GPSPM_RESP_SIZE;
	lane->ssge.lkey = lane->mr->lkey;
	lane->swr.opcode = IBV_WR_SEND;
	lane->swr.sg_list = &lane->ssge;
	lane->swr.num_sge = 1;
	lane->swr.send_flags = IBV_SEND_SIGNALED |
		(lane->max_inline >= RPMEM_GPSPM_RESP_SIZE ? IBV_SEND_INLINE : 0);
}

/*
 * rpmemd_lane_accept -- CQ, QP and buffers for a verified request, one RECV
 * posted before rdma_accept (a request may follow RTS immediately)
 */
int
rpmemd_lane_accept(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane,
		struct rdma_cm_id *id, const struct rdma_conn_param *req)
{
	struct rdma_conn_param cp;
	struct ibv_recv_wr *bad;
	uint8_t ack_timeout = RPMEMD_ACK_TIMEOUT;

	lane->id = id;
	lane->cq = RPMEM_FI("ibv_create_cq", ENOMEM) ? NULL :
		ibv_create_cq(rdma->verbs, RPMEMD_CQ_SIZE, lane, rdma->cch, 0);
	if (lane->cq == NULL) {
		RPMEMD_LOG(ERR, "lane %u: ibv_create_cq: %s", lane->index,
			strerror(errno));
		return -1;
	}
	if (lane_create_qp(rdma, lane)) {
		RPMEMD_LOG(ERR, "lane %u: rdma_create_qp: %s", lane->index,
			strerror(errno));
		goto err_destroy_cq;
	}
	/* its own page: never shares one with the heap (fork safety) */
	lane->page = RPMEM_FI("mmap", ENOMEM) ? MAP_FAILED :
		mmap(NULL, rdma->pagesz, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lane->page == MAP_FAILED) {
		lane->page = NULL;
		RPMEMD_LOG(ERR, "lane %u: mmap: %s", lane->index,
			strerror(errno));
		goto err_destroy_qp;
	}
	/* least privilege: RECV buffer and send slots, nothing remote */
	lane->mr = RPMEM_FI("ibv_reg_mr", ENOMEM) ? NULL :
		ibv_reg_mr(rdma->pd, lane->page, rdma->pagesz,
			IBV_ACCESS_LOCAL_WRITE);
	if (lane->mr == NULL) {
		RPMEMD_LOG(ERR, "lane %u: ibv_reg_mr: %s", lane->index,
			strerror(errno));
		goto err_unmap;
	}
	lane_prebuild(lane);
	/* APM lanes get one too: same code path, harmless */
	if (RPMEM_FI("ibv_post_recv", ENOMEM) ||
	    ibv_post_recv(lane->qp, &lane->rwr, &bad)) {
		RPMEMD_LOG(ERR, "lane %u: ibv_post_recv failed", lane->index);
		goto err_dereg;
	}
	/* a dead client surfaces as a failed response SEND, not a hang */
	if (RPMEM_FI("rdma_set_option", EINVAL) ||
	    rdma_set_option(id, RDMA_OPTION_ID, RDMA_OPTION_ID_ACK_TIMEOUT,
			&ack_timeout, sizeof(ack_timeout)))
		RPMEMD_LOG(WARN, "lane %u: rdma_set_option(ACK_TIMEOUT): %s",
			lane->index, strerror(errno));

	memset(&cp, 0, sizeof(cp));
	/*
	 * Serve the client's READs, as many as both ends allow.  The
	 * request's parameters are already from our side's view:
	 * responder_resources there is the client's initiator depth.
	 */
	cp.responder_resources = (uint8_t)(req->responder_resources <
		rdma->dattr.max_qp_rd_atom ? req->responder_resources :
		rdma->dattr.max_qp_rd_atom);
	cp.initiator_depth = 0;	/* the daemon never READs */
	cp.flow_control = 1;
	cp.retry_count = RPMEMD_RETRY_COUNT;
	cp.rnr_retry_count = RPMEMD_RETRY_COUNT;
	lane->sq_used = 0;
	lane->send_head = 0;
	lane->armed = 0;
	/* a reused slot starts with no spin history */
	lane->requests = 0;
	lane->inline_requests = 0;
	memset(&lane->spin, 0, sizeof(lane->spin));
	id->context = lane;
	if (RPMEM_FI("rdma_accept", ENOMEM) || rdma_accept(id, &cp)) {
		RPMEMD_LOG(ERR, "lane %u: rdma_accept: %s", lane->index,
			strerror(errno));
		goto err_dereg;
	}
	lane->state = LANE_ACCEPTED;
	active_add(rdma, lane);
	return 0;

err_dereg:
	(void) ibv_dereg_mr(lane->mr);
	lane->mr = NULL;
err_unmap:
	(void) munmap(lane->page, rdma->pagesz);
	lane->page = NULL;
err_destroy_qp:
	rdma_destroy_qp(id);
	lane->qp = NULL;
err_destroy_cq:
	(void) ibv_destroy_cq(lane->cq);
	lane->cq = NULL;
	lane->id = NULL;
	return -1;
}
