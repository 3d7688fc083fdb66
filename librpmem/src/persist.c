/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist.c -- the persist (APM / GPSPM) and read paths of a lane
 *
 * Transfers larger than t->chunk are split into several WRs and posted in
 * chains of at most wr_batch (sq_depth / 2, at most RPMEM_LANE_WR_MAX)
 * WRs, so two chains are in flight while the lane waits for SQ room (lane.h
 * has the accounting invariant); the common case -- one WRITE plus the READ
 * or SEND -- is one ibv_post_send.  WRITE chains go lazily (unsignaled while
 * the invariant allows): the READ or SEND that ends a persist, or a later
 * drain, retires them with its one completion.
 *
 * The callers (data_path.c) pass what librpmem.c checked at the API
 * boundary: a lane of the pool, a range inside it, length > 0.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "error.h"
#include "persist.h"

/* min_sz -- smaller of two sizes */
static inline size_t
min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * fill_chain -- lane->wr[0..k) as one chain of opcode transfers of at most
 * t->chunk bytes each: local *laddr/lkey, remote *raddr, up to wr_batch of
 * them; advances *laddr, *raddr and *length past what it took, returns k
 * (0 when *length is 0); WRITEs small enough ride inline in the WQE
 */
static inline unsigned
fill_chain(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		enum ibv_wr_opcode opcode, uint64_t *laddr, uint32_t lkey,
		uint64_t *raddr, size_t *length)
{
	unsigned k = 0;

	for (; *length && k < lane->wr_batch; k++) {
		struct ibv_send_wr *wr = &lane->wr[k];
		size_t len = min_sz(*length, t->chunk);

		wr->opcode = opcode;
		wr->wr_id = 0;
		/* small writes ride in the WQE: no DMA read of them */
		wr->send_flags = opcode == IBV_WR_RDMA_WRITE &&
			len <= lane->max_inline ? IBV_SEND_INLINE : 0;
		wr->next = &lane->wr[k + 1];
		wr->wr.rdma.remote_addr = *raddr;
		wr->sg_list->addr = *laddr;
		wr->sg_list->length = (uint32_t)len;
		wr->sg_list->lkey = lkey;
		*laddr += len;
		*raddr += len;
		*length -= len;
	}
	return k;
}

/*
 * post_writes -- post the WRITEs of local/remote [offset, offset+length)
 * lazily, then tail (the READ or SEND, signaled: it retires them all) at
 * the end of the last chain; tail NULL (flush): nothing signaled unless
 * the invariant asks, a later signaled WR retires them
 */
static inline int
post_writes(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		size_t offset, size_t length, struct ibv_send_wr *tail)
{
	uint64_t laddr = (uintptr_t)t->pool + offset;
	uint64_t raddr = t->raddr + offset;

	for (;;) {
		unsigned k = fill_chain(t, lane, IBV_WR_RDMA_WRITE, &laddr,
			t->lkey, &raddr, &length);

		if (length == 0 && tail != NULL) {
			/* last chain: k <= wr_batch, so k + 1 <= chain_max */
			if (k == 0)
				return rpmem_lane_post(lane, tail, tail, 1);
			lane->wr[k - 1].next = tail;
			return rpmem_lane_post(lane, &lane->wr[0], tail, k + 1);
		}
		if (k > 0 && rpmem_lane_post_lazy(lane, &lane->wr[0],
				&lane->wr[k - 1], k))
			return -1;
		if (length == 0)
			return 0;
	}
}

/* rpmem_persist_apm -- WRITE(s) + 8-byte READ, wait for the READ */
int
rpmem_persist_apm(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		size_t offset, size_t length)
{
	uint64_t end = (uint64_t)offset + length;
	uint64_t roff;

	if (rpmem_lane_ready(lane))
		return -1;
	/*
	 * Read the last 8 bytes of the written range; a range shorter than
	 * that near the header reads from the first registered byte instead:
	 * the READ must stay inside the target's registration, and any
	 * address proves the WRITEs before it were placed.
	 */
	roff = end >= (uint64_t)t->hdr_size + 8 ? end - 8 : t->hdr_size;
	lane->raw_wr.wr.rdma.remote_addr = t->raddr + roff;
	if (post_writes(t, lane, offset, length, &lane->raw_wr))
		return -1;
	if (rpmem_lane_wait(lane, 0))
		return -1;
	/* the READ came back after every WRITE before it: flushes too */
	lane->fl_lo = lane->fl_hi = 0;
	return 0;
}

/* gpspm_check -- judge the response to request seq */
static int
gpspm_check(struct rpmem_lane *lane, uint32_t op, uint64_t offset,
		uint64_t length)
{
	const struct rpmem_gpspm_resp *r = &lane->resp;

	if (lane->resp_bad || r->seq != lane->seq || r->lane != lane->index) {
		RPMEM_ERR_ERRNO(EPROTO, "lane %u: malformed persist response "
			"(seq %u/%u, lane %u)", lane->index, r->seq,
			lane->seq, r->lane);
		/* the peer no longer follows the protocol: stop using it */
		return rpmem_lane_kill(lane, EPROTO);
	}
	if (r->status != RPMEM_ST_OK) {
		RPMEM_ERR_ERRNO(rpmem_status_to_errno(r->status),
			"lane %u: the target failed to %s [%llu, %llu): %s",
			lane->index, op == RPMEM_GPSPM_DEEP_PERSIST ?
			"deep-persist" : "persist",
			(unsigned long long)offset,
			(unsigned long long)(offset + length),
			rpmem_status_str(r->status));
		return -1;
	}
	return 0;
}

/*
 * gpspm_request -- WRITE(s) of [offset, +length) (none when length is 0),
 * then SEND {op, req_off, req_len}, wait for the response; a range of at
 * most payload_max bytes instead rides in the SEND itself (op *_INLINE:
 * header from sbuf, then the bytes straight from the pool; no WRITE, so
 * no WRITE ACK either).  The caller made sure no response is pending (so
 * sbuf is free: the daemon answering the last request proves our HCA had
 * sent its bytes).
 */
static int
gpspm_request(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		uint32_t op, size_t offset, size_t length, uint64_t req_off,
		uint64_t req_len)
{
	struct ibv_send_wr *tail = &lane->send_wr;
	struct rpmem_gpspm_req req;

	req.op = op;
	req.lane = lane->index;
	req.offset = req_off;
	req.length = req_len;
	req.seq = ++lane->seq;
	if (length > 0 && length <= lane->payload_max) {
		req.op = op == RPMEM_GPSPM_DEEP_PERSIST ?
			RPMEM_GPSPM_DEEP_PERSIST_INLINE :
			RPMEM_GPSPM_PERSIST_INLINE;
		tail = &lane->pl_wr;
		tail->sg_list[1].addr = (uintptr_t)t->pool + offset;
		tail->sg_list[1].length = (uint32_t)length;
		tail->sg_list[1].lkey = t->lkey;
		/* small enough: the CPU copies it into the WQE, no DMA read */
		tail->send_flags = RPMEM_GPSPM_REQ_SIZE + length <=
			lane->max_inline ? IBV_SEND_INLINE : 0;
		length = 0;	/* nothing to WRITE */
	}
	rpmem_gpspm_req_encode(&req, lane->sbuf);
	if (post_writes(t, lane, offset, length, tail))
		return -1;
	/* only now: the waits inside post_writes must not expect it */
	lane->resp_pending = 1;
	if (rpmem_lane_wait(lane, 0))
		return -1;
	return gpspm_check(lane, op, req_off, req_len);
}

/* rpmem_persist_gpspm -- WRITE(s) + SEND request, wait for the response */
int
rpmem_persist_gpspm(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		size_t offset, size_t length)
{
	if (rpmem_lane_ready(lane))
		return -1;
	return gpspm_request(t, lane, RPMEM_GPSPM_PERSIST, offset, length,
		offset, length);
}

/* rpmem_deep_persist_req -- WRITE(s) + SEND {DEEP_PERSIST}, both methods */
int
rpmem_deep_persist_req(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, size_t offset, size_t length)
{
	if (rpmem_lane_ready(lane))
		return -1;
	return gpspm_request(t, lane, RPMEM_GPSPM_DEEP_PERSIST, offset,
		length, offset, length);
}

/* rpmem_flush_post -- remember the span, post the WRITE(s), no wait */
int
rpmem_flush_post(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		size_t offset, size_t length)
{
	uint64_t end = (uint64_t)offset + length;

	assert(length > 0);
	if (lane->err)
		return rpmem_lane_fail_msg(lane);
	/*
	 * The span first: a drain after a flush that failed half-way still
	 * covers (and retires) the chains that went.
	 */
	if (lane->fl_hi == 0) {
		lane->fl_lo = offset;
		lane->fl_hi = end;
	} else {
		if (offset < lane->fl_lo)
			lane->fl_lo = offset;
		if (end > lane->fl_hi)
			lane->fl_hi = end;
	}
	/*
	 * No completion and no wait while the SQ has room: the chains go
	 * lazily (lane.h), the drain's READ or PERSIST retires them.
	 */
	return post_writes(t, lane, offset, length, NULL);
}

/* rpmem_drain_apm -- one signaled 8-byte READ behind the flushed WRITEs */
int
rpmem_drain_apm(const struct rpmem_dp_target *t, struct rpmem_lane *lane)
{
	uint64_t end = lane->fl_hi;

	if (lane->err)
		return rpmem_lane_fail_msg(lane);
	if (end == 0)
		return rpmem_lane_ready(lane);	/* nothing flushed */
	/* same READ placement as rpmem_persist_apm, see there */
	lane->raw_wr.wr.rdma.remote_addr = t->raddr +
		(end >= (uint64_t)t->hdr_size + 8 ? end - 8 : t->hdr_size);
	if (rpmem_lane_post(lane, &lane->raw_wr, &lane->raw_wr, 1))
		return -1;
	if (rpmem_lane_wait(lane, 0))
		return -1;
	lane->fl_lo = lane->fl_hi = 0;
	return 0;
}

/* rpmem_drain_gpspm -- one PERSIST of the lane's flushed span */
int
rpmem_drain_gpspm(const struct rpmem_dp_target *t, struct rpmem_lane *lane)
{
	if (lane->err)
		return rpmem_lane_fail_msg(lane);
	/* a timed-out request left its response behind: collect it first */
	if (lane->fl_hi == 0 || lane->resp_pending)
		if (rpmem_lane_ready(lane))
			return -1;
	if (lane->fl_hi == 0)
		return 0;
	/* no wait for the WRITEs: RC delivers the SEND after them */
	if (gpspm_request(t, lane, RPMEM_GPSPM_PERSIST, 0, 0, lane->fl_lo,
			lane->fl_hi - lane->fl_lo))
		return -1;
	lane->fl_lo = lane->fl_hi = 0;
	return 0;
}

/*
 * post_reads -- READs of remote [offset, +length) into local laddr/lkey,
 * each chain signaled (the bounce read waits for them chunk by chunk);
 * *nwr (if not NULL) gets the number of send queue slots they took
 */
static int
post_reads(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		uint64_t laddr, uint32_t lkey, size_t offset, size_t length,
		unsigned *nwr)
{
	uint64_t raddr = t->raddr + offset;
	unsigned n = 0;

	while (length) {
		unsigned k = fill_chain(t, lane, IBV_WR_RDMA_READ, &laddr,
			lkey, &raddr, &length);

		if (rpmem_lane_post(lane, &lane->wr[0], &lane->wr[k - 1], k))
			return -1;
		n += k;
	}
	if (nwr != NULL)
		*nwr = n;
	return 0;
}

/* read_bounce -- READ through the two bounce halves, copy out behind */
static int
read_bounce(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		uint8_t *dst, size_t offset, size_t length)
{
	const size_t half = RPMEM_LANE_BOUNCE_SIZE / 2;
	const size_t chunk = min_sz(half, t->chunk);
	size_t prev_len = 0;
	unsigned i = 0;

	for (; length; i++) {
		size_t len = min_sz(length, chunk);
		uint8_t *buf = lane->bounce + (i & 1) * half;
		unsigned nwr;

		if (post_reads(t, lane, (uintptr_t)buf, lane->bounce_lkey,
				offset, len, &nwr))
			return -1;
		if (i > 0) {
			/*
			 * completions are in order: with only chunk i's WRs
			 * left, chunk i - 1 has landed (and chunk i keeps
			 * the wire busy while it is copied out)
			 */
			if (rpmem_lane_wait(lane, nwr))
				return -1;
			memcpy(dst, lane->bounce + ((i - 1) & 1) * half,
				prev_len);
			dst += prev_len;
		}
		prev_len = len;
		offset += len;
		length -= len;
	}
	if (rpmem_lane_wait(lane, 0))
		return -1;
	memcpy(dst, lane->bounce + ((i - 1) & 1) * half, prev_len);
	return 0;
}

/* rpmem_read_remote -- zero copy into the pool, else through the bounce */
int
rpmem_read_remote(const struct rpmem_dp_target *t, struct rpmem_lane *lane,
		void *buff, size_t offset, size_t length)
{
	uintptr_t b = (uintptr_t)buff;
	uintptr_t p = (uintptr_t)t->pool;

	if (rpmem_lane_ready(lane))
		return -1;
	if (b >= p && b - p <= t->pool_size && length <= t->pool_size - (b - p)) {
		if (post_reads(t, lane, b, t->lkey, offset, length, NULL))
			return -1;
		return rpmem_lane_wait(lane, 0);
	}
	return read_bounce(t, lane, buff, offset, length);
}
