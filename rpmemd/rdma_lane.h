/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_lane.h -- one lane of rpmemd's RDMA server: its CQ (on the server's
 * completion channel), RC QP, and one page holding the RECV buffer and the
 * reply slots; accepted, closed and destroyed by the CM event handling
 * (rdma_accept.c), polled by the service thread (rdma_service.c)
 */
#ifndef RPMEMD_RDMA_LANE_H
#define RPMEMD_RDMA_LANE_H 1

#include "rdma_server_int.h"

/*
 * rpmemd_lane_accept -- CQ, QP and buffers for a verified connect request
 * on id, one RECV posted, rdma_accept; the lane joins the polled set.
 * 0, or -1 (logged, everything undone, the id left to the caller)
 */
int rpmemd_lane_accept(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane,
		struct rdma_cm_id *id, const struct rdma_conn_param *req);

/*
 * rpmemd_lane_close -- disconnect (the QP goes to the error state, the peer
 * gets a DREQ); the lane is destroyed on its DISCONNECTED event
 */
void rpmemd_lane_close(struct rpmemd_lane *lane);

/*
 * rpmemd_lane_destroy -- undo rpmemd_lane_accept and free the id; its CM
 * events must all be acked.  A FREE lane is left alone.
 */
void rpmemd_lane_destroy(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane);

#endif /* RPMEMD_RDMA_LANE_H */
