/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_peer.c -- a raw rdma_cm client and a raw control session against
 * rpmemd, no librpmem (see hostile_peer.h)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile_peer.h"
#include "tap.h"

extern char **environ;

/* hostile_port_from_log -- port of the last "listening on ... port N" */
unsigned
hostile_port_from_log(const char *log)
{
	char line[1024];
	FILE *f = fopen(log, "r");
	unsigned port = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, "listening on ");

		if (p != NULL && (p = strstr(p, " port ")) != NULL)
			port = (unsigned)strtoul(p + 6, NULL, 10);
	}
	fclose(f);
	return port;
}

/* ------------------------------------------------------------------ */
/* a raw rdma_cm client */

/* cm_wait -- the next CM event on ch within ms; its type or -1 */
static int
cm_wait(struct rdma_event_channel *ch, int ms)
{
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int type;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	if (rdma_get_cm_event(ch, &ev))
		return -1;
	type = (int)ev->event;
	rdma_ack_cm_event(ev);
	return type;
}

/* cm_free -- whatever of c was set up */
static void
cm_free(struct hostile_cm *c)
{
	if (c->qp)
		rdma_destroy_qp(c->id);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->ch)
		rdma_destroy_event_channel(c->ch);
	memset(c, 0, sizeof(*c));
}

/* hostile_cm_connect -- a connect with this private data; the answer */
int
hostile_cm_connect(const char *addr, unsigned port, const void *pdata,
		uint8_t pdlen, struct hostile_cm *c)
{
	struct addrinfo hints, *ai = NULL;
	struct rdma_conn_param cp;
	struct ibv_qp_init_attr qa;
	char ps[16];
	int ev = -1;

	memset(c, 0, sizeof(*c));
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%u", port);
	if (getaddrinfo(addr, ps, &hints, &ai)) {
		detail("getaddrinfo(%s)", addr);
		return -1;
	}
	c->ch = rdma_create_event_channel();
	if (c->ch == NULL || rdma_create_id(c->ch, &c->id, NULL, RDMA_PS_TCP)) {
		detail("rdma_create_id: %s", strerror(errno));
		goto out;
	}
	/* short attempts: the first ARP of a boot may be lost */
	for (int i = 0; i < 5 && ev != RDMA_CM_EVENT_ADDR_RESOLVED; i++) {
		if (rdma_resolve_addr(c->id, NULL, ai->ai_addr, 2000))
			break;
		ev = cm_wait(c->ch, 3000);
	}
	if (ev != RDMA_CM_EVENT_ADDR_RESOLVED ||
	    rdma_resolve_route(c->id, 2000) ||
	    cm_wait(c->ch, 3000) != RDMA_CM_EVENT_ROUTE_RESOLVED) {
		detail("cannot resolve %s (event %d)", addr, ev);
		ev = -1;
		goto out;
	}
	c->pd = ibv_alloc_pd(c->id->verbs);
	c->cq = c->pd ? ibv_create_cq(c->id->verbs, 4, NULL, NULL, 0) : NULL;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = qa.recv_cq = c->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = qa.cap.max_recv_wr = 2;
	qa.cap.max_send_sge = qa.cap.max_recv_sge = 1;
	if (c->cq == NULL || rdma_create_qp(c->id, c->pd, &qa)) {
		detail("QP setup: %s", strerror(errno));
		ev = -1;
		goto out;
	}
	c->qp = 1;
	memset(&cp, 0, sizeof(cp));
	cp.private_data = pdata;
	cp.private_data_len = pdlen;
	cp.responder_resources = 1;
	cp.initiator_depth = 1;
	cp.retry_count = 3;
	cp.rnr_retry_count = 3;
	if (rdma_connect(c->id, &cp)) {
		detail("rdma_connect: %s", strerror(errno));
		ev = -1;
		goto out;
	}
	ev = cm_wait(c->ch, 10000);
	if (ev < 0)
		detail("no answer to the connect request within 10 s");
out:
	freeaddrinfo(ai);
	if (ev != RDMA_CM_EVENT_ESTABLISHED)
		cm_free(c);
	return ev;
}

/* hostile_cm_disconnect -- DREQ, wait a little for the reply, free */
void
hostile_cm_disconnect(struct hostile_cm *c)
{
	if (c->id && rdma_disconnect(c->id) == 0)
		(void) cm_wait(c->ch, 2000);
	cm_free(c);
}

/* hostile_pdata -- a lane's private data, len bytes of it (rest zero) */
uint8_t
hostile_pdata(uint8_t *buf, uint16_t version, uint16_t lane,
		const uint8_t *secret, uint8_t len)
{
	struct rpmem_conn_pdata pd = { .version = version, .lane = lane };

	memset(buf, 0, HOSTILE_PDATA_MAX);
	memcpy(pd.secret, secret, RPMEM_SECRET_LEN);
	rpmem_conn_pdata_encode(&pd, buf);
	memset(buf + len, 0, HOSTILE_PDATA_MAX - len);
	return len;
}

/* hostile_expect_rejected -- a connect that must not be established */
int
hostile_expect_rejected(const char *addr, unsigned port, const void *pd,
		uint8_t len, const char *what)
{
	struct hostile_cm c;
	int ev = hostile_cm_connect(addr, port, pd, len, &c);

	if (ev == RDMA_CM_EVENT_ESTABLISHED) {
		detail("the connection was established");
		hostile_cm_disconnect(&c);
	} else if (ev >= 0 && ev != RDMA_CM_EVENT_REJECTED) {
		detail("answered by %s", rdma_event_str(ev));
	}
	return expect(ev == RDMA_CM_EVENT_REJECTED, "%s: rejected", what);
}

/* ------------------------------------------------------------------ */
/* a raw control session */

/* read_full -- len bytes from fd within ms; -1 on a timeout or EOF */
static int
read_full(int fd, void *buf, size_t len, int ms)
{
	uint8_t *p = buf;
	double t0 = now_ms();

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = ms - (int)(now_ms() - t0);

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		ssize_t n = read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* hostile_ctl_recv -- one message (status not checked) */
int
hostile_ctl_recv(struct hostile_ctl *c, struct rpmem_msg *m)
{
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	const char *why;
	uint16_t type;
	uint32_t size;

	if (read_full(c->out, buf, RPMEM_MSG_HDR_SIZE, c->wait_ms) ||
	    rpmem_msg_hdr_check(buf, &type, &size, &why) != RPMEM_ST_OK ||
	    size > sizeof(buf) ||
	    read_full(c->out, buf + RPMEM_MSG_HDR_SIZE,
		size - RPMEM_MSG_HDR_SIZE, c->wait_ms) ||
	    rpmem_msg_decode(buf, size, m, &why) != RPMEM_ST_OK) {
		detail("no valid message from rpmemd");
		return -1;
	}
	return 0;
}

/* hostile_ctl_send -- one encoded message */
int
hostile_ctl_send(struct hostile_ctl *c, const struct rpmem_msg *m)
{
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	size_t len = rpmem_msg_encode(m, buf, sizeof(buf));

	return len && write(c->in, buf, len) == (ssize_t)len ? 0 : -1;
}

/* hostile_ctl_start -- cmd on pipes; HELLO read */
int
hostile_ctl_start(struct hostile_ctl *c, const char *cmd, int wait_ms)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	posix_spawn_file_actions_t fa;
	struct rpmem_msg m;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int e;

	memset(&m, 0, sizeof(m));
	memset(c, 0, sizeof(*c));
	c->in = c->out = -1;
	c->wait_ms = wait_ms;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		detail("pipe2: %s", strerror(errno));
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	e = posix_spawn(&c->pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	if (e) {
		detail("posix_spawn: %s", strerror(e));
		c->pid = 0;
		(void) hostile_ctl_end(c, NULL);
		return -1;
	}
	if (hostile_ctl_recv(c, &m) || m.type != RPMEM_MSG_HELLO ||
	    m.status != RPMEM_ST_OK) {
		if (Detail[0] == '\0')
			detail("HELLO: type %u status %u", m.type, m.status);
		(void) hostile_ctl_end(c, NULL);
		return -1;
	}
	return 0;
}

/* hostile_ctl_pool -- CREATE or OPEN set; the response in *resp */
int
hostile_ctl_pool(struct hostile_ctl *c, uint16_t type, const char *rdma_addr,
		const char *set, size_t size, unsigned nlanes,
		const struct rpmem_pool_attr *attr, struct rpmem_msg *resp)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.pool.pool_size = size;
	m.u.pool.nlanes = nlanes;
	snprintf(m.u.pool.pool_desc, sizeof(m.u.pool.pool_desc), "%s", set);
	snprintf(m.u.pool.rdma_addr, sizeof(m.u.pool.rdma_addr), "%s",
		rdma_addr);
	if (attr != NULL) {
		m.u.pool.flags = RPMEM_REQ_HAS_ATTR;
		m.u.pool.attr = *attr;
	}
	if (hostile_ctl_send(c, &m) || hostile_ctl_recv(c, resp))
		return -1;
	if (resp->type != type + 1 || resp->status != RPMEM_ST_OK) {
		detail("response %u status %u '%s'", resp->type, resp->status,
			resp->text);
		return -1;
	}
	return 0;
}

/* close_pipes -- our ends of the session's pipes */
static void
close_pipes(struct hostile_ctl *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	c->in = c->out = -1;
}

/* hostile_ctl_wait_exit -- rpmemd ends the session by itself within ms */
int
hostile_ctl_wait_exit(struct hostile_ctl *c, int ms, double *took)
{
	double t0 = now_ms();
	int st = -1;
	pid_t w;

	while ((w = waitpid(c->pid, &st, WNOHANG)) == 0 && now_ms() - t0 < ms)
		usleep(10000);
	*took = now_ms() - t0;
	if (w != c->pid) {
		/* still running: hostile_ctl_end kills it */
		(void) hostile_ctl_end(c, NULL);
		return -1;
	}
	c->pid = 0;
	close_pipes(c);
	return st;
}

/* hostile_ctl_end -- close our ends, reap rpmemd within wait_ms */
int
hostile_ctl_end(struct hostile_ctl *c, double *took)
{
	double t0 = now_ms();
	int st = -1;

	close_pipes(c);
	while (c->pid > 0 && waitpid(c->pid, &st, WNOHANG) == 0) {
		if (now_ms() - t0 > c->wait_ms) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &st, 0);
			st = -1;
			break;
		}
		usleep(5000);
	}
	c->pid = 0;
	if (took)
		*took = now_ms() - t0;
	return st;
}
