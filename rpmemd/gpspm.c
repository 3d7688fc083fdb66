/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpspm.c -- the daemon's check of one GPSPM persist request, and the
 * copy of an inline request's bytes
 */
#include <stdio.h>
#include <string.h>

#include "gpspm.h"

/* bad_length -- why a request of op with this received length is refused */
static void
bad_length(const uint8_t *buf, size_t len, uint32_t op, char *why,
		size_t whylen)
{
	uint64_t length = rpmem_get_le64(buf + 16);

	if (!rpmem_gpspm_op_inline(op))
		snprintf(why, whylen, "malformed persist request (%zu bytes, "
			"expected %d)", len, RPMEM_GPSPM_REQ_SIZE);
	else if (length == 0 || length > RPMEM_GPSPM_INLINE_MAX)
		snprintf(why, whylen, "malformed inline persist request "
			"(length %llu, expected 1 to %d)",
			(unsigned long long)length, RPMEM_GPSPM_INLINE_MAX);
	else
		snprintf(why, whylen, "malformed inline persist request "
			"(%zu bytes, expected %llu)", len,
			(unsigned long long)length + RPMEM_GPSPM_REQ_SIZE);
}

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

	if (buf == NULL || len < RPMEM_GPSPM_REQ_SIZE) {
		snprintf(why, whylen, "malformed persist request (%zu bytes, "
			"expected at least %d)", len, RPMEM_GPSPM_REQ_SIZE);
		return RPMEM_ST_PROTO;
	}
	if (rpmem_gpspm_req_decode(buf, len, req)) {
		uint32_t op = rpmem_get_le32(buf + 4);

		/* the header is all there: answer with the client's seq */
		memset(req, 0, sizeof(*req));
		req->seq = rpmem_get_le32(buf + 28);
		if (rpmem_get_le32(buf) != RPMEM_GPSPM_REQ_MAGIC)
			snprintf(why, whylen, "malformed persist request "
				"(bad magic 0x%08x)", rpmem_get_le32(buf));
		else if (op < RPMEM_GPSPM_PERSIST || op >= RPMEM_GPSPM_OP_MAX)
			snprintf(why, whylen, "malformed persist request "
				"(unknown op %u)", op);
		else
			bad_length(buf, len, op, why, whylen);
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

/* rpmemd_gpspm_copy -- bytes to the first aligned word, words, bytes */
void
rpmemd_gpspm_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (; len > 0 && ((uintptr_t)dst & 7u) != 0; len--)
		*dst++ = *src++;
	for (; len >= 8; len -= 8, dst += 8, src += 8) {
		uint64_t v;

		memcpy(&v, src, sizeof(v));	/* src may be unaligned */
		/* one 8-byte store, never split or merged by the compiler */
		__atomic_store_n((uint64_t *)(void *)dst, v,
			__ATOMIC_RELAXED);
	}
	while (len-- > 0)
		*dst++ = *src++;
}
