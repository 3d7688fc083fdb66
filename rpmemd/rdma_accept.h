/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_accept.h -- the CM side of rpmemd's RDMA server: who may connect
 * (private data with the session secret, lane number, device), what each
 * CM event does to a lane, and disconnecting every lane at the end
 */
#ifndef RPMEMD_RDMA_ACCEPT_H
#define RPMEMD_RDMA_ACCEPT_H 1

#include "rdma_server_int.h"

/*
 * rpmemd_rdma_cm_events -- handle everything the CM channel holds now:
 * connect requests are verified and accepted or rejected, DISCONNECTED and
 * the like destroy their lane.  The channel is non-blocking.
 */
void rpmemd_rdma_cm_events(struct rpmemd_rdma *rdma);

/*
 * rpmemd_rdma_disconnect_all -- reject new lanes, DREQ every lane, wait
 * (bounded) for the replies, destroy every lane; the service thread must
 * not run
 */
void rpmemd_rdma_disconnect_all(struct rpmemd_rdma *rdma);

#endif /* RPMEMD_RDMA_ACCEPT_H */
