/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_proto.c -- the wire contract: round trips of every message, every
 * rejection path of the header check and the decoder, the status/errno
 * table, GPSPM and connect private data, rpmem_range_valid
 *
 * The byte offsets below restate the layout documented in rpmem_proto.c on
 * purpose: a change of the layout has to change this test too.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpmem_proto.h"

#define OFF_MAGIC 0
#define OFF_VERSION 4
#define OFF_TYPE 6
#define OFF_SIZE 8
#define OFF_STATUS 12
#define OFF_TEXT 16
#define REQ_BODY 16
#define RESP_BODY 272

/* pool request body */
#define PR_POOL_SIZE (REQ_BODY + 0)
#define PR_NLANES (REQ_BODY + 8)
#define PR_FLAGS (REQ_BODY + 12)
#define PR_DESC (REQ_BODY + 16)
#define PR_ADDR (REQ_BODY + 272)
#define PR_ATTR (REQ_BODY + 336)

/* pool response body */
#define PS_RADDR (RESP_BODY + 0)
#define PS_NLANES (RESP_BODY + 20)
#define PS_HDR_SIZE (RESP_BODY + 24)
#define PS_PORT (RESP_BODY + 28)
#define PS_PM (RESP_BODY + 30)
#define PS_REASON (RESP_BODY + 52)
#define PS_DEVICE (RESP_BODY + 308)
#define PS_ATTR (RESP_BODY + 372)

static uint8_t Buf[RPMEM_MSG_MAX_SIZE];

/* fill_attr -- a recognisable non-zero attribute */
static void
fill_attr(struct rpmem_pool_attr *a, unsigned seed)
{
	unsigned char *p = (unsigned char *)a;

	for (size_t i = 0; i < sizeof(*a); i++)
		p[i] = (unsigned char)(seed + i * 7 + 1);
	memcpy(a->signature, "PMEMOBJ", 8);
}

/* make -- a valid message of this type (status OK) */
static void
make(struct rpmem_msg *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	switch (type) {
	case RPMEM_MSG_HELLO:
		m->u.hello.daemon_version = 0x00010001;
		m->u.hello.max_lanes = 64;
		break;
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		m->u.pool.pool_size = 0x123456789000ull;
		m->u.pool.nlanes = 17;
		strcpy(m->u.pool.pool_desc, "dir/pool.set");
		strcpy(m->u.pool.rdma_addr, "fe80::1%eth0");
		if (type == RPMEM_MSG_CREATE) {
			m->u.pool.flags = RPMEM_REQ_HAS_ATTR;
			fill_attr(&m->u.pool.attr, 3);
		}
		break;
	case RPMEM_MSG_CREATE_RESP:
	case RPMEM_MSG_OPEN_RESP:
		m->u.pool_resp.raddr = 0x7f0012340000ull;
		m->u.pool_resp.pool_size = 0x200000;
		m->u.pool_resp.rkey = 0xdeadbeef;
		m->u.pool_resp.nlanes = 4;
		m->u.pool_resp.hdr_size = RPMEM_POOL_HDR_SIZE;
		m->u.pool_resp.port = 40123;
		m->u.pool_resp.persist_method = RPMEM_PM_GPSPM;
		m->u.pool_resp.max_msg_size = 1u << 30;
		for (int i = 0; i < RPMEM_SECRET_LEN; i++)
			m->u.pool_resp.secret[i] = (uint8_t)(0xa0 + i);
		strcpy(m->u.pool_resp.pm_reason, "pmem without ADR domain");
		strcpy(m->u.pool_resp.device, "rxe0");
		fill_attr(&m->u.pool_resp.attr, 9);
		break;
	case RPMEM_MSG_SET_ATTR:
		m->u.set_attr.flags = RPMEM_REQ_HAS_ATTR;
		fill_attr(&m->u.set_attr.attr, 5);
		break;
	case RPMEM_MSG_CLOSE:
		m->u.close.flags = RPMEM_CLOSE_REMOVE;
		break;
	case RPMEM_MSG_REMOVE:
		m->u.remove.flags = RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET;
		strcpy(m->u.remove.pool_desc, "pool.set");
		break;
	default:
		break;
	}
}

/* enc -- encode m into Buf, which must work; returns the size */
static size_t
enc(const struct rpmem_msg *m)
{
	size_t len = rpmem_msg_encode(m, Buf, sizeof(Buf));

	ck_assert_uint_ne(len, 0);
	ck_assert_uint_eq(len, rpmem_msg_size(m->type));
	return len;
}

/* dec -- decode Buf[0..len); returns the status, *why checked non-NULL */
static uint32_t
dec(size_t len, struct rpmem_msg *out)
{
	const char *why = NULL;
	uint32_t st = rpmem_msg_decode(Buf, len, out, &why);

	if (st != RPMEM_ST_OK) {
		ck_assert_ptr_nonnull(why);
		ck_assert(why[0] != '\0');
	}
	return st;
}

/* enc_type -- encode a valid message of type into Buf */
static size_t
enc_type(uint16_t type)
{
	struct rpmem_msg m;

	make(&m, type);
	return enc(&m);
}

/* expect_reject -- Buf[0..len) must decode to st */
static void
expect_reject(size_t len, uint32_t st)
{
	struct rpmem_msg out;

	ck_assert_uint_eq(dec(len, &out), st);
}

/* ---------------------------------------------------------------------
 * round trips and layout
 */

START_TEST(test_roundtrip_all_types)
{
	for (uint16_t t = RPMEM_MSG_HELLO; t < RPMEM_MSG_TYPE_MAX; t++) {
		struct rpmem_msg m, out;
		size_t len;

		make(&m, t);
		if (rpmem_msg_is_response(t))
			strcpy(m.text, t == RPMEM_MSG_HELLO ? "" : "all good");
		len = enc(&m);
		ck_assert_uint_eq(dec(len, &out), RPMEM_ST_OK);
		ck_assert_msg(memcmp(&m, &out, sizeof(m)) == 0,
			"round trip of %s differs", rpmem_msg_type_str(t));
	}
}
END_TEST

START_TEST(test_roundtrip_variants)
{
	struct rpmem_msg m, out;

	/* CREATE without attributes */
	make(&m, RPMEM_MSG_CREATE);
	m.u.pool.flags = 0;
	memset(&m.u.pool.attr, 0, sizeof(m.u.pool.attr));
	memset(m.u.pool.rdma_addr, 0, sizeof(m.u.pool.rdma_addr));
	ck_assert_uint_eq(dec(enc(&m), &out), RPMEM_ST_OK);
	ck_assert(memcmp(&m, &out, sizeof(m)) == 0);

	/* SET_ATTR with no attributes */
	make(&m, RPMEM_MSG_SET_ATTR);
	m.u.set_attr.flags = 0;
	memset(&m.u.set_attr.attr, 0, sizeof(m.u.set_attr.attr));
	ck_assert_uint_eq(dec(enc(&m), &out), RPMEM_ST_OK);
	ck_assert(memcmp(&m, &out, sizeof(m)) == 0);

	/* NOHDRS pool response, APM, text of maximal length */
	make(&m, RPMEM_MSG_OPEN_RESP);
	m.u.pool_resp.hdr_size = 0;
	m.u.pool_resp.persist_method = RPMEM_PM_APM;
	memset(m.text, 'x', RPMEM_MSG_TEXT_MAX - 1);
	memset(m.u.pool_resp.pm_reason, 'r', RPMEM_PM_REASON_MAX - 1);
	memset(m.u.pool_resp.device, 'd', RPMEM_DEV_NAME_MAX - 1);
	ck_assert_uint_eq(dec(enc(&m), &out), RPMEM_ST_OK);
	ck_assert(memcmp(&m, &out, sizeof(m)) == 0);

	/* a failed response: its body is not checked */
	make(&m, RPMEM_MSG_CREATE_RESP);
	memset(&m.u.pool_resp, 0, sizeof(m.u.pool_resp));
	m.status = RPMEM_ST_EXISTS;
	strcpy(m.text, "pool set exists");
	ck_assert_uint_eq(dec(enc(&m), &out), RPMEM_ST_OK);
	ck_assert_uint_eq(out.status, RPMEM_ST_EXISTS);
	ck_assert_str_eq(out.text, "pool set exists");

	/* every status may travel in a response */
	for (uint32_t s = 0; s < RPMEM_ST_MAX; s++) {
		make(&m, RPMEM_MSG_CLOSE_RESP);
		m.status = s;
		ck_assert_uint_eq(dec(enc(&m), &out), RPMEM_ST_OK);
		ck_assert_uint_eq(out.status, s);
	}
}
END_TEST

START_TEST(test_layout_little_endian)
{
	struct rpmem_msg m;
	size_t len;

	make(&m, RPMEM_MSG_CREATE_RESP);
	len = enc(&m);
	ck_assert_uint_eq(len, 748);
	ck_assert(memcmp(Buf, "RPPM", 4) == 0);
	ck_assert_uint_eq(Buf[OFF_VERSION], RPMEM_PROTO_VERSION);
	ck_assert_uint_eq(Buf[OFF_VERSION + 1], 0);
	ck_assert_uint_eq(Buf[OFF_TYPE], RPMEM_MSG_CREATE_RESP);
	ck_assert_uint_eq(Buf[OFF_SIZE], 748 & 0xff);
	ck_assert_uint_eq(Buf[OFF_SIZE + 1], 748 >> 8);
	ck_assert_uint_eq(Buf[PS_RADDR], 0x00);
	ck_assert_uint_eq(Buf[PS_RADDR + 2], 0x34);
	ck_assert_uint_eq(Buf[PS_RADDR + 5], 0x7f);
	ck_assert_uint_eq(Buf[PS_PORT], 40123 & 0xff);
	ck_assert_uint_eq(Buf[PS_PORT + 1], 40123 >> 8);
	ck_assert_str_eq((char *)Buf + PS_DEVICE, "rxe0");
	ck_assert(memcmp(Buf + PS_ATTR, "PMEMOBJ", 8) == 0);
	/* strings are NUL-padded: nothing after the terminator */
	for (size_t i = strlen("rxe0"); i < RPMEM_DEV_NAME_MAX; i++)
		ck_assert_uint_eq(Buf[PS_DEVICE + i], 0);

	make(&m, RPMEM_MSG_CREATE);
	enc(&m);
	ck_assert_uint_eq(Buf[PR_NLANES], 17);
	ck_assert_uint_eq(Buf[PR_POOL_SIZE + 1], 0x90);
	ck_assert_uint_eq(Buf[PR_POOL_SIZE + 5], 0x12);
	ck_assert_str_eq((char *)Buf + PR_DESC, "dir/pool.set");
	ck_assert_str_eq((char *)Buf + PR_ADDR, "fe80::1%eth0");
	/* attr: major at +8, LE */
	ck_assert_uint_eq(rpmem_get_le32(Buf + PR_ATTR + 8), m.u.pool.attr.major);
}
END_TEST

START_TEST(test_sizes)
{
	static const size_t expect[RPMEM_MSG_TYPE_MAX] = {
		0, 280, 456, 748, 456, 748, 124, 272, 20, 272, 276, 272,
	};

	for (uint16_t t = 0; t < RPMEM_MSG_TYPE_MAX; t++) {
		ck_assert_uint_eq(rpmem_msg_size(t), expect[t]);
		ck_assert_uint_le(rpmem_msg_size(t), RPMEM_MSG_MAX_SIZE);
	}
	ck_assert_uint_eq(rpmem_msg_size(RPMEM_MSG_TYPE_MAX), 0);
	ck_assert_uint_eq(rpmem_msg_size(0xffff), 0);
	ck_assert_uint_eq(sizeof(struct rpmem_pool_attr), RPMEM_ATTR_WIRE_SIZE);
}
END_TEST

START_TEST(test_encode_rejects)
{
	struct rpmem_msg m;

	ck_assert_uint_eq(rpmem_msg_encode(NULL, Buf, sizeof(Buf)), 0);
	make(&m, RPMEM_MSG_CLOSE);
	ck_assert_uint_eq(rpmem_msg_encode(&m, NULL, sizeof(Buf)), 0);
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, 19), 0);
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, 20), 20);

	m.type = 0;
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);
	m.type = RPMEM_MSG_TYPE_MAX;
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_CLOSE);
	m.status = RPMEM_ST_FATAL;	/* a request carries no status */
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_CLOSE_RESP);
	m.status = RPMEM_ST_MAX;
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_CLOSE_RESP);
	memset(m.text, 'a', sizeof(m.text));
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_CREATE);
	memset(m.u.pool.pool_desc, 'a', sizeof(m.u.pool.pool_desc));
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_OPEN);
	memset(m.u.pool.rdma_addr, '1', sizeof(m.u.pool.rdma_addr));
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_OPEN_RESP);
	memset(m.u.pool_resp.device, 'd', sizeof(m.u.pool_resp.device));
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_OPEN_RESP);
	memset(m.u.pool_resp.pm_reason, 'r', sizeof(m.u.pool_resp.pm_reason));
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);

	make(&m, RPMEM_MSG_REMOVE);
	memset(m.u.remove.pool_desc, 'p', sizeof(m.u.remove.pool_desc));
	ck_assert_uint_eq(rpmem_msg_encode(&m, Buf, sizeof(Buf)), 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * header check
 */

/* hdr -- rpmem_msg_hdr_check of Buf, why must be set on failure */
static uint32_t
hdr(uint16_t *type, uint32_t *size)
{
	const char *why = NULL;
	uint32_t st = rpmem_msg_hdr_check(Buf, type, size, &why);

	if (st != RPMEM_ST_OK)
		ck_assert(why != NULL && why[0] != '\0');
	return st;
}

START_TEST(test_hdr_check_ok)
{
	uint16_t type = 0;
	uint32_t size = 0;

	for (uint16_t t = RPMEM_MSG_HELLO; t < RPMEM_MSG_TYPE_MAX; t++) {
		enc_type(t);
		ck_assert_uint_eq(hdr(&type, &size), RPMEM_ST_OK);
		ck_assert_uint_eq(type, t);
		ck_assert_uint_eq(size, rpmem_msg_size(t));
	}
	/* out parameters are optional */
	ck_assert_uint_eq(rpmem_msg_hdr_check(Buf, NULL, NULL, NULL),
		RPMEM_ST_OK);
	ck_assert_uint_eq(rpmem_msg_hdr_check(NULL, NULL, NULL, NULL),
		RPMEM_ST_PROTO);
}
END_TEST

START_TEST(test_hdr_check_magic_version)
{
	size_t len = enc_type(RPMEM_MSG_CREATE);

	Buf[OFF_MAGIC] ^= 1;
	ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_PROTO);
	expect_reject(len, RPMEM_ST_PROTO);

	enc_type(RPMEM_MSG_CREATE);
	rpmem_put_le16(Buf + OFF_VERSION, RPMEM_PROTO_VERSION + 1);
	ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_BADVERSION);
	expect_reject(len, RPMEM_ST_BADVERSION);
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_BADVERSION),
		EPROTONOSUPPORT);

	rpmem_put_le16(Buf + OFF_VERSION, 0);
	ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_BADVERSION);
	rpmem_put_le16(Buf + OFF_VERSION, 0xffff);
	ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_BADVERSION);
}
END_TEST

START_TEST(test_hdr_check_type)
{
	static const uint16_t bad[] = {0, RPMEM_MSG_TYPE_MAX,
		RPMEM_MSG_TYPE_MAX + 1, 0x100, 0xffff};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = enc_type(RPMEM_MSG_CLOSE);

		rpmem_put_le16(Buf + OFF_TYPE, bad[i]);
		ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_PROTO);
		expect_reject(len, RPMEM_ST_PROTO);
	}
	/* a valid type with another type's size */
	enc_type(RPMEM_MSG_CLOSE);
	rpmem_put_le16(Buf + OFF_TYPE, RPMEM_MSG_REMOVE);
	ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_PROTO);
}
END_TEST

START_TEST(test_hdr_check_size)
{
	for (uint16_t t = RPMEM_MSG_HELLO; t < RPMEM_MSG_TYPE_MAX; t++) {
		uint32_t good = (uint32_t)rpmem_msg_size(t);
		const uint32_t bad[] = {good - 1, good + 1, 0, 16,
			0xffffffffu, RPMEM_MSG_MAX_SIZE};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			enc_type(t);
			rpmem_put_le32(Buf + OFF_SIZE, bad[i]);
			ck_assert_uint_eq(hdr(NULL, NULL), RPMEM_ST_PROTO);
			expect_reject(good, RPMEM_ST_PROTO);
		}
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * decode rejections
 */

START_TEST(test_decode_length)
{
	size_t len = enc_type(RPMEM_MSG_REMOVE);
	struct rpmem_msg out;

	expect_reject(len - 1, RPMEM_ST_PROTO);
	expect_reject(len + 1, RPMEM_ST_PROTO);
	expect_reject(0, RPMEM_ST_PROTO);
	expect_reject(RPMEM_MSG_HDR_SIZE - 1, RPMEM_ST_PROTO);
	expect_reject(RPMEM_MSG_HDR_SIZE, RPMEM_ST_PROTO);
	ck_assert_uint_eq(rpmem_msg_decode(NULL, len, &out, NULL),
		RPMEM_ST_PROTO);
	ck_assert_uint_eq(rpmem_msg_decode(Buf, len, NULL, NULL),
		RPMEM_ST_PROTO);
	ck_assert_uint_eq(rpmem_msg_decode(Buf, len, &out, NULL),
		RPMEM_ST_OK);
}
END_TEST

START_TEST(test_decode_status)
{
	size_t len;

	/* a request with a status */
	for (uint16_t t = RPMEM_MSG_CREATE; t < RPMEM_MSG_TYPE_MAX; t += 2) {
		len = enc_type(t);
		rpmem_put_le32(Buf + OFF_STATUS, 1);
		expect_reject(len, RPMEM_ST_PROTO);
		rpmem_put_le32(Buf + OFF_STATUS, 0x80000000u);
		expect_reject(len, RPMEM_ST_PROTO);
	}
	/* a response with a status out of range */
	for (uint16_t t = RPMEM_MSG_HELLO; t < RPMEM_MSG_TYPE_MAX; t++) {
		if (!rpmem_msg_is_response(t))
			continue;
		len = enc_type(t);
		rpmem_put_le32(Buf + OFF_STATUS, RPMEM_ST_MAX);
		expect_reject(len, RPMEM_ST_PROTO);
		rpmem_put_le32(Buf + OFF_STATUS, 0xffffffffu);
		expect_reject(len, RPMEM_ST_PROTO);
		rpmem_put_le32(Buf + OFF_STATUS, RPMEM_ST_MAX - 1);
		expect_reject(len, RPMEM_ST_OK);
	}
}
END_TEST

START_TEST(test_decode_unterminated)
{
	static const struct {
		uint16_t type;
		size_t off;
		size_t max;
	} s[] = {
		{RPMEM_MSG_CREATE, PR_DESC, RPMEM_POOL_DESC_MAX},
		{RPMEM_MSG_OPEN, PR_DESC, RPMEM_POOL_DESC_MAX},
		{RPMEM_MSG_CREATE, PR_ADDR, RPMEM_ADDR_MAX},
		{RPMEM_MSG_OPEN, PR_ADDR, RPMEM_ADDR_MAX},
		{RPMEM_MSG_REMOVE, REQ_BODY + 4, RPMEM_POOL_DESC_MAX},
		{RPMEM_MSG_HELLO, OFF_TEXT, RPMEM_MSG_TEXT_MAX},
		{RPMEM_MSG_CLOSE_RESP, OFF_TEXT, RPMEM_MSG_TEXT_MAX},
		{RPMEM_MSG_CREATE_RESP, OFF_TEXT, RPMEM_MSG_TEXT_MAX},
		{RPMEM_MSG_CREATE_RESP, PS_REASON, RPMEM_PM_REASON_MAX},
		{RPMEM_MSG_OPEN_RESP, PS_DEVICE, RPMEM_DEV_NAME_MAX},
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		size_t len = enc_type(s[i].type);

		memset(Buf + s[i].off, 'z', s[i].max);
		ck_assert_msg(dec(len, &(struct rpmem_msg){0}) ==
			RPMEM_ST_PROTO, "case %zu", i);
		/* a NUL in the last byte is enough */
		Buf[s[i].off + s[i].max - 1] = '\0';
		ck_assert_msg(dec(len, &(struct rpmem_msg){0}) ==
			RPMEM_ST_OK, "case %zu", i);
	}

	/* failed responses still need terminated strings */
	{
		struct rpmem_msg m;
		size_t len;

		make(&m, RPMEM_MSG_OPEN_RESP);
		m.status = RPMEM_ST_FATAL;
		len = enc(&m);
		memset(Buf + PS_DEVICE, 'z', RPMEM_DEV_NAME_MAX);
		expect_reject(len, RPMEM_ST_PROTO);
	}
}
END_TEST

START_TEST(test_decode_empty_desc)
{
	size_t len;

	len = enc_type(RPMEM_MSG_CREATE);
	memset(Buf + PR_DESC, 0, RPMEM_POOL_DESC_MAX);
	expect_reject(len, RPMEM_ST_PROTO);

	len = enc_type(RPMEM_MSG_OPEN);
	Buf[PR_DESC] = '\0';
	expect_reject(len, RPMEM_ST_PROTO);

	len = enc_type(RPMEM_MSG_REMOVE);
	Buf[REQ_BODY + 4] = '\0';
	expect_reject(len, RPMEM_ST_PROTO);
}
END_TEST

START_TEST(test_decode_flags)
{
	static const struct {
		uint16_t type;
		size_t off;
		uint32_t flags;
	} bad[] = {
		{RPMEM_MSG_CREATE, PR_FLAGS, RPMEM_REQ_HAS_ATTR | 0x2},
		{RPMEM_MSG_CREATE, PR_FLAGS, RPMEM_REQ_HAS_ATTR | 0x80000000u},
		{RPMEM_MSG_OPEN, PR_FLAGS, 0x1},
		{RPMEM_MSG_OPEN, PR_FLAGS, 0x100},
		{RPMEM_MSG_SET_ATTR, REQ_BODY, RPMEM_REQ_HAS_ATTR | 0x4},
		{RPMEM_MSG_CLOSE, REQ_BODY, 0x2},
		{RPMEM_MSG_CLOSE, REQ_BODY, 0xffffffffu},
		{RPMEM_MSG_REMOVE, REQ_BODY, 0x4},
		{RPMEM_MSG_REMOVE, REQ_BODY, 0x3 | 0x10},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = enc_type(bad[i].type);

		rpmem_put_le32(Buf + bad[i].off, bad[i].flags);
		ck_assert_msg(dec(len, &(struct rpmem_msg){0}) ==
			RPMEM_ST_PROTO, "case %zu", i);
	}
	/* every known REMOVE / CLOSE combination is fine */
	for (uint32_t f = 0; f <= 3; f++) {
		size_t len = enc_type(RPMEM_MSG_REMOVE);

		rpmem_put_le32(Buf + REQ_BODY, f);
		expect_reject(len, RPMEM_ST_OK);
	}
}
END_TEST

START_TEST(test_decode_attr_flag_mismatch)
{
	size_t len;

	/* CREATE: attributes without HAS_ATTR (one non-zero byte is enough) */
	len = enc_type(RPMEM_MSG_CREATE);
	rpmem_put_le32(Buf + PR_FLAGS, 0);
	expect_reject(len, RPMEM_ST_PROTO);
	len = enc_type(RPMEM_MSG_CREATE);
	rpmem_put_le32(Buf + PR_FLAGS, 0);
	memset(Buf + PR_ATTR, 0, RPMEM_ATTR_WIRE_SIZE);
	Buf[PR_ATTR + RPMEM_ATTR_WIRE_SIZE - 1] = 1;
	expect_reject(len, RPMEM_ST_PROTO);

	/* OPEN with attributes */
	len = enc_type(RPMEM_MSG_OPEN);
	Buf[PR_ATTR + RPMEM_ATTR_WIRE_SIZE - 1] = 1;
	expect_reject(len, RPMEM_ST_PROTO);

	/* SET_ATTR, both ways */
	len = enc_type(RPMEM_MSG_SET_ATTR);
	memset(Buf + REQ_BODY + 4, 0, RPMEM_ATTR_WIRE_SIZE);
	expect_reject(len, RPMEM_ST_PROTO);
	len = enc_type(RPMEM_MSG_SET_ATTR);
	rpmem_put_le32(Buf + REQ_BODY, 0);
	expect_reject(len, RPMEM_ST_PROTO);
}
END_TEST

START_TEST(test_decode_create_zero_attr)
{
	struct rpmem_msg in, out;
	const char *why = NULL;
	size_t len;

	/*
	 * CREATE's flag means "attributes given", and given ones may be all
	 * zero (PMDK's zero-filled create_attr): that decodes, flag kept
	 */
	make(&in, RPMEM_MSG_CREATE);
	memset(&in.u.pool.attr, 0, sizeof(in.u.pool.attr));
	len = enc(&in);
	ck_assert_uint_eq(rpmem_msg_decode(Buf, len, &out, &why), RPMEM_ST_OK);
	ck_assert_uint_eq(out.u.pool.flags, RPMEM_REQ_HAS_ATTR);
	ck_assert_int_eq(rpmem_attr_is_zero(&out.u.pool.attr), 1);

	/* no flag, no attributes: "no attributes" (NULL create_attr) */
	in.u.pool.flags = 0;
	len = enc(&in);
	ck_assert_uint_eq(rpmem_msg_decode(Buf, len, &out, &why), RPMEM_ST_OK);
	ck_assert_uint_eq(out.u.pool.flags, 0);

	/* no flag, attributes: refused, and says why */
	in.u.pool.attr.major = 1;
	len = enc(&in);
	ck_assert_uint_eq(rpmem_msg_decode(Buf, len, &out, &why),
		RPMEM_ST_PROTO);
	ck_assert_str_eq(why, "attributes without the attribute flag");

	/* SET_ATTR keeps its rule: the flag only with non-zero attributes */
	make(&in, RPMEM_MSG_SET_ATTR);
	memset(&in.u.set_attr.attr, 0, sizeof(in.u.set_attr.attr));
	len = enc(&in);
	ck_assert_uint_eq(rpmem_msg_decode(Buf, len, &out, &why),
		RPMEM_ST_PROTO);
	ck_assert_str_eq(why, "attribute flag does not match the attributes");
}
END_TEST

START_TEST(test_decode_pool_req_values)
{
	size_t len;

	len = enc_type(RPMEM_MSG_CREATE);
	rpmem_put_le32(Buf + PR_NLANES, 0);
	expect_reject(len, RPMEM_ST_PROTO);

	len = enc_type(RPMEM_MSG_OPEN);
	rpmem_put_le32(Buf + PR_NLANES, 0);
	expect_reject(len, RPMEM_ST_PROTO);

	len = enc_type(RPMEM_MSG_CREATE);
	rpmem_put_le64(Buf + PR_POOL_SIZE, 0);
	expect_reject(len, RPMEM_ST_PROTO);

	len = enc_type(RPMEM_MSG_OPEN);
	rpmem_put_le64(Buf + PR_POOL_SIZE, 0);
	expect_reject(len, RPMEM_ST_PROTO);
}
END_TEST

START_TEST(test_decode_pool_resp_values)
{
	static const uint16_t types[] = {RPMEM_MSG_CREATE_RESP,
		RPMEM_MSG_OPEN_RESP};
	static const uint16_t bad_pm[] = {0, RPMEM_PM_MAX, 0xffff};
	static const uint32_t bad_hdr[] = {5, 1, 4095, 4097, 8192,
		0xffffffffu};

	for (size_t k = 0; k < 2; k++) {
		size_t len;

		for (size_t i = 0; i < 3; i++) {
			len = enc_type(types[k]);
			rpmem_put_le16(Buf + PS_PM, bad_pm[i]);
			expect_reject(len, RPMEM_ST_PROTO);
		}
		for (size_t i = 0; i < 6; i++) {
			len = enc_type(types[k]);
			rpmem_put_le32(Buf + PS_HDR_SIZE, bad_hdr[i]);
			expect_reject(len, RPMEM_ST_PROTO);
		}
		len = enc_type(types[k]);
		rpmem_put_le32(Buf + PS_NLANES, 0);
		expect_reject(len, RPMEM_ST_PROTO);

		len = enc_type(types[k]);
		rpmem_put_le16(Buf + PS_PORT, 0);
		expect_reject(len, RPMEM_ST_PROTO);

		/* the same values in a failed response are not looked at */
		len = enc_type(types[k]);
		rpmem_put_le32(Buf + OFF_STATUS, RPMEM_ST_BUSY);
		rpmem_put_le16(Buf + PS_PM, 0);
		rpmem_put_le32(Buf + PS_HDR_SIZE, 5);
		rpmem_put_le32(Buf + PS_NLANES, 0);
		rpmem_put_le16(Buf + PS_PORT, 0);
		expect_reject(len, RPMEM_ST_OK);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * status <-> errno, names
 */

START_TEST(test_status_to_errno)
{
	static const int expect[RPMEM_ST_MAX] = {
		[RPMEM_ST_OK] = 0,
		[RPMEM_ST_PROTO] = EPROTO,
		[RPMEM_ST_BADVERSION] = EPROTONOSUPPORT,
		[RPMEM_ST_BADNAME] = EINVAL,
		[RPMEM_ST_BADSIZE] = EFBIG,
		[RPMEM_ST_POOL_CFG] = EINVAL,
		[RPMEM_ST_BUSY] = EBUSY,
		[RPMEM_ST_EXISTS] = EEXIST,
		[RPMEM_ST_NOEXIST] = ENOENT,
		[RPMEM_ST_NOACCESS] = EACCES,
		[RPMEM_ST_NOMEM] = ENOMEM,
		[RPMEM_ST_CONFIG] = EINVAL,
		[RPMEM_ST_RDMA] = ECONNABORTED,
		[RPMEM_ST_NOSUPP] = EOPNOTSUPP,
		[RPMEM_ST_FATAL] = EREMOTEIO,
		[RPMEM_ST_NOSPC] = ENOSPC,
	};

	for (uint32_t s = 0; s < RPMEM_ST_MAX; s++) {
		ck_assert_int_eq(rpmem_status_to_errno(s), expect[s]);
		ck_assert_ptr_nonnull(rpmem_status_str(s));
		ck_assert(rpmem_status_str(s)[0] != '\0');
	}
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_MAX), EPROTO);
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_MAX + 1), EPROTO);
	ck_assert_int_eq(rpmem_status_to_errno(0xffffffffu), EPROTO);
	ck_assert_str_eq(rpmem_status_str(RPMEM_ST_MAX), "unknown status");
}
END_TEST

START_TEST(test_status_from_errno)
{
	/* every errno of the table comes back to itself */
	for (uint32_t s = 0; s < RPMEM_ST_MAX; s++) {
		int err = rpmem_status_to_errno(s);
		uint32_t back = rpmem_status_from_errno(err);

		ck_assert_uint_lt(back, RPMEM_ST_MAX);
		ck_assert_int_eq(rpmem_status_to_errno(back), err);
		/* statuses with their own errno map back exactly */
		if (err != EINVAL)
			ck_assert_uint_eq(back, s);
	}
	ck_assert_uint_eq(rpmem_status_from_errno(0), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmem_status_from_errno(EINVAL), RPMEM_ST_POOL_CFG);
	ck_assert_uint_eq(rpmem_status_from_errno(ENOTSUP), RPMEM_ST_NOSUPP);
	/* no space on the target is its own status, not the catch-all */
	ck_assert_uint_eq(rpmem_status_from_errno(ENOSPC), RPMEM_ST_NOSPC);
	ck_assert_uint_eq(RPMEM_ST_NOSPC, 15);
	ck_assert_uint_eq(RPMEM_ST_MAX, 16);
	ck_assert_str_eq(rpmem_status_str(RPMEM_ST_NOSPC),
		"no space left on the target");
	ck_assert_uint_eq(rpmem_status_from_errno(EBADF), RPMEM_ST_FATAL);
	ck_assert_uint_eq(rpmem_status_from_errno(EIO), RPMEM_ST_FATAL);
	ck_assert_uint_eq(rpmem_status_from_errno(-1), RPMEM_ST_FATAL);
	ck_assert_uint_eq(rpmem_status_from_errno(100000), RPMEM_ST_FATAL);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(rpmem_msg_type_str(RPMEM_MSG_CREATE), "CREATE");
	ck_assert_str_eq(rpmem_msg_type_str(RPMEM_MSG_REMOVE_RESP),
		"REMOVE_RESP");
	ck_assert_str_eq(rpmem_msg_type_str(0), "UNKNOWN");
	ck_assert_str_eq(rpmem_msg_type_str(RPMEM_MSG_TYPE_MAX), "UNKNOWN");
	ck_assert_str_eq(rpmem_msg_type_str(0xffff), "UNKNOWN");
	for (uint16_t t = 1; t < RPMEM_MSG_TYPE_MAX; t++)
		ck_assert_str_ne(rpmem_msg_type_str(t), "UNKNOWN");
	ck_assert_str_eq(rpmem_persist_method_str(RPMEM_PM_APM), "APM");
	ck_assert_str_eq(rpmem_persist_method_str(RPMEM_PM_GPSPM), "GPSPM");
	ck_assert_str_eq(rpmem_persist_method_str(0), "unknown");
	ck_assert_str_eq(rpmem_persist_method_str(RPMEM_PM_MAX), "unknown");
	ck_assert(rpmem_msg_is_response(RPMEM_MSG_HELLO));
	ck_assert(rpmem_msg_is_response(RPMEM_MSG_CREATE_RESP));
	ck_assert(!rpmem_msg_is_response(RPMEM_MSG_CREATE));
	ck_assert(!rpmem_msg_is_response(0));
	ck_assert(!rpmem_msg_is_response(RPMEM_MSG_TYPE_MAX));
}
END_TEST

START_TEST(test_attr_is_zero)
{
	struct rpmem_pool_attr a;

	ck_assert(rpmem_attr_is_zero(NULL));
	memset(&a, 0, sizeof(a));
	ck_assert(rpmem_attr_is_zero(&a));
	for (size_t i = 0; i < sizeof(a); i++) {
		memset(&a, 0, sizeof(a));
		((unsigned char *)&a)[i] = 0x80;
		ck_assert_msg(!rpmem_attr_is_zero(&a), "byte %zu", i);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * GPSPM, connect private data, ranges
 */

START_TEST(test_gpspm_req)
{
	struct rpmem_gpspm_req r = {RPMEM_GPSPM_DEEP_PERSIST, 7,
		0x1122334455667788ull, 0x99aabbccddeeff00ull, 0xfeedface};
	struct rpmem_gpspm_req out;
	uint8_t b[RPMEM_GPSPM_REQ_SIZE];

	rpmem_gpspm_req_encode(&r, b);
	ck_assert(memcmp(b, "RPPQ", 4) == 0);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b), &out), 0);
	ck_assert_uint_eq(out.op, r.op);
	ck_assert_uint_eq(out.lane, r.lane);
	ck_assert_uint_eq(out.offset, r.offset);
	ck_assert_uint_eq(out.length, r.length);
	ck_assert_uint_eq(out.seq, r.seq);

	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b) - 1, &out), -1);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b) + 1, &out), -1);
	b[0] ^= 0xff;
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b), &out), -1);
	b[0] ^= 0xff;
	rpmem_put_le32(b + 4, 0);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b), &out), -1);
	rpmem_put_le32(b + 4, RPMEM_GPSPM_OP_MAX);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b), &out), -1);
	rpmem_put_le32(b + 4, RPMEM_GPSPM_PERSIST);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, sizeof(b), &out), 0);
}
END_TEST

/* an inline request: header + length payload bytes, as one SEND delivers */
START_TEST(test_gpspm_req_inline)
{
	static const uint32_t ops[] = {RPMEM_GPSPM_PERSIST_INLINE,
		RPMEM_GPSPM_DEEP_PERSIST_INLINE};
	static uint8_t b[RPMEM_GPSPM_REQ_MAX_SIZE + 64];
	struct rpmem_gpspm_req out;

	ck_assert_uint_eq(RPMEM_GPSPM_PERSIST_INLINE, 3);
	ck_assert_uint_eq(RPMEM_GPSPM_DEEP_PERSIST_INLINE, 4);
	ck_assert_uint_eq(RPMEM_GPSPM_REQ_MAX_SIZE,
		RPMEM_GPSPM_REQ_SIZE + RPMEM_GPSPM_INLINE_MAX);
	ck_assert(!rpmem_gpspm_op_inline(RPMEM_GPSPM_PERSIST));
	ck_assert(!rpmem_gpspm_op_inline(RPMEM_GPSPM_DEEP_PERSIST));
	ck_assert(!rpmem_gpspm_op_deep(RPMEM_GPSPM_PERSIST));
	ck_assert(!rpmem_gpspm_op_deep(RPMEM_GPSPM_PERSIST_INLINE));
	ck_assert(rpmem_gpspm_op_deep(RPMEM_GPSPM_DEEP_PERSIST_INLINE));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ck_assert(rpmem_gpspm_op_inline(ops[i]));
		const uint64_t lens[] = {1, 7, 8, RPMEM_GPSPM_INLINE_MAX - 1,
			RPMEM_GPSPM_INLINE_MAX};

		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			struct rpmem_gpspm_req r = {ops[i], 5, 4096 + j,
				lens[j], 77 + (uint32_t)j};
			size_t n = RPMEM_GPSPM_REQ_SIZE + lens[j];

			memset(b, 0xab, sizeof(b));
			rpmem_gpspm_req_encode(&r, b);
			ck_assert_int_eq(rpmem_gpspm_req_decode(b, n, &out),
				0);
			ck_assert_uint_eq(out.op, ops[i]);
			ck_assert_uint_eq(out.lane, 5);
			ck_assert_uint_eq(out.offset, 4096 + j);
			ck_assert_uint_eq(out.length, lens[j]);
			ck_assert_uint_eq(out.seq, 77 + j);
			/* received length != 32 + length, either way */
			ck_assert_int_eq(rpmem_gpspm_req_decode(b, n - 1,
				&out), -1);
			ck_assert_int_eq(rpmem_gpspm_req_decode(b, n + 1,
				&out), -1);
			ck_assert_int_eq(rpmem_gpspm_req_decode(b,
				RPMEM_GPSPM_REQ_SIZE, &out), -1);
			ck_assert_int_eq(rpmem_gpspm_req_decode(b,
				RPMEM_GPSPM_REQ_SIZE - 1, &out), -1);
		}

		struct rpmem_gpspm_req r = {ops[i], 5, 4096, 0, 1};

		/* length 0: an empty inline request is malformed */
		rpmem_gpspm_req_encode(&r, b);
		ck_assert_int_eq(rpmem_gpspm_req_decode(b,
			RPMEM_GPSPM_REQ_SIZE, &out), -1);
		/* length above the max, even with a matching total */
		r.length = RPMEM_GPSPM_INLINE_MAX + 1;
		rpmem_gpspm_req_encode(&r, b);
		ck_assert_int_eq(rpmem_gpspm_req_decode(b,
			RPMEM_GPSPM_REQ_MAX_SIZE + 1, &out), -1);
		ck_assert_int_eq(rpmem_gpspm_req_decode(b,
			RPMEM_GPSPM_REQ_MAX_SIZE, &out), -1);
		/* a length whose 32 + length wraps to the received size */
		r.length = UINT64_MAX - RPMEM_GPSPM_REQ_SIZE + 9;
		rpmem_gpspm_req_encode(&r, b);
		ck_assert_int_eq(rpmem_gpspm_req_decode(b, 8, &out), -1);
		ck_assert_int_eq(rpmem_gpspm_req_decode(b,
			RPMEM_GPSPM_REQ_SIZE + 8, &out), -1);
		r.length = UINT64_MAX;
		rpmem_gpspm_req_encode(&r, b);
		ck_assert_int_eq(rpmem_gpspm_req_decode(b, SIZE_MAX, &out),
			-1);
	}

	/* the non-inline ops take no payload */
	struct rpmem_gpspm_req r = {RPMEM_GPSPM_PERSIST, 5, 4096, 8, 1};

	rpmem_gpspm_req_encode(&r, b);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, RPMEM_GPSPM_REQ_SIZE + 8,
		&out), -1);
	/* the op after the last inline one is unknown */
	r.op = RPMEM_GPSPM_OP_MAX;
	r.length = 1;
	rpmem_gpspm_req_encode(&r, b);
	ck_assert_int_eq(rpmem_gpspm_req_decode(b, RPMEM_GPSPM_REQ_SIZE + 1,
		&out), -1);
}
END_TEST

/* the HELLO version of a daemon that serves the inline ops */
START_TEST(test_daemon_has_inline)
{
	ck_assert_uint_eq(RPMEM_DAEMON_VERSION, 0x00010003);
	ck_assert(rpmem_daemon_has_inline(RPMEM_DAEMON_VERSION));
	ck_assert(rpmem_daemon_has_inline(0x00010004));
	ck_assert(rpmem_daemon_has_inline(0x0001ffff));
	/* 1.0, 1.1 and the 1.2 daemons before the inline ops */
	ck_assert(!rpmem_daemon_has_inline(0x00010000));
	ck_assert(!rpmem_daemon_has_inline(0x00010001));
	ck_assert(!rpmem_daemon_has_inline(0x00010002));
	/* another major: nothing is assumed of it */
	ck_assert(!rpmem_daemon_has_inline(0x00020003));
	ck_assert(!rpmem_daemon_has_inline(0x00000003));
	ck_assert(!rpmem_daemon_has_inline(0xffffffff));
}
END_TEST

START_TEST(test_gpspm_resp)
{
	struct rpmem_gpspm_resp r = {RPMEM_ST_FATAL, 3, 0x12345678};
	struct rpmem_gpspm_resp out;
	uint8_t b[RPMEM_GPSPM_RESP_SIZE];

	rpmem_gpspm_resp_encode(&r, b);
	ck_assert(memcmp(b, "RPPS", 4) == 0);
	ck_assert_int_eq(rpmem_gpspm_resp_decode(b, sizeof(b), &out), 0);
	ck_assert_uint_eq(out.status, r.status);
	ck_assert_uint_eq(out.lane, r.lane);
	ck_assert_uint_eq(out.seq, r.seq);

	ck_assert_int_eq(rpmem_gpspm_resp_decode(b, sizeof(b) - 1, &out), -1);
	b[3] ^= 0x01;
	ck_assert_int_eq(rpmem_gpspm_resp_decode(b, sizeof(b), &out), -1);
	b[3] ^= 0x01;
	rpmem_put_le32(b + 4, RPMEM_ST_MAX);
	ck_assert_int_eq(rpmem_gpspm_resp_decode(b, sizeof(b), &out), -1);
}
END_TEST

START_TEST(test_conn_pdata)
{
	struct rpmem_conn_pdata pd = {RPMEM_PROTO_VERSION, 513, {0}};
	struct rpmem_conn_pdata out;
	uint8_t b[56];	/* rdma_cm pads private data: longer is fine */

	memset(b, 0xee, sizeof(b));
	for (int i = 0; i < RPMEM_SECRET_LEN; i++)
		pd.secret[i] = (uint8_t)(i * 13);
	rpmem_conn_pdata_encode(&pd, b);
	ck_assert(memcmp(b, "RPLN", 4) == 0);
	ck_assert_int_eq(rpmem_conn_pdata_decode(b, RPMEM_CONN_PDATA_SIZE,
		&out), 0);
	ck_assert_uint_eq(out.lane, 513);
	ck_assert(memcmp(out.secret, pd.secret, RPMEM_SECRET_LEN) == 0);
	ck_assert_int_eq(rpmem_conn_pdata_decode(b, sizeof(b), &out), 0);

	ck_assert_int_eq(rpmem_conn_pdata_decode(b, RPMEM_CONN_PDATA_SIZE - 1,
		&out), -1);
	ck_assert_int_eq(rpmem_conn_pdata_decode(b, 0, &out), -1);
	ck_assert_int_eq(rpmem_conn_pdata_decode(NULL, sizeof(b), &out), -1);
	b[1] ^= 0x10;
	ck_assert_int_eq(rpmem_conn_pdata_decode(b, sizeof(b), &out), -1);
	b[1] ^= 0x10;
	rpmem_put_le16(b + 4, RPMEM_PROTO_VERSION + 1);
	ck_assert_int_eq(rpmem_conn_pdata_decode(b, sizeof(b), &out), -1);
}
END_TEST

START_TEST(test_range_valid)
{
	const uint64_t max = UINT64_MAX;

	ck_assert(rpmem_range_valid(4096, 4096, 4096, 8192));
	ck_assert(rpmem_range_valid(0, 8192, 0, 8192));
	ck_assert(rpmem_range_valid(8192, 0, 0, 8192));
	ck_assert(!rpmem_range_valid(8193, 0, 0, 8192));
	ck_assert(!rpmem_range_valid(4095, 1, 4096, 8192));
	ck_assert(!rpmem_range_valid(4096, 4097, 4096, 8192));
	ck_assert(!rpmem_range_valid(8191, 2, 0, 8192));
	/* would wrap around with offset + length */
	ck_assert(!rpmem_range_valid(4096, max, 0, 8192));
	ck_assert(!rpmem_range_valid(max, 1, 0, 8192));
	ck_assert(!rpmem_range_valid(max, max, 0, max));
	ck_assert(!rpmem_range_valid(1, max, 0, max));
	ck_assert(rpmem_range_valid(0, max, 0, max));
	ck_assert(rpmem_range_valid(max, 0, 0, max));
	ck_assert(!rpmem_range_valid(0, 0, 1, 8192));
}
END_TEST

/* proto_suite -- every test of this file */
static Suite *
proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc;

	tc = tcase_create("encode");
	tcase_add_test(tc, test_roundtrip_all_types);
	tcase_add_test(tc, test_roundtrip_variants);
	tcase_add_test(tc, test_layout_little_endian);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_encode_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("hdr_check");
	tcase_add_test(tc, test_hdr_check_ok);
	tcase_add_test(tc, test_hdr_check_magic_version);
	tcase_add_test(tc, test_hdr_check_type);
	tcase_add_test(tc, test_hdr_check_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_test(tc, test_decode_length);
	tcase_add_test(tc, test_decode_status);
	tcase_add_test(tc, test_decode_unterminated);
	tcase_add_test(tc, test_decode_empty_desc);
	tcase_add_test(tc, test_decode_flags);
	tcase_add_test(tc, test_decode_attr_flag_mismatch);
	tcase_add_test(tc, test_decode_create_zero_attr);
	tcase_add_test(tc, test_decode_pool_req_values);
	tcase_add_test(tc, test_decode_pool_resp_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_test(tc, test_status_to_errno);
	tcase_add_test(tc, test_status_from_errno);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_attr_is_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("data_path_wire");
	tcase_add_test(tc, test_gpspm_req);
	tcase_add_test(tc, test_gpspm_req_inline);
	tcase_add_test(tc, test_daemon_has_inline);
	tcase_add_test(tc, test_gpspm_resp);
	tcase_add_test(tc, test_conn_pdata);
	tcase_add_test(tc, test_range_valid);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
