/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hostile_daemon.c -- rpmemd against a hostile client and hostile
 * files, the cases test_ctl_server.c, test_poolset.c and test_config.c
 * leave out:
 *  - every request type with a header size of 0, 16, one past the largest
 *    message and 2^32-1 (never read on), a header with no body at all,
 *    extreme versions and types; the error reply for each is a response
 *    the client accepts, addressed to the request;
 *  - pool-set names with tabs, CR, other control characters, a trailing
 *    slash, a relative symlink climbing out, a FIFO (refused, no hang);
 *  - config files that are FIFOs (refused, no hang) or hold NUL bytes.
 * Every test runs under alarm(): a hang fails instead of blocking CI.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ctl_server.h"
#include "poolset.h"
#include "rpmem_proto.h"
#include "unit_fs.h"

static char Dir[PATH_MAX];	/* canonical temporary directory */
static char Msg[RPMEM_MSG_TEXT_MAX];
static int Fd[2] = {-1, -1};	/* the control pipe */
static int Reply[2] = {-1, -1};	/* where the daemon's replies go */

/* setup -- pipes, a directory, a hang guard */
static void
setup(void)
{
	char tmp[] = "/tmp/rpmemd-hostile-XXXXXX";

	signal(SIGPIPE, SIG_IGN);
	alarm(20);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_ptr_nonnull(realpath(tmp, Dir));
	ck_assert_int_eq(pipe(Fd), 0);
	ck_assert_int_eq(pipe(Reply), 0);
	Msg[0] = '\0';
}

/* close_fd -- close and forget */
static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* teardown -- undo setup */
static void
teardown(void)
{
	alarm(0);
	close_fd(&Fd[0]);
	close_fd(&Fd[1]);
	close_fd(&Reply[0]);
	close_fd(&Reply[1]);
	unit_rm_tree(Dir);
}

/* path_in -- "<Dir>/<rel>" */
static const char *
path_in(const char *rel)
{
	static char buf[2][PATH_MAX + 64];
	static int slot;

	slot ^= 1;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", Dir, rel);
	return buf[slot];
}

/* write_bytes -- create path with len bytes */
static void
write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* ---------------------------------------------------------------------
 * the control channel
 */

/* header -- a header of type with this size field */
static void
header(uint8_t *h, uint16_t version, uint16_t type, uint32_t size)
{
	rpmem_put_le32(h, RPMEM_PROTO_MAGIC);
	rpmem_put_le16(h + 4, version);
	rpmem_put_le16(h + 6, type);
	rpmem_put_le32(h + 8, size);
	rpmem_put_le32(h + 12, 0);
}

/*
 * malformed -- expect MALFORMED with status and a text containing word;
 * answer it like rpmemd_serve() and check the reply is a response the
 * client decodes, of the type answering req (CLOSE_RESP when none)
 */
static void
malformed(uint16_t req, uint32_t status, const char *word)
{
	struct rpmem_msg m, r;
	uint8_t buf[RPMEM_MSG_MAX_SIZE];

	memset(&m, 0x55, sizeof(m));
	ck_assert_int_eq(rpmemd_ctl_recv(Fd[0], -1, 0, &m),
		RPMEMD_CTL_MALFORMED);
	ck_assert_uint_eq(m.type, req);
	ck_assert_uint_eq(m.status, status);
	if (strstr(m.text, word) == NULL)
		ck_abort_msg("'%s' lacks '%s'", m.text, word);

	ck_assert_int_eq(rpmemd_ctl_reply(Reply[1], m.type, m.status, m.text),
		0);
	uint16_t expect = req ? (uint16_t)(req + 1) : RPMEM_MSG_CLOSE_RESP;
	size_t len = rpmem_msg_size(expect);
	ck_assert_int_eq(read(Reply[0], buf, sizeof(buf)), (ssize_t)len);
	ck_assert_uint_eq(rpmem_msg_decode(buf, len, &r, NULL), RPMEM_ST_OK);
	ck_assert_uint_eq(r.type, expect);
	ck_assert_uint_eq(r.status, status);
	ck_assert_str_eq(r.text, m.text);
	ck_assert_int_eq(rpmem_status_to_errno(r.status),
		status == RPMEM_ST_PROTO ? EPROTO : EPROTONOSUPPORT);
}

/* unread -- how many bytes are left in the pipe (writer closed) */
static size_t
unread(void)
{
	uint8_t buf[256];
	size_t got = 0;
	ssize_t n;

	close_fd(&Fd[1]);
	while ((n = read(Fd[0], buf, sizeof(buf))) > 0)
		got += (size_t)n;
	return got;
}

/* reopen -- a fresh control pipe */
static void
reopen(void)
{
	close_fd(&Fd[0]);
	close_fd(&Fd[1]);
	ck_assert_int_eq(pipe(Fd), 0);
}

START_TEST(sizes_every_request)
{
	static const uint16_t reqs[] = {RPMEM_MSG_CREATE, RPMEM_MSG_OPEN,
		RPMEM_MSG_SET_ATTR, RPMEM_MSG_CLOSE, RPMEM_MSG_REMOVE};
	const uint32_t sizes[] = {0, 1, RPMEM_MSG_HDR_SIZE,
		RPMEM_MSG_MAX_SIZE, RPMEM_MSG_MAX_SIZE + 1, 0x7fffffffu,
		0xffffffffu};
	uint8_t h[RPMEM_MSG_HDR_SIZE];

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			reopen();
			header(h, RPMEM_PROTO_VERSION, reqs[i], sizes[j]);
			ck_assert_int_eq(write(Fd[1], h, sizeof(h)),
				(ssize_t)sizeof(h));
			ck_assert_int_eq(write(Fd[1], "tail", 4), 4);
			/* the writer stays open: reading on would hang */
			malformed(reqs[i], RPMEM_ST_PROTO,
				"wrong message size for its type");
			ck_assert_uint_eq(unread(), 4);
		}
	}
}
END_TEST

START_TEST(header_without_body)
{
	static const uint16_t reqs[] = {RPMEM_MSG_CREATE, RPMEM_MSG_OPEN,
		RPMEM_MSG_SET_ATTR, RPMEM_MSG_CLOSE, RPMEM_MSG_REMOVE};
	uint8_t h[RPMEM_MSG_HDR_SIZE];
	char word[64];

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		reopen();
		uint32_t size = (uint32_t)rpmem_msg_size(reqs[i]);
		header(h, RPMEM_PROTO_VERSION, reqs[i], size);
		ck_assert_int_eq(write(Fd[1], h, sizeof(h)),
			(ssize_t)sizeof(h));
		close_fd(&Fd[1]);
		snprintf(word, sizeof(word), "truncated body (0 of %u bytes)",
			size - RPMEM_MSG_HDR_SIZE);
		malformed(reqs[i], RPMEM_ST_PROTO, word);
	}
}
END_TEST

START_TEST(extreme_header_fields)
{
	uint8_t h[RPMEM_MSG_HDR_SIZE];

	/* versions: the reply is still addressed to the request */
	const uint16_t versions[] = {0, RPMEM_PROTO_VERSION + 1, 0xffff};
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		reopen();
		header(h, versions[i], RPMEM_MSG_OPEN, 0xffffffffu);
		ck_assert_int_eq(write(Fd[1], h, sizeof(h)),
			(ssize_t)sizeof(h));
		malformed(RPMEM_MSG_OPEN, RPMEM_ST_BADVERSION,
			"unsupported protocol version");
	}

	/* types nobody knows, and responses, answered with CLOSE_RESP */
	const uint16_t types[] = {0, RPMEM_MSG_TYPE_MAX, 0x7fff, 0xffff};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		reopen();
		header(h, RPMEM_PROTO_VERSION, types[i], 0xffffffffu);
		ck_assert_int_eq(write(Fd[1], h, sizeof(h)),
			(ssize_t)sizeof(h));
		malformed(0, RPMEM_ST_PROTO, "unknown message type");
	}
	reopen();
	header(h, RPMEM_PROTO_VERSION, RPMEM_MSG_OPEN_RESP,
		(uint32_t)rpmem_msg_size(RPMEM_MSG_OPEN_RESP));
	ck_assert_int_eq(write(Fd[1], h, sizeof(h)), (ssize_t)sizeof(h));
	malformed(0, RPMEM_ST_PROTO, "OPEN_RESP is not a request");

	/* all ones, all zeros */
	reopen();
	memset(h, 0xff, sizeof(h));
	ck_assert_int_eq(write(Fd[1], h, sizeof(h)), (ssize_t)sizeof(h));
	malformed(0, RPMEM_ST_PROTO, "bad magic");
	reopen();
	memset(h, 0, sizeof(h));
	ck_assert_int_eq(write(Fd[1], h, sizeof(h)), (ssize_t)sizeof(h));
	malformed(0, RPMEM_ST_PROTO, "bad magic");
}
END_TEST

/* ---------------------------------------------------------------------
 * pool-set names
 */

START_TEST(names_refused)
{
	char path[PATH_MAX];
	static const char *const ctrl[] = {
		"x\t.set", "x.set\r", "\rx.set", "x\x1f.set", "x\x01",
		"sub/\n/x.set", "x.set\n",
	};

	write_bytes(path_in("x.set"), "PMEMPOOLSET\n16M a\n", 18);
	for (size_t i = 0; i < sizeof(ctrl) / sizeof(ctrl[0]); i++) {
		Msg[0] = '\0';
		ck_assert_int_eq(rpmemd_poolset_resolve(Dir, ctrl[i], path,
			sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
		/* not echoed: it could forge lines in logs and replies */
		ck_assert_str_eq(Msg, "pool set name contains control "
			"characters");
	}

	/* a trailing slash: x.set is no directory */
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "x.set/", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_NOEXIST);

	/* a relative symlink climbing out, used as a directory */
	ck_assert_int_eq(mkdir(path_in("pools"), 0700), 0);
	ck_assert_int_eq(symlink("..", path_in("pools/up")), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(path_in("pools"), "up/x.set",
		path, sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set 'up/x.set' resolves outside the "
		"poolset directory");
	/* ... and as the name itself */
	ck_assert_int_eq(symlink("../x.set", path_in("pools/rel.set")), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(path_in("pools"), "rel.set",
		path, sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set 'rel.set' resolves outside the "
		"poolset directory");
	/* the whole open refuses the same way and builds nothing */
	struct rpmemd_poolset *set = NULL;
	ck_assert_int_eq(rpmemd_poolset_open(path_in("pools"), "up/x.set",
		&set, Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_ptr_null(set);

	/* the longest name the wire allows is only "not found" */
	char longest[RPMEM_POOL_DESC_MAX];
	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, longest, path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_NOEXIST);
}
END_TEST

START_TEST(fifo_set_no_hang)
{
	char path[PATH_MAX];
	struct rpmemd_poolset *set = NULL;

	ck_assert_int_eq(mkfifo(path_in("f.set"), 0600), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "f.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set 'f.set' is not a regular file");
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "f.set", &set, Msg,
		sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_ptr_null(set);

	/* swapped in after the name was resolved: parse must not block */
	ck_assert_int_eq(rpmemd_poolset_parse(Dir, "f.set", path_in("f.set"),
		&set, Msg, sizeof(Msg)), RPMEM_ST_POOL_CFG);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(Msg, "pool set 'f.set': not a regular file");
}
END_TEST

/* ---------------------------------------------------------------------
 * config files
 */

static struct rpmemd_config Cfg;
static char Err[PATH_MAX + 256];

/* load -- rpmemd_config_load with only the user file, or -c file */
static int
load(const char *cfile)
{
	char c[PATH_MAX + 64], sys[PATH_MAX + 64], usr[PATH_MAX + 64];
	struct rpmemd_config_env env = {
		.home = Dir, .system_file = sys, .user_file = usr,
	};
	char *argv[] = {"rpmemd", "-c", c, NULL};

	/* copies: path_in's buffers are reused */
	snprintf(c, sizeof(c), "%s", cfile ? cfile : "");
	snprintf(sys, sizeof(sys), "%s/none.conf", Dir);
	snprintf(usr, sizeof(usr), "%s/user.conf", Dir);

	Err[0] = '\0';
	return rpmemd_config_load(&Cfg, &env, cfile ? 3 : 1, argv, Err,
		sizeof(Err));
}

START_TEST(config_fifo_no_hang)
{
	char expect[PATH_MAX + 128];

	/* the optional user file */
	ck_assert_int_eq(mkfifo(path_in("user.conf"), 0600), 0);
	ck_assert_int_eq(load(NULL), -1);
	snprintf(expect, sizeof(expect), "%s: config file is not a regular "
		"file", path_in("user.conf"));
	ck_assert_str_eq(Err, expect);

	/* -c */
	ck_assert_int_eq(unlink(path_in("user.conf")), 0);
	ck_assert_int_eq(mkfifo(path_in("c.conf"), 0600), 0);
	ck_assert_int_eq(load(path_in("c.conf")), -1);
	snprintf(expect, sizeof(expect), "%s: config file is not a regular "
		"file", path_in("c.conf"));
	ck_assert_str_eq(Err, expect);
}
END_TEST

START_TEST(config_nul_byte)
{
	static const struct {
		const char *text;
		size_t len;
		unsigned line;
	} cases[] = {
		/* a NUL first: the rest of the line was silently dropped */
		{"\0max-lanes = 5\n", 15, 1},
		/* mid-line: the message said "line too long" */
		{"log-level = err\nmax-lanes = 5\0junk\n", 35, 2},
		/* at the end of the file, no newline */
		{"max-lanes = 5\n\0", 15, 2},
	};
	char expect[PATH_MAX + 128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_bytes(path_in("c.conf"), cases[i].text, cases[i].len);
		ck_assert_int_eq(load(path_in("c.conf")), -1);
		snprintf(expect, sizeof(expect), "%s:%u: line contains a NUL "
			"byte", path_in("c.conf"), cases[i].line);
		ck_assert_str_eq(Err, expect);
	}

	/* the same file without the NUL loads */
	write_bytes(path_in("c.conf"), "max-lanes = 5\n", 14);
	ck_assert_int_eq(load(path_in("c.conf")), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 5);
}
END_TEST

/* hostile_daemon_suite -- all cases */
static Suite *
hostile_daemon_suite(void)
{
	Suite *s = suite_create("hostile_daemon");
	TCase *tc = tcase_create("control");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sizes_every_request);
	tcase_add_test(tc, header_without_body);
	tcase_add_test(tc, extreme_header_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, names_refused);
	tcase_add_test(tc, fifo_set_no_hang);
	tcase_add_test(tc, config_fifo_no_hang);
	tcase_add_test(tc, config_nul_byte);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(hostile_daemon_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
