/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_env.c -- the client's environment variables against PMDK's
 * meanings (env.c, ssh.c's RPMEM_CMD rotation): the parsers' tables, the
 * provider switches, the RPMEM_CMD round robin (also from many threads at
 * once) and the log (RPMEM_LOG_LEVEL / RPMEM_LOG_FILE)
 *
 * Every test runs in its own process (Check's fork mode): the rotation and
 * the log file are process-wide state.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "ssh.h"

static char Dir[64];		/* this test's scratch directory */

#define has(text, word) \
	ck_assert_msg(strstr((text), (word)) != NULL, \
		"'%s' lacks '%s'", (text), (word))
#define lacks(text, word) \
	ck_assert_msg(strstr((text), (word)) == NULL, \
		"'%s' has '%s'", (text), (word))

/* setup -- a clean environment and a scratch directory */
static void
setup(void)
{
	static const char *const vars[] = {"RPMEM_CMD", "RPMEM_MAX_NLANES",
		"RPMEM_WORK_QUEUE_SIZE", "RPMEM_ENABLE_VERBS",
		"RPMEM_ENABLE_SOCKETS", "RPMEM_LOG_LEVEL", "RPMEM_LOG_FILE",
		"RPMEM_SPIN_US"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	snprintf(Dir, sizeof(Dir), "/tmp/rpmem-test-env-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(Dir));
}

/* teardown -- remove the scratch directory and what is in it */
static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", Dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* slurp -- a whole file (static buffer), "" when missing */
static const char *
slurp(const char *path)
{
	static char buf[8192];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* log_to -- RPMEM_LOG_FILE = Dir/name, that path into path */
static void
log_to(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", Dir, name);
	setenv("RPMEM_LOG_FILE", path, 1);
}

/* ===================================================================== */

/* PMDK's rpmem_util_get_env_uint: strtol, > 0, clamped to UINT_MAX */
START_TEST(test_parse_uint)
{
	static const struct {
		const char *v;
		int ret;
		unsigned val;
	} t[] = {
		{"1", 0, 1}, {"8", 0, 8}, {"50", 0, 50},
		/* strtol's own leniency, as in PMDK */
		{" 4", 0, 4}, {"+3", 0, 3}, {"007", 0, 7},
		{"4294967295", 0, UINT_MAX}, {"4294967296", 0, UINT_MAX},
		{"4294967297", 0, UINT_MAX},
		{"0", -1, 0}, {"-1", -1, 0}, {"-0", -1, 0}, {"", -1, 0},
		{"abc", -1, 0}, {"4x", -1, 0}, {"4 ", -1, 0}, {"0x10", -1, 0},
		{"99999999999999999999999", -1, 0},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned v = 12345;

		errno = 77;
		ck_assert_msg(rpmem_env_parse_uint(t[i].v, &v) == t[i].ret,
			"'%s'", t[i].v);
		ck_assert_int_eq(errno, 77);	/* untouched */
		ck_assert_uint_eq(v, t[i].ret == 0 ? t[i].val : 12345);
	}
	ck_assert_int_eq(rpmem_env_parse_uint(NULL, NULL), -1);
}
END_TEST

/* PMDK's env_get_bool: strtol over all of it, an int */
START_TEST(test_parse_int)
{
	static const struct {
		const char *v;
		int ret;
		int val;
	} t[] = {
		{"0", 0, 0}, {"1", 0, 1}, {"-1", 0, -1}, {"2", 0, 2},
		{"2147483647", 0, INT_MAX}, {"-2147483648", 0, INT_MIN},
		{"2147483648", -1, 0}, {"yes", -1, 0}, {"1 ", -1, 0},
		{"", -1, 0}, {"true", -1, 0},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int v = 12345;

		ck_assert_msg(rpmem_env_parse_int(t[i].v, &v) == t[i].ret,
			"'%s'", t[i].v);
		ck_assert_int_eq(v, t[i].ret == 0 ? t[i].val : 12345);
	}
}
END_TEST

START_TEST(test_max_nlanes)
{
	char path[128];

	log_to("log", path, sizeof(path));
	ck_assert_uint_eq(rpmem_env_max_nlanes(), UINT_MAX);
	setenv("RPMEM_MAX_NLANES", "", 1);
	ck_assert_uint_eq(rpmem_env_max_nlanes(), UINT_MAX);
	setenv("RPMEM_MAX_NLANES", "3", 1);
	ck_assert_uint_eq(rpmem_env_max_nlanes(), 3);
	setenv("RPMEM_MAX_NLANES", "5000000000", 1);
	ck_assert_uint_eq(rpmem_env_max_nlanes(), UINT_MAX);
	/* nothing said so far: all valid */
	ck_assert_str_eq(slurp(path), "");

	setenv("RPMEM_MAX_NLANES", "0", 1);
	ck_assert_uint_eq(rpmem_env_max_nlanes(), UINT_MAX);
	/* a warning at level 0: ignoring a setting silently is worse */
	ck_assert_str_eq(slurp(path), "librpmem: warning: ignoring invalid "
		"RPMEM_MAX_NLANES='0' (not a positive integer)\n");
}
END_TEST

START_TEST(test_wq_size)
{
	static const struct {
		const char *v;
		unsigned max;
		unsigned want;
	} t[] = {
		{NULL, 8, 8}, {"", 8, 8},
		/* min(max(2, v), max): PMDK's rule, our max */
		{"1", 8, 2}, {"2", 8, 2}, {"3", 8, 3}, {"8", 8, 8},
		{"50", 8, 8}, {"4294967297", 8, 8},
		/* the library's largest (RPMEM_LANE_SQ_DEPTH) */
		{NULL, 32, 32}, {"16", 32, 16}, {"32", 32, 32},
		{"50", 32, 32},
		/* a device that allows fewer */
		{"6", 4, 4}, {NULL, 4, 4},
		/* never below what one persist needs */
		{NULL, 1, 2}, {"5", 1, 2},
	};
	char path[128];

	log_to("log", path, sizeof(path));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].v != NULL)
			setenv("RPMEM_WORK_QUEUE_SIZE", t[i].v, 1);
		else
			unsetenv("RPMEM_WORK_QUEUE_SIZE");
		ck_assert_msg(rpmem_env_wq_size(t[i].max) == t[i].want,
			"'%s' max %u: %u, want %u", t[i].v ? t[i].v : "(unset)",
			t[i].max, rpmem_env_wq_size(t[i].max), t[i].want);
	}
	ck_assert_str_eq(slurp(path), "");

	setenv("RPMEM_WORK_QUEUE_SIZE", "-1", 1);
	ck_assert_uint_eq(rpmem_env_wq_size(8), 8);
	setenv("RPMEM_WORK_QUEUE_SIZE", "big", 1);
	ck_assert_uint_eq(rpmem_env_wq_size(8), 8);
	ck_assert_str_eq(slurp(path), "librpmem: warning: ignoring invalid "
		"RPMEM_WORK_QUEUE_SIZE='-1' (not a positive integer), using 8\n"
		"librpmem: warning: ignoring invalid RPMEM_WORK_QUEUE_SIZE="
		"'big' (not a positive integer), using 8\n");
}
END_TEST

/* RPMEM_SPIN_US / RPMEM_SPIN_MAX_US: decimal us up to a bound, else warned */
START_TEST(test_spin_us)
{
	static const struct {
		const char *v;
		unsigned want;
		int warned;
	} t[] = {
		{NULL, 100, 0}, {"", 100, 0}, {"0", 0, 0}, {"5", 5, 0},
		{"007", 7, 0}, {"1000", 1000, 0},
		/* above the bound, and what must not pass as a number */
		{"1001", 100, 1}, {"-1", 100, 1},
		{"+5", 100, 1}, {" 5", 100, 1}, {"5us", 100, 1},
		{"5 ", 100, 1}, {"18446744073709551616", 100, 1},
	};
	char path[128];
	char want[4096] = "";

	log_to("log", path, sizeof(path));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned got;

		if (t[i].v != NULL)
			setenv("RPMEM_SPIN_US", t[i].v, 1);
		else
			unsetenv("RPMEM_SPIN_US");
		got = rpmem_env_spin_us("RPMEM_SPIN_US", 100, 1000);
		ck_assert_msg(got == t[i].want, "'%s': %u, want %u",
			t[i].v ? t[i].v : "(unset)", got, t[i].want);
		if (t[i].warned)
			snprintf(want + strlen(want), sizeof(want) -
				strlen(want), "librpmem: warning: ignoring "
				"invalid RPMEM_SPIN_US='%s' (not a number of "
				"microseconds up to 1000), using 100\n",
				t[i].v);
	}
	/* one warning per invalid value, at level 0, none for valid ones */
	ck_assert_str_eq(slurp(path), want);
}
END_TEST

/* the provider switches: {VERBS, SOCKETS, result, message words} */
static const struct {
	const char *verbs;
	const char *sockets;
	int ret;
	const char *word1;
	const char *word2;
} Prov[] = {
	{NULL, NULL, 0, NULL, NULL},
	{"1", NULL, 0, NULL, NULL},
	{"7", NULL, 0, NULL, NULL},	/* any non-zero: enabled */
	{"", NULL, 0, NULL, NULL},	/* empty: unset */
	{NULL, "0", 0, NULL, NULL},
	/* sockets asked for, verbs still enabled: verbs, as PMDK */
	{NULL, "1", 0, NULL, NULL},
	{"1", "1", 0, NULL, NULL},
	{NULL, "maybe", 0, NULL, NULL},
	{"0", NULL, -1, "RPMEM_ENABLE_VERBS=0 disables verbs", NULL},
	{"0", "0", -1, "RPMEM_ENABLE_VERBS=0", NULL},
	{"0", "1", -1, "RPMEM_ENABLE_VERBS=0",
		"RPMEM_ENABLE_SOCKETS cannot help"},
	{"0", "-1", -1, "RPMEM_ENABLE_VERBS=0", "no sockets provider"},
	/* PMDK cannot parse it and leaves verbs off: so do we, saying so */
	{"yes", NULL, -1, "RPMEM_ENABLE_VERBS='yes' is not an integer",
		NULL},
	{"off", "1", -1, "'off' is not an integer", NULL},
};

START_TEST(test_provider)
{
	char path[128];
	int ret;

	log_to("log", path, sizeof(path));
	setenv("RPMEM_LOG_LEVEL", "2", 1);
	if (Prov[_i].verbs != NULL)
		setenv("RPMEM_ENABLE_VERBS", Prov[_i].verbs, 1);
	if (Prov[_i].sockets != NULL)
		setenv("RPMEM_ENABLE_SOCKETS", Prov[_i].sockets, 1);
	rpmem_err_set("untouched");
	errno = 0;
	ret = rpmem_env_check_provider("rpmem_test");
	ck_assert_int_eq(ret, Prov[_i].ret);
	if (ret == 0) {
		ck_assert_int_eq(errno, 0);
		ck_assert_str_eq(rpmem_err_get(), "untouched");
	} else {
		ck_assert_int_eq(errno, ENOMEDIUM);
		/* PMDK's words, the function, and why */
		has(rpmem_err_get(), "rpmem_test: cannot find provider");
		has(rpmem_err_get(), Prov[_i].word1);
		if (Prov[_i].word2 != NULL)
			has(rpmem_err_get(), Prov[_i].word2);
	}
	/* what the log says */
	if (Prov[_i].sockets != NULL && strcmp(Prov[_i].sockets, "1") == 0 &&
	    ret == 0)
		ck_assert_str_eq(slurp(path), "librpmem: RPMEM_ENABLE_SOCKETS=1"
			": using verbs, which PMDK prefers too (this librpmem "
			"has no sockets provider)\n");
	else if (Prov[_i].sockets != NULL &&
	    strcmp(Prov[_i].sockets, "maybe") == 0)
		ck_assert_str_eq(slurp(path), "librpmem: warning: ignoring "
			"invalid RPMEM_ENABLE_SOCKETS='maybe' (not an integer)\n");
	else
		ck_assert_str_eq(slurp(path), "");
}
END_TEST

/* ===================================================================== */
/* RPMEM_CMD */

START_TEST(test_cmd_pick)
{
	static const char v[] = "cd /x && ./rpmemd -c 'a b'|exec rpmemd|c";
	static const char *const want[] = {"cd /x && ./rpmemd -c 'a b'",
		"exec rpmemd", "c"};
	unsigned i, n;
	char *c;

	for (unsigned long k = 0; k < 7; k++) {
		c = rpmem_ssh_cmd_pick(v, k, &i, &n);
		ck_assert_ptr_nonnull(c);
		ck_assert_str_eq(c, want[k % 3]);
		ck_assert_uint_eq(i, k % 3);
		ck_assert_uint_eq(n, 3);
		free(c);
	}
	/* the default */
	c = rpmem_ssh_cmd_pick(NULL, 5, &i, &n);
	ck_assert_str_eq(c, "rpmemd");
	ck_assert_uint_eq(i, 0);
	ck_assert_uint_eq(n, 1);
	free(c);
	c = rpmem_ssh_cmd_pick("", 0, NULL, NULL);
	ck_assert_str_eq(c, "rpmemd");
	free(c);
	/* one command: itself, spaces and all */
	c = rpmem_ssh_cmd_pick("  rpmemd --x ", 1, &i, &n);
	ck_assert_str_eq(c, "  rpmemd --x ");
	ck_assert_uint_eq(n, 1);
	free(c);
}
END_TEST

/* commands that cannot be run, whichever one is picked */
static const struct {
	const char *v;
	const char *word;
} Cmd_bad[] = {
	{"a||b", "command 2 is empty"},
	{"a| |b", "command 2 is empty"},
	{"|a", "command 1 is empty"},
	{"a|", "command 2 is empty"},
	{"|", "command 1 is empty"},
	{" ", "command 1 is empty"},
	{"rpmemd | tee /tmp/x", NULL},	/* two commands, both fine */
};

START_TEST(test_cmd_pick_bad)
{
	char *c;

	for (unsigned long k = 0; k < 3; k++) {
		rpmem_err_set("untouched");
		errno = 0;
		c = rpmem_ssh_cmd_pick(Cmd_bad[_i].v, k, NULL, NULL);
		if (Cmd_bad[_i].word == NULL) {
			ck_assert_ptr_nonnull(c);
			ck_assert_str_eq(c, k % 2 ? " tee /tmp/x" : "rpmemd ");
			free(c);
			continue;
		}
		ck_assert_ptr_null(c);
		ck_assert_int_eq(errno, EINVAL);
		has(rpmem_err_get(), "RPMEM_CMD='");
		has(rpmem_err_get(), Cmd_bad[_i].word);
		has(rpmem_err_get(), "shell pipe");
	}
}
END_TEST

/* next -- rpmem_ssh_cmd_next, which must work; the command (static) */
static const char *
next(unsigned *i, unsigned *n)
{
	static char buf[256];
	char *c = rpmem_ssh_cmd_next(i, n);

	ck_assert_msg(c != NULL, "%s", rpmem_err_get());
	snprintf(buf, sizeof(buf), "%s", c);
	free(c);
	return buf;
}

START_TEST(test_cmd_next)
{
	unsigned i = 99, n = 99;

	/* unset: rpmemd, every time */
	ck_assert_str_eq(next(&i, &n), "rpmemd");
	ck_assert_uint_eq(i, 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(next(NULL, NULL), "rpmemd");

	/* round robin, one per connection, in order */
	setenv("RPMEM_CMD", "x|y", 1);
	ck_assert_str_eq(next(&i, &n), "x");
	ck_assert_uint_eq(i, 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(next(&i, &n), "y");
	ck_assert_uint_eq(i, 1);
	ck_assert_str_eq(next(&i, &n), "x");
	ck_assert_uint_eq(i, 0);

	/* a new value starts at its first command */
	setenv("RPMEM_CMD", "p|q|r", 1);
	ck_assert_str_eq(next(&i, &n), "p");
	ck_assert_uint_eq(n, 3);
	/* the same value set again is no change: the rotation goes on */
	setenv("RPMEM_CMD", "p|q|r", 1);
	ck_assert_str_eq(next(NULL, NULL), "q");
	ck_assert_str_eq(next(NULL, NULL), "r");
	ck_assert_str_eq(next(NULL, NULL), "p");

	/* a bad value fails every time, and costs no turn */
	setenv("RPMEM_CMD", "a||b", 1);
	for (int k = 0; k < 3; k++) {
		errno = 0;
		ck_assert_ptr_null(rpmem_ssh_cmd_next(&i, &n));
		ck_assert_int_eq(errno, EINVAL);
		has(rpmem_err_get(), "command 2 is empty");
	}
	setenv("RPMEM_CMD", "x|y", 1);
	ck_assert_str_eq(next(NULL, NULL), "x");
	/* empty: the default */
	setenv("RPMEM_CMD", "", 1);
	ck_assert_str_eq(next(&i, &n), "rpmemd");
	ck_assert_uint_eq(n, 1);
}
END_TEST

#define NTHREADS 8
#define PER_THREAD 400
#define NCMDS 4

static unsigned Count[NTHREADS][NCMDS];

/* taker -- PER_THREAD commands; counts which */
static void *
taker(void *arg)
{
	unsigned *count = arg;

	for (int k = 0; k < PER_THREAD; k++) {
		unsigned i = NCMDS, n = 0;
		char *c = rpmem_ssh_cmd_next(&i, &n);

		if (c == NULL || n != NCMDS || i >= NCMDS ||
		    c[0] != (char)('a' + i) || c[1] != '\0') {
			free(c);
			return (void *)1;
		}
		free(c);
		count[i]++;
	}
	return NULL;
}

/*
 * many threads creating pools at once: every command is used equally
 * often (PMDK's index is unlocked: two threads could get the same command
 * and skip another)
 */
START_TEST(test_cmd_next_threads)
{
	pthread_t th[NTHREADS];
	unsigned total[NCMDS] = {0};

	setenv("RPMEM_CMD", "a|b|c|d", 1);
	memset(Count, 0, sizeof(Count));
	for (int t = 0; t < NTHREADS; t++)
		ck_assert_int_eq(pthread_create(&th[t], NULL, taker,
			Count[t]), 0);
	for (int t = 0; t < NTHREADS; t++) {
		void *r;

		ck_assert_int_eq(pthread_join(th[t], &r), 0);
		ck_assert_ptr_null(r);
		for (int c = 0; c < NCMDS; c++)
			total[c] += Count[t][c];
	}
	for (int c = 0; c < NCMDS; c++)
		ck_assert_uint_eq(total[c], NTHREADS * PER_THREAD / NCMDS);
	/* and the turn is where 3200 takes left it: at 'a' again */
	ck_assert_str_eq(next(NULL, NULL), "a");
}
END_TEST

/* ===================================================================== */
/* the log */

START_TEST(test_log_levels)
{
	char path[128];

	log_to("log", path, sizeof(path));
	/* level 0 (unset): no line, no file */
	rpmem_log(RPMEM_LOG_ERR, "not %d", 1);
	ck_assert_int_eq(access(path, F_OK), -1);

	setenv("RPMEM_LOG_LEVEL", "1", 1);
	errno = 42;
	rpmem_log(RPMEM_LOG_ERR, "one %s", "line");
	ck_assert_int_eq(errno, 42);
	rpmem_log(RPMEM_LOG_NOTICE, "not at 1");
	setenv("RPMEM_LOG_LEVEL", "2", 1);
	rpmem_log(RPMEM_LOG_NOTICE, "at 2");
	rpmem_log(3, "not at 2");
	/* above 4: 4, PMDK's most verbose */
	setenv("RPMEM_LOG_LEVEL", "99", 1);
	ck_assert_int_eq(rpmem_log_level(), RPMEM_LOG_MAX);
	rpmem_log(4, "at 4");
	setenv("RPMEM_LOG_LEVEL", "-3", 1);
	ck_assert_int_eq(rpmem_log_level(), 0);
	rpmem_log(RPMEM_LOG_ERR, "not at -3");
	ck_assert_str_eq(slurp(path), "librpmem: one line\nlibrpmem: at 2\n"
		"librpmem: at 4\n");

	/* not a number: 0, and one warning per call that checks */
	setenv("RPMEM_LOG_LEVEL", "debug", 1);
	ck_assert_int_eq(rpmem_log_level(), 0);
	rpmem_log(RPMEM_LOG_ERR, "not at debug");
	rpmem_env_check_log();
	has(slurp(path), "librpmem: at 4\nlibrpmem: warning: ignoring invalid "
		"RPMEM_LOG_LEVEL='debug' (not an integer 0..4), logging "
		"nothing\n");
	lacks(slurp(path), "not at");
	setenv("RPMEM_LOG_LEVEL", "3", 1);
	rpmem_env_check_log();
	lacks(slurp(path), "'3'");
}
END_TEST

START_TEST(test_log_file_pid)
{
	char path[128], want[160];
	pid_t pid;
	int st;

	/* a trailing '-': the pid is appended; a child gets its own file */
	log_to("client.log-", path, sizeof(path));
	setenv("RPMEM_LOG_LEVEL", "1", 1);
	rpmem_log(RPMEM_LOG_ERR, "parent");
	snprintf(want, sizeof(want), "%s%d", path, (int)getpid());
	ck_assert_str_eq(slurp(want), "librpmem: parent\n");
	ck_assert_int_eq(access(path, F_OK), -1);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		rpmem_log(RPMEM_LOG_ERR, "child");
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rpmem_log(RPMEM_LOG_ERR, "parent again");
	ck_assert_str_eq(slurp(want), "librpmem: parent\n"
		"librpmem: parent again\n");
	snprintf(want, sizeof(want), "%s%d", path, (int)pid);
	ck_assert_str_eq(slurp(want), "librpmem: child\n");
}
END_TEST

START_TEST(test_log_file_truncate_switch)
{
	char a[128], b[128];
	int fd;

	/* an old file is truncated at the first line, as PMDK's "w" */
	snprintf(a, sizeof(a), "%s/a.log", Dir);
	fd = open(a, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old run\n", 8), 8);
	close(fd);
	setenv("RPMEM_LOG_FILE", a, 1);
	setenv("RPMEM_LOG_LEVEL", "1", 1);
	rpmem_log(RPMEM_LOG_ERR, "new %d", 1);
	rpmem_log(RPMEM_LOG_ERR, "new %d", 2);
	ck_assert_str_eq(slurp(a), "librpmem: new 1\nlibrpmem: new 2\n");

	/* another name: lines go there from now on */
	log_to("b.log", b, sizeof(b));
	rpmem_log(RPMEM_LOG_ERR, "to b");
	ck_assert_str_eq(slurp(b), "librpmem: to b\n");
	ck_assert_str_eq(slurp(a), "librpmem: new 1\nlibrpmem: new 2\n");

	/* a long line is cut, still one line */
	{
		char big[3000];

		memset(big, 'z', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		rpmem_log(RPMEM_LOG_ERR, "%s", big);
		const char *t = slurp(b);
		ck_assert_uint_gt(strlen(t), 1500);
		ck_assert_uint_lt(strlen(t), 2100);
		ck_assert_int_eq(t[strlen(t) - 1], '\n');
		ck_assert_ptr_eq(strchr(t + 15, '\n'), t + strlen(t) - 1);
	}
}
END_TEST

/*
 * a log nobody reads: stderr a pipe whose reader is gone (SIGPIPE would
 * kill this process: Check reports the signal), RPMEM_LOG_FILE a FIFO with
 * no reader (the open would hang: the tcase timeout); errno kept
 */
START_TEST(test_log_unread)
{
	char fifo[128];
	sigset_t pending;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	close(p[1]);
	setenv("RPMEM_LOG_LEVEL", "1", 1);
	errno = EDOM;
	rpmem_log(RPMEM_LOG_ERR, "nobody reads this");
	rpmem_warn("nor this");
	ck_assert_int_eq(errno, EDOM);
	ck_assert_int_eq(sigpending(&pending), 0);
	ck_assert_int_eq(sigismember(&pending, SIGPIPE), 0);

	snprintf(fifo, sizeof(fifo), "%s/fifo", Dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	setenv("RPMEM_LOG_FILE", fifo, 1);
	rpmem_log(RPMEM_LOG_ERR, "to a fifo nobody reads");
	rpmem_warn("and its warning to the broken stderr");
	ck_assert_int_eq(errno, EDOM);
	ck_assert_int_eq(sigpending(&pending), 0);
	ck_assert_int_eq(sigismember(&pending, SIGPIPE), 0);
}
END_TEST

START_TEST(test_log_file_unopenable)
{
	char path[128], err[128];
	int fd, saved;

	/* PMDK aborts; here the lines go to stderr, with one warning */
	snprintf(err, sizeof(err), "%s/stderr", Dir);
	fd = open(err, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	saved = dup(2);
	dup2(fd, 2);
	snprintf(path, sizeof(path), "%s/no/such/dir/log", Dir);
	setenv("RPMEM_LOG_FILE", path, 1);
	setenv("RPMEM_LOG_LEVEL", "1", 1);
	rpmem_log(RPMEM_LOG_ERR, "first");
	rpmem_log(RPMEM_LOG_ERR, "second");
	dup2(saved, 2);
	close(saved);
	close(fd);
	has(slurp(err), "librpmem: warning: cannot open RPMEM_LOG_FILE '");
	has(slurp(err), "no/such/dir/log': No such file or directory; "
		"logging to standard error\nlibrpmem: first\n"
		"librpmem: second\n");
	/* warned once */
	ck_assert_ptr_null(strstr(strstr(slurp(err), "warning") + 1,
		"warning"));
}
END_TEST

/* env_suite -- every test of this file */
static Suite *
env_suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_uint);
	tcase_add_test(tc, test_parse_int);
	tcase_add_test(tc, test_max_nlanes);
	tcase_add_test(tc, test_wq_size);
	tcase_add_test(tc, test_spin_us);
	tcase_add_loop_test(tc, test_provider, 0,
		sizeof(Prov) / sizeof(Prov[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("cmd");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cmd_pick);
	tcase_add_loop_test(tc, test_cmd_pick_bad, 0,
		sizeof(Cmd_bad) / sizeof(Cmd_bad[0]));
	tcase_add_test(tc, test_cmd_next);
	tcase_add_test(tc, test_cmd_next_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_log_levels);
	tcase_add_test(tc, test_log_file_pid);
	tcase_add_test(tc, test_log_file_truncate_switch);
	tcase_add_test(tc, test_log_file_unopenable);
	tcase_add_test(tc, test_log_unread);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(env_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
