/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_proto.c -- encoding, decoding and validation of the control
 * protocol, and the one status <-> errno table
 *
 * Wire layout (every integer little-endian, every offset in bytes):
 *
 * header (all messages), 16 bytes
 *   0  le32 magic     RPMEM_PROTO_MAGIC
 *   4  le16 version   RPMEM_PROTO_VERSION
 *   6  le16 type      enum rpmem_msg_type
 *   8  le32 size      whole message incl. header == rpmem_msg_size(type)
 *  12  le32 status    requests: 0; responses: < RPMEM_ST_MAX
 *
 * responses (HELLO and every *_RESP) continue with
 *  16  char text[256] error text, NUL-terminated and NUL-padded
 * so a response body starts at 272, a request body at 16.
 *
 * rpmem_pool_attr ("attr"), 104 bytes
 *   0  char signature[8]
 *   8  le32 major, 12 le32 compat_features, 16 le32 incompat_features,
 *  20  le32 ro_compat_features
 *  24  poolset_uuid[16], 40 uuid[16], 56 next_uuid[16], 72 prev_uuid[16],
 *  88  user_flags[16]
 *
 * bodies (offsets relative to the body start)
 *   HELLO (280)            0 le32 daemon_version, 4 le32 max_lanes
 *   CREATE, OPEN (456)     0 le64 pool_size, 8 le32 nlanes, 12 le32 flags,
 *                          16 pool_desc[256], 272 rdma_addr[64],
 *                          336 attr[104]
 *   CREATE_RESP,           0 le64 raddr, 8 le64 pool_size, 16 le32 rkey,
 *   OPEN_RESP (748)        20 le32 nlanes, 24 le32 hdr_size, 28 le16 port,
 *                          30 le16 persist_method, 32 le32 max_msg_size,
 *                          36 secret[16], 52 pm_reason[256],
 *                          308 device[64], 372 attr[104]
 *   SET_ATTR (124)         0 le32 flags, 4 attr[104]
 *   CLOSE (20)             0 le32 flags
 *   REMOVE (276)           0 le32 flags, 4 pool_desc[256]
 *   SET_ATTR_RESP, CLOSE_RESP, REMOVE_RESP (272): no body
 *
 * Strings are fixed arrays: the sender NUL-pads them; the receiver requires
 * a NUL inside the array (padding after it is ignored and zeroed on decode).
 *
 * Decode rules beyond the header (all -> RPMEM_ST_PROTO):
 *  - requests carry status 0, responses a status < RPMEM_ST_MAX and a
 *    terminated text;
 *  - CREATE: flags only RPMEM_REQ_HAS_ATTR, set when the caller gave
 *    attributes (they may be all zero), so clear means attr is all zero;
 *    OPEN: flags 0 and attr all zero; both: nlanes > 0, pool_size > 0,
 *    pool_desc non-empty;
 *  - SET_ATTR: flags only HAS_ATTR, set exactly when attr != 0;
 *  - CLOSE: flags only RPMEM_CLOSE_REMOVE; REMOVE: flags only
 *    RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET, pool_desc non-empty;
 *  - CREATE_RESP/OPEN_RESP with status OK: valid persist method,
 *    nlanes > 0, hdr_size 0 or RPMEM_POOL_HDR_SIZE, port != 0 (a non-OK
 *    response's body is not meaningful: only its strings are checked).
 */
#include <errno.h>
#include <stdbool.h>

#include "rpmem_proto.h"

#define RESP_TEXT_OFF RPMEM_MSG_HDR_SIZE
#define RESP_BODY_OFF (RPMEM_MSG_HDR_SIZE + RPMEM_MSG_TEXT_MAX)
#define REQ_BODY_OFF RPMEM_MSG_HDR_SIZE

#define BODY_HELLO 8
#define BODY_POOL_REQ (16 + RPMEM_POOL_DESC_MAX + RPMEM_ADDR_MAX + \
		RPMEM_ATTR_WIRE_SIZE)
#define BODY_POOL_RESP (36 + RPMEM_SECRET_LEN + RPMEM_PM_REASON_MAX + \
		RPMEM_DEV_NAME_MAX + RPMEM_ATTR_WIRE_SIZE)
#define BODY_SET_ATTR (4 + RPMEM_ATTR_WIRE_SIZE)
#define BODY_CLOSE 4
#define BODY_REMOVE (4 + RPMEM_POOL_DESC_MAX)

#define SIZE_HELLO (RESP_BODY_OFF + BODY_HELLO)
#define SIZE_POOL_REQ (REQ_BODY_OFF + BODY_POOL_REQ)
#define SIZE_POOL_RESP (RESP_BODY_OFF + BODY_POOL_RESP)
#define SIZE_SET_ATTR (REQ_BODY_OFF + BODY_SET_ATTR)
#define SIZE_CLOSE (REQ_BODY_OFF + BODY_CLOSE)
#define SIZE_REMOVE (REQ_BODY_OFF + BODY_REMOVE)
#define SIZE_EMPTY_RESP RESP_BODY_OFF

/* the documented sizes above, checked at build time */
_Static_assert(sizeof(struct rpmem_pool_attr) == RPMEM_ATTR_WIRE_SIZE,
	"rpmem_pool_attr must be 104 bytes");
_Static_assert(SIZE_HELLO == 280, "HELLO size");
_Static_assert(SIZE_POOL_REQ == 456, "CREATE/OPEN size");
_Static_assert(SIZE_POOL_RESP == 748, "CREATE_RESP/OPEN_RESP size");
_Static_assert(SIZE_SET_ATTR == 124, "SET_ATTR size");
_Static_assert(SIZE_CLOSE == 20, "CLOSE size");
_Static_assert(SIZE_REMOVE == 276, "REMOVE size");
_Static_assert(SIZE_EMPTY_RESP == 272, "empty response size");
_Static_assert(SIZE_POOL_RESP <= RPMEM_MSG_MAX_SIZE &&
	SIZE_POOL_REQ <= RPMEM_MSG_MAX_SIZE &&
	SIZE_HELLO <= RPMEM_MSG_MAX_SIZE &&
	SIZE_REMOVE <= RPMEM_MSG_MAX_SIZE &&
	SIZE_SET_ATTR <= RPMEM_MSG_MAX_SIZE,
	"RPMEM_MSG_MAX_SIZE must hold every message");

/* rpmem_msg_size -- encoded size of a message of this type */
size_t
rpmem_msg_size(uint16_t type)
{
	switch (type) {
	case RPMEM_MSG_HELLO:
		return SIZE_HELLO;
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		return SIZE_POOL_REQ;
	case RPMEM_MSG_CREATE_RESP:
	case RPMEM_MSG_OPEN_RESP:
		return SIZE_POOL_RESP;
	case RPMEM_MSG_SET_ATTR:
		return SIZE_SET_ATTR;
	case RPMEM_MSG_CLOSE:
		return SIZE_CLOSE;
	case RPMEM_MSG_REMOVE:
		return SIZE_REMOVE;
	case RPMEM_MSG_SET_ATTR_RESP:
	case RPMEM_MSG_CLOSE_RESP:
	case RPMEM_MSG_REMOVE_RESP:
		return SIZE_EMPTY_RESP;
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------------
 * field helpers
 */

/* put_str -- copy a NUL-terminated string into a NUL-padded array */
static int
put_str(uint8_t *p, const char *s, size_t max)
{
	size_t len = strnlen(s, max);

	if (len == max)
		return -1;	/* not terminated within its array */
	memcpy(p, s, len);
	memset(p + len, 0, max - len);
	return 0;
}

/* get_str -- copy a wire array out; -1 unless a NUL is inside it */
static int
get_str(char *s, const uint8_t *p, size_t max)
{
	const uint8_t *nul = memchr(p, 0, max);
	size_t len;

	if (nul == NULL)
		return -1;
	len = (size_t)(nul - p);
	/* zero the padding so decoded messages compare byte for byte */
	memcpy(s, p, len);
	memset(s + len, 0, max - len);
	return 0;
}

/* put_attr -- encode the 104-byte attribute block */
static void
put_attr(uint8_t *p, const struct rpmem_pool_attr *a)
{
	memcpy(p, a->signature, RPMEM_POOL_HDR_SIG_LEN);
	rpmem_put_le32(p + 8, a->major);
	rpmem_put_le32(p + 12, a->compat_features);
	rpmem_put_le32(p + 16, a->incompat_features);
	rpmem_put_le32(p + 20, a->ro_compat_features);
	memcpy(p + 24, a->poolset_uuid, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(p + 40, a->uuid, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(p + 56, a->next_uuid, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(p + 72, a->prev_uuid, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(p + 88, a->user_flags, RPMEM_POOL_USER_FLAGS_LEN);
}

/* get_attr -- decode the 104-byte attribute block (any value is valid) */
static void
get_attr(struct rpmem_pool_attr *a, const uint8_t *p)
{
	memcpy(a->signature, p, RPMEM_POOL_HDR_SIG_LEN);
	a->major = rpmem_get_le32(p + 8);
	a->compat_features = rpmem_get_le32(p + 12);
	a->incompat_features = rpmem_get_le32(p + 16);
	a->ro_compat_features = rpmem_get_le32(p + 20);
	memcpy(a->poolset_uuid, p + 24, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(a->uuid, p + 40, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(a->next_uuid, p + 56, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(a->prev_uuid, p + 72, RPMEM_POOL_HDR_UUID_LEN);
	memcpy(a->user_flags, p + 88, RPMEM_POOL_USER_FLAGS_LEN);
}

/* rpmem_attr_is_zero -- is the attribute all zero (NULL counts as zero) */
int
rpmem_attr_is_zero(const struct rpmem_pool_attr *attr)
{
	const unsigned char *p = (const unsigned char *)attr;

	if (attr == NULL)
		return 1;
	for (size_t i = 0; i < sizeof(*attr); i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* ---------------------------------------------------------------------
 * encode
 */

/* encode_body -- the type-specific part; -1 on an unterminated string */
static int
encode_body(const struct rpmem_msg *m, uint8_t *b)
{
	const struct rpmem_req_pool *rq;
	const struct rpmem_resp_pool *rs;

	switch (m->type) {
	case RPMEM_MSG_HELLO:
		rpmem_put_le32(b, m->u.hello.daemon_version);
		rpmem_put_le32(b + 4, m->u.hello.max_lanes);
		return 0;
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		rq = &m->u.pool;
		rpmem_put_le64(b, rq->pool_size);
		rpmem_put_le32(b + 8, rq->nlanes);
		rpmem_put_le32(b + 12, rq->flags);
		if (put_str(b + 16, rq->pool_desc, RPMEM_POOL_DESC_MAX) ||
		    put_str(b + 272, rq->rdma_addr, RPMEM_ADDR_MAX))
			return -1;
		put_attr(b + 336, &rq->attr);
		return 0;
	case RPMEM_MSG_CREATE_RESP:
	case RPMEM_MSG_OPEN_RESP:
		rs = &m->u.pool_resp;
		rpmem_put_le64(b, rs->raddr);
		rpmem_put_le64(b + 8, rs->pool_size);
		rpmem_put_le32(b + 16, rs->rkey);
		rpmem_put_le32(b + 20, rs->nlanes);
		rpmem_put_le32(b + 24, rs->hdr_size);
		rpmem_put_le16(b + 28, rs->port);
		rpmem_put_le16(b + 30, rs->persist_method);
		rpmem_put_le32(b + 32, rs->max_msg_size);
		memcpy(b + 36, rs->secret, RPMEM_SECRET_LEN);
		if (put_str(b + 52, rs->pm_reason, RPMEM_PM_REASON_MAX) ||
		    put_str(b + 308, rs->device, RPMEM_DEV_NAME_MAX))
			return -1;
		put_attr(b + 372, &rs->attr);
		return 0;
	case RPMEM_MSG_SET_ATTR:
		rpmem_put_le32(b, m->u.set_attr.flags);
		put_attr(b + 4, &m->u.set_attr.attr);
		return 0;
	case RPMEM_MSG_CLOSE:
		rpmem_put_le32(b, m->u.close.flags);
		return 0;
	case RPMEM_MSG_REMOVE:
		rpmem_put_le32(b, m->u.remove.flags);
		return put_str(b + 4, m->u.remove.pool_desc,
				RPMEM_POOL_DESC_MAX);
	default:
		return 0;	/* empty responses */
	}
}

/*
 * rpmem_msg_encode -- encode m into buf
 *
 * Only what makes the bytes ill-formed is refused here (unknown type,
 * unterminated string, a status a request may not carry or out of range);
 * value rules are the receiver's, so tests and fakes can still produce
 * well-formed but wrong messages.
 */
size_t
rpmem_msg_encode(const struct rpmem_msg *m, uint8_t *buf, size_t buflen)
{
	size_t size;
	int resp;

	if (m == NULL || buf == NULL)
		return 0;
	size = rpmem_msg_size(m->type);
	if (size == 0 || buflen < size)
		return 0;
	resp = rpmem_msg_is_response(m->type);
	if (resp ? m->status >= RPMEM_ST_MAX : m->status != 0)
		return 0;

	memset(buf, 0, size);
	rpmem_put_le32(buf, RPMEM_PROTO_MAGIC);
	rpmem_put_le16(buf + 4, RPMEM_PROTO_VERSION);
	rpmem_put_le16(buf + 6, m->type);
	rpmem_put_le32(buf + 8, (uint32_t)size);
	rpmem_put_le32(buf + 12, m->status);
	if (resp && put_str(buf + RESP_TEXT_OFF, m->text, RPMEM_MSG_TEXT_MAX))
		return 0;
	if (encode_body(m, buf + (resp ? RESP_BODY_OFF : REQ_BODY_OFF)))
		return 0;
	return size;
}

/* ---------------------------------------------------------------------
 * decode
 */

/* rpmem_msg_hdr_check -- magic, version, known type, exact size */
uint32_t
rpmem_msg_hdr_check(const uint8_t *hdr, uint16_t *type, uint32_t *size,
		const char **why)
{
	const char *dummy;
	uint16_t t;
	uint32_t s;

	if (why == NULL)
		why = &dummy;
	if (hdr == NULL) {
		*why = "no header";
		return RPMEM_ST_PROTO;
	}
	if (rpmem_get_le32(hdr) != RPMEM_PROTO_MAGIC) {
		*why = "bad magic";
		return RPMEM_ST_PROTO;
	}
	/* before the type: another version may have other types */
	if (rpmem_get_le16(hdr + 4) != RPMEM_PROTO_VERSION) {
		*why = "unsupported protocol version";
		return RPMEM_ST_BADVERSION;
	}
	t = rpmem_get_le16(hdr + 6);
	if (rpmem_msg_size(t) == 0) {
		*why = "unknown message type";
		return RPMEM_ST_PROTO;
	}
	s = rpmem_get_le32(hdr + 8);
	if (s != rpmem_msg_size(t)) {
		*why = "wrong message size for its type";
		return RPMEM_ST_PROTO;
	}
	if (type != NULL)
		*type = t;
	if (size != NULL)
		*size = s;
	return RPMEM_ST_OK;
}

/* decode_pool_req -- CREATE / OPEN body */
static uint32_t
decode_pool_req(struct rpmem_msg *m, const uint8_t *b, const char **why)
{
	struct rpmem_req_pool *rq = &m->u.pool;
	int zero;

	rq->pool_size = rpmem_get_le64(b);
	rq->nlanes = rpmem_get_le32(b + 8);
	rq->flags = rpmem_get_le32(b + 12);
	if (get_str(rq->pool_desc, b + 16, RPMEM_POOL_DESC_MAX)) {
		*why = "unterminated pool descriptor";
		return RPMEM_ST_PROTO;
	}
	if (get_str(rq->rdma_addr, b + 272, RPMEM_ADDR_MAX)) {
		*why = "unterminated rdma address";
		return RPMEM_ST_PROTO;
	}
	get_attr(&rq->attr, b + 336);

	if (rq->pool_desc[0] == '\0') {
		*why = "empty pool descriptor";
		return RPMEM_ST_PROTO;
	}
	if (rq->nlanes == 0) {
		*why = "zero lanes requested";
		return RPMEM_ST_PROTO;
	}
	if (rq->pool_size == 0) {
		*why = "zero pool size";
		return RPMEM_ST_PROTO;
	}
	zero = rpmem_attr_is_zero(&rq->attr);
	if (m->type == RPMEM_MSG_OPEN) {
		if (rq->flags != 0) {
			*why = "unknown flags";
			return RPMEM_ST_PROTO;
		}
		if (!zero) {
			*why = "attributes in an open request";
			return RPMEM_ST_PROTO;
		}
		return RPMEM_ST_OK;
	}
	if (rq->flags & ~RPMEM_REQ_HAS_ATTR) {
		*why = "unknown flags";
		return RPMEM_ST_PROTO;
	}
	/*
	 * the flag says "attributes given", and given ones may be all zero
	 * (a header with zero attributes, as PMDK's zero-filled create_attr
	 * is not NULL); without the flag there is nothing to carry
	 */
	if (!(rq->flags & RPMEM_REQ_HAS_ATTR) && !zero) {
		*why = "attributes without the attribute flag";
		return RPMEM_ST_PROTO;
	}
	return RPMEM_ST_OK;
}

/* decode_pool_resp -- CREATE_RESP / OPEN_RESP body */
static uint32_t
decode_pool_resp(struct rpmem_msg *m, const uint8_t *b, const char **why)
{
	struct rpmem_resp_pool *rs = &m->u.pool_resp;

	rs->raddr = rpmem_get_le64(b);
	rs->pool_size = rpmem_get_le64(b + 8);
	rs->rkey = rpmem_get_le32(b + 16);
	rs->nlanes = rpmem_get_le32(b + 20);
	rs->hdr_size = rpmem_get_le32(b + 24);
	rs->port = rpmem_get_le16(b + 28);
	rs->persist_method = rpmem_get_le16(b + 30);
	rs->max_msg_size = rpmem_get_le32(b + 32);
	memcpy(rs->secret, b + 36, RPMEM_SECRET_LEN);
	if (get_str(rs->pm_reason, b + 52, RPMEM_PM_REASON_MAX)) {
		*why = "unterminated persist method reason";
		return RPMEM_ST_PROTO;
	}
	if (get_str(rs->device, b + 308, RPMEM_DEV_NAME_MAX)) {
		*why = "unterminated device name";
		return RPMEM_ST_PROTO;
	}
	get_attr(&rs->attr, b + 372);

	/* a failed request's body carries nothing to check */
	if (m->status != RPMEM_ST_OK)
		return RPMEM_ST_OK;
	if (rs->persist_method < RPMEM_PM_APM ||
	    rs->persist_method >= RPMEM_PM_MAX) {
		*why = "unknown persist method";
		return RPMEM_ST_PROTO;
	}
	if (rs->nlanes == 0) {
		*why = "zero lanes granted";
		return RPMEM_ST_PROTO;
	}
	if (rs->hdr_size != 0 && rs->hdr_size != RPMEM_POOL_HDR_SIZE) {
		*why = "bad header size";
		return RPMEM_ST_PROTO;
	}
	if (rs->port == 0) {
		*why = "zero rdma port";
		return RPMEM_ST_PROTO;
	}
	return RPMEM_ST_OK;
}

/* decode_body -- the type-specific part and its rules */
static uint32_t
decode_body(struct rpmem_msg *m, const uint8_t *b, const char **why)
{
	switch (m->type) {
	case RPMEM_MSG_HELLO:
		m->u.hello.daemon_version = rpmem_get_le32(b);
		m->u.hello.max_lanes = rpmem_get_le32(b + 4);
		return RPMEM_ST_OK;
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		return decode_pool_req(m, b, why);
	case RPMEM_MSG_CREATE_RESP:
	case RPMEM_MSG_OPEN_RESP:
		return decode_pool_resp(m, b, why);
	case RPMEM_MSG_SET_ATTR:
		m->u.set_attr.flags = rpmem_get_le32(b);
		get_attr(&m->u.set_attr.attr, b + 4);
		if (m->u.set_attr.flags & ~RPMEM_REQ_HAS_ATTR) {
			*why = "unknown flags";
			return RPMEM_ST_PROTO;
		}
		if (((m->u.set_attr.flags & RPMEM_REQ_HAS_ATTR) != 0) ==
		    rpmem_attr_is_zero(&m->u.set_attr.attr)) {
			*why = "attribute flag does not match the attributes";
			return RPMEM_ST_PROTO;
		}
		return RPMEM_ST_OK;
	case RPMEM_MSG_CLOSE:
		m->u.close.flags = rpmem_get_le32(b);
		if (m->u.close.flags & ~RPMEM_CLOSE_REMOVE) {
			*why = "unknown flags";
			return RPMEM_ST_PROTO;
		}
		return RPMEM_ST_OK;
	case RPMEM_MSG_REMOVE:
		m->u.remove.flags = rpmem_get_le32(b);
		if (m->u.remove.flags &
		    ~(uint32_t)(RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET)) {
			*why = "unknown flags";
			return RPMEM_ST_PROTO;
		}
		if (get_str(m->u.remove.pool_desc, b + 4,
				RPMEM_POOL_DESC_MAX)) {
			*why = "unterminated pool descriptor";
			return RPMEM_ST_PROTO;
		}
		if (m->u.remove.pool_desc[0] == '\0') {
			*why = "empty pool descriptor";
			return RPMEM_ST_PROTO;
		}
		return RPMEM_ST_OK;
	default:
		return RPMEM_ST_OK;	/* empty responses */
	}
}

/* rpmem_msg_decode -- decode and validate a whole message */
uint32_t
rpmem_msg_decode(const uint8_t *buf, size_t len, struct rpmem_msg *m,
		const char **why)
{
	const char *dummy;
	uint32_t size;
	uint32_t st;
	uint16_t type;
	int resp;

	if (why == NULL)
		why = &dummy;
	if (buf == NULL || m == NULL) {
		*why = "no message";
		return RPMEM_ST_PROTO;
	}
	if (len < RPMEM_MSG_HDR_SIZE) {
		*why = "message shorter than its header";
		return RPMEM_ST_PROTO;
	}
	st = rpmem_msg_hdr_check(buf, &type, &size, why);
	if (st != RPMEM_ST_OK)
		return st;
	if (len != size) {
		*why = "message length does not match its header";
		return RPMEM_ST_PROTO;
	}

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->status = rpmem_get_le32(buf + 12);
	resp = rpmem_msg_is_response(type);
	if (!resp && m->status != 0) {
		*why = "non-zero status in a request";
		return RPMEM_ST_PROTO;
	}
	if (resp && m->status >= RPMEM_ST_MAX) {
		*why = "status out of range";
		return RPMEM_ST_PROTO;
	}
	if (resp && get_str(m->text, buf + RESP_TEXT_OFF, RPMEM_MSG_TEXT_MAX)) {
		*why = "unterminated response text";
		return RPMEM_ST_PROTO;
	}
	return decode_body(m, buf + (resp ? RESP_BODY_OFF : REQ_BODY_OFF),
			why);
}

/* ---------------------------------------------------------------------
 * status <-> errno, names
 */

/*
 * Status_table -- the one status <-> errno table.  errno -> status takes
 * the entry marked canonical where several statuses share an errno
 * (EINVAL: POOL_CFG, the generic "this pool cannot be used like that").
 */
static const struct {
	int err;
	bool canonical;
	const char *str;
} Status_table[RPMEM_ST_MAX] = {
	[RPMEM_ST_OK] = {0, true, "success"},
	[RPMEM_ST_PROTO] = {EPROTO, true, "protocol error"},
	[RPMEM_ST_BADVERSION] = {EPROTONOSUPPORT, true,
		"unsupported protocol version"},
	[RPMEM_ST_BADNAME] = {EINVAL, false, "invalid pool set name"},
	[RPMEM_ST_BADSIZE] = {EFBIG, true,
		"pool size larger than the remote pool"},
	[RPMEM_ST_POOL_CFG] = {EINVAL, true, "invalid pool configuration"},
	[RPMEM_ST_BUSY] = {EBUSY, true, "pool in use"},
	[RPMEM_ST_EXISTS] = {EEXIST, true, "pool already exists"},
	[RPMEM_ST_NOEXIST] = {ENOENT, true, "pool set or part does not exist"},
	[RPMEM_ST_NOACCESS] = {EACCES, true, "permission denied"},
	[RPMEM_ST_NOMEM] = {ENOMEM, true, "out of memory"},
	[RPMEM_ST_CONFIG] = {EINVAL, false, "invalid daemon configuration"},
	[RPMEM_ST_RDMA] = {ECONNABORTED, true, "RDMA setup failed"},
	[RPMEM_ST_NOSUPP] = {EOPNOTSUPP, true, "operation not supported"},
	[RPMEM_ST_FATAL] = {EREMOTEIO, true, "fatal error"},
	[RPMEM_ST_NOSPC] = {ENOSPC, true, "no space left on the target"},
};

/* rpmem_status_to_errno -- out of range (a broken peer) is EPROTO */
int
rpmem_status_to_errno(uint32_t status)
{
	if (status >= RPMEM_ST_MAX)
		return EPROTO;
	return Status_table[status].err;
}

/* rpmem_status_from_errno -- an errno the table does not know is FATAL */
uint32_t
rpmem_status_from_errno(int err)
{
	for (uint32_t s = 0; s < RPMEM_ST_MAX; s++)
		if (Status_table[s].err == err && Status_table[s].canonical)
			return s;
	return RPMEM_ST_FATAL;
}

/* rpmem_status_str -- human-readable status */
const char *
rpmem_status_str(uint32_t status)
{
	if (status >= RPMEM_ST_MAX)
		return "unknown status";
	return Status_table[status].str;
}

/* rpmem_msg_type_str -- message type name, for messages */
const char *
rpmem_msg_type_str(uint16_t type)
{
	static const char *const names[RPMEM_MSG_TYPE_MAX] = {
		[RPMEM_MSG_HELLO] = "HELLO",
		[RPMEM_MSG_CREATE] = "CREATE",
		[RPMEM_MSG_CREATE_RESP] = "CREATE_RESP",
		[RPMEM_MSG_OPEN] = "OPEN",
		[RPMEM_MSG_OPEN_RESP] = "OPEN_RESP",
		[RPMEM_MSG_SET_ATTR] = "SET_ATTR",
		[RPMEM_MSG_SET_ATTR_RESP] = "SET_ATTR_RESP",
		[RPMEM_MSG_CLOSE] = "CLOSE",
		[RPMEM_MSG_CLOSE_RESP] = "CLOSE_RESP",
		[RPMEM_MSG_REMOVE] = "REMOVE",
		[RPMEM_MSG_REMOVE_RESP] = "REMOVE_RESP",
	};

	if (type >= RPMEM_MSG_TYPE_MAX || names[type] == NULL)
		return "UNKNOWN";
	return names[type];
}

/* rpmem_persist_method_str -- "APM", "GPSPM" or "unknown" */
const char *
rpmem_persist_method_str(uint16_t pm)
{
	switch (pm) {
	case RPMEM_PM_APM:
		return "APM";
	case RPMEM_PM_GPSPM:
		return "GPSPM";
	default:
		return "unknown";
	}
}
