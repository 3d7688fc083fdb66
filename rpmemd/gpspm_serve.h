/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpspm_serve.h -- serving one lane's CQ: a GPSPM request (RECV) is
 * checked (gpspm.h), its range flushed through the server's persist
 * callback, the RECV re-posted and the reply SENT; a failed completion, a
 * failed poll or post closes the lane
 */
#ifndef RPMEMD_GPSPM_SERVE_H
#define RPMEMD_GPSPM_SERVE_H 1

#include "rdma_server_int.h"

/*
 * rpmemd_gpspm_serve_cq -- serve what the lane's CQ holds now (one batch);
 * returns the number of CQEs consumed (0 also when ibv_poll_cq failed: the
 * lane is then closed, as the client does with its own lane)
 */
int rpmemd_gpspm_serve_cq(struct rpmemd_rdma *rdma, struct rpmemd_lane *lane);

#endif /* RPMEMD_GPSPM_SERVE_H */
