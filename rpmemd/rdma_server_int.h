/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_server_int.h -- the state rpmemd's RDMA files share (not for
 * rpmemd.c, whose interface is rdma_server.h): the server of one open pool
 * and its lanes
 *
 *   rdma_server.c   the object: new (bind, listen, register), start, delete
 *   rdma_pool_mr.c  registering the pool (pinned, or ODP + prefetch)
 *   rdma_accept.c   CM events: who may connect (private data, secret),
 *                   lane state changes, disconnecting every lane
 *   rdma_lane.c     one lane's resources: CQ, QP, RECV buffer, reply slots
 *   rdma_service.c  the service thread: poll, spin, sleep, stop
 *   rdma_spin.c     its spin window per lane (pure, unit-tested)
 *   gpspm_serve.c   what a lane's CQ holds: GPSPM request -> flush -> reply
 *
 * Error convention (rpmemd): what goes back to the client is an enum
 * rpmem_status (and the log says why); everything else logs and returns -1
 * or, on the data path, closes the lane.
 */
#ifndef RPMEMD_RDMA_SERVER_INT_H
#define RPMEMD_RDMA_SERVER_INT_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "rdma_server.h"
#include "rdma_spin.h"
#include "rpmem_proto.h"

/* response SENDs in flight per lane: 1 expected, the rest is slack */
#define RPMEMD_SQ_DEPTH 4
#define RPMEMD_CQ_SIZE (RPMEMD_SQ_DEPTH + 1)
/* a request with the most inline bytes (32 + 512) */
#define RPMEMD_RECV_SIZE RPMEM_GPSPM_REQ_MAX_SIZE
/* send slots after the recv buffer, on a cache line of their own */
#define RPMEMD_SEND_OFF ((RPMEMD_RECV_SIZE + 63) / 64 * 64)
#define RPMEMD_SLOT 64		/* one cache line per send slot */
/* the lane's page: the smallest page there is */
_Static_assert(RPMEMD_SEND_OFF + RPMEMD_SQ_DEPTH * RPMEMD_SLOT <= 4096,
	"rpmemd lane buffers exceed one page");

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
	/* the service thread's spin window (rdma_spin.h) */
	uint64_t requests;	/* GPSPM requests served */
	uint64_t inline_requests;	/* ... of them with their bytes */
	struct rpmemd_spin_lane spin;
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
	struct rpmemd_spin_cfg spin;	/* RPMEMD_SPIN_US, _MAX_US */
	int spin_yield;			/* RPMEMD_SPIN_YIELD */
	uint64_t spin_until_ns;		/* poll busily until then */
	struct {			/* the service thread's priority */
		int service;		/* service-nice: two lanes busy */
		int base;		/* the thread's nice at its start */
		int raised;		/* at service now */
		int refused;		/* a change failed: no more tries */
		unsigned changes;	/* successful changes */
		uint64_t checked_ns;	/* busy lanes last counted */
	} nice;
	uint16_t pm;
	rpmemd_persist_fn persist;
	void *persist_ctx;
	size_t pagesz;
};

#endif /* RPMEMD_RDMA_SERVER_INT_H */
