/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd.c -- the remote persistent memory daemon
 *
 * One process per session, started by librpmem over ssh: it speaks the
 * control protocol on stdin/stdout, serves at most one pool, and exits
 * after CLOSE, REMOVE, end of input, a protocol violation or a signal.
 * Errors before the configuration is read go to stderr (the client shows
 * them); later ones travel in the response text and the log.
 *
 * TERM/INT/HUP are blocked from the start (before any thread exists, so
 * the RDMA thread inherits the mask) and read from a signalfd polled with
 * stdin: cleanup then runs in normal context, never in a handler.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "config.h"
#include "ctl_server.h"
#include "fault_inject.h"
#include "log.h"
#include "persist_policy.h"
#include "pool_store.h"
#include "poolset.h"
#include "rdma_server.h"
#include "rpmem_proto.h"

/* a handler's verdict: keep serving, or exit with this status */
#define RPMEMD_CONTINUE (-1)

/* the session */
struct rpmemd {
	struct rpmemd_config cfg;
	int in;
	int out;
	int sigfd;
	struct rpmemd_poolset *set;
	struct rpmemd_pool *pool;
	struct rpmemd_rdma *rdma;
};

/*
 * rpmemd_send -- send a message; -1 (logged) when it did not go out: the
 * client then never learns the answer and the stream may be out of step,
 * so the caller ends the session rather than wait for a next request the
 * client, waiting for this answer until its timeout, will not send
 */
static int
rpmemd_send(struct rpmemd *d, const struct rpmem_msg *m)
{
	if (rpmemd_ctl_send(d->out, m) == 0)
		return 0;
	RPMEMD_LOG(ERR, "cannot send %s: %s", rpmem_msg_type_str(m->type),
		strerror(errno));
	return -1;
}

/* rpmemd_reply -- a bodyless response to req_type; -1 as rpmemd_send */
static int
rpmemd_reply(struct rpmemd *d, uint16_t req_type, uint32_t status,
		const char *text)
{
	if (status != RPMEM_ST_OK)
		RPMEMD_LOG(ERR, "%s failed (%s): %s",
			rpmem_msg_type_str(req_type), rpmem_status_str(status),
			text ? text : "");
	if (rpmemd_ctl_reply(d->out, req_type, status, text) == 0)
		return 0;
	RPMEMD_LOG(ERR, "cannot send the %s response: %s",
		rpmem_msg_type_str(req_type), strerror(errno));
	return -1;
}

/* rpmemd_send_hello -- the daemon's first words; -1 as rpmemd_send */
static int
rpmemd_send_hello(struct rpmemd *d, uint32_t status, const char *text)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_HELLO;
	m.status = status;
	snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
	/* the API's major, our feature level as minor (rpmem_proto.h) */
	m.u.hello.daemon_version = RPMEM_DAEMON_VERSION;
	m.u.hello.max_lanes = status == RPMEM_ST_OK ? d->cfg.max_lanes : 0;
	return rpmemd_send(d, &m);
}

/*
 * rpmemd_session_close -- stop RDMA, then unmap/unlock the pool (removed
 * only when remove is set and this session created it)
 */
static int
rpmemd_session_close(struct rpmemd *d, int remove, char *msg, size_t msglen)
{
	int ret = RPMEM_ST_OK;

	/* lanes first: nothing may touch the mapping after this */
	if (d->rdma != NULL)
		rpmemd_rdma_delete(&d->rdma);
	if (d->pool != NULL)
		ret = rpmemd_pool_close(&d->pool, remove, msg, msglen);
	rpmemd_poolset_delete(&d->set);
	return ret;
}

/*
 * rpmemd_session_undo -- rpmemd_session_close after a failed CREATE/OPEN;
 * a pool it cannot remove is left behind, and the operator is told which
 * (the client already has the request's own failure)
 */
static void
rpmemd_session_undo(struct rpmemd *d, int remove)
{
	char why[RPMEM_MSG_TEXT_MAX];

	why[0] = '\0';
	if (rpmemd_session_close(d, remove, why, sizeof(why)) != RPMEM_ST_OK)
		RPMEMD_LOG(ERR, "undoing the failed request: %s", why[0] ?
			why : "the pool could not be closed");
}

/*
 * rpmemd_bind_addr -- where to listen: the server address the ssh client
 * reached (3rd field of SSH_CONNECTION), else the client's rdma_addr
 */
static int
rpmemd_bind_addr(const char *ssh_conn, const char *req_addr, char *out,
		size_t outlen)
{
	if (ssh_conn != NULL && ssh_conn[0] != '\0') {
		const char *p = ssh_conn;
		for (int field = 0; field < 3 && *p; field++) {
			p += strspn(p, " \t");
			if (field < 2)
				p += strcspn(p, " \t");
		}
		size_t len = strcspn(p, " \t");
		if (len > 0 && len < outlen) {
			memcpy(out, p, len);
			out[len] = '\0';
			return 0;
		}
		RPMEMD_LOG(WARN, "SSH_CONNECTION has no usable server "
			"address; using the client's rdma address");
	}
	if (req_addr[0] == '\0' || strlen(req_addr) >= outlen)
		return -1;
	strcpy(out, req_addr);
	return 0;
}

/* rpmemd_min -- smallest of three lane counts */
static unsigned
rpmemd_min(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;
	return m < c ? m : c;
}

/* rpmemd_req_pool -- CREATE or OPEN */
static int
rpmemd_req_pool(struct rpmemd *d, const struct rpmem_msg *req)
{
	const struct rpmem_req_pool *rq = &req->u.pool;
	int create = req->type == RPMEM_MSG_CREATE;
	const struct rpmem_pool_attr *attr =
		(rq->flags & RPMEM_REQ_HAS_ATTR) ? &rq->attr : NULL;
	struct rpmemd_rdma_attr rattr;
	struct rpmemd_rdma_info info;
	struct rpmemd_pm_input pmin;
	struct rpmemd_pm_decision pm;
	struct rpmemd_pm_platform plat;
	struct rpmem_msg resp;
	char addr[RPMEM_ADDR_MAX];
	char msg[RPMEM_MSG_TEXT_MAX];
	int st;

	memset(&resp, 0, sizeof(resp));
	memset(&rattr, 0, sizeof(rattr));
	memset(&info, 0, sizeof(info));
	msg[0] = '\0';
	resp.type = (uint16_t)(req->type + 1);

	RPMEMD_LOG(INFO, "%s request: pool set '%s', size %llu, %u lanes, "
		"attributes %s, rdma address '%s'",
		rpmem_msg_type_str(req->type), rq->pool_desc,
		(unsigned long long)rq->pool_size, rq->nlanes,
		attr == NULL ? "no" : rpmem_attr_is_zero(attr) ?
		"yes (all zero)" : "yes", rq->rdma_addr);

	if (rpmemd_bind_addr(getenv("SSH_CONNECTION"), rq->rdma_addr, addr,
			sizeof(addr))) {
		if (rpmemd_reply(d, req->type, RPMEM_ST_PROTO, "no address to "
				"listen on: SSH_CONNECTION is not set and the "
				"request has no rdma address"))
			return 1;
		return RPMEMD_CONTINUE;
	}

	st = rpmemd_poolset_open_part_dir(d->cfg.poolset_dir, d->cfg.part_dir,
			rq->pool_desc, &d->set, msg, sizeof(msg));
	if (st != RPMEM_ST_OK)
		goto err_session_close;

	if (create)
		st = rpmemd_pool_create(d->set, rq->pool_size, attr, &d->pool,
				msg, sizeof(msg));
	else
		st = rpmemd_pool_open(d->set, rq->pool_size,
				&resp.u.pool_resp.attr, &d->pool, msg,
				sizeof(msg));
	if (st != RPMEM_ST_OK)
		goto err_session_close;

	if (RPMEM_FI("getrandom", EAGAIN) ||
	    getrandom(rattr.secret, sizeof(rattr.secret), 0) !=
			(ssize_t)sizeof(rattr.secret)) {
		st = RPMEM_ST_FATAL;
		snprintf(msg, sizeof(msg), "getrandom: %s", strerror(errno));
		goto err_session_close;
	}
	rattr.bind_addr = addr;
	rattr.pool_addr = rpmemd_pool_addr(d->pool);
	rattr.pool_size = rpmemd_pool_size(d->pool);
	rattr.hdr_size = rpmemd_pool_hdr_size(d->pool);
	rattr.nlanes = rq->nlanes < d->cfg.max_lanes ? rq->nlanes :
		d->cfg.max_lanes;
	rattr.service_nice = d->cfg.service_nice;

	st = rpmemd_rdma_new(&rattr, &d->rdma, &info);
	if (st == RPMEM_ST_NOSUPP) {
		/* the only NOSUPP here: ibv_reg_mr said EOPNOTSUPP */
		snprintf(msg, sizeof(msg), "cannot register the pool for RDMA "
			"on %s: memory on fsdax cannot be pinned and the device "
			"has no On-Demand Paging; put the pool on device DAX "
			"or use an ODP-capable device", addr);
		goto err_session_close;
	}
	if (st != RPMEM_ST_OK) {
		snprintf(msg, sizeof(msg), "RDMA setup on %s failed: %s", addr,
			rpmem_status_str((uint32_t)st));
		goto err_session_close;
	}

	pmin = (struct rpmemd_pm_input) {
		.persist_apm = d->cfg.persist_apm,
		.persist_general = d->cfg.persist_general,
		.is_pmem = rpmemd_pool_is_pmem(d->pool),
		.device = info.device,
		.ddio = d->cfg.ddio,
		.plat = &plat,
	};
	/* ddio = disable touches hardware only when APM could follow */
	rpmemd_persist_probe(NULL, d->cfg.ddio, info.device, info.vendor_id,
		pmin.persist_apm && pmin.is_pmem, &plat);
	st = rpmemd_persist_policy(&pmin, &pm);
	rpmemd_persist_policy_log(&pmin, &pm);
	if (st != RPMEM_ST_OK) {
		snprintf(msg, sizeof(msg), "%s", pm.reason);
		goto err_session_close;
	}

	st = rpmemd_rdma_start(d->rdma, pm.method, rpmemd_pool_persist,
			d->pool);
	if (st != RPMEM_ST_OK) {
		snprintf(msg, sizeof(msg), "cannot start serving lanes on %s: "
			"%s", addr, rpmem_status_str((uint32_t)st));
		goto err_session_close;
	}

	struct rpmem_resp_pool *rs = &resp.u.pool_resp;
	rs->raddr = info.raddr;
	rs->pool_size = rpmemd_pool_size(d->pool);
	rs->rkey = info.rkey;
	rs->nlanes = rpmemd_min(rq->nlanes, d->cfg.max_lanes, info.nlanes);
	rs->hdr_size = (uint32_t)rpmemd_pool_hdr_size(d->pool);
	rs->port = info.port;
	rs->persist_method = pm.method;
	rs->max_msg_size = info.max_msg_size;
	memcpy(rs->secret, rattr.secret, RPMEM_SECRET_LEN);
	snprintf(rs->pm_reason, sizeof(rs->pm_reason), "%s", pm.reason);
	snprintf(rs->device, sizeof(rs->device), "%s", info.device);
	resp.status = RPMEM_ST_OK;

	RPMEMD_LOG(INFO, "%s response: raddr 0x%llx, rkey 0x%x, port %u, "
		"%u lanes, header %u, size %llu, %s on %s",
		rpmem_msg_type_str(resp.type), (unsigned long long)rs->raddr,
		rs->rkey, rs->port, rs->nlanes, rs->hdr_size,
		(unsigned long long)rs->pool_size,
		rpmem_persist_method_str(rs->persist_method), rs->device);
	if (rpmemd_send(d, &resp)) {
		/* the client cannot know of the pool: do not leave it */
		rpmemd_session_undo(d, create);
		return 1;
	}
	return RPMEMD_CONTINUE;

err_session_close:
	/* a pool created by this failed request must not stay behind */
	rpmemd_session_undo(d, create);
	if (rpmemd_reply(d, req->type, (uint32_t)st, msg))
		return 1;
	return RPMEMD_CONTINUE;
}

/* rpmemd_req_set_attr -- SET_ATTR on the open pool */
static int
rpmemd_req_set_attr(struct rpmemd *d, const struct rpmem_msg *req)
{
	const struct rpmem_req_set_attr *rq = &req->u.set_attr;
	char msg[RPMEM_MSG_TEXT_MAX] = "";

	int st = rpmemd_pool_set_attr(d->pool,
			(rq->flags & RPMEM_REQ_HAS_ATTR) ? &rq->attr : NULL,
			msg, sizeof(msg));
	if (rpmemd_reply(d, req->type, (uint32_t)st, msg)) {
		rpmemd_session_close(d, 0, NULL, 0);
		return 1;
	}
	return RPMEMD_CONTINUE;
}

/* rpmemd_req_close -- CLOSE: release (maybe remove) the pool and exit */
static int
rpmemd_req_close(struct rpmemd *d, const struct rpmem_msg *req)
{
	char msg[RPMEM_MSG_TEXT_MAX] = "";
	int remove = (req->u.close.flags & RPMEM_CLOSE_REMOVE) != 0;

	RPMEMD_LOG(INFO, "CLOSE request%s", remove ? " (remove)" : "");
	int st = rpmemd_session_close(d, remove, msg, sizeof(msg));
	rpmemd_reply(d, req->type, (uint32_t)st, msg);
	return 0;
}

/* rpmemd_req_remove -- REMOVE a pool (none may be open here) and exit */
static int
rpmemd_req_remove(struct rpmemd *d, const struct rpmem_msg *req)
{
	const struct rpmem_req_remove *rq = &req->u.remove;
	char msg[RPMEM_MSG_TEXT_MAX] = "";
	struct rpmemd_poolset *set = NULL;

	RPMEMD_LOG(INFO, "REMOVE request: pool set '%s', flags 0x%x",
		rq->pool_desc, rq->flags);
	int st = rpmemd_poolset_open_flags(d->cfg.poolset_dir,
			d->cfg.part_dir, rq->pool_desc,
			(rq->flags & RPMEM_REMOVE_FORCE) ?
			RPMEMD_POOLSET_GONE_DIRS_OK : 0, &set, msg,
			sizeof(msg));
	if (st == RPMEM_ST_OK)
		st = rpmemd_pool_remove(set, (int)rq->flags, msg, sizeof(msg));
	rpmemd_poolset_delete(&set);
	rpmemd_reply(d, req->type, (uint32_t)st, msg);
	return 0;
}

/* rpmemd_dispatch -- one valid request */
static int
rpmemd_dispatch(struct rpmemd *d, const struct rpmem_msg *req)
{
	char msg[RPMEM_MSG_TEXT_MAX];

	/*
	 * out of place (SET_ATTR or CLOSE before a pool is open, CREATE,
	 * OPEN or REMOVE while one is): one answer, PROTO, and the session
	 * goes on as it was -- the stream is in step, only the order was
	 * wrong, and an open pool stays served
	 */
	uint32_t st = rpmemd_ctl_state_check(req->type, d->pool != NULL, msg,
			sizeof(msg));
	if (st != RPMEM_ST_OK) {
		if (rpmemd_reply(d, req->type, st, msg)) {
			rpmemd_session_close(d, 0, NULL, 0);
			return 1;
		}
		return RPMEMD_CONTINUE;
	}

	switch (req->type) {
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		return rpmemd_req_pool(d, req);
	case RPMEM_MSG_SET_ATTR:
		return rpmemd_req_set_attr(d, req);
	case RPMEM_MSG_CLOSE:
		return rpmemd_req_close(d, req);
	case RPMEM_MSG_REMOVE:
		return rpmemd_req_remove(d, req);
	default:
		/* ctl_recv lets only requests through */
		rpmemd_reply(d, req->type, RPMEM_ST_PROTO,
			"unexpected message");
		rpmemd_session_close(d, 0, NULL, 0);
		return 1;
	}
}

/* rpmemd_serve -- the request loop; returns the exit status */
static int
rpmemd_serve(struct rpmemd *d)
{
	struct rpmem_msg req;

	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = d->in, .events = POLLIN},
			{.fd = d->sigfd, .events = POLLIN},
		};
		int left = d->rdma == NULL ? -1 :
			rpmemd_rdma_connect_left_ms(d->rdma, d->cfg.timeout_ms);

		if (left == 0) {
			/* the client vanished between response and connect */
			RPMEMD_LOG(ERR, "no lane connected within %u ms "
				"(timeout-ms): closing the session",
				d->cfg.timeout_ms);
			rpmemd_session_close(d, 0, NULL, 0);
			return 1;
		}
		if (poll(pfd, 2, left) < 0) {
			if (errno == EINTR)
				continue;
			RPMEMD_LOG(ERR, "poll: %s", strerror(errno));
			rpmemd_session_close(d, 0, NULL, 0);
			return 1;
		}

		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			int sig = SIGTERM;
			if (read(d->sigfd, &si, sizeof(si)) == sizeof(si))
				sig = (int)si.ssi_signo;
			RPMEMD_LOG(NOTICE, "signal %d (%s): closing the "
				"session", sig, strsignal(sig));
			rpmemd_session_close(d, 0, NULL, 0);
			return 128 + sig;
		}
		if (pfd[0].revents == 0)
			continue;

		int ret = rpmemd_ctl_recv(d->in, d->sigfd, d->cfg.timeout_ms,
				&req);
		switch (ret) {
		case RPMEMD_CTL_MSG:
			ret = rpmemd_dispatch(d, &req);
			if (ret != RPMEMD_CONTINUE)
				return ret;
			break;
		case RPMEMD_CTL_STOPPED:
			continue;	/* the signal, at the top of the loop */
		case RPMEMD_CTL_EOF:
			/* the client is gone: the pool stays, unlocked */
			RPMEMD_LOG(INFO, "end of input: closing the session");
			rpmemd_session_close(d, 0, NULL, 0);
			return 0;
		case RPMEMD_CTL_MALFORMED:
			rpmemd_reply(d, req.type, req.status, req.text);
			rpmemd_session_close(d, 0, NULL, 0);
			return 1;
		default:
			RPMEMD_LOG(ERR, "cannot read a request: %s",
				strerror(errno));
			rpmemd_session_close(d, 0, NULL, 0);
			return 1;
		}
	}
}

/*
 * rpmemd_remove_mode -- "rpmemd --remove SET": remove and exit with the
 * errno of the result (what the classic client turns into its errno)
 */
static int
rpmemd_remove_mode(struct rpmemd *d)
{
	char msg[RPMEM_MSG_TEXT_MAX] = "";
	struct rpmemd_poolset *set = NULL;
	int flags = (d->cfg.force ? RPMEM_REMOVE_FORCE : 0) |
		(d->cfg.remove_pool_set ? RPMEM_REMOVE_POOL_SET : 0);

	/* the client reads stderr for the reason */
	rpmemd_log_to_stderr(1);
	int st = rpmemd_poolset_open_flags(d->cfg.poolset_dir,
			d->cfg.part_dir, d->cfg.remove, d->cfg.force ?
			RPMEMD_POOLSET_GONE_DIRS_OK : 0, &set, msg,
			sizeof(msg));
	if (st == RPMEM_ST_OK)
		st = rpmemd_pool_remove(set, flags, msg, sizeof(msg));
	rpmemd_poolset_delete(&set);
	if (st != RPMEM_ST_OK)
		RPMEMD_LOG(ERR, "%s", msg);
	return rpmem_status_to_errno((uint32_t)st);
}

/* rpmemd_config_failed -- report a configuration error and pick a status */
static int
rpmemd_config_failed(struct rpmemd *d, const char *err)
{
	RPMEMD_LOG(ERR, "%s", err);
	if (d->cfg.remove[0] != '\0')
		return rpmem_status_to_errno(RPMEM_ST_CONFIG);
	rpmemd_send_hello(d, RPMEM_ST_CONFIG, err);
	return 1;
}

/* rpmemd_signals_block -- route TERM/INT/HUP to a signalfd */
static int
rpmemd_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return RPMEM_FI("signalfd", EMFILE) ? -1 :
		signalfd(-1, &set, SFD_CLOEXEC);
}

/* main -- configure, greet the client, serve one session */
int
main(int argc, char *argv[])
{
	struct rpmemd d = {
		.in = STDIN_FILENO,
		.out = STDOUT_FILENO,
		.sigfd = -1,
	};
	char err[RPMEM_MSG_TEXT_MAX];
	int ret;

#ifdef RPMEM_FAULT_INJECTION
	/* RPMEMD_FAULT_INJECT*: the daemon's own sequence (fault_inject.h) */
	rpmem_fi_init("RPMEMD");
#endif
	/* a vanished client must be EPIPE, not death */
	signal(SIGPIPE, SIG_IGN);


	d.sigfd = rpmemd_signals_block();
	if (d.sigfd < 0) {
		RPMEMD_LOG(ERR, "cannot set up signal handling: %s",
			strerror(errno));
		return 1;
	}

	if (rpmemd_config_load(&d.cfg, NULL, argc, argv, err, sizeof(err))) {
		ret = rpmemd_config_failed(&d, err);
		goto close_sigfd;
	}
	if (d.cfg.help) {
		fputs(rpmemd_config_usage(), stdout);
		ret = 0;
		goto close_sigfd;
	}
	if (d.cfg.version) {
		printf("rpmemd %s\n", RPMEMD_VERSION_STRING);
		ret = 0;
		goto close_sigfd;
	}

	if (rpmemd_log_setup(d.cfg.log_file[0] ? d.cfg.log_file : NULL,
			d.cfg.use_syslog, d.cfg.log_level)) {
		snprintf(err, sizeof(err), "log-file '%.160s': %s",
			d.cfg.log_file, strerror(errno));
		ret = rpmemd_config_failed(&d, err);
		goto close_sigfd;
	}

	if (d.cfg.remove[0] != '\0') {
		ret = rpmemd_remove_mode(&d);
		goto close_log;
	}

	RPMEMD_LOG(INFO, "session started: poolset-dir '%s', part-dir '%s', "
		"max-lanes %u, service-nice %d, persist-apm %s, "
		"persist-general %s",
		d.cfg.poolset_dir, d.cfg.part_dir[0] ? d.cfg.part_dir :
		"(anywhere)", d.cfg.max_lanes, d.cfg.service_nice,
		d.cfg.persist_apm ? "yes" : "no",
		d.cfg.persist_general ? "yes" : "no");
	if (d.cfg.nthreads_set)
		RPMEMD_LOG(NOTICE, "--nthreads %u ignored: one service thread "
			"serves every lane of the session (classic rpmemd ran "
			"a worker thread per lane or per --nthreads)",
			d.cfg.nthreads);
	/* unheard, the client would wait for a HELLO until its timeout */
	ret = rpmemd_send_hello(&d, RPMEM_ST_OK, NULL) ? 1 :
		rpmemd_serve(&d);


close_log:
	rpmemd_log_close();
close_sigfd:
	close(d.sigfd);
	return ret;
}
