/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_policy.h -- which persist method rpmemd offers for a pool
 *
 * APM (the client's RDMA READ after WRITE makes data durable) is correct
 * only when data placed by the NIC is durable: the pool is persistent
 * memory and the administrator enabled persist-apm (vouching for the
 * platform, e.g. DDIO off).  Otherwise GPSPM: the daemon flushes.  A later
 * DDIO/eADR check extends the inputs; callers keep using one function.
 */
#ifndef RPMEMD_PERSIST_POLICY_H
#define RPMEMD_PERSIST_POLICY_H 1

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "rpmem_proto.h"

struct rpmemd_pm_input {
	bool persist_apm;	/* config: APM allowed */
	bool persist_general;	/* config: GPSPM allowed */
	int is_pmem;		/* the pool mapping is persistent memory */
	const char *device;	/* RDMA device serving the pool (or NULL) */
	enum rpmemd_ddio ddio;	/* config: DDIO handling (not used yet) */
};

struct rpmemd_pm_decision {
	uint16_t method;			/* enum rpmem_persist_method */
	char reason[RPMEM_PM_REASON_MAX];	/* for the client and log */
};

/*
 * rpmemd_persist_policy -- choose the method; RPMEM_ST_OK, or
 * RPMEM_ST_NOSUPP when no allowed method fits (reason says why:
 * persist-general=no and APM impossible)
 */
int rpmemd_persist_policy(const struct rpmemd_pm_input *in,
		struct rpmemd_pm_decision *out);

/* rpmemd_persist_policy_log -- the decision as one NOTICE block */
void rpmemd_persist_policy_log(const struct rpmemd_pm_input *in,
		const struct rpmemd_pm_decision *out);

#endif /* RPMEMD_PERSIST_POLICY_H */
