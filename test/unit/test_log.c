/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_log.c -- rpmemd logging: stderr before setup ("rpmemd: <msg>"),
 * the log file format and level filter, sanitizing, truncation, errno
 * preservation, and whole lines under concurrent logging
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static char Dir[PATH_MAX];
static char LogPath[PATH_MAX + 16];
static char ErrPath[PATH_MAX + 16];
static int SavedStderr = -1;

/* setup -- stderr redirected into a file we can read */
static void
setup(void)
{
	strcpy(Dir, "/tmp/rpmemd-log-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(Dir));
	snprintf(LogPath, sizeof(LogPath), "%s/r.log", Dir);
	snprintf(ErrPath, sizeof(ErrPath), "%s/stderr", Dir);
	SavedStderr = dup(STDERR_FILENO);
	int fd = open(ErrPath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* teardown -- restore stderr, drop the files */
static void
teardown(void)
{
	rpmemd_log_close();
	dup2(SavedStderr, STDERR_FILENO);
	close(SavedStderr);
	unlink(LogPath);
	unlink(ErrPath);
	rmdir(Dir);
}

/* slurp -- a whole file as a string (caller frees) */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

START_TEST(level_names)
{
	ck_assert_int_eq(rpmemd_log_level_parse("err"), RPMEMD_LOG_ERR);
	ck_assert_int_eq(rpmemd_log_level_parse("warn"), RPMEMD_LOG_WARN);
	ck_assert_int_eq(rpmemd_log_level_parse("notice"), RPMEMD_LOG_NOTICE);
	ck_assert_int_eq(rpmemd_log_level_parse("info"), RPMEMD_LOG_INFO);
	ck_assert_int_eq(rpmemd_log_level_parse("debug"), RPMEMD_LOG_DBG);
	ck_assert_int_eq(rpmemd_log_level_parse("ERR"), -1);
	ck_assert_int_eq(rpmemd_log_level_parse("dbg"), -1);
	ck_assert_int_eq(rpmemd_log_level_parse(""), -1);
	ck_assert_int_eq(rpmemd_log_level_parse(NULL), -1);
}
END_TEST

START_TEST(stderr_before_setup)
{
	RPMEMD_LOG(ERR, "config file '%s': bad %d", "/x", 3);
	RPMEMD_LOG(WARN, "careful");
	RPMEMD_LOG(NOTICE, "not shown");
	RPMEMD_LOG(INFO, "not shown");
	RPMEMD_LOG(ERR, "trailing newlines dropped\n\n");
	char *out = slurp(ErrPath);
	ck_assert_str_eq(out, "rpmemd: config file '/x': bad 3\n"
		"rpmemd: careful\n"
		"rpmemd: trailing newlines dropped\n");
	free(out);
}
END_TEST

START_TEST(file_format_and_level)
{
	struct stat st;
	regex_t re;
	char pattern[256];

	ck_assert_int_eq(rpmemd_log_setup(LogPath, 0, RPMEMD_LOG_NOTICE), 0);
	errno = 1234;
	RPMEMD_LOG(ERR, "an error %d", 1);
	ck_assert_int_eq(errno, 1234);	/* callers log, then read errno */
	RPMEMD_LOG(NOTICE, "a notice");
	RPMEMD_LOG(INFO, "filtered");
	RPMEMD_LOG(DBG, "filtered");
	RPMEMD_LOG(WARN, "multi\n  line\tblock");

	char *log = slurp(LogPath);
	snprintf(pattern, sizeof(pattern),
		"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
		"\\.[0-9]{6}[+-][0-9]{4} rpmemd\\[%ld\\] "
		"(err|warn|notice): [^\n]*\n([^\n]*\n)?){3}$", (long)getpid());
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, log, 0, NULL, 0) == 0, "log: %s", log);
	regfree(&re);
	ck_assert_ptr_nonnull(strstr(log, "] err: an error 1\n"));
	ck_assert_ptr_nonnull(strstr(log, "] notice: a notice\n"));
	ck_assert_ptr_nonnull(strstr(log, "] warn: multi\n  line\tblock\n"));
	ck_assert_ptr_null(strstr(log, "filtered"));
	free(log);

	/* nothing reaches stderr once set up */
	char *err = slurp(ErrPath);
	ck_assert_str_eq(err, "");
	free(err);

	ck_assert_int_eq(stat(LogPath, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(append_and_stderr_copy)
{
	FILE *f = fopen(LogPath, "w");
	ck_assert_ptr_nonnull(f);
	fputs("old line\n", f);
	fclose(f);

	ck_assert_int_eq(rpmemd_log_setup(LogPath, 0, RPMEMD_LOG_ERR), 0);
	rpmemd_log_to_stderr(1);
	RPMEMD_LOG(ERR, "both");
	rpmemd_log_to_stderr(0);
	RPMEMD_LOG(ERR, "file only");
	rpmemd_log_close();
	RPMEMD_LOG(ERR, "stderr again");

	char *log = slurp(LogPath);
	ck_assert_int_eq(strncmp(log, "old line\n", 9), 0);
	ck_assert_ptr_nonnull(strstr(log, "err: both\n"));
	ck_assert_ptr_nonnull(strstr(log, "err: file only\n"));
	ck_assert_ptr_null(strstr(log, "stderr again"));
	free(log);
	char *err = slurp(ErrPath);
	ck_assert_str_eq(err, "rpmemd: both\nrpmemd: stderr again\n");
	free(err);
}
END_TEST

START_TEST(sanitize_and_truncate)
{
	RPMEMD_LOG(ERR, "name '%s'", "a\x1b[31mb\rc\x7f");
	char *big = malloc(10000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	RPMEMD_LOG(ERR, "%s", big);
	free(big);

	/* a line of its own only when indented: no forged entries */
	RPMEMD_LOG(ERR, "set '%s'", "x\n2026-12-08 rpmemd[1] err: forged");
	RPMEMD_LOG(ERR, "policy:\n  a: 1\n\tb: 2\n");

	char *out = slurp(ErrPath);
	ck_assert_int_eq(strncmp(out, "rpmemd: name 'a?[31mb?c?'\n", 26), 0);
	char *third = strstr(out, "rpmemd: set");
	ck_assert_ptr_nonnull(third);
	ck_assert_str_eq(third, "rpmemd: set 'x?2026-12-08 rpmemd[1] err: "
		"forged'\nrpmemd: policy:\n  a: 1\n\tb: 2\n");
	*third = '\0';
	char *second = out + 26;
	size_t len = strlen(second);
	/* "rpmemd: " + 4095 bytes ending in "..." + "\n" */
	ck_assert_uint_eq(len, 8 + 4095 + 1);
	ck_assert_int_eq(strcmp(second + len - 4, "...\n"), 0);
	free(out);
}
END_TEST

START_TEST(setup_errors)
{
	char bad[PATH_MAX + 32];
	snprintf(bad, sizeof(bad), "%s/nodir/r.log", Dir);
	errno = 0;
	ck_assert_int_eq(rpmemd_log_setup(bad, 0, RPMEMD_LOG_ERR), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(rpmemd_log_setup(NULL, 0, RPMEMD_LOG_MAX), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* still logging to stderr */
	RPMEMD_LOG(ERR, "still here");
	char *out = slurp(ErrPath);
	ck_assert_str_eq(out, "rpmemd: still here\n");
	free(out);
}
END_TEST

#define NTHREADS 4
#define NMSG 2000

/* logger -- one thread's share of messages */
static void *
logger(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < NMSG; i++)
		RPMEMD_LOG(ERR, "thread %ld message %d %s", id, i,
			"padding-padding-padding-padding-padding-padding");
	return NULL;
}

START_TEST(concurrent_lines)
{
	pthread_t th[NTHREADS];

	ck_assert_int_eq(rpmemd_log_setup(LogPath, 0, RPMEMD_LOG_ERR), 0);
	for (long i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, logger,
			(void *)i), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);

	/* every line whole: no interleaving inside a line */
	char *log = slurp(LogPath);
	int counts[NTHREADS] = {0};
	int lines = 0;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		long id;
		int n;
		char *m = strstr(line, "] err: thread ");
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(sscanf(m, "] err: thread %ld message %d", &id,
			&n), 2);
		ck_assert(id >= 0 && id < NTHREADS);
		ck_assert_int_eq(n, counts[id]);	/* in order */
		counts[id]++;
		ck_assert_ptr_nonnull(strstr(m, " padding-padding-padding-"
			"padding-padding-padding"));
		lines++;
	}
	ck_assert_int_eq(lines, NTHREADS * NMSG);
	free(log);
}
END_TEST

/* log_suite -- all logging tests */
static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, level_names);
	tcase_add_test(tc, stderr_before_setup);
	tcase_add_test(tc, file_format_and_level);
	tcase_add_test(tc, append_and_stderr_copy);
	tcase_add_test(tc, sanitize_and_truncate);
	tcase_add_test(tc, setup_errors);
	tcase_add_test(tc, concurrent_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(log_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
