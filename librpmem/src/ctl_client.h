/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_client.h -- the control-protocol client (one rpmemd session over ssh)
 *
 * A session: rpmem_ctl_new() starts ssh and reads the daemon's HELLO, then
 * requests (CREATE or OPEN, SET_ATTR, CLOSE; or REMOVE) each wait for
 * their response, then rpmem_ctl_delete() ends ssh.  Not thread-safe: one
 * caller at a time per session.
 *
 * Every function returns 0, or -1 with errno and a message in
 * rpmem_err_get().  errno contract:
 *   request refused by rpmemd     rpmem_status_to_errno(status), message
 *                                 "<REQUEST> failed: <daemon text>"; the
 *                                 session stays usable
 *   no (complete) answer within   ETIMEDOUT
 *     the timeout
 *   rpmemd/ssh gone (end of file  ECONNRESET, message ends with
 *     before a response, EPIPE)   "rpmemd: <its stderr>" when it wrote any
 *   malformed response: bad      EPROTO ("unexpected response type X to
 *     magic, size, type, fields,  Y", "invalid response to Y: <why>",
 *     or cut short by end of file "truncated response to Y")
 *   other protocol version, or    EPROTONOSUPPORT ("rpmemd on H is
 *     a HELLO daemon_version of     version X.Y, this librpmem 1.2: ...")
 *     another major
 *   HELLO with a non-OK status    rpmem_status_to_errno(status), message
 *                                 with the daemon's text and its stderr
 *   ssh cannot be started         errno of posix_spawnp (ENOENT...)
 *   request on a session broken   ENOTCONN (after any failure but a
 *     by an earlier failure       refused request the stream may be out
 *                                 of step, so it is not used again)
 *   invalid arguments             EINVAL
 * Timeout: RPMEM_TIMEOUT_MS (positive decimal milliseconds) bounds the
 * wait for each response, default RPMEM_CTL_TIMEOUT_MS_DEFAULT.
 */
#ifndef RPMEM_CTL_CLIENT_H
#define RPMEM_CTL_CLIENT_H 1

#include <stdint.h>

#include "rpmem_proto.h"
#include "target.h"

#define RPMEM_CTL_TIMEOUT_MS_DEFAULT 30000

struct rpmem_ctl;

/*
 * rpmem_env_timeout_ms -- RPMEM_TIMEOUT_MS when it is a positive decimal
 * int, else def (a set but invalid value is reported on stderr)
 */
int rpmem_env_timeout_ms(int def);

/* rpmem_ctl_new -- start ssh to t and read rpmemd's HELLO */
int rpmem_ctl_new(const struct rpmem_target *t, struct rpmem_ctl **ctl);

/* rpmem_ctl_hello -- the HELLO the daemon sent */
const struct rpmem_resp_hello *rpmem_ctl_hello(const struct rpmem_ctl *ctl);

/* rpmem_ctl_create -- CREATE req, *resp gets the CREATE_RESP body */
int rpmem_ctl_create(struct rpmem_ctl *ctl, const struct rpmem_req_pool *req,
		struct rpmem_resp_pool *resp);

/* rpmem_ctl_open -- OPEN req (attr and flags must be zero) */
int rpmem_ctl_open(struct rpmem_ctl *ctl, const struct rpmem_req_pool *req,
		struct rpmem_resp_pool *resp);

/* rpmem_ctl_set_attr -- SET_ATTR; NULL or all-zero attr = no attributes */
int rpmem_ctl_set_attr(struct rpmem_ctl *ctl,
		const struct rpmem_pool_attr *attr);

/* rpmem_ctl_close -- CLOSE the pool (RPMEM_CLOSE_REMOVE: and remove it) */
int rpmem_ctl_close(struct rpmem_ctl *ctl, uint32_t flags);

/* rpmem_ctl_remove -- REMOVE pool_desc (flags: RPMEM_REMOVE_*) */
int rpmem_ctl_remove(struct rpmem_ctl *ctl, const char *pool_desc,
		uint32_t flags);

/*
 * rpmem_ctl_delete -- end the session (the daemon reads end of file), reap
 * ssh, free; *ctl becomes NULL.  Keeps errno and the error message.
 */
void rpmem_ctl_delete(struct rpmem_ctl **ctl);

#endif /* RPMEM_CTL_CLIENT_H */
