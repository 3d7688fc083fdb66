/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_server.c -- the daemon side of the control protocol, fed through
 * pipes and socketpairs: valid requests (whole, back to back, dribbled a
 * byte at a time), clean EOF, truncated header and body, bad magic,
 * version, type and size (never read past a bad header), response types
 * from the client, body rules, I/O errors, and what send/reply put on the
 * wire; the one answer to a request out of place (the state table, and
 * the built rpmemd answering it over its stdin/stdout, then serving on)
 */
#define _GNU_SOURCE	/* nftw */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_server.h"
#include "rpmem_proto.h"
#include "unit_fs.h"

static int Fd[2];	/* Fd[0] read end, Fd[1] write end */
static uint8_t Buf[RPMEM_MSG_MAX_SIZE];

/* setup -- a fresh pipe; SIGPIPE ignored like rpmemd does */
static void
setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(Fd), 0);
}

/* teardown -- close what is left */
static void
teardown(void)
{
	if (Fd[0] >= 0)
		close(Fd[0]);
	if (Fd[1] >= 0)
		close(Fd[1]);
}

/* close_writer -- the client goes away */
static void
close_writer(void)
{
	close(Fd[1]);
	Fd[1] = -1;
}

/* put -- write raw bytes to the pipe */
static void
put(const void *data, size_t len)
{
	ck_assert_int_eq(write(Fd[1], data, len), (ssize_t)len);
}

/* make_create -- a valid CREATE request */
static void
make_create(struct rpmem_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = RPMEM_MSG_CREATE;
	m->u.pool.pool_size = 1 << 20;
	m->u.pool.nlanes = 4;
	m->u.pool.flags = RPMEM_REQ_HAS_ATTR;
	strcpy(m->u.pool.pool_desc, "sub/pool.set");
	strcpy(m->u.pool.rdma_addr, "192.168.1.7");
	memcpy(m->u.pool.attr.signature, "PMEMOBJ", 8);
	m->u.pool.attr.major = 7;
}

/* encode -- m into Buf; returns the size */
static size_t
encode(const struct rpmem_msg *m)
{
	size_t len = rpmem_msg_encode(m, Buf, sizeof(Buf));
	ck_assert_uint_gt(len, 0);
	return len;
}

/* recv_malformed -- expect MALFORMED with this type, status and text */
static void
recv_malformed(uint16_t type, uint32_t status, const char *text)
{
	struct rpmem_msg m;

	memset(&m, 0x55, sizeof(m));
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &m),
		RPMEMD_CTL_MALFORMED);
	ck_assert_uint_eq(m.type, type);
	ck_assert_uint_eq(m.status, status);
	ck_assert_str_eq(m.text, text);
}

/* remaining -- what is left in the pipe (writer must be closed) */
static size_t
remaining(uint8_t *out, size_t max)
{
	size_t got = 0;
	ssize_t n;
	while ((n = read(Fd[0], out + got, max - got)) > 0)
		got += (size_t)n;
	return got;
}

START_TEST(valid_request)
{
	struct rpmem_msg in, out;

	make_create(&in);
	put(Buf, encode(&in));
	memset(&out, 0x55, sizeof(out));
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_MSG);
	ck_assert_uint_eq(out.type, RPMEM_MSG_CREATE);
	ck_assert_uint_eq(out.status, 0);
	ck_assert_uint_eq(out.u.pool.pool_size, 1 << 20);
	ck_assert_uint_eq(out.u.pool.nlanes, 4);
	ck_assert_uint_eq(out.u.pool.flags, RPMEM_REQ_HAS_ATTR);
	ck_assert_str_eq(out.u.pool.pool_desc, "sub/pool.set");
	ck_assert_str_eq(out.u.pool.rdma_addr, "192.168.1.7");
	ck_assert_mem_eq(&out.u.pool.attr, &in.u.pool.attr,
		sizeof(in.u.pool.attr));

	/* then the client leaves cleanly */
	close_writer();
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_EOF);
}
END_TEST

START_TEST(every_request_type)
{
	struct rpmem_msg in, out;

	make_create(&in);
	in.type = RPMEM_MSG_OPEN;
	in.u.pool.flags = 0;
	memset(&in.u.pool.attr, 0, sizeof(in.u.pool.attr));
	put(Buf, encode(&in));

	memset(&in, 0, sizeof(in));
	in.type = RPMEM_MSG_SET_ATTR;
	in.u.set_attr.flags = RPMEM_REQ_HAS_ATTR;
	in.u.set_attr.attr.major = 3;
	put(Buf, encode(&in));

	memset(&in, 0, sizeof(in));
	in.type = RPMEM_MSG_REMOVE;
	in.u.remove.flags = RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET;
	strcpy(in.u.remove.pool_desc, "r.set");
	put(Buf, encode(&in));

	memset(&in, 0, sizeof(in));
	in.type = RPMEM_MSG_CLOSE;
	in.u.close.flags = RPMEM_CLOSE_REMOVE;
	put(Buf, encode(&in));
	close_writer();

	/* back to back in one pipe: each read takes exactly its bytes */
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_MSG);
	ck_assert_uint_eq(out.type, RPMEM_MSG_OPEN);
	ck_assert_str_eq(out.u.pool.pool_desc, "sub/pool.set");
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_MSG);
	ck_assert_uint_eq(out.type, RPMEM_MSG_SET_ATTR);
	ck_assert_uint_eq(out.u.set_attr.attr.major, 3);
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_MSG);
	ck_assert_uint_eq(out.type, RPMEM_MSG_REMOVE);
	ck_assert_uint_eq(out.u.remove.flags,
		RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET);
	ck_assert_str_eq(out.u.remove.pool_desc, "r.set");
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_MSG);
	ck_assert_uint_eq(out.type, RPMEM_MSG_CLOSE);
	ck_assert_uint_eq(out.u.close.flags, RPMEM_CLOSE_REMOVE);
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_EOF);
}
END_TEST

START_TEST(dribbled)
{
	struct rpmem_msg in, out;
	size_t len;

	make_create(&in);
	len = encode(&in);

	/* the client writes a byte at a time: short reads are reassembled */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(Fd[0]);
		for (size_t i = 0; i < len; i++) {
			if (write(Fd[1], Buf + i, 1) != 1)
				_exit(1);
			if (i % 64 == 0)
				usleep(1000);
		}
		_exit(0);
	}
	close_writer();
	/* ... within the message's bound, which a slow writer stays inside */
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 5000, &out),
		RPMEMD_CTL_MSG);
	ck_assert_str_eq(out.u.pool.pool_desc, "sub/pool.set");
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_EOF);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* a client that stops mid-message: malformed after timeout_ms, not a hang */
START_TEST(stalled)
{
	struct rpmem_msg in, m;
	size_t len;

	make_create(&in);
	len = encode(&in);
	put(Buf, 5);
	memset(&m, 0x55, sizeof(m));
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 100, &m),
		RPMEMD_CTL_MALFORMED);
	ck_assert_uint_eq(m.type, 0);
	ck_assert_uint_eq(m.status, RPMEM_ST_PROTO);
	ck_assert_str_eq(m.text, "malformed control message: incomplete "
		"after 100 ms (timeout-ms)");

	/* a whole header and part of the body: the reply names its type */
	teardown();
	setup();
	put(Buf, len - 10);
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 100, &m),
		RPMEMD_CTL_MALFORMED);
	ck_assert_uint_eq(m.type, RPMEM_MSG_CREATE);
	ck_assert_str_eq(m.text, "malformed CREATE message: incomplete after "
		"100 ms (timeout-ms)");
}
END_TEST

/* stop_fd readable while a message waits for bytes: STOPPED, fd unread */
START_TEST(stopped)
{
	struct rpmem_msg m;
	int stop[2];
	uint8_t b = 0;

	ck_assert_int_eq(pipe(stop), 0);
	make_create(&m);
	put(Buf, encode(&m) / 2);
	ck_assert_int_eq(write(stop[1], "s", 1), 1);
	/* no deadline: only stop_fd can end it (else the test times out) */
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], stop[0], 0, &m),
		RPMEMD_CTL_STOPPED);
	ck_assert_int_eq(read(stop[0], &b, 1), 1);
	ck_assert_uint_eq(b, 's');
	close(stop[0]);
	close(stop[1]);
}
END_TEST

START_TEST(truncated_header)
{
	struct rpmem_msg in;

	make_create(&in);
	encode(&in);
	put(Buf, 10);
	close_writer();
	recv_malformed(0, RPMEM_ST_PROTO, "malformed control message: "
		"truncated header (10 of 16 bytes)");
}
END_TEST

START_TEST(truncated_body)
{
	struct rpmem_msg in;

	make_create(&in);
	size_t len = encode(&in);
	put(Buf, 100);
	close_writer();
	char expect[128];
	snprintf(expect, sizeof(expect), "malformed CREATE message: truncated "
		"body (84 of %zu bytes)", len - RPMEM_MSG_HDR_SIZE);
	recv_malformed(RPMEM_MSG_CREATE, RPMEM_ST_PROTO, expect);
}
END_TEST

START_TEST(bad_magic)
{
	struct rpmem_msg in;

	make_create(&in);
	size_t len = encode(&in);
	Buf[0] ^= 0xff;
	put(Buf, len);
	recv_malformed(0, RPMEM_ST_PROTO, "malformed control message: "
		"bad magic");
}
END_TEST

START_TEST(bad_version)
{
	struct rpmem_msg in;

	make_create(&in);
	size_t len = encode(&in);
	rpmem_put_le16(Buf + 4, RPMEM_PROTO_VERSION + 1);
	put(Buf, len);
	/* the reply can still be addressed to the request */
	recv_malformed(RPMEM_MSG_CREATE, RPMEM_ST_BADVERSION,
		"malformed CREATE message: unsupported protocol version");
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_BADVERSION),
		EPROTONOSUPPORT);
}
END_TEST

START_TEST(huge_size_not_read)
{
	struct rpmem_msg in;
	uint8_t rest[64];

	make_create(&in);
	encode(&in);
	rpmem_put_le32(Buf + 8, 0xffffffffu);
	put(Buf, RPMEM_MSG_HDR_SIZE);
	put("MORE", 4);
	/* the writer stays open: reading on would block this test */
	recv_malformed(RPMEM_MSG_CREATE, RPMEM_ST_PROTO,
		"malformed CREATE message: wrong message size for its type");
	close_writer();
	ck_assert_uint_eq(remaining(rest, sizeof(rest)), 4);
	ck_assert_mem_eq(rest, "MORE", 4);

	/* a size one byte off is just as wrong */
	close(Fd[0]);
	ck_assert_int_eq(pipe(Fd), 0);
	rpmem_put_le32(Buf + 8, (uint32_t)rpmem_msg_size(RPMEM_MSG_CLOSE) + 1);
	rpmem_put_le16(Buf + 6, RPMEM_MSG_CLOSE);
	put(Buf, RPMEM_MSG_HDR_SIZE);
	recv_malformed(RPMEM_MSG_CLOSE, RPMEM_ST_PROTO,
		"malformed CLOSE message: wrong message size for its type");
}
END_TEST

START_TEST(unknown_type)
{
	struct rpmem_msg in;

	make_create(&in);
	encode(&in);
	rpmem_put_le16(Buf + 6, 99);
	put(Buf, RPMEM_MSG_HDR_SIZE);
	recv_malformed(0, RPMEM_ST_PROTO, "malformed control message: "
		"unknown message type");

	rpmem_put_le16(Buf + 6, 0);
	put(Buf, RPMEM_MSG_HDR_SIZE);
	recv_malformed(0, RPMEM_ST_PROTO, "malformed control message: "
		"unknown message type");
}
END_TEST

START_TEST(response_from_client)
{
	struct rpmem_msg in;

	memset(&in, 0, sizeof(in));
	in.type = RPMEM_MSG_HELLO;
	put(Buf, encode(&in));
	recv_malformed(0, RPMEM_ST_PROTO, "malformed control message: "
		"HELLO is not a request");

	/* the body was left unread (the session ends): a fresh channel */
	teardown();
	setup();
	in.type = RPMEM_MSG_CLOSE_RESP;
	put(Buf, encode(&in));
	recv_malformed(0, RPMEM_ST_PROTO, "malformed control message: "
		"CLOSE_RESP is not a request");
}
END_TEST

START_TEST(bad_body)
{
	struct rpmem_msg in;

	make_create(&in);
	in.u.pool.nlanes = 0;
	put(Buf, encode(&in));
	recv_malformed(RPMEM_MSG_CREATE, RPMEM_ST_PROTO,
		"malformed CREATE message: zero lanes requested");

	make_create(&in);
	size_t len = encode(&in);
	/* pool_desc without its NUL */
	memset(Buf + RPMEM_MSG_HDR_SIZE + 16, 'a', RPMEM_POOL_DESC_MAX);
	put(Buf, len);
	recv_malformed(RPMEM_MSG_CREATE, RPMEM_ST_PROTO,
		"malformed CREATE message: unterminated pool descriptor");

	memset(&in, 0, sizeof(in));
	in.type = RPMEM_MSG_CLOSE;
	in.u.close.flags = 0x80;
	put(Buf, encode(&in));
	recv_malformed(RPMEM_MSG_CLOSE, RPMEM_ST_PROTO,
		"malformed CLOSE message: unknown flags");

	/* a request with a status */
	in.u.close.flags = 0;
	len = encode(&in);
	rpmem_put_le32(Buf + 12, 1);
	put(Buf, len);
	recv_malformed(RPMEM_MSG_CLOSE, RPMEM_ST_PROTO,
		"malformed CLOSE message: non-zero status in a request");
}
END_TEST

START_TEST(io_error)
{
	struct rpmem_msg m;

	close(Fd[0]);
	errno = 0;
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &m), RPMEMD_CTL_IOERR);
	ck_assert_int_eq(errno, EBADF);
	Fd[0] = -1;
}
END_TEST

START_TEST(send_and_reply)
{
	struct rpmem_msg m, got;
	uint8_t wire[RPMEM_MSG_MAX_SIZE];
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

	/* send: exactly the encoded bytes */
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_OPEN_RESP;
	m.status = RPMEM_ST_OK;
	m.u.pool_resp.raddr = 0x7f0000001000ull;
	m.u.pool_resp.pool_size = 1 << 20;
	m.u.pool_resp.rkey = 0x1234;
	m.u.pool_resp.nlanes = 2;
	m.u.pool_resp.hdr_size = RPMEM_POOL_HDR_SIZE;
	m.u.pool_resp.port = 7777;
	m.u.pool_resp.persist_method = RPMEM_PM_GPSPM;
	strcpy(m.u.pool_resp.pm_reason, "pool is not on persistent memory");
	strcpy(m.u.pool_resp.device, "rxe0");
	size_t len = encode(&m);
	ck_assert_int_eq(rpmemd_ctl_send(sv[0], &m), 0);
	ck_assert_int_eq(read(sv[1], wire, sizeof(wire)), (ssize_t)len);
	ck_assert_mem_eq(wire, Buf, len);

	/* reply: a bodyless response addressed to the request */
	ck_assert_int_eq(rpmemd_ctl_reply(sv[0], RPMEM_MSG_CREATE,
		RPMEM_ST_BUSY, "pool set 'x': part '/p/a' is in use"), 0);
	len = rpmem_msg_size(RPMEM_MSG_CREATE_RESP);
	ck_assert_int_eq(read(sv[1], wire, sizeof(wire)), (ssize_t)len);
	ck_assert_uint_eq(rpmem_msg_decode(wire, len, &got, NULL),
		RPMEM_ST_OK);
	ck_assert_uint_eq(got.type, RPMEM_MSG_CREATE_RESP);
	ck_assert_uint_eq(got.status, RPMEM_ST_BUSY);
	ck_assert_str_eq(got.text, "pool set 'x': part '/p/a' is in use");

	/* an unknown request: "the daemon ends the session" */
	ck_assert_int_eq(rpmemd_ctl_reply(sv[0], 0, RPMEM_ST_PROTO, NULL), 0);
	len = rpmem_msg_size(RPMEM_MSG_CLOSE_RESP);
	ck_assert_int_eq(read(sv[1], wire, sizeof(wire)), (ssize_t)len);
	ck_assert_uint_eq(rpmem_msg_decode(wire, len, &got, NULL),
		RPMEM_ST_OK);
	ck_assert_uint_eq(got.type, RPMEM_MSG_CLOSE_RESP);
	ck_assert_uint_eq(got.status, RPMEM_ST_PROTO);
	ck_assert_str_eq(got.text, rpmem_status_str(RPMEM_ST_PROTO));

	/* a text longer than the wire field is cut, still terminated */
	char longtext[RPMEM_MSG_TEXT_MAX * 2];
	memset(longtext, 't', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	ck_assert_int_eq(rpmemd_ctl_reply(sv[0], RPMEM_MSG_SET_ATTR,
		RPMEM_ST_POOL_CFG, longtext), 0);
	len = rpmem_msg_size(RPMEM_MSG_SET_ATTR_RESP);
	ck_assert_int_eq(read(sv[1], wire, sizeof(wire)), (ssize_t)len);
	ck_assert_uint_eq(rpmem_msg_decode(wire, len, &got, NULL),
		RPMEM_ST_OK);
	ck_assert_uint_eq(strlen(got.text), RPMEM_MSG_TEXT_MAX - 1);

	/* an unencodable message is refused, nothing written */
	memset(&m, 0, sizeof(m));
	m.type = 0;
	errno = 0;
	ck_assert_int_eq(rpmemd_ctl_send(sv[0], &m), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* a vanished peer is EPIPE (SIGPIPE ignored), not death */
	close(sv[1]);
	errno = 0;
	ck_assert_int_eq(rpmemd_ctl_reply(sv[0], RPMEM_MSG_CLOSE,
		RPMEM_ST_OK, ""), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(sv[0]);
}
END_TEST

START_TEST(resp_types)
{
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_CREATE),
		RPMEM_MSG_CREATE_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_OPEN),
		RPMEM_MSG_OPEN_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_SET_ATTR),
		RPMEM_MSG_SET_ATTR_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_CLOSE),
		RPMEM_MSG_CLOSE_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_REMOVE),
		RPMEM_MSG_REMOVE_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(0), RPMEM_MSG_CLOSE_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_HELLO),
		RPMEM_MSG_CLOSE_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(RPMEM_MSG_OPEN_RESP),
		RPMEM_MSG_CLOSE_RESP);
	ck_assert_uint_eq(rpmemd_ctl_resp_type(999), RPMEM_MSG_CLOSE_RESP);
}
END_TEST

START_TEST(create_zero_attr)
{
	struct rpmem_msg in, out;

	/* given attributes may be all zero: the flag stays, no PROTO */
	make_create(&in);
	memset(&in.u.pool.attr, 0, sizeof(in.u.pool.attr));
	put(Buf, encode(&in));
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &out), RPMEMD_CTL_MSG);
	ck_assert_uint_eq(out.u.pool.flags, RPMEM_REQ_HAS_ATTR);
	ck_assert_int_eq(rpmem_attr_is_zero(&out.u.pool.attr), 1);

	/* attributes without the flag are malformed */
	make_create(&in);
	in.u.pool.flags = 0;
	put(Buf, encode(&in));
	recv_malformed(RPMEM_MSG_CREATE, RPMEM_ST_PROTO,
		"malformed CREATE message: attributes without the attribute "
		"flag");
}
END_TEST

#define NO_POOL_TEXT "is not allowed before a pool is open (send CREATE " \
	"or OPEN first)"
#define POOL_OPEN_TEXT "is not allowed while a pool is open in this " \
	"session (one pool per session; CLOSE it first)"

START_TEST(state_table)
{
	static const struct {
		uint16_t type;
		int pool_open;
		uint32_t status;
		const char *text;
	} cases[] = {
		{RPMEM_MSG_CREATE, 0, RPMEM_ST_OK, ""},
		{RPMEM_MSG_OPEN, 0, RPMEM_ST_OK, ""},
		{RPMEM_MSG_REMOVE, 0, RPMEM_ST_OK, ""},
		{RPMEM_MSG_SET_ATTR, 0, RPMEM_ST_PROTO,
			"SET_ATTR " NO_POOL_TEXT},
		{RPMEM_MSG_CLOSE, 0, RPMEM_ST_PROTO, "CLOSE " NO_POOL_TEXT},
		{RPMEM_MSG_SET_ATTR, 1, RPMEM_ST_OK, ""},
		{RPMEM_MSG_CLOSE, 1, RPMEM_ST_OK, ""},
		{RPMEM_MSG_CREATE, 1, RPMEM_ST_PROTO, "CREATE " POOL_OPEN_TEXT},
		{RPMEM_MSG_OPEN, 1, RPMEM_ST_PROTO, "OPEN " POOL_OPEN_TEXT},
		{RPMEM_MSG_REMOVE, 1, RPMEM_ST_PROTO, "REMOVE " POOL_OPEN_TEXT},
		/* not requests: a caller's bug, refused in either state */
		{RPMEM_MSG_HELLO, 0, RPMEM_ST_PROTO,
			"HELLO is not allowed at all: it is not a request"},
		{RPMEM_MSG_CLOSE_RESP, 1, RPMEM_ST_PROTO, "CLOSE_RESP is not "
			"allowed at all: it is not a request"},
	};
	char text[RPMEM_MSG_TEXT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(text, 0, sizeof(text));
		ck_assert_msg(rpmemd_ctl_state_check(cases[i].type,
			cases[i].pool_open, text, sizeof(text)) ==
			cases[i].status, "case %zu", i);
		ck_assert_str_eq(text, cases[i].text);
		/* the client sees EPROTO for every one of them */
		if (cases[i].status != RPMEM_ST_OK)
			ck_assert_int_eq(rpmem_status_to_errno(
				cases[i].status), EPROTO);
	}
	/* a short buffer is cut, terminated; none at all is fine */
	char small[8];
	ck_assert_uint_eq(rpmemd_ctl_state_check(RPMEM_MSG_CLOSE, 0, small,
		sizeof(small)), RPMEM_ST_PROTO);
	ck_assert_str_eq(small, "CLOSE i");
	ck_assert_uint_eq(rpmemd_ctl_state_check(RPMEM_MSG_CLOSE, 0, NULL, 0),
		RPMEM_ST_PROTO);
}
END_TEST

/* ---------------------------------------------------------------------
 * the built rpmemd, spoken to over pipes as ssh would
 */
static char Tmp[64];

/*
 * daemon_start -- run <build>/rpmemd/rpmemd (next to this test's
 * directory) with config text conf_text (NULL: empty), poolset-dir Tmp, a
 * log file; *in is its stdin, *out its stdout
 */
static pid_t
daemon_start(const char *conf_text, int *in, int *out)
{
	char self[PATH_MAX], bin[PATH_MAX + 32], conf[96], log[96];
	int to[2], from[2];

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	snprintf(bin, sizeof(bin), "%s/../rpmemd/rpmemd", dirname(self));
	ck_assert_msg(access(bin, X_OK) == 0, "rpmemd not built at %s", bin);

	strcpy(Tmp, "/tmp/rpmemd-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(Tmp));
	snprintf(conf, sizeof(conf), "%s/empty.conf", Tmp);
	snprintf(log, sizeof(log), "%s/rpmemd.log", Tmp);
	int fd = open(conf, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	if (conf_text != NULL)
		ck_assert_int_eq(write(fd, conf_text, strlen(conf_text)),
			(ssize_t)strlen(conf_text));
	close(fd);

	ck_assert_int_eq(pipe(to), 0);
	ck_assert_int_eq(pipe(from), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		unsetenv("SSH_CONNECTION");
		execl(bin, "rpmemd", "-c", conf, "--poolset-dir", Tmp,
			"--log-file", log, "--log-level", "info", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	*in = to[1];
	*out = from[0];
	return pid;
}

/* daemon_recv -- read one message from the daemon, of type expect */
static void
daemon_recv(int fd, uint16_t expect, struct rpmem_msg *m)
{
	uint8_t b[RPMEM_MSG_MAX_SIZE];
	size_t got = 0;
	uint16_t type;
	uint32_t size;

	while (got < RPMEM_MSG_HDR_SIZE) {
		ssize_t r = read(fd, b + got, RPMEM_MSG_HDR_SIZE - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	ck_assert_uint_eq(rpmem_msg_hdr_check(b, &type, &size, NULL),
		RPMEM_ST_OK);
	ck_assert_uint_eq(type, expect);
	while (got < size) {
		ssize_t r = read(fd, b + got, size - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	ck_assert_uint_eq(rpmem_msg_decode(b, size, m, NULL), RPMEM_ST_OK);
}

/* daemon_ask -- send req, expect its response with status and text */
static void
daemon_ask(int in, int out, const struct rpmem_msg *req, uint32_t status,
		const char *text)
{
	struct rpmem_msg r;
	uint8_t b[RPMEM_MSG_MAX_SIZE];
	size_t len = rpmem_msg_encode(req, b, sizeof(b));

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(write(in, b, len), (ssize_t)len);
	daemon_recv(out, (uint16_t)(req->type + 1), &r);
	ck_assert_uint_eq(r.status, status);
	ck_assert_str_eq(r.text, text);
}

START_TEST(daemon_wrong_state)
{
	struct rpmem_msg m;
	int in, out, status;

	pid_t pid = daemon_start(NULL, &in, &out);
	daemon_recv(out, RPMEM_MSG_HELLO, &m);
	ck_assert_uint_eq(m.status, RPMEM_ST_OK);

	/* before a pool is open: SET_ATTR and CLOSE, each refused */
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_SET_ATTR;
	daemon_ask(in, out, &m, RPMEM_ST_PROTO, "SET_ATTR " NO_POOL_TEXT);
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_CLOSE;
	daemon_ask(in, out, &m, RPMEM_ST_PROTO, "CLOSE " NO_POOL_TEXT);
	m.u.close.flags = RPMEM_CLOSE_REMOVE;
	daemon_ask(in, out, &m, RPMEM_ST_PROTO, "CLOSE " NO_POOL_TEXT);

	/*
	 * the session went on as it was: a CREATE (zero attributes, given)
	 * is served -- here it fails, no such set -- and after a failed
	 * CREATE an OPEN is in its place too
	 */
	make_create(&m);
	strcpy(m.u.pool.pool_desc, "nope.set");
	strcpy(m.u.pool.rdma_addr, "127.0.0.1");
	memset(&m.u.pool.attr, 0, sizeof(m.u.pool.attr));
	daemon_ask(in, out, &m, RPMEM_ST_NOEXIST,
		"pool set 'nope.set' does not exist");
	m.type = RPMEM_MSG_OPEN;
	m.u.pool.flags = 0;
	daemon_ask(in, out, &m, RPMEM_ST_NOEXIST,
		"pool set 'nope.set' does not exist");
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_SET_ATTR;
	daemon_ask(in, out, &m, RPMEM_ST_PROTO, "SET_ATTR " NO_POOL_TEXT);

	/* REMOVE ends the session, normally */
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_REMOVE;
	strcpy(m.u.remove.pool_desc, "nope.set");
	daemon_ask(in, out, &m, RPMEM_ST_NOEXIST,
		"pool set 'nope.set' does not exist");
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	close(in);
	close(out);
	unit_rm_tree(Tmp);
}
END_TEST

/*
 * a client that stops in the middle of a message: the daemon still obeys
 * SIGTERM, and on its own ends the session after timeout-ms
 */
START_TEST(daemon_stalled)
{
	struct rpmem_msg m;
	uint8_t b[RPMEM_MSG_MAX_SIZE];
	int in, out, status;

	pid_t pid = daemon_start(NULL, &in, &out);
	daemon_recv(out, RPMEM_MSG_HELLO, &m);
	make_create(&m);
	ck_assert_uint_gt(rpmem_msg_encode(&m, b, sizeof(b)), 5);
	ck_assert_int_eq(write(in, b, 5), 5);
	usleep(100 * 1000);	/* rpmemd is inside the message now */
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 128 + SIGTERM);
	close(in);
	close(out);
	unit_rm_tree(Tmp);

	pid = daemon_start("timeout-ms = 200\n", &in, &out);
	daemon_recv(out, RPMEM_MSG_HELLO, &m);
	make_create(&m);
	size_t len = rpmem_msg_encode(&m, b, sizeof(b));
	ck_assert_int_eq(write(in, b, len - 1), (ssize_t)(len - 1));
	/* the answer comes without the last byte, and the session ends */
	daemon_recv(out, RPMEM_MSG_CREATE_RESP, &m);
	ck_assert_uint_eq(m.status, RPMEM_ST_PROTO);
	ck_assert_str_eq(m.text, "malformed CREATE message: incomplete after "
		"200 ms (timeout-ms)");
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	close(in);
	close(out);
	unit_rm_tree(Tmp);
}
END_TEST

/* ctl_suite -- all control-server tests */
static Suite *
ctl_suite(void)
{
	Suite *s = suite_create("ctl_server");
	TCase *tc = tcase_create("ctl_server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);	/* a wrong extra read blocks */
	tcase_add_test(tc, valid_request);
	tcase_add_test(tc, every_request_type);
	tcase_add_test(tc, dribbled);
	tcase_add_test(tc, stalled);
	tcase_add_test(tc, stopped);
	tcase_add_test(tc, truncated_header);
	tcase_add_test(tc, truncated_body);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_version);
	tcase_add_test(tc, huge_size_not_read);
	tcase_add_test(tc, unknown_type);
	tcase_add_test(tc, response_from_client);
	tcase_add_test(tc, bad_body);
	tcase_add_test(tc, io_error);
	tcase_add_test(tc, send_and_reply);
	tcase_add_test(tc, resp_types);
	tcase_add_test(tc, create_zero_attr);
	tcase_add_test(tc, state_table);
	tcase_add_test(tc, daemon_wrong_state);
	tcase_add_test(tc, daemon_stalled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ctl_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
