/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_seeds.c -- write the seed corpora of the fuzz targets from valid
 * messages (and a few near misses)
 *
 * usage: fuzz_gen_seeds DIR   writes DIR/<target>/<seed> for every target
 * The committed test/fuzz/corpus/ is this program's output:
 *   build/test/fuzz/fuzz_gen_seeds test/fuzz/corpus
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "rpmem_proto.h"

static const char *Dir;

/* seed -- write one seed file */
static void
seed(const char *target, const char *name, const void *buf, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", Dir, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", Dir, target, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* a growing byte stream */
struct stream {
	uint8_t buf[8192];
	size_t len;
};

static void
add_bytes(struct stream *s, const void *p, size_t n)
{
	if (s->len + n > sizeof(s->buf))
		abort();
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* add_msg -- encode m and append it */
static void
add_msg(struct stream *s, const struct rpmem_msg *m)
{
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	size_t n = rpmem_msg_encode(m, buf, sizeof(buf));

	if (n == 0)
		abort();
	add_bytes(s, buf, n);
}

static void
attr_fill(struct rpmem_pool_attr *a, const char *sig)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, sig, strlen(sig));
	a->major = 1;
	a->uuid[0] = 0x42;
}

static struct rpmem_msg
req_pool(uint16_t type, const char *desc)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.pool.pool_size = 16u << 20;
	m.u.pool.nlanes = 4;
	snprintf(m.u.pool.pool_desc, sizeof(m.u.pool.pool_desc), "%s", desc);
	snprintf(m.u.pool.rdma_addr, sizeof(m.u.pool.rdma_addr), "10.0.0.1");
	if (type == RPMEM_MSG_CREATE) {
		m.u.pool.flags = RPMEM_REQ_HAS_ATTR;
		attr_fill(&m.u.pool.attr, "PMEMOBJ");
	}
	return m;
}

static struct rpmem_msg
req_simple(uint16_t type, uint32_t flags)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	if (type == RPMEM_MSG_SET_ATTR) {
		m.u.set_attr.flags = flags;
		if (flags)
			attr_fill(&m.u.set_attr.attr, "NEWSIG");
	} else if (type == RPMEM_MSG_CLOSE) {
		m.u.close.flags = flags;
	}
	return m;
}

static struct rpmem_msg
req_remove(const char *desc, uint32_t flags)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_REMOVE;
	m.u.remove.flags = flags;
	snprintf(m.u.remove.pool_desc, sizeof(m.u.remove.pool_desc), "%s",
		desc);
	return m;
}

static void
server_seeds(void)
{
	static const char *const names[] = {
		"x.set", "sub/y.set", "in.set", "esc.set", "escdir/x.set",
		"../x.set", "/etc/passwd", "loop.set", "sub", ".", "nope.set",
		"./sub//y.set",
	};
	struct stream s;
	struct rpmem_msg m;
	char name[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&s, 0, sizeof(s));
		m = req_pool(i % 2 ? RPMEM_MSG_OPEN : RPMEM_MSG_CREATE,
			names[i]);
		add_msg(&s, &m);
		snprintf(name, sizeof(name), "pool-%02zu", i);
		seed("ctl_server", name, s.buf, s.len);

		memset(&s, 0, sizeof(s));
		m = req_remove(names[i], RPMEM_REMOVE_FORCE);
		add_msg(&s, &m);
		snprintf(name, sizeof(name), "remove-%02zu", i);
		seed("ctl_server", name, s.buf, s.len);
	}

	/* whole sessions */
	memset(&s, 0, sizeof(s));
	m = req_pool(RPMEM_MSG_CREATE, "x.set");
	add_msg(&s, &m);
	m = req_simple(RPMEM_MSG_SET_ATTR, RPMEM_REQ_HAS_ATTR);
	add_msg(&s, &m);
	m = req_simple(RPMEM_MSG_CLOSE, 0);
	add_msg(&s, &m);
	seed("ctl_server", "session-create", s.buf, s.len);

	memset(&s, 0, sizeof(s));
	m = req_pool(RPMEM_MSG_OPEN, "sub/y.set");
	add_msg(&s, &m);
	m = req_simple(RPMEM_MSG_SET_ATTR, 0);
	add_msg(&s, &m);
	m = req_simple(RPMEM_MSG_CLOSE, RPMEM_CLOSE_REMOVE);
	add_msg(&s, &m);
	seed("ctl_server", "session-open", s.buf, s.len);

	/* near misses: a response from the client, bad header fields */
	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_CLOSE_RESP;
	add_msg(&s, &m);
	seed("ctl_server", "response", s.buf, s.len);

	memset(&s, 0, sizeof(s));
	m = req_simple(RPMEM_MSG_CLOSE, 0);
	add_msg(&s, &m);
	s.buf[4] = 2;	/* version */
	seed("ctl_server", "bad-version", s.buf, s.len);
	s.buf[4] = 1;
	rpmem_put_le32(s.buf + 8, 0xffffffffu);	/* size */
	seed("ctl_server", "huge-size", s.buf, s.len);
	seed("ctl_server", "truncated", s.buf, 10);
}

static struct rpmem_msg
resp(uint16_t type, uint32_t status)
{
	struct rpmem_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.status = status;
	if (status)
		snprintf(m.text, sizeof(m.text), "refused: %s",
			rpmem_status_str(status));
	if (type == RPMEM_MSG_HELLO) {
		m.u.hello.daemon_version = 1u << 16 | 1;
		m.u.hello.max_lanes = 64;
	}
	if (type == RPMEM_MSG_CREATE_RESP || type == RPMEM_MSG_OPEN_RESP) {
		struct rpmem_resp_pool *r = &m.u.pool_resp;
		r->raddr = 0x7f0000000000ull;
		r->pool_size = 16u << 20;
		r->rkey = 0x1234;
		r->nlanes = 4;
		r->hdr_size = RPMEM_POOL_HDR_SIZE;
		r->port = 7777;
		r->persist_method = RPMEM_PM_GPSPM;
		r->max_msg_size = 1u << 30;
		memset(r->secret, 0x5a, sizeof(r->secret));
		snprintf(r->pm_reason, sizeof(r->pm_reason), "not pmem");
		snprintf(r->device, sizeof(r->device), "rxe0");
		if (type == RPMEM_MSG_OPEN_RESP)
			attr_fill(&r->attr, "PMEMOBJ");
	}
	return m;
}

static void
client_seeds(void)
{
	/* session byte (fuzz_ctl_client.c), then the daemon's words */
	static const struct {
		const char *name;
		uint8_t session;
		uint16_t types[4];
		uint32_t status;	/* of the second message */
	} sessions[] = {
		{"create", 0, {RPMEM_MSG_HELLO, RPMEM_MSG_CREATE_RESP,
			RPMEM_MSG_SET_ATTR_RESP, RPMEM_MSG_CLOSE_RESP}, 0},
		{"open", 1, {RPMEM_MSG_HELLO, RPMEM_MSG_OPEN_RESP,
			RPMEM_MSG_SET_ATTR_RESP, RPMEM_MSG_CLOSE_RESP}, 0},
		{"remove", 2, {RPMEM_MSG_HELLO, RPMEM_MSG_REMOVE_RESP}, 0},
		{"twice", 3, {RPMEM_MSG_HELLO, RPMEM_MSG_CREATE_RESP,
			RPMEM_MSG_OPEN_RESP, RPMEM_MSG_CLOSE_RESP}, 0},
		{"create-refused", 0, {RPMEM_MSG_HELLO,
			RPMEM_MSG_CREATE_RESP, RPMEM_MSG_SET_ATTR_RESP,
			RPMEM_MSG_CLOSE_RESP}, RPMEM_ST_EXISTS},
		{"open-busy", 1, {RPMEM_MSG_HELLO, RPMEM_MSG_OPEN_RESP,
			RPMEM_MSG_SET_ATTR_RESP, RPMEM_MSG_CLOSE_RESP},
			RPMEM_ST_BUSY},
		{"out-of-order", 0, {RPMEM_MSG_HELLO, RPMEM_MSG_CLOSE_RESP,
			RPMEM_MSG_CREATE_RESP, RPMEM_MSG_SET_ATTR_RESP}, 0},
	};
	struct rpmem_msg m;
	struct stream s;

	for (size_t i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
		memset(&s, 0, sizeof(s));
		add_bytes(&s, &sessions[i].session, 1);
		for (int j = 0; j < 4 && sessions[i].types[j]; j++) {
			m = resp(sessions[i].types[j],
				j == 1 ? sessions[i].status : 0);
			add_msg(&s, &m);
		}
		seed("ctl_client", sessions[i].name, s.buf, s.len);
	}

	/* a HELLO refusing the session; a HELLO cut short */
	memset(&s, 0, sizeof(s));
	add_bytes(&s, "\0", 1);
	m = resp(RPMEM_MSG_HELLO, RPMEM_ST_CONFIG);
	add_msg(&s, &m);
	seed("ctl_client", "hello-refused", s.buf, s.len);
	seed("ctl_client", "hello-truncated", s.buf, 100);
}

static void
gpspm_seed(const char *name, uint32_t lane, uint64_t lo, uint64_t size,
		const uint8_t *msg, size_t len)
{
	uint8_t buf[20 + RPMEM_GPSPM_REQ_MAX_SIZE];

	rpmem_put_le32(buf, lane);
	rpmem_put_le64(buf + 4, lo);
	rpmem_put_le64(buf + 12, size);
	memcpy(buf + 20, msg, len);
	seed("gpspm", name, buf, 20 + len);
}

static void
gpspm_seeds(void)
{
	uint8_t b[RPMEM_GPSPM_REQ_SIZE];
	struct rpmem_gpspm_req r = {
		.op = RPMEM_GPSPM_PERSIST, .lane = 2, .offset = 4096,
		.length = 8192, .seq = 7,
	};

	rpmem_gpspm_req_encode(&r, b);
	gpspm_seed("persist", 2, 4096, 65536, b, sizeof(b));
	gpspm_seed("persist-huge-pool", 2, 4096, 1ull << 40, b, sizeof(b));
	gpspm_seed("wrong-lane", 3, 4096, 65536, b, sizeof(b));
	gpspm_seed("short", 2, 4096, 65536, b, 31);
	r.op = RPMEM_GPSPM_DEEP_PERSIST;
	r.offset = 65536 - 8;
	r.length = 8;
	rpmem_gpspm_req_encode(&r, b);
	gpspm_seed("deep-at-end", 2, 4096, 65536, b, sizeof(b));
	r.length = 9;
	rpmem_gpspm_req_encode(&r, b);
	gpspm_seed("past-end", 2, 4096, 65536, b, sizeof(b));
	r.offset = 0;
	r.length = 16;
	rpmem_gpspm_req_encode(&r, b);
	gpspm_seed("in-header", 2, 4096, 65536, b, sizeof(b));
	r.offset = 8192;
	r.length = UINT64_MAX - 4096;
	rpmem_gpspm_req_encode(&r, b);
	gpspm_seed("overflow", 2, 4096, 65536, b, sizeof(b));

	/* inline: header + the bytes; the longest; one byte short */
	uint8_t ib[RPMEM_GPSPM_REQ_MAX_SIZE];
	memset(ib, 0x5c, sizeof(ib));
	r.op = RPMEM_GPSPM_PERSIST_INLINE;
	r.offset = 4096 + 3;
	r.length = 7;
	rpmem_gpspm_req_encode(&r, ib);
	gpspm_seed("inline", 2, 4096, 65536, ib, RPMEM_GPSPM_REQ_SIZE + 7);
	gpspm_seed("inline-short", 2, 4096, 65536, ib,
		RPMEM_GPSPM_REQ_SIZE + 6);
	r.op = RPMEM_GPSPM_DEEP_PERSIST_INLINE;
	r.offset = 65536 - RPMEM_GPSPM_INLINE_MAX;
	r.length = RPMEM_GPSPM_INLINE_MAX;
	rpmem_gpspm_req_encode(&r, ib);
	gpspm_seed("inline-max-at-end", 2, 4096, 65536, ib, sizeof(ib));

	struct rpmem_gpspm_resp rs = {.status = 0, .lane = 2, .seq = 7};
	uint8_t rb[RPMEM_GPSPM_RESP_SIZE];
	rpmem_gpspm_resp_encode(&rs, rb);
	gpspm_seed("response", 2, 4096, 65536, rb, sizeof(rb));

	struct rpmem_conn_pdata pd = {.version = RPMEM_PROTO_VERSION,
		.lane = 1};
	uint8_t pb[RPMEM_CONN_PDATA_SIZE];
	memset(pd.secret, 0x33, sizeof(pd.secret));
	rpmem_conn_pdata_encode(&pd, pb);
	gpspm_seed("conn-pdata", 1, 0, 65536, pb, sizeof(pb));
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	Dir = argv[1];
	if (mkdir(Dir, 0755) && errno != EEXIST) {
		perror(Dir);
		return 1;
	}
	server_seeds();
	client_seeds();
	gpspm_seeds();
	return 0;
}
