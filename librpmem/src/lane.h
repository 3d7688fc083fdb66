/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lane.h -- one client lane: an rdma_cm id on its own event channel, one CQ
 * on its own completion channel, one RC QP, pre-built work requests and the
 * small registered buffers the persist/read paths need
 *
 * A lane is used by one thread at a time (librpmem's lane contract), so
 * nothing here takes a lock.  Its CM events are only ever read by the lane
 * itself (its own channel), so a lane never needs another lane's state.
 *
 * SQ accounting invariant (what keeps ibv_post_send from ever failing with
 * ENOMEM, every wait for a completion answerable, and the CQ from
 * overflowing); D = sq_depth, C = chain_max = wr_batch + 1, the longest
 * chain any path posts (wr_batch WRITEs/READs, then a READ or SEND):
 *   - every ibv_post_send() posts a chain of k <= C WRs; all but the last
 *     are unsignaled with wr_id = 0;
 *   - a signaled last WR carries wr_id = k + sq_unsig and zeroes sq_unsig:
 *     an RC send queue completes in order, so its completion proves every
 *     WR before it retired, the unsignaled chains posted since the last
 *     signaled WR included;
 *   - a chain may end unsignaled (rpmem_lane_post_lazy: WRITE chains) only
 *     while sq_unsig + k <= unsig_max = D - C; then sq_unsig += k;
 *   - before posting, the caller waits until sq_used + k <= D;
 *   - sq_used += k at post, and a successful completion subtracts its
 *     wr_id.
 * Hence sq_used is exactly the number of occupied SQ slots, sq_unsig of
 * them wait for the next signaled WR, and a wait can always end: a chain
 * that finds no room has sq_used > D - k >= sq_unsig, so a signaled WR is
 * outstanding, and once every one has completed sq_used = sq_unsig <= D - k;
 * nothing ever waits for sq_used < sq_unsig.  The CQ holds at most one CQE
 * per signaled chain plus the one RECV; after an error every posted WR may
 * be flushed with its own CQE: D + 1 entries, which is its size.  A CQ
 * event is raised only for a CQE added after the CQ was armed, so a waiter
 * empties the CQ after arming it, not one batch (lane.c, lane_poll).
 */
#ifndef RPMEM_LANE_H
#define RPMEM_LANE_H 1

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "fault_inject.h"
#include "rpmem_proto.h"

/*
 * SQ slots per lane, the most RPMEM_WORK_QUEUE_SIZE may ask: a persist needs
 * 2 (WRITE + READ/SEND); the rest lets rpmem_flush post a batch of WRITEs
 * (D - C = 23 of them) without a completion or a wait
 */
#define RPMEM_LANE_SQ_DEPTH 32
/* pre-built WRITE/READ WRs: a chain carries at most this many transfers */
#define RPMEM_LANE_WR_MAX 8
/* inline data asked for; the device may grant more or (retry) none */
#define RPMEM_LANE_INLINE 64
/* one address resolution attempt (see lane_resolve_addr) */
#define RPMEM_LANE_RESOLVE_STEP_MS 500
/* per-lane bounce buffer for reads into memory outside the pool */
#define RPMEM_LANE_BOUNCE_SIZE (256u * 1024u)

/* offsets in the lane's one registered page of small buffers */
#define RPMEM_LANE_RAW_OFF 0	/* 8 B read-after-write landing buffer */
#define RPMEM_LANE_SEND_OFF 64	/* 32 B GPSPM request */
#define RPMEM_LANE_RECV_OFF 128	/* 16 B GPSPM response */

struct rpmem_lane_attr {
	const struct sockaddr *dst;	/* daemon address with its port */
	unsigned index;			/* lane number, sent in pdata */
	const uint8_t *secret;		/* RPMEM_SECRET_LEN bytes */
	int timeout_ms;			/* bound on every wait */
	unsigned spin_us;		/* busy-poll before blocking */
	unsigned spin_max_us;		/* the window's growth bound */
};

/* queue shape, decided once per data path from the device limits */
struct rpmem_lane_qp_cfg {
	unsigned sq_depth;		/* <= RPMEM_LANE_SQ_DEPTH */
	uint8_t initiator_depth;	/* outstanding READs */
	uint8_t ack_timeout;		/* 4.096 us * 2^ack_timeout */
	uint8_t retry_count;
	uint8_t rnr_retry_count;
	int gpspm;			/* keep one RECV posted */
	/*
	 * the longest range a GPSPM request carries itself (the daemon has
	 * the capability: RPMEM_GPSPM_INLINE_MAX), 0: every request is a
	 * 32-byte SEND behind WRITEs
	 */
	unsigned payload_max;
};

struct rpmem_lane {
	/* hot: touched by every persist/read */
	struct ibv_qp *qp;
	struct ibv_cq *cq;
	unsigned sq_depth;	/* max_send_wr granted */
	unsigned sq_used;	/* occupied SQ slots (see the invariant) */
	unsigned sq_unsig;	/* ... of them behind no signaled WR yet */
	unsigned unsig_max;	/* sq_unsig's bound: sq_depth - chain_max */
	unsigned wr_batch;	/* transfers per chain: min(D / 2, WR_MAX) */
	unsigned resp_pending;	/* GPSPM responses still expected: 0/1 */
	int resp_bad;		/* the last response did not decode */
	uint32_t seq;		/* last GPSPM request sent */
	uint32_t max_inline;	/* granted max_inline_data */
	unsigned payload_max;	/* see rpmem_lane_qp_cfg */
	int err;		/* sticky errno once the QP is unusable */
	int timeout_ms;
	uint64_t spin_ns;	/* the least spin window */
	uint64_t spin_max_ns;	/* its growth bound, <= spin_ns: fixed */
	uint64_t wait_ns;	/* recent completion wait (rpmem_lane_wait) */
	unsigned index;
	uint8_t *raw;		/* landing buffer of the APM READ */
	uint8_t *sbuf;		/* GPSPM request */
	uint8_t *rbuf;		/* GPSPM response */
	uint8_t *bounce;
	uint32_t bounce_lkey;
	struct rpmem_gpspm_resp resp;	/* last response received */
	/*
	 * span of the ranges rpmem_flush posted since the last successful
	 * drain: [fl_lo, fl_hi), empty when fl_hi == 0 (a flushed range has
	 * length > 0, so its end is never 0)
	 */
	uint64_t fl_lo;
	uint64_t fl_hi;

	/* pre-built: only addresses, lengths, flags change per post */
	struct ibv_send_wr wr[RPMEM_LANE_WR_MAX];	/* WRITEs / READs */
	struct ibv_sge sge[RPMEM_LANE_WR_MAX];
	struct ibv_send_wr raw_wr;	/* 8-byte READ into raw */
	struct ibv_sge raw_sge;
	struct ibv_send_wr send_wr;	/* GPSPM request */
	struct ibv_sge send_sge;
	/* GPSPM request with its bytes: sbuf, then the range in the pool */
	struct ibv_send_wr pl_wr;
	struct ibv_sge pl_sge[2];
	struct ibv_recv_wr recv_wr;	/* GPSPM response */
	struct ibv_sge recv_sge;

	/* cold: setup and teardown */
	struct rdma_event_channel *evch;
	struct rdma_cm_id *id;
	struct ibv_comp_channel *cch;
	struct ibv_mr *buf_mr;		/* the page of small buffers */
	struct ibv_mr *bounce_mr;
	uint8_t *page;
	int connected;		/* rdma_connect succeeded */
	int disconnecting;	/* rdma_disconnect called */
	int got_disconnected;	/* the DISCONNECTED event was read */
	enum ibv_wc_status err_wc;	/* why err was set, if by a CQE */
	const uint8_t *secret;	/* the caller's, until connect sends it */
	int gpspm;
};

/*
 * rpmem_lane_new -- create the lane's event channel and CM id and resolve
 * the address and route (each step bounded by timeout_ms); after this
 * rpmem_lane_verbs() names the device the lane will use
 */
int rpmem_lane_new(const struct rpmem_lane_attr *attr,
		struct rpmem_lane **lane);

/* rpmem_lane_verbs -- the device context the lane resolved to */
static inline struct ibv_context *
rpmem_lane_verbs(const struct rpmem_lane *lane)
{
	return lane->id->verbs;
}

/*
 * rpmem_lane_connect -- create the CQ, the QP and the buffers on pd and
 * connect with the session secret; *exhausted is set when the device ran
 * out of CQs/QPs (the caller may then do with fewer lanes)
 */
int rpmem_lane_connect(struct rpmem_lane *lane, struct ibv_pd *pd,
		const struct rpmem_lane_qp_cfg *cfg, int *exhausted);

/*
 * rpmem_lane_set_rkey -- put the remote pool's key into the pre-built WRs
 * (local keys differ per transfer: pool or bounce buffer, set per post)
 */
void rpmem_lane_set_rkey(struct rpmem_lane *lane, uint32_t rkey);

/*
 * rpmem_lane_wait -- consume completions until sq_used <= max_used and no
 * GPSPM response is pending: spin for spin_ns, then block on the CQ and CM
 * channels; 0, or -1 with errno ETIMEDOUT (at this level the lane stays
 * usable, the next call drains; librpmem.c still makes ETIMEDOUT sticky for
 * the pool: the caller cannot know what reached the target, and a daemon
 * that stopped answering rarely comes back), ECONNRESET/EIO/EPROTO (lane
 * unusable, sticky).  max_used >= sq_unsig: unsignaled WRs complete only
 * with a later signaled one
 */
int rpmem_lane_wait(struct rpmem_lane *lane, unsigned max_used);

/* rpmem_lane_fail_msg -- set the message of a call on a dead lane */
int rpmem_lane_fail_msg(struct rpmem_lane *lane);

/*
 * rpmem_lane_kill -- the lane is unusable: remember err (the first one
 * stays), start disconnecting (flushes our QP, tells the peer); -1 with
 * errno the lane's error
 */
int rpmem_lane_kill(struct rpmem_lane *lane, int err);

/*
 * rpmem_lane_post_failed -- ibv_post_send refused a chain: the lane is
 * unusable (we cannot tell which WRs the device took)
 */
int rpmem_lane_post_failed(struct rpmem_lane *lane, int ret);

/*
 * rpmem_lane_ready -- make sure the lane is usable and idle before a new
 * operation: returns 0, or -1 with errno (a sticky error, or ETIMEDOUT when
 * the previous operation's completions still do not arrive)
 */
static inline int
rpmem_lane_ready(struct rpmem_lane *lane)
{
	if (lane->err)
		return rpmem_lane_fail_msg(lane);
	/*
	 * a timed-out operation left signaled WRs behind: drain them first;
	 * unsignaled (flushed) WRs stay, the next signaled WR retires them
	 */
	if (lane->sq_used > lane->sq_unsig || lane->resp_pending)
		return rpmem_lane_wait(lane, lane->sq_unsig);
	return 0;
}

/*
 * lane_post_chain -- post the chain first..last (k WRs) after waiting for
 * k free SQ slots; signaled: its last WR retires it and every unsignaled WR
 * before it (the invariant)
 */
static inline int
lane_post_chain(struct rpmem_lane *lane, struct ibv_send_wr *first,
		struct ibv_send_wr *last, unsigned k, int signaled)
{
	struct ibv_send_wr *bad;
	int ret;

	if (lane->sq_used + k > lane->sq_depth &&
	    rpmem_lane_wait(lane, lane->sq_depth - k))
		return -1;
	last->next = NULL;
	if (signaled) {
		last->send_flags |= IBV_SEND_SIGNALED;
		last->wr_id = k + lane->sq_unsig;
	} else {
		last->send_flags &= ~(unsigned)IBV_SEND_SIGNALED;
		last->wr_id = 0;
	}
	ret = RPMEM_FI_RET("ibv_post_send", ENOMEM);
	if (ret == 0)
		ret = ibv_post_send(lane->qp, first, &bad);
	if (ret)
		return rpmem_lane_post_failed(lane, ret);
	lane->sq_used += k;
	lane->sq_unsig = signaled ? 0 : lane->sq_unsig + k;
	return 0;
}

/*
 * rpmem_lane_post -- post the chain first..last (k WRs) after waiting for
 * k free SQ slots; the last WR is signaled and retires the chain and every
 * unsignaled WR before it
 */
static inline int
rpmem_lane_post(struct rpmem_lane *lane, struct ibv_send_wr *first,
		struct ibv_send_wr *last, unsigned k)
{
	return lane_post_chain(lane, first, last, k, 1);
}

/*
 * rpmem_lane_post_lazy -- post the chain first..last (k WRITEs) without a
 * completion while at most unsig_max WRs wait for one, else signaled: a
 * batch of flushes costs one CQE, the drain's, instead of one each
 */
static inline int
rpmem_lane_post_lazy(struct rpmem_lane *lane, struct ibv_send_wr *first,
		struct ibv_send_wr *last, unsigned k)
{
	return lane_post_chain(lane, first, last, k,
		lane->sq_unsig + k > lane->unsig_max);
}

/* rpmem_lane_disconnect -- start disconnecting (non-blocking) */
void rpmem_lane_disconnect(struct rpmem_lane *lane);

/*
 * rpmem_lane_wait_disconnected -- wait for the DISCONNECTED event until
 * deadline_ms (CLOCK_MONOTONIC milliseconds); a dead peer only costs the wait
 */
void rpmem_lane_wait_disconnected(struct rpmem_lane *lane,
		uint64_t deadline_ms);

/* rpmem_lane_delete -- destroy everything the lane owns; *lane = NULL */
void rpmem_lane_delete(struct rpmem_lane **lane);

#endif /* RPMEM_LANE_H */
