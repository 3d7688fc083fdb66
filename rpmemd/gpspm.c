/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpspm.c -- the daemon's check of one GPSPM persist request
 */
#include <stdio.h>
#include <string.h>

#include "gpspm.h"

/* rpmemd_gpspm_check -- decode and bounds-check one persist request */
int
rpmemd_gpspm_check(const uint8_t *buf, size_t len, uint32_t lane,
		uint64_t lo, uint64_t size, struct rpmem_gpspm_req *req,
		char *why, size_t whylen)
{
	char dummy[1];

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = '\0';
	memset(req, 0, sizeof(*req));

	if (buf == NULL || len != RPMEM_GPSPM_REQ_SIZE) {
		snprintf(why, whylen, "malformed persist request (%zu bytes, "
			"expected %d)", len, RPMEM_GPSPM_REQ_SIZE);
		return RPMEM_ST_PROTO;
	}
	if (rpmem_gpspm_req_decode(buf, len, req)) {
		/* the length is right: answer with the client's seq */
		req->seq = rpmem_get_le32(buf + 28);
		if (rpmem_get_le32(buf) != RPMEM_GPSPM_REQ_MAGIC)
			snprintf(why, whylen, "malformed persist request "
				"(bad magic 0x%08x)", rpmem_get_le32(buf));
		else
			snprintf(why, whylen, "malformed persist request "
				"(unknown op %u)", rpmem_get_le32(buf + 4));
		return RPMEM_ST_PROTO;
	}
	if (req->lane != lane) {
		snprintf(why, whylen, "request names lane %u", req->lane);
		return RPMEM_ST_PROTO;
	}
	if (!rpmem_range_valid(req->offset, req->length, lo, size)) {
		snprintf(why, whylen, "persist range offset %llu length %llu "
			"outside [%llu, %llu)%s",
			(unsigned long long)req->offset,
			(unsigned long long)req->length,
			(unsigned long long)lo, (unsigned long long)size,
			req->offset + req->length < req->offset ?
			" (its end overflows)" : "");
		return RPMEM_ST_PROTO;
	}
	return RPMEM_ST_OK;
}
