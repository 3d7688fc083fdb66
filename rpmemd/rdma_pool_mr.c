/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_pool_mr.c -- registering the pool for remote access (rdma_pool_mr.h)
 */
#include <errno.h>
#include <string.h>

#include "fault_inject.h"
#include "log.h"
#include "rdma_pool_mr.h"
#include "rpmem_proto.h"

#define RPMEMD_ADVISE_CHUNK (1u << 30)	/* ibv_sge.length is 32-bit */

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
prefetch(struct ibv_pd *pd, struct ibv_mr *mr, uint8_t *addr, size_t len)
{
	while (len) {
		uint32_t n = len > RPMEMD_ADVISE_CHUNK ? RPMEMD_ADVISE_CHUNK :
			(uint32_t)len;
		struct ibv_sge sge = {
			.addr = (uintptr_t)addr,
			.length = n,
			.lkey = mr->lkey,
		};
		int ret = ibv_advise_mr(pd,
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
 * rpmemd_pool_mr_reg -- register; fsdax memory cannot be pinned: try
 * On-Demand Paging when the device has it
 */
int
rpmemd_pool_mr_reg(struct ibv_pd *pd, uint8_t *addr, size_t len,
		struct ibv_mr **mr)
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		IBV_ACCESS_REMOTE_READ;
	const char *dev = ibv_get_device_name(pd->context->device);
	int err;

	*mr = RPMEM_FI("ibv_reg_mr", ENOMEM) ? NULL :
		ibv_reg_mr(pd, addr, len, access);
	if (*mr)
		return 0;
	err = errno;
	if (err == EOPNOTSUPP && odp_supported(pd->context)) {
		*mr = ibv_reg_mr(pd, addr, len,
				access | IBV_ACCESS_ON_DEMAND);
		if (*mr) {
			RPMEMD_LOG(INFO, "pool registered on %s with "
				"On-Demand Paging", dev);
			prefetch(pd, *mr, addr, len);
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
