/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist.h -- the persist (APM / GPSPM) and read paths of a lane
 *
 * Both persist methods post the data as unsignaled RDMA WRITEs straight
 * from the registered local pool (zero copy) and end the chain with one
 * signaled WR that proves durability:
 *   APM   -- an 8-byte RDMA READ: RC executes it after the WRITEs, and its
 *            response cannot pass their placement (the target runs with
 *            DDIO off, so placed == durable);
 *   GPSPM -- a 32-byte SEND {PERSIST, lane, offset, length, seq}: the
 *            daemon flushes the range and answers with a 16-byte SEND.
 *            A range of at most lane->payload_max bytes (a daemon that
 *            takes them) is not written but sent in the request itself
 *            (PERSIST_INLINE, two SGEs: header, then the pool range), so
 *            no WRITE and no WRITE ACK: 4 packets instead of 6.
 * The method is picked once per pool (rpmem_dp_new) as a function pointer.
 * No allocation, lock, syscall or registration on these paths while the
 * completion arrives within the spin time.
 */
#ifndef RPMEM_PERSIST_H
#define RPMEM_PERSIST_H 1

#include <stddef.h>
#include <stdint.h>

#include "lane.h"

/* what every transfer needs: fixed once the pool is registered */
struct rpmem_dp_target {
	uint8_t *pool;		/* local pool, offset 0 */
	size_t pool_size;
	uint32_t lkey;		/* local pool registration */
	uint64_t raddr;		/* remote address of pool offset 0 */
	uint32_t hdr_size;	/* remote [0, hdr_size) is not registered */
	size_t chunk;		/* largest single RDMA transfer */
};

/* a persist method; the range was validated by the caller, length > 0 */
typedef int (*rpmem_persist_fn)(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, size_t offset, size_t length);

/* rpmem_persist_apm -- WRITE(s) + 8-byte READ, wait for the READ */
int rpmem_persist_apm(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, size_t offset, size_t length);

/*
 * rpmem_persist_gpspm -- WRITE(s) + SEND request, or the SEND with the
 * bytes (length <= lane->payload_max), wait for the response
 */
int rpmem_persist_gpspm(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, size_t offset, size_t length);

/*
 * rpmem_flush_post -- post the WRITE(s) of [offset, offset+length) and
 * return without waiting for them (only for SQ room); the range joins the
 * lane's flushed span, which the next rpmem_drain_* makes durable
 */
int rpmem_flush_post(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, size_t offset, size_t length);

/* a drain method: make everything flushed on the lane durable */
typedef int (*rpmem_drain_fn)(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane);

/* rpmem_drain_apm -- one signaled 8-byte READ behind the flushed WRITEs */
int rpmem_drain_apm(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane);

/*
 * rpmem_drain_gpspm -- one PERSIST request for the lane's flushed span
 * [fl_lo, fl_hi) (one round trip; bytes between two flushed ranges are
 * flushed too, which is harmless: they are the client's pool bytes)
 */
int rpmem_drain_gpspm(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane);

/*
 * rpmem_deep_persist_req -- WRITE(s) + SEND {DEEP_PERSIST} (or
 * DEEP_PERSIST_INLINE, as for a persist): the daemon runs
 * pmem_deep_persist on the range (both methods: an APM lane keeps a RECV
 * posted for this)
 */
int rpmem_deep_persist_req(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, size_t offset, size_t length);

/*
 * rpmem_read_remote -- READ remote [offset, offset+length) into buff:
 * straight into the pool when buff lies inside it, else through the lane's
 * bounce buffer (two halves: one is read into while the other is copied)
 */
int rpmem_read_remote(const struct rpmem_dp_target *t,
		struct rpmem_lane *lane, void *buff, size_t offset,
		size_t length);

#endif /* RPMEM_PERSIST_H */
