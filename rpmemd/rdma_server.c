/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_server.c -- rpmemd's RDMA side of one open pool
 *
 * One service thread owns every lane while it runs.  It polls the lanes'
 * CQs busily for a short spin after the last completion (a GPSPM request
 * is then answered without a wake-up), and otherwise sleeps in poll() on
 * the CQs' shared completion channel, the CM event channel and an eventfd
 * that rpmemd_rdma_delete() uses to stop it, with a 100 ms tick.
 *
 * Each lane has its own CQ: tearing a lane down then never leaves CQEs
 * that name a destroyed QP in a CQ other lanes still use.  The CQs share
 * one completion channel so the thread sleeps on one fd for all of them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "fault_inject.h"
#include "gpspm.h"
#include "log.h"
#include "rdma_server.h"

/* response SENDs in flight per lane: 1 expected, the rest is slack */
#define RPMEMD_SQ_DEPTH 4
#define RPMEMD_CQ_SIZE (RPMEMD_SQ_DEPTH + 1)
#define RPMEMD_RECV_SIZE RPMEM_GPSPM_REQ_SIZE
#define RPMEMD_SEND_OFF 64	/* send slots after the recv buffer */
#define RPMEMD_SLOT 64		/* one cache line per send slot */
#define RPMEMD_INLINE 16	/* a response fits inline */
#define RPMEMD_TICK_MS 100	/* notice shutdown at least this often */
/*
 * Busy-poll this long after the last completion before sleeping: a client
 * persisting in a loop sends its next request within a few us on real
 * hardware, and a sleep costs a wake-up per request (5-20 us on hardware,
 * ~0.5 ms under TCG emulation: GPSPM 8 B went from ~800 us to ~150 us in
 * the rxe VM with RPMEMD_SPIN_US=1000).  The CPU is only burnt while a
 * client is active.
 */
#define RPMEMD_SPIN_US_DEFAULT 200
#define RPMEMD_SPIN_US_MAX 1000000
#define RPMEMD_CM_CHECK_NS 10000000ull	/* CM events while busy: 10 ms */
#define RPMEMD_ACK_TIMEOUT 18	/* 4.096 us * 2^18 = 1.07 s */
#define RPMEMD_RETRY_COUNT 3
#define RPMEMD_DISCONNECT_MS 1000
#define RPMEMD_ADVISE_CHUNK (1u << 30)	/* ibv_sge.length is 32-bit */

enum rpmemd_lane_state {
	LANE_FREE,
	LANE_ACCEPTED,		/* rdma_accept done, RTS, may get requests */
	LANE_ESTABLISHED,
	LANE_CLOSING,		/* rdma_disconnect done, await DISCONNECTED */
};

struct rpmemd_lane {
	struct rpmemd_rdma *rdma;
	unsigned index;
	enum rpmemd_lane_state state;
	unsigned active_idx;	/* position in rdma->active */
	int armed;		/* CQ notification requested */
	unsigned sq_used;
	unsigned send_head;
	uint32_t max_inline;
	struct rdma_cm_id *id;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	uint8_t *page;		/* recv buffer + send slots */
	struct ibv_mr *mr;
	struct ibv_recv_wr rwr;
	struct ibv_sge rsge;
	struct ibv_send_wr swr;
	struct ibv_sge ssge;
};

struct rpmemd_rdma {
	struct rdma_event_channel *evch;
	struct rdma_cm_id *listen_id;
	struct ibv_context *verbs;
	struct ibv_pd *pd;
	struct ibv_mr *pool_mr;
	struct ibv_comp_channel *cch;
	struct ibv_device_attr dattr;
	uint8_t *pool_addr;
	size_t pool_size;
	size_t hdr_size;
	unsigned nlanes;
	uint8_t secret[RPMEM_SECRET_LEN];
	struct rpmemd_lane *lanes;	/* [nlanes], indexed by lane number */
	struct rpmemd_lane **active;	/* lanes with a QP, compact */
	unsigned nactive;
	int wake_fd;
	atomic_int stop;
	int stopping;			/* reject new lanes (delete path) */
	pthread_t thread;
	int thread_started;
	uint64_t start_ns;		/* rpmemd_rdma_start */
	atomic_int lane_seen;		/* a lane was ever accepted */
	uint64_t spin_ns;
	uint16_t pm;
	rpmemd_persist_fn persist;
	void *persist_ctx;
	size_t pagesz;
};

/* now_ns -- CLOCK_MONOTONIC in ns */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* set_nonblock -- fds are only read after poll() said so */
static int
set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* spin_us -- RPMEMD_SPIN_US, or the default */
static unsigned
spin_us(void)
{
	const char *s = getenv("RPMEMD_SPIN_US");
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return RPMEMD_SPIN_US_DEFAULT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v > RPMEMD_SPIN_US_MAX)
		return RPMEMD_SPIN_US_DEFAULT;
	return (unsigned)v;
}

/* peer_str -- printable peer address of id */
static const char *
peer_str(struct rdma_cm_id *id, char *buf, size_t len)
{
	struct sockaddr *sa = rdma_get_peer_addr(id);

	if (sa == NULL || getnameinfo(sa, sa->sa_family == AF_INET6 ?
			sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in), buf, (socklen_t)len,
			NULL, 0, NI_NUMERICHOST))
		snprintf(buf, len, "?");
	return buf;
}

/* secret_eq -- constant-time compare: no timing oracle for the secret */
static int
secret_eq(const uint8_t *a, const uint8_t *b)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < RPMEM_SECRET_LEN; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

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
 * lane_destroy -- undo lane_accept; the id's events must all be acked.
 * Unretrieved completion events of the CQ are dropped by the kernel.
 */
static void
lane_destroy(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	if (lane->state == LANE_FREE)
		return;
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

/* lane_close -- disconnect; the lane is destroyed on DISCONNECTED */
static void
lane_close(struct rpmemd_lane *lane)
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
 * lane_accept -- CQ, QP and buffers for a verified request, one RECV
 * posted before rdma_accept (a request may follow RTS immediately)
 */
static int
lane_accept(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane,
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

/* on_connect_request -- verify the lane's credentials, accept or reject */
static void
on_connect_request(struct rpmemd_rdma *rdma, struct rdma_cm_event *ev)
{
	struct rdma_cm_id *id = ev->id;
	struct rpmem_conn_pdata pd;
	const char *why = NULL;
	char peer[64];

	if (rdma->stopping)
		why = "shutting down";
	else if (rpmem_conn_pdata_decode(ev->param.conn.private_data,
			ev->param.conn.private_data_len, &pd))
		why = "malformed private data (not an rpmem lane)";
	else if (!secret_eq(pd.secret, rdma->secret))
		why = "wrong session secret";
	else if (pd.lane >= rdma->nlanes)
		why = "lane number out of range";
	else if (rdma->lanes[pd.lane].state != LANE_FREE)
		why = "lane already connected";
	else if (id->verbs != rdma->verbs)
		why = "request arrived on another RDMA device";

	if (why == NULL && lane_accept(rdma, &rdma->lanes[pd.lane], id,
			&ev->param.conn) == 0) {
		RPMEMD_LOG(INFO, "lane %u: accepted %s", pd.lane,
			peer_str(id, peer, sizeof(peer)));
		atomic_store_explicit(&rdma->lane_seen, 1,
			memory_order_release);
		(void) rdma_ack_cm_event(ev);
		return;
	}
	if (why != NULL)
		RPMEMD_LOG(NOTICE, "rejecting a connection from %s: %s",
			peer_str(id, peer, sizeof(peer)), why);
	(void) rdma_reject(id, NULL, 0);
	/* an id must have no unacked event when destroyed */
	(void) rdma_ack_cm_event(ev);
	(void) rdma_destroy_id(id);
}

/* handle_cm_events -- everything the CM channel holds now */
static void
handle_cm_events(struct rpmemd_rdma *rdma)
{
	struct rdma_cm_event *ev;

	while (rdma_get_cm_event(rdma->evch, &ev) == 0) {
		enum rdma_cm_event_type type = ev->event;
		struct rpmemd_lane *lane = ev->id == rdma->listen_id ? NULL :
			ev->id->context;
		int status = ev->status;

		if (type == RDMA_CM_EVENT_CONNECT_REQUEST) {
			on_connect_request(rdma, ev);
			continue;
		}
		(void) rdma_ack_cm_event(ev);
		switch (type) {
		case RDMA_CM_EVENT_ESTABLISHED:
			if (lane && lane->state == LANE_ACCEPTED)
				lane->state = LANE_ESTABLISHED;
			break;
		case RDMA_CM_EVENT_DISCONNECTED:
			if (lane) {
				RPMEMD_LOG(INFO, "lane %u: disconnected",
					lane->index);
				if (lane->state != LANE_CLOSING)
					(void) rdma_disconnect(lane->id);
				lane_destroy(rdma, lane);
			}
			break;
		case RDMA_CM_EVENT_CONNECT_ERROR:
		case RDMA_CM_EVENT_UNREACHABLE:
		case RDMA_CM_EVENT_REJECTED:
			if (lane) {
				RPMEMD_LOG(NOTICE, "lane %u: %s (status %d)",
					lane->index, rdma_event_str(type),
					status);
				lane_destroy(rdma, lane);
			}
			break;
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			RPMEMD_LOG(ERR, "RDMA device %s removed",
				ibv_get_device_name(rdma->verbs->device));
			if (lane)
				lane_destroy(rdma, lane);
			break;
		default:
			break;	/* TIMEWAIT_EXIT and the like */
		}
	}
}

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
		lane_close(lane);
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
		lane_close(lane);
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

	/* the RECV buffer is RPMEMD_RECV_SIZE: byte_len cannot exceed it */
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
		st = rdma->persist(rdma->persist_ctx,
			rdma->pool_addr + req.offset, (size_t)req.length,
			req.op == RPMEM_GPSPM_DEEP_PERSIST);
		if (st < 0 || st >= RPMEM_ST_MAX)
			st = RPMEM_ST_FATAL;
	}
	/* re-post first: the client may send again once it has the reply */
	if (RPMEM_FI("ibv_post_recv", ENOMEM) ||
	    ibv_post_recv(lane->qp, &lane->rwr, &bad)) {
		RPMEMD_LOG(ERR, "lane %u: ibv_post_recv failed", lane->index);
		lane_close(lane);
		return;
	}
	resp.status = (uint32_t)st;
	resp.lane = lane->index;
	resp.seq = req.seq;
	send_resp(lane, &resp);
}

/* poll_lane -- serve what one lane's CQ holds; returns CQEs consumed */
static int
poll_lane(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane)
{
	struct ibv_wc wc[4];
	int n = ibv_poll_cq(lane->cq, 4, wc);

	for (int i = 0; i < n; i++) {
		if (lane->state == LANE_CLOSING)
			continue;	/* flushed leftovers */
		/* as if the transport gave up on this work request */
		if (RPMEM_FI("completion", 0))
			wc[i].status = IBV_WC_RETRY_EXC_ERR;
		if (wc[i].status != IBV_WC_SUCCESS) {
			RPMEMD_LOG(NOTICE, "lane %u: %s, disconnecting",
				lane->index, ibv_wc_status_str(wc[i].status));
			lane_close(lane);
		} else if (wc[i].opcode == IBV_WC_RECV) {
			serve(rdma, lane, &wc[i]);
		} else {
			lane->sq_used--;
		}
	}
	return n < 0 ? 0 : n;
}

/* poll_all -- one pass over every lane's CQ */
static int
poll_all(struct rpmemd_rdma *rdma)
{
	int n = 0;

	for (unsigned i = 0; i < rdma->nactive; i++)
		n += poll_lane(rdma, rdma->active[i]);
	return n;
}

/* cq_events -- read and ack the completion channel's events */
static void
cq_events(struct rpmemd_rdma *rdma)
{
	struct ibv_cq *cq;
	void *ctx;

	while (ibv_get_cq_event(rdma->cch, &cq, &ctx) == 0) {
		((struct rpmemd_lane *)ctx)->armed = 0;
		/* ack now: ibv_destroy_cq waits for every event's ack */
		ibv_ack_cq_events(cq, 1);
	}
}

/* arm_all -- request a notification from every CQ not yet armed */
static void
arm_all(struct rpmemd_rdma *rdma)
{
	for (unsigned i = 0; i < rdma->nactive; i++) {
		struct rpmemd_lane *lane = rdma->active[i];

		if (!lane->armed && ibv_req_notify_cq(lane->cq, 0) == 0)
			lane->armed = 1;
	}
}

/* check_fds -- non-blocking look at the CM channel and the wake fd */
static void
check_fds(struct rpmemd_rdma *rdma, int timeout_ms)
{
	struct pollfd pfd[3] = {
		{ .fd = rdma->cch->fd, .events = POLLIN },
		{ .fd = rdma->evch->fd, .events = POLLIN },
		{ .fd = rdma->wake_fd, .events = POLLIN },
	};
	uint64_t v;

	if (poll(pfd, 3, timeout_ms) <= 0)
		return;
	if (pfd[0].revents)
		cq_events(rdma);
	if (pfd[1].revents)
		handle_cm_events(rdma);
	if (pfd[2].revents)
		(void) !read(rdma->wake_fd, &v, sizeof(v));
}

/* service_thread -- CM events and GPSPM requests until told to stop */
static void *
service_thread(void *arg)
{
	struct rpmemd_rdma *rdma = arg;
	uint64_t last_work = now_ns();
	uint64_t last_cm = last_work;

	while (!atomic_load_explicit(&rdma->stop, memory_order_acquire)) {
		uint64_t now;

		if (poll_all(rdma) > 0) {
			last_work = now_ns();
			/* keep accepting/closing lanes under steady load */
			if (last_work - last_cm >= RPMEMD_CM_CHECK_NS) {
				check_fds(rdma, 0);
				last_cm = last_work;
			}
			continue;
		}
		now = now_ns();
		if (now - last_work < rdma->spin_ns) {
			if (now - last_cm >= RPMEMD_CM_CHECK_NS) {
				check_fds(rdma, 0);
				last_cm = now;
			}
			continue;
		}
		arm_all(rdma);
		/* a CQE may have landed between the last poll and arming */
		if (poll_all(rdma) > 0) {
			last_work = now_ns();
			continue;
		}
		check_fds(rdma, RPMEMD_TICK_MS);
		/* woken up: spin again, a burst of requests tends to follow */
		last_work = last_cm = now_ns();
	}
	return NULL;
}

/* bind_listen -- bind to the numeric address on an ephemeral port */
static int
bind_listen(struct rpmemd_rdma *rdma, const char *addr)
{
	struct addrinfo hints, *ai;
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	ret = getaddrinfo(addr, "0", &hints, &ai);
	if (ret) {
		RPMEMD_LOG(ERR, "invalid RDMA address '%s': %s", addr,
			gai_strerror(ret));
		return RPMEM_ST_CONFIG;
	}
	ret = RPMEM_FI("rdma_bind_addr", EADDRNOTAVAIL) ? -1 :
		rdma_bind_addr(rdma->listen_id, ai->ai_addr);
	freeaddrinfo(ai);
	if (ret) {
		RPMEMD_LOG(ERR, "rdma_bind_addr(%s): %s", addr,
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	/* bound to an address, the id knows its device already */
	if (rdma->listen_id->verbs == NULL) {
		RPMEMD_LOG(ERR, "address %s is not on an RDMA device", addr);
		return RPMEM_ST_RDMA;
	}
	rdma->verbs = rdma->listen_id->verbs;
	return 0;
}

/* odp_supported -- can the device serve RC READ/WRITE on ODP memory */
static int
odp_supported(struct ibv_context *verbs)
{
	struct ibv_device_attr_ex ax;
	uint32_t need = IBV_ODP_SUPPORT_READ | IBV_ODP_SUPPORT_WRITE;

	memset(&ax, 0, sizeof(ax));
	if (ibv_query_device_ex(verbs, NULL, &ax))
		return 0;
	return (ax.odp_caps.general_caps & IBV_ODP_SUPPORT) &&
		(ax.odp_caps.per_transport_caps.rc_odp_caps & need) == need;
}

/* prefetch -- fault an ODP pool in now: no page faults (RNR) later */
static void
prefetch(struct rpmemd_rdma *rdma, uint8_t *addr, size_t len)
{
	while (len) {
		uint32_t n = len > RPMEMD_ADVISE_CHUNK ? RPMEMD_ADVISE_CHUNK :
			(uint32_t)len;
		struct ibv_sge sge = {
			.addr = (uintptr_t)addr,
			.length = n,
			.lkey = rdma->pool_mr->lkey,
		};
		int ret = ibv_advise_mr(rdma->pd,
			IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
			IBV_ADVISE_MR_FLAG_FLUSH, &sge, 1);
		if (ret) {
			RPMEMD_LOG(WARN, "ibv_advise_mr: %s", strerror(ret));
			return;
		}
		addr += n;
		len -= n;
	}
}

/*
 * reg_pool -- register [hdr_size, pool_size): the daemon-owned header
 * stays out of the client's reach.  fsdax memory cannot be pinned: try
 * On-Demand Paging when the device has it.
 */
static int
reg_pool(struct rpmemd_rdma *rdma)
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		IBV_ACCESS_REMOTE_READ;
	const char *dev = ibv_get_device_name(rdma->verbs->device);
	uint8_t *addr = rdma->pool_addr + rdma->hdr_size;
	size_t len = rdma->pool_size - rdma->hdr_size;
	int err;

	rdma->pool_mr = RPMEM_FI("ibv_reg_mr", ENOMEM) ? NULL :
		ibv_reg_mr(rdma->pd, addr, len, access);
	if (rdma->pool_mr)
		return 0;
	err = errno;
	if (err == EOPNOTSUPP && odp_supported(rdma->verbs)) {
		rdma->pool_mr = ibv_reg_mr(rdma->pd, addr, len,
				access | IBV_ACCESS_ON_DEMAND);
		if (rdma->pool_mr) {
			RPMEMD_LOG(INFO, "pool registered on %s with "
				"On-Demand Paging", dev);
			prefetch(rdma, addr, len);
			return 0;
		}
		err = errno;
	}
	switch (err) {
	case EOPNOTSUPP:
		RPMEMD_LOG(ERR, "cannot register the pool for RDMA on %s: %s; "
			"memory that cannot be pinned (a pool on fsdax) needs "
			"a device with On-Demand Paging and %s has none: put "
			"the pool on devdax or use an ODP-capable device",
			dev, strerror(err), dev);
		return RPMEM_ST_NOSUPP;
	case ENOMEM:
	case EAGAIN:
		RPMEMD_LOG(ERR, "cannot register the pool (%zu bytes) for "
			"RDMA on %s: %s; raise RLIMIT_MEMLOCK (ulimit -l, "
			"LimitMEMLOCK=)", len, dev, strerror(err));
		return RPMEM_ST_NOMEM;
	case EPERM:
	case EACCES:
		RPMEMD_LOG(ERR, "cannot register the pool for RDMA on %s: %s",
			dev, strerror(err));
		return RPMEM_ST_NOACCESS;
	default:
		RPMEMD_LOG(ERR, "cannot register the pool for RDMA on %s: %s",
			dev, strerror(err));
		return RPMEM_ST_RDMA;
	}
}

/* clamp_lanes -- no more lanes than the device has QPs and CQs for */
static unsigned
clamp_lanes(const struct ibv_device_attr *d, unsigned want)
{
	unsigned n = want ? want : 1;

	if (d->max_qp > 0 && (unsigned)d->max_qp < n)
		n = (unsigned)d->max_qp;
	if (d->max_cq > 0 && (unsigned)d->max_cq < n)
		n = (unsigned)d->max_cq;
	return n;
}

/* rdma_free -- undo rpmemd_rdma_new; every lane must be FREE */
static void
rdma_free(struct rpmemd_rdma *rdma)
{
	if (rdma->listen_id)
		(void) rdma_destroy_id(rdma->listen_id);
	if (rdma->cch)
		(void) ibv_destroy_comp_channel(rdma->cch);
	if (rdma->pool_mr)
		(void) ibv_dereg_mr(rdma->pool_mr);
	if (rdma->pd)
		(void) ibv_dealloc_pd(rdma->pd);
	if (rdma->evch)
		rdma_destroy_event_channel(rdma->evch);
	if (rdma->wake_fd >= 0)
		(void) close(rdma->wake_fd);
	free(rdma->active);
	free(rdma->lanes);
	memset(rdma->secret, 0, sizeof(rdma->secret));
	free(rdma);
}

/* rdma_setup -- the steps of rpmemd_rdma_new after the allocation */
static int
rdma_setup(struct rpmemd_rdma *rdma, const struct rpmemd_rdma_attr *attr)
{
	int st;

	rdma->evch = RPMEM_FI("rdma_create_event_channel", EMFILE) ? NULL :
		rdma_create_event_channel();
	if (rdma->evch == NULL || set_nonblock(rdma->evch->fd)) {
		RPMEMD_LOG(ERR, "rdma_create_event_channel: %s",
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	if (RPMEM_FI("rdma_create_id", ENOMEM) ||
	    rdma_create_id(rdma->evch, &rdma->listen_id, NULL, RDMA_PS_TCP)) {
		RPMEMD_LOG(ERR, "rdma_create_id: %s", strerror(errno));
		return RPMEM_ST_RDMA;
	}
	st = bind_listen(rdma, attr->bind_addr);
	if (st)
		return st;
	if (RPMEM_FI("ibv_query_device", EIO) ||
	    ibv_query_device(rdma->verbs, &rdma->dattr)) {
		RPMEMD_LOG(ERR, "querying %s: %s",
			ibv_get_device_name(rdma->verbs->device),
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	rdma->nlanes = clamp_lanes(&rdma->dattr, attr->nlanes);
	rdma->pd = RPMEM_FI("ibv_alloc_pd", ENOMEM) ? NULL :
		ibv_alloc_pd(rdma->verbs);
	if (rdma->pd == NULL) {
		RPMEMD_LOG(ERR, "ibv_alloc_pd: %s", strerror(errno));
		return RPMEM_ST_RDMA;
	}
	st = reg_pool(rdma);
	if (st)
		return st;
	rdma->cch = RPMEM_FI("ibv_create_comp_channel", EMFILE) ? NULL :
		ibv_create_comp_channel(rdma->verbs);
	if (rdma->cch == NULL || set_nonblock(rdma->cch->fd)) {
		RPMEMD_LOG(ERR, "ibv_create_comp_channel: %s",
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	rdma->wake_fd = RPMEM_FI("eventfd", EMFILE) ? -1 :
		eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rdma->lanes = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(rdma->nlanes, sizeof(*rdma->lanes));
	rdma->active = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(rdma->nlanes, sizeof(*rdma->active));
	if (rdma->wake_fd < 0 || rdma->lanes == NULL ||
	    rdma->active == NULL) {
		RPMEMD_LOG(ERR, "out of resources: %s", strerror(errno));
		return RPMEM_ST_NOMEM;
	}
	for (unsigned i = 0; i < rdma->nlanes; i++) {
		rdma->lanes[i].rdma = rdma;
		rdma->lanes[i].index = i;
	}
	/* requests queue in the channel until rpmemd_rdma_start */
	if (RPMEM_FI("rdma_listen", EADDRINUSE) ||
	    rdma_listen(rdma->listen_id, (int)rdma->nlanes)) {
		RPMEMD_LOG(ERR, "rdma_listen: %s", strerror(errno));
		return RPMEM_ST_RDMA;
	}
	return 0;
}

/* rpmemd_rdma_new -- bind + listen + register the pool */
int
rpmemd_rdma_new(const struct rpmemd_rdma_attr *attr,
		struct rpmemd_rdma **rdmap, struct rpmemd_rdma_info *info)
{
	struct ibv_port_attr pattr;
	struct rpmemd_rdma *rdma;
	int st;

	if (attr->bind_addr == NULL || attr->bind_addr[0] == '\0' ||
	    attr->pool_addr == NULL ||
	    attr->pool_size < attr->hdr_size + 8) {
		RPMEMD_LOG(ERR, "invalid RDMA attributes (address '%s', pool "
			"size %zu, header %zu)", attr->bind_addr ?
			attr->bind_addr : "", attr->pool_size,
			attr->hdr_size);
		return RPMEM_ST_CONFIG;
	}
	rdma = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*rdma));
	if (rdma == NULL) {
		RPMEMD_LOG(ERR, "out of memory");
		return RPMEM_ST_NOMEM;
	}
	rdma->wake_fd = -1;
	rdma->pool_addr = attr->pool_addr;
	rdma->pool_size = attr->pool_size;
	rdma->hdr_size = attr->hdr_size;
	rdma->pagesz = (size_t)sysconf(_SC_PAGESIZE);
	rdma->spin_ns = (uint64_t)spin_us() * 1000ull;
	memcpy(rdma->secret, attr->secret, RPMEM_SECRET_LEN);
	atomic_init(&rdma->stop, 0);
	atomic_init(&rdma->lane_seen, 0);
	st = rdma_setup(rdma, attr);
	if (st) {
		rdma_free(rdma);
		return st;
	}
	if (ibv_query_port(rdma->verbs, rdma->listen_id->port_num, &pattr))
		pattr.max_msg_sz = 0;
	memset(info, 0, sizeof(*info));
	info->port = ntohs(rdma_get_src_port(rdma->listen_id));
	info->rkey = rdma->pool_mr->rkey;
	info->raddr = (uint64_t)(uintptr_t)attr->pool_addr;
	info->nlanes = rdma->nlanes;
	info->max_msg_size = pattr.max_msg_sz;
	snprintf(info->device, sizeof(info->device), "%s",
		ibv_get_device_name(rdma->verbs->device));
	RPMEMD_LOG(INFO, "listening on %s port %u (device %s, %u lanes)",
		attr->bind_addr, info->port, info->device, info->nlanes);
	*rdmap = rdma;
	return 0;
}

/* rpmemd_rdma_start -- start accepting lanes and serving requests */
int
rpmemd_rdma_start(struct rpmemd_rdma *rdma, uint16_t persist_method,
		rpmemd_persist_fn persist, void *persist_ctx)
{
	int ret;

	if (rdma->thread_started)
		return RPMEM_ST_FATAL;
	rdma->pm = persist_method;
	rdma->persist = persist;
	rdma->persist_ctx = persist_ctx;
	rdma->start_ns = now_ns();
	ret = RPMEM_FI_RET("pthread_create", EAGAIN);
	if (ret == 0)
		ret = pthread_create(&rdma->thread, NULL, service_thread,
			rdma);

	if (ret) {
		RPMEMD_LOG(ERR, "pthread_create: %s", strerror(ret));
		return RPMEM_ST_NOMEM;
	}
	rdma->thread_started = 1;
	return 0;
}

/* rpmemd_rdma_connect_left_ms -- see rdma_server.h */
int
rpmemd_rdma_connect_left_ms(struct rpmemd_rdma *rdma, unsigned timeout_ms)
{
	if (!rdma->thread_started ||
	    atomic_load_explicit(&rdma->lane_seen, memory_order_acquire))
		return -1;
	uint64_t deadline = rdma->start_ns + (uint64_t)timeout_ms * 1000000ull;
	uint64_t now = now_ns();

	if (now >= deadline)
		return 0;
	/* round up: a wake-up just before the deadline would spin */
	return (int)((deadline - now + 999999ull) / 1000000ull);
}

/* disconnect_all -- DREQ every lane, wait (bounded) for the replies */
static void
disconnect_all(struct rpmemd_rdma *rdma)
{
	uint64_t deadline = now_ns() + RPMEMD_DISCONNECT_MS * 1000000ull;

	rdma->stopping = 1;
	for (unsigned i = 0; i < rdma->nlanes; i++)
		lane_close(&rdma->lanes[i]);
	while (rdma->nactive > 0) {
		uint64_t now = now_ns();

		if (now >= deadline)
			break;	/* dead peers: destroy anyway */
		struct pollfd pfd = { .fd = rdma->evch->fd, .events = POLLIN };
		(void) poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
		handle_cm_events(rdma);
	}
	for (unsigned i = 0; i < rdma->nlanes; i++)
		lane_destroy(rdma, &rdma->lanes[i]);
}

/* rpmemd_rdma_delete -- stop, disconnect, deregister, free */
void
rpmemd_rdma_delete(struct rpmemd_rdma **rdmap)
{
	struct rpmemd_rdma *rdma = *rdmap;
	uint64_t one = 1;

	if (rdma == NULL)
		return;
	if (rdma->thread_started) {
		atomic_store_explicit(&rdma->stop, 1, memory_order_release);
		(void) !write(rdma->wake_fd, &one, sizeof(one));
		(void) pthread_join(rdma->thread, NULL);
	}
	/* the lanes are ours now; no new lane gets in */
	(void) rdma_destroy_id(rdma->listen_id);
	rdma->listen_id = NULL;
	disconnect_all(rdma);
	rdma_free(rdma);
	*rdmap = NULL;
}
