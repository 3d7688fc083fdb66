/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hostile_client.c -- the control client against a hostile or broken
 * rpmemd, byte for byte: the real ctl_client.c runs over an in-memory
 * stand-in for the ssh transport (rpmem_ssh_* below, so the archive's
 * ssh.o is not linked), which serves a scripted byte stream and records
 * how far the client read.
 *
 * Header size fields of 0, 16, one past the largest message and 2^32-1,
 * unknown and request types, wrong magic and versions, statuses out of
 * range, responses of the wrong type or out of order, unterminated
 * strings, invalid pool responses, and streams cut anywhere: each gives
 * -1 with the documented errno and a message naming the problem, the
 * client never reads past a bad header, and the session then refuses
 * further requests (ENOTCONN) without reading another byte.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "error.h"
#include "rpmem_proto.h"
#include "ssh.h"

/* ---------------------------------------------------------------------
 * the transport stand-in
 */
struct rpmem_ssh {
	uint8_t data[8192];
	size_t size;
	size_t off;
	uint16_t sent[16];	/* request types, in order */
	unsigned nsent;
	int open;
};

static struct rpmem_ssh Ssh;

int
rpmem_ssh_open(const struct rpmem_target *t, struct rpmem_ssh **out)
{
	(void)t;
	ck_assert(!Ssh.open);
	Ssh.open = 1;
	*out = &Ssh;
	return 0;
}

int
rpmem_ssh_send(struct rpmem_ssh *ssh, const void *buf, size_t len)
{
	struct rpmem_msg m;

	ck_assert(ssh->open);
	ck_assert_uint_eq(rpmem_msg_decode(buf, len, &m, NULL), RPMEM_ST_OK);
	ck_assert_uint_lt(ssh->nsent, 16);
	ssh->sent[ssh->nsent++] = m.type;
	return 0;
}

int
rpmem_ssh_recv(struct rpmem_ssh *ssh, void *buf, size_t len, int timeout_ms)
{
	(void)timeout_ms;
	ck_assert(ssh->open);
	if (len > ssh->size - ssh->off) {
		ssh->off = ssh->size;	/* end of file, as the real one */
		errno = ECONNRESET;
		return -1;
	}
	memcpy(buf, ssh->data + ssh->off, len);
	ssh->off += len;
	return 0;
}

size_t
rpmem_ssh_stderr(struct rpmem_ssh *ssh, char *buf, size_t len)
{
	(void)ssh;
	snprintf(buf, len, "rpmemd: last words");
	return strlen(buf);
}

int
rpmem_ssh_close(struct rpmem_ssh *ssh, int *exit_status)
{
	ssh->open = 0;
	if (exit_status)
		*exit_status = 0;
	return 0;
}

/* ---------------------------------------------------------------------
 * helpers
 */

/* setup -- an empty stream */
static void
setup(void)
{
	memset(&Ssh, 0, sizeof(Ssh));
}

/* resp -- a valid response of this type (pool responses filled in) */
static struct rpmem_msg
resp(uint16_t type)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	if (type == RPMEM_MSG_HELLO) {
		m.u.hello.daemon_version = 1u << 16;
		m.u.hello.max_lanes = 8;
	}
	if (type == RPMEM_MSG_CREATE_RESP || type == RPMEM_MSG_OPEN_RESP) {
		m.u.pool_resp.raddr = 0x10000;
		m.u.pool_resp.pool_size = 1 << 20;
		m.u.pool_resp.nlanes = 2;
		m.u.pool_resp.hdr_size = RPMEM_POOL_HDR_SIZE;
		m.u.pool_resp.port = 7000;
		m.u.pool_resp.persist_method = RPMEM_PM_GPSPM;
		strcpy(m.u.pool_resp.device, "rxe0");
	}
	return m;
}

/* add -- append an encoded message; returns where it starts */
static uint8_t *
add(const struct rpmem_msg *m)
{
	uint8_t *p = Ssh.data + Ssh.size;
	size_t n = rpmem_msg_encode(m, p, sizeof(Ssh.data) - Ssh.size);

	ck_assert_uint_gt(n, 0);
	Ssh.size += n;
	return p;
}

/* add_type -- append a valid response of this type */
static uint8_t *
add_type(uint16_t type)
{
	struct rpmem_msg m = resp(type);

	return add(&m);
}

/* session -- start a session over the stream (HELLO must be there) */
static struct rpmem_ctl *
session(void)
{
	struct rpmem_target t;
	struct rpmem_ctl *ctl = NULL;

	memset(&t, 0, sizeof(t));
	strcpy(t.host, "peer");
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	return ctl;
}

/* create -- a CREATE on ctl */
static int
create(struct rpmem_ctl *ctl)
{
	struct rpmem_req_pool req;
	struct rpmem_resp_pool rs;

	memset(&req, 0, sizeof(req));
	req.pool_size = 1 << 20;
	req.nlanes = 2;
	strcpy(req.pool_desc, "x.set");
	errno = 0;
	rpmem_err_set("%s", "");
	return rpmem_ctl_create(ctl, &req, &rs);
}

/* has -- s contains word */
static void
has(const char *s, const char *word)
{
	if (strstr(s, word) == NULL)
		ck_abort_msg("'%s' does not contain '%s'", s, word);
}

/* broken_after -- the session is unusable and reads nothing more */
static void
broken_after(struct rpmem_ctl *ctl)
{
	size_t off = Ssh.off;
	unsigned nsent = Ssh.nsent;

	errno = 0;
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	has(rpmem_err_get(), "unusable after an earlier error");
	ck_assert_uint_eq(Ssh.off, off);
	ck_assert_uint_eq(Ssh.nsent, nsent);
}

/* ---------------------------------------------------------------------
 * a bad response to CREATE, case by case
 */

enum mutation {
	M_SIZE,		/* le32 size field = arg */
	M_TYPE,		/* le16 type field = arg (size kept) */
	M_MSG_TYPE,	/* a whole valid message of type arg instead */
	M_MAGIC,	/* le32 magic = arg */
	M_VERSION,	/* le16 version = arg */
	M_STATUS,	/* le32 status = arg */
	M_TEXT,		/* the text without its NUL */
	M_CUT,		/* the response cut to arg bytes, then end of file */
	M_PM,		/* persist method = arg */
	M_NLANES,	/* nlanes = arg */
	M_HDR,		/* hdr_size = arg */
	M_PORT,		/* port = arg */
	M_DEVICE,	/* the device name without its NUL */
};

static const struct {
	enum mutation m;
	uint32_t arg;
	int err;
	const char *word;
	size_t read;	/* bytes of the response read; 0: all of it */
} Bad[] = {
	{M_SIZE, 0, EPROTO, "wrong message size for its type", 16},
	{M_SIZE, 16, EPROTO, "wrong message size for its type", 16},
	{M_SIZE, RPMEM_MSG_MAX_SIZE + 1, EPROTO,
		"wrong message size for its type", 16},
	{M_SIZE, 0xffffffffu, EPROTO, "wrong message size for its type", 16},
	{M_SIZE, 747, EPROTO, "wrong message size for its type", 16},
	{M_TYPE, 0, EPROTO, "unknown message type", 16},
	{M_TYPE, RPMEM_MSG_TYPE_MAX, EPROTO, "unknown message type", 16},
	{M_TYPE, 0xffff, EPROTO, "unknown message type", 16},
	/* a request type from the daemon, a second HELLO, out of order */
	{M_MSG_TYPE, RPMEM_MSG_CREATE, EPROTO,
		"unexpected response type CREATE to CREATE", 16},
	{M_MSG_TYPE, RPMEM_MSG_HELLO, EPROTO,
		"unexpected response type HELLO to CREATE", 16},
	{M_MSG_TYPE, RPMEM_MSG_OPEN_RESP, EPROTO,
		"unexpected response type OPEN_RESP to CREATE", 16},
	{M_MSG_TYPE, RPMEM_MSG_SET_ATTR_RESP, EPROTO,
		"unexpected response type SET_ATTR_RESP to CREATE", 16},
	{M_MSG_TYPE, RPMEM_MSG_REMOVE_RESP, EPROTO,
		"unexpected response type REMOVE_RESP to CREATE", 16},
	{M_MAGIC, 0, EPROTO, "bad magic", 16},
	{M_MAGIC, RPMEM_GPSPM_RESP_MAGIC, EPROTO, "bad magic", 16},
	{M_VERSION, 0, EPROTONOSUPPORT, "unsupported protocol version", 16},
	{M_VERSION, RPMEM_PROTO_VERSION + 1, EPROTONOSUPPORT,
		"unsupported protocol version", 16},
	{M_VERSION, 0xffff, EPROTONOSUPPORT, "unsupported protocol version",
		16},
	{M_STATUS, RPMEM_ST_MAX, EPROTO, "status out of range", 0},
	{M_STATUS, 0xffffffffu, EPROTO, "status out of range", 0},
	{M_TEXT, 0, EPROTO, "unterminated response text", 0},
	/* cut short: in the header is end of file, in the body a protocol
	 * error */
	{M_CUT, 0, ECONNRESET, "closed before the response to CREATE", 0},
	{M_CUT, 1, ECONNRESET, "closed before the response to CREATE", 0},
	{M_CUT, 15, ECONNRESET, "closed before the response to CREATE", 0},
	{M_CUT, 16, EPROTO, "truncated response to CREATE", 16},
	{M_CUT, 17, EPROTO, "truncated response to CREATE", 17},
	{M_CUT, 747, EPROTO, "truncated response to CREATE", 747},
	{M_PM, 0, EPROTO, "unknown persist method", 0},
	{M_PM, RPMEM_PM_MAX, EPROTO, "unknown persist method", 0},
	{M_NLANES, 0, EPROTO, "zero lanes granted", 0},
	{M_HDR, 1, EPROTO, "bad header size", 0},
	{M_HDR, 0xffffffffu, EPROTO, "bad header size", 0},
	{M_PORT, 0, EPROTO, "zero rdma port", 0},
	{M_DEVICE, 0, EPROTO, "unterminated device name", 0},
};

START_TEST(bad_response)
{
	const size_t body = RPMEM_MSG_HDR_SIZE + RPMEM_MSG_TEXT_MAX;
	size_t start;
	uint8_t *p;

	add_type(RPMEM_MSG_HELLO);
	start = Ssh.size;
	if (Bad[_i].m == M_MSG_TYPE) {
		struct rpmem_msg m = resp((uint16_t)Bad[_i].arg);
		if (!rpmem_msg_is_response(m.type)) {
			/* a request: encode needs a zero status and body */
			memset(&m, 0, sizeof(m));
			m.type = (uint16_t)Bad[_i].arg;
			m.u.pool.nlanes = 1;
			m.u.pool.pool_size = 1;
			strcpy(m.u.pool.pool_desc, "x");
		}
		p = add(&m);
	} else {
		p = add_type(RPMEM_MSG_CREATE_RESP);
	}
	size_t full = Ssh.size - start;

	switch (Bad[_i].m) {
	case M_SIZE:
		rpmem_put_le32(p + 8, Bad[_i].arg);
		break;
	case M_TYPE:
		rpmem_put_le16(p + 6, (uint16_t)Bad[_i].arg);
		break;
	case M_MAGIC:
		rpmem_put_le32(p, Bad[_i].arg);
		break;
	case M_VERSION:
		rpmem_put_le16(p + 4, (uint16_t)Bad[_i].arg);
		break;
	case M_STATUS:
		rpmem_put_le32(p + 12, Bad[_i].arg);
		break;
	case M_TEXT:
		memset(p + 16, 'T', RPMEM_MSG_TEXT_MAX);
		break;
	case M_CUT:
		Ssh.size = start + Bad[_i].arg;
		break;
	case M_PM:
		rpmem_put_le16(p + body + 30, (uint16_t)Bad[_i].arg);
		break;
	case M_NLANES:
		rpmem_put_le32(p + body + 20, Bad[_i].arg);
		break;
	case M_HDR:
		rpmem_put_le32(p + body + 24, Bad[_i].arg);
		break;
	case M_PORT:
		rpmem_put_le16(p + body + 28, (uint16_t)Bad[_i].arg);
		break;
	case M_DEVICE:
		memset(p + body + 308, 'd', RPMEM_DEV_NAME_MAX);
		break;
	default:
		break;
	}
	/* whatever follows must stay unread (a cut stream just ends) */
	if (Bad[_i].m != M_CUT)
		add_type(RPMEM_MSG_CLOSE_RESP);

	struct rpmem_ctl *ctl = session();
	ck_assert_int_eq(create(ctl), -1);
	ck_assert_int_eq(errno, Bad[_i].err);
	has(rpmem_err_get(), Bad[_i].word);
	has(rpmem_err_get(), "rpmemd on peer");
	if (Bad[_i].m == M_CUT)
		ck_assert_uint_eq(Ssh.off, Ssh.size);
	else
		ck_assert_uint_eq(Ssh.off - start,
			Bad[_i].read ? Bad[_i].read : full);
	broken_after(ctl);
	rpmem_ctl_delete(&ctl);
	ck_assert(!Ssh.open);
}
END_TEST

/* the same faults in the HELLO */
START_TEST(bad_hello)
{
	static const struct {
		int off;	/* -1: cut the stream to len */
		uint32_t val;
		int width;
		int err;
		const char *word;
	} cases[] = {
		{8, 0, 4, EPROTO, "invalid HELLO from rpmemd on peer: wrong "
			"message size for its type"},
		{8, 0xffffffffu, 4, EPROTO, "wrong message size"},
		{6, RPMEM_MSG_CREATE_RESP, 2, EPROTO, "wrong message size"},
		{6, 0, 2, EPROTO, "unknown message type"},
		{0, 0x4d505053u, 4, EPROTO, "bad magic"},
		{4, 2, 2, EPROTONOSUPPORT, "unsupported protocol version"},
		{12, RPMEM_ST_MAX, 4, EPROTO, "status out of range"},
		{-1, 0, 0, ECONNRESET, "closed before the HELLO"},
		{-1, 16, 0, EPROTO, "truncated HELLO"},
		{-1, 279, 0, EPROTO, "truncated HELLO"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rpmem_target t;
		struct rpmem_ctl *ctl = NULL;

		setup();
		uint8_t *p = add_type(RPMEM_MSG_HELLO);
		if (cases[i].off < 0)
			Ssh.size = cases[i].val;
		else if (cases[i].width == 2)
			rpmem_put_le16(p + cases[i].off,
				(uint16_t)cases[i].val);
		else
			rpmem_put_le32(p + cases[i].off, cases[i].val);

		memset(&t, 0, sizeof(t));
		strcpy(t.host, "peer");
		errno = 0;
		ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
		ck_assert_int_eq(errno, cases[i].err);
		ck_assert_ptr_null(ctl);
		has(rpmem_err_get(), cases[i].word);
		ck_assert(!Ssh.open);
		ck_assert_uint_eq(Ssh.nsent, 0);
	}
}
END_TEST

/* a daemon answering a request before it was asked, or twice */
START_TEST(out_of_order)
{
	/* CREATE_RESP, then the CREATE_RESP again for SET_ATTR */
	add_type(RPMEM_MSG_HELLO);
	add_type(RPMEM_MSG_CREATE_RESP);
	add_type(RPMEM_MSG_CREATE_RESP);
	add_type(RPMEM_MSG_SET_ATTR_RESP);
	struct rpmem_ctl *ctl = session();
	ck_assert_int_eq(create(ctl), 0);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_err_get(), "unexpected response type CREATE_RESP to "
		"SET_ATTR");
	broken_after(ctl);
	rpmem_ctl_delete(&ctl);

	/* the responses to SET_ATTR and CLOSE swapped */
	setup();
	add_type(RPMEM_MSG_HELLO);
	add_type(RPMEM_MSG_CREATE_RESP);
	add_type(RPMEM_MSG_CLOSE_RESP);
	add_type(RPMEM_MSG_SET_ATTR_RESP);
	ctl = session();
	ck_assert_int_eq(create(ctl), 0);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_err_get(), "unexpected response type CLOSE_RESP to "
		"SET_ATTR");
	broken_after(ctl);
	rpmem_ctl_delete(&ctl);
	ck_assert_uint_eq(Ssh.nsent, 2);	/* CREATE, SET_ATTR */
}
END_TEST

/* a refused request keeps the session; its body is not looked at */
START_TEST(refused_keeps_session)
{
	struct rpmem_msg m = resp(RPMEM_MSG_CREATE_RESP);

	add_type(RPMEM_MSG_HELLO);
	m.status = RPMEM_ST_BUSY;
	m.u.pool_resp.nlanes = 0;	/* garbage in a refusal is fine */
	m.u.pool_resp.persist_method = 77;
	strcpy(m.text, "pool in use by pid 42");
	add(&m);
	add_type(RPMEM_MSG_CLOSE_RESP);
	struct rpmem_ctl *ctl = session();
	ck_assert_int_eq(create(ctl), -1);
	ck_assert_int_eq(errno, EBUSY);
	has(rpmem_err_get(), "CREATE failed: pool in use by pid 42");
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), 0);
	ck_assert_uint_eq(Ssh.off, Ssh.size);
	rpmem_ctl_delete(&ctl);
}
END_TEST

/*
 * the daemon's one answer to a request out of place: status PROTO in a
 * well-formed response, so EPROTO with its text, and (the stream being
 * in step) the session stays usable
 */
START_TEST(wrong_state_answer)
{
	struct rpmem_msg m = resp(RPMEM_MSG_SET_ATTR_RESP);

	add_type(RPMEM_MSG_HELLO);
	m.status = RPMEM_ST_PROTO;
	strcpy(m.text, "SET_ATTR is not allowed before a pool is open (send "
		"CREATE or OPEN first)");
	add(&m);
	m = resp(RPMEM_MSG_CREATE_RESP);
	m.status = RPMEM_ST_PROTO;
	strcpy(m.text, "CREATE is not allowed while a pool is open in this "
		"session (one pool per session; CLOSE it first)");
	add(&m);
	add_type(RPMEM_MSG_CLOSE_RESP);
	struct rpmem_ctl *ctl = session();

	errno = 0;
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_err_get(), "SET_ATTR failed: SET_ATTR is not allowed before "
		"a pool is open");
	errno = 0;
	ck_assert_int_eq(create(ctl), -1);
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_err_get(), "CREATE failed: CREATE is not allowed while a "
		"pool is open in this session");
	/* not broken: the next request goes out and is answered */
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), 0);
	ck_assert_uint_eq(Ssh.off, Ssh.size);
	ck_assert_uint_eq(Ssh.nsent, 3);
	rpmem_ctl_delete(&ctl);
}
END_TEST

/* hostile_client_suite -- all cases */
static Suite *
hostile_client_suite(void)
{
	Suite *s = suite_create("hostile_client");
	TCase *tc = tcase_create("responses");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, bad_response, 0,
		(int)(sizeof(Bad) / sizeof(Bad[0])));
	tcase_add_test(tc, bad_hello);
	tcase_add_test(tc, out_of_order);
	tcase_add_test(tc, refused_keeps_session);
	tcase_add_test(tc, wrong_state_answer);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(hostile_client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
