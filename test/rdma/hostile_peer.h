/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_peer.h -- peers that talk to rpmemd without librpmem
 * (hostile_peer.c), for the checks of what the daemon refuses:
 *
 *   hostile_cm_*   a raw rdma_cm client on the daemon's port, sending
 *                  whatever private data it is given: none, random bytes,
 *                  a wrong or truncated secret, a lane out of range or
 *                  already connected
 *   hostile_ctl_*  a raw control session: rpmemd spawned on pipes, as the
 *                  ssh transport runs it, spoken to message by message, so
 *                  that a test learns the port and the secret and can stop
 *                  following the protocol at any step
 *
 *	struct hostile_ctl ctl;
 *	struct rpmem_msg resp;
 *	uint8_t pd[HOSTILE_PDATA_MAX];
 *
 *	rig_cmd_text(&Rig, cmd, sizeof(cmd), NULL);
 *	hostile_ctl_start(&ctl, cmd, 20000);
 *	hostile_ctl_pool(&ctl, RPMEM_MSG_CREATE, addr, "x.set", size, 2,
 *		&attr, &resp);
 *	hostile_expect_rejected(addr, resp.u.pool_resp.port, pd,
 *		hostile_pdata(pd, RPMEM_PROTO_VERSION + 1, 0,
 *		resp.u.pool_resp.secret, RPMEM_CONN_PDATA_SIZE),
 *		"wrong version");
 *	hostile_ctl_end(&ctl, NULL);
 *
 * A call that fails sets tap.h's Detail: the check after it says why.
 */
#ifndef RPMEM_TEST_HOSTILE_PEER_H
#define RPMEM_TEST_HOSTILE_PEER_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "rpmem_proto.h"

#define HOSTILE_PDATA_MAX 64	/* room for any private data we send */

/* hostile_port_from_log -- the port of rpmemd's last "listening on" line */
unsigned hostile_port_from_log(const char *log);

/* ------------------------------------------------------------------ */
/* a raw rdma_cm client */

struct hostile_cm {
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	int qp;			/* a QP was created on id */
};

/*
 * hostile_cm_connect -- connect to addr:port with pdlen bytes of pdata;
 * the CM event that answered (ESTABLISHED, REJECTED, ...) or -1 (no
 * answer within 10 s).  Only an established connection stays open in *c.
 */
int hostile_cm_connect(const char *addr, unsigned port, const void *pdata,
		uint8_t pdlen, struct hostile_cm *c);

/* hostile_cm_disconnect -- DREQ, a short wait for the reply, free */
void hostile_cm_disconnect(struct hostile_cm *c);

/*
 * hostile_pdata -- a lane's connect private data in buf
 * (HOSTILE_PDATA_MAX bytes), cut to its first len bytes; returns len
 */
uint8_t hostile_pdata(uint8_t *buf, uint16_t version, uint16_t lane,
		const uint8_t *secret, uint8_t len);

/*
 * hostile_expect_rejected -- the check "WHAT: rejected": a connect with
 * this private data is answered by REJECTED (an established one is
 * disconnected again); returns the check's result
 */
int hostile_expect_rejected(const char *addr, unsigned port, const void *pd,
		uint8_t len, const char *what);

/* ------------------------------------------------------------------ */
/* a raw control session */

struct hostile_ctl {
	pid_t pid;		/* the shell that execs rpmemd; 0: ended */
	int in;			/* rpmemd's stdin */
	int out;		/* rpmemd's stdout */
	int wait_ms;		/* the bound on every wait for rpmemd */
};

/*
 * hostile_ctl_start -- run cmd (sh -c, e.g. rig_cmd_text's) on pipes and
 * read its HELLO; 0, or -1 with the session ended
 */
int hostile_ctl_start(struct hostile_ctl *c, const char *cmd, int wait_ms);

/* hostile_ctl_send -- one encoded message to rpmemd */
int hostile_ctl_send(struct hostile_ctl *c, const struct rpmem_msg *m);

/* hostile_ctl_recv -- one valid message from rpmemd (status unchecked) */
int hostile_ctl_recv(struct hostile_ctl *c, struct rpmem_msg *m);

/*
 * hostile_ctl_pool -- a CREATE or OPEN of set (with attr when not NULL),
 * lanes on rdma_addr; 0 when the response is type + 1 with RPMEM_ST_OK,
 * which *resp holds (port, lanes, secret)
 */
int hostile_ctl_pool(struct hostile_ctl *c, uint16_t type,
		const char *rdma_addr, const char *set, size_t size,
		unsigned nlanes, const struct rpmem_pool_attr *attr,
		struct rpmem_msg *resp);

/*
 * hostile_ctl_wait_exit -- wait up to ms for rpmemd to end the session by
 * itself (our ends of the pipes stay open); its wait status, or -1 when it
 * is still running (the session is ended then, rpmemd killed); *took: how
 * long it was waited for
 */
int hostile_ctl_wait_exit(struct hostile_ctl *c, int ms, double *took);

/*
 * hostile_ctl_end -- close our ends (rpmemd reads end of input) and reap
 * it within wait_ms, SIGKILLed after that; its wait status, or -1 (killed,
 * or nothing to end); *took (may be NULL): how long that took
 */
int hostile_ctl_end(struct hostile_ctl *c, double *took);

#endif /* RPMEM_TEST_HOSTILE_PEER_H */
