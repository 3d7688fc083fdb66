/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_service.h -- the service thread of rpmemd's RDMA server: it owns
 * every lane while it runs, serves their CQs (gpspm_serve.h) and the CM
 * channel (rdma_accept.h), until stopped
 */
#ifndef RPMEMD_RDMA_SERVICE_H
#define RPMEMD_RDMA_SERVICE_H 1

#include "rdma_server_int.h"

/* rpmemd_rdma_service_start -- start the thread; 0 or an rpmem_status */
int rpmemd_rdma_service_start(struct rpmemd_rdma *rdma);

/* rpmemd_rdma_service_stop -- stop and join it (if it was started) */
void rpmemd_rdma_service_stop(struct rpmemd_rdma *rdma);

#endif /* RPMEMD_RDMA_SERVICE_H */
