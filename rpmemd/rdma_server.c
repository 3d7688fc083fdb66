/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_server.c -- rpmemd's RDMA side of one open pool, the object
 * (rdma_server.h): bind and listen, register the pool, start the service
 * thread, and the ordered teardown (thread, lanes, registration, memory
 * last).  The jobs themselves live in the files rdma_server_int.h lists.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fault_inject.h"
#include "log.h"
#include "rdma_accept.h"
#include "rdma_pool_mr.h"
#include "rdma_server_int.h"
#include "rdma_service.h"
#include "rpmem_os.h"

/* bind_listen -- bind to the numeric address on an ephemeral port */
static int
bind_listen(struct rpmemd_rdma *rdma, const char *addr)
{
	struct addrinfo hints, *ai;
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	ret = getaddrinfo(addr, "0", &hints, &ai);
	if (ret) {
		RPMEMD_LOG(ERR, "invalid RDMA address '%s': %s", addr,
			gai_strerror(ret));
		return RPMEM_ST_CONFIG;
	}
	ret = RPMEM_FI("rdma_bind_addr", EADDRNOTAVAIL) ? -1 :
		rdma_bind_addr(rdma->listen_id, ai->ai_addr);
	freeaddrinfo(ai);
	if (ret) {
		RPMEMD_LOG(ERR, "rdma_bind_addr(%s): %s", addr,
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	/* bound to an address, the id knows its device already */
	if (rdma->listen_id->verbs == NULL) {
		RPMEMD_LOG(ERR, "address %s is not on an RDMA device", addr);
		return RPMEM_ST_RDMA;
	}
	rdma->verbs = rdma->listen_id->verbs;
	return 0;
}

/* clamp_lanes -- no more lanes than the device has QPs and CQs for */
static unsigned
clamp_lanes(const struct ibv_device_attr *d, unsigned want)
{
	unsigned n = want ? want : 1;

	if (d->max_qp > 0 && (unsigned)d->max_qp < n)
		n = (unsigned)d->max_qp;
	if (d->max_cq > 0 && (unsigned)d->max_cq < n)
		n = (unsigned)d->max_cq;
	return n;
}

/* rdma_free -- undo rpmemd_rdma_new; every lane must be FREE */
static void
rdma_free(struct rpmemd_rdma *rdma)
{
	if (rdma->listen_id)
		(void) rdma_destroy_id(rdma->listen_id);
	if (rdma->cch)
		(void) ibv_destroy_comp_channel(rdma->cch);
	if (rdma->pool_mr)
		(void) ibv_dereg_mr(rdma->pool_mr);
	if (rdma->pd)
		(void) ibv_dealloc_pd(rdma->pd);
	if (rdma->evch)
		rdma_destroy_event_channel(rdma->evch);
	if (rdma->wake_fd >= 0)
		(void) close(rdma->wake_fd);
	free(rdma->active);
	free(rdma->lanes);
	memset(rdma->secret, 0, sizeof(rdma->secret));
	free(rdma);
}

/* rdma_setup -- the steps of rpmemd_rdma_new after the allocation */
static int
rdma_setup(struct rpmemd_rdma *rdma, const struct rpmemd_rdma_attr *attr)
{
	int st;

	rdma->evch = RPMEM_FI("rdma_create_event_channel", EMFILE) ? NULL :
		rdma_create_event_channel();
	if (rdma->evch == NULL || rpmem_set_nonblock(rdma->evch->fd)) {
		RPMEMD_LOG(ERR, "rdma_create_event_channel: %s",
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	if (RPMEM_FI("rdma_create_id", ENOMEM) ||
	    rdma_create_id(rdma->evch, &rdma->listen_id, NULL, RDMA_PS_TCP)) {
		RPMEMD_LOG(ERR, "rdma_create_id: %s", strerror(errno));
		return RPMEM_ST_RDMA;
	}
	st = bind_listen(rdma, attr->bind_addr);
	if (st)
		return st;
	if (RPMEM_FI("ibv_query_device", EIO) ||
	    ibv_query_device(rdma->verbs, &rdma->dattr)) {
		RPMEMD_LOG(ERR, "querying %s: %s",
			ibv_get_device_name(rdma->verbs->device),
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	rdma->nlanes = clamp_lanes(&rdma->dattr, attr->nlanes);
	rdma->pd = RPMEM_FI("ibv_alloc_pd", ENOMEM) ? NULL :
		ibv_alloc_pd(rdma->verbs);
	if (rdma->pd == NULL) {
		RPMEMD_LOG(ERR, "ibv_alloc_pd: %s", strerror(errno));
		return RPMEM_ST_RDMA;
	}
	/* the daemon-owned header stays out of the client's reach */
	st = rpmemd_pool_mr_reg(rdma->pd, rdma->pool_addr + rdma->hdr_size,
			rdma->pool_size - rdma->hdr_size, &rdma->pool_mr);
	if (st)
		return st;
	rdma->cch = RPMEM_FI("ibv_create_comp_channel", EMFILE) ? NULL :
		ibv_create_comp_channel(rdma->verbs);
	if (rdma->cch == NULL || rpmem_set_nonblock(rdma->cch->fd)) {
		RPMEMD_LOG(ERR, "ibv_create_comp_channel: %s",
			strerror(errno));
		return RPMEM_ST_RDMA;
	}
	rdma->wake_fd = RPMEM_FI("eventfd", EMFILE) ? -1 :
		eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rdma->lanes = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(rdma->nlanes, sizeof(*rdma->lanes));
	rdma->active = RPMEM_FI("calloc", ENOMEM) ? NULL :
		calloc(rdma->nlanes, sizeof(*rdma->active));
	if (rdma->wake_fd < 0 || rdma->lanes == NULL ||
	    rdma->active == NULL) {
		RPMEMD_LOG(ERR, "out of resources: %s", strerror(errno));
		return RPMEM_ST_NOMEM;
	}
	for (unsigned i = 0; i < rdma->nlanes; i++) {
		rdma->lanes[i].rdma = rdma;
		rdma->lanes[i].index = i;
	}
	/* requests queue in the channel until rpmemd_rdma_start */
	if (RPMEM_FI("rdma_listen", EADDRINUSE) ||
	    rdma_listen(rdma->listen_id, (int)rdma->nlanes)) {
		RPMEMD_LOG(ERR, "rdma_listen: %s", strerror(errno));
		return RPMEM_ST_RDMA;
	}
	return 0;
}

/* rpmemd_rdma_new -- bind + listen + register the pool */
int
rpmemd_rdma_new(const struct rpmemd_rdma_attr *attr,
		struct rpmemd_rdma **rdmap, struct rpmemd_rdma_info *info)
{
	struct ibv_port_attr pattr;
	struct rpmemd_rdma *rdma;
	int st;

	if (attr->bind_addr == NULL || attr->bind_addr[0] == '\0' ||
	    attr->pool_addr == NULL ||
	    attr->pool_size < attr->hdr_size + 8) {
		RPMEMD_LOG(ERR, "invalid RDMA attributes (address '%s', pool "
			"size %zu, header %zu)", attr->bind_addr ?
			attr->bind_addr : "", attr->pool_size,
			attr->hdr_size);
		return RPMEM_ST_CONFIG;
	}
	rdma = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*rdma));
	if (rdma == NULL) {
		RPMEMD_LOG(ERR, "out of memory");
		return RPMEM_ST_NOMEM;
	}
	rdma->wake_fd = -1;
	rdma->pool_addr = attr->pool_addr;
	rdma->pool_size = attr->pool_size;
	rdma->hdr_size = attr->hdr_size;
	rdma->nice.service = attr->service_nice;
	rdma->pagesz = (size_t)sysconf(_SC_PAGESIZE);
	memcpy(rdma->secret, attr->secret, RPMEM_SECRET_LEN);
	atomic_init(&rdma->stop, 0);
	atomic_init(&rdma->lane_seen, 0);
	st = rdma_setup(rdma, attr);
	if (st) {
		rdma_free(rdma);
		return st;
	}
	if (ibv_query_port(rdma->verbs, rdma->listen_id->port_num, &pattr))
		pattr.max_msg_sz = 0;
	memset(info, 0, sizeof(*info));
	info->port = ntohs(rdma_get_src_port(rdma->listen_id));
	info->rkey = rdma->pool_mr->rkey;
	info->raddr = (uint64_t)(uintptr_t)attr->pool_addr;
	info->nlanes = rdma->nlanes;
	info->max_msg_size = pattr.max_msg_sz;
	snprintf(info->device, sizeof(info->device), "%s",
		ibv_get_device_name(rdma->verbs->device));
	info->vendor_id = rdma->dattr.vendor_id;
	RPMEMD_LOG(INFO, "listening on %s port %u (device %s, %u lanes)",
		attr->bind_addr, info->port, info->device, info->nlanes);
	*rdmap = rdma;
	return 0;
}

/* rpmemd_rdma_start -- start accepting lanes and serving requests */
int
rpmemd_rdma_start(struct rpmemd_rdma *rdma, uint16_t persist_method,
		rpmemd_persist_fn persist, void *persist_ctx)
{
	if (rdma->thread_started)
		return RPMEM_ST_FATAL;
	rdma->pm = persist_method;
	rdma->persist = persist;
	rdma->persist_ctx = persist_ctx;
	rdma->start_ns = rpmem_now_ns();
	return rpmemd_rdma_service_start(rdma);
}

/* rpmemd_rdma_connect_left_ms -- see rdma_server.h */
int
rpmemd_rdma_connect_left_ms(struct rpmemd_rdma *rdma, unsigned timeout_ms)
{
	if (!rdma->thread_started ||
	    atomic_load_explicit(&rdma->lane_seen, memory_order_acquire))
		return -1;
	uint64_t deadline = rdma->start_ns + (uint64_t)timeout_ms * 1000000ull;
	uint64_t now = rpmem_now_ns();

	if (now >= deadline)
		return 0;
	/* round up: a wake-up just before the deadline would spin */
	return (int)((deadline - now + 999999ull) / 1000000ull);
}

/* rpmemd_rdma_delete -- stop, disconnect, deregister, free */
void
rpmemd_rdma_delete(struct rpmemd_rdma **rdmap)
{
	struct rpmemd_rdma *rdma = *rdmap;

	if (rdma == NULL)
		return;
	rpmemd_rdma_service_stop(rdma);
	/* the lanes are ours now; no new lane gets in */
	(void) rdma_destroy_id(rdma->listen_id);
	rdma->listen_id = NULL;
	rpmemd_rdma_disconnect_all(rdma);
	rdma_free(rdma);
	*rdmap = NULL;
}
