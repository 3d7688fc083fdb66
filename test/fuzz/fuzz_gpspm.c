/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_gpspm.c -- the daemon's GPSPM request check (rpmemd_gpspm_check),
 * plus the other fixed-size lane messages (GPSPM response, connect private
 * data)
 *
 * Input: le32 lane, le64 lo (the header), le64 size (the pool), then the
 * bytes the RECV delivered (any length).  Checked against an independent
 * 128-bit model of the rules; when the pool is small enough to exist
 * (size <= 64 KiB) an accepted range is really touched in a heap buffer of
 * exactly that size, so ASan catches any bounds mistake.
 */
#include <string.h>

#include "fuzz.h"
#include "gpspm.h"
#include "rpmem_proto.h"

#define FUZZ_GPSPM_PREFIX 20
#define FUZZ_GPSPM_POOL_MAX (64u * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmem_gpspm_req req;
	char why[160];

	if (size < FUZZ_GPSPM_PREFIX)
		return 0;
	uint32_t lane = rpmem_get_le32(data);
	uint64_t lo = rpmem_get_le64(data + 4);
	uint64_t pool = rpmem_get_le64(data + 12);
	const uint8_t *buf = data + FUZZ_GPSPM_PREFIX;
	size_t len = size - FUZZ_GPSPM_PREFIX;

	/* copy to an exact-size buffer: reading past it is an ASan report */
	uint8_t *msg = malloc(len ? len : 1);
	FUZZ_CHECK(msg != NULL);
	memcpy(msg, buf, len);

	int st = rpmemd_gpspm_check(msg, len, lane, lo, pool, &req, why,
			sizeof(why));

	/* the model */
	int hdr = len >= RPMEM_GPSPM_REQ_SIZE;
	int ok = hdr && rpmem_get_le32(buf) == RPMEM_GPSPM_REQ_MAGIC;
	uint32_t op = ok ? rpmem_get_le32(buf + 4) : 0;
	uint64_t off = ok ? rpmem_get_le64(buf + 8) : 0;
	uint64_t length = ok ? rpmem_get_le64(buf + 16) : 0;
	int inl = op == 3 || op == 4;	/* *_INLINE: the bytes follow */
	ok = ok && op >= 1 && op <= 4 &&
		(inl ? length >= 1 && length <= RPMEM_GPSPM_INLINE_MAX &&
		 (unsigned __int128)len == RPMEM_GPSPM_REQ_SIZE +
		 (unsigned __int128)length : len == RPMEM_GPSPM_REQ_SIZE) &&
		rpmem_get_le32(buf + 24) == lane && off >= lo &&
		(unsigned __int128)off + length <= pool;

	FUZZ_CHECK(st == RPMEM_ST_OK || st == RPMEM_ST_PROTO);
	FUZZ_CHECK((st == RPMEM_ST_OK) == ok);
	if (hdr)
		FUZZ_CHECK(req.seq == rpmem_get_le32(buf + 28));
	else
		FUZZ_CHECK(req.seq == 0);
	if (st != RPMEM_ST_OK) {
		FUZZ_CHECK(why[0] != '\0');
		FUZZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	} else {
		FUZZ_CHECK(req.offset == off && req.length == length &&
			req.lane == lane && req.op == op);
		if (pool <= FUZZ_GPSPM_POOL_MAX) {
			/* what serve() hands to the flush: pool + offset */
			uint8_t *p = malloc(pool ? pool : 1);
			FUZZ_CHECK(p != NULL);
			memset(p + req.offset, 0xa5, (size_t)req.length);
			/* an inline request's bytes: what serve() copies */
			if (inl)
				rpmemd_gpspm_copy(p + req.offset,
					msg + RPMEM_GPSPM_REQ_SIZE,
					(size_t)req.length);
			free(p);
		}
	}

	/* the client's decode of the response, and the lane's pdata */
	struct rpmem_gpspm_resp resp;
	if (rpmem_gpspm_resp_decode(msg, len, &resp) == 0) {
		FUZZ_CHECK(len == RPMEM_GPSPM_RESP_SIZE);
		FUZZ_CHECK(resp.status < RPMEM_ST_MAX);
		uint8_t again[RPMEM_GPSPM_RESP_SIZE];
		rpmem_gpspm_resp_encode(&resp, again);
		FUZZ_CHECK(memcmp(again, msg, sizeof(again)) == 0);
	}
	struct rpmem_conn_pdata pd;
	if (rpmem_conn_pdata_decode(msg, len, &pd) == 0) {
		FUZZ_CHECK(len >= RPMEM_CONN_PDATA_SIZE);
		uint8_t again[RPMEM_CONN_PDATA_SIZE];
		rpmem_conn_pdata_encode(&pd, again);
		FUZZ_CHECK(memcmp(again, msg, sizeof(again)) == 0);
	}
	if (st == RPMEM_ST_OK) {
		uint8_t again[RPMEM_GPSPM_REQ_SIZE];
		rpmem_gpspm_req_encode(&req, again);
		FUZZ_CHECK(memcmp(again, msg, sizeof(again)) == 0);
		FUZZ_CHECK(len == RPMEM_GPSPM_REQ_SIZE +
			(inl ? req.length : 0));
	}
	free(msg);
	return 0;
}
