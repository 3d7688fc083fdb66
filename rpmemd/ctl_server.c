/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_server.c -- the daemon side of the control protocol on plain fds
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_server.h"
#include "fault_inject.h"
#include "rpmem_os.h"

/* what bounds one message's read (rpmemd_ctl_recv's stop_fd, timeout_ms) */
struct ctl_bound {
	int stop_fd;		/* readable: stop (-1: none) */
	unsigned timeout_ms;	/* for the whole message (0: none) */
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC */
};

/*
 * ctl_wait -- until fd is readable: 0; -1 with errno ECANCELED when
 * b->stop_fd is readable first, ETIMEDOUT past the deadline.  A peer that
 * stops in the middle of a message must keep the daemon neither from its
 * signals nor from ending the session.
 */
static int
ctl_wait(int fd, const struct ctl_bound *b)
{
	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = fd, .events = POLLIN},
			{.fd = b->stop_fd, .events = POLLIN},
		};
		int ms = -1;

		if (b->timeout_ms) {
			uint64_t now = rpmem_now_ns();

			if (now >= b->deadline_ns) {
				errno = ETIMEDOUT;
				return -1;
			}
			/* rounded up: never a busy loop of 0 ms polls */
			ms = (int)((b->deadline_ns - now + 999999) / 1000000);
		}
		int n = poll(pfd, b->stop_fd >= 0 ? 2 : 1, ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (b->stop_fd >= 0 && (pfd[1].revents & POLLIN)) {
			errno = ECANCELED;
			return -1;
		}
		if (pfd[0].revents)
			return 0;	/* data, EOF or an error: read says */
	}
}

/*
 * ctl_read_full -- read exactly len bytes; returns the number read (less
 * than len only at end of input), or -1 with errno (ctl_wait's too)
 */
static ssize_t
ctl_read_full(int fd, uint8_t *buf, size_t len, const struct ctl_bound *b)
{
	size_t got = 0;

	while (got < len) {
		if (ctl_wait(fd, b))
			return -1;
		ssize_t n = RPMEM_FI("read", EIO) ? -1 :
			read(fd, buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* ctl_malformed -- fill m for the caller's error reply */
static int
ctl_malformed(struct rpmem_msg *m, uint16_t req_type, uint32_t status,
		const char *why)
{
	memset(m, 0, sizeof(*m));
	m->type = req_type;
	m->status = status;
	snprintf(m->text, sizeof(m->text), "malformed %s message: %s",
		req_type ? rpmem_msg_type_str(req_type) : "control", why);
	return RPMEMD_CTL_MALFORMED;
}

/*
 * ctl_hdr_type -- the request type a header names, 0 when the header is
 * not ours or the type is not a request (used only to address the reply)
 */
static uint16_t
ctl_hdr_type(const uint8_t *hdr)
{
	if (rpmem_get_le32(hdr) != RPMEM_PROTO_MAGIC)
		return 0;
	uint16_t type = rpmem_get_le16(hdr + 6);
	if (rpmem_msg_size(type) == 0 || rpmem_msg_is_response(type))
		return 0;
	return type;
}

/* ctl_read_failed -- what a failed read of one message is */
static int
ctl_read_failed(struct rpmem_msg *m, uint16_t type,
		const struct ctl_bound *b)
{
	char reason[96];

	if (errno == ECANCELED)
		return RPMEMD_CTL_STOPPED;
	if (errno != ETIMEDOUT)
		return RPMEMD_CTL_IOERR;
	snprintf(reason, sizeof(reason), "incomplete after %u ms "
		"(timeout-ms)", b->timeout_ms);
	return ctl_malformed(m, type, RPMEM_ST_PROTO, reason);
}

/* rpmemd_ctl_recv -- read and validate one request */
int
rpmemd_ctl_recv(int fd, int stop_fd, unsigned timeout_ms,
		struct rpmem_msg *m)
{
	const struct ctl_bound b = {
		.stop_fd = stop_fd,
		.timeout_ms = timeout_ms,
		.deadline_ns = rpmem_now_ns() + timeout_ms * 1000000ull,
	};
	/* fixed: hdr_check bounds the size before we read the body */
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	const char *why = "invalid message";
	char reason[96];
	uint16_t type = 0;
	uint32_t size = 0;

	ssize_t n = ctl_read_full(fd, buf, RPMEM_MSG_HDR_SIZE, &b);
	if (n < 0)
		return ctl_read_failed(m, 0, &b);
	if (n == 0)
		return RPMEMD_CTL_EOF;
	if (n < RPMEM_MSG_HDR_SIZE) {
		snprintf(reason, sizeof(reason), "truncated header (%zd of "
			"%d bytes)", n, RPMEM_MSG_HDR_SIZE);
		return ctl_malformed(m, 0, RPMEM_ST_PROTO, reason);
	}

	uint32_t st = rpmem_msg_hdr_check(buf, &type, &size, &why);
	if (st != RPMEM_ST_OK)
		return ctl_malformed(m, ctl_hdr_type(buf), st, why);
	if (rpmem_msg_is_response(type)) {
		snprintf(reason, sizeof(reason), "%s is not a request",
			rpmem_msg_type_str(type));
		return ctl_malformed(m, 0, RPMEM_ST_PROTO, reason);
	}
	/* hdr_check promises this; a wrong promise must not overflow buf */
	if (size < RPMEM_MSG_HDR_SIZE || size > sizeof(buf))
		return ctl_malformed(m, type, RPMEM_ST_PROTO, "bad size");

	size_t body = size - RPMEM_MSG_HDR_SIZE;
	n = ctl_read_full(fd, buf + RPMEM_MSG_HDR_SIZE, body, &b);
	if (n < 0)
		return ctl_read_failed(m, type, &b);
	if ((size_t)n < body) {
		snprintf(reason, sizeof(reason), "truncated body (%zd of %zu "
			"bytes)", n, body);
		return ctl_malformed(m, type, RPMEM_ST_PROTO, reason);
	}

	st = rpmem_msg_decode(buf, size, m, &why);
	if (st != RPMEM_ST_OK)
		return ctl_malformed(m, type, st, why);
	return RPMEMD_CTL_MSG;
}

/* rpmemd_ctl_send -- encode and write a whole message */
int
rpmemd_ctl_send(int fd, const struct rpmem_msg *m)
{
	uint8_t buf[RPMEM_MSG_MAX_SIZE];

	size_t len = rpmem_msg_encode(m, buf, sizeof(buf));
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}

	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = RPMEM_FI("write", EIO) ? -1 : write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* rpmemd_ctl_resp_type -- the response type answering req_type */
uint16_t
rpmemd_ctl_resp_type(uint16_t req_type)
{
	if (req_type == 0 || rpmem_msg_size(req_type) == 0 ||
	    rpmem_msg_is_response(req_type))
		return RPMEM_MSG_CLOSE_RESP;
	return (uint16_t)(req_type + 1);
}

/* rpmemd_ctl_reply -- a response to req_type with status and text only */
int
rpmemd_ctl_reply(int fd, uint16_t req_type, uint32_t status,
		const char *text)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = rpmemd_ctl_resp_type(req_type);
	m.status = status;
	snprintf(m.text, sizeof(m.text), "%s",
		text != NULL ? text : rpmem_status_str(status));
	return rpmemd_ctl_send(fd, &m);
}

/* rpmemd_ctl_state_check -- is the request in its place in the session */
uint32_t
rpmemd_ctl_state_check(uint16_t type, int pool_open, char *text,
		size_t textlen)
{
	const char *why;

	switch (type) {
	case RPMEM_MSG_SET_ATTR:
	case RPMEM_MSG_CLOSE:
		if (pool_open)
			return RPMEM_ST_OK;
		why = "before a pool is open (send CREATE or OPEN first)";
		break;
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
	case RPMEM_MSG_REMOVE:
		if (!pool_open)
			return RPMEM_ST_OK;
		why = "while a pool is open in this session (one pool per "
			"session; CLOSE it first)";
		break;
	default:
		/* ctl_recv lets only requests through: a caller's bug */
		why = "at all: it is not a request";
		break;
	}
	if (textlen > 0)
		snprintf(text, textlen, "%s is not allowed %s",
			rpmem_msg_type_str(type), why);
	return RPMEM_ST_PROTO;
}
