/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_gpspm.c -- the daemon's check of a GPSPM persist request from a
 * hostile lane (rpmemd_gpspm_check, what gpspm_serve.c's serve() runs
 * before any flush): wrong lengths, magic, op, lane; ranges in the header,
 * past the end, and ranges whose end overflows 64 bits.  Each is refused
 * with RPMEM_ST_PROTO and a reason, the request's seq echoed when there is
 * one; an accepted range is really inside the pool.  The inline ops: the
 * received length must be 32 + length, 1 <= length <= the max.  And the
 * copy of an inline request's bytes (rpmemd_gpspm_copy).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpspm.h"
#include "rpmem_proto.h"

#define LO 4096u		/* the daemon-owned header */
#define SIZE (1u << 20)		/* the pool */
#define LANE 3u

static uint8_t Buf[RPMEM_GPSPM_REQ_MAX_SIZE + 64];
static struct rpmem_gpspm_req Req;
static char Why[160];

/* enc -- a request on LANE into Buf */
static void
enc(uint32_t op, uint64_t offset, uint64_t length, uint32_t seq)
{
	struct rpmem_gpspm_req r = {
		.op = op, .lane = LANE, .offset = offset, .length = length,
		.seq = seq,
	};

	memset(Buf, 0, sizeof(Buf));
	rpmem_gpspm_req_encode(&r, Buf);
}

/* check -- rpmemd_gpspm_check of Buf[0, len) */
static int
check(size_t len)
{
	memset(&Req, 0x77, sizeof(Req));
	memset(Why, 'x', sizeof(Why));
	return rpmemd_gpspm_check(Buf, len, LANE, LO, SIZE, &Req, Why,
			sizeof(Why));
}

/* refused -- expect PROTO with this reason */
static void
refused(size_t len, const char *why)
{
	ck_assert_int_eq(check(len), RPMEM_ST_PROTO);
	ck_assert_str_eq(Why, why);
}

START_TEST(valid)
{
	enc(RPMEM_GPSPM_PERSIST, LO, SIZE - LO, 9);
	ck_assert_int_eq(check(RPMEM_GPSPM_REQ_SIZE), RPMEM_ST_OK);
	ck_assert_str_eq(Why, "");
	ck_assert_uint_eq(Req.offset, LO);
	ck_assert_uint_eq(Req.length, SIZE - LO);
	ck_assert_uint_eq(Req.seq, 9);
	ck_assert_uint_eq(Req.lane, LANE);

	enc(RPMEM_GPSPM_DEEP_PERSIST, SIZE - 8, 8, 10);
	ck_assert_int_eq(check(RPMEM_GPSPM_REQ_SIZE), RPMEM_ST_OK);
	ck_assert_uint_eq(Req.op, RPMEM_GPSPM_DEEP_PERSIST);

	/* empty ranges at both ends are valid (nothing to flush) */
	enc(RPMEM_GPSPM_PERSIST, SIZE, 0, 11);
	ck_assert_int_eq(check(RPMEM_GPSPM_REQ_SIZE), RPMEM_ST_OK);
	enc(RPMEM_GPSPM_PERSIST, LO, 0, 12);
	ck_assert_int_eq(check(RPMEM_GPSPM_REQ_SIZE), RPMEM_ST_OK);

	/* no reason buffer is fine */
	enc(RPMEM_GPSPM_PERSIST, 0, 1, 13);
	ck_assert_int_eq(rpmemd_gpspm_check(Buf, RPMEM_GPSPM_REQ_SIZE, LANE,
		LO, SIZE, &Req, NULL, 0), RPMEM_ST_PROTO);
	ck_assert_uint_eq(Req.seq, 13);
}
END_TEST

START_TEST(lengths)
{
	enc(RPMEM_GPSPM_PERSIST, LO, 8, 5);
	/* empty, truncated: no seq can be trusted */
	refused(0, "malformed persist request (0 bytes, expected at least "
		"32)");
	ck_assert_uint_eq(Req.seq, 0);
	refused(1, "malformed persist request (1 bytes, expected at least "
		"32)");
	refused(RPMEM_GPSPM_REQ_SIZE - 1, "malformed persist request (31 "
		"bytes, expected at least 32)");
	ck_assert_uint_eq(Req.seq, 0);
	/* padded: the header is all there, the refusal answers its seq */
	refused(RPMEM_GPSPM_REQ_SIZE + 1,
		"malformed persist request (33 bytes, expected 32)");
	ck_assert_uint_eq(Req.seq, 5);
	refused(RPMEM_GPSPM_REQ_SIZE + 8,
		"malformed persist request (40 bytes, expected 32)");
	refused(SIZE_MAX, "malformed persist request "
		"(18446744073709551615 bytes, expected 32)");
	enc(RPMEM_GPSPM_DEEP_PERSIST, LO, 8, 5);
	refused(RPMEM_GPSPM_REQ_SIZE + 8,
		"malformed persist request (40 bytes, expected 32)");
	ck_assert_int_eq(rpmemd_gpspm_check(NULL, RPMEM_GPSPM_REQ_SIZE, LANE,
		LO, SIZE, &Req, Why, sizeof(Why)), RPMEM_ST_PROTO);
}
END_TEST

/* inline ops: 32 + length received, 1 <= length <= max, in the pool */
START_TEST(inline_valid)
{
	static const uint64_t lens[] = {1, 7, 8, RPMEM_GPSPM_INLINE_MAX - 1,
		RPMEM_GPSPM_INLINE_MAX};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		enc(RPMEM_GPSPM_PERSIST_INLINE, LO + 3, lens[i], 30);
		ck_assert_int_eq(check(RPMEM_GPSPM_REQ_SIZE + lens[i]),
			RPMEM_ST_OK);
		ck_assert_str_eq(Why, "");
		ck_assert_uint_eq(Req.op, RPMEM_GPSPM_PERSIST_INLINE);
		ck_assert_uint_eq(Req.offset, LO + 3);
		ck_assert_uint_eq(Req.length, lens[i]);
		ck_assert_uint_eq(Req.seq, 30);
		/* ending on the pool's last byte */
		enc(RPMEM_GPSPM_DEEP_PERSIST_INLINE, SIZE - lens[i], lens[i],
			31);
		ck_assert_int_eq(check(RPMEM_GPSPM_REQ_SIZE + lens[i]),
			RPMEM_ST_OK);
		ck_assert_uint_eq(Req.op, RPMEM_GPSPM_DEEP_PERSIST_INLINE);
		ck_assert_uint_eq(Req.offset, SIZE - lens[i]);
	}
}
END_TEST

/* every inline rejection: total length, length 0 / above max, range */
START_TEST(inline_refused)
{
	char expect[120];

	/* the received length is not 32 + length */
	enc(RPMEM_GPSPM_PERSIST_INLINE, LO, 100, 40);
	refused(RPMEM_GPSPM_REQ_SIZE + 99, "malformed inline persist request "
		"(131 bytes, expected 132)");
	ck_assert_uint_eq(Req.seq, 40);
	refused(RPMEM_GPSPM_REQ_SIZE + 101, "malformed inline persist "
		"request (133 bytes, expected 132)");
	refused(RPMEM_GPSPM_REQ_SIZE, "malformed inline persist request "
		"(32 bytes, expected 132)");
	refused(RPMEM_GPSPM_REQ_SIZE - 1, "malformed persist request (31 "
		"bytes, expected at least 32)");
	ck_assert_uint_eq(Req.seq, 0);
	refused(SIZE_MAX, "malformed inline persist request "
		"(18446744073709551615 bytes, expected 132)");

	/* length 0, above the max (with a matching total too), huge */
	snprintf(expect, sizeof(expect), "malformed inline persist request "
		"(length 0, expected 1 to %d)", RPMEM_GPSPM_INLINE_MAX);
	enc(RPMEM_GPSPM_PERSIST_INLINE, LO, 0, 41);
	refused(RPMEM_GPSPM_REQ_SIZE, expect);
	ck_assert_uint_eq(Req.seq, 41);
	enc(RPMEM_GPSPM_DEEP_PERSIST_INLINE, LO, 0, 41);
	refused(RPMEM_GPSPM_REQ_SIZE, expect);
	snprintf(expect, sizeof(expect), "malformed inline persist request "
		"(length %d, expected 1 to %d)", RPMEM_GPSPM_INLINE_MAX + 1,
		RPMEM_GPSPM_INLINE_MAX);
	enc(RPMEM_GPSPM_PERSIST_INLINE, LO, RPMEM_GPSPM_INLINE_MAX + 1, 42);
	refused(RPMEM_GPSPM_REQ_MAX_SIZE + 1, expect);
	refused(RPMEM_GPSPM_REQ_MAX_SIZE, expect);
	snprintf(expect, sizeof(expect), "malformed inline persist request "
		"(length 18446744073709551615, expected 1 to %d)",
		RPMEM_GPSPM_INLINE_MAX);
	enc(RPMEM_GPSPM_PERSIST_INLINE, LO, UINT64_MAX, 43);
	refused(RPMEM_GPSPM_REQ_SIZE, expect);

	/* well formed, but out of range: the same checks as PERSIST */
	enc(RPMEM_GPSPM_PERSIST_INLINE, LO - 1, 2, 44);
	refused(RPMEM_GPSPM_REQ_SIZE + 2, "persist range offset 4095 length "
		"2 outside [4096, 1048576)");
	enc(RPMEM_GPSPM_PERSIST_INLINE, 0, 8, 45);
	refused(RPMEM_GPSPM_REQ_SIZE + 8, "persist range offset 0 length 8 "
		"outside [4096, 1048576)");
	enc(RPMEM_GPSPM_PERSIST_INLINE, SIZE - 8, 9, 46);
	refused(RPMEM_GPSPM_REQ_SIZE + 9, "persist range offset 1048568 "
		"length 9 outside [4096, 1048576)");
	enc(RPMEM_GPSPM_DEEP_PERSIST_INLINE, SIZE, 1, 47);
	refused(RPMEM_GPSPM_REQ_SIZE + 1, "persist range offset 1048576 "
		"length 1 outside [4096, 1048576)");
	enc(RPMEM_GPSPM_PERSIST_INLINE, UINT64_MAX - 7, 16, 48);
	refused(RPMEM_GPSPM_REQ_SIZE + 16, "persist range offset "
		"18446744073709551608 length 16 outside [4096, 1048576) (its "
		"end overflows)");
	ck_assert_uint_eq(Req.seq, 48);
	/* and another lane's number */
	enc(RPMEM_GPSPM_PERSIST_INLINE, LO, 8, 49);
	rpmem_put_le32(Buf + 24, LANE + 1);
	refused(RPMEM_GPSPM_REQ_SIZE + 8, "request names lane 4");
}
END_TEST

/* check_copy -- copy n bytes to dst offset d from src offset s, verify */
static void
check_copy(size_t d, size_t s, size_t n)
{
	static uint8_t dst[RPMEM_GPSPM_INLINE_MAX + 64]
		__attribute__((aligned(64)));
	static uint8_t src[RPMEM_GPSPM_INLINE_MAX + 64]
		__attribute__((aligned(64)));
	static uint8_t want[sizeof(dst)];

	for (size_t i = 0; i < sizeof(src); i++) {
		src[i] = (uint8_t)(i * 7 + 1);
		dst[i] = want[i] = 0xee;
	}
	memcpy(want + d, src + s, n);
	rpmemd_gpspm_copy(dst + d, src + s, n);
	ck_assert_msg(memcmp(dst, want, sizeof(dst)) == 0,
		"copy of %zu bytes, dst +%zu, src +%zu", n, d, s);
}

START_TEST(copy)
{
	static const size_t lens[] = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64,
		RPMEM_GPSPM_INLINE_MAX - 1, RPMEM_GPSPM_INLINE_MAX};

	/* every alignment of both ends: exact bytes, nothing around them */
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t d = 0; d < 16; d++)
			for (size_t s = 0; s < 9; s++)
				check_copy(d, s, lens[i]);
}
END_TEST

START_TEST(magic_and_op)
{
	enc(RPMEM_GPSPM_PERSIST, LO, 8, 21);
	rpmem_put_le32(Buf, RPMEM_GPSPM_RESP_MAGIC);
	refused(RPMEM_GPSPM_REQ_SIZE,
		"malformed persist request (bad magic 0x53505052)");
	/* the length is right: the refusal answers this seq */
	ck_assert_uint_eq(Req.seq, 21);

	const uint32_t ops[] = {0, RPMEM_GPSPM_OP_MAX, 0x80000001u,
		UINT32_MAX};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char expect[80];

		enc(ops[i], LO, 8, 22);
		snprintf(expect, sizeof(expect), "malformed persist request "
			"(unknown op %u)", ops[i]);
		refused(RPMEM_GPSPM_REQ_SIZE, expect);
		ck_assert_uint_eq(Req.seq, 22);
	}
}
END_TEST

START_TEST(other_lane)
{
	enc(RPMEM_GPSPM_PERSIST, LO, 8, 1);
	rpmem_put_le32(Buf + 24, LANE + 1);
	refused(RPMEM_GPSPM_REQ_SIZE, "request names lane 4");
	rpmem_put_le32(Buf + 24, UINT32_MAX);
	refused(RPMEM_GPSPM_REQ_SIZE, "request names lane 4294967295");
}
END_TEST

START_TEST(out_of_bounds)
{
	static const struct {
		uint64_t off, len;
		const char *why;
	} bad[] = {
		/* the daemon-owned header */
		{0, 8, "persist range offset 0 length 8 outside "
			"[4096, 1048576)"},
		{LO - 1, 2, "persist range offset 4095 length 2 outside "
			"[4096, 1048576)"},
		{0, 0, "persist range offset 0 length 0 outside "
			"[4096, 1048576)"},
		/* past the end, by one byte or by far */
		{SIZE - 8, 9, "persist range offset 1048568 length 9 outside "
			"[4096, 1048576)"},
		{SIZE, 1, "persist range offset 1048576 length 1 outside "
			"[4096, 1048576)"},
		{SIZE + 1, 0, "persist range offset 1048577 length 0 outside "
			"[4096, 1048576)"},
		{LO, SIZE, "persist range offset 4096 length 1048576 outside "
			"[4096, 1048576)"},
		{LO, UINT64_MAX, "persist range offset 4096 length "
			"18446744073709551615 outside [4096, 1048576) (its end "
			"overflows)"},
		{UINT64_MAX, 1, "persist range offset 18446744073709551615 "
			"length 1 outside [4096, 1048576) (its end "
			"overflows)"},
		{UINT64_MAX, 0, "persist range offset 18446744073709551615 "
			"length 0 outside [4096, 1048576)"},
		/* offset + length wraps around to a small, "valid" end */
		{8192, UINT64_MAX - 4095, "persist range offset 8192 length "
			"18446744073709547520 outside [4096, 1048576) (its "
			"end overflows)"},
		{UINT64_MAX - 7, 16, "persist range offset "
			"18446744073709551608 length 16 outside [4096, "
			"1048576) (its end overflows)"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enc(RPMEM_GPSPM_PERSIST, bad[i].off, bad[i].len, (uint32_t)i);
		refused(RPMEM_GPSPM_REQ_SIZE, bad[i].why);
		ck_assert_uint_eq(Req.seq, i);
	}

	/* a pool smaller than its header accepts nothing */
	enc(RPMEM_GPSPM_PERSIST, LO, 0, 1);
	ck_assert_int_eq(rpmemd_gpspm_check(Buf, RPMEM_GPSPM_REQ_SIZE, LANE,
		LO, LO - 1, &Req, Why, sizeof(Why)), RPMEM_ST_PROTO);
}
END_TEST

START_TEST(reason_buffer_bounds)
{
	char small[8];

	memset(small, 'Z', sizeof(small));
	enc(RPMEM_GPSPM_PERSIST, 0, UINT64_MAX, 1);
	ck_assert_int_eq(rpmemd_gpspm_check(Buf, RPMEM_GPSPM_REQ_SIZE, LANE,
		LO, SIZE, &Req, small, sizeof(small)), RPMEM_ST_PROTO);
	ck_assert_str_eq(small, "persist");
}
END_TEST

/* gpspm_suite -- all GPSPM request checks */
static Suite *
gpspm_suite(void)
{
	Suite *s = suite_create("gpspm");
	TCase *tc = tcase_create("gpspm_check");

	tcase_add_test(tc, valid);
	tcase_add_test(tc, lengths);
	tcase_add_test(tc, inline_valid);
	tcase_add_test(tc, inline_refused);
	tcase_add_test(tc, copy);
	tcase_add_test(tc, magic_and_op);
	tcase_add_test(tc, other_lane);
	tcase_add_test(tc, out_of_bounds);
	tcase_add_test(tc, reason_buffer_bounds);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(gpspm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
