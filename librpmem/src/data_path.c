/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * data_path.c -- the client's RDMA side of one open pool
 *
 * Owns the protection domain, the pool registration and the lanes.  Setup
 * order: lanes first (each resolves, then connects), the pool registration
 * last -- registering a large pool can take long, and the daemon's accept
 * should not wait for it.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_path.h"
#include "env.h"
#include "error.h"
#include "fault_inject.h"
#include "lane.h"
#include "persist.h"
#include "rpmem_os.h"

#define RPMEM_DP_TIMEOUT_DEFAULT_MS 30000
/*
 * Busy-poll this long before sleeping.  A persist is one round trip (a few
 * us on real hardware, ~10-40 us on Soft-RoCE under emulation): spinning
 * covers it without a sleep/wake-up (tens of us of scheduler latency); a
 * longer wait (a big persist, a slow GPSPM flush) gives the CPU back.
 */
#define RPMEM_DP_SPIN_US_DEFAULT 100
#define RPMEM_DP_SPIN_US_MAX 1000000u
/*
 * the most a lane's spin window grows to (RPMEM_SPIN_MAX_US; 0 keeps the
 * fixed RPMEM_SPIN_US).  Off by default: in the rxe VM (one boot, two
 * interleaved rounds per policy) a 10 ms bound gave no better p50 and a
 * worse GPSPM p99 (431-3,898 us against 239-421 us fixed); see lane.c,
 * "Waiting"
 */
#define RPMEM_DP_SPIN_MAX_US_DEFAULT 0
/* one WR never moves more: keeps sge.length in range everywhere */
#define RPMEM_DP_CHUNK_MAX (1ull << 30)
/* transport retries after an ACK timeout before the QP gives up */
#define RPMEM_DP_RETRY_COUNT 3
/* RNR never happens when the daemon follows the protocol: surface it */
#define RPMEM_DP_RNR_RETRY_COUNT 3
/* teardown waits at most this long for the peer's disconnect reply */
#define RPMEM_DP_DISCONNECT_MS 2000

struct rpmem_dp {
	rpmem_persist_fn persist;	/* APM or GPSPM, chosen once */
	rpmem_drain_fn drain;		/* its rpmem_drain counterpart */
	struct rpmem_dp_target t;
	unsigned nlanes;
	struct rpmem_lane **lanes;
	struct ibv_pd *pd;
	struct ibv_mr *pool_mr;
	int timeout_ms;
};

static pthread_once_t Fork_once = PTHREAD_ONCE_INIT;

/*
 * dp_fork_init -- librpmem forks (ssh) and so may the application: without
 * this, a registered page that the parent writes after fork() would be
 * copied on write and the device would keep DMA-ing into the child's copy.
 * ibv_fork_init() marks registrations MADV_DONTFORK (a no-op on kernels
 * that handle pinned pages at fork themselves).  It must run before the
 * first registration; if the application registered memory itself earlier
 * it fails with EINVAL and fork safety is the application's business.
 */
static void
dp_fork_init(void)
{
	(void) ibv_fork_init();
}

/*
 * dp_ack_timeout -- the QP gives up after (retry + 1) ACK timeouts of
 * 4.096 us * 2^t each: pick t so that fits in half the wait bound, so a
 * dead peer surfaces as an error completion (ECONNRESET) while we wait
 */
static uint8_t
dp_ack_timeout(int timeout_ms)
{
	uint64_t budget_ns = (uint64_t)timeout_ms * 1000000ull /
		(2 * (RPMEM_DP_RETRY_COUNT + 1));
	uint8_t t = 12;	/* 16.8 ms: below that, jitter means spurious retries */

	while (t < 24 && (4096ull << (t + 1)) <= budget_ns)
		t++;
	return t;
}

/* dp_resolve -- numeric node + port into a socket address */
static int
dp_resolve(const char *node, uint16_t port, struct addrinfo **ai)
{
	struct addrinfo hints;
	char service[8];
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%u", port);
	ret = getaddrinfo(node, service, &hints, ai);
	if (ret) {
		RPMEM_ERR_ERRNO(EINVAL, "invalid RDMA address '%s': %s",
			node, gai_strerror(ret));
		return -1;
	}
	return 0;
}

/* dp_check_attr -- what the data path relies on */
static int
dp_check_attr(const struct rpmem_dp_attr *attr)
{
	if (attr->node == NULL || attr->pool_addr == NULL ||
	    attr->nlanes == 0 || attr->port == 0 ||
	    attr->pool_size < (size_t)attr->hdr_size + 8 ||
	    (attr->persist_method != RPMEM_PM_APM &&
	     attr->persist_method != RPMEM_PM_GPSPM)) {
		RPMEM_ERR_ERRNO(EINVAL, "invalid data path attributes");
		return -1;
	}
	return 0;
}

/*
 * dp_device_setup -- on the first lane's device: PD, queue shape, and the
 * largest transfer the port allows
 */
static int
dp_device_setup(struct rpmem_dp *dp, struct rpmem_lane *lane0,
		const struct rpmem_dp_attr *attr, struct rpmem_lane_qp_cfg *cfg)
{
	struct ibv_context *verbs = rpmem_lane_verbs(lane0);
	struct ibv_device_attr dattr;
	struct ibv_port_attr pattr;
	uint64_t chunk = RPMEM_DP_CHUNK_MAX;

	if (RPMEM_FI("ibv_query_device", EIO) ||
	    ibv_query_device(verbs, &dattr)) {
		RPMEM_ERR_ERRNO(errno, "ibv_query_device(%s)",
			ibv_get_device_name(verbs->device));
		return -1;
	}
	if (RPMEM_FI("ibv_query_port", EIO) ||
	    ibv_query_port(verbs, lane0->id->port_num, &pattr)) {
		RPMEM_ERR_ERRNO(errno, "ibv_query_port(%s, %u)",
			ibv_get_device_name(verbs->device),
			lane0->id->port_num);
		return -1;
	}
	if (pattr.max_msg_sz && pattr.max_msg_sz < chunk)
		chunk = pattr.max_msg_sz;
	if (attr->max_msg_size && attr->max_msg_size < chunk)
		chunk = attr->max_msg_size;
	dp->t.chunk = (size_t)chunk;

	/*
	 * RPMEM_WORK_QUEUE_SIZE lowers it, as PMDK's min(max(2, v), provider
	 * max): the persist paths work with any depth >= 2 (a device may
	 * grant no more); ours is never above RPMEM_LANE_SQ_DEPTH, which
	 * sizes the CQ (depth + 1) and how many flushed WRITEs may wait for
	 * the drain's completion (lane.h)
	 */
	cfg->sq_depth = rpmem_env_wq_size(RPMEM_LANE_SQ_DEPTH);
	if (dattr.max_qp_wr > 0 && (unsigned)dattr.max_qp_wr < cfg->sq_depth)
		cfg->sq_depth = (unsigned)dattr.max_qp_wr;
	rpmem_log(RPMEM_LOG_NOTICE, "device %s: send queue depth %u per lane",
		ibv_get_device_name(verbs->device), cfg->sq_depth);
	/* one chain's worth of READs in flight is all a lane ever issues */
	cfg->initiator_depth = (uint8_t)(dattr.max_qp_init_rd_atom <
		(int)cfg->sq_depth ? dattr.max_qp_init_rd_atom :
		(int)cfg->sq_depth);
	if (cfg->initiator_depth == 0) {
		RPMEM_ERR_ERRNO(EOPNOTSUPP, "device %s cannot issue RDMA "
			"READs", ibv_get_device_name(verbs->device));
		return -1;
	}
	cfg->ack_timeout = dp_ack_timeout(dp->timeout_ms);
	cfg->retry_count = RPMEM_DP_RETRY_COUNT;
	cfg->rnr_retry_count = RPMEM_DP_RNR_RETRY_COUNT;
	/* APM lanes too: rpmem_deep_persist is a request on every method */
	cfg->gpspm = 1;
	cfg->payload_max = attr->gpspm_inline ? RPMEM_GPSPM_INLINE_MAX : 0;
	if (cfg->payload_max)
		rpmem_log(RPMEM_LOG_NOTICE, "GPSPM requests carry ranges of "
			"up to %u bytes themselves", cfg->payload_max);
	else
		rpmem_log(RPMEM_LOG_NOTICE, "GPSPM requests carry no data: "
			"the daemon does not take it");

	dp->pd = RPMEM_FI("ibv_alloc_pd", ENOMEM) ? NULL :
		ibv_alloc_pd(verbs);
	if (dp->pd == NULL) {
		RPMEM_ERR_ERRNO(errno, "ibv_alloc_pd(%s)",
			ibv_get_device_name(verbs->device));
		return -1;
	}
	return 0;
}

/* dp_lanes_delete -- disconnect all lanes at once, wait (bounded), free */
static void
dp_lanes_delete(struct rpmem_dp *dp, unsigned n)
{
	int wait_ms = dp->timeout_ms < RPMEM_DP_DISCONNECT_MS ?
		dp->timeout_ms : RPMEM_DP_DISCONNECT_MS;
	uint64_t deadline_ms = rpmem_now_ns() / 1000000ull +
		(uint64_t)wait_ms;

	for (unsigned i = 0; i < n; i++)
		rpmem_lane_disconnect(dp->lanes[i]);
	for (unsigned i = 0; i < n; i++)
		rpmem_lane_wait_disconnected(dp->lanes[i], deadline_ms);
	for (unsigned i = 0; i < n; i++)
		rpmem_lane_delete(&dp->lanes[i]);
}

/*
 * dp_connect_lanes -- lanes 0..n-1 in order; stops early when the device
 * runs out of CQs/QPs, keeping at least one lane
 */
static int
dp_connect_lanes(struct rpmem_dp *dp, const struct rpmem_dp_attr *attr,
		const struct sockaddr *dst, unsigned *connected)
{
	struct rpmem_lane_qp_cfg cfg;
	struct rpmem_lane_attr la;
	unsigned i;
	int exhausted;
	int err;


	memset(&cfg, 0, sizeof(cfg));
	la.dst = dst;
	la.secret = attr->secret;
	la.timeout_ms = dp->timeout_ms;
	la.spin_us = rpmem_env_spin_us("RPMEM_SPIN_US",
		RPMEM_DP_SPIN_US_DEFAULT, RPMEM_DP_SPIN_US_MAX);
	la.spin_max_us = rpmem_env_spin_us("RPMEM_SPIN_MAX_US",
		RPMEM_DP_SPIN_MAX_US_DEFAULT, RPMEM_DP_SPIN_US_MAX);
	for (i = 0; i < attr->nlanes; i++) {
		la.index = i;
		if (rpmem_lane_new(&la, &dp->lanes[i]))
			goto err_delete_lanes;
		if (i == 0) {
			if (dp_device_setup(dp, dp->lanes[0], attr, &cfg)) {
				rpmem_lane_delete(&dp->lanes[0]);
				return -1;
			}
		} else if (rpmem_lane_verbs(dp->lanes[i]) !=
				rpmem_lane_verbs(dp->lanes[0])) {
			/* one PD and one pool registration serve all lanes */
			RPMEM_ERR_ERRNO(EXDEV, "lane %u resolved to device %s, "
				"lane 0 to %s", i, ibv_get_device_name(
				rpmem_lane_verbs(dp->lanes[i])->device),
				ibv_get_device_name(
				rpmem_lane_verbs(dp->lanes[0])->device));
			rpmem_lane_delete(&dp->lanes[i]);
			goto err_delete_lanes;
		}
		if (rpmem_lane_connect(dp->lanes[i], dp->pd, &cfg,
				&exhausted)) {
			rpmem_lane_disconnect(dp->lanes[i]);
			rpmem_lane_delete(&dp->lanes[i]);
			if (exhausted && i > 0)
				break;	/* do with the lanes we have */
			goto err_delete_lanes;
		}
	}
	*connected = i;
	return 0;

err_delete_lanes:
	err = errno;	/* the failure's, not the cleanup's */
	dp_lanes_delete(dp, i);
	if (dp->pd) {
		(void) ibv_dealloc_pd(dp->pd);
		dp->pd = NULL;
	}
	errno = err;
	return -1;
}

/* rpmem_dp_new -- connect the lanes, then register the pool */
int
rpmem_dp_new(const struct rpmem_dp_attr *attr, struct rpmem_dp **dpp,
		unsigned *nlanes)
{
	struct addrinfo *ai;
	struct rpmem_dp *dp;
	unsigned n = 0;
	int err;

	if (dp_check_attr(attr))
		return -1;
	(void) pthread_once(&Fork_once, dp_fork_init);
	if (dp_resolve(attr->node, attr->port, &ai))
		return -1;
	dp = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*dp));
	if (dp == NULL) {
		RPMEM_ERR_ERRNO(ENOMEM, "data path allocation");
		goto err_free_ai;
	}
	dp->lanes = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(attr->nlanes, sizeof(*dp->lanes));
	if (dp->lanes == NULL) {
		RPMEM_ERR_ERRNO(ENOMEM, "lane table allocation");
		goto err_free_dp;
	}
	dp->timeout_ms = attr->timeout_ms > 0 ? attr->timeout_ms :
		RPMEM_DP_TIMEOUT_DEFAULT_MS;
	if (dp_connect_lanes(dp, attr, ai->ai_addr, &n))
		goto err_free_lanes;

	/* least privilege: a WRITE source and READ destination, no more */
	dp->pool_mr = RPMEM_FI("ibv_reg_mr", ENOMEM) ? NULL :
		ibv_reg_mr(dp->pd, attr->pool_addr, attr->pool_size,
			IBV_ACCESS_LOCAL_WRITE);

	if (dp->pool_mr == NULL) {
		err = errno;
		RPMEM_ERR_ERRNO(err, "cannot register the local pool "
			"(%zu bytes at %p)%s", attr->pool_size,
			attr->pool_addr, err == ENOMEM || err == EAGAIN ?
			"; is RLIMIT_MEMLOCK (ulimit -l) large enough?" : "");
		goto err_delete_lanes;
	}
	dp->t.pool = attr->pool_addr;
	dp->t.pool_size = attr->pool_size;
	dp->t.lkey = dp->pool_mr->lkey;
	dp->t.raddr = attr->raddr;
	dp->t.hdr_size = attr->hdr_size;
	for (unsigned i = 0; i < n; i++)
		rpmem_lane_set_rkey(dp->lanes[i], attr->rkey);
	dp->persist = attr->persist_method == RPMEM_PM_APM ?
		rpmem_persist_apm : rpmem_persist_gpspm;
	dp->drain = attr->persist_method == RPMEM_PM_APM ?
		rpmem_drain_apm : rpmem_drain_gpspm;
	dp->nlanes = n;
	freeaddrinfo(ai);
	*nlanes = n;
	*dpp = dp;
	return 0;

err_delete_lanes:
	err = errno;
	dp_lanes_delete(dp, n);
	(void) ibv_dealloc_pd(dp->pd);
	errno = err;
err_free_lanes:
	free(dp->lanes);
err_free_dp:
	free(dp);
err_free_ai:
	freeaddrinfo(ai);
	return -1;
}

/* rpmem_dp_args_valid -- the precondition of the data calls below */
int
rpmem_dp_args_valid(const struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	return lane < dp->nlanes && (length == 0 ||
		rpmem_range_valid(offset, length, dp->t.hdr_size,
			dp->t.pool_size));
}

/* rpmem_dp_persist -- make [offset, offset+length) durable on the target */
int
rpmem_dp_persist(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	assert(rpmem_dp_args_valid(dp, offset, length, lane));
	/* persists are synchronous: everything before is durable already */
	if (length == 0)
		return 0;
	return dp->persist(&dp->t, dp->lanes[lane], offset, length);
}

/* rpmem_dp_flush -- post the WRITE(s) of the range, do not wait */
int
rpmem_dp_flush(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	assert(rpmem_dp_args_valid(dp, offset, length, lane));
	if (length == 0)
		return 0;
	return rpmem_flush_post(&dp->t, dp->lanes[lane], offset, length);
}

/* rpmem_dp_drain -- make every range flushed on the lane durable */
int
rpmem_dp_drain(struct rpmem_dp *dp, unsigned lane)
{
	assert(rpmem_dp_args_valid(dp, 0, 0, lane));
	return dp->drain(&dp->t, dp->lanes[lane]);
}

/* rpmem_dp_deep_persist -- WRITE(s) + the daemon's pmem_deep_persist */
int
rpmem_dp_deep_persist(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	assert(rpmem_dp_args_valid(dp, offset, length, lane));
	if (length == 0)
		return 0;
	return rpmem_deep_persist_req(&dp->t, dp->lanes[lane], offset,
		length);
}

/* rpmem_dp_read -- read remote [offset, offset+length) into buff */
int
rpmem_dp_read(struct rpmem_dp *dp, void *buff, size_t offset, size_t length,
		unsigned lane)
{
	assert(rpmem_dp_args_valid(dp, offset, length, lane));
	if (length == 0)
		return 0;
	return rpmem_read_remote(&dp->t, dp->lanes[lane], buff, offset,
			length);
}

/* rpmem_dp_delete -- disconnect every lane and free; never hangs */
void
rpmem_dp_delete(struct rpmem_dp **dpp)
{
	struct rpmem_dp *dp = *dpp;

	if (dp == NULL)
		return;
	/* lanes first: their QPs must be gone before the pool is released */
	dp_lanes_delete(dp, dp->nlanes);
	(void) ibv_dereg_mr(dp->pool_mr);
	(void) ibv_dealloc_pd(dp->pd);
	free(dp->lanes);
	free(dp);
	*dpp = NULL;
}
