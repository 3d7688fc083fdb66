/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_policy.c -- which persist method rpmemd offers for a pool
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "persist_policy.h"

/* rpmemd_persist_policy -- choose APM or GPSPM, with the reason */
int
rpmemd_persist_policy(const struct rpmemd_pm_input *in,
		struct rpmemd_pm_decision *out)
{
	const char *why_not_apm;

	memset(out, 0, sizeof(*out));

	if (!in->persist_apm)
		why_not_apm = "persist-apm not enabled in the configuration";
	else if (!in->is_pmem)
		why_not_apm = "pool is not on persistent memory";
	else
		why_not_apm = NULL;

	if (why_not_apm == NULL) {
		out->method = RPMEM_PM_APM;
		snprintf(out->reason, sizeof(out->reason), "persist-apm "
			"enabled and the pool is on persistent memory");
		return RPMEM_ST_OK;
	}

	/* persist-general=no: the administrator forbids daemon flushes */
	if (!in->persist_general) {
		snprintf(out->reason, sizeof(out->reason), "no persist method "
			"allowed: persist-general is disabled and APM is not "
			"possible (%s)", why_not_apm);
		return RPMEM_ST_NOSUPP;
	}

	out->method = RPMEM_PM_GPSPM;
	snprintf(out->reason, sizeof(out->reason), "%s", why_not_apm);
	return RPMEM_ST_OK;
}

/* rpmemd_persist_policy_log -- the inputs and the decision, one block */
void
rpmemd_persist_policy_log(const struct rpmemd_pm_input *in,
		const struct rpmemd_pm_decision *out)
{
	RPMEMD_LOG(NOTICE, "persist policy:\n"
		"  persist-apm:     %s\n"
		"  persist-general: %s\n"
		"  pool is pmem:    %s\n"
		"  rdma device:     %s\n"
		"  ddio:            %s\n"
		"  method:          %s (%s)",
		in->persist_apm ? "yes" : "no",
		in->persist_general ? "yes" : "no",
		in->is_pmem ? "yes" : "no",
		in->device && in->device[0] ? in->device : "(unknown)",
		rpmemd_ddio_str(in->ddio),
		out->method ? rpmem_persist_method_str(out->method) : "none",
		out->reason);
}
