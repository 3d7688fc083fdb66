/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_proto.h -- the wire contract between librpmem and rpmemd
 *
 * Shared by both sides (compiled into each).  Three channels:
 *  - the control protocol over the ssh channel (rpmemd's stdin/stdout):
 *    fixed-size messages, a 16-byte header, little-endian integers;
 *  - the rdma_cm private data a lane presents when it connects;
 *  - the GPSPM persist request/response SENT on a lane.
 * Every message is encoded/decoded field by field (never by casting a
 * struct onto the buffer) and every field is range-checked on receipt.
 * docs/protocol.md describes the same thing for humans.
 */
#ifndef RPMEM_PROTO_H
#define RPMEM_PROTO_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "librpmem.h"

#define RPMEM_PROTO_MAGIC 0x4d505052u /* "RPPM" as little-endian bytes */
#define RPMEM_PROTO_VERSION 1

#define RPMEM_MSG_HDR_SIZE 16
#define RPMEM_POOL_DESC_MAX 256	/* pool-set name, incl. the NUL */
#define RPMEM_ADDR_MAX 64	/* numeric host address, incl. the NUL */
#define RPMEM_MSG_TEXT_MAX 256	/* error text in every response */
#define RPMEM_PM_REASON_MAX 256	/* why the daemon chose the method */
#define RPMEM_DEV_NAME_MAX 64	/* RDMA device name, incl. the NUL */
#define RPMEM_SECRET_LEN 16
#define RPMEM_ATTR_WIRE_SIZE 104
#define RPMEM_POOL_HDR_SIZE 4096 /* daemon-owned header at offset 0 */

/* message types; responses are request + 1 */
enum rpmem_msg_type {
	RPMEM_MSG_HELLO = 1,		/* daemon -> client, once at start */
	RPMEM_MSG_CREATE = 2,
	RPMEM_MSG_CREATE_RESP = 3,
	RPMEM_MSG_OPEN = 4,
	RPMEM_MSG_OPEN_RESP = 5,
	RPMEM_MSG_SET_ATTR = 6,
	RPMEM_MSG_SET_ATTR_RESP = 7,
	RPMEM_MSG_CLOSE = 8,
	RPMEM_MSG_CLOSE_RESP = 9,
	RPMEM_MSG_REMOVE = 10,
	RPMEM_MSG_REMOVE_RESP = 11,
	RPMEM_MSG_TYPE_MAX
};

/* status carried by every response; rpmem_status_to_errno() maps it */
enum rpmem_status {
	RPMEM_ST_OK = 0,
	RPMEM_ST_PROTO,		/* malformed message -> EPROTO */
	RPMEM_ST_BADVERSION,	/* protocol version -> EPROTONOSUPPORT */
	RPMEM_ST_BADNAME,	/* pool-set name refused -> EINVAL */
	RPMEM_ST_BADSIZE,	/* pool_size > remote pool -> EFBIG */
	RPMEM_ST_POOL_CFG,	/* attr/NOHDRS mismatch, too small -> EINVAL */
	RPMEM_ST_BUSY,		/* pool open elsewhere -> EBUSY */
	RPMEM_ST_EXISTS,	/* create over existing pool -> EEXIST */
	RPMEM_ST_NOEXIST,	/* pool set or part missing -> ENOENT */
	RPMEM_ST_NOACCESS,	/* permission -> EACCES */
	RPMEM_ST_NOMEM,		/* -> ENOMEM */
	RPMEM_ST_CONFIG,	/* daemon configuration invalid -> EINVAL */
	RPMEM_ST_RDMA,		/* RDMA setup failed -> ECONNABORTED */
	RPMEM_ST_NOSUPP,	/* unsupported (e.g. no ODP) -> EOPNOTSUPP */
	RPMEM_ST_FATAL,		/* anything else -> EREMOTEIO */
	RPMEM_ST_NOSPC,		/* no space (or quota) for a part -> ENOSPC */
	RPMEM_ST_MAX
};

/* persist methods */
enum rpmem_persist_method {
	RPMEM_PM_APM = 1,	/* WRITE + READ: placement == durability */
	RPMEM_PM_GPSPM = 2,	/* WRITE + SEND, daemon flushes, replies */
	RPMEM_PM_MAX
};

/*
 * CREATE: the caller gave attributes (they may be all zero: the pool then
 * gets a header holding zero attributes, unless the set is NOHDRS);
 * SET_ATTR: the attributes are non-zero
 */
#define RPMEM_REQ_HAS_ATTR 0x1u
/* CLOSE: remove the pool (client failed after create) */
#define RPMEM_CLOSE_REMOVE 0x1u

/* CREATE and OPEN request body */
struct rpmem_req_pool {
	uint64_t pool_size;
	uint32_t nlanes;
	uint32_t flags;				/* RPMEM_REQ_HAS_ATTR */
	char pool_desc[RPMEM_POOL_DESC_MAX];	/* NUL-terminated, non-empty */
	char rdma_addr[RPMEM_ADDR_MAX];		/* numeric, may be empty */
	struct rpmem_pool_attr attr;		/* CREATE only; zero in OPEN */
};

/* SET_ATTR request body */
struct rpmem_req_set_attr {
	uint32_t flags;				/* RPMEM_REQ_HAS_ATTR */
	struct rpmem_pool_attr attr;
};

/* CLOSE request body */
struct rpmem_req_close {
	uint32_t flags;				/* RPMEM_CLOSE_REMOVE */
};

/* REMOVE request body */
struct rpmem_req_remove {
	uint32_t flags;				/* RPMEM_REMOVE_* */
	char pool_desc[RPMEM_POOL_DESC_MAX];
};

/* HELLO body (the daemon's first words) */
struct rpmem_resp_hello {
	uint32_t daemon_version;		/* major << 16 | minor */
	uint32_t max_lanes;
};

/* CREATE_RESP and OPEN_RESP body (meaningful only with status OK) */
struct rpmem_resp_pool {
	uint64_t raddr;		/* remote address of pool offset 0 */
	uint64_t pool_size;	/* remote usable size, client view */
	uint32_t rkey;		/* covers [hdr_size, pool_size) only */
	uint32_t nlanes;	/* granted, 1 .. requested */
	uint32_t hdr_size;	/* 0 (NOHDRS) or RPMEM_POOL_HDR_SIZE */
	uint16_t port;		/* rdma_cm port, host order */
	uint16_t persist_method;	/* enum rpmem_persist_method */
	uint32_t max_msg_size;	/* largest single RDMA transfer (0: 1 GiB) */
	uint8_t secret[RPMEM_SECRET_LEN];	/* present in connect pdata */
	char pm_reason[RPMEM_PM_REASON_MAX];	/* why this method */
	char device[RPMEM_DEV_NAME_MAX];	/* target RDMA device */
	struct rpmem_pool_attr attr;		/* OPEN: stored attributes */
};

/* a decoded control message */
struct rpmem_msg {
	uint16_t type;				/* enum rpmem_msg_type */
	uint32_t status;			/* responses: enum rpmem_status */
	char text[RPMEM_MSG_TEXT_MAX];		/* responses: error text */
	union {
		struct rpmem_req_pool pool;	/* CREATE, OPEN */
		struct rpmem_req_set_attr set_attr;
		struct rpmem_req_close close;
		struct rpmem_req_remove remove;
		struct rpmem_resp_hello hello;
		struct rpmem_resp_pool pool_resp; /* CREATE_RESP, OPEN_RESP */
	} u;
};

/* largest encoded control message */
#define RPMEM_MSG_MAX_SIZE 1024

/* is this a response type (HELLO counts as one) */
static inline int
rpmem_msg_is_response(uint16_t type)
{
	return type == RPMEM_MSG_HELLO ||
		(type > RPMEM_MSG_HELLO && type < RPMEM_MSG_TYPE_MAX &&
		 (type & 1u));
}

/* encoded size of a message of this type, 0 for an unknown type */
size_t rpmem_msg_size(uint16_t type);

/*
 * rpmem_msg_encode -- encode m into buf; returns the number of bytes
 * written, or 0 when m is invalid (unknown type, unterminated string,
 * status out of range) or buflen is too small.
 */
size_t rpmem_msg_encode(const struct rpmem_msg *m, uint8_t *buf,
		size_t buflen);

/*
 * rpmem_msg_hdr_check -- check the first RPMEM_MSG_HDR_SIZE bytes of a
 * message as read from a stream: magic, version, known type, size equal to
 * the type's size.  On success stores the type and the full size and
 * returns RPMEM_ST_OK; otherwise returns RPMEM_ST_PROTO or
 * RPMEM_ST_BADVERSION and points *why at a static reason.
 */
uint32_t rpmem_msg_hdr_check(const uint8_t *hdr, uint16_t *type,
		uint32_t *size, const char **why);

/*
 * rpmem_msg_decode -- decode and validate a whole message (header
 * included); len must be its exact size.  Returns RPMEM_ST_OK or a status
 * with *why set; never reads past buf + len.
 */
uint32_t rpmem_msg_decode(const uint8_t *buf, size_t len,
		struct rpmem_msg *m, const char **why);

/* the one status -> errno table, and back */
int rpmem_status_to_errno(uint32_t status);
uint32_t rpmem_status_from_errno(int err);
const char *rpmem_status_str(uint32_t status);
const char *rpmem_msg_type_str(uint16_t type);
const char *rpmem_persist_method_str(uint16_t pm);

/* is the attribute all zero ("no attributes") */
int rpmem_attr_is_zero(const struct rpmem_pool_attr *attr);

/* ---------------------------------------------------------------------
 * Little-endian helpers (inline: the data path uses them)
 */
static inline void
rpmem_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
rpmem_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
rpmem_put_le64(uint8_t *p, uint64_t v)
{
	rpmem_put_le32(p, (uint32_t)v);
	rpmem_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t
rpmem_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
rpmem_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
		((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t
rpmem_get_le64(const uint8_t *p)
{
	return (uint64_t)rpmem_get_le32(p) |
		((uint64_t)rpmem_get_le32(p + 4) << 32);
}

/* ---------------------------------------------------------------------
 * rdma_cm private data of a lane's connect request (24 bytes)
 */
#define RPMEM_CONN_PDATA_MAGIC 0x4e4c5052u /* "RPLN" */
#define RPMEM_CONN_PDATA_SIZE 24

struct rpmem_conn_pdata {
	uint16_t version;			/* RPMEM_PROTO_VERSION */
	uint16_t lane;
	uint8_t secret[RPMEM_SECRET_LEN];
};

static inline void
rpmem_conn_pdata_encode(const struct rpmem_conn_pdata *pd, uint8_t *buf)
{
	rpmem_put_le32(buf, RPMEM_CONN_PDATA_MAGIC);
	rpmem_put_le16(buf + 4, pd->version);
	rpmem_put_le16(buf + 6, pd->lane);
	memcpy(buf + 8, pd->secret, RPMEM_SECRET_LEN);
}

/* returns 0 when len/magic/version are right; the secret is the caller's */
static inline int
rpmem_conn_pdata_decode(const void *data, size_t len,
		struct rpmem_conn_pdata *pd)
{
	const uint8_t *buf = (const uint8_t *)data;

	/* rdma_cm may pad private data: at least our size is required */
	if (buf == NULL || len < RPMEM_CONN_PDATA_SIZE)
		return -1;
	if (rpmem_get_le32(buf) != RPMEM_CONN_PDATA_MAGIC)
		return -1;
	pd->version = rpmem_get_le16(buf + 4);
	pd->lane = rpmem_get_le16(buf + 6);
	memcpy(pd->secret, buf + 8, RPMEM_SECRET_LEN);
	return pd->version == RPMEM_PROTO_VERSION ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * GPSPM persist request (client SEND, 32 bytes, or 32 + length for the
 * *_INLINE ops) and response (16 bytes)
 */
#define RPMEM_GPSPM_REQ_MAGIC 0x51505052u  /* "RPPQ" */
#define RPMEM_GPSPM_RESP_MAGIC 0x53505052u /* "RPPS" */
#define RPMEM_GPSPM_REQ_SIZE 32
#define RPMEM_GPSPM_RESP_SIZE 16

/*
 * The most bytes a request carries after its header (the *_INLINE ops).
 * Inline saves the WRITE and its ACK (2 of GPSPM's 6 packets) at any size,
 * at the price of a CPU copy on the target; the bound keeps the whole SEND
 * (32 + 512 = 544 bytes) in one packet at RoCE's usual path MTU of 1024
 * (an Ethernet MTU of 1500), so it never costs more packets than WRITE +
 * SEND would, and keeps the daemon's RECV buffer and reply slots in one
 * page per lane.  Above it the zero-copy WRITE path is used.  Both sides
 * compile this value: a daemon with a smaller RECV buffer would fail the
 * lane, so changing it is a protocol change (docs/protocol.md).
 */
#define RPMEM_GPSPM_INLINE_MAX 512
#define RPMEM_GPSPM_REQ_MAX_SIZE (RPMEM_GPSPM_REQ_SIZE + RPMEM_GPSPM_INLINE_MAX)

enum rpmem_gpspm_op {
	RPMEM_GPSPM_PERSIST = 1,	/* pmem_persist / pmem_msync */
	RPMEM_GPSPM_DEEP_PERSIST = 2,	/* pmem_deep_persist */
	/* the same two, the range's bytes following the header */
	RPMEM_GPSPM_PERSIST_INLINE = 3,
	RPMEM_GPSPM_DEEP_PERSIST_INLINE = 4,
	RPMEM_GPSPM_OP_MAX
};

/*
 * HELLO's daemon_version minor from which a daemon (of our major) serves
 * the *_INLINE ops.  Not RPMEM_MINOR_VERSION: daemons announcing 1.2 (the
 * API with rpmem_deep_persist) exist that do not know them (their 32-byte
 * RECV buffer fails the lane on a longer SEND), so the daemon's minor is
 * its feature level and may run ahead of the API's (docs/protocol.md,
 * Versioning).
 */
#define RPMEM_DAEMON_MINOR_INLINE 3
/* what this project's rpmemd announces in HELLO */
#define RPMEM_DAEMON_VERSION \
	((uint32_t)RPMEM_MAJOR_VERSION << 16 | RPMEM_DAEMON_MINOR_INLINE)

/* rpmem_daemon_has_inline -- may requests to this daemon carry data */
static inline int
rpmem_daemon_has_inline(uint32_t daemon_version)
{
	return (daemon_version >> 16) == RPMEM_MAJOR_VERSION &&
		(daemon_version & 0xffffu) >= RPMEM_DAEMON_MINOR_INLINE;
}

struct rpmem_gpspm_req {
	uint32_t op;
	uint32_t lane;
	uint64_t offset;	/* pool offset (not an address) */
	uint64_t length;
	uint32_t seq;		/* echoed in the response */
};

struct rpmem_gpspm_resp {
	uint32_t status;	/* enum rpmem_status */
	uint32_t lane;
	uint32_t seq;
};

/* rpmem_gpspm_op_inline -- does a request of op carry its range's bytes */
static inline int
rpmem_gpspm_op_inline(uint32_t op)
{
	return op == RPMEM_GPSPM_PERSIST_INLINE ||
		op == RPMEM_GPSPM_DEEP_PERSIST_INLINE;
}

/* rpmem_gpspm_op_deep -- is op a deep persist (pmem_deep_persist) */
static inline int
rpmem_gpspm_op_deep(uint32_t op)
{
	return op == RPMEM_GPSPM_DEEP_PERSIST ||
		op == RPMEM_GPSPM_DEEP_PERSIST_INLINE;
}

/*
 * rpmem_gpspm_req_encode -- the 32-byte header; an *_INLINE request's
 * r->length bytes follow it in the same SEND (the sender's second SGE)
 */
static inline void
rpmem_gpspm_req_encode(const struct rpmem_gpspm_req *r, uint8_t *buf)
{
	rpmem_put_le32(buf, RPMEM_GPSPM_REQ_MAGIC);
	rpmem_put_le32(buf + 4, r->op);
	rpmem_put_le64(buf + 8, r->offset);
	rpmem_put_le64(buf + 16, r->length);
	rpmem_put_le32(buf + 24, r->lane);
	rpmem_put_le32(buf + 28, r->seq);
}

/*
 * rpmem_gpspm_req_decode -- returns 0 when magic and op are valid and len,
 * the received length, is right for the op: 32, or for an *_INLINE op
 * 1 <= length <= RPMEM_GPSPM_INLINE_MAX and len == 32 + length (the bytes
 * are at buf + RPMEM_GPSPM_REQ_SIZE); bounds are the caller's.  Never
 * reads past buf + len.
 */
static inline int
rpmem_gpspm_req_decode(const uint8_t *buf, size_t len,
		struct rpmem_gpspm_req *r)
{
	if (len < RPMEM_GPSPM_REQ_SIZE ||
	    rpmem_get_le32(buf) != RPMEM_GPSPM_REQ_MAGIC)
		return -1;
	r->op = rpmem_get_le32(buf + 4);
	r->offset = rpmem_get_le64(buf + 8);
	r->length = rpmem_get_le64(buf + 16);
	r->lane = rpmem_get_le32(buf + 24);
	r->seq = rpmem_get_le32(buf + 28);
	if (r->op < RPMEM_GPSPM_PERSIST || r->op >= RPMEM_GPSPM_OP_MAX)
		return -1;
	if (!rpmem_gpspm_op_inline(r->op))
		return len == RPMEM_GPSPM_REQ_SIZE ? 0 : -1;
	/* length is bounded first: len - 32 cannot wrap, length is small */
	return r->length >= 1 && r->length <= RPMEM_GPSPM_INLINE_MAX &&
		len - RPMEM_GPSPM_REQ_SIZE == r->length ? 0 : -1;
}

static inline void
rpmem_gpspm_resp_encode(const struct rpmem_gpspm_resp *r, uint8_t *buf)
{
	rpmem_put_le32(buf, RPMEM_GPSPM_RESP_MAGIC);
	rpmem_put_le32(buf + 4, r->status);
	rpmem_put_le32(buf + 8, r->lane);
	rpmem_put_le32(buf + 12, r->seq);
}

static inline int
rpmem_gpspm_resp_decode(const uint8_t *buf, size_t len,
		struct rpmem_gpspm_resp *r)
{
	if (len != RPMEM_GPSPM_RESP_SIZE ||
	    rpmem_get_le32(buf) != RPMEM_GPSPM_RESP_MAGIC)
		return -1;
	r->status = rpmem_get_le32(buf + 4);
	r->lane = rpmem_get_le32(buf + 8);
	r->seq = rpmem_get_le32(buf + 12);
	return r->status < RPMEM_ST_MAX ? 0 : -1;
}

/*
 * rpmem_range_valid -- overflow-safe [offset, offset + length) within
 * [lo, size)
 */
static inline int
rpmem_range_valid(uint64_t offset, uint64_t length, uint64_t lo,
		uint64_t size)
{
	return offset >= lo && offset <= size && length <= size - offset;
}

#endif /* RPMEM_PROTO_H */
