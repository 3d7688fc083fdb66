/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_accept.c -- the CM side of rpmemd's RDMA server (rdma_accept.h)
 *
 * The rdma_cm port is reachable by anyone: a lane is accepted only with
 * the 16-byte session secret that the ssh-authenticated client received,
 * compared in constant time, for a free lane number on our device.
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "log.h"
#include "rdma_accept.h"
#include "rdma_lane.h"
#include "rpmem_os.h"

#define RPMEMD_DISCONNECT_MS 1000

/* peer_str -- printable peer address of id */
static const char *
peer_str(struct rdma_cm_id *id, char *buf, size_t len)
{
	struct sockaddr *sa = rdma_get_peer_addr(id);

	if (sa == NULL || getnameinfo(sa, sa->sa_family == AF_INET6 ?
			sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in), buf, (socklen_t)len,
			NULL, 0, NI_NUMERICHOST))
		snprintf(buf, len, "?");
	return buf;
}

/* secret_eq -- constant-time compare: no timing oracle for the secret */
static int
secret_eq(const uint8_t *a, const uint8_t *b)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < RPMEM_SECRET_LEN; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* on_connect_request -- verify the lane's credentials, accept or reject */
static void
on_connect_request(struct rpmemd_rdma *rdma, struct rdma_cm_event *ev)
{
	struct rdma_cm_id *id = ev->id;
	struct rpmem_conn_pdata pd;
	const char *why = NULL;
	char peer[64];

	if (rdma->stopping)
		why = "shutting down";
	else if (rpmem_conn_pdata_decode(ev->param.conn.private_data,
			ev->param.conn.private_data_len, &pd))
		why = "malformed private data (not an rpmem lane)";
	else if (!secret_eq(pd.secret, rdma->secret))
		why = "wrong session secret";
	else if (pd.lane >= rdma->nlanes)
		why = "lane number out of range";
	else if (rdma->lanes[pd.lane].state != LANE_FREE)
		why = "lane already connected";
	else if (id->verbs != rdma->verbs)
		why = "request arrived on another RDMA device";

	if (why == NULL && rpmemd_lane_accept(rdma, &rdma->lanes[pd.lane], id,
			&ev->param.conn) == 0) {
		RPMEMD_LOG(INFO, "lane %u: accepted %s", pd.lane,
			peer_str(id, peer, sizeof(peer)));
		atomic_store_explicit(&rdma->lane_seen, 1,
			memory_order_release);
		(void) rdma_ack_cm_event(ev);
		return;
	}
	if (why != NULL)
		RPMEMD_LOG(NOTICE, "rejecting a connection from %s: %s",
			peer_str(id, peer, sizeof(peer)), why);
	(void) rdma_reject(id, NULL, 0);
	/* an id must have no unacked event when destroyed */
	(void) rdma_ack_cm_event(ev);
	(void) rdma_destroy_id(id);
}

/* rpmemd_rdma_cm_events -- everything the CM channel holds now */
void
rpmemd_rdma_cm_events(struct rpmemd_rdma *rdma)
{
	struct rdma_cm_event *ev;

	while (rdma_get_cm_event(rdma->evch, &ev) == 0) {
		enum rdma_cm_event_type type = ev->event;
		struct rpmemd_lane *lane = ev->id == rdma->listen_id ? NULL :
			ev->id->context;
		int status = ev->status;

		if (type == RDMA_CM_EVENT_CONNECT_REQUEST) {
			on_connect_request(rdma, ev);
			continue;
		}
		(void) rdma_ack_cm_event(ev);
		switch (type) {
		case RDMA_CM_EVENT_ESTABLISHED:
			if (lane && lane->state == LANE_ACCEPTED)
				lane->state = LANE_ESTABLISHED;
			break;
		case RDMA_CM_EVENT_DISCONNECTED:
			if (lane) {
				RPMEMD_LOG(INFO, "lane %u: disconnected",
					lane->index);
				if (lane->state != LANE_CLOSING)
					(void) rdma_disconnect(lane->id);
				rpmemd_lane_destroy(rdma, lane);
			}
			break;
		case RDMA_CM_EVENT_CONNECT_ERROR:
		case RDMA_CM_EVENT_UNREACHABLE:
		case RDMA_CM_EVENT_REJECTED:
			if (lane) {
				RPMEMD_LOG(NOTICE, "lane %u: %s (status %d)",
					lane->index, rdma_event_str(type),
					status);
				rpmemd_lane_destroy(rdma, lane);
			}
			break;
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			RPMEMD_LOG(ERR, "RDMA device %s removed",
				ibv_get_device_name(rdma->verbs->device));
			if (lane)
				rpmemd_lane_destroy(rdma, lane);
			break;
		default:
			break;	/* TIMEWAIT_EXIT and the like */
		}
	}
}

/* rpmemd_rdma_disconnect_all -- DREQ every lane, wait for the replies */
void
rpmemd_rdma_disconnect_all(struct rpmemd_rdma *rdma)
{
	uint64_t deadline = rpmem_now_ns() + RPMEMD_DISCONNECT_MS * 1000000ull;

	rdma->stopping = 1;
	for (unsigned i = 0; i < rdma->nlanes; i++)
		rpmemd_lane_close(&rdma->lanes[i]);
	while (rdma->nactive > 0) {
		uint64_t now = rpmem_now_ns();

		if (now >= deadline)
			break;	/* dead peers: destroy anyway */
		struct pollfd pfd = { .fd = rdma->evch->fd, .events = POLLIN };
		(void) poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
		rpmemd_rdma_cm_events(rdma);
	}
	for (unsigned i = 0; i < rdma->nlanes; i++)
		rpmemd_lane_destroy(rdma, &rdma->lanes[i]);
}
