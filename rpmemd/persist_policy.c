/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_policy.c -- which persist method rpmemd offers for a pool
 */
#include <libpmem.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "persist_policy.h"

/* policy_real_root -- does root name the real file system */
static bool
policy_real_root(const char *root)
{
	return root == NULL || root[0] == '\0' || strcmp(root, "/") == 0;
}

/* rpmemd_persist_probe -- eADR, the device's DDIO state, ddio = disable */
void
rpmemd_persist_probe(const char *root, enum rpmemd_ddio mode,
		const char *dev, uint32_t vendor_id, bool may_change,
		struct rpmemd_pm_platform *plat)
{
	char err[RPMEMD_DDIO_DETAIL_MAX];

	memset(plat, 0, sizeof(*plat));
	plat->eadr = rpmemd_eadr(root, plat->eadr_detail,
			sizeof(plat->eadr_detail));
	/* the same rule as libpmem's; should they ever differ, trust neither */
	if (plat->eadr && policy_real_root(root) &&
			pmem_has_auto_flush() != 1) {
		plat->eadr = 0;
		snprintf(plat->eadr_detail, sizeof(plat->eadr_detail),
			"sysfs says cpu_cache but pmem_has_auto_flush() "
			"does not agree");
	}
	rpmemd_rnic_probe(root, dev, &plat->rnic);
	rpmemd_rnic_vendor(&plat->rnic, vendor_id);

	if (mode != RPMEMD_DDIO_DISABLE)
		return;
	if (!may_change || plat->eadr) {
		snprintf(plat->action, sizeof(plat->action), "none: APM does "
			"not depend on DDIO here");
		return;
	}
	if (plat->rnic.state != RPMEMD_DDIO_ST_ON) {
		snprintf(plat->action, sizeof(plat->action), "none: DDIO "
			"state is %s", rpmemd_ddio_state_str(plat->rnic.state));
		return;
	}
	if (rpmemd_ddio_write(root, &plat->rnic, true, err, sizeof(err))) {
		snprintf(plat->action, sizeof(plat->action), "could not turn "
			"DDIO off: %.190s", err);
		return;
	}
	snprintf(plat->action, sizeof(plat->action), "turned DDIO off on "
		"root port %s (lasts until the next reboot)",
		plat->rnic.port);
}

/* rpmemd_persist_policy -- choose APM or GPSPM, with the reason */
int
rpmemd_persist_policy(const struct rpmemd_pm_input *in,
		struct rpmemd_pm_decision *out)
{
	const struct rpmemd_pm_platform *plat = in->plat;
	const struct rpmemd_rnic *r = plat ? &plat->rnic : NULL;
	const char *dev = in->device && in->device[0] ? in->device :
		"the RDMA device";
	char why[RPMEM_PM_REASON_MAX];

	memset(out, 0, sizeof(*out));

	if (!in->persist_apm) {
		snprintf(why, sizeof(why), "persist-apm not enabled in the "
			"configuration");
	} else if (!in->is_pmem) {
		snprintf(why, sizeof(why), "pool is not on persistent memory");
	} else if (plat && plat->eadr) {
		out->method = RPMEM_PM_APM;
		snprintf(out->reason, sizeof(out->reason), "pool is on "
			"persistent memory and the platform has eADR (CPU "
			"caches are persistent)");
		return RPMEM_ST_OK;
	} else if (in->ddio == RPMEMD_DDIO_IGNORE) {
		/* the administrator's word, and the log says so */
		out->method = RPMEM_PM_APM;
		snprintf(out->reason, sizeof(out->reason), "pool is on "
			"persistent memory; ddio = ignore: the administrator "
			"attests that RDMA writes bypass the CPU caches");
		return RPMEM_ST_OK;
	} else if (r == NULL) {
		snprintf(why, sizeof(why), "DDIO state unknown: the platform "
			"was not probed");
	} else if (r->software) {
		snprintf(why, sizeof(why), "software RDMA device %s: its "
			"writes are CPU copies that stay in the CPU cache (no "
			"eADR)", dev);
	} else if (r->state == RPMEMD_DDIO_ST_OFF) {
		out->method = RPMEM_PM_APM;
		snprintf(out->reason, sizeof(out->reason), "pool is on "
			"persistent memory and DDIO is verified off on root "
			"port %s of %s", r->port, dev);
		return RPMEM_ST_OK;
	} else if (r->state == RPMEMD_DDIO_ST_ON) {
		snprintf(why, sizeof(why), "DDIO is on at root port %s of %s%s",
			r->port, dev, in->ddio == RPMEMD_DDIO_DISABLE ?
			" and ddio = disable could not turn it off" :
			" (ddio = check)");
	} else {
		/* detail starts with "DDIO state unknown: " */
		snprintf(why, sizeof(why), "%.200s", r->detail);
	}

	/* persist-general=no: the administrator forbids daemon flushes */
	if (!in->persist_general) {
		snprintf(out->reason, sizeof(out->reason), "no persist method "
			"allowed: persist-general is disabled and APM is not "
			"possible (%.150s)", why);
		return RPMEM_ST_NOSUPP;
	}

	out->method = RPMEM_PM_GPSPM;
	snprintf(out->reason, sizeof(out->reason), "%s", why);
	return RPMEM_ST_OK;
}

/* policy_yn -- "yes" / "no" */
static const char *
policy_yn(bool b)
{
	return b ? "yes" : "no";
}

/* rpmemd_persist_policy_text -- the inputs and the decision, one block */
void
rpmemd_persist_policy_text(const struct rpmemd_pm_input *in,
		const struct rpmemd_pm_decision *out, char *buf, size_t len)
{
	const struct rpmemd_pm_platform *plat = in->plat;
	const struct rpmemd_rnic *r = plat ? &plat->rnic : NULL;
	char port[64] = "-";

	if (r && r->port[0])
		snprintf(port, sizeof(port), "%s (%04x:%04x)", r->port,
			r->vendor, r->devid);
	snprintf(buf, len, "persist policy:\n"
		"  persist-apm:     %s\n"
		"  persist-general: %s\n"
		"  ddio (config):   %s\n"
		"  pool is pmem:    %s\n"
		"  eADR:            %s (%s)\n"
		"  rdma device:     %s%s\n"
		"  pci function:    %s\n"
		"  root port:       %s\n"
		"  ddio state:      %s: %s\n"
		"  ddio action:     %s\n"
		"  gpspm flush:     %s\n"
		"  method:          %s (%s)",
		policy_yn(in->persist_apm),
		policy_yn(in->persist_general),
		rpmemd_ddio_str(in->ddio),
		policy_yn(in->is_pmem),
		policy_yn(plat && plat->eadr),
		plat ? plat->eadr_detail : "not probed",
		in->device && in->device[0] ? in->device : "(unknown)",
		r && r->software ? " (software)" : "",
		r && r->func[0] ? r->func : "-",
		port,
		rpmemd_ddio_state_str(r ? r->state : RPMEMD_DDIO_ST_UNKNOWN),
		r ? r->detail : "not probed",
		plat && plat->action[0] ? plat->action : "none",
		in->is_pmem ? "pmem_persist" : "pmem_msync",
		out->method ? rpmem_persist_method_str(out->method) : "none",
		out->reason);
}

/* rpmemd_persist_policy_log -- the block as one NOTICE message */
void
rpmemd_persist_policy_log(const struct rpmemd_pm_input *in,
		const struct rpmemd_pm_decision *out)
{
	char buf[2048];

	rpmemd_persist_policy_text(in, out, buf, sizeof(buf));
	RPMEMD_LOG(NOTICE, "%s", buf);
}
