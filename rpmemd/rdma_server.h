/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_server.h -- rpmemd's RDMA side of one open pool
 *
 * Listens with rdma_cm on the address the client will connect to, registers
 * the pool for remote access (the header excluded), accepts up to nlanes
 * lanes that present the session secret in their private data (any other
 * peer is rejected), and serves GPSPM persist requests.
 *
 * Two steps so the persist policy can look at the device first:
 *   rpmemd_rdma_new()   bind + listen + register: info says which device;
 *   rpmemd_rdma_start() start accepting lanes with the chosen method.
 * Functions return 0 or an enum rpmem_status (and log why).
 */
#ifndef RPMEMD_RDMA_SERVER_H
#define RPMEMD_RDMA_SERVER_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_proto.h"

struct rpmemd_rdma;

struct rpmemd_rdma_attr {
	const char *bind_addr;	/* numeric local address */
	void *pool_addr;	/* pool offset 0 */
	size_t pool_size;	/* client view, header included */
	size_t hdr_size;	/* [0, hdr_size) is not registered */
	unsigned nlanes;	/* most lanes to accept */
	int service_nice;	/* the service thread's, lanes busy */
	uint8_t secret[RPMEM_SECRET_LEN];
};

struct rpmemd_rdma_info {
	uint16_t port;
	uint32_t rkey;
	uint64_t raddr;		/* address of pool offset 0 */
	unsigned nlanes;	/* clamped by device limits */
	uint32_t max_msg_size;
	char device[RPMEM_DEV_NAME_MAX];
	uint32_t vendor_id;	/* the device's (ibv_device_attr) */
};

/*
 * GPSPM flush of [addr, addr+len) (deep: pmem_deep_persist); returns 0 or
 * an enum rpmem_status
 */
typedef int (*rpmemd_persist_fn)(void *ctx, void *addr, size_t len,
		int deep);

int rpmemd_rdma_new(const struct rpmemd_rdma_attr *attr,
		struct rpmemd_rdma **rdma, struct rpmemd_rdma_info *info);

int rpmemd_rdma_start(struct rpmemd_rdma *rdma, uint16_t persist_method,
		rpmemd_persist_fn persist, void *persist_ctx);

/*
 * ms left until timeout_ms after rpmemd_rdma_start while no lane has
 * connected yet (0: expired), or -1 once one has (or before the start):
 * a client that got its response but never connects must not keep the
 * pool locked forever
 */
int rpmemd_rdma_connect_left_ms(struct rpmemd_rdma *rdma,
		unsigned timeout_ms);

/* stop accepting/serving, disconnect the lanes, deregister, free */
void rpmemd_rdma_delete(struct rpmemd_rdma **rdma);

#endif /* RPMEMD_RDMA_SERVER_H */
