/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_policy.h -- which persist method rpmemd offers for a pool
 *
 * APM (the client's RDMA READ after its WRITEs proves durability) is
 * correct only when data the RDMA device has placed is already durable:
 * the pool is persistent memory, and either the CPU caches are in the
 * persistence domain (eADR) or the device's writes bypass them (DDIO
 * verified off on its root port), or the administrator attests it
 * (ddio = ignore).  persist-apm = yes is still needed to allow APM at all.
 * Anything else gets GPSPM: the daemon flushes with pmem_persist (pmem) or
 * pmem_msync (not pmem).  A software RDMA device (rxe, siw) writes with
 * the CPU, so its data sits in the CPU cache: GPSPM unless eADR.
 *
 * rpmemd_persist_probe() gathers the platform facts (and applies
 * ddio = disable), rpmemd_persist_policy() decides from them alone, so the
 * whole decision table is testable with fake inputs.
 */
#ifndef RPMEMD_PERSIST_POLICY_H
#define RPMEMD_PERSIST_POLICY_H 1

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ddio.h"
#include "rpmem_proto.h"

/* what the platform does with the data, as probed */
struct rpmemd_pm_platform {
	int eadr;			/* CPU caches are persistent */
	char eadr_detail[128];
	struct rpmemd_rnic rnic;	/* the RDMA device and its root port */
	char action[RPMEMD_DDIO_DETAIL_MAX];	/* what ddio = disable did */
};

struct rpmemd_pm_input {
	bool persist_apm;	/* config: APM allowed */
	bool persist_general;	/* config: GPSPM allowed */
	int is_pmem;		/* the pool mapping is persistent memory */
	const char *device;	/* RDMA device serving the pool (or NULL) */
	enum rpmemd_ddio ddio;	/* config: DDIO handling */
	/* probed facts; NULL: nothing known (no eADR, DDIO unknown) */
	const struct rpmemd_pm_platform *plat;
};

struct rpmemd_pm_decision {
	uint16_t method;			/* enum rpmem_persist_method */
	char reason[RPMEM_PM_REASON_MAX];	/* for the client and log */
};

/*
 * rpmemd_persist_probe -- fill *plat for RDMA device dev, reading sysfs
 * under root (NULL: "/"); vendor_id is dev's verbs vendor id (0: unknown),
 * which tells the software drivers apart.  With ddio = disable and
 * may_change (APM is otherwise possible: persist-apm and a pmem pool) a
 * root port whose DDIO is on is switched off and read back; plat->action
 * says how that went.
 */
void rpmemd_persist_probe(const char *root, enum rpmemd_ddio mode,
		const char *dev, uint32_t vendor_id, bool may_change,
		struct rpmemd_pm_platform *plat);

/*
 * rpmemd_persist_policy -- choose the method; RPMEM_ST_OK, or
 * RPMEM_ST_NOSUPP when no allowed method fits (reason says why:
 * persist-general=no and APM impossible)
 */
int rpmemd_persist_policy(const struct rpmemd_pm_input *in,
		struct rpmemd_pm_decision *out);

/* rpmemd_persist_policy_log -- inputs and decision, one NOTICE block */
void rpmemd_persist_policy_log(const struct rpmemd_pm_input *in,
		const struct rpmemd_pm_decision *out);

/* rpmemd_persist_policy_text -- the same block into buf (for tests) */
void rpmemd_persist_policy_text(const struct rpmemd_pm_input *in,
		const struct rpmemd_pm_decision *out, char *buf, size_t len);

#endif /* RPMEMD_PERSIST_POLICY_H */
