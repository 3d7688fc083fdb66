/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * librpmem.c -- the public API (librpmem.h, API 1.2: 1.1 + flush/drain)
 *
 * A pool = a control session with rpmemd (ctl_client.c, over ssh) + the
 * RDMA data path (data_path.h).
 *
 * Error convention of the library side, every layer alike: a failure
 * returns -1 (NULL from rpmem_create/rpmem_open), sets errno and leaves one
 * specific message in this thread's buffer (error.h: RPMEM_ERR_ERRNO sets
 * both; rpmem_errormsg() returns it); cleanup after a failure keeps the
 * first failure's errno and message.  Arguments are checked once, here at
 * the API boundary, and the messages of those checks start with the API
 * function's name (__func__); the layers below only assert() them (no
 * check in the RelWithDebInfo builds, which define NDEBUG).
 *
 * Differences from classic librpmem that are deliberate:
 *  - argument errors (lane, offset, length) are checked here and never
 *    poison the handle; only transport errors of the data path are sticky
 *    (later persist/read fail at once with the same errno);
 *  - the header size comes from the daemon (it knows whether the pool has
 *    a header), not from whether open_attr happened to be NULL;
 *  - rpmem_read checks its range against the pool size and, like
 *    rpmem_persist, refuses the header [0, 4096) of a pool with one
 *    (EINVAL): rpmemd registers the pool without it.
 *
 * Environment (librpmem(7) ENVIRONMENT; PMDK's names and meanings, read
 * at each create/open/remove instead of once at load, "" = unset; env.c):
 *  RPMEM_SSH         the ssh program (default "ssh"), one word, PATH lookup
 *  RPMEM_CMD         the remote command (default "rpmemd"), through the
 *                    remote shell; several separated by '|' are used in
 *                    turn, one per create/open/remove (ssh.c); an empty
 *                    command ("a||b") fails the call with EINVAL
 *  RPMEM_MAX_NLANES  upper bound on lanes, applied before the request
 *                    (a positive int, larger ones mean UINT_MAX; anything
 *                    else is ignored with a warning)
 *  RPMEM_WORK_QUEUE_SIZE  send queue depth per lane, clamped to [2, 32]
 *                    and the device's limit (data_path.c); PMDK's default
 *                    50 is above our 32, so unset means 32; invalid: warning
 *  RPMEM_ENABLE_VERBS    0 (or not an integer, as in PMDK) disables verbs,
 *                    the only provider here: create/open fail ENOMEDIUM
 *                    "cannot find provider"; rpmem_remove is unaffected
 *  RPMEM_ENABLE_SOCKETS  non-zero asks for the sockets provider, which
 *                    does not exist here: with verbs enabled verbs is
 *                    used (PMDK prefers verbs too), else ENOMEDIUM
 *  RPMEM_LOG_LEVEL   0 nothing; 1 a line per create/open with the persist
 *                    method and why, and every failed create/open/remove;
 *                    2..4 also the connection setup (the ssh command,
 *                    the send queue depth); no per-call trace
 *  RPMEM_LOG_FILE    the log's file instead of stderr; a trailing '-'
 *                    appends the pid; truncated when first written
 *  RPMEM_TIMEOUT_MS  bound on every wait: control responses (default
 *                    30000) and the data path's connect/completions
 *                    (default DP_TIMEOUT_MS_DEFAULT, 10000); not PMDK's
 *  RPMEM_SPIN_US     busy-poll time of a lane before it sleeps; not PMDK's
 *  RPMEM_SPIN_MAX_US the spin window's growth bound (lane_spin.h); not PMDK's
 * Warnings about invalid values go to the log whatever the level.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "librpmem.h"
#include "ctl_client.h"
#include "data_path.h"
#include "env.h"
#include "error.h"
#include "fault_inject.h"
#include "pool.h"
#include "rpmem_proto.h"
#include "target.h"

#define RPMEM_API __attribute__((visibility("default")))

/* data path waits: shorter than control, a lane answers in microseconds */
#define DP_TIMEOUT_MS_DEFAULT 10000

struct rpmem_pool {
	struct rpmem_ctl *ctl;
	struct rpmem_dp *dp;
	size_t pool_size;
	unsigned nlanes;		/* lanes connected */
	uint32_t hdr_size;		/* [0, hdr_size) belongs to rpmemd */
	uint16_t persist_method;
	int error;			/* sticky transport errno (atomic) */
	char name[RPMEM_POOL_DESC_MAX];
	char node[RPMEM_ADDR_MAX];	/* numeric address of the target */
	char pm_reason[RPMEM_PM_REASON_MAX];
};

/* inval -- EINVAL with a message; returns -1 */
__attribute__((format(printf, 1, 2)))
static int
inval(const char *fmt, ...)
{
	char msg[RPMEM_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rpmem_err_set("%s", msg);
	errno = EINVAL;
	return -1;
}

/* env_max_nlanes -- RPMEM_MAX_NLANES, UINT_MAX when unset or invalid */
static unsigned
env_max_nlanes(void)
{
	return rpmem_env_max_nlanes();
}

/* is_transport_err -- an errno meaning the connection itself is gone */
static int
is_transport_err(int err)
{
	switch (err) {
	case ECONNRESET:
	case ECONNABORTED:
	case ENOTCONN:
	case EPIPE:
	case ESHUTDOWN:
	case ETIMEDOUT:	/* a lane with lost work requests is unusable */
	case EPROTO:	/* a lane out of step with the daemon */
	case EIO:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTUNREACH:
		return 1;
	default:
		return 0;
	}
}

/* sticky_set -- remember the first transport error; keeps errno */
static void
sticky_set(RPMEMpool *rpp, int err)
{
	int zero = 0;

	if (is_transport_err(err))
		__atomic_compare_exchange_n(&rpp->error, &zero, err, 0,
			__ATOMIC_RELEASE, __ATOMIC_RELAXED);
	errno = err;
}

/* sticky_check -- fail fast once the connection is known to be lost */
static int
sticky_check(const char *func, RPMEMpool *rpp)
{
	int err = __atomic_load_n(&rpp->error, __ATOMIC_ACQUIRE);

	if (err == 0)
		return 0;
	RPMEM_ERR_ERRNO(err, "%s: pool %s: the connection was lost earlier",
		func, rpp->name);
	return -1;
}

/* check_pool_set_name -- non-NULL, non-empty, fits the wire field */
static int
check_pool_set_name(const char *func, const char *name)
{
	if (name == NULL)
		return inval("%s: pool_set_name is NULL", func);
	if (name[0] == '\0')
		return inval("%s: pool_set_name is empty", func);
	if (strnlen(name, RPMEM_POOL_DESC_MAX) >= RPMEM_POOL_DESC_MAX)
		return inval("%s: pool_set_name longer than %d characters",
			func, RPMEM_POOL_DESC_MAX - 1);
	return 0;
}

/* check_pool_args -- every argument check of rpmem_create/rpmem_open */
static int
check_pool_args(const char *func, const char *target,
		const char *pool_set_name, void *pool_addr, size_t pool_size,
		const unsigned *nlanes, struct rpmem_target *t)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		page = 4096;
	if (target == NULL)
		return inval("%s: target is NULL", func);
	if (check_pool_set_name(func, pool_set_name))
		return -1;
	if (pool_addr == NULL)
		return inval("%s: pool_addr is NULL", func);
	if ((uintptr_t)pool_addr % (uintptr_t)page != 0)
		return inval("%s: pool_addr %p is not aligned to the page "
			"size (%ld)", func, pool_addr, page);
	if (pool_size == 0)
		return inval("%s: pool_size is 0", func);
	if (pool_size % (size_t)page != 0)
		return inval("%s: pool_size %zu is not a multiple of the page "
			"size (%ld)", func, pool_size, page);
	if (pool_size < RPMEM_MIN_POOL)
		return inval("%s: pool_size %zu is smaller than "
			"RPMEM_MIN_POOL (%zu)", func, pool_size,
			RPMEM_MIN_POOL);
	if (nlanes == NULL)
		return inval("%s: nlanes is NULL", func);
	if (*nlanes == 0)
		return inval("%s: *nlanes is 0 (at least one lane needed)",
			func);
	if (rpmem_target_parse(target, t))
		return -1;
	/* after the arguments, before anything starts: as PMDK */
	rpmem_env_check_log();
	return rpmem_env_check_provider(func);
}

/*
 * resolve -- the target's numeric address: the daemon listens on it and the
 * lanes connect to it (the ssh name must reach the RDMA interface)
 */
static int
resolve(const char *host, char addr[RPMEM_ADDR_MAX])
{
	struct addrinfo hints, *res;
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	ret = RPMEM_FI("getaddrinfo", EAGAIN) ? EAI_SYSTEM :
		getaddrinfo(host, NULL, &hints, &res);
	if (ret == EAI_SYSTEM) {
		RPMEM_ERR_ERRNO(errno, "cannot resolve host '%s'", host);
		return -1;
	}
	if (ret != 0) {
		/* no such host: unreachable, as far as we can tell */
		rpmem_err_set("cannot resolve host '%s': %s", host,
			gai_strerror(ret));
		errno = EHOSTUNREACH;
		return -1;
	}
	ret = getnameinfo(res->ai_addr, res->ai_addrlen, addr,
		RPMEM_ADDR_MAX, NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	if (ret != 0) {
		rpmem_err_set("cannot format the address of host '%s': %s",
			host, gai_strerror(ret));
		errno = EHOSTUNREACH;
		return -1;
	}
	return 0;
}

/* check_resp -- what the daemon granted must fit what was asked */
static int
check_resp(const char *func, const struct rpmem_req_pool *req,
		const struct rpmem_resp_pool *resp, int create)
{
	/*
	 * no attributes: a headerless pool; non-zero ones: a header; all-zero
	 * ones: a header holding zeros, or none on a NOHDRS set
	 */
	int has_attr = (req->flags & RPMEM_REQ_HAS_ATTR) != 0;
	int hdr_ok = !has_attr ? resp->hdr_size == 0 :
		rpmem_attr_is_zero(&req->attr) ?
		(resp->hdr_size == 0 || resp->hdr_size == RPMEM_POOL_HDR_SIZE) :
		resp->hdr_size == RPMEM_POOL_HDR_SIZE;
	if (create && !hdr_ok) {
		rpmem_err_set("%s: rpmemd answered with header size %u, "
			"which does not match the attributes given", func,
			resp->hdr_size);
		errno = EPROTO;
		return -1;
	}
	if (resp->pool_size < req->pool_size) {
		rpmem_err_set("%s: rpmemd granted %llu bytes, %llu asked",
			func, (unsigned long long)resp->pool_size,
			(unsigned long long)req->pool_size);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* undo_pool -- after a failure past CREATE/OPEN: close (and remove) it */
static void
undo_pool(RPMEMpool *rpp, int create)
{
	char msg[RPMEM_ERRMSG_MAX];
	int err = errno;

	/* keep the first failure's message; the cleanup's goes after it */
	snprintf(msg, sizeof(msg), "%s", rpmem_err_get());
	if (rpmem_ctl_close(rpp->ctl, create ? RPMEM_CLOSE_REMOVE : 0)) {
		char why[RPMEM_ERRMSG_MAX / 2];

		snprintf(why, sizeof(why), "%s", rpmem_err_get());
		rpmem_err_set("%s", msg);
		rpmem_err_append("%s the pool failed too (%s)",
			create ? "removing" : "closing", why);
	} else {
		rpmem_err_set("%s", msg);
	}
	errno = err;
}

/* log_pool -- the persist method line, when RPMEM_LOG_LEVEL >= 1 */
static void
log_pool(const RPMEMpool *rpp)
{
	rpmem_log(RPMEM_LOG_ERR, "pool %s: persist method %s (%s)",
		rpp->name, rpmem_persist_method_str(rpp->persist_method),
		rpp->pm_reason[0] != '\0' ? rpp->pm_reason :
		"no reason given");
}

/* log_failed -- a failed create/open/remove's message (keeps errno) */
static void
log_failed(void)
{
	rpmem_log(RPMEM_LOG_ERR, "%s (errno %d)", rpmem_err_get(), errno);
}

/* pool_connect -- rpmem_create (create != 0) and rpmem_open */
static RPMEMpool *
pool_connect(int create, const char *target, const char *pool_set_name,
		void *pool_addr, size_t pool_size, unsigned *nlanes,
		const struct rpmem_pool_attr *create_attr,
		struct rpmem_pool_attr *open_attr)
{
	const char *func = create ? "rpmem_create" : "rpmem_open";
	const struct rpmem_resp_hello *hello;
	struct rpmem_dp_attr dpa;
	struct rpmem_req_pool req;
	struct rpmem_resp_pool resp;
	struct rpmem_target t;
	unsigned got = 0;
	unsigned max;
	RPMEMpool *rpp;
	int err, ret;

	if (check_pool_args(func, target, pool_set_name, pool_addr,
			pool_size, nlanes, &t))
		return NULL;
	max = env_max_nlanes();

	rpp = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*rpp));
	if (rpp == NULL) {

		RPMEM_ERR_ERRNO(errno, "%s: cannot allocate the pool", func);
		return NULL;
	}
	snprintf(rpp->name, sizeof(rpp->name), "%s", pool_set_name);
	if (resolve(t.host, rpp->node))
		goto err_free;

	memset(&req, 0, sizeof(req));
	req.pool_size = pool_size;
	req.nlanes = *nlanes < max ? *nlanes : max;
	memcpy(req.pool_desc, pool_set_name, strlen(pool_set_name));
	memcpy(req.rdma_addr, rpp->node, strlen(rpp->node));
	/* given attributes are attributes, even all zero (as in PMDK) */
	if (create && create_attr != NULL) {
		req.flags = RPMEM_REQ_HAS_ATTR;
		req.attr = *create_attr;
	}

	if (rpmem_ctl_new(&t, &rpp->ctl))
		goto err_free;
	hello = rpmem_ctl_hello(rpp->ctl);
	if (hello->max_lanes != 0 && req.nlanes > hello->max_lanes)
		req.nlanes = hello->max_lanes;

	if (create ? rpmem_ctl_create(rpp->ctl, &req, &resp) :
			rpmem_ctl_open(rpp->ctl, &req, &resp))
		goto err_ctl_delete;
	if (check_resp(func, &req, &resp, create))
		goto err_undo_pool;

	rpp->pool_size = pool_size;
	rpp->hdr_size = resp.hdr_size;
	rpp->persist_method = resp.persist_method;
	memcpy(rpp->pm_reason, resp.pm_reason, sizeof(rpp->pm_reason));

	memset(&dpa, 0, sizeof(dpa));
	dpa.node = rpp->node;
	dpa.port = resp.port;
	dpa.pool_addr = pool_addr;
	dpa.pool_size = pool_size;
	dpa.raddr = resp.raddr;
	dpa.rkey = resp.rkey;
	dpa.hdr_size = resp.hdr_size;
	dpa.max_msg_size = resp.max_msg_size;
	dpa.nlanes = resp.nlanes < req.nlanes ? resp.nlanes : req.nlanes;
	dpa.persist_method = resp.persist_method;
	dpa.gpspm_inline = rpmem_daemon_has_inline(hello->daemon_version);
	memcpy(dpa.secret, resp.secret, RPMEM_SECRET_LEN);
	dpa.timeout_ms = rpmem_env_timeout_ms(DP_TIMEOUT_MS_DEFAULT);
	ret = rpmem_dp_new(&dpa, &rpp->dp, &got);
	/* the lanes are connected (or not): no copy of the secret stays */
	explicit_bzero(dpa.secret, sizeof(dpa.secret));
	explicit_bzero(resp.secret, sizeof(resp.secret));
	if (ret)
		goto err_undo_pool;
	if (got == 0 || got > dpa.nlanes) {
		rpmem_err_set("%s: data path connected %u lanes of %u", func,
			got, dpa.nlanes);
		errno = EPROTO;
		goto err_dp_delete;
	}

	rpp->nlanes = got;
	*nlanes = got;
	if (open_attr != NULL)
		*open_attr = resp.attr;
	log_pool(rpp);
	return rpp;

err_dp_delete:
	err = errno;
	rpmem_dp_delete(&rpp->dp);
	errno = err;
err_undo_pool:
	/* CREATE: remove the pool, so a failed create leaves nothing */
	undo_pool(rpp, create);
err_ctl_delete:
	rpmem_ctl_delete(&rpp->ctl);
err_free:
	err = errno;
	free(rpp);
	errno = err;
	return NULL;
}

/* rpmem_create -- create a remote pool and connect to it */
RPMEM_API RPMEMpool *
rpmem_create(const char *target, const char *pool_set_name, void *pool_addr,
		size_t pool_size, unsigned *nlanes,
		const struct rpmem_pool_attr *create_attr)
{
	RPMEMpool *rpp = pool_connect(1, target, pool_set_name, pool_addr,
		pool_size, nlanes, create_attr, NULL);

	if (rpp == NULL)
		log_failed();
	return rpp;
}

/* rpmem_open -- open an existing remote pool and connect to it */
RPMEM_API RPMEMpool *
rpmem_open(const char *target, const char *pool_set_name, void *pool_addr,
		size_t pool_size, unsigned *nlanes,
		struct rpmem_pool_attr *open_attr)
{
	RPMEMpool *rpp = pool_connect(0, target, pool_set_name, pool_addr,
		pool_size, nlanes, NULL, open_attr);

	if (rpp == NULL)
		log_failed();
	return rpp;
}

/* rpmem_set_attr -- overwrite the remote header's attributes */
RPMEM_API int
rpmem_set_attr(RPMEMpool *rpp, const struct rpmem_pool_attr *attr)
{
	if (rpp == NULL)
		return inval("%s: rpp is NULL", __func__);
	if (rpp->hdr_size == 0)
		return inval("%s: pool %s has no header (created without "
			"attributes, NOHDRS), so no attributes to set",
			__func__, rpp->name);
	return rpmem_ctl_set_attr(rpp->ctl, attr);
}

/* rpmem_close -- disconnect and close; frees everything even on error */
RPMEM_API int
rpmem_close(RPMEMpool *rpp)
{
	int ret = 0;
	int err = 0;

	if (rpp == NULL)
		return inval("%s: rpp is NULL", __func__);
	/* lanes first: the daemon tears its side down on CLOSE */
	rpmem_dp_delete(&rpp->dp);
	if (rpmem_ctl_close(rpp->ctl, 0)) {
		ret = -1;
		err = errno;
	}
	rpmem_ctl_delete(&rpp->ctl);
	free(rpp);
	if (ret)
		errno = err;
	return ret;
}

/*
 * The data-path calls check their arguments here, once, always in this
 * order: rpp, flags, lane, then -- only when there is something to do
 * (length > 0) -- the range and the pool's sticky error.  The data path
 * below only assert()s what passed (rpmem_dp_args_valid).
 */

/* check_pool -- rpp non-NULL; no flag outside known (what names them) */
static inline int
check_pool(const char *func, const RPMEMpool *rpp, unsigned flags,
		unsigned known, const char *what)
{
	if (rpp == NULL)
		return inval("%s: rpp is NULL", func);
	if (flags & ~known)
		return inval("%s: invalid flags 0x%x (%s)", func, flags, what);
	return 0;
}

/* check_lane -- lane < the lanes connected */
static inline int
check_lane(const char *func, const RPMEMpool *rpp, unsigned lane)
{
	if (lane >= rpp->nlanes)
		return inval("%s: lane %u out of range (the pool has %u "
			"lanes)", func, lane, rpp->nlanes);
	return 0;
}

/*
 * check_io -- the lane, then for length > 0 [offset, offset+length) within
 * [hdr_size, pool_size) -- the header is the daemon's: rpmemd does not
 * register it, and a READ or WRITE there would kill the lane (remote access
 * error) -- and the sticky error: -1 (errno, message), 0: go on, 1: nothing
 * to do (length 0, whatever the offset)
 */
static inline int
check_io(const char *func, RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane)
{
	if (check_lane(func, rpp, lane))
		return -1;
	if (length == 0)
		return 1;
	if (offset < rpp->hdr_size)
		return inval("%s: offset %zu is inside the pool header (the "
			"first %zu bytes belong to rpmemd)", func, offset,
			(size_t)rpp->hdr_size);
	if (!rpmem_range_valid(offset, length, rpp->hdr_size, rpp->pool_size))
		return inval("%s: range of %zu bytes at offset %zu exceeds "
			"the pool size %zu", func, length, offset,
			rpp->pool_size);
	return sticky_check(func, rpp);
}

/* dp_result -- a data path failure: remember it if the link is gone */
static inline int
dp_result(RPMEMpool *rpp, int ret)
{
	if (ret)
		sticky_set(rpp, errno);
	return ret ? -1 : 0;
}

/* persist -- rpmem_persist past the pool and flags checks */
static inline int
persist(const char *func, RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane)
{
	int ret = check_io(func, rpp, offset, length, lane);

	if (ret)
		return ret < 0 ? -1 : 0;
	return dp_result(rpp, rpmem_dp_persist(rpp->dp, offset, length,
		lane));
}

/* rpmem_persist -- make [offset, offset+length) durable on the target */
RPMEM_API int
rpmem_persist(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane)
{
	if (check_pool(__func__, rpp, 0, 0, ""))
		return -1;
	return persist(__func__, rpp, offset, length, lane);
}

/*
 * rpmem_persist_flags -- the five-argument rpmem_persist of later
 * releases (librpmem.h maps it under RPMEM_PERSIST_FLAGS, so its messages
 * name rpmem_persist, the call the program made); RELAXED is a hint only:
 * a lane's WRITEs are ordered anyway
 */
RPMEM_API int
rpmem_persist_flags(RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane, unsigned flags)
{
	static const char func[] = "rpmem_persist";

	if (check_pool(func, rpp, flags, RPMEM_PERSIST_FLAGS_MASK,
			"known: RPMEM_PERSIST_RELAXED"))
		return -1;
	return persist(func, rpp, offset, length, lane);
}

/* rpmem_deep_persist -- persist, with pmem_deep_persist on the target */
RPMEM_API int
rpmem_deep_persist(RPMEMpool *rpp, size_t offset, size_t length,
		unsigned lane)
{
	int ret;

	if (check_pool(__func__, rpp, 0, 0, ""))
		return -1;
	ret = check_io(__func__, rpp, offset, length, lane);
	if (ret)
		return ret < 0 ? -1 : 0;
	return dp_result(rpp, rpmem_dp_deep_persist(rpp->dp, offset, length,
		lane));
}

/* rpmem_flush -- post the WRITE(s) of the range on the lane, no wait */
RPMEM_API int
rpmem_flush(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane,
		unsigned flags)
{
	int ret;

	if (check_pool(__func__, rpp, flags, RPMEM_FLUSH_FLAGS_MASK,
			"known: RPMEM_FLUSH_RELAXED"))
		return -1;
	ret = check_io(__func__, rpp, offset, length, lane);
	if (ret)
		return ret < 0 ? -1 : 0;
	return dp_result(rpp, rpmem_dp_flush(rpp->dp, offset, length, lane));
}

/* rpmem_drain -- make every range flushed on the lane durable */
RPMEM_API int
rpmem_drain(RPMEMpool *rpp, unsigned lane, unsigned flags)
{
	if (check_pool(__func__, rpp, flags, 0, "must be 0") ||
	    check_lane(__func__, rpp, lane) || sticky_check(__func__, rpp))
		return -1;
	return dp_result(rpp, rpmem_dp_drain(rpp->dp, lane));
}

/* rpmem_read -- read remote [offset, offset+length) into buff */
RPMEM_API int
rpmem_read(RPMEMpool *rpp, void *buff, size_t offset, size_t length,
		unsigned lane)
{
	int ret;

	if (check_pool(__func__, rpp, 0, 0, ""))
		return -1;
	if (buff == NULL && length > 0)
		return inval("%s: buff is NULL", __func__);
	ret = check_io(__func__, rpp, offset, length, lane);
	if (ret)
		return ret < 0 ? -1 : 0;
	return dp_result(rpp, rpmem_dp_read(rpp->dp, buff, offset, length,
		lane));
}

/* remove_pool -- rpmem_remove */
static int
remove_pool(const char *target, const char *pool_set, int flags)
{
	const unsigned known = RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET;
	struct rpmem_target t;
	struct rpmem_ctl *ctl;
	int ret;

	if (target == NULL)
		return inval("rpmem_remove: target is NULL");
	if (pool_set == NULL)
		return inval("rpmem_remove: pool_set is NULL");
	if (pool_set[0] == '\0')
		return inval("rpmem_remove: pool_set is empty");
	if (strnlen(pool_set, RPMEM_POOL_DESC_MAX) >= RPMEM_POOL_DESC_MAX)
		return inval("rpmem_remove: pool_set longer than %d "
			"characters", RPMEM_POOL_DESC_MAX - 1);
	if ((unsigned)flags & ~known)
		return inval("rpmem_remove: invalid flags 0x%x (known: "
			"RPMEM_REMOVE_FORCE, RPMEM_REMOVE_POOL_SET)",
			(unsigned)flags);
	if (rpmem_target_parse(target, &t))
		return -1;
	/* no provider check: PMDK's remove runs ssh only, no RDMA either */
	rpmem_env_check_log();

	if (rpmem_ctl_new(&t, &ctl))
		return -1;
	ret = rpmem_ctl_remove(ctl, pool_set, (uint32_t)flags);
	rpmem_ctl_delete(&ctl);
	return ret;
}

/* rpmem_remove -- remove a remote pool (and its set file) */
RPMEM_API int
rpmem_remove(const char *target, const char *pool_set, int flags)
{
	int ret = remove_pool(target, pool_set, flags);

	if (ret)
		log_failed();
	return ret;
}

/* rpmem_check_version -- NULL when this library provides the API asked */
RPMEM_API const char *
rpmem_check_version(unsigned major_required, unsigned minor_required)
{
	static const char major_msg[] = "librpmem major version mismatch: "
		"this library provides API 1.2";
	static const char minor_msg[] = "librpmem minor version mismatch: "
		"this library provides API 1.2, older than required";

	if (major_required != RPMEM_MAJOR_VERSION) {
		rpmem_err_set("%s (%u.%u required)", major_msg,
			major_required, minor_required);
		return major_msg;
	}
	if (minor_required > RPMEM_MINOR_VERSION) {
		rpmem_err_set("%s (%u.%u required)", minor_msg,
			major_required, minor_required);
		return minor_msg;
	}
	return NULL;
}

/* rpmem_errormsg -- this thread's last error message */
RPMEM_API const char *
rpmem_errormsg(void)
{
	return rpmem_err_get();
}

/* rpmem_pool_persist_method -- the method in use and why (pool.h) */
uint16_t
rpmem_pool_persist_method(const RPMEMpool *rpp, const char **reason)
{
	if (rpp == NULL)
		return 0;
	if (reason != NULL)
		*reason = rpp->pm_reason;
	return rpp->persist_method;
}

/* rpmem_pool_hdr_size -- 0 (no header) or RPMEM_POOL_HDR_SIZE (pool.h) */
uint32_t
rpmem_pool_hdr_size(const RPMEMpool *rpp)
{
	return rpp != NULL ? rpp->hdr_size : 0;
}
