/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ctl_client.c -- the client's response path, fed from memory
 *
 * The real ctl_client.c runs over a stand-in for the ssh transport
 * (rpmem_ssh_* below; the archive's ssh.o is not linked): what it reads
 * is the fuzz input, what it writes is checked to be a valid request.
 *
 * Input: one byte choosing the session (below), then everything "rpmemd"
 * writes: the HELLO and the responses, back to back.  The whole session
 * runs whatever happens, so responses out of order, of the wrong type,
 * cut short, or arriving after a failure are all reached.
 *
 * Properties: every failing call sets errno to one of the documented
 * values and leaves a message; a session broken by a bad response
 * answers ENOTCONN without reading any further; a successful CREATE/OPEN
 * hands back a validated body; the client never sends a malformed request.
 */
#include <errno.h>
#include <string.h>

#include "ctl_client.h"
#include "error.h"
#include "fuzz.h"
#include "rpmem_proto.h"
#include "ssh.h"

/* the transport stand-in: a cursor over the input */
struct rpmem_ssh {
	const uint8_t *data;
	size_t size;
	size_t off;
	unsigned sent;
};

static struct rpmem_ssh Ssh;
static int Ssh_open;

int
rpmem_ssh_open(const struct rpmem_target *t, struct rpmem_ssh **out)
{
	FUZZ_CHECK(t != NULL && out != NULL);
	FUZZ_CHECK(!Ssh_open);	/* one session at a time */
	Ssh_open = 1;
	*out = &Ssh;
	return 0;
}

int
rpmem_ssh_send(struct rpmem_ssh *ssh, const void *buf, size_t len)
{
	struct rpmem_msg m;
	const char *why = NULL;

	FUZZ_CHECK(ssh == &Ssh && Ssh_open);
	/* the client must only ever send well-formed requests */
	FUZZ_CHECK(rpmem_msg_decode(buf, len, &m, &why) == RPMEM_ST_OK);
	FUZZ_CHECK(!rpmem_msg_is_response(m.type));
	ssh->sent++;
	return 0;
}

int
rpmem_ssh_recv(struct rpmem_ssh *ssh, void *buf, size_t len, int timeout_ms)
{
	(void)timeout_ms;
	FUZZ_CHECK(ssh == &Ssh && Ssh_open);
	FUZZ_CHECK(len <= RPMEM_MSG_MAX_SIZE);
	if (len > ssh->size - ssh->off) {
		/* like the real one: end of file is ECONNRESET */
		ssh->off = ssh->size;
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
	FUZZ_CHECK(ssh == &Ssh && Ssh_open);
	if (len == 0)
		return 0;
	snprintf(buf, len, "rpmemd: fuzzed stderr");
	return strlen(buf);
}

int
rpmem_ssh_close(struct rpmem_ssh *ssh, int *exit_status)
{
	FUZZ_CHECK(ssh == &Ssh && Ssh_open);
	Ssh_open = 0;
	if (exit_status)
		*exit_status = 0;
	return 0;
}

/* errno_ok -- the documented errnos of ctl_client.h */
static int
errno_ok(int err)
{
	switch (err) {
	case EPROTO:
	case EPROTONOSUPPORT:
	case ECONNRESET:
	case ETIMEDOUT:
	case ENOTCONN:
		return 1;
	default:
		for (uint32_t s = RPMEM_ST_OK + 1; s < RPMEM_ST_MAX; s++)
			if (rpmem_status_to_errno(s) == err)
				return 1;
		return 0;
	}
}

/* the state after the previous call, to check ENOTCONN reads nothing */
static size_t Off_before;

/* call_begin -- note the cursor and clear errno and the message */
static void
call_begin(void)
{
	Off_before = Ssh.off;
	errno = 0;
	rpmem_err_set("%s", "");
}

/* call_end -- the properties of one call's result */
static void
call_end(int ret)
{
	int err = errno;

	FUZZ_CHECK(ret == 0 || ret == -1);
	if (ret == 0)
		return;
	FUZZ_CHECK(errno_ok(err));
	FUZZ_CHECK(rpmem_err_get()[0] != '\0');
	if (err == ENOTCONN)
		FUZZ_CHECK(Ssh.off == Off_before);
}

/* pool_call -- CREATE or OPEN and the body it hands back */
static void
pool_call(struct rpmem_ctl *ctl, int create)
{
	struct rpmem_req_pool req;
	struct rpmem_resp_pool resp;

	memset(&req, 0, sizeof(req));
	req.pool_size = 1 << 20;
	req.nlanes = 4;
	strcpy(req.pool_desc, "x.set");
	if (create) {
		req.flags = RPMEM_REQ_HAS_ATTR;
		memcpy(req.attr.signature, "FUZZ", 4);
	}
	memset(&resp, 0xee, sizeof(resp));
	call_begin();
	int ret = create ? rpmem_ctl_create(ctl, &req, &resp) :
		rpmem_ctl_open(ctl, &req, &resp);
	call_end(ret);
	if (ret == 0) {
		FUZZ_CHECK(resp.nlanes > 0);
		FUZZ_CHECK(resp.persist_method == RPMEM_PM_APM ||
			resp.persist_method == RPMEM_PM_GPSPM);
		FUZZ_CHECK(resp.hdr_size == 0 ||
			resp.hdr_size == RPMEM_POOL_HDR_SIZE);
		FUZZ_CHECK(resp.port != 0);
		FUZZ_CHECK(memchr(resp.pm_reason, '\0',
			sizeof(resp.pm_reason)) != NULL);
		FUZZ_CHECK(memchr(resp.device, '\0',
			sizeof(resp.device)) != NULL);
	}
}

/* sessions: what the client asks, in order, whatever the answers */
enum fuzz_session {
	S_CREATE,	/* CREATE, SET_ATTR, CLOSE */
	S_OPEN,		/* OPEN, SET_ATTR(none), CLOSE(remove) */
	S_REMOVE,	/* REMOVE */
	S_TWICE,	/* CREATE, OPEN, CLOSE */
	S_MAX
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmem_target t;
	struct rpmem_ctl *ctl = NULL;
	struct rpmem_pool_attr attr;

	if (size < 1)
		return 0;
	memset(&Ssh, 0, sizeof(Ssh));
	Ssh.data = data + 1;
	Ssh.size = size - 1;
	memset(&t, 0, sizeof(t));
	strcpy(t.host, "fuzzhost");

	call_begin();
	int ret = rpmem_ctl_new(&t, &ctl);
	call_end(ret);
	if (ret) {
		FUZZ_CHECK(ctl == NULL);
		FUZZ_CHECK(!Ssh_open);	/* the transport was closed */
		return 0;
	}
	FUZZ_CHECK(ctl != NULL && rpmem_ctl_hello(ctl) != NULL);

	switch (data[0] % S_MAX) {
	case S_CREATE:
		pool_call(ctl, 1);
		memset(&attr, 0, sizeof(attr));
		memcpy(attr.signature, "FUZZ2", 5);
		call_begin();
		call_end(rpmem_ctl_set_attr(ctl, &attr));
		call_begin();
		call_end(rpmem_ctl_close(ctl, 0));
		break;
	case S_OPEN:
		pool_call(ctl, 0);
		call_begin();
		call_end(rpmem_ctl_set_attr(ctl, NULL));
		call_begin();
		call_end(rpmem_ctl_close(ctl, RPMEM_CLOSE_REMOVE));
		break;
	case S_REMOVE:
		call_begin();
		call_end(rpmem_ctl_remove(ctl, "x.set",
			RPMEM_REMOVE_FORCE));
		break;
	default:
		pool_call(ctl, 1);
		pool_call(ctl, 0);
		call_begin();
		call_end(rpmem_ctl_close(ctl, 0));
		break;
	}
	rpmem_ctl_delete(&ctl);
	FUZZ_CHECK(ctl == NULL && !Ssh_open);
	return 0;
}
