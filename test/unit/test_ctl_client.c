/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_client.c -- the ssh transport, the control client and the
 * public API's control paths against a FAKE rpmemd
 *
 * RPMEM_SSH points at this very binary: started with FAKE_RPMEMD_SCRIPT
 * in its environment, main() becomes the fake daemon, ignores the ssh
 * arguments (it logs them) and speaks the protocol on stdin/stdout with
 * the scripted misbehaviour.  What it received goes to FAKE_RPMEMD_LOG,
 * which a test reads after the session ended (the close reaps the fake,
 * so the log is complete by then).
 *
 * The data path (rpmem_dp_*) is replaced by a test double below, so the
 * API can be driven through create/persist/read/close without RDMA and
 * deterministically; its default is to fail like a host without RDMA
 * devices (ENODEV).  Defining these symbols here keeps the archive's real
 * data_path.o out of this binary; the real one is exercised by
 * test_create_real_dp_fails_removes_pool through the built librpmem.so.1.
 */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "librpmem.h"
#include "ctl_client.h"
#include "data_path.h"
#include "error.h"
#include "pool.h"
#include "rpmem_proto.h"
#include "ssh.h"
#include "target.h"

#define FAKE_GRANT 4		/* lanes the fake daemon grants */
#define FAKE_PORT 1		/* an rdma port nobody listens on */
#define FAKE_RADDR 0x10000000ull
#define FAKE_RKEY 0x1234u
#define POOL_SIZE ((size_t)1 << 20)

static char Self[PATH_MAX];	/* this binary, used as "ssh" */
static char Log[64];		/* this test's fake daemon log */

/* =====================================================================
 * the fake daemon
 */
static int Fake_log = -1;

/* flog -- append to the fake's log */
__attribute__((format(printf, 1, 2)))
static void
flog(const char *fmt, ...)
{
	va_list ap;

	if (Fake_log < 0)
		return;
	va_start(ap, fmt);
	vdprintf(Fake_log, fmt, ap);
	va_end(ap);
}

/* fread_all -- read up to len bytes, fewer only at end of file */
static size_t
fread_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* fwrite_all -- write everything (the client may be gone: ignore) */
static void
fwrite_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

/* fake_recv -- one request (logged), -1 at end of file or garbage */
static int
fake_recv(struct rpmem_msg *m)
{
	uint8_t b[RPMEM_MSG_MAX_SIZE];
	const char *why = "";
	uint16_t type;
	uint32_t size;

	if (fread_all(0, b, RPMEM_MSG_HDR_SIZE) < RPMEM_MSG_HDR_SIZE) {
		flog("EOF\n");
		return -1;
	}
	if (rpmem_msg_hdr_check(b, &type, &size, &why) != RPMEM_ST_OK) {
		flog("BADHDR %s\n", why);
		return -1;
	}
	if (fread_all(0, b + RPMEM_MSG_HDR_SIZE, size - RPMEM_MSG_HDR_SIZE)
	    < size - RPMEM_MSG_HDR_SIZE) {
		flog("EOF in message\n");
		return -1;
	}
	if (rpmem_msg_decode(b, size, m, &why) != RPMEM_ST_OK) {
		flog("BADMSG %s\n", why);
		return -1;
	}
	switch (m->type) {
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		flog("REQ %s flags=%u nlanes=%u size=%llu desc=%s addr=%s\n",
			rpmem_msg_type_str(m->type), m->u.pool.flags,
			m->u.pool.nlanes,
			(unsigned long long)m->u.pool.pool_size,
			m->u.pool.pool_desc, m->u.pool.rdma_addr);
		break;
	case RPMEM_MSG_SET_ATTR:
		flog("REQ SET_ATTR flags=%u major=%u\n", m->u.set_attr.flags,
			m->u.set_attr.attr.major);
		break;
	case RPMEM_MSG_CLOSE:
		flog("REQ CLOSE flags=%u\n", m->u.close.flags);
		break;
	case RPMEM_MSG_REMOVE:
		flog("REQ REMOVE flags=%u desc=%s\n", m->u.remove.flags,
			m->u.remove.pool_desc);
		break;
	default:
		flog("REQ %s\n", rpmem_msg_type_str(m->type));
	}
	return 0;
}

/* fake_encode -- encode m into b (must work) */
static size_t
fake_encode(const struct rpmem_msg *m, uint8_t *b)
{
	size_t len = rpmem_msg_encode(m, b, RPMEM_MSG_MAX_SIZE);

	if (len == 0) {
		flog("ENCODE FAILED\n");
		exit(99);
	}
	return len;
}

/* fake_send -- encode and write m */
static void
fake_send(const struct rpmem_msg *m)
{
	uint8_t b[RPMEM_MSG_MAX_SIZE];

	fwrite_all(1, b, fake_encode(m, b));
}

/* env_uint -- a numeric environment value or def */
static unsigned
env_uint(const char *name, unsigned def)
{
	const char *v = getenv(name);

	return v != NULL ? (unsigned)strtoul(v, NULL, 0) : def;
}

/* fake_answer -- the response to req with this status */
static void
fake_answer(const struct rpmem_msg *req, uint32_t status,
		struct rpmem_msg *r)
{
	struct rpmem_resp_pool *rs = &r->u.pool_resp;
	unsigned grant = env_uint("FAKE_GRANT", FAKE_GRANT);

	memset(r, 0, sizeof(*r));
	r->type = (uint16_t)(req->type + 1);
	r->status = status;
	if (status != RPMEM_ST_OK) {
		snprintf(r->text, sizeof(r->text), "fake status %u", status);
		return;
	}
	if (req->type != RPMEM_MSG_CREATE && req->type != RPMEM_MSG_OPEN)
		return;
	rs->raddr = FAKE_RADDR;
	/* FAKE_SHORT: a daemon granting that many bytes less than asked */
	rs->pool_size = req->u.pool.pool_size - env_uint("FAKE_SHORT", 0);
	rs->rkey = FAKE_RKEY;
	rs->nlanes = req->u.pool.nlanes < grant ? req->u.pool.nlanes : grant;
	if (req->type == RPMEM_MSG_CREATE)
		rs->hdr_size = env_uint("FAKE_CREATE_HDR",
			(req->u.pool.flags & RPMEM_REQ_HAS_ATTR) ?
			RPMEM_POOL_HDR_SIZE : 0);
	else
		rs->hdr_size = env_uint("FAKE_HDR", RPMEM_POOL_HDR_SIZE);
	rs->port = FAKE_PORT;
	rs->persist_method = RPMEM_PM_GPSPM;
	for (int i = 0; i < RPMEM_SECRET_LEN; i++)
		rs->secret[i] = (uint8_t)(i + 1);
	strcpy(rs->pm_reason, "fake reason");
	strcpy(rs->device, "fake0");
	if (req->type == RPMEM_MSG_OPEN && rs->hdr_size != 0) {
		memcpy(rs->attr.signature, "FAKESIG", 8);
		rs->attr.major = 7;
		rs->attr.user_flags[15] = 0x5a;
	}
}

/* fake_report -- log our descriptors, SIGPIPE disposition and mask */
static void
fake_report(void)
{
	struct sigaction sa;
	sigset_t mask;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	flog("FDS");
	while (d != NULL && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d) || fd == Fake_log)
			continue;
		flog(" %d", fd);
	}
	flog("\n");
	if (d != NULL)
		closedir(d);
	sigaction(SIGPIPE, NULL, &sa);
	flog("SIGPIPE %s\n", sa.sa_handler == SIG_DFL ? "DFL" : "NOT-DFL");
	sigprocmask(SIG_SETMASK, NULL, &mask);
	flog("USR1 %s\n", sigismember(&mask, SIGUSR1) ? "BLOCKED" : "FREE");
}

/* fake_hello -- the daemon's first words, optionally spoiled */
static void
fake_hello(const char *script)
{
	uint8_t b[RPMEM_MSG_MAX_SIZE];
	struct rpmem_msg m;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.type = RPMEM_MSG_HELLO;
	m.u.hello.daemon_version = env_uint("FAKE_DAEMON_VERSION", 0x00010001);
	m.u.hello.max_lanes = env_uint("FAKE_MAX_LANES", 0);
	len = fake_encode(&m, b);
	if (strcmp(script, "hello_badmagic") == 0)
		b[0] ^= 0xff;
	else if (strcmp(script, "hello_badversion") == 0)
		rpmem_put_le16(b + 4, RPMEM_PROTO_VERSION + 1);
	else if (strcmp(script, "hello_truncated") == 0)
		len = 100;
	fwrite_all(1, b, len);
}

/* fake_serve -- answer requests as the script says, until end of file */
static int
fake_serve(const char *script)
{
	uint8_t b[RPMEM_MSG_MAX_SIZE];
	struct rpmem_msg req, r;
	unsigned status = 0;
	int n = 0;

	if (strncmp(script, "status:", 7) == 0)
		status = (unsigned)atoi(script + 7);

	while (fake_recv(&req) == 0) {
		size_t len;

		n++;
		if (strcmp(script, "hang") == 0)
			continue;
		/* a scripted status answers the first request only */
		fake_answer(&req, n == 1 ? status : RPMEM_ST_OK, &r);
		if (strcmp(script, "resp_badbody") == 0 &&
		    req.type == RPMEM_MSG_CREATE)
			r.u.pool_resp.nlanes = 0;
		if (strcmp(script, "resp_wrongtype") == 0)
			r.type = req.type == RPMEM_MSG_CLOSE ?
				RPMEM_MSG_REMOVE_RESP : RPMEM_MSG_CLOSE_RESP;
		len = fake_encode(&r, b);
		if (strcmp(script, "resp_badsize") == 0)
			rpmem_put_le32(b + 8, (uint32_t)len + 1);
		if (strcmp(script, "resp_badmagic") == 0)
			b[1] ^= 0x40;
		if (strcmp(script, "resp_truncated") == 0) {
			fwrite_all(1, b, len / 2);
			return 0;
		}
		if (strcmp(script, "resp_slow_body") == 0) {
			/* each half within 600 ms, the whole not */
			usleep(300 * 1000);
			fwrite_all(1, b, RPMEM_MSG_HDR_SIZE);
			usleep(500 * 1000);
			fwrite_all(1, b + RPMEM_MSG_HDR_SIZE,
				len - RPMEM_MSG_HDR_SIZE);
			continue;
		}
		fwrite_all(1, b, len);
		if (strcmp(script, "die_after_pool") == 0 &&
		    (req.type == RPMEM_MSG_CREATE ||
		     req.type == RPMEM_MSG_OPEN)) {
			fprintf(stderr, "rpmemd: fake crash\n");
			return 7;
		}
	}
	return 0;
}

/* fake_daemon -- main() of the fake rpmemd */
static int
fake_daemon(const char *script, int argc, char *argv[])
{
	const char *log = getenv("FAKE_RPMEMD_LOG");

	if (log != NULL)
		Fake_log = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			0600);
	flog("ARGV");
	for (int i = 1; i < argc; i++)
		flog("%s%s", i == 1 ? " " : "|", argv[i]);
	flog("\n");

	if (strcmp(script, "report") == 0)
		fake_report();
	if (strcmp(script, "exit") == 0) {
		fprintf(stderr, "fake: bye\nsecond line\n");
		return 3;
	}
	if (strcmp(script, "hello_config") == 0) {
		struct rpmem_msg m;

		fprintf(stderr, "rpmemd: unknown key foo\n");
		memset(&m, 0, sizeof(m));
		m.type = RPMEM_MSG_HELLO;
		m.status = RPMEM_ST_CONFIG;
		strcpy(m.text, "invalid configuration file");
		fake_send(&m);
		return 1;
	}
	if (strcmp(script, "hang_hello") == 0) {
		char c;

		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	if (strcmp(script, "hello_wrongtype") == 0) {
		struct rpmem_msg m;

		memset(&m, 0, sizeof(m));
		m.type = RPMEM_MSG_CLOSE_RESP;
		fake_send(&m);
		return fake_serve(script);
	}
	fake_hello(script);
	if (strcmp(script, "hello_truncated") == 0)
		return 0;
	if (strcmp(script, "hang_hard") == 0) {
		/* neither reads nor exits: only a signal ends it */
		for (int i = 0; i < 600; i++)
			sleep(1);
		return 0;
	}
	if (strcmp(script, "stderr_flood") == 0) {
		static char junk[64 * 1024];

		memset(junk, 'j', sizeof(junk));
		for (int i = 0; i < 16; i++)
			fwrite_all(2, junk, sizeof(junk));
		fwrite_all(2, "\nrpmemd: flood over\n", 20);
	}
	return fake_serve(script);
}

/* =====================================================================
 * the data path test double
 */
struct rpmem_dp {
	int unused;
};

static struct {
	int new_err;		/* rpmem_dp_new fails with it (0: works) */
	unsigned max_lanes;	/* lanes it "connects" */
	int persist_err;	/* next persist/read fails with it */
	int new_calls, persist_calls, read_calls, delete_calls;
	int flush_calls, drain_calls, deep_calls;
	struct rpmem_dp_attr attr;
	char node[RPMEM_ADDR_MAX];
	size_t off, len;
	unsigned lane;
	void *buff;
	struct rpmem_dp dp;
} Dp = {ENODEV, 100, 0, 0, 0, 0, 0, 0, 0, 0, {0}, "", 0, 0, 0, NULL, {0}};

/* rpmem_dp_new -- double: records attr, fails with Dp.new_err or works */
int
rpmem_dp_new(const struct rpmem_dp_attr *attr, struct rpmem_dp **dp,
		unsigned *nlanes)
{
	Dp.new_calls++;
	Dp.attr = *attr;
	snprintf(Dp.node, sizeof(Dp.node), "%s", attr->node);
	if (Dp.new_err != 0) {
		rpmem_err_set("test double: no RDMA device");
		errno = Dp.new_err;
		return -1;
	}
	*nlanes = attr->nlanes < Dp.max_lanes ? attr->nlanes : Dp.max_lanes;
	*dp = &Dp.dp;
	return 0;
}

/* rpmem_dp_persist -- double: records, fails once with Dp.persist_err */
int
rpmem_dp_persist(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	ck_assert_ptr_eq(dp, &Dp.dp);
	Dp.persist_calls++;
	Dp.off = offset;
	Dp.len = length;
	Dp.lane = lane;
	if (Dp.persist_err != 0) {
		rpmem_err_set("test double: persist failed");
		errno = Dp.persist_err;
		Dp.persist_err = 0;	/* the connection stays "lost" */
		return -1;
	}
	return 0;
}

/* rpmem_dp_read -- double: records, fails once with Dp.persist_err */
int
rpmem_dp_read(struct rpmem_dp *dp, void *buff, size_t offset, size_t length,
		unsigned lane)
{
	ck_assert_ptr_eq(dp, &Dp.dp);
	Dp.read_calls++;
	Dp.buff = buff;
	Dp.off = offset;
	Dp.len = length;
	Dp.lane = lane;
	if (Dp.persist_err != 0) {
		rpmem_err_set("test double: read failed");
		errno = Dp.persist_err;
		Dp.persist_err = 0;
		return -1;
	}
	return 0;
}

/* dp_record -- the API 1.2 doubles: record, fail once with persist_err */
static int
dp_record(int *calls, size_t offset, size_t length, unsigned lane)
{
	(*calls)++;
	Dp.off = offset;
	Dp.len = length;
	Dp.lane = lane;
	if (Dp.persist_err != 0) {
		rpmem_err_set("test double: flush/drain failed");
		errno = Dp.persist_err;
		Dp.persist_err = 0;
		return -1;
	}
	return 0;
}

/* rpmem_dp_flush -- double */
int
rpmem_dp_flush(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	ck_assert_ptr_eq(dp, &Dp.dp);
	return dp_record(&Dp.flush_calls, offset, length, lane);
}

/* rpmem_dp_drain -- double */
int
rpmem_dp_drain(struct rpmem_dp *dp, unsigned lane)
{
	ck_assert_ptr_eq(dp, &Dp.dp);
	return dp_record(&Dp.drain_calls, 0, 0, lane);
}

/* rpmem_dp_deep_persist -- double */
int
rpmem_dp_deep_persist(struct rpmem_dp *dp, size_t offset, size_t length,
		unsigned lane)
{
	ck_assert_ptr_eq(dp, &Dp.dp);
	return dp_record(&Dp.deep_calls, offset, length, lane);
}

/* rpmem_dp_delete -- double: counts the deletes */
void
rpmem_dp_delete(struct rpmem_dp **dp)
{
	if (*dp != NULL)
		Dp.delete_calls++;
	*dp = NULL;
}

/* =====================================================================
 * helpers
 */

/* fake -- the next ssh runs the fake daemon with this script */
static void
fake(const char *script)
{
	int fd;

	snprintf(Log, sizeof(Log), "/tmp/rpmem-test-ctl-XXXXXX");
	fd = mkstemp(Log);
	ck_assert_int_ge(fd, 0);
	close(fd);
	setenv("RPMEM_SSH", Self, 1);
	setenv("FAKE_RPMEMD_SCRIPT", script, 1);
	setenv("FAKE_RPMEMD_LOG", Log, 1);
}

/* log_text -- the fake's whole log (static buffer), file removed */
static const char *
log_text(void)
{
	static char buf[8192];
	size_t n = 0;
	int fd = open(Log, O_RDONLY);

	buf[0] = '\0';
	if (fd >= 0) {
		n = fread_all(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n] = '\0';
	unlink(Log);
	return buf;
}

/* target -- parse a target that must be valid */
static struct rpmem_target
target(const char *str)
{
	struct rpmem_target t;

	ck_assert_int_eq(rpmem_target_parse(str, &t), 0);
	return t;
}

/* now_ms -- monotonic milliseconds */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pool_req -- a valid CREATE/OPEN request */
static struct rpmem_req_pool
pool_req(int with_attr)
{
	struct rpmem_req_pool r;

	memset(&r, 0, sizeof(r));
	r.pool_size = POOL_SIZE;
	r.nlanes = 8;
	strcpy(r.pool_desc, "pool.set");
	strcpy(r.rdma_addr, "127.0.0.1");
	if (with_attr) {
		r.flags = RPMEM_REQ_HAS_ATTR;
		r.attr.major = 3;
	}
	return r;
}

#define has(text, word) \
	ck_assert_msg(strstr((text), (word)) != NULL, \
		"'%s' lacks '%s'", (text), (word))
#define lacks(text, word) \
	ck_assert_msg(strstr((text), (word)) == NULL, \
		"'%s' has '%s'", (text), (word))

/* =====================================================================
 * control client
 */

START_TEST(test_ctl_session)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_req_pool req = pool_req(1);
	struct rpmem_resp_pool resp;
	struct rpmem_pool_attr attr;
	struct rpmem_ctl *ctl = NULL;
	const char *log;

	fake("ok");
	setenv("FAKE_MAX_LANES", "9", 1);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	ck_assert_uint_eq(rpmem_ctl_hello(ctl)->daemon_version, 0x00010001);
	ck_assert_uint_eq(rpmem_ctl_hello(ctl)->max_lanes, 9);

	ck_assert_int_eq(rpmem_ctl_create(ctl, &req, &resp), 0);
	ck_assert_uint_eq(resp.raddr, FAKE_RADDR);
	ck_assert_uint_eq(resp.rkey, FAKE_RKEY);
	ck_assert_uint_eq(resp.nlanes, FAKE_GRANT);
	ck_assert_uint_eq(resp.hdr_size, RPMEM_POOL_HDR_SIZE);
	ck_assert_uint_eq(resp.port, FAKE_PORT);
	ck_assert_uint_eq(resp.persist_method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(resp.pm_reason, "fake reason");
	ck_assert_str_eq(resp.device, "fake0");

	memset(&attr, 0, sizeof(attr));
	attr.major = 42;
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, &attr), 0);
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, NULL), 0);
	memset(&attr, 0, sizeof(attr));
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, &attr), 0);
	req = pool_req(0);
	ck_assert_int_eq(rpmem_ctl_open(ctl, &req, &resp), 0);
	ck_assert_str_eq(resp.attr.signature, "FAKESIG");
	ck_assert_uint_eq(resp.attr.major, 7);
	ck_assert_int_eq(rpmem_ctl_close(ctl, RPMEM_CLOSE_REMOVE), 0);
	ck_assert_int_eq(rpmem_ctl_remove(ctl, "x/y.set",
		RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET), 0);
	rpmem_ctl_delete(&ctl);
	ck_assert_ptr_null(ctl);
	rpmem_ctl_delete(&ctl);	/* NULL: no-op */

	log = log_text();
	has(log, "ARGV -T|-oBatchMode=yes|127.0.0.1|rpmemd\n");
	has(log, "REQ CREATE flags=1 nlanes=8 size=1048576 desc=pool.set "
		"addr=127.0.0.1\n"
		"REQ SET_ATTR flags=1 major=42\n"
		"REQ SET_ATTR flags=0 major=0\n"
		"REQ SET_ATTR flags=0 major=0\n"
		"REQ OPEN flags=0 nlanes=8");
	has(log, "REQ CLOSE flags=1\nREQ REMOVE flags=3 desc=x/y.set\nEOF\n");
}
END_TEST

START_TEST(test_ssh_argv)
{
	struct rpmem_target t = target("user_1@localhost:2222");
	struct rpmem_ctl *ctl = NULL;

	fake("ok");
	setenv("RPMEM_CMD", "cd /tmp && VAR='a b' ./rpmemd --opt", 1);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	rpmem_ctl_delete(&ctl);
	/* the command is ONE argument, for the remote shell */
	has(log_text(), "ARGV -T|-oBatchMode=yes|-p|2222|user_1@localhost|"
		"cd /tmp && VAR='a b' ./rpmemd --opt\n");

	t = target("[::1]");
	fake("ok");
	unsetenv("RPMEM_CMD");
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	rpmem_ctl_delete(&ctl);
	has(log_text(), "ARGV -T|-oBatchMode=yes|::1|rpmemd\n");
}
END_TEST

START_TEST(test_hello_config)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;

	fake("hello_config");
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ctl);
	has(rpmem_err_get(), "invalid configuration file");
	has(rpmem_err_get(), "rpmemd: unknown key foo");
	lacks(rpmem_err_get(), "rpmemd: rpmemd:");
	log_text();
}
END_TEST

START_TEST(test_daemon_exits)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;

	fake("exit");
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	has(rpmem_err_get(), "127.0.0.1");
	/* its stderr, as one line */
	has(rpmem_err_get(), "rpmemd: fake: bye; second line");
	log_text();
}
END_TEST

START_TEST(test_ssh_missing)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;

	setenv("RPMEM_SSH", "/nonexistent/rpmem-test-ssh", 1);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
	ck_assert_int_eq(errno, ENOENT);
	has(rpmem_err_get(), "/nonexistent/rpmem-test-ssh");
}
END_TEST

/* the HELLO scripts and what they must give */
static const struct {
	const char *script;
	int err;
	const char *word;
} Hello_bad[] = {
	{"hello_badmagic", EPROTO, "bad magic"},
	{"hello_badversion", EPROTONOSUPPORT, "version"},
	{"hello_truncated", EPROTO, "truncated"},
	{"hello_wrongtype", EPROTO, "unexpected message type CLOSE_RESP"},
};

START_TEST(test_hello_bad)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;

	fake(Hello_bad[_i].script);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
	ck_assert_int_eq(errno, Hello_bad[_i].err);
	has(rpmem_err_get(), Hello_bad[_i].word);
	has(rpmem_err_get(), "HELLO");
	log_text();
}
END_TEST

/* the response scripts and what they must give */
static const struct {
	const char *script;
	const char *word;
} Resp_bad[] = {
	{"resp_wrongtype", "unexpected response type CLOSE_RESP to CREATE"},
	{"resp_badsize", "size"},
	{"resp_badmagic", "bad magic"},
	{"resp_truncated", "truncated response to CREATE"},
	{"resp_badbody", "zero lanes"},
};

START_TEST(test_resp_bad)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_req_pool req = pool_req(1);
	struct rpmem_resp_pool resp;
	struct rpmem_ctl *ctl = NULL;

	fake(Resp_bad[_i].script);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_create(ctl, &req, &resp), -1);
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_err_get(), Resp_bad[_i].word);

	/* the stream is out of step: not used again */
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	has(rpmem_err_get(), "earlier error");
	rpmem_ctl_delete(&ctl);
	lacks(log_text(), "REQ CLOSE");
}
END_TEST

START_TEST(test_resp_status)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_req_pool req = pool_req(1);
	struct rpmem_resp_pool resp;
	struct rpmem_ctl *ctl = NULL;
	uint32_t st = (uint32_t)_i;
	char script[32], text[32];

	snprintf(script, sizeof(script), "status:%u", st);
	snprintf(text, sizeof(text), "fake status %u", st);
	fake(script);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_create(ctl, &req, &resp), -1);
	ck_assert_int_eq(errno, rpmem_status_to_errno(st));
	ck_assert_int_ne(errno, 0);
	has(rpmem_err_get(), "CREATE failed: ");
	has(rpmem_err_get(), text);

	/* a refused request leaves the session usable */
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), 0);
	rpmem_ctl_delete(&ctl);
	has(log_text(), "REQ CREATE flags=1");
}
END_TEST

START_TEST(test_resp_status_each_request)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;

	/* SET_ATTR, CLOSE and REMOVE refused too, each with its name */
	fake("status:6");	/* BUSY */
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	ck_assert_int_eq(rpmem_ctl_set_attr(ctl, NULL), -1);
	ck_assert_int_eq(errno, EBUSY);
	has(rpmem_err_get(), "SET_ATTR failed: fake status 6");
	rpmem_ctl_delete(&ctl);
	log_text();

	fake("status:8");	/* NOEXIST */
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	ck_assert_int_eq(rpmem_ctl_remove(ctl, "p.set", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	has(rpmem_err_get(), "REMOVE failed: fake status 8");
	rpmem_ctl_delete(&ctl);
	log_text();

	fake("status:14");	/* FATAL */
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), -1);
	ck_assert_int_eq(errno, EREMOTEIO);
	has(rpmem_err_get(), "CLOSE failed: fake status 14");
	rpmem_ctl_delete(&ctl);
	log_text();
}
END_TEST

START_TEST(test_timeout)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_req_pool req = pool_req(0);
	struct rpmem_resp_pool resp;
	struct rpmem_ctl *ctl = NULL;
	long long t0;

	fake("hang");
	setenv("RPMEM_TIMEOUT_MS", "200", 1);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_open(ctl, &req, &resp), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(now_ms() - t0, 190);
	ck_assert_int_lt(now_ms() - t0, 3000);
	has(rpmem_err_get(), "no response to OPEN");
	has(rpmem_err_get(), "200 ms");
	/* a late answer could still come: the session is not used again */
	ck_assert_int_eq(rpmem_ctl_close(ctl, 0), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	t0 = now_ms();
	rpmem_ctl_delete(&ctl);
	/* the fake reads end of file and exits: no kill needed */
	ck_assert_int_lt(now_ms() - t0, 2000);
	has(log_text(), "REQ OPEN");
}
END_TEST

/* RPMEM_TIMEOUT_MS bounds a whole response, not its header and its body */
START_TEST(test_timeout_split)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_req_pool req = pool_req(0);
	struct rpmem_resp_pool resp;
	struct rpmem_ctl *ctl = NULL;
	long long t0;

	fake("resp_slow_body");
	setenv("RPMEM_TIMEOUT_MS", "600", 1);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_open(ctl, &req, &resp), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(now_ms() - t0, 590);
	has(rpmem_err_get(), "incomplete response to OPEN");
	has(rpmem_err_get(), "within 600 ms");
	rpmem_ctl_delete(&ctl);
	log_text();
}
END_TEST

START_TEST(test_timeout_hello)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;

	fake("hang_hello");
	setenv("RPMEM_TIMEOUT_MS", "150", 1);
	errno = 0;
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	has(rpmem_err_get(), "no HELLO");
	log_text();
}
END_TEST

START_TEST(test_timeout_env)
{
	unsetenv("RPMEM_TIMEOUT_MS");
	ck_assert_int_eq(rpmem_env_timeout_ms(1234), 1234);
	setenv("RPMEM_TIMEOUT_MS", "", 1);
	ck_assert_int_eq(rpmem_env_timeout_ms(1234), 1234);
	setenv("RPMEM_TIMEOUT_MS", "250", 1);
	ck_assert_int_eq(rpmem_env_timeout_ms(1234), 250);
	static const char *const bad[] = {"0", "-5", "abc", "12x", " 5",
		"+5", "99999999999999", "2147483648"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("RPMEM_TIMEOUT_MS", bad[i], 1);
		ck_assert_int_eq(rpmem_env_timeout_ms(1234), 1234);
	}
}
END_TEST

START_TEST(test_stderr_flood)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_req_pool req = pool_req(1);
	struct rpmem_resp_pool resp;
	struct rpmem_ctl *ctl = NULL;

	/* 1 MiB of stderr before the answer: must not deadlock */
	fake("stderr_flood");
	setenv("RPMEM_TIMEOUT_MS", "5000", 1);
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), 0);
	ck_assert_int_eq(rpmem_ctl_create(ctl, &req, &resp), 0);
	rpmem_ctl_delete(&ctl);
	has(log_text(), "REQ CREATE");
}
END_TEST

/* =====================================================================
 * ssh transport
 */

START_TEST(test_ssh_child_env)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ssh *ssh = NULL;
	char buf[RPMEM_MSG_MAX_SIZE];
	sigset_t usr1;
	int status = -2;
	int leak;
	const char *log;

	/* things the child must not inherit */
	leak = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC */
	ck_assert_int_ge(leak, 3);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	fake("report");
	ck_assert_int_eq(rpmem_ssh_open(&t, &ssh), 0);
	/* the HELLO first, or the fake could die of SIGPIPE writing it */
	ck_assert_int_eq(rpmem_ssh_recv(ssh, buf, rpmem_msg_size(
		RPMEM_MSG_HELLO), 5000), 0);
	ck_assert_int_eq(rpmem_ssh_close(ssh, &status), 0);
	ck_assert_int_eq(status, 0);
	log = log_text();
	has(log, "FDS 0 1 2\n");
	has(log, "SIGPIPE DFL\n");
	has(log, "USR1 FREE\n");
	close(leak);
}
END_TEST

START_TEST(test_ssh_dead_peer)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ssh *ssh = NULL;
	static char big[1 << 20];
	char buf[64];
	int status = -2;

	/* a SIGPIPE would kill this test: the default disposition */
	signal(SIGPIPE, SIG_DFL);
	fake("exit");
	ck_assert_int_eq(rpmem_ssh_open(&t, &ssh), 0);
	errno = 0;
	ck_assert_int_eq(rpmem_ssh_recv(ssh, buf, sizeof(buf), 5000), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_uint_gt(rpmem_ssh_stderr(ssh, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "fake: bye; second line");
	/* short buffers are cut, still terminated */
	ck_assert_uint_eq(rpmem_ssh_stderr(ssh, buf, 6), 3);
	ck_assert_str_eq(buf, "fak");

	errno = 0;
	ck_assert_int_eq(rpmem_ssh_send(ssh, big, sizeof(big)), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(rpmem_ssh_close(ssh, &status), 0);
	ck_assert_int_eq(status, 3);
	log_text();
}
END_TEST

START_TEST(test_ssh_recv_timeout)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ssh *ssh = NULL;
	char buf[RPMEM_MSG_MAX_SIZE];
	long long t0;

	fake("hang");
	ck_assert_int_eq(rpmem_ssh_open(&t, &ssh), 0);
	/* HELLO arrives, then nothing */
	ck_assert_int_eq(rpmem_ssh_recv(ssh, buf, rpmem_msg_size(
		RPMEM_MSG_HELLO), 5000), 0);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rpmem_ssh_recv(ssh, buf, 1, 100), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(now_ms() - t0, 95);
	/* nothing on stderr: an empty line, after a bounded wait */
	t0 = now_ms();
	ck_assert_uint_eq(rpmem_ssh_stderr(ssh, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_lt(now_ms() - t0, RPMEM_SSH_STDERR_WAIT_MS + 500);
	ck_assert_int_eq(rpmem_ssh_close(ssh, NULL), 0);
	log_text();
}
END_TEST

START_TEST(test_ssh_close_kills)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ssh *ssh = NULL;
	char buf[RPMEM_MSG_MAX_SIZE];
	int status = -2;
	long long t0;

	fake("hang_hard");
	ck_assert_int_eq(rpmem_ssh_open(&t, &ssh), 0);
	ck_assert_int_eq(rpmem_ssh_recv(ssh, buf, rpmem_msg_size(
		RPMEM_MSG_HELLO), 5000), 0);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rpmem_ssh_close(ssh, &status), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(status, 128 + SIGTERM);
	ck_assert_int_ge(now_ms() - t0, RPMEM_SSH_CLOSE_TIMEOUT_MS - 100);
	ck_assert_int_lt(now_ms() - t0, RPMEM_SSH_CLOSE_TIMEOUT_MS + 2000);
	log_text();
}
END_TEST

START_TEST(test_ssh_child_reaped_elsewhere)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ssh *ssh = NULL;
	char buf[RPMEM_MSG_MAX_SIZE];
	int status = -2;
	long long t0;

	/* SIGCHLD ignored: the kernel reaps the child, waitpid: ECHILD */
	signal(SIGCHLD, SIG_IGN);
	fake("ok");
	ck_assert_int_eq(rpmem_ssh_open(&t, &ssh), 0);
	ck_assert_int_eq(rpmem_ssh_recv(ssh, buf, rpmem_msg_size(
		RPMEM_MSG_HELLO), 5000), 0);
	t0 = now_ms();
	ck_assert_int_eq(rpmem_ssh_close(ssh, &status), 0);
	ck_assert_int_eq(status, -1);
	ck_assert_int_lt(now_ms() - t0, 2000);
	has(log_text(), "EOF");
}
END_TEST

/* =====================================================================
 * the public API against the fake daemon (data path: the double)
 */
static void *Pool;

/* api_setup -- an aligned local pool */
static void
api_setup(void)
{
	Pool = aligned_alloc((size_t)sysconf(_SC_PAGESIZE), POOL_SIZE);
	ck_assert_ptr_nonnull(Pool);
}

/* api_teardown -- free it */
static void
api_teardown(void)
{
	free(Pool);
}

/* some_attr -- a non-zero attribute */
static struct rpmem_pool_attr
some_attr(void)
{
	struct rpmem_pool_attr a;

	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "TESTSIG", 8);
	a.major = 5;
	return a;
}

START_TEST(test_create_dp_fails_removes_pool)
{
	struct rpmem_pool_attr attr = some_attr();
	unsigned nlanes = 8;
	const char *log;

	fake("ok");
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, &attr));
	ck_assert_int_eq(errno, ENODEV);
	ck_assert(rpmem_errormsg()[0] != '\0');
	has(rpmem_errormsg(), "no RDMA device");
	ck_assert_uint_eq(nlanes, 8);

	/* what the data path was given */
	ck_assert_int_eq(Dp.new_calls, 1);
	ck_assert_str_eq(Dp.node, "127.0.0.1");
	ck_assert_uint_eq(Dp.attr.port, FAKE_PORT);
	ck_assert_ptr_eq(Dp.attr.pool_addr, Pool);
	ck_assert_uint_eq(Dp.attr.pool_size, POOL_SIZE);
	ck_assert_uint_eq(Dp.attr.raddr, FAKE_RADDR);
	ck_assert_uint_eq(Dp.attr.rkey, FAKE_RKEY);
	ck_assert_uint_eq(Dp.attr.hdr_size, RPMEM_POOL_HDR_SIZE);
	ck_assert_uint_eq(Dp.attr.nlanes, FAKE_GRANT);
	ck_assert_uint_eq(Dp.attr.persist_method, RPMEM_PM_GPSPM);
	ck_assert_uint_eq(Dp.attr.secret[0], 1);
	ck_assert_uint_eq(Dp.attr.secret[RPMEM_SECRET_LEN - 1],
		RPMEM_SECRET_LEN);
	ck_assert_int_eq(Dp.attr.timeout_ms, 10000);

	/* the partial pool was removed */
	log = log_text();
	has(log, "REQ CREATE flags=1 nlanes=8 size=1048576 desc=pool.set "
		"addr=127.0.0.1\nREQ CLOSE flags=1\nEOF\n");
}
END_TEST

/*
 * shipped_lib -- dlopen the built librpmem.so.1 (../librpmem/ from this
 * binary in the CMake tree): its real data path, not the double; NULL when
 * it is not built (RPMEM_TEST_REQUIRE_SO=1 makes that a failure)
 */
static void *
shipped_lib(void)
{
	char path[PATH_MAX + 32];
	char *slash;
	void *h;

	snprintf(path, sizeof(path), "%s", Self);
	slash = strrchr(path, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	slash = strrchr(path, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(slash, sizeof(path) - (size_t)(slash - path),
		"/librpmem/librpmem.so.1");
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		ck_assert_msg(getenv("RPMEM_TEST_REQUIRE_SO") == NULL,
			"cannot load %s: %s", path, dlerror());
		fprintf(stderr, "note: %s not built, real data path test "
			"skipped\n", path);
	}
	return h;
}

START_TEST(test_create_real_dp_fails_removes_pool)
{
	struct rpmem_pool_attr attr = some_attr();
	RPMEMpool *(*create)(const char *, const char *, void *, size_t,
		unsigned *, const struct rpmem_pool_attr *);
	const char *(*errormsg)(void);
	unsigned nlanes = 2;
	void *h = shipped_lib();

	if (h == NULL)
		return;
	*(void **)&create = dlsym(h, "rpmem_create");
	*(void **)&errormsg = dlsym(h, "rpmem_errormsg");
	ck_assert_ptr_nonnull(create);
	ck_assert_ptr_nonnull(errormsg);
	/* internal symbols stay inside */
	ck_assert_ptr_null(dlsym(h, "rpmem_ctl_new"));

	/* no RDMA device here (or nobody on port 1): the lanes fail */
	fake("ok");
	setenv("RPMEM_TIMEOUT_MS", "3000", 1);
	errno = 0;
	ck_assert_ptr_null(create("127.0.0.1", "pool.set", Pool, POOL_SIZE,
		&nlanes, &attr));
	ck_assert_int_ne(errno, 0);
	ck_assert(errormsg()[0] != '\0');
	lacks(errormsg(), "Success");
	ck_assert_uint_eq(nlanes, 2);
	has(log_text(), "REQ CREATE flags=1 nlanes=2 size=1048576 "
		"desc=pool.set addr=127.0.0.1\nREQ CLOSE flags=1\nEOF\n");
	dlclose(h);
}
END_TEST

START_TEST(test_open_dp_fails_keeps_pool)
{
	struct rpmem_pool_attr attr;
	unsigned nlanes = 2;

	fake("ok");
	setenv("RPMEM_TIMEOUT_MS", "777", 1);
	Dp.new_err = ETIMEDOUT;
	memset(&attr, 0xab, sizeof(attr));
	ck_assert_ptr_null(rpmem_open("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, &attr));
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(Dp.attr.timeout_ms, 777);
	ck_assert_uint_eq(Dp.attr.nlanes, 2);
	/* open_attr untouched on failure */
	ck_assert_uint_eq(((unsigned char *)&attr)[0], 0xab);
	/* an open pool is closed, never removed */
	has(log_text(), "REQ OPEN flags=0 nlanes=2 size=1048576 "
		"desc=pool.set addr=127.0.0.1\nREQ CLOSE flags=0\nEOF\n");
}
END_TEST

START_TEST(test_create_refused)
{
	unsigned nlanes = 4;

	fake("status:7");	/* EXISTS */
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, NULL));
	ck_assert_int_eq(errno, EEXIST);
	has(rpmem_errormsg(), "CREATE failed: fake status 7");
	ck_assert_int_eq(Dp.new_calls, 0);
	/* nothing was created: nothing to remove */
	lacks(log_text(), "REQ CLOSE");
}
END_TEST

START_TEST(test_create_daemon_gone)
{
	unsigned nlanes = 4;

	fake("exit");
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, NULL));
	ck_assert_int_eq(errno, ECONNRESET);
	has(rpmem_errormsg(), "rpmemd: fake: bye");
	log_text();
}
END_TEST

/*
 * every transport errno of rpmem_persist(3) is sticky: the pool fails at
 * once on every lane, the data path never reached again; anything else
 * leaves the pool usable
 */
START_TEST(test_sticky_each)
{
	static const int sticky[] = { ECONNRESET, ECONNABORTED, ENOTCONN,
		EPIPE, ESHUTDOWN, ETIMEDOUT, EPROTO, EIO, ENETDOWN,
		ENETUNREACH, EHOSTUNREACH };
	static const int not_sticky[] = { EREMOTEIO, ENOSPC, EINVAL,
		EOPNOTSUPP, ENOMEM };
	struct rpmem_pool_attr attr = some_attr();
	char buf[8];

	for (size_t i = 0; i < sizeof(sticky) / sizeof(sticky[0]) +
			sizeof(not_sticky) / sizeof(not_sticky[0]); i++) {
		int is = i < sizeof(sticky) / sizeof(sticky[0]);
		int e = is ? sticky[i] :
			not_sticky[i - sizeof(sticky) / sizeof(sticky[0])];
		unsigned nlanes = 2;

		fake("ok");
		Dp.new_err = 0;
		Dp.max_lanes = 2;
		RPMEMpool *rpp = rpmem_create("127.0.0.1", "pool.set", Pool,
			POOL_SIZE, &nlanes, &attr);
		ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
		int calls = Dp.persist_calls, reads = Dp.read_calls;

		Dp.persist_err = e;
		ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 1), -1);
		ck_assert_int_eq(errno, e);
		errno = 0;
		ck_assert_msg(rpmem_persist(rpp, 4096, 8, 0) == (is ? -1 : 0),
			"errno %d: sticky %d", e, is);
		ck_assert_int_eq(rpmem_read(rpp, buf, 4096, 8, 0), is ? -1 : 0);
		if (is) {
			ck_assert_int_eq(errno, e);
			has(rpmem_errormsg(), "lost");
			/* failed at once: the data path not asked again */
			ck_assert_int_eq(Dp.persist_calls, calls + 1);
			ck_assert_int_eq(Dp.read_calls, reads);
		} else {
			ck_assert_int_eq(Dp.persist_calls, calls + 2);
			ck_assert_int_eq(Dp.read_calls, reads + 1);
		}
		ck_assert_int_eq(rpmem_close(rpp), 0);
		log_text();
	}
}
END_TEST

START_TEST(test_create_unresolvable)
{
	unsigned nlanes = 4;

	fake("ok");
	errno = 0;
	ck_assert_ptr_null(rpmem_create("no-such-host.invalid", "pool.set",
		Pool, POOL_SIZE, &nlanes, NULL));
	ck_assert_int_eq(errno, EHOSTUNREACH);
	has(rpmem_errormsg(), "cannot resolve host 'no-such-host.invalid': ");
	/* failed before ssh: the fake never ran */
	ck_assert_str_eq(log_text(), "");
}
END_TEST

START_TEST(test_pool_lifecycle)
{
	struct rpmem_pool_attr attr = some_attr();
	const char *reason = NULL;
	unsigned nlanes = 16;
	char buf[64];
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	Dp.max_lanes = 3;	/* the device allows fewer than granted */
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		&attr);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_uint_eq(nlanes, 3);
	ck_assert_uint_eq(Dp.attr.nlanes, FAKE_GRANT);
	ck_assert_uint_eq(rpmem_pool_persist_method(rpp, &reason),
		RPMEM_PM_GPSPM);
	ck_assert_str_eq(reason, "fake reason");
	ck_assert_uint_eq(rpmem_pool_hdr_size(rpp), RPMEM_POOL_HDR_SIZE);

	/* argument errors: EINVAL, the data path not reached */
	errno = 0;
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "lane 3");
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 0, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_persist(rpp, 4095, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "header");
	ck_assert_int_eq(rpmem_persist(rpp, 0, 1, 0), -1);
	ck_assert_int_eq(rpmem_persist(rpp, 4096, POOL_SIZE, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "pool size");
	ck_assert_int_eq(rpmem_persist(rpp, POOL_SIZE, 1, 0), -1);
	ck_assert_int_eq(rpmem_persist(rpp, 8192, SIZE_MAX, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_persist(rpp, SIZE_MAX, 2, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_read(rpp, NULL, 4096, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "buff");
	ck_assert_int_eq(rpmem_read(rpp, buf, 0, 8, 7), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_read(rpp, buf, POOL_SIZE - 4, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(Dp.persist_calls + Dp.read_calls, 0);

	/* length 0: nothing to do, whatever the offset */
	ck_assert_int_eq(rpmem_persist(rpp, 0, 0, 2), 0);
	ck_assert_int_eq(rpmem_persist(rpp, POOL_SIZE + 1, 0, 2), 0);
	ck_assert_int_eq(rpmem_read(rpp, NULL, 0, 0, 0), 0);
	ck_assert_int_eq(Dp.persist_calls + Dp.read_calls, 0);

	/* valid calls reach the data path */
	ck_assert_int_eq(rpmem_persist(rpp, 4096, POOL_SIZE - 4096, 2), 0);
	ck_assert_int_eq(Dp.persist_calls, 1);
	ck_assert_uint_eq(Dp.off, 4096);
	ck_assert_uint_eq(Dp.len, POOL_SIZE - 4096);
	ck_assert_uint_eq(Dp.lane, 2);
	/* the header is the daemon's: not readable either (librpmem.h) */
	ck_assert_int_eq(rpmem_read(rpp, buf, 0, sizeof(buf), 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "header");
	ck_assert_int_eq(rpmem_read(rpp, buf, 4088, 16, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(Dp.read_calls, 0);
	ck_assert_int_eq(rpmem_read(rpp, buf, 4096, sizeof(buf), 1), 0);
	ck_assert_int_eq(Dp.read_calls, 1);
	ck_assert_ptr_eq(Dp.buff, buf);
	ck_assert_uint_eq(Dp.off, 4096);

	/* a non-transport failure is not sticky */
	Dp.persist_err = EREMOTEIO;
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 0), -1);
	ck_assert_int_eq(errno, EREMOTEIO);
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 0), 0);
	ck_assert_int_eq(Dp.persist_calls, 3);

	ck_assert_int_eq(rpmem_set_attr(rpp, &attr), 0);
	ck_assert_int_eq(rpmem_set_attr(rpp, NULL), 0);

	/* a lost connection is: later calls fail fast, same errno */
	Dp.persist_err = ECONNRESET;
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 1), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(Dp.persist_calls, 4);
	errno = 0;
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	has(rpmem_errormsg(), "lost");
	ck_assert_int_eq(rpmem_read(rpp, buf, 4096, 8, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(Dp.persist_calls, 4);
	ck_assert_int_eq(Dp.read_calls, 1);
	/* argument errors stay argument errors */
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 99), -1);
	ck_assert_int_eq(errno, EINVAL);

	ck_assert_int_eq(rpmem_close(rpp), 0);
	ck_assert_int_eq(Dp.delete_calls, 1);
	has(log_text(), "REQ CREATE flags=1 nlanes=16 size=1048576 "
		"desc=pool.set addr=127.0.0.1\n"
		"REQ SET_ATTR flags=1 major=5\n"
		"REQ SET_ATTR flags=0 major=0\n"
		"REQ CLOSE flags=0\nEOF\n");
}
END_TEST

/* API 1.2: flush, drain, deep_persist, persist_flags argument checks */
START_TEST(test_pool_flush_args)
{
	struct rpmem_pool_attr attr = some_attr();
	unsigned nlanes = 16;
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	Dp.max_lanes = 3;
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		&attr);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_uint_eq(nlanes, 3);

	/* argument errors: EINVAL with the function named, no data path */
	ck_assert_int_eq(rpmem_flush(rpp, 4096, 8, 3, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "rpmem_flush");
	has(rpmem_errormsg(), "lane 3");
	ck_assert_int_eq(rpmem_flush(rpp, 4095, 8, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "header");
	ck_assert_int_eq(rpmem_flush(rpp, 4096, POOL_SIZE, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "pool size");
	ck_assert_int_eq(rpmem_flush(rpp, 8192, SIZE_MAX, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_flush(rpp, SIZE_MAX, 2, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_flush(rpp, 4096, 8, 0, 2), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "flags");
	ck_assert_int_eq(rpmem_flush(rpp, 4096, 8, 0, ~0U), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_drain(rpp, 3, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "rpmem_drain");
	ck_assert_int_eq(rpmem_drain(rpp, 0, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "flags");
	ck_assert_int_eq(rpmem_deep_persist(rpp, 4096, 8, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "rpmem_deep_persist");
	ck_assert_int_eq(rpmem_deep_persist(rpp, 0, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "header");
	ck_assert_int_eq(rpmem_deep_persist(rpp, POOL_SIZE - 4, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_persist_flags(rpp, 4096, 8, 0, 2), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "flags");
	ck_assert_int_eq(rpmem_persist_flags(rpp, 4096, 8, 3,
		RPMEM_PERSIST_RELAXED), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(Dp.flush_calls + Dp.drain_calls + Dp.deep_calls +
		Dp.persist_calls, 0);

	/* length 0: nothing to do */
	ck_assert_int_eq(rpmem_flush(rpp, 0, 0, 1, 0), 0);
	ck_assert_int_eq(rpmem_deep_persist(rpp, POOL_SIZE + 1, 0, 1), 0);
	ck_assert_int_eq(Dp.flush_calls + Dp.deep_calls, 0);

	/* valid calls reach the data path: the handle stayed usable */
	ck_assert_int_eq(rpmem_flush(rpp, 4096, 100, 2, RPMEM_FLUSH_RELAXED),
		0);
	ck_assert_int_eq(Dp.flush_calls, 1);
	ck_assert_uint_eq(Dp.off, 4096);
	ck_assert_uint_eq(Dp.len, 100);
	ck_assert_uint_eq(Dp.lane, 2);
	ck_assert_int_eq(rpmem_drain(rpp, 2, 0), 0);
	ck_assert_int_eq(Dp.drain_calls, 1);
	ck_assert_uint_eq(Dp.lane, 2);
	ck_assert_int_eq(rpmem_deep_persist(rpp, 8192, 16, 1), 0);
	ck_assert_int_eq(Dp.deep_calls, 1);
	ck_assert_uint_eq(Dp.off, 8192);
	ck_assert_int_eq(rpmem_persist_flags(rpp, 4096, 8, 0,
		RPMEM_PERSIST_RELAXED), 0);
	ck_assert_int_eq(Dp.persist_calls, 1);

	/* a lost connection is sticky across the new calls too */
	Dp.persist_err = ECONNRESET;
	ck_assert_int_eq(rpmem_drain(rpp, 0, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(rpmem_flush(rpp, 4096, 8, 0, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	has(rpmem_errormsg(), "lost");
	ck_assert_int_eq(rpmem_persist(rpp, 4096, 8, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(Dp.flush_calls, 1);
	ck_assert_int_eq(Dp.drain_calls, 2);
	ck_assert_int_eq(rpmem_close(rpp), 0);
}
END_TEST

START_TEST(test_pool_nohdrs)
{
	unsigned nlanes = 1;
	struct rpmem_pool_attr zero;
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	memset(&zero, 0, sizeof(zero));
	/* no attributes: a headerless (NOHDRS) pool */
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_uint_eq(rpmem_pool_hdr_size(rpp), 0);
	ck_assert_int_eq(rpmem_persist(rpp, 0, POOL_SIZE, 0), 0);
	errno = 0;
	ck_assert_int_eq(rpmem_set_attr(rpp, &zero), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "no header");
	ck_assert_int_eq(rpmem_close(rpp), 0);
	has(log_text(), "REQ CREATE flags=0 nlanes=1");
}
END_TEST

START_TEST(test_pool_zero_attr)
{
	unsigned nlanes = 1;
	struct rpmem_pool_attr zero, attr;
	RPMEMpool *rpp;
	const char *log;

	Dp.new_err = 0;
	memset(&zero, 0, sizeof(zero));

	/*
	 * zero-filled attributes are attributes (PMDK sends them as given):
	 * the flag goes out, and a set with headers answers hdr_size 4096,
	 * so the header stays protected
	 */
	fake("ok");
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		&zero);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_uint_eq(rpmem_pool_hdr_size(rpp), RPMEM_POOL_HDR_SIZE);
	errno = 0;
	ck_assert_int_eq(rpmem_persist(rpp, 0, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_set_attr(rpp, &zero), 0);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	log = log_text();
	has(log, "REQ CREATE flags=1 nlanes=1");
	has(log, "REQ SET_ATTR flags=0 major=0");

	/* ... and an OPTION NOHDRS set answers 0: headerless, also fine */
	fake("ok");
	setenv("FAKE_CREATE_HDR", "0", 1);
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		&zero);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_uint_eq(rpmem_pool_hdr_size(rpp), 0);
	ck_assert_int_eq(rpmem_persist(rpp, 0, 8, 0), 0);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	has(log_text(), "REQ CREATE flags=1 nlanes=1");

	/* non-zero attributes need the header: 0 is a broken answer */
	fake("ok");
	memset(&attr, 0, sizeof(attr));
	attr.major = 1;
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, &attr));
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_errormsg(), "header size 0, which does not match the "
		"attributes given");
	/* the pool the daemon made is removed */
	has(log_text(), "REQ CLOSE flags=1");

	/* no attributes (NULL) cannot get a header */
	fake("ok");
	setenv("FAKE_CREATE_HDR", "4096", 1);
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, NULL));
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_errormsg(), "header size 4096, which does not match the "
		"attributes given");
	has(log_text(), "REQ CREATE flags=0 nlanes=1");
	unsetenv("FAKE_CREATE_HDR");
}
END_TEST

/*
 * a daemon granting less than asked: the client would write past the
 * remote pool; refused (EPROTO), and a created pool removed again
 */
START_TEST(test_pool_short)
{
	struct rpmem_pool_attr attr = some_attr(), got;
	unsigned nlanes = 1;

	fake("ok");
	setenv("FAKE_SHORT", "4096", 1);
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, &attr));
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_errormsg(), "rpmem_create: rpmemd granted");
	has(rpmem_errormsg(), "granted 1044480 bytes, 1048576 asked");
	has(log_text(), "REQ CLOSE flags=1");

	fake("ok");
	errno = 0;
	ck_assert_ptr_null(rpmem_open("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, &got));
	ck_assert_int_eq(errno, EPROTO);
	has(rpmem_errormsg(), "rpmem_open: rpmemd granted");
	const char *log = log_text();
	has(log, "REQ OPEN");
	has(log, "REQ CLOSE flags=0");
	unsetenv("FAKE_SHORT");
}
END_TEST

START_TEST(test_create_nospc)
{
	unsigned nlanes = 1;
	struct rpmem_pool_attr attr;

	/* the daemon's NOSPC (a part could not be allocated) is ENOSPC */
	fake("status:15");
	memset(&attr, 0, sizeof(attr));
	attr.major = 1;
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, &attr));
	ck_assert_int_eq(errno, ENOSPC);
	has(rpmem_errormsg(), "CREATE failed: fake status 15");
	log_text();
}
END_TEST

START_TEST(test_open_attr)
{
	struct rpmem_pool_attr attr;
	unsigned nlanes = 2;
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	memset(&attr, 0xff, sizeof(attr));
	rpp = rpmem_open("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		&attr);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_str_eq(attr.signature, "FAKESIG");
	ck_assert_uint_eq(attr.major, 7);
	ck_assert_uint_eq(attr.user_flags[15], 0x5a);
	ck_assert_uint_eq(attr.compat_features, 0);
	/* the daemon says the pool has a header, whatever attr was */
	ck_assert_int_eq(rpmem_persist(rpp, 100, 8, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	log_text();

	/* NULL open_attr is fine */
	fake("ok");
	rpp = rpmem_open("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	log_text();
}
END_TEST

START_TEST(test_max_nlanes_env)
{
	unsigned nlanes = 8;
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	setenv("RPMEM_MAX_NLANES", "2", 1);
	rpp = rpmem_open("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	ck_assert_uint_eq(nlanes, 2);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	has(log_text(), "REQ OPEN flags=0 nlanes=2 ");

	/* invalid: ignored (with a warning on stderr) */
	fake("ok");
	setenv("RPMEM_MAX_NLANES", "zero", 1);
	nlanes = 8;
	rpp = rpmem_open("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	ck_assert_uint_eq(nlanes, FAKE_GRANT);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	has(log_text(), "REQ OPEN flags=0 nlanes=8 ");

	/* the daemon's HELLO max_lanes clamps the request too */
	fake("ok");
	unsetenv("RPMEM_MAX_NLANES");
	setenv("FAKE_MAX_LANES", "3", 1);
	nlanes = 8;
	rpp = rpmem_open("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	ck_assert_uint_eq(nlanes, 3);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	has(log_text(), "REQ OPEN flags=0 nlanes=3 ");
}
END_TEST

START_TEST(test_log_level)
{
	char path[] = "/tmp/rpmem-test-stderr-XXXXXX";
	char text[512] = "";
	unsigned nlanes = 1;
	RPMEMpool *rpp;
	int fd, saved;
	ssize_t n;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	saved = dup(2);
	dup2(fd, 2);

	fake("ok");
	Dp.new_err = 0;
	rpp = rpmem_open("127.0.0.1", "quiet.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	log_text();

	fake("ok");
	setenv("RPMEM_LOG_LEVEL", "1", 1);
	rpp = rpmem_open("127.0.0.1", "loud.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	ck_assert_int_eq(rpmem_close(rpp), 0);
	log_text();

	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(text, "librpmem: pool loud.set: persist method "
		"GPSPM (fake reason)\n");
}
END_TEST

START_TEST(test_close_daemon_gone)
{
	unsigned nlanes = 1;
	RPMEMpool *rpp;

	fake("die_after_pool");
	Dp.new_err = 0;
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_ptr_nonnull(rpp);
	/* close reports the loss but still frees everything */
	errno = 0;
	ck_assert_int_eq(rpmem_close(rpp), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	has(rpmem_errormsg(), "CLOSE");
	ck_assert_int_eq(Dp.delete_calls, 1);
	log_text();
}
END_TEST

START_TEST(test_remove)
{
	fake("ok");
	ck_assert_int_eq(rpmem_remove("127.0.0.1", "dir/pool.set",
		RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET), 0);
	has(log_text(), "REQ REMOVE flags=3 desc=dir/pool.set\nEOF\n");

	fake("status:8");
	errno = 0;
	ck_assert_int_eq(rpmem_remove("127.0.0.1", "pool.set", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	has(rpmem_errormsg(), "REMOVE failed");
	has(log_text(), "REQ REMOVE flags=0 desc=pool.set\n");

	/* remove does not need the host to resolve locally: ssh does */
	fake("ok");
	ck_assert_int_eq(rpmem_remove("user@some-ssh-alias", "p.set", 0), 0);
	has(log_text(), "ARGV -T|-oBatchMode=yes|user@some-ssh-alias|rpmemd");
}
END_TEST

/* =====================================================================
 * HELLO's daemon_version and the classic environment (issue 14)
 */

/* daemon versions: another major is refused, any minor of ours is not */
static const struct {
	uint32_t version;
	int ok;
} Hello_version[] = {
	{0x00010000, 1},	/* 1.0 */
	{0x00010001, 1},	/* 1.1 */
	{(RPMEM_MAJOR_VERSION << 16) | RPMEM_MINOR_VERSION, 1},
	{0x00010063, 1},	/* 1.99: same protocol version */
	{0x00020000, 0},	/* 2.0 */
	{0x00000005, 0},	/* 0.5 */
	{0xffff0001, 0},
};

START_TEST(test_hello_daemon_version)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;
	uint32_t v = Hello_version[_i].version;
	char num[16], want[128];
	const char *log;

	fake("ok");
	snprintf(num, sizeof(num), "0x%08x", v);
	setenv("FAKE_DAEMON_VERSION", num, 1);
	errno = 0;
	if (Hello_version[_i].ok) {
		ck_assert_msg(rpmem_ctl_new(&t, &ctl) == 0, "%s",
			rpmem_err_get());
		ck_assert_uint_eq(rpmem_ctl_hello(ctl)->daemon_version, v);
		rpmem_ctl_delete(&ctl);
		has(log_text(), "EOF\n");
		return;
	}
	ck_assert_int_eq(rpmem_ctl_new(&t, &ctl), -1);
	ck_assert_int_eq(errno, EPROTONOSUPPORT);
	ck_assert_ptr_null(ctl);
	/* both versions, in the form people know them */
	snprintf(want, sizeof(want), "rpmemd on 127.0.0.1 is version %u.%u, "
		"this librpmem %u.%u", v >> 16, v & 0xffff,
		RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION);
	has(rpmem_err_get(), want);
	has(rpmem_err_get(), "major versions differ");
	/* nothing was asked of it; the session ended */
	log = log_text();
	lacks(log, "REQ");
	has(log, "EOF\n");
}
END_TEST

START_TEST(test_create_daemon_version)
{
	unsigned nlanes = 2;

	fake("ok");
	Dp.new_err = 0;
	setenv("FAKE_DAEMON_VERSION", "0x00020001", 1);
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "pool.set", Pool,
		POOL_SIZE, &nlanes, NULL));
	ck_assert_int_eq(errno, EPROTONOSUPPORT);
	has(rpmem_errormsg(), "version 2.1");
	ck_assert_uint_eq(nlanes, 2);
	ck_assert_int_eq(Dp.new_calls, 0);
	lacks(log_text(), "REQ CREATE");
}
END_TEST

/*
 * GPSPM requests carry data only to a daemon that announced it
 * (rpmem_daemon_has_inline): 1.1 and the 1.2 daemons from before it get
 * WRITE + 32-byte request only
 */
static const struct {
	uint32_t version;
	int gpspm_inline;
} Inline_version[] = {
	{0x00010000, 0},	/* 1.0 */
	{0x00010001, 0},	/* 1.1 */
	{0x00010002, 0},	/* 1.2: API 1.2, no inline requests yet */
	{RPMEM_DAEMON_VERSION, 1},	/* this project's rpmemd */
	{0x00010063, 1},	/* a later minor keeps it */
};

START_TEST(test_create_inline_capability)
{
	struct rpmem_pool_attr attr = some_attr();
	unsigned nlanes = 2;
	char num[16];
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	snprintf(num, sizeof(num), "0x%08x", Inline_version[_i].version);
	setenv("FAKE_DAEMON_VERSION", num, 1);
	rpp = rpmem_create("127.0.0.1", "pool.set", Pool, POOL_SIZE, &nlanes,
		&attr);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_int_eq(Dp.new_calls, 1);
	ck_assert_int_eq(Dp.attr.gpspm_inline,
		Inline_version[_i].gpspm_inline);
	ck_assert_int_eq(rpmem_close(rpp), 0);
}
END_TEST

/* RPMEM_CMD: one command per connection, in turn, as PMDK */
START_TEST(test_cmd_rotation)
{
	struct rpmem_target t = target("127.0.0.1");
	struct rpmem_ctl *ctl = NULL;
	const char *log, *a1, *b, *a2;

	fake("ok");
	setenv("RPMEM_CMD", "exec rpmemd -c '/a b.conf'|cd /b && ./rpmemd",
		1);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(rpmem_ctl_new(&t, &ctl) == 0, "%s",
			rpmem_err_get());
		rpmem_ctl_delete(&ctl);
	}
	log = log_text();
	a1 = strstr(log, "|127.0.0.1|exec rpmemd -c '/a b.conf'\n");
	b = strstr(log, "|127.0.0.1|cd /b && ./rpmemd\n");
	ck_assert_msg(a1 != NULL && b != NULL, "%s", log);
	a2 = strstr(a1 + 1, "|127.0.0.1|exec rpmemd -c '/a b.conf'\n");
	/* first, second, first again; one ARGV each */
	ck_assert_msg(a1 < b && a2 != NULL && b < a2, "%s", log);
	ck_assert_ptr_null(strstr(b + 20, "cd /b"));
	ck_assert_ptr_null(strstr(a2 + 20, "ARGV"));
}
END_TEST

/* ... across the calls of the API: create, open, remove */
START_TEST(test_cmd_rotation_api)
{
	struct rpmem_pool_attr attr;
	unsigned nlanes = 1;
	RPMEMpool *a, *b;
	const char *log;

	fake("ok");
	Dp.new_err = 0;
	memset(&attr, 0, sizeof(attr));
	attr.major = 1;
	setenv("RPMEM_CMD", "c1|c2", 1);
	a = rpmem_create("127.0.0.1", "one.set", Pool, POOL_SIZE, &nlanes,
		&attr);
	ck_assert_msg(a != NULL, "%s", rpmem_errormsg());
	nlanes = 1;
	b = rpmem_open("127.0.0.1", "two.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_msg(b != NULL, "%s", rpmem_errormsg());
	ck_assert_int_eq(rpmem_close(a), 0);
	ck_assert_int_eq(rpmem_close(b), 0);
	ck_assert_int_eq(rpmem_remove("127.0.0.1", "one.set", 0), 0);
	log = log_text();
	has(log, "|127.0.0.1|c1\nREQ CREATE flags=1 nlanes=1 size=1048576 "
		"desc=one.set");
	has(log, "|127.0.0.1|c2\nREQ OPEN flags=0 nlanes=1 size=1048576 "
		"desc=two.set");
	has(log, "|127.0.0.1|c1\nREQ REMOVE flags=0 desc=one.set");

	/* an empty command: refused before anything is started */
	fake("ok");
	setenv("RPMEM_CMD", "c1||c2", 1);
	nlanes = 1;
	errno = 0;
	ck_assert_ptr_null(rpmem_open("127.0.0.1", "two.set", Pool, POOL_SIZE,
		&nlanes, NULL));
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "RPMEM_CMD='c1||c2': command 2 is empty");
	errno = 0;
	ck_assert_int_eq(rpmem_remove("127.0.0.1", "one.set", 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	has(rpmem_errormsg(), "RPMEM_CMD");
	ck_assert_str_eq(log_text(), "");
	ck_assert_int_eq(Dp.new_calls, 2);
}
END_TEST

/* RPMEM_ENABLE_VERBS / RPMEM_ENABLE_SOCKETS through the API */
START_TEST(test_provider_env_api)
{
	unsigned nlanes = 1;
	RPMEMpool *rpp;

	fake("ok");
	Dp.new_err = 0;
	setenv("RPMEM_ENABLE_VERBS", "0", 1);
	errno = 0;
	ck_assert_ptr_null(rpmem_create("127.0.0.1", "p.set", Pool, POOL_SIZE,
		&nlanes, NULL));
	ck_assert_int_eq(errno, ENOMEDIUM);
	has(rpmem_errormsg(), "rpmem_create: cannot find provider");
	setenv("RPMEM_ENABLE_SOCKETS", "1", 1);
	errno = 0;
	ck_assert_ptr_null(rpmem_open("127.0.0.1", "p.set", Pool, POOL_SIZE,
		&nlanes, NULL));
	ck_assert_int_eq(errno, ENOMEDIUM);
	has(rpmem_errormsg(), "rpmem_open: cannot find provider");
	has(rpmem_errormsg(), "no sockets provider");
	/* argument errors come first, as in PMDK */
	errno = 0;
	ck_assert_ptr_null(rpmem_open("127.0.0.1", "p.set", NULL, POOL_SIZE,
		&nlanes, NULL));
	ck_assert_int_eq(errno, EINVAL);
	/* no daemon was started for any of them */
	ck_assert_str_eq(log_text(), "");
	ck_assert_int_eq(Dp.new_calls, 0);

	/* rpmem_remove needs no provider (PMDK's runs ssh only) */
	fake("ok");
	ck_assert_int_eq(rpmem_remove("127.0.0.1", "p.set", 0), 0);
	has(log_text(), "REQ REMOVE flags=0 desc=p.set\n");

	/* sockets asked for, verbs on: verbs */
	fake("ok");
	unsetenv("RPMEM_ENABLE_VERBS");
	rpp = rpmem_open("127.0.0.1", "p.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_int_eq(rpmem_close(rpp), 0);
	has(log_text(), "REQ OPEN flags=0 nlanes=1");
}
END_TEST

/* RPMEM_LOG_LEVEL 2 into RPMEM_LOG_FILE: setup lines, failures */
START_TEST(test_log_file_api)
{
	char path[] = "/tmp/rpmem-test-ctl-log-XXXXXX";
	char text[4096], want[PATH_MAX + 128];
	unsigned nlanes = 1;
	RPMEMpool *rpp;
	ssize_t n;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	setenv("RPMEM_LOG_FILE", path, 1);
	setenv("RPMEM_LOG_LEVEL", "2", 1);
	setenv("RPMEM_CMD", "x1|x2", 1);
	setenv("RPMEM_ENABLE_SOCKETS", "1", 1);

	fake("ok");
	Dp.new_err = 0;
	rpp = rpmem_open("127.0.0.1", "log.set", Pool, POOL_SIZE, &nlanes,
		NULL);
	ck_assert_msg(rpp != NULL, "%s", rpmem_errormsg());
	ck_assert_int_eq(rpmem_close(rpp), 0);
	log_text();
	fake("status:8");
	errno = 0;
	ck_assert_ptr_null(rpmem_open("127.0.0.1", "gone.set", Pool,
		POOL_SIZE, &nlanes, NULL));
	ck_assert_int_eq(errno, ENOENT);
	log_text();

	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	has(text, "librpmem: RPMEM_ENABLE_SOCKETS=1: using verbs");
	snprintf(want, sizeof(want), "librpmem: ssh: %s 127.0.0.1 'x1' "
		"(RPMEM_CMD command 1 of 2)\n", Self);
	has(text, want);
	has(text, "librpmem: pool log.set: persist method GPSPM (fake "
		"reason)\n");
	has(text, "'x2' (RPMEM_CMD command 2 of 2)\n");
	snprintf(want, sizeof(want), "librpmem: OPEN failed: fake status 8 "
		"(errno %d)\n", ENOENT);
	has(text, want);
	/* in that order */
	ck_assert(strstr(text, "'x1'") < strstr(text, "log.set"));
	ck_assert(strstr(text, "log.set") < strstr(text, "'x2'"));
}
END_TEST

/* ctl_suite -- every test of this file */
static Suite *
ctl_suite(void)
{
	Suite *s = suite_create("ctl_client");
	TCase *tc;

	tc = tcase_create("ctl");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ctl_session);
	tcase_add_test(tc, test_ssh_argv);
	tcase_add_test(tc, test_hello_config);
	tcase_add_test(tc, test_daemon_exits);
	tcase_add_test(tc, test_ssh_missing);
	tcase_add_loop_test(tc, test_hello_bad, 0,
		sizeof(Hello_bad) / sizeof(Hello_bad[0]));
	tcase_add_loop_test(tc, test_resp_bad, 0,
		sizeof(Resp_bad) / sizeof(Resp_bad[0]));
	tcase_add_loop_test(tc, test_resp_status, RPMEM_ST_OK + 1,
		RPMEM_ST_MAX);
	tcase_add_test(tc, test_resp_status_each_request);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_timeout_split);
	tcase_add_test(tc, test_timeout_hello);
	tcase_add_test(tc, test_timeout_env);
	tcase_add_test(tc, test_stderr_flood);
	suite_add_tcase(s, tc);

	tc = tcase_create("ssh");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ssh_child_env);
	tcase_add_test(tc, test_ssh_dead_peer);
	tcase_add_test(tc, test_ssh_recv_timeout);
	tcase_add_test(tc, test_ssh_close_kills);
	tcase_add_test(tc, test_ssh_child_reaped_elsewhere);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, api_setup, api_teardown);
	tcase_add_test(tc, test_create_dp_fails_removes_pool);
	tcase_add_test(tc, test_create_real_dp_fails_removes_pool);
	tcase_add_test(tc, test_open_dp_fails_keeps_pool);
	tcase_add_test(tc, test_create_refused);
	tcase_add_test(tc, test_create_daemon_gone);
	tcase_add_test(tc, test_create_unresolvable);
	tcase_add_test(tc, test_pool_lifecycle);
	tcase_add_test(tc, test_pool_nohdrs);
	tcase_add_test(tc, test_pool_zero_attr);
	tcase_add_test(tc, test_pool_short);
	tcase_add_test(tc, test_sticky_each);
	tcase_add_test(tc, test_create_nospc);
	tcase_add_test(tc, test_pool_flush_args);
	tcase_add_test(tc, test_open_attr);
	tcase_add_test(tc, test_max_nlanes_env);
	tcase_add_test(tc, test_log_level);
	tcase_add_test(tc, test_close_daemon_gone);
	tcase_add_test(tc, test_remove);
	suite_add_tcase(s, tc);

	tc = tcase_create("env");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, api_setup, api_teardown);
	tcase_add_loop_test(tc, test_hello_daemon_version, 0,
		sizeof(Hello_version) / sizeof(Hello_version[0]));
	tcase_add_test(tc, test_create_daemon_version);
	tcase_add_loop_test(tc, test_create_inline_capability, 0,
		sizeof(Inline_version) / sizeof(Inline_version[0]));
	tcase_add_test(tc, test_cmd_rotation);
	tcase_add_test(tc, test_cmd_rotation_api);
	tcase_add_test(tc, test_provider_env_api);
	tcase_add_test(tc, test_log_file_api);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite (or be the fake rpmemd) */
int
main(int argc, char *argv[])
{
	const char *script = getenv("FAKE_RPMEMD_SCRIPT");
	SRunner *sr;
	ssize_t n;
	int failed;

	if (script != NULL)
		return fake_daemon(script, argc, argv);

	n = readlink("/proc/self/exe", Self, sizeof(Self) - 1);
	if (n <= 0) {
		perror("readlink /proc/self/exe");
		return EXIT_FAILURE;
	}
	Self[n] = '\0';
	/* a clean slate: none of these may leak in from the caller */
	unsetenv("RPMEM_CMD");
	unsetenv("RPMEM_TIMEOUT_MS");
	unsetenv("RPMEM_MAX_NLANES");
	unsetenv("RPMEM_LOG_LEVEL");
	unsetenv("RPMEM_LOG_FILE");
	unsetenv("RPMEM_ENABLE_VERBS");
	unsetenv("RPMEM_ENABLE_SOCKETS");
	unsetenv("RPMEM_WORK_QUEUE_SIZE");

	sr = srunner_create(ctl_suite());
	/* tests change env, signals and the double's state: isolate them */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
