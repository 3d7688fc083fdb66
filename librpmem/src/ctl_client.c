/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_client.c -- the control-protocol client over ssh
 *
 * Strictly request/response: nothing else reads the ssh stdout, so no
 * monitor can race a response (classic pmem/issues#346).
 *
 * The HELLO's daemon_version (the daemon's librpmem API version, major <<
 * 16 | minor) must have our major: a new major is what an incompatible
 * daemon would announce.  Any minor of it is accepted, older or newer:
 * the wire format has its own version, RPMEM_PROTO_VERSION, bumped for
 * any new field or size (docs/protocol.md), which every header carries and
 * rpmem_msg_hdr_check() has already compared exactly; all a 1.2 client
 * sends (SET_ATTR, REMOVE, GPSPM DEEP_PERSIST) is in protocol version 1,
 * which every 1.x daemon of this project speaks, 1.0 and 1.1 included.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "env.h"
#include "error.h"
#include "fault_inject.h"
#include "rpmem_os.h"
#include "ssh.h"

struct rpmem_ctl {
	struct rpmem_ssh *ssh;
	int timeout_ms;
	bool broken;		/* the stream may be out of step */
	struct rpmem_resp_hello hello;
	char host[RPMEM_TARGET_HOST_MAX + 1];
};

/* rpmem_env_timeout_ms -- RPMEM_TIMEOUT_MS or def */
int
rpmem_env_timeout_ms(int def)
{
	const char *v = getenv("RPMEM_TIMEOUT_MS");
	char *end;
	long ms;

	if (v == NULL || v[0] == '\0')
		return def;
	errno = 0;
	ms = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || v[0] < '0' || v[0] > '9' ||
	    ms <= 0 || ms > INT_MAX) {
		rpmem_warn("ignoring invalid RPMEM_TIMEOUT_MS='%.32s' (not a "
			"positive number of milliseconds), using %d", v, def);
		return def;
	}
	return (int)ms;
}

/* append_stderr -- add ": rpmemd: <remote stderr>" when there is any */
static void
append_stderr(struct rpmem_ctl *ctl)
{
	char text[RPMEM_ERRMSG_MAX / 2];
	int err = errno;

	if (rpmem_ssh_stderr(ctl->ssh, text, sizeof(text)) > 0) {
		/* the daemon usually prefixes its lines itself */
		if (strncmp(text, "rpmemd", 6) == 0)
			rpmem_err_append("%s", text);
		else
			rpmem_err_append("rpmemd: %s", text);
	}
	errno = err;
}

/* broken -- mark the stream unusable and keep errno */
static int
broken(struct rpmem_ctl *ctl, int err)
{
	ctl->broken = true;
	errno = err;
	return -1;
}

/*
 * ctl_recv -- read one message of type expect: the response to req, or
 * the HELLO when req is 0; on success *m holds it decoded, its status not
 * yet looked at
 */
static int
ctl_recv(struct rpmem_ctl *ctl, uint16_t expect, uint16_t req,
		struct rpmem_msg *m)
{
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	char what[32];
	const char *why = "";
	uint32_t size;
	uint32_t st;
	uint16_t type;
	/* one bound for the whole message, header and body */
	uint64_t deadline = rpmem_now_ns() +
		(uint64_t)ctl->timeout_ms * 1000000ull;

	if (req != 0)
		snprintf(what, sizeof(what), "response to %s",
			rpmem_msg_type_str(req));
	else
		snprintf(what, sizeof(what), "HELLO");

	if (rpmem_ssh_recv(ctl->ssh, buf, RPMEM_MSG_HDR_SIZE,
			ctl->timeout_ms)) {
		int err = errno;

		if (err == ETIMEDOUT) {
			rpmem_err_set("no %s from rpmemd on %s within %d ms",
				what, ctl->host, ctl->timeout_ms);
		} else if (err == ECONNRESET) {
			rpmem_err_set("connection to rpmemd on %s closed "
				"before the %s", ctl->host, what);
			append_stderr(ctl);
		} else {
			rpmem_err_append("waiting for the %s", what);
		}
		return broken(ctl, err);
	}

	st = rpmem_msg_hdr_check(buf, &type, &size, &why);
	if (st != RPMEM_ST_OK) {
		rpmem_err_set("invalid %s from rpmemd on %s: %s", what,
			ctl->host, why);
		return broken(ctl, rpmem_status_to_errno(st));
	}
	if (type != expect) {
		if (req != 0)
			rpmem_err_set("unexpected response type %s to %s "
				"from rpmemd on %s", rpmem_msg_type_str(type),
				rpmem_msg_type_str(req), ctl->host);
		else
			rpmem_err_set("unexpected message type %s instead of "
				"HELLO from rpmemd on %s",
				rpmem_msg_type_str(type), ctl->host);
		return broken(ctl, EPROTO);
	}

	/* hdr_check bounds size by the type's size <= RPMEM_MSG_MAX_SIZE */
	uint64_t now = rpmem_now_ns();
	int left_ms = ctl->timeout_ms < 0 ? -1 : now >= deadline ? 0 :
		(int)((deadline - now + 999999) / 1000000);
	if (rpmem_ssh_recv(ctl->ssh, buf + RPMEM_MSG_HDR_SIZE,
			size - RPMEM_MSG_HDR_SIZE, left_ms)) {
		int err = errno;

		if (err == ECONNRESET) {
			/* end of file inside a message: a protocol error */
			rpmem_err_set("truncated %s from rpmemd on %s", what,
				ctl->host);
			append_stderr(ctl);
			return broken(ctl, EPROTO);
		}
		if (err == ETIMEDOUT)
			rpmem_err_set("incomplete %s from rpmemd on %s "
				"within %d ms", what, ctl->host,
				ctl->timeout_ms);
		return broken(ctl, err);
	}

	st = rpmem_msg_decode(buf, size, m, &why);
	/* a CREATE/OPEN response carries the session secret */
	explicit_bzero(buf, size);
	if (st != RPMEM_ST_OK) {
		rpmem_err_set("invalid %s from rpmemd on %s: %s", what,
			ctl->host, why);
		return broken(ctl, rpmem_status_to_errno(st));
	}
	return 0;
}

/* status_err -- a refused request: errno from the table, daemon's text */
static int
status_err(const struct rpmem_msg *m, const char *what)
{
	rpmem_err_set("%s failed: %s", what,
		m->text[0] != '\0' ? m->text : rpmem_status_str(m->status));
	errno = rpmem_status_to_errno(m->status);
	return -1;
}

/* ctl_request -- send req, read its response into *resp (status OK) */
static int
ctl_request(struct rpmem_ctl *ctl, const struct rpmem_msg *req,
		struct rpmem_msg *resp)
{
	const char *what = rpmem_msg_type_str(req->type);
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	size_t len;

	if (ctl->broken) {
		rpmem_err_set("%s: the connection to rpmemd on %s is unusable "
			"after an earlier error", what, ctl->host);
		errno = ENOTCONN;
		return -1;
	}
	len = rpmem_msg_encode(req, buf, sizeof(buf));
	if (len == 0) {
		rpmem_err_set("%s: invalid request (unterminated string?)",
			what);
		errno = EINVAL;
		return -1;
	}
	if (rpmem_ssh_send(ctl->ssh, buf, len)) {
		int err = errno;

		if (err == ECONNRESET) {
			rpmem_err_set("cannot send %s to rpmemd on %s: "
				"connection lost", what, ctl->host);
			append_stderr(ctl);
		} else {
			RPMEM_ERR_ERRNO(err, "cannot send %s to rpmemd on %s",
				what, ctl->host);
		}
		return broken(ctl, err);
	}
	if (ctl_recv(ctl, (uint16_t)(req->type + 1), req->type, resp))
		return -1;
	if (resp->status != RPMEM_ST_OK)
		return status_err(resp, what);
	return 0;
}

/*
 * check_daemon_version -- the HELLO's daemon_version has our major (see
 * the top of this file for why any minor will do)
 */
static int
check_daemon_version(struct rpmem_ctl *ctl, uint32_t v)
{
	if ((v >> 16) == RPMEM_MAJOR_VERSION)
		return 0;
	rpmem_err_set("rpmemd on %s is version %u.%u, this librpmem %u.%u: "
		"their major versions differ, so they cannot talk", ctl->host,
		v >> 16, v & 0xffff, RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION);
	return broken(ctl, EPROTONOSUPPORT);
}

/* rpmem_ctl_new -- start ssh to t and read rpmemd's HELLO */
int
rpmem_ctl_new(const struct rpmem_target *t, struct rpmem_ctl **ctlp)
{
	struct rpmem_ctl *ctl;
	struct rpmem_msg m;
	int err;

	if (t == NULL || ctlp == NULL) {
		rpmem_err_set("rpmem_ctl_new: no target");
		errno = EINVAL;
		return -1;
	}
	ctl = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*ctl));

	if (ctl == NULL) {
		RPMEM_ERR_ERRNO(errno, "cannot allocate the control session");
		return -1;
	}
	snprintf(ctl->host, sizeof(ctl->host), "%s", t->host);
	ctl->timeout_ms = rpmem_env_timeout_ms(RPMEM_CTL_TIMEOUT_MS_DEFAULT);

	if (rpmem_ssh_open(t, &ctl->ssh))
		goto err_free;

	if (ctl_recv(ctl, RPMEM_MSG_HELLO, 0, &m))
		goto err_ssh_close;
	if (m.status != RPMEM_ST_OK) {
		rpmem_err_set("rpmemd on %s refused the session: %s",
			ctl->host, m.text[0] != '\0' ? m.text :
			rpmem_status_str(m.status));
		append_stderr(ctl);
		errno = rpmem_status_to_errno(m.status);
		goto err_ssh_close;
	}
	if (check_daemon_version(ctl, m.u.hello.daemon_version))
		goto err_ssh_close;
	ctl->hello = m.u.hello;
	*ctlp = ctl;
	return 0;

err_ssh_close:
	err = errno;
	rpmem_ssh_close(ctl->ssh, NULL);
	errno = err;
err_free:
	free(ctl);
	return -1;
}

/* rpmem_ctl_hello -- the HELLO the daemon sent */
const struct rpmem_resp_hello *
rpmem_ctl_hello(const struct rpmem_ctl *ctl)
{
	return &ctl->hello;
}

/* ctl_pool -- CREATE or OPEN */
static int
ctl_pool(struct rpmem_ctl *ctl, uint16_t type,
		const struct rpmem_req_pool *req, struct rpmem_resp_pool *resp)
{
	struct rpmem_msg m, r;

	if (ctl == NULL || req == NULL || resp == NULL) {
		rpmem_err_set("%s: missing argument",
			rpmem_msg_type_str(type));
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.pool = *req;
	int ret = ctl_request(ctl, &m, &r);
	if (ret == 0)
		*resp = r.u.pool_resp;
	explicit_bzero(&r, sizeof(r));	/* the secret: one copy, the caller's */
	return ret;
}

/* rpmem_ctl_create -- CREATE */
int
rpmem_ctl_create(struct rpmem_ctl *ctl, const struct rpmem_req_pool *req,
		struct rpmem_resp_pool *resp)
{
	return ctl_pool(ctl, RPMEM_MSG_CREATE, req, resp);
}

/* rpmem_ctl_open -- OPEN */
int
rpmem_ctl_open(struct rpmem_ctl *ctl, const struct rpmem_req_pool *req,
		struct rpmem_resp_pool *resp)
{
	return ctl_pool(ctl, RPMEM_MSG_OPEN, req, resp);
}

/* rpmem_ctl_set_attr -- SET_ATTR */
int
rpmem_ctl_set_attr(struct rpmem_ctl *ctl, const struct rpmem_pool_attr *attr)
{
	struct rpmem_msg m, r;

	if (ctl == NULL) {
		rpmem_err_set("SET_ATTR: no session");
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_SET_ATTR;
	if (!rpmem_attr_is_zero(attr)) {
		m.u.set_attr.flags = RPMEM_REQ_HAS_ATTR;
		m.u.set_attr.attr = *attr;
	}
	return ctl_request(ctl, &m, &r);
}

/* rpmem_ctl_close -- CLOSE */
int
rpmem_ctl_close(struct rpmem_ctl *ctl, uint32_t flags)
{
	struct rpmem_msg m, r;

	if (ctl == NULL) {
		rpmem_err_set("CLOSE: no session");
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_CLOSE;
	m.u.close.flags = flags;
	return ctl_request(ctl, &m, &r);
}

/* rpmem_ctl_remove -- REMOVE */
int
rpmem_ctl_remove(struct rpmem_ctl *ctl, const char *pool_desc,
		uint32_t flags)
{
	struct rpmem_msg m, r;

	if (ctl == NULL || pool_desc == NULL ||
	    strnlen(pool_desc, RPMEM_POOL_DESC_MAX) == RPMEM_POOL_DESC_MAX) {
		rpmem_err_set("REMOVE: missing or too long pool set name");
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_REMOVE;
	m.u.remove.flags = flags;
	memcpy(m.u.remove.pool_desc, pool_desc, strlen(pool_desc));
	return ctl_request(ctl, &m, &r);
}

/* rpmem_ctl_delete -- end the session, reap ssh, free */
void
rpmem_ctl_delete(struct rpmem_ctl **ctlp)
{
	int err = errno;

	if (ctlp == NULL || *ctlp == NULL)
		return;
	rpmem_ssh_close((*ctlp)->ssh, NULL);
	free(*ctlp);
	*ctlp = NULL;
	errno = err;
}
