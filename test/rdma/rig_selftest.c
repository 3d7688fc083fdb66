/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rig_selftest.c -- does the RDMA rig move bytes correctly?  No librpmem.
 *
 * A server thread listens on RPMEM_TEST_TARGET_ADDR; the client connects
 * from RPMEM_TEST_INITIATOR_ADDR (two RC QPs through librdmacm), RDMA-WRITEs
 * a patterned 1 MiB buffer into the server's registered buffer, RDMA-READs
 * it back into a second buffer and compares both the read-back copy and the
 * server's memory with the pattern.  --corrupt flips one byte of the
 * read-back copy after the READ, to prove the comparison can fail.
 *
 * Exit 0 on a match, 1 on a mismatch or any failure (the first mismatch is
 * printed).  A watchdog alarm bounds the whole run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#define BUF_SIZE (1u << 20)
#define CM_TIMEOUT_MS 5000
#define CQ_TIMEOUT_NS (10ull * 1000000000ull)
#define WATCHDOG_S 60

/* one side of the connection */
struct side {
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	struct ibv_mr *mr2;
	uint8_t *buf;
	uint8_t *buf2;
};

static struct {
	struct rdma_cm_id *listen_id;
	struct side srv;
	int srv_ok;
	char srv_err[256];
} S;

static int Verbose;

/* step -- trace progress (RIG_DEBUG=1): where a hang happened */
static void
step(const char *what)
{
	if (Verbose)
		fprintf(stderr, "rig_selftest: %s\n", what);
}

/* die -- report and exit 1 */
static void
die(const char *what)
{
	fprintf(stderr, "rig_selftest: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* now_ns -- CLOCK_MONOTONIC in ns */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* env_addr -- a required address from the environment */
static const char *
env_addr(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "rig_selftest: %s is not set (run inside "
			"tools/rxe-vm)\n", name);
		exit(1);
	}
	return v;
}

/* to_sockaddr -- numeric address + port */
static void
to_sockaddr(const char *node, const char *port, struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST |
		AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;

	if (getaddrinfo(node, port, &hints, &ai)) {
		fprintf(stderr, "rig_selftest: bad address %s\n", node);
		exit(1);
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
}

/* side_setup -- PD, CQ, QP on a resolved/requested id */
static int
side_setup(struct side *s)
{
	struct ibv_qp_init_attr qpa;

	s->pd = ibv_alloc_pd(s->id->verbs);
	if (s->pd == NULL)
		return -1;
	s->cq = ibv_create_cq(s->id->verbs, 8, NULL, NULL, 0);
	if (s->cq == NULL)
		return -1;
	memset(&qpa, 0, sizeof(qpa));
	qpa.send_cq = s->cq;
	qpa.recv_cq = s->cq;
	qpa.qp_type = IBV_QPT_RC;
	qpa.cap.max_send_wr = 4;
	qpa.cap.max_recv_wr = 1;
	qpa.cap.max_send_sge = 1;
	qpa.cap.max_recv_sge = 1;
	return rdma_create_qp(s->id, s->pd, &qpa);
}

/* server -- accept one connection with a remotely accessible buffer */
static void *
server(void *arg)
{
	struct rdma_conn_param cp;
	struct side *s = &S.srv;

	(void) arg;
	step("server: waiting for the request");
	if (rdma_get_request(S.listen_id, &s->id)) {
		snprintf(S.srv_err, sizeof(S.srv_err), "rdma_get_request: %s",
			strerror(errno));
		return NULL;
	}
	if (side_setup(s)) {
		snprintf(S.srv_err, sizeof(S.srv_err), "server setup: %s",
			strerror(errno));
		return NULL;
	}
	s->buf = aligned_alloc(4096, BUF_SIZE);
	memset(s->buf, 0, BUF_SIZE);
	s->mr = ibv_reg_mr(s->pd, s->buf, BUF_SIZE, IBV_ACCESS_LOCAL_WRITE |
		IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (s->mr == NULL) {
		snprintf(S.srv_err, sizeof(S.srv_err), "server ibv_reg_mr: %s",
			strerror(errno));
		return NULL;
	}
	memset(&cp, 0, sizeof(cp));
	cp.responder_resources = 1;
	cp.initiator_depth = 1;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	step("server: accepting");
	if (rdma_accept(s->id, &cp)) {
		snprintf(S.srv_err, sizeof(S.srv_err), "rdma_accept: %s",
			strerror(errno));
		return NULL;
	}
	step("server: established");
	S.srv_ok = 1;
	return NULL;
}

/* wait_one -- busy-poll one completion, bounded */
static int
wait_one(struct ibv_cq *cq, const char *what)
{
	uint64_t deadline = now_ns() + CQ_TIMEOUT_NS;
	struct ibv_wc wc;
	int n;

	while ((n = ibv_poll_cq(cq, 1, &wc)) == 0) {
		if (now_ns() > deadline) {
			fprintf(stderr, "rig_selftest: FAIL: %s: no completion "
				"within 10 s\n", what);
			return -1;
		}
	}
	if (n < 0 || wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "rig_selftest: FAIL: %s: %s\n", what,
			n < 0 ? "ibv_poll_cq failed" :
			ibv_wc_status_str(wc.status));
		return -1;
	}
	return 0;
}

/* rdma_op -- one signaled WRITE or READ of the whole buffer */
static int
rdma_op(struct side *c, enum ibv_wr_opcode op, uint8_t *lbuf,
		struct ibv_mr *lmr, uint64_t *ns)
{
	struct ibv_sge sge = { .addr = (uintptr_t)lbuf, .length = BUF_SIZE,
		.lkey = lmr->lkey };
	struct ibv_send_wr wr, *bad;
	uint64_t t0 = now_ns();

	memset(&wr, 0, sizeof(wr));
	wr.opcode = op;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (uintptr_t)S.srv.buf;
	wr.wr.rdma.rkey = S.srv.mr->rkey;
	if (ibv_post_send(c->id->qp, &wr, &bad)) {
		errno = errno ? errno : EIO;
		die("ibv_post_send");
	}
	if (wait_one(c->cq, op == IBV_WR_RDMA_WRITE ? "WRITE" : "READ"))
		return -1;
	*ns = now_ns() - t0;
	return 0;
}

/* first_mismatch -- index of the first differing byte, or -1 */
static long
first_mismatch(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

int
main(int argc, char *argv[])
{
	const char *taddr = env_addr("RPMEM_TEST_TARGET_ADDR");
	const char *iaddr = env_addr("RPMEM_TEST_INITIATOR_ADDR");
	struct sockaddr_storage src, dst;
	struct rdma_conn_param cp;
	struct side c;
	pthread_t thr;
	char port[8];
	uint64_t wns, rns;
	long bad_read, bad_srv;
	int corrupt = argc > 1 && strcmp(argv[1], "--corrupt") == 0;

	alarm(WATCHDOG_S);
	Verbose = getenv("RIG_DEBUG") != NULL;
	memset(&c, 0, sizeof(c));

	/* server: bind the target address on an ephemeral port, listen */
	to_sockaddr(taddr, "0", &dst);
	if (rdma_create_id(NULL, &S.listen_id, NULL, RDMA_PS_TCP))
		die("rdma_create_id (server)");
	if (rdma_bind_addr(S.listen_id, (struct sockaddr *)&dst))
		die("rdma_bind_addr (server)");
	if (rdma_listen(S.listen_id, 1))
		die("rdma_listen");
	snprintf(port, sizeof(port), "%u",
		ntohs(rdma_get_src_port(S.listen_id)));
	if (pthread_create(&thr, NULL, server, NULL))
		die("pthread_create");

	/* client: from the initiator address, synchronous CM calls */
	to_sockaddr(iaddr, "0", &src);
	to_sockaddr(taddr, port, &dst);
	if (rdma_create_id(NULL, &c.id, NULL, RDMA_PS_TCP))
		die("rdma_create_id (client)");
	if (rdma_resolve_addr(c.id, (struct sockaddr *)&src,
			(struct sockaddr *)&dst, CM_TIMEOUT_MS))
		die("rdma_resolve_addr");
	if (rdma_resolve_route(c.id, CM_TIMEOUT_MS))
		die("rdma_resolve_route");
	if (side_setup(&c))
		die("client setup");
	c.buf = aligned_alloc(4096, BUF_SIZE);
	c.buf2 = aligned_alloc(4096, BUF_SIZE);
	for (size_t i = 0; i < BUF_SIZE; i++)
		c.buf[i] = (uint8_t)(i * 7 + (i >> 12) + 1);
	memset(c.buf2, 0, BUF_SIZE);
	c.mr = ibv_reg_mr(c.pd, c.buf, BUF_SIZE, IBV_ACCESS_LOCAL_WRITE);
	c.mr2 = ibv_reg_mr(c.pd, c.buf2, BUF_SIZE, IBV_ACCESS_LOCAL_WRITE);
	if (c.mr == NULL || c.mr2 == NULL)
		die("ibv_reg_mr (client)");
	memset(&cp, 0, sizeof(cp));
	cp.initiator_depth = 1;
	cp.responder_resources = 1;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	step("client: connecting");
	if (rdma_connect(c.id, &cp))
		die("rdma_connect");
	step("client: connected");
	pthread_join(thr, NULL);
	if (!S.srv_ok) {
		fprintf(stderr, "rig_selftest: FAIL: %s\n", S.srv_err);
		return 1;
	}

	step("client: WRITE + READ");
	if (rdma_op(&c, IBV_WR_RDMA_WRITE, c.buf, c.mr, &wns) ||
	    rdma_op(&c, IBV_WR_RDMA_READ, c.buf2, c.mr2, &rns))
		return 1;
	if (corrupt)
		c.buf2[BUF_SIZE / 3] ^= 0x5a;

	bad_read = first_mismatch(c.buf, c.buf2, BUF_SIZE);
	bad_srv = first_mismatch(c.buf, S.srv.buf, BUF_SIZE);
	if (bad_read >= 0)
		printf("rig_selftest: mismatch in the read-back copy at byte "
			"%ld: expected 0x%02x, got 0x%02x\n", bad_read,
			c.buf[bad_read], c.buf2[bad_read]);
	if (bad_srv >= 0)
		printf("rig_selftest: mismatch in the server's memory at byte "
			"%ld: expected 0x%02x, got 0x%02x\n", bad_srv,
			c.buf[bad_srv], S.srv.buf[bad_srv]);
	printf("rig_selftest: %s: 1 MiB WRITE %.0f us + READ %.0f us, "
		"%s (%s) -> %s (%s)%s\n",
		bad_read < 0 && bad_srv < 0 ? "PASS" : "FAIL",
		(double)wns / 1e3, (double)rns / 1e3,
		ibv_get_device_name(c.id->verbs->device), iaddr,
		ibv_get_device_name(S.srv.id->verbs->device), taddr,
		corrupt ? " [--corrupt]" : "");

	fflush(stdout);
	/*
	 * No rdma_disconnect: on synchronous ids it waits for the peer's
	 * reply, and the peer is this thread.  Destroying a connected id
	 * sends the DREQ itself.
	 */
	rdma_destroy_qp(c.id);
	rdma_destroy_qp(S.srv.id);
	(void) ibv_dereg_mr(c.mr);
	(void) ibv_dereg_mr(c.mr2);
	(void) ibv_dereg_mr(S.srv.mr);
	(void) ibv_destroy_cq(c.cq);
	(void) ibv_destroy_cq(S.srv.cq);
	(void) ibv_dealloc_pd(c.pd);
	(void) ibv_dealloc_pd(S.srv.pd);
	(void) rdma_destroy_id(c.id);
	(void) rdma_destroy_id(S.srv.id);
	(void) rdma_destroy_id(S.listen_id);
	free(c.buf);
	free(c.buf2);
	free(S.srv.buf);
	return bad_read < 0 && bad_srv < 0 ? 0 : 1;
}
