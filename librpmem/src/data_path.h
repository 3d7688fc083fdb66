/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * data_path.h -- the client's RDMA side of one open pool
 *
 * The data path owns the device context, the protection domain, the
 * registration of the local pool (IBV_ACCESS_LOCAL_WRITE) and the lanes
 * (lane.c: one RC QP + one CQ each, through rdma_cm).  persist.c holds the
 * persist (APM / GPSPM) and read paths.  librpmem.c builds one from the
 * daemon's CREATE/OPEN response.
 *
 * Errors: functions return 0 or -1 with errno set and a message in
 * rpmem_err_get() (error.h).  Arguments are checked once, by librpmem.c at
 * the API boundary (rpmem_dp_args_valid is the precondition); here they
 * are only assert()ed.
 */
#ifndef RPMEM_DATA_PATH_H
#define RPMEM_DATA_PATH_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_proto.h"

struct rpmem_dp;

struct rpmem_dp_attr {
	const char *node;	/* numeric address the daemon listens on */
	uint16_t port;		/* its rdma_cm port */
	void *pool_addr;	/* local pool, registered once */
	size_t pool_size;
	uint64_t raddr;		/* remote address of pool offset 0 */
	uint32_t rkey;
	uint32_t hdr_size;	/* remote bytes [0, hdr_size) are not ours */
	uint32_t max_msg_size;	/* 0: device limit only */
	unsigned nlanes;	/* lanes granted by the daemon */
	uint16_t persist_method; /* enum rpmem_persist_method */
	/*
	 * the daemon serves GPSPM requests carrying their bytes
	 * (rpmem_daemon_has_inline of its HELLO): ranges up to
	 * RPMEM_GPSPM_INLINE_MAX go in the request, not in a WRITE
	 */
	int gpspm_inline;
	uint8_t secret[RPMEM_SECRET_LEN];
	int timeout_ms;		/* bound on every wait (connect, completion) */
};

/*
 * rpmem_dp_new -- connect up to attr->nlanes lanes (fewer if the local
 * device allows fewer; at least one) and register the pool; *nlanes gets
 * the number connected
 */
int rpmem_dp_new(const struct rpmem_dp_attr *attr, struct rpmem_dp **dp,
		unsigned *nlanes);

/*
 * rpmem_dp_args_valid -- the precondition of the data calls below: lane
 * below the lanes connected and, for length > 0, [offset, +length) inside
 * [hdr_size, pool_size); 1 or 0.  A call with length 0 does nothing.
 */
int rpmem_dp_args_valid(const struct rpmem_dp *dp, size_t offset,
		size_t length, unsigned lane);

/* rpmem_dp_persist -- make [offset, offset+length) durable on the target */
int rpmem_dp_persist(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane);

/*
 * rpmem_dp_flush -- post the WRITE(s) of [offset, offset+length) on the
 * lane and return (the local bytes must stay unchanged until the drain)
 */
int rpmem_dp_flush(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane);

/* rpmem_dp_drain -- make every range flushed on the lane durable */
int rpmem_dp_drain(struct rpmem_dp *dp, unsigned lane);

/* rpmem_dp_deep_persist -- like persist, the daemon's pmem_deep_persist */
int rpmem_dp_deep_persist(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane);

/* rpmem_dp_read -- read remote [offset, offset+length) into buff */
int rpmem_dp_read(struct rpmem_dp *dp, void *buff, size_t offset,
		size_t length, unsigned lane);

/* rpmem_dp_delete -- disconnect every lane and free; *dp becomes NULL */
void rpmem_dp_delete(struct rpmem_dp **dp);

#endif /* RPMEM_DATA_PATH_H */
