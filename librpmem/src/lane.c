/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lane.c -- one client lane: connection setup, completion waiting, teardown
 *
 * Waiting: poll the CQ busily for spin_ns (a small persist completes in
 * one network round trip, far cheaper than sleeping and being woken), then
 * arm the CQ, empty it, and sleep in poll() on the completion channel AND
 * the lane's CM channel, so a DISCONNECTED event ends the wait at once;
 * every wait is bounded by timeout_ms.
 *
 * The spin window is spin_ns (RPMEM_SPIN_US) or, when the lane's recent
 * waits were longer, twice the recent wait, up to spin_max_ns
 * (RPMEM_SPIN_MAX_US): a fixed window shorter than the round trip (a
 * GPSPM reply on a software RDMA device, a busy target) makes every wait
 * sleep, and a wake-up costs more than the spin (milliseconds on a
 * virtualised host), which delays the next request too -- the loop then
 * stays slow.  The recent wait follows a longer wait at once and a
 * shorter one by an eighth of the difference; a wait longer than half the
 * bound (a large transfer) resets it: spinning would not catch that
 * completion, so the window stays at the minimum.  Off by default
 * (RPMEM_SPIN_MAX_US 0, data_path.c says why).  Only the first
 * RPMEM_LANE_HOT_SPIN_NS of the busy phase is a pure spin; after it every
 * empty poll yields the CPU: on a host with fewer CPUs than busy threads
 * (other lanes, rpmemd on the same node, a VM) the thread that would
 * produce our completion gets to run, and with an idle CPU sched_yield()
 * returns at once (docs/design.md, "Where a persist's microseconds go").
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "lane.h"
#include "lane_spin.h"
#include "rpmem_os.h"

/* CQEs read per ibv_poll_cq; lane_poll repeats until the CQ is empty */
#define RPMEM_LANE_POLL_BATCH 8

/*
 * the pure spin at the start of a wait: a completion a few microseconds
 * away (a round trip on an RNIC) is seen without a syscall in between
 */
#define RPMEM_LANE_HOT_SPIN_NS 5000ull

#define RPMEM_CACHELINE 64

/* ms_left -- milliseconds until deadline_ns, rounded up, 0 if passed */
static int
ms_left(uint64_t deadline_ns)
{
	uint64_t now = rpmem_now_ns();

	if (now >= deadline_ns)
		return 0;
	return (int)((deadline_ns - now + 999999) / 1000000);
}

/* cm_event_errno -- errno for an unexpected CM event */
static int
cm_event_errno(enum rdma_cm_event_type type, int status)
{
	/* address/route errors carry a negative errno in status */
	if (status < 0 && type != RDMA_CM_EVENT_REJECTED)
		return -status;
	switch (type) {
	case RDMA_CM_EVENT_REJECTED:
		return ECONNREFUSED;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		return EHOSTUNREACH;
	case RDMA_CM_EVENT_CONNECT_ERROR:
		return ECONNABORTED;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		return ENODEV;
	case RDMA_CM_EVENT_DISCONNECTED:
		return ECONNRESET;
	default:
		return EPROTO;
	}
}

/*
 * lane_cm_wait -- wait (bounded) for the lane's next CM event and require
 * it to be `expected`
 */
static int
lane_cm_wait(struct rpmem_lane *lane, enum rdma_cm_event_type expected,
		const char *step)
{
	uint64_t deadline = rpmem_now_ns() +
		(uint64_t)lane->timeout_ms * 1000000ull;
	struct rdma_cm_event *ev;
	enum rdma_cm_event_type type;
	int status;

	for (;;) {
		if (rdma_get_cm_event(lane->evch, &ev) == 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			RPMEM_ERR_ERRNO(errno, "lane %u: %s: rdma_get_cm_event",
				lane->index, step);
			return -1;
		}
		int ms = ms_left(deadline);
		if (ms == 0) {
			RPMEM_ERR_ERRNO(ETIMEDOUT, "lane %u: %s: no answer "
				"within %d ms", lane->index, step,
				lane->timeout_ms);
			return -1;
		}
		struct pollfd pfd = { .fd = lane->evch->fd, .events = POLLIN };
		(void) poll(&pfd, 1, ms);
	}
	type = ev->event;
	status = ev->status;
	(void) rdma_ack_cm_event(ev);
	/* the step fails as if the network had (a fresh point per event) */
	if (type == expected && RPMEM_FI("rdma_cm event", 0)) {
		type = RDMA_CM_EVENT_UNREACHABLE;
		status = -EHOSTUNREACH;
	}
	if (type == expected)
		return 0;
	if (type == RDMA_CM_EVENT_REJECTED)
		RPMEM_ERR_ERRNO(ECONNREFUSED, "lane %u: %s: the target "
			"rejected the connection (reason %d; wrong session "
			"secret, lane in use or no listener)", lane->index,
			step, status);
	else
		RPMEM_ERR_ERRNO(cm_event_errno(type, status),
			"lane %u: %s: %s (status %d)", lane->index, step,
			rdma_event_str(type), status);
	return -1;
}

/*
 * lane_resolve_addr -- rdma_resolve_addr in short attempts until the wait
 * bound.  The kernel re-checks an unresolved neighbour only when woken by
 * a neighbour update or when the attempt's own timeout expires; when the
 * wake-up is missed (seen on Soft-RoCE with policy routing: a first
 * resolution took the whole timeout) short attempts bound the loss.
 */
static int
lane_resolve_addr(struct rpmem_lane *lane, const struct sockaddr *dst)
{
	uint64_t deadline = rpmem_now_ns() +
		(uint64_t)lane->timeout_ms * 1000000ull;
	int saved = lane->timeout_ms;
	int ret;

	for (;;) {
		int left = ms_left(deadline);
		int step = left < RPMEM_LANE_RESOLVE_STEP_MS ? left :
			RPMEM_LANE_RESOLVE_STEP_MS;

		if (step <= 0) {
			RPMEM_ERR_ERRNO(ETIMEDOUT, "lane %u: resolving the "
				"target address: no answer within %d ms",
				lane->index, saved);
			return -1;
		}
		if (RPMEM_FI("rdma_create_id", ENOMEM) ||
		    rdma_create_id(lane->evch, &lane->id, lane, RDMA_PS_TCP)) {
			RPMEM_ERR_ERRNO(errno, "lane %u: rdma_create_id",
				lane->index);
			return -1;
		}
		if (RPMEM_FI("rdma_resolve_addr", EADDRNOTAVAIL) ||
		    rdma_resolve_addr(lane->id, NULL, (struct sockaddr *)dst,
				step)) {
			RPMEM_ERR_ERRNO(errno, "lane %u: rdma_resolve_addr",
				lane->index);
			goto err_destroy_id;
		}
		/* the kernel answers ADDR_ERROR at step; allow it a margin */
		lane->timeout_ms = step + 1000;
		ret = lane_cm_wait(lane, RDMA_CM_EVENT_ADDR_RESOLVED,
			"resolving the target address");
		lane->timeout_ms = saved;
		if (ret == 0)
			return 0;
		/* only a timed-out attempt is worth another one */
		if (errno != ETIMEDOUT)
			goto err_destroy_id;
		/* a fresh id: no state left from the failed attempt */
		(void) rdma_destroy_id(lane->id);
		lane->id = NULL;
	}

err_destroy_id:
	ret = errno;	/* the failure's, not the cleanup's */
	(void) rdma_destroy_id(lane->id);
	lane->id = NULL;
	errno = ret;
	return -1;
}

/*
 * lane_alloc -- a zeroed lane on cache lines of its own: lanes are
 * allocated one after the other, and a lane's hot fields must not share a
 * line with its neighbour's (threads on different lanes share nothing)
 */
static struct rpmem_lane *
lane_alloc(void)
{
	size_t size = (sizeof(struct rpmem_lane) + RPMEM_CACHELINE - 1) &
		~(size_t)(RPMEM_CACHELINE - 1);
	void *p;

	if (posix_memalign(&p, RPMEM_CACHELINE, size)) {
		errno = ENOMEM;
		return NULL;
	}
	return memset(p, 0, size);
}

/* rpmem_lane_new -- event channel, CM id, address and route resolution */
int
rpmem_lane_new(const struct rpmem_lane_attr *attr, struct rpmem_lane **lanep)
{
	struct rpmem_lane *lane = RPMEM_FI("calloc", ENOMEM) ? NULL :
		lane_alloc();
	int err;

	if (lane == NULL) {
		RPMEM_ERR_ERRNO(ENOMEM, "lane %u: allocation", attr->index);
		return -1;
	}
	lane->index = attr->index;
	lane->timeout_ms = attr->timeout_ms;
	lane->spin_ns = (uint64_t)attr->spin_us * 1000ull;
	lane->spin_max_ns = (uint64_t)attr->spin_max_us * 1000ull;
	lane->secret = attr->secret;

	/* its own channel: the lane's CM events never need a shared lock */
	lane->evch = RPMEM_FI("rdma_create_event_channel", EMFILE) ? NULL :
		rdma_create_event_channel();
	if (lane->evch == NULL) {
		RPMEM_ERR_ERRNO(errno, "lane %u: rdma_create_event_channel",
			lane->index);
		goto err_free;
	}
	if (rpmem_set_nonblock(lane->evch->fd)) {
		RPMEM_ERR_ERRNO(errno, "lane %u: fcntl", lane->index);
		goto err_destroy_channel;
	}
	if (lane_resolve_addr(lane, attr->dst))
		goto err_destroy_channel;
	if (RPMEM_FI("rdma_resolve_route", EHOSTUNREACH) ||
	    rdma_resolve_route(lane->id, lane->timeout_ms)) {
		RPMEM_ERR_ERRNO(errno, "lane %u: rdma_resolve_route",
			lane->index);
		goto err_destroy_id;
	}
	if (lane_cm_wait(lane, RDMA_CM_EVENT_ROUTE_RESOLVED,
			"resolving the route"))
		goto err_destroy_id;
	*lanep = lane;
	return 0;

err_destroy_id:
	err = errno;	/* the failure's, not the cleanup's */
	(void) rdma_destroy_id(lane->id);
	errno = err;
err_destroy_channel:
	err = errno;
	rdma_destroy_event_channel(lane->evch);
	errno = err;
err_free:
	free(lane);
	return -1;
}

/* lane_prebuild -- the constant fields of every WR the lane posts */
static void
lane_prebuild(struct rpmem_lane *lane)
{
	for (unsigned i = 0; i < RPMEM_LANE_WR_MAX; i++) {
		lane->wr[i].sg_list = &lane->sge[i];
		lane->wr[i].num_sge = 1;
	}
	lane->raw_sge.addr = (uintptr_t)lane->raw;
	lane->raw_sge.length = 8;
	lane->raw_sge.lkey = lane->buf_mr->lkey;
	lane->raw_wr.opcode = IBV_WR_RDMA_READ;
	lane->raw_wr.sg_list = &lane->raw_sge;
	lane->raw_wr.num_sge = 1;
	lane->raw_wr.send_flags = IBV_SEND_SIGNALED;

	lane->send_sge.addr = (uintptr_t)lane->sbuf;
	lane->send_sge.length = RPMEM_GPSPM_REQ_SIZE;
	lane->send_sge.lkey = lane->buf_mr->lkey;
	lane->send_wr.opcode = IBV_WR_SEND;
	lane->send_wr.sg_list = &lane->send_sge;
	lane->send_wr.num_sge = 1;
	/* inline: the CPU copies 32 B into the WQE, no DMA read of sbuf */
	lane->send_wr.send_flags = IBV_SEND_SIGNALED |
		(lane->max_inline >= RPMEM_GPSPM_REQ_SIZE ?
		 IBV_SEND_INLINE : 0);

	/* the range's address, length, lkey and the flags are per post */
	lane->pl_sge[0] = lane->send_sge;
	lane->pl_wr.opcode = IBV_WR_SEND;
	lane->pl_wr.sg_list = lane->pl_sge;
	lane->pl_wr.num_sge = 2;

	lane->recv_sge.addr = (uintptr_t)lane->rbuf;
	lane->recv_sge.length = RPMEM_GPSPM_RESP_SIZE;
	lane->recv_sge.lkey = lane->buf_mr->lkey;
	lane->recv_wr.sg_list = &lane->recv_sge;
	lane->recv_wr.num_sge = 1;
}

/* rpmem_lane_set_rkey -- put the remote pool's key into the pre-built WRs */
void
rpmem_lane_set_rkey(struct rpmem_lane *lane, uint32_t rkey)
{
	for (unsigned i = 0; i < RPMEM_LANE_WR_MAX; i++)
		lane->wr[i].wr.rdma.rkey = rkey;
	lane->raw_wr.wr.rdma.rkey = rkey;
}

/* lane_create_qp -- RC QP on the lane's CQ; retried without inline data */
static int
lane_create_qp(struct rpmem_lane *lane, struct ibv_pd *pd, unsigned sq_depth)
{
	struct ibv_qp_init_attr qpa;

	memset(&qpa, 0, sizeof(qpa));
	qpa.qp_context = lane;
	qpa.send_cq = lane->cq;
	qpa.recv_cq = lane->cq;
	qpa.qp_type = IBV_QPT_RC;
	qpa.sq_sig_all = 0;	/* only the last WR of a chain completes */
	qpa.cap.max_send_wr = sq_depth;
	qpa.cap.max_recv_wr = 1;
	/* 2: a GPSPM request with its bytes is header + range (zero copy) */
	qpa.cap.max_send_sge = 2;
	qpa.cap.max_recv_sge = 1;
	qpa.cap.max_inline_data = RPMEM_LANE_INLINE;
	if (RPMEM_FI("rdma_create_qp", ENOMEM) ||
	    rdma_create_qp(lane->id, pd, &qpa)) {
		/* some devices refuse any inline data: go without */
		qpa.cap.max_inline_data = 0;
		if (RPMEM_FI("rdma_create_qp", ENOMEM) ||
		    rdma_create_qp(lane->id, pd, &qpa))
			return -1;
	}
	lane->qp = lane->id->qp;
	lane->sq_depth = qpa.cap.max_send_wr < sq_depth ?
		qpa.cap.max_send_wr : sq_depth;
	/* larger inline copies cost more CPU than the DMA read they save */
	lane->max_inline = qpa.cap.max_inline_data < RPMEM_LANE_INLINE ?
		qpa.cap.max_inline_data : RPMEM_LANE_INLINE;
	return 0;
}

/* lane_map -- page-aligned anonymous memory of its own (fork safety) */
static void *
lane_map(size_t size)
{
	void *p = RPMEM_FI("mmap", ENOMEM) ? MAP_FAILED :
		mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * lane_check_reads -- a QP granted no outstanding READs (the target
 * offered no responder resources) would park every READ forever on some
 * devices: refuse it at setup rather than time out on every persist
 */
static int
lane_check_reads(struct rpmem_lane *lane)
{
	struct ibv_qp_attr qa;
	struct ibv_qp_init_attr qia;

	if (RPMEM_FI("ibv_query_qp", EIO) ||
	    ibv_query_qp(lane->qp, &qa, IBV_QP_MAX_QP_RD_ATOMIC, &qia)) {
		RPMEM_ERR_ERRNO(errno, "lane %u: ibv_query_qp", lane->index);
		return -1;
	}
	if (qa.max_rd_atomic == 0) {
		RPMEM_ERR_ERRNO(EPROTO, "lane %u: the target granted no RDMA "
			"READ resources", lane->index);
		return -1;
	}
	return 0;
}

/*
 * lane_connect_undo -- release what rpmem_lane_connect got so far (the
 * fields it has not reached are NULL), keeping the failure's errno
 */
static void
lane_connect_undo(struct rpmem_lane *lane)
{
	int err = errno;

	if (lane->bounce_mr)
		(void) ibv_dereg_mr(lane->bounce_mr);
	if (lane->bounce)
		(void) munmap(lane->bounce, RPMEM_LANE_BOUNCE_SIZE);
	if (lane->buf_mr)
		(void) ibv_dereg_mr(lane->buf_mr);
	if (lane->page)
		(void) munmap(lane->page, (size_t)sysconf(_SC_PAGESIZE));
	if (lane->qp)
		rdma_destroy_qp(lane->id);
	if (lane->cq)
		(void) ibv_destroy_cq(lane->cq);
	if (lane->cch)
		(void) ibv_destroy_comp_channel(lane->cch);
	lane->bounce_mr = lane->buf_mr = NULL;
	lane->bounce = NULL;
	lane->page = NULL;
	lane->qp = NULL;
	lane->cq = NULL;
	lane->cch = NULL;
	errno = err;
}

/* rpmem_lane_connect -- CQ, QP, buffers, rdma_connect with the secret */
int
rpmem_lane_connect(struct rpmem_lane *lane, struct ibv_pd *pd,
		const struct rpmem_lane_qp_cfg *cfg, int *exhausted)
{
	struct ibv_context *verbs = lane->id->verbs;
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t pdata[RPMEM_CONN_PDATA_SIZE];
	struct rpmem_conn_pdata pd_wire;
	struct rdma_conn_param cp;
	struct ibv_recv_wr *bad_rwr;
	uint8_t ack_timeout = cfg->ack_timeout;

	*exhausted = 0;
	lane->gpspm = cfg->gpspm;
	lane->payload_max = cfg->payload_max;
	lane->cch = RPMEM_FI("ibv_create_comp_channel", EMFILE) ? NULL :
		ibv_create_comp_channel(verbs);
	if (lane->cch == NULL) {
		RPMEM_ERR_ERRNO(errno, "lane %u: ibv_create_comp_channel",
			lane->index);
		return -1;
	}
	if (rpmem_set_nonblock(lane->cch->fd)) {
		RPMEM_ERR_ERRNO(errno, "lane %u: fcntl", lane->index);
		goto err_connect_undo;
	}
	/* sq_depth + 1 CQEs: the worst case, everything flushed (lane.h) */
	lane->cq = RPMEM_FI("ibv_create_cq", ENOMEM) ? NULL :
		ibv_create_cq(verbs, (int)cfg->sq_depth + 1, lane,
			lane->cch, 0);
	if (lane->cq == NULL) {
		*exhausted = 1;
		RPMEM_ERR_ERRNO(errno, "lane %u: ibv_create_cq", lane->index);
		goto err_connect_undo;
	}
	if (lane_create_qp(lane, pd, cfg->sq_depth)) {
		*exhausted = 1;
		RPMEM_ERR_ERRNO(errno, "lane %u: rdma_create_qp", lane->index);
		goto err_connect_undo;
	}
	if (lane->sq_depth < 2) {
		RPMEM_ERR_ERRNO(EINVAL, "lane %u: the device grants %u send "
			"queue entries, 2 are needed", lane->index,
			lane->sq_depth);
		goto err_connect_undo;
	}
	/* two chains in flight while a long transfer waits for room */
	lane->wr_batch = lane->sq_depth / 2 < RPMEM_LANE_WR_MAX ?
		lane->sq_depth / 2 : RPMEM_LANE_WR_MAX;
	/* room for the longest chain stays behind unsignaled WRs (lane.h) */
	lane->unsig_max = lane->sq_depth - (lane->wr_batch + 1);

	/* one page of small buffers: never shares a page with the heap */
	lane->page = lane_map(pagesz);
	if (lane->page == NULL) {
		RPMEM_ERR_ERRNO(errno, "lane %u: mmap", lane->index);
		goto err_connect_undo;
	}
	lane->raw = lane->page + RPMEM_LANE_RAW_OFF;
	lane->sbuf = lane->page + RPMEM_LANE_SEND_OFF;
	lane->rbuf = lane->page + RPMEM_LANE_RECV_OFF;
	/* least privilege: READ landing and RECV buffers, nothing remote */
	lane->buf_mr = RPMEM_FI("ibv_reg_mr", ENOMEM) ? NULL :
		ibv_reg_mr(pd, lane->page, pagesz, IBV_ACCESS_LOCAL_WRITE);
	if (lane->buf_mr == NULL) {
		RPMEM_ERR_ERRNO(errno, "lane %u: ibv_reg_mr (lane buffers)",
			lane->index);
		goto err_connect_undo;
	}
	lane->bounce = lane_map(RPMEM_LANE_BOUNCE_SIZE);
	if (lane->bounce == NULL) {
		RPMEM_ERR_ERRNO(errno, "lane %u: mmap", lane->index);
		goto err_connect_undo;
	}
	lane->bounce_mr = RPMEM_FI("ibv_reg_mr", ENOMEM) ? NULL :
		ibv_reg_mr(pd, lane->bounce, RPMEM_LANE_BOUNCE_SIZE,
			IBV_ACCESS_LOCAL_WRITE);
	if (lane->bounce_mr == NULL) {
		RPMEM_ERR_ERRNO(errno, "lane %u: ibv_reg_mr (bounce buffer)",
			lane->index);
		goto err_connect_undo;
	}
	lane->bounce_lkey = lane->bounce_mr->lkey;
	lane_prebuild(lane);

	/* the response RECV is always posted before the request can go */
	if (lane->gpspm && (RPMEM_FI("ibv_post_recv", ENOMEM) ||
	    ibv_post_recv(lane->qp, &lane->recv_wr, &bad_rwr))) {
		RPMEM_ERR_ERRNO(EIO, "lane %u: ibv_post_recv", lane->index);
		goto err_connect_undo;
	}

	/* a dead peer must surface as an error CQE within the wait bound */
	if (RPMEM_FI("rdma_set_option", EINVAL) ||
	    rdma_set_option(lane->id, RDMA_OPTION_ID,
			RDMA_OPTION_ID_ACK_TIMEOUT, &ack_timeout,
			sizeof(ack_timeout))) {
		RPMEM_ERR_ERRNO(errno, "lane %u: rdma_set_option(ACK_TIMEOUT)",
			lane->index);
		goto err_connect_undo;
	}

	pd_wire.version = RPMEM_PROTO_VERSION;
	pd_wire.lane = (uint16_t)lane->index;
	memcpy(pd_wire.secret, lane->secret, RPMEM_SECRET_LEN);
	rpmem_conn_pdata_encode(&pd_wire, pdata);
	memset(&cp, 0, sizeof(cp));
	cp.private_data = pdata;
	cp.private_data_len = sizeof(pdata);
	cp.initiator_depth = cfg->initiator_depth;
	cp.responder_resources = 0;	/* the target never READs from us */
	cp.flow_control = 1;
	cp.retry_count = cfg->retry_count;
	cp.rnr_retry_count = cfg->rnr_retry_count;
	int cret = RPMEM_FI("rdma_connect", ENOMEM) ? -1 :
		rdma_connect(lane->id, &cp);
	int cerr = errno;
	/* the secret is sent once: no copy of it stays, nor its address */
	explicit_bzero(pdata, sizeof(pdata));
	explicit_bzero(&pd_wire, sizeof(pd_wire));
	lane->secret = NULL;
	if (cret) {
		RPMEM_ERR_ERRNO(cerr, "lane %u: rdma_connect", lane->index);
		goto err_connect_undo;
	}
	if (lane_cm_wait(lane, RDMA_CM_EVENT_ESTABLISHED, "connecting"))
		goto err_connect_undo;
	lane->connected = 1;
	if (lane_check_reads(lane))
		return -1;	/* connected: the caller's delete disconnects */
	return 0;

err_connect_undo:
	lane_connect_undo(lane);
	return -1;
}


/* rpmem_lane_kill -- the QP is unusable: remember why, tell the peer */
int
rpmem_lane_kill(struct rpmem_lane *lane, int err)
{
	if (lane->err == 0)
		lane->err = err;
	/* flushes our QP and lets the target tear its side down now */
	rpmem_lane_disconnect(lane);
	errno = lane->err;
	return -1;
}

/* wc_errno -- a CQE error: local faults are EIO, the rest a lost link */
static int
wc_errno(enum ibv_wc_status st)
{
	switch (st) {
	case IBV_WC_LOC_LEN_ERR:
	case IBV_WC_LOC_QP_OP_ERR:
	case IBV_WC_LOC_EEC_OP_ERR:
	case IBV_WC_LOC_PROT_ERR:
	case IBV_WC_MW_BIND_ERR:
	case IBV_WC_LOC_ACCESS_ERR:
	case IBV_WC_LOC_RDD_VIOL_ERR:
	case IBV_WC_GENERAL_ERR:
	case IBV_WC_FATAL_ERR:
		return EIO;
	default:
		return ECONNRESET;
	}
}

/* lane_wc_failed -- an error completion: the QP is in the error state */
static int
lane_wc_failed(struct rpmem_lane *lane, const struct ibv_wc *wc)
{
	if (lane->err == 0) {
		lane->err_wc = wc->status;
		RPMEM_ERR_ERRNO(wc_errno(wc->status), "lane %u: work request "
			"failed: %s (vendor error 0x%x)", lane->index,
			ibv_wc_status_str(wc->status), wc->vendor_err);
		return rpmem_lane_kill(lane, wc_errno(wc->status));
	}
	return rpmem_lane_kill(lane, lane->err);
}

/* lane_recv -- a GPSPM response arrived: decode, re-post the RECV first */
static int
lane_recv(struct rpmem_lane *lane, const struct ibv_wc *wc)
{
	struct ibv_recv_wr *bad;

	if (!lane->resp_pending) {
		RPMEM_ERR_ERRNO(EPROTO, "lane %u: unsolicited message from "
			"the target", lane->index);
		return rpmem_lane_kill(lane, EPROTO);
	}
	lane->resp_bad = rpmem_gpspm_resp_decode(lane->rbuf, wc->byte_len,
			&lane->resp) != 0;
	lane->resp_pending = 0;
	if (RPMEM_FI("ibv_post_recv", ENOMEM) ||
	    ibv_post_recv(lane->qp, &lane->recv_wr, &bad)) {
		RPMEM_ERR_ERRNO(EIO, "lane %u: ibv_post_recv", lane->index);
		return rpmem_lane_kill(lane, EIO);
	}
	return 0;
}

/*
 * lane_poll -- consume every CQE the CQ holds, not one batch: a CQ event is
 * raised only for a CQE added after arming, so a CQE left behind when
 * rpmem_lane_wait goes to sleep would keep it asleep until its bound (with a
 * deep SQ a burst of completions easily outnumbers one batch); the number
 * consumed, -1 once the lane failed
 */
static inline int
lane_poll(struct rpmem_lane *lane)
{
	struct ibv_wc wc[RPMEM_LANE_POLL_BATCH];
	int total = 0;
	int n;

	do {
		n = ibv_poll_cq(lane->cq, RPMEM_LANE_POLL_BATCH, wc);
		if (n < 0) {
			RPMEM_ERR_ERRNO(EIO, "lane %u: ibv_poll_cq",
				lane->index);
			return rpmem_lane_kill(lane, EIO);
		}
		for (int i = 0; i < n; i++) {
			/* as if the transport gave up on this work request */
			if (RPMEM_FI("completion", 0))
				wc[i].status = IBV_WC_RETRY_EXC_ERR;
			if (wc[i].status != IBV_WC_SUCCESS)
				return lane_wc_failed(lane, &wc[i]);

			if (wc[i].opcode == IBV_WC_RECV) {
				if (lane_recv(lane, &wc[i]))
					return -1;
			} else {
				lane->sq_used -= (unsigned)wc[i].wr_id;
			}
		}
		total += n;
	} while (n == RPMEM_LANE_POLL_BATCH);
	return total;
}

/* lane_done -- the wait condition of rpmem_lane_wait */
static inline int
lane_done(const struct rpmem_lane *lane, unsigned max_used)
{
	return lane->sq_used <= max_used && !lane->resp_pending;
}

/* lane_cq_events -- read and ack what the completion channel reported */
static void
lane_cq_events(struct rpmem_lane *lane)
{
	struct ibv_cq *cq;
	void *ctx;

	/* ack right away: ibv_destroy_cq waits for every event's ack */
	while (ibv_get_cq_event(lane->cch, &cq, &ctx) == 0)
		ibv_ack_cq_events(cq, 1);
}

/* lane_cm_check -- read the lane's CM events; DISCONNECTED kills it */
static int
lane_cm_check(struct rpmem_lane *lane)
{
	struct rdma_cm_event *ev;
	enum rdma_cm_event_type type;

	while (rdma_get_cm_event(lane->evch, &ev) == 0) {
		type = ev->event;
		(void) rdma_ack_cm_event(ev);
		if (type == RDMA_CM_EVENT_DISCONNECTED ||
		    type == RDMA_CM_EVENT_DEVICE_REMOVAL) {
			if (type == RDMA_CM_EVENT_DISCONNECTED)
				lane->got_disconnected = 1;
			if (lane->err == 0)
				RPMEM_ERR_ERRNO(ECONNRESET, "lane %u: %s",
					lane->index,
					type == RDMA_CM_EVENT_DISCONNECTED ?
					"the target closed the connection" :
					"the RDMA device was removed");
			return rpmem_lane_kill(lane, ECONNRESET);
		}
		/* TIMEWAIT_EXIT and the like: nothing to do */
	}
	return 0;
}

/*
 * lane_waited -- a wait that began at start succeeded: with a growing
 * window (RPMEM_SPIN_MAX_US) learn from how long it took; with the fixed
 * one (the default) there is nothing to learn, and no clock read
 */
static inline int
lane_waited(struct rpmem_lane *lane, uint64_t start)
{
	if (lane->spin_max_ns > lane->spin_ns)
		lane->wait_ns = rpmem_spin_learn(lane->wait_ns,
			rpmem_now_ns() - start, lane->spin_max_ns);
	return 0;
}

/* rpmem_lane_wait -- spin, then block; bounded by timeout_ms */
int
rpmem_lane_wait(struct rpmem_lane *lane, unsigned max_used)
{
	uint64_t start = rpmem_now_ns();
	uint64_t spin_end = start + rpmem_spin_window(lane->wait_ns,
		lane->spin_ns, lane->spin_max_ns);
	uint64_t hot_end = start + RPMEM_LANE_HOT_SPIN_NS;
	uint64_t deadline = start + (uint64_t)lane->timeout_ms * 1000000ull;
	struct pollfd pfd[2];

	/* below sq_unsig only a signaled WR not yet posted could get us */
	assert(max_used >= lane->sq_unsig);

	/* busy phase: a round trip is cheaper than a sleep and a wake-up */
	for (;;) {
		if (lane_poll(lane) < 0)
			return -1;
		if (lane_done(lane, max_used))
			return lane_waited(lane, start);
		uint64_t now = rpmem_now_ns();
		if (now >= spin_end)
			break;
		/* past the hot spin: let whoever completes us run */
		if (now >= hot_end)
			sched_yield();
	}

	pfd[0].fd = lane->cch->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = lane->evch->fd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (ibv_req_notify_cq(lane->cq, 0)) {
			RPMEM_ERR_ERRNO(EIO, "lane %u: ibv_req_notify_cq",
				lane->index);
			return rpmem_lane_kill(lane, EIO);
		}
		/* a CQE may have landed between the last poll and arming */
		if (lane_poll(lane) < 0)
			return -1;
		if (lane_done(lane, max_used))
			return lane_waited(lane, start);
		int ms = ms_left(deadline);
		if (ms == 0) {
			RPMEM_ERR_ERRNO(ETIMEDOUT, "lane %u: no completion "
				"within %d ms", lane->index, lane->timeout_ms);
			return -1;
		}
		if (poll(pfd, 2, ms) < 0 && errno != EINTR) {
			RPMEM_ERR_ERRNO(errno, "lane %u: poll", lane->index);
			return -1;
		}
		if (pfd[0].revents)
			lane_cq_events(lane);
		/* completions first: a persist that made it counts */
		if (lane_poll(lane) < 0)
			return -1;
		if (lane_done(lane, max_used))
			return lane_waited(lane, start);
		if (pfd[1].revents && lane_cm_check(lane))
			return -1;
	}
}

/* rpmem_lane_fail_msg -- message and errno of a call on a dead lane */
int
rpmem_lane_fail_msg(struct rpmem_lane *lane)
{
	if (lane->err_wc != IBV_WC_SUCCESS)
		RPMEM_ERR_ERRNO(lane->err, "lane %u is unusable since a work "
			"request failed (%s)", lane->index,
			ibv_wc_status_str(lane->err_wc));
	else
		RPMEM_ERR_ERRNO(lane->err, "lane %u is unusable",
			lane->index);
	return -1;
}

/* rpmem_lane_post_failed -- ibv_post_send refused a chain */
int
rpmem_lane_post_failed(struct rpmem_lane *lane, int ret)
{
	RPMEM_ERR_ERRNO(ret > 0 ? ret : EIO, "lane %u: ibv_post_send",
		lane->index);
	return rpmem_lane_kill(lane, EIO);
}

/* rpmem_lane_disconnect -- start disconnecting (non-blocking) */
void
rpmem_lane_disconnect(struct rpmem_lane *lane)
{
	int err = errno;	/* runs on error paths: keep theirs */

	if (!lane->connected || lane->disconnecting)
		return;
	lane->disconnecting = 1;
	/* moves the QP to the error state, then sends a DREQ */
	(void) rdma_disconnect(lane->id);
	errno = err;
}

/* rpmem_lane_wait_disconnected -- bounded wait for DISCONNECTED */
void
rpmem_lane_wait_disconnected(struct rpmem_lane *lane, uint64_t deadline_ms)
{
	struct rdma_cm_event *ev;
	int err = errno;	/* runs on error paths: keep theirs */

	/* a dead lane's peer does not answer a DREQ: do not wait for it */
	if (!lane->connected || lane->err)
		return;
	while (!lane->got_disconnected) {
		if (rdma_get_cm_event(lane->evch, &ev) == 0) {
			if (ev->event == RDMA_CM_EVENT_DISCONNECTED)
				lane->got_disconnected = 1;
			(void) rdma_ack_cm_event(ev);
			continue;
		}
		int ms = ms_left(deadline_ms * 1000000ull);
		if (ms == 0)
			break;	/* a dead peer: destroying anyway is safe */
		struct pollfd pfd = { .fd = lane->evch->fd, .events = POLLIN };
		(void) poll(&pfd, 1, ms);
	}
	errno = err;
}

/* rpmem_lane_delete -- destroy everything the lane owns */
void
rpmem_lane_delete(struct rpmem_lane **lanep)
{
	struct rpmem_lane *lane = *lanep;
	int err = errno;	/* runs on error paths: keep theirs */

	if (lane == NULL)
		return;
	if (lane->qp)
		rdma_destroy_qp(lane->id);	/* waits out device DMA */
	if (lane->cq)
		(void) ibv_destroy_cq(lane->cq);
	if (lane->cch)
		(void) ibv_destroy_comp_channel(lane->cch);
	if (lane->bounce_mr)
		(void) ibv_dereg_mr(lane->bounce_mr);
	if (lane->bounce)
		(void) munmap(lane->bounce, RPMEM_LANE_BOUNCE_SIZE);
	if (lane->buf_mr)
		(void) ibv_dereg_mr(lane->buf_mr);
	if (lane->page)
		(void) munmap(lane->page, (size_t)sysconf(_SC_PAGESIZE));
	(void) rdma_destroy_id(lane->id);
	rdma_destroy_event_channel(lane->evch);
	free(lane);
	*lanep = NULL;
	errno = err;
}

