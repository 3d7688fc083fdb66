/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_server.h -- the daemon side of the control protocol on plain fds
 * (rpmemd's stdin/stdout, i.e. the ssh channel)
 *
 * A message is read as: exactly RPMEM_MSG_HDR_SIZE bytes, the header
 * checked (magic, version, known type, size == the type's fixed size, so
 * never more than RPMEM_MSG_MAX_SIZE), then the rest into the same fixed
 * stack buffer.  Nothing is ever allocated from a length the peer sent.
 * Only requests are accepted; a response type from the client is
 * malformed.
 */
#ifndef RPMEMD_CTL_SERVER_H
#define RPMEMD_CTL_SERVER_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_proto.h"

enum rpmemd_ctl_ret {
	RPMEMD_CTL_MSG = 0,	/* *m holds a valid request */
	RPMEMD_CTL_EOF,		/* end of input between messages */
	RPMEMD_CTL_MALFORMED,	/* bad or truncated message, see below */
	RPMEMD_CTL_IOERR,	/* read(2) or poll(2) failed, errno set */
	RPMEMD_CTL_STOPPED,	/* stop_fd became readable first */
};

/*
 * rpmemd_ctl_recv -- read one request from fd.  The whole message must
 * arrive within timeout_ms (0: no bound), else RPMEMD_CTL_MALFORMED
 * ("incomplete after N ms"); while it waits for bytes, stop_fd (-1: none;
 * rpmemd's signalfd) becoming readable ends it with RPMEMD_CTL_STOPPED,
 * stop_fd left unread.  On RPMEMD_CTL_MALFORMED,
 * m->type is the request type the header named (0 when unknown),
 * m->status RPMEM_ST_PROTO or RPMEM_ST_BADVERSION and m->text the reason:
 * the caller replies with rpmemd_ctl_reply(fd, m->type, m->status,
 * m->text) and ends the session.
 */
int rpmemd_ctl_recv(int fd, int stop_fd, unsigned timeout_ms,
		struct rpmem_msg *m);

/*
 * rpmemd_ctl_send -- encode and write a whole message (EINTR- and
 * partial-write safe); 0, or -1 with errno (EINVAL: m cannot be encoded).
 * The caller ignores SIGPIPE, so a vanished peer is EPIPE.
 */
int rpmemd_ctl_send(int fd, const struct rpmem_msg *m);

/*
 * rpmemd_ctl_resp_type -- the response type answering req_type (a request
 * type), or RPMEM_MSG_CLOSE_RESP when req_type is unknown or not a
 * request: "the daemon ends the session"
 */
uint16_t rpmemd_ctl_resp_type(uint16_t req_type);

/*
 * rpmemd_ctl_state_check -- may a (valid) request of this type be served
 * in a session with (pool_open) or without an open pool?  RPMEM_ST_OK,
 * or RPMEM_ST_PROTO with the one answer every out-of-place request gets
 * in text (NUL-terminated, cut to textlen):
 *   SET_ATTR, CLOSE without an open pool:
 *     "<TYPE> is not allowed before a pool is open (send CREATE or OPEN
 *      first)"
 *   CREATE, OPEN, REMOVE while a pool is open:
 *     "<TYPE> is not allowed while a pool is open in this session (one
 *      pool per session; CLOSE it first)"
 * The daemon answers that, leaves the session as it was (an open pool
 * stays served) and reads the next request: the stream is in step, only
 * the order was wrong.
 */
uint32_t rpmemd_ctl_state_check(uint16_t type, int pool_open, char *text,
		size_t textlen);

/*
 * rpmemd_ctl_reply -- send a response with no body to the request type
 * req_type: status + text (NULL: the status' name)
 */
int rpmemd_ctl_reply(int fd, uint16_t req_type, uint32_t status,
		const char *text);

#endif /* RPMEMD_CTL_SERVER_H */
