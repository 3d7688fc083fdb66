/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lane_model.c -- the client's data path (lane.c, persist.c) against
 * a model of the device and the target, without an RDMA device.
 *
 * ibv_post_send, ibv_post_recv, ibv_poll_cq and ibv_req_notify_cq are
 * inline calls through the context's ops, so a fake context stands in for
 * an RC queue pair: it keeps the posted WRs in a send queue and executes
 * them in order against Remote, the target's pool as placed, while
 * Durable is what would survive a power failure there: an RDMA READ makes
 * every placed byte durable on an APM target (DDIO off), a GPSPM request
 * only its own range (the fake daemon flushes it, then answers).  Every
 * post is checked against what a device would take and against lane.h's
 * accounting invariant.  lane.c and persist.c are included for their
 * static parts (lane_prebuild builds the WRs as rpmem_lane_connect
 * would); the fake lane has no rdma_cm id, so rdma_disconnect, which a
 * killed lane calls, is defined here (the executable's definition wins
 * over librdmacm's) and only counts.
 *
 * The random model check runs persists, flushes, drains, deep persists
 * and reads on lanes of random shape while the device executes, answers
 * and completes at random points and sometimes fails a WR; after each call
 * the data must be where the call promised.  A quarter of the lanes sleep
 * on the completion channel instead of spinning: arming the CQ raises an
 * event for a CQE still to come, none for one that landed before it.
 * Every check is deterministic: fixed seeds, a generator of our own.  The
 * scripted cases make the daemon answer wrongly: an answer the lane
 * cannot match to its request kills the lane (EPROTO), a refusal fails
 * only the call.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lane.c"
#include "persist.c"

#define POOL_SIZE (1u << 20)
#define HDR_SIZE 4096u		/* the scripted cases' unregistered header */
#define REMOTE_BASE 0x7000000000ull	/* remote address of offset 0 */
#define RKEY 42u
#define PAGE_LKEY 111u
#define BOUNCE_LKEY 222u
#define POOL_LKEY 333u
#define LANE_INDEX 3u		/* not 0: a wrong lane number shows */
#define TIMEOUT_MS 2000	/* hit only by a sleep no event will end */
/* longer than any test: the wait never leaves its busy phase */
#define SPIN_FOREVER_NS (3600ull * 1000000000ull)

/* the random model check: about 0.2 s per seed in a RelWithDebInfo build */
#define SEEDS 8
#define TRIALS 100
#define OPS 60

/*
 * polls in a row that find nothing in flight: the lane waits for what
 * will never come (lane_poll legitimately ends with one such poll)
 */
#define IDLE_POLLS_MAX 64

#define SQ_SLOTS RPMEM_LANE_SQ_DEPTH
#define CQ_SLOTS (RPMEM_LANE_SQ_DEPTH + 1)

/* where a failure happened: seed and trial (or case), op, call */
static struct {
	char prefix[64];
	unsigned op;
	char call[64];
} At;

/*
 * MODEL_ASSERT -- a Check assertion that names where it failed; tested
 * first with a plain if: a passing ck_assert_msg records a mark point (a
 * write to Check's message file), too slow for a check per WR
 */
#define MODEL_ASSERT(expr, fmt, ...) \
	do { \
		if (!(expr)) \
			ck_assert_msg(expr, "%s op %u %s: " fmt, \
				At.prefix, At.op, At.call, ##__VA_ARGS__); \
	} while (0)

/* how the fake daemon answers its next request */
enum daemon_answer {
	ANSWER_OK,
	ANSWER_SEQ_NEXT,	/* the request's seq + 1 */
	ANSWER_OTHER_LANE,	/* another lane's number */
	ANSWER_SHORT,		/* 15 of the 16 bytes */
	ANSWER_BAD_STATUS,	/* a status beyond RPMEM_ST_MAX */
	ANSWER_NOSPC,		/* refused with RPMEM_ST_NOSPC, not flushed */
	ANSWER_TWICE,		/* the right answer, sent twice */
};

/* a posted WR as the device keeps it */
struct fake_wr {
	enum ibv_wr_opcode opcode;
	int num_sge;
	int signaled;
	int inl;
	uint64_t laddr[2];
	uint32_t length[2];
	uint64_t raddr;
	uint64_t wr_id;
	uint64_t seq;		/* 1 + the WRs posted before it */
	/* inline bytes, copied into the WQE at post */
	uint8_t data[RPMEM_LANE_INLINE];
};

/* the fake device, the target's memory and the fake daemon */
static struct {
	/* shape and behaviour; the scripted cases use 100, 100, 0, 0 */
	unsigned sq_depth;
	unsigned cq_size;
	unsigned max_inline;
	uint32_t hdr_size;
	int apm;		/* a READ makes every placed byte durable */
	unsigned exec_pct;	/* a poll executes the next WR */
	unsigned respond_pct;	/* ... delivers the daemon's answer */
	unsigned split_pct;	/* ... returns fewer CQEs than it holds */
	unsigned err_ppm;	/* an executed WR fails (per million) */
	enum ibv_wc_status err_status;	/* ... with this status */
	enum daemon_answer answer;	/* the next answer (then ANSWER_OK) */

	/* send queue: posted, not executed yet */
	struct fake_wr sq[SQ_SLOTS];
	unsigned sq_head;
	unsigned sq_n;
	uint64_t posted;	/* WRs ever posted: the last one's seq */
	uint64_t retired;	/* the last WR a consumed CQE retired */
	uint64_t last_signaled;	/* seq of the last signaled WR posted */
	int qp_err;		/* an injected failure: every WR now fails */

	/* completion queue */
	struct ibv_wc cq[CQ_SLOTS];
	uint64_t cq_seq[CQ_SLOTS];	/* the WR each CQE completes */
	unsigned cq_head;
	unsigned cq_n;
	int cq_held;		/* the last poll left CQEs: not yet written */
	int armed;		/* the next CQE raises a completion event */
	unsigned idle_polls;

	/* receive side and the daemon */
	int recv_posted;
	uint8_t *recv_buf;
	unsigned answers;	/* answers ready to be sent */
	uint8_t answer_buf[RPMEM_GPSPM_RESP_SIZE];
	uint32_t answer_len;
	uint32_t req_seq;	/* the last request's seq */
	uint64_t dirty_lo;	/* placed, not yet durable (APM) */
	uint64_t dirty_hi;

	/* what the lane did */
	unsigned sends;		/* ibv_post_send calls */
	unsigned requests;	/* GPSPM requests executed */
	unsigned disconnects;
	struct rdma_cm_id *disconnected;
} F;

static uint8_t Pool[POOL_SIZE] __attribute__((aligned(4096)));
static uint8_t Remote[POOL_SIZE];	/* the target's pool as placed */
static uint8_t Durable[POOL_SIZE];	/* ... as a power failure leaves it */
static uint8_t Ext[POOL_SIZE];		/* a read destination off the pool */
static uint8_t Page[4096] __attribute__((aligned(4096)));
static uint8_t Bounce[RPMEM_LANE_BOUNCE_SIZE] __attribute__((aligned(4096)));

static struct ibv_context Ctx;
static struct ibv_qp Qp;
static struct ibv_cq Cq;
static struct ibv_comp_channel Cch;
static struct rdma_event_channel Evch;
static struct ibv_mr PageMr;
static int CchPipe[2] = { -1, -1 };
static int EvchPipe[2] = { -1, -1 };

static struct rpmem_lane Lane;
static struct rpmem_dp_target T;

/* the ranges flushed since the last drain (APM persists drain too) */
static struct {
	uint64_t off;
	uint64_t len;
} Flushed[OPS];
static unsigned NFlushed;

static uint64_t Rng;

/* rnd -- xorshift64*: one sequence per seed, whatever the libc */
static uint64_t
rnd(void)
{
	Rng ^= Rng >> 12;
	Rng ^= Rng << 25;
	Rng ^= Rng >> 27;
	return Rng * 0x2545f4914f6cdd1dull;
}

static uint64_t
rnd_below(uint64_t n)
{
	return rnd() % n;
}

static int
chance(unsigned pct)
{
	return rnd_below(100) < pct;
}

static void
fill_random(uint8_t *p, size_t len)
{
	uint64_t v;

	for (; len >= sizeof(v); p += sizeof(v), len -= sizeof(v)) {
		v = rnd();
		memcpy(p, &v, sizeof(v));
	}
	if (len > 0) {
		v = rnd();
		memcpy(p, &v, len);
	}
}

/* rdma_disconnect -- librdmacm's, replaced: the fake lane has no id */
int
rdma_disconnect(struct rdma_cm_id *id)
{
	F.disconnects++;
	F.disconnected = id;
	return 0;
}

/* local_ok -- [addr, +len) lies inside the registration lkey names */
static int
local_ok(uint64_t addr, uint64_t len, uint32_t lkey)
{
	const struct {
		const uint8_t *base;
		size_t size;
		uint32_t lkey;
	} mr[] = {
		{ Pool, sizeof(Pool), POOL_LKEY },
		{ Page, sizeof(Page), PAGE_LKEY },
		{ Bounce, sizeof(Bounce), BOUNCE_LKEY },
	};

	for (size_t i = 0; i < sizeof(mr) / sizeof(mr[0]); i++) {
		uint64_t base = (uintptr_t)mr[i].base;

		if (lkey == mr[i].lkey && addr >= base &&
		    addr - base <= mr[i].size &&
		    len <= mr[i].size - (addr - base))
			return 1;
	}
	return 0;
}

/* remote_ok -- [raddr, +len) lies inside the target's registration */
static int
remote_ok(uint64_t raddr, uint64_t len)
{
	return raddr >= REMOTE_BASE &&
		rpmem_range_valid(raddr - REMOTE_BASE, len, F.hdr_size,
			POOL_SIZE);
}

static int
answer_deliverable(void)
{
	return F.answers > 0 && F.recv_posted;
}

/* nothing posted, completed or answered: no CQE can come */
static int
nothing_in_flight(void)
{
	return F.sq_n == 0 && F.cq_n == 0 && !answer_deliverable();
}

/*
 * raise_event -- a completion event on the channel.  ibv_get_cq_event
 * reads an 8-byte event from the channel's fd: the one byte written here
 * makes it fail, so the lane acks nothing and polls.  The pipe holds at
 * most that byte.
 */
static void
raise_event(void)
{
	char b[8];
	ssize_t w;

	while (read(CchPipe[0], b, sizeof(b)) > 0)
		;
	w = write(CchPipe[1], b, 1);
	MODEL_ASSERT(w == 1, "write to the completion channel");
	F.armed = 0;
}

static void
push_cqe(enum ibv_wc_status status, enum ibv_wc_opcode opcode,
		uint64_t wr_id, uint64_t seq, uint32_t byte_len)
{
	struct ibv_wc *wc;

	/* the CQ has sq_depth + 1 entries (rpmem_lane_connect) */
	MODEL_ASSERT(F.cq_n < F.cq_size, "CQ overflow: %u CQEs, %u fit",
		F.cq_n + 1, F.cq_size);
	wc = &F.cq[(F.cq_head + F.cq_n) % CQ_SLOTS];
	memset(wc, 0, sizeof(*wc));
	wc->status = status;
	wc->opcode = opcode;
	wc->wr_id = wr_id;
	wc->byte_len = byte_len;
	F.cq_seq[(F.cq_head + F.cq_n) % CQ_SLOTS] = seq;
	F.cq_n++;
	if (F.armed)
		raise_event();
}

static void
deliver_answer(void)
{
	memcpy(F.recv_buf, F.answer_buf, F.answer_len);
	F.recv_posted = 0;
	F.answers--;
	push_cqe(IBV_WC_SUCCESS, IBV_WC_RECV, 0, 0, F.answer_len);
}

/* daemon_answer -- prepare the answer {status, lane, seq}, as F.answer says */
static void
daemon_answer(uint32_t status, uint32_t lane, uint32_t seq)
{
	struct rpmem_gpspm_resp resp = {
		.status = status, .lane = lane, .seq = seq,
	};

	F.answer_len = RPMEM_GPSPM_RESP_SIZE;
	F.answers = 1;
	switch (F.answer) {
	case ANSWER_SEQ_NEXT:
		resp.seq++;
		break;
	case ANSWER_OTHER_LANE:
		resp.lane++;
		break;
	case ANSWER_SHORT:
		F.answer_len--;
		break;
	case ANSWER_BAD_STATUS:
		resp.status = RPMEM_ST_MAX;
		break;
	case ANSWER_TWICE:
		F.answers = 2;
		break;
	default:
		break;
	}
	F.answer = ANSWER_OK;
	rpmem_gpspm_resp_encode(&resp, F.answer_buf);
}

/* daemon_request -- what rpmemd does with a request it received */
static void
daemon_request(const uint8_t *msg, uint32_t len)
{
	struct rpmem_gpspm_req r;
	uint32_t status = F.answer == ANSWER_NOSPC ? RPMEM_ST_NOSPC :
		RPMEM_ST_OK;

	MODEL_ASSERT(rpmem_gpspm_req_decode(msg, len, &r) == 0,
		"malformed GPSPM request of %u bytes", len);
	MODEL_ASSERT(r.lane == LANE_INDEX, "request names lane %u", r.lane);
	MODEL_ASSERT(r.seq == F.req_seq + 1, "request seq %u after %u",
		r.seq, F.req_seq);
	MODEL_ASSERT(r.length > 0 && rpmem_range_valid(r.offset, r.length,
		F.hdr_size, POOL_SIZE), "request range [%llu, +%llu)",
		(unsigned long long)r.offset, (unsigned long long)r.length);
	MODEL_ASSERT(F.answers == 0, "a request while an answer is unsent");
	F.req_seq = r.seq;
	F.requests++;
	if (status == RPMEM_ST_OK) {
		if (rpmem_gpspm_op_inline(r.op))
			memcpy(Remote + r.offset, msg + RPMEM_GPSPM_REQ_SIZE,
				r.length);
		memcpy(Durable + r.offset, Remote + r.offset, r.length);
	}
	daemon_answer(status, r.lane, r.seq);
}

/* the QP went to the error state: every WR completes flushed from now */
static void
fail_wr(const struct fake_wr *s)
{
	if (F.qp_err) {
		push_cqe(IBV_WC_WR_FLUSH_ERR, IBV_WC_SEND, s->wr_id, s->seq,
			0);
		return;
	}
	F.qp_err = 1;
	push_cqe(F.err_status, IBV_WC_SEND, s->wr_id, s->seq, 0);
	if (F.recv_posted) {
		F.recv_posted = 0;
		push_cqe(IBV_WC_WR_FLUSH_ERR, IBV_WC_RECV, 0, 0, 0);
	}
	F.answers = 0;
}

/* make_durable -- an APM READ: every placed byte is durable now */
static void
make_durable(void)
{
	if (F.dirty_hi > F.dirty_lo)
		memcpy(Durable + F.dirty_lo, Remote + F.dirty_lo,
			F.dirty_hi - F.dirty_lo);
	F.dirty_lo = F.dirty_hi = 0;
}

/* exec_one -- the device executes the oldest WR in the send queue */
static void
exec_one(void)
{
	const struct fake_wr *s = &F.sq[F.sq_head];
	uint64_t off = s->raddr - REMOTE_BASE;
	uint8_t msg[RPMEM_GPSPM_REQ_MAX_SIZE];
	enum ibv_wc_opcode opcode;
	uint32_t len = 0;

	F.sq_head = (F.sq_head + 1) % SQ_SLOTS;
	F.sq_n--;
	if (F.qp_err || (F.err_ppm > 0 &&
			rnd_below(1000000) < F.err_ppm)) {
		fail_wr(s);
		return;
	}
	switch (s->opcode) {
	case IBV_WR_RDMA_WRITE:
		memcpy(Remote + off, s->inl ? s->data :
			(const uint8_t *)(uintptr_t)s->laddr[0],
			s->length[0]);
		if (F.dirty_hi == 0 || off < F.dirty_lo)
			F.dirty_lo = off;
		if (off + s->length[0] > F.dirty_hi)
			F.dirty_hi = off + s->length[0];
		opcode = IBV_WC_RDMA_WRITE;
		break;
	case IBV_WR_RDMA_READ:
		memcpy((uint8_t *)(uintptr_t)s->laddr[0], Remote + off,
			s->length[0]);
		if (F.apm)
			make_durable();
		opcode = IBV_WC_RDMA_READ;
		break;
	default:
		for (int i = 0; i < s->num_sge; i++) {
			MODEL_ASSERT(len + s->length[i] <= sizeof(msg),
				"a SEND of more than %zu bytes", sizeof(msg));
			memcpy(msg + len, s->inl ? s->data + len :
				(const uint8_t *)(uintptr_t)s->laddr[i],
				s->length[i]);
			len += s->length[i];
		}
		daemon_request(msg, len);
		opcode = IBV_WC_SEND;
		break;
	}
	if (s->signaled)
		push_cqe(IBV_WC_SUCCESS, opcode, s->wr_id, s->seq, 0);
}

/* post_one -- what a device checks of a WR, and what it keeps */
static void
post_one(const struct ibv_send_wr *wr)
{
	uint64_t occupied = F.posted - F.retired;
	struct fake_wr *s;
	uint64_t total = 0;

	MODEL_ASSERT(occupied < F.sq_depth, "SQ overflow: %llu WRs in a "
		"queue of %u", (unsigned long long)occupied + 1, F.sq_depth);
	s = &F.sq[(F.sq_head + F.sq_n) % SQ_SLOTS];
	F.sq_n++;
	memset(s, 0, sizeof(*s));
	s->seq = ++F.posted;
	s->opcode = wr->opcode;
	s->num_sge = wr->num_sge;
	s->signaled = (wr->send_flags & IBV_SEND_SIGNALED) != 0;
	s->inl = (wr->send_flags & IBV_SEND_INLINE) != 0;
	s->raddr = wr->wr.rdma.remote_addr;
	s->wr_id = wr->wr_id;

	/* lane.h: a signaled WR's wr_id is the number of WRs it retires */
	if (s->signaled) {
		MODEL_ASSERT(wr->wr_id == s->seq - F.last_signaled,
			"signaled WR retires %llu WRs, its wr_id says %llu",
			(unsigned long long)(s->seq - F.last_signaled),
			(unsigned long long)wr->wr_id);
		F.last_signaled = s->seq;
	} else {
		MODEL_ASSERT(wr->wr_id == 0, "unsignaled WR with wr_id %llu",
			(unsigned long long)wr->wr_id);
	}
	MODEL_ASSERT(wr->opcode == IBV_WR_RDMA_WRITE ||
		wr->opcode == IBV_WR_RDMA_READ || wr->opcode == IBV_WR_SEND,
		"opcode %d", wr->opcode);
	MODEL_ASSERT(wr->num_sge >= 1 && wr->num_sge <=
		(wr->opcode == IBV_WR_SEND ? 2 : 1), "%d SGEs", wr->num_sge);
	for (int i = 0; i < wr->num_sge; i++) {
		const struct ibv_sge *sge = &wr->sg_list[i];

		s->laddr[i] = sge->addr;
		s->length[i] = sge->length;
		total += sge->length;
		MODEL_ASSERT(s->inl || local_ok(sge->addr, sge->length,
			sge->lkey), "SGE %d: [%#llx, +%u) not in lkey %u", i,
			(unsigned long long)sge->addr, sge->length,
			sge->lkey);
	}
	if (s->inl) {
		MODEL_ASSERT(wr->opcode != IBV_WR_RDMA_READ, "inline READ");
		MODEL_ASSERT(total <= F.max_inline, "%llu inline bytes, "
			"max_inline %u", (unsigned long long)total,
			F.max_inline);
		/* the bytes are copied into the WQE now */
		for (int i = 0, at = 0; i < wr->num_sge; i++) {
			memcpy(s->data + at,
				(const void *)(uintptr_t)s->laddr[i],
				s->length[i]);
			at += (int)s->length[i];
		}
	}
	if (wr->opcode == IBV_WR_SEND) {
		MODEL_ASSERT(wr->sg_list[0].addr == (uintptr_t)Lane.sbuf &&
			wr->sg_list[0].length == RPMEM_GPSPM_REQ_SIZE,
			"a SEND not starting with the request header");
		/* else the answer meets no RECV (RNR) */
		MODEL_ASSERT(F.recv_posted || F.qp_err,
			"a request posted with no RECV for its answer");
	} else {
		MODEL_ASSERT(wr->wr.rdma.rkey == RKEY, "rkey %u",
			wr->wr.rdma.rkey);
		MODEL_ASSERT(remote_ok(s->raddr, total), "remote [%#llx, "
			"+%llu) outside [hdr %u, pool %u)",
			(unsigned long long)s->raddr,
			(unsigned long long)total, F.hdr_size, POOL_SIZE);
	}
}

static int
fake_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
		struct ibv_send_wr **bad)
{
	unsigned k = 0;

	(void) qp;
	(void) bad;
	MODEL_ASSERT(Lane.err == 0, "WR posted on a dead lane (err %d)",
		Lane.err);
	F.sends++;
	F.idle_polls = 0;
	for (; wr != NULL; wr = wr->next, k++)
		post_one(wr);
	MODEL_ASSERT(k >= 1 && k <= Lane.wr_batch + 1,
		"a chain of %u WRs, chain_max %u", k, Lane.wr_batch + 1);
	return 0;
}

static int
fake_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
		struct ibv_recv_wr **bad)
{
	(void) qp;
	(void) bad;
	MODEL_ASSERT(!F.recv_posted, "a second RECV posted");
	MODEL_ASSERT(wr->next == NULL && wr->num_sge == 1 &&
		wr->sg_list[0].addr == (uintptr_t)Lane.rbuf &&
		wr->sg_list[0].length >= RPMEM_GPSPM_RESP_SIZE &&
		local_ok(wr->sg_list[0].addr, wr->sg_list[0].length,
			wr->sg_list[0].lkey), "a RECV not into rbuf");
	F.idle_polls = 0;
	if (F.qp_err) {
		push_cqe(IBV_WC_WR_FLUSH_ERR, IBV_WC_RECV, 0, 0, 0);
		return 0;
	}
	F.recv_posted = 1;
	F.recv_buf = (uint8_t *)(uintptr_t)wr->sg_list[0].addr;
	return 0;
}

/*
 * device_run -- the device and the daemon make progress (only when the
 * lane polls or arms the CQ): a late answer first (a duplicate meets the
 * next request), then some WRs executed, each maybe answered
 */
static void
device_run(void)
{
	if (answer_deliverable() && chance(F.respond_pct))
		deliver_answer();
	while (F.sq_n > 0 && chance(F.exec_pct)) {
		exec_one();
		if (answer_deliverable() && chance(F.respond_pct))
			deliver_answer();
	}
}

/* fake_poll_cq -- progress, then some of the CQEs returned */
static int
fake_poll_cq(struct ibv_cq *cq, int num, struct ibv_wc *wc)
{
	int n = 0;

	(void) cq;
	if (nothing_in_flight()) {
		F.idle_polls++;
		MODEL_ASSERT(F.idle_polls <= IDLE_POLLS_MAX, "the lane waits "
			"with nothing in flight (sq_used %u, sq_unsig %u, "
			"resp_pending %u)", Lane.sq_used, Lane.sq_unsig,
			Lane.resp_pending);
	}
	device_run();
	while (n < num && F.cq_n > 0) {
		if (n > 0 && chance(F.split_pct))
			break;
		wc[n] = F.cq[F.cq_head];
		if (wc[n].status == IBV_WC_SUCCESS &&
		    wc[n].opcode != IBV_WC_RECV)
			F.retired = F.cq_seq[F.cq_head];
		F.cq_head = (F.cq_head + 1) % CQ_SLOTS;
		F.cq_n--;
		n++;
	}
	/* fewer than asked for means "empty": the rest come later */
	F.cq_held = n < num && F.cq_n > 0;
	if (F.cq_held && F.armed)
		raise_event();
	if (n > 0)
		F.idle_polls = 0;
	return n;
}

/*
 * fake_req_notify_cq -- arming.  CQEs may land between the lane's last
 * poll and the arming, and raise no event: the lane must poll after
 * arming.  The device does not run while the lane sleeps, so a CQE still
 * to come (a WR to execute, an answer to deliver, a CQE a poll held back)
 * raises the event now.
 */
static int
fake_req_notify_cq(struct ibv_cq *cq, int solicited_only)
{
	(void) cq;
	(void) solicited_only;
	MODEL_ASSERT(!nothing_in_flight(), "the lane sleeps with nothing in "
		"flight (sq_used %u, sq_unsig %u, resp_pending %u)",
		Lane.sq_used, Lane.sq_unsig, Lane.resp_pending);
	device_run();
	F.armed = 1;
	if (F.sq_n > 0 || answer_deliverable() || F.cq_held)
		raise_event();
	return 0;
}

static void
pipe_nonblock(int fds[2])
{
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
}

static void
setup(void)
{
	memset(&Ctx, 0, sizeof(Ctx));
	Ctx.ops.post_send = fake_post_send;
	Ctx.ops.post_recv = fake_post_recv;
	Ctx.ops.poll_cq = fake_poll_cq;
	Ctx.ops.req_notify_cq = fake_req_notify_cq;
	Qp.context = &Ctx;
	Cq.context = &Ctx;
	pipe_nonblock(CchPipe);
	pipe_nonblock(EvchPipe);
	Cch.fd = CchPipe[0];
	Evch.fd = EvchPipe[0];
	Rng = 0x9e3779b97f4a7c15ull;	/* fill_random gives no zeros */
	snprintf(At.prefix, sizeof(At.prefix), "setup");
	At.op = 0;
	At.call[0] = '\0';
}

static void
teardown(void)
{
	for (int i = 0; i < 2; i++) {
		close(CchPipe[i]);
		close(EvchPipe[i]);
	}
}

/*
 * lane_init -- a connected lane of the given shape as rpmem_lane_connect
 * leaves it (its RECV posted) on a fresh device, pool and target
 */
static void
lane_init(unsigned sq_depth, unsigned max_inline, unsigned payload_max,
		uint64_t spin_ns, uint32_t hdr_size, size_t chunk)
{
	struct ibv_recv_wr *bad;

	memset(&F, 0, sizeof(F));
	F.sq_depth = sq_depth;
	F.cq_size = sq_depth + 1;
	F.max_inline = max_inline;
	F.hdr_size = hdr_size;
	F.exec_pct = 100;
	F.respond_pct = 100;

	memset(&Lane, 0, sizeof(Lane));
	Lane.qp = &Qp;
	Lane.cq = &Cq;
	Lane.cch = &Cch;
	Lane.evch = &Evch;
	Lane.id = NULL;
	Lane.index = LANE_INDEX;
	Lane.sq_depth = sq_depth;
	/* as rpmem_lane_connect derives them from the granted depth */
	Lane.wr_batch = sq_depth / 2 < RPMEM_LANE_WR_MAX ?
		sq_depth / 2 : RPMEM_LANE_WR_MAX;
	Lane.unsig_max = sq_depth - (Lane.wr_batch + 1);
	Lane.max_inline = max_inline;
	Lane.payload_max = payload_max;
	Lane.timeout_ms = TIMEOUT_MS;
	Lane.spin_ns = spin_ns;
	Lane.gpspm = 1;
	Lane.connected = 1;	/* a kill disconnects */
	Lane.page = Page;
	Lane.raw = Page + RPMEM_LANE_RAW_OFF;
	Lane.sbuf = Page + RPMEM_LANE_SEND_OFF;
	Lane.rbuf = Page + RPMEM_LANE_RECV_OFF;
	PageMr.addr = Page;
	PageMr.length = sizeof(Page);
	PageMr.lkey = PAGE_LKEY;
	Lane.buf_mr = &PageMr;
	Lane.bounce = Bounce;
	Lane.bounce_lkey = BOUNCE_LKEY;
	lane_prebuild(&Lane);
	rpmem_lane_set_rkey(&Lane, RKEY);
	ck_assert_int_eq(ibv_post_recv(Lane.qp, &Lane.recv_wr, &bad), 0);

	T.pool = Pool;
	T.pool_size = POOL_SIZE;
	T.lkey = POOL_LKEY;
	T.raddr = REMOTE_BASE;
	T.hdr_size = hdr_size;
	T.chunk = chunk;
	memset(Pool, 0, sizeof(Pool));
	memset(Remote, 0, sizeof(Remote));
	memset(Durable, 0, sizeof(Durable));
	NFlushed = 0;
}

/* check_accounting -- lane.h's invariant, against what the device saw */
static void
check_accounting(void)
{
	MODEL_ASSERT(Lane.sq_used == F.posted - F.retired, "sq_used %u, "
		"%llu WRs occupy the SQ", Lane.sq_used,
		(unsigned long long)(F.posted - F.retired));
	MODEL_ASSERT(Lane.sq_unsig == F.posted - F.last_signaled,
		"sq_unsig %u, %llu WRs behind no signaled WR", Lane.sq_unsig,
		(unsigned long long)(F.posted - F.last_signaled));
	MODEL_ASSERT(Lane.sq_unsig <= Lane.unsig_max, "sq_unsig %u > %u",
		Lane.sq_unsig, Lane.unsig_max);
	MODEL_ASSERT(Lane.resp_pending == 0, "a call returned with its "
		"answer pending");
}

/*
 * check_dead -- the lane failed for good: every call fails at once with
 * the lane's errno and posts nothing; it disconnected once
 */
static void
check_dead(int err)
{
	static const rpmem_persist_fn persists[] = {
		rpmem_persist_apm, rpmem_persist_gpspm,
		rpmem_deep_persist_req, rpmem_flush_post,
	};
	static const rpmem_drain_fn drains[] = {
		rpmem_drain_apm, rpmem_drain_gpspm,
	};
	unsigned sends = F.sends;
	int ret;

	MODEL_ASSERT(Lane.err == err, "lane err %d, expected %d", Lane.err,
		err);
	MODEL_ASSERT(F.disconnects == 1 && F.disconnected == Lane.id,
		"%u disconnects", F.disconnects);
	for (size_t i = 0; i < sizeof(persists) / sizeof(persists[0]); i++) {
		errno = 0;
		ret = persists[i](&T, &Lane, T.hdr_size, 8);
		MODEL_ASSERT(ret == -1 && errno == err, "persist fn %zu on "
			"a dead lane: %d, errno %d", i, ret, errno);
	}
	for (size_t i = 0; i < sizeof(drains) / sizeof(drains[0]); i++) {
		errno = 0;
		ret = drains[i](&T, &Lane);
		MODEL_ASSERT(ret == -1 && errno == err, "drain fn %zu on a "
			"dead lane: %d, errno %d", i, ret, errno);
	}
	errno = 0;
	ret = rpmem_read_remote(&T, &Lane, Ext, T.hdr_size, 8);
	MODEL_ASSERT(ret == -1 && errno == err, "read on a dead lane: %d, "
		"errno %d", ret, errno);
	MODEL_ASSERT(F.sends == sends, "posted on a dead lane");
	MODEL_ASSERT(F.disconnects == 1, "%u disconnects", F.disconnects);
}

static int
overlaps_flushed(uint64_t off, uint64_t len)
{
	for (unsigned i = 0; i < NFlushed; i++)
		if (off < Flushed[i].off + Flushed[i].len &&
		    Flushed[i].off < off + len)
			return 1;
	return 0;
}

/* check_flushed_durable -- a drain's promise; the list is then empty */
static void
check_flushed_durable(void)
{
	/* a flushed range's pool bytes stay as flushed until the drain */
	for (unsigned i = 0; i < NFlushed; i++)
		MODEL_ASSERT(memcmp(Durable + Flushed[i].off,
			Pool + Flushed[i].off, Flushed[i].len) == 0,
			"flushed [%llu, +%llu) not durable",
			(unsigned long long)Flushed[i].off,
			(unsigned long long)Flushed[i].len);
	NFlushed = 0;
}

/* the application writes the range, unless a flush still owns it */
static void
model_store(uint64_t off, uint64_t len)
{
	if (!overlaps_flushed(off, len))
		fill_random(Pool + off, len);
}

static int
model_persist(uint64_t off, uint64_t len)
{
	model_store(off, len);
	if ((F.apm ? rpmem_persist_apm : rpmem_persist_gpspm)(&T, &Lane,
			off, len))
		return -1;
	MODEL_ASSERT(memcmp(Durable + off, Pool + off, len) == 0,
		"[%llu, +%llu) not durable after the persist",
		(unsigned long long)off, (unsigned long long)len);
	/* APM: the persist's READ completes after every flushed WRITE */
	if (F.apm)
		check_flushed_durable();
	return 0;
}

static int
model_flush(uint64_t off, uint64_t len)
{
	/* the API forbids changing what a pending flush is writing */
	if (overlaps_flushed(off, len))
		return 0;
	fill_random(Pool + off, len);
	Flushed[NFlushed].off = off;
	Flushed[NFlushed].len = len;
	NFlushed++;
	return rpmem_flush_post(&T, &Lane, off, len);
}

static int
model_deep_persist(uint64_t off, uint64_t len)
{
	model_store(off, len);
	if (rpmem_deep_persist_req(&T, &Lane, off, len))
		return -1;
	MODEL_ASSERT(memcmp(Durable + off, Pool + off, len) == 0,
		"[%llu, +%llu) not durable after the deep persist",
		(unsigned long long)off, (unsigned long long)len);
	return 0;
}

static int
model_drain(void)
{
	if ((F.apm ? rpmem_drain_apm : rpmem_drain_gpspm)(&T, &Lane))
		return -1;
	check_flushed_durable();
	return 0;
}

/* model_read -- into the pool (zero copy) or elsewhere (bounce buffer) */
static int
model_read(uint64_t off, uint64_t len)
{
	uint8_t *dst = Ext + rnd_below(POOL_SIZE - len + 1);

	if (chance(50)) {
		uint64_t at = rnd_below(POOL_SIZE - len + 1);

		if (overlaps_flushed(at, len))
			return 0;
		dst = Pool + at;
	}
	if (rpmem_read_remote(&T, &Lane, dst, off, len))
		return -1;
	MODEL_ASSERT(memcmp(dst, Remote + off, len) == 0, "read of "
		"[%llu, +%llu) differs from the target's bytes",
		(unsigned long long)off, (unsigned long long)len);
	return 0;
}

/* model_op -- one random call on a random range; its result */
static int
model_op(void)
{
	static const char *const names[] = {
		"persist", "flush", "deep_persist", "drain", "read",
	};
	uint64_t room = POOL_SIZE - T.hdr_size;
	uint64_t max = chance(70) ? 600 : chance(50) ? 20000 : POOL_SIZE / 2;
	uint64_t len = 1 + rnd_below(max);
	unsigned kind = (unsigned)rnd_below(5);
	uint64_t off;

	/* tiny chunks of a long range: thousands of WRs, nothing new */
	if (T.chunk < 4096 && len > 4000)
		len = 1 + len % 4000;
	if (len > room)
		len = room;
	off = T.hdr_size + rnd_below(room - len + 1);
	/* the edges of the registration, where READ placement is special */
	if (chance(10))
		off = T.hdr_size;
	else if (chance(10))
		off = POOL_SIZE - len;
	snprintf(At.call, sizeof(At.call), "%s [%llu, +%llu)", names[kind],
		(unsigned long long)off, (unsigned long long)len);
	switch (kind) {
	case 0:
		return model_persist(off, len);
	case 1:
		return model_flush(off, len);
	case 2:
		return model_deep_persist(off, len);
	case 3:
		return model_drain();
	default:
		return model_read(off, len);
	}
}

/* model_trial -- a lane of random shape, OPS random calls on it */
static void
model_trial(void)
{
	static const unsigned inlines[] = { 0, 16, 32, 64 };
	static const size_t chunks[] = { 1, 8, 100, 4096, 65536, 1u << 30 };
	static const struct {
		enum ibv_wc_status status;
		int err;	/* what the lane makes of it (wc_errno) */
	} faults[] = {
		{ IBV_WC_RETRY_EXC_ERR, ECONNRESET },
		{ IBV_WC_REM_ACCESS_ERR, ECONNRESET },
		{ IBV_WC_LOC_PROT_ERR, EIO },
	};
	unsigned depth = 2 + (unsigned)rnd_below(RPMEM_LANE_SQ_DEPTH - 1);
	unsigned max_inline = inlines[rnd_below(4)];
	unsigned payload_max = chance(50) ? 0 : RPMEM_GPSPM_INLINE_MAX;
	/* a quarter of the lanes sleep on the completion channel */
	uint64_t spin_ns = chance(25) ? 0 : SPIN_FOREVER_NS;
	uint32_t hdr_size = chance(50) ? 0 : HDR_SIZE;
	size_t chunk = chunks[rnd_below(6)];
	unsigned fault = (unsigned)rnd_below(3);
	unsigned err_ppm = chance(20) ? 2000 : 0;
	int apm = chance(50);

	/* chunk 1 is slow: one lane in thirty */
	if (chunk == 1 && chance(80))
		chunk = 8;
	lane_init(depth, max_inline, payload_max, spin_ns, hdr_size, chunk);
	F.apm = apm;
	F.exec_pct = 60;
	F.respond_pct = 50;
	F.split_pct = 20;
	F.err_ppm = err_ppm;
	F.err_status = faults[fault].status;
	for (At.op = 0; At.op < OPS; At.op++) {
		if (model_op() == 0) {
			check_accounting();
			continue;
		}
		/* only an injected failure fails a call, and kills the lane */
		MODEL_ASSERT(F.qp_err, "failed: %s", rpmem_err_get());
		MODEL_ASSERT(errno == faults[fault].err, "errno %d, "
			"expected %d: %s", errno, faults[fault].err,
			rpmem_err_get());
		check_dead(faults[fault].err);
		return;
	}
	MODEL_ASSERT(Lane.err == 0, "lane died: %s", rpmem_err_get());
}

START_TEST(model_random)
{
	unsigned seed = 1 + (unsigned)_i;

	Rng = 0x9e3779b97f4a7c15ull * seed;
	for (unsigned trial = 0; trial < TRIALS; trial++) {
		snprintf(At.prefix, sizeof(At.prefix), "seed %u trial %u",
			seed, trial);
		At.op = 0;
		At.call[0] = '\0';
		model_trial();
	}
}
END_TEST

/*
 * scripted_lane -- a lane whose device executes, answers and completes
 * everything at the first poll; the target registered from HDR_SIZE
 */
static void
scripted_lane(unsigned sq_depth, unsigned payload_max, size_t chunk,
		const char *name)
{
	lane_init(sq_depth, RPMEM_LANE_INLINE, payload_max, SPIN_FOREVER_NS,
		HDR_SIZE, chunk);
	snprintf(At.prefix, sizeof(At.prefix), "%s", name);
	At.op = 0;
	At.call[0] = '\0';
}

/* answers the lane cannot match to its request */
static const struct {
	enum daemon_answer answer;
	const char *name;
} Bad[] = {
	{ ANSWER_SEQ_NEXT, "answer with seq + 1" },
	{ ANSWER_OTHER_LANE, "answer for another lane" },
	{ ANSWER_SHORT, "answer of 15 bytes" },
	{ ANSWER_BAD_STATUS, "answer with an unknown status" },
};

/* such an answer: the persist fails with EPROTO, the lane is dead */
START_TEST(bad_answer_kills_lane)
{
	/* the request after WRITEs, and carrying its bytes */
	static const unsigned payload[] = { 0, RPMEM_GPSPM_INLINE_MAX };
	const uint64_t off = HDR_SIZE + 64;
	const uint64_t len = 100;

	for (size_t p = 0; p < sizeof(payload) / sizeof(payload[0]); p++) {
		int ret;
		int err;

		scripted_lane(8, payload[p], 4096, Bad[_i].name);
		fill_random(Pool + off, len);
		F.answer = Bad[_i].answer;
		ret = rpmem_persist_gpspm(&T, &Lane, off, len);
		err = errno;
		ck_assert_int_eq(ret, -1);
		ck_assert_int_eq(err, EPROTO);
		ck_assert_ptr_nonnull(strstr(rpmem_err_get(),
			"malformed persist response"));
		ck_assert_uint_eq(F.requests, 1);
		check_dead(EPROTO);
	}
}
END_TEST

/* a refusal fails the call with its errno; the lane goes on */
START_TEST(refusal_fails_call_keeps_lane)
{
	const uint64_t off = HDR_SIZE + 64;
	const uint64_t len = 100;
	const uint64_t foff = HDR_SIZE + 8192;
	int ret;
	int err;

	scripted_lane(8, 0, 4096, "NOSPC answer");
	fill_random(Pool + off, len);
	F.answer = ANSWER_NOSPC;
	ret = rpmem_persist_gpspm(&T, &Lane, off, len);
	err = errno;
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(err, rpmem_status_to_errno(RPMEM_ST_NOSPC));
	ck_assert_int_eq(err, ENOSPC);
	ck_assert_int_eq(Lane.err, 0);
	ck_assert_uint_eq(F.disconnects, 0);
	check_accounting();
	/* not flushed */
	for (uint64_t i = 0; i < len; i++)
		ck_assert_uint_eq(Durable[off + i], 0);

	/* the same lane persists the range on the next call */
	ck_assert_int_eq(rpmem_persist_gpspm(&T, &Lane, off, len), 0);
	ck_assert_mem_eq(Durable + off, Pool + off, len);
	ck_assert_uint_eq(F.requests, 2);
	check_accounting();

	/* a refused drain keeps the flushed span for the next drain */
	fill_random(Pool + foff, len);
	ck_assert_int_eq(rpmem_flush_post(&T, &Lane, foff, len), 0);
	F.answer = ANSWER_NOSPC;
	ret = rpmem_drain_gpspm(&T, &Lane);
	err = errno;
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(err, ENOSPC);
	ck_assert_int_eq(Lane.err, 0);
	ck_assert_int_eq(rpmem_drain_gpspm(&T, &Lane), 0);
	ck_assert_mem_eq(Durable + foff, Pool + foff, len);
	ck_assert_uint_eq(F.requests, 4);

	/* deep persist: the same judge */
	F.answer = ANSWER_NOSPC;
	ret = rpmem_deep_persist_req(&T, &Lane, off, len);
	err = errno;
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(err, ENOSPC);
	ck_assert_int_eq(rpmem_deep_persist_req(&T, &Lane, off, len), 0);
	ck_assert_int_eq(Lane.err, 0);
	ck_assert_uint_eq(F.disconnects, 0);
	check_accounting();
}
END_TEST

/*
 * Ranges at the registration's edges: every WR stays inside it (an APM
 * READ behind a range shorter than 8 bytes at the header reads from the
 * first registered byte, not before it).
 */
START_TEST(edge_ranges_stay_registered)
{
	for (int apm = 0; apm <= 1; apm++) {
		for (uint64_t len = 1; len <= 9; len++) {
			const uint64_t offs[] = {
				HDR_SIZE, POOL_SIZE - len,
			};

			for (size_t o = 0; o < 2; o++) {
				scripted_lane(8, 0, 4096, apm ?
					"APM edge ranges" :
					"GPSPM edge ranges");
				F.apm = apm;
				ck_assert_int_eq(model_persist(offs[o], len),
					0);
				ck_assert_int_eq(model_flush(offs[o], len),
					0);
				ck_assert_int_eq(model_drain(), 0);
				ck_assert_int_eq(model_deep_persist(offs[o],
					len), 0);
				ck_assert_int_eq(model_read(offs[o], len), 0);
				check_accounting();
			}
		}
	}
}
END_TEST

/* daemon_unsolicited -- an answer-shaped message no request asked for */
static void
daemon_unsolicited(void)
{
	F.answer = ANSWER_OK;
	daemon_answer(RPMEM_ST_OK, LANE_INDEX, Lane.seq + 1);
}

/*
 * A message while no request is pending: lane_recv kills the lane with
 * EPROTO ("unsolicited message") rather than keep it for the next
 * request, which it might pass for the answer.
 */
START_TEST(unsolicited_message_kills_lane)
{
	int ret;
	int err;

	/* an APM persist (an APM lane keeps a RECV for deep persists) */
	scripted_lane(8, 0, 4096, "unsolicited during an APM persist");
	daemon_unsolicited();
	ret = rpmem_persist_apm(&T, &Lane, HDR_SIZE, 64);
	err = errno;
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(err, EPROTO);
	ck_assert_ptr_nonnull(strstr(rpmem_err_get(), "unsolicited"));
	check_dead(EPROTO);

	/*
	 * a GPSPM persist of 8 WRITEs on a 4-slot SQ waits for room before
	 * its request goes: the message comes then, and the request never
	 * goes
	 */
	scripted_lane(4, 0, 8, "unsolicited before a GPSPM request");
	daemon_unsolicited();
	ret = rpmem_persist_gpspm(&T, &Lane, HDR_SIZE, 64);
	err = errno;
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(err, EPROTO);
	ck_assert_ptr_nonnull(strstr(rpmem_err_get(), "unsolicited"));
	ck_assert_uint_eq(F.requests, 0);
	check_dead(EPROTO);
}
END_TEST

/*
 * An answer sent twice: the copy arrives while the next request is
 * pending, so lane_recv takes it for that request's answer, and its seq
 * (the previous request's) gets the lane killed by gpspm_check.
 */
START_TEST(answer_twice_kills_lane)
{
	int ret;
	int err;

	scripted_lane(8, 0, 4096, "answer sent twice");
	fill_random(Pool + HDR_SIZE, 256);
	F.answer = ANSWER_TWICE;
	ck_assert_int_eq(rpmem_persist_gpspm(&T, &Lane, HDR_SIZE, 128), 0);
	ck_assert_mem_eq(Durable + HDR_SIZE, Pool + HDR_SIZE, 128);
	check_accounting();
	ret = rpmem_persist_gpspm(&T, &Lane, HDR_SIZE + 128, 128);
	err = errno;
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(err, EPROTO);
	ck_assert_ptr_nonnull(strstr(rpmem_err_get(),
		"malformed persist response"));
	check_dead(EPROTO);
}
END_TEST

static Suite *
lane_model_suite(void)
{
	Suite *s = suite_create("lane_model");
	TCase *tc = tcase_create("model");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, model_random, 0, SEEDS);
	tcase_add_loop_test(tc, bad_answer_kills_lane, 0,
		(int)(sizeof(Bad) / sizeof(Bad[0])));
	tcase_add_test(tc, refusal_fails_call_keeps_lane);
	tcase_add_test(tc, edge_ranges_stay_registered);
	tcase_add_test(tc, unsolicited_message_kills_lane);
	tcase_add_test(tc, answer_twice_kills_lane);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lane_model_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
