/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config.c -- rpmemd configuration: every key and value, file syntax,
 * file search order, $HOME expansion, the command line and its precedence,
 * and every error message (file:line + problem)
 *
 * No test reads the real HOME or /etc: every path goes through
 * struct rpmemd_config_env into a temporary directory.
 */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "unit_fs.h"

static char Dir[64];		/* per-test temporary directory */
static char Home[PATH_MAX];	/* $HOME seen by the loader */
static char Sys[PATH_MAX];	/* the "system" config file */
static char Usr[PATH_MAX];	/* the "user" config file */
static char File[PATH_MAX];	/* a file for -c */
static struct rpmemd_config Cfg;
static char Err[512];

/* setup -- fresh directory; the system and user files do not exist */
static void
setup(void)
{
	strcpy(Dir, "/tmp/rpmemd-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(Dir));
	snprintf(Home, sizeof(Home), "%s/home", Dir);
	ck_assert_int_eq(mkdir(Home, 0700), 0);
	snprintf(Sys, sizeof(Sys), "%s/sys.conf", Dir);
	snprintf(Usr, sizeof(Usr), "%s/user.conf", Dir);
	snprintf(File, sizeof(File), "%s/c.conf", Dir);
	memset(&Cfg, 0x5a, sizeof(Cfg));	/* load must set everything */
	Err[0] = '\0';
}

/* teardown -- remove the directory */
static void
teardown(void)
{
	unit_rm_tree(Dir);
}

/* write_file -- create path with the given text */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * load -- run the loader with argv = "rpmemd" + the NULL-terminated
 * arguments (copied: getopt permutes them)
 */
static int
load(const char *arg, ...)
{
	struct rpmemd_config_env env = {
		.home = Home, .system_file = Sys, .user_file = Usr,
	};
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = strdup("rpmemd");
	va_start(ap, arg);
	for (const char *a = arg; a != NULL; a = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, 31);
		argv[argc++] = strdup(a);
	}
	va_end(ap);
	argv[argc] = NULL;

	int ret = rpmemd_config_load(&Cfg, &env, argc, argv, Err,
			sizeof(Err));
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return ret;
}

/* load_text -- write text to the -c file and load only it */
static int
load_text(const char *text)
{
	write_file(File, text);
	return load("-c", File, NULL);
}

/* assert_err -- the load failed with exactly this message */
static void
assert_err(const char *expected)
{
	ck_assert_str_eq(Err, expected);
}

/* file_err -- "<File>:<line>: <text>" */
static const char *
file_err(unsigned line, const char *text)
{
	static char buf[PATH_MAX + 256];
	snprintf(buf, sizeof(buf), "%s:%u: %s", File, line, text);
	return buf;
}

START_TEST(defaults)
{
	ck_assert_int_eq(load(NULL), 0);
	ck_assert_str_eq(Err, "");
	ck_assert_str_eq(Cfg.poolset_dir, Home);
	ck_assert_str_eq(Cfg.log_file, "");
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_ERR);
	ck_assert_int_eq(Cfg.use_syslog, 1);
	ck_assert_int_eq(Cfg.persist_apm, 0);
	ck_assert_int_eq(Cfg.persist_general, 1);
	ck_assert_uint_eq(Cfg.max_lanes, 64);
	ck_assert_uint_eq(Cfg.timeout_ms, 30000);
	ck_assert_int_eq(Cfg.ddio, RPMEMD_DDIO_CHECK);
	ck_assert_int_eq(Cfg.service_nice, -10);
	ck_assert_str_eq(Cfg.remove, "");
	ck_assert_int_eq(Cfg.force, 0);
	ck_assert_int_eq(Cfg.remove_pool_set, 0);
	ck_assert_int_eq(Cfg.help, 0);
	ck_assert_int_eq(Cfg.version, 0);
	ck_assert_str_eq(Cfg.part_dir, "");	/* parts anywhere */
	ck_assert_int_eq(Cfg.nthreads_set, 0);
	ck_assert_uint_eq(Cfg.nthreads, 0);
}
END_TEST

START_TEST(every_key)
{
	ck_assert_int_eq(load_text(
		"poolset-dir = /srv/pools\n"
		"persist-apm = yes\n"
		"persist-general = no\n"
		"log-file = /var/log/r.log\n"
		"log-level = notice\n"
		"use-syslog = yes\n"
		"max-lanes = 1024\n"
		"timeout-ms = 1500\n"
		"ddio = disable\n"
		"part-dir = /mnt/pmem0/parts\n"), 0);
	ck_assert_str_eq(Cfg.poolset_dir, "/srv/pools");
	ck_assert_int_eq(Cfg.persist_apm, 1);
	ck_assert_int_eq(Cfg.persist_general, 0);
	ck_assert_str_eq(Cfg.log_file, "/var/log/r.log");
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_NOTICE);
	ck_assert_int_eq(Cfg.use_syslog, 1);
	ck_assert_uint_eq(Cfg.max_lanes, 1024);
	ck_assert_uint_eq(Cfg.timeout_ms, 1500);
	ck_assert_int_eq(Cfg.ddio, RPMEMD_DDIO_DISABLE);
	ck_assert_str_eq(Cfg.part_dir, "/mnt/pmem0/parts");
}
END_TEST

START_TEST(every_value)
{
	static const struct {
		const char *text;
		int level;
	} levels[] = {
		{"log-level = err\n", RPMEMD_LOG_ERR},
		{"log-level = warn\n", RPMEMD_LOG_WARN},
		{"log-level = notice\n", RPMEMD_LOG_NOTICE},
		{"log-level = info\n", RPMEMD_LOG_INFO},
		{"log-level = debug\n", RPMEMD_LOG_DBG},
	};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		ck_assert_int_eq(load_text(levels[i].text), 0);
		ck_assert_int_eq(Cfg.log_level, levels[i].level);
	}

	ck_assert_int_eq(load_text("ddio = check\n"), 0);
	ck_assert_int_eq(Cfg.ddio, RPMEMD_DDIO_CHECK);
	ck_assert_int_eq(load_text("ddio = ignore\n"), 0);
	ck_assert_int_eq(Cfg.ddio, RPMEMD_DDIO_IGNORE);

	ck_assert_int_eq(load_text("persist-apm = no\npersist-general = yes\n"
		"use-syslog = no\n"), 0);
	ck_assert_int_eq(Cfg.persist_apm, 0);
	ck_assert_int_eq(Cfg.persist_general, 1);
	ck_assert_int_eq(Cfg.use_syslog, 0);

	ck_assert_int_eq(load_text("max-lanes = 1\ntimeout-ms = 1\n"), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 1);
	ck_assert_uint_eq(Cfg.timeout_ms, 1);
	ck_assert_int_eq(load_text("timeout-ms = 3600000\n"), 0);
	ck_assert_uint_eq(Cfg.timeout_ms, 3600000);

	/* a later line wins within one file */
	ck_assert_int_eq(load_text("max-lanes = 3\nmax-lanes = 5\n"), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 5);
}
END_TEST

START_TEST(comments_and_whitespace)
{
	ck_assert_int_eq(load_text(
		"# a comment line\n"
		"\n"
		"   \t  \n"
		"   # indented comment\n"
		"\tpoolset-dir\t=\t/srv/a b/c///   # trailing comment\n"
		"log-level=info#no spaces\n"
		"  max-lanes   =   7  \r\n"
		"persist-apm = yes"), 0);	/* no final newline */
	ck_assert_str_eq(Cfg.poolset_dir, "/srv/a b/c");
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_INFO);
	ck_assert_uint_eq(Cfg.max_lanes, 7);
	ck_assert_int_eq(Cfg.persist_apm, 1);

	/* an empty file and a comments-only file are fine */
	ck_assert_int_eq(load_text(""), 0);
	ck_assert_int_eq(load_text("#only\n# comments\n"), 0);
	ck_assert_str_eq(Cfg.poolset_dir, Home);
}
END_TEST

START_TEST(syntax_errors)
{
	ck_assert_int_eq(load_text("# ok\nlog-level = err\nfoo = 1\n"), -1);
	assert_err(file_err(3, "unknown key 'foo'"));

	ck_assert_int_eq(load_text("poolset-dir /srv\n"), -1);
	assert_err(file_err(1,
		"missing '=' (expected 'key = value'): 'poolset-dir /srv'"));

	ck_assert_int_eq(load_text("\n\nlog-level =   # nothing\n"), -1);
	assert_err(file_err(3, "missing value for 'log-level'"));

	ck_assert_int_eq(load_text(" = yes\n"), -1);
	assert_err(file_err(1, "missing key before '='"));

	/* the key is matched exactly: no case folding, no prefixes */
	ck_assert_int_eq(load_text("Log-Level = err\n"), -1);
	assert_err(file_err(1, "unknown key 'Log-Level'"));
	ck_assert_int_eq(load_text("log = err\n"), -1);
	assert_err(file_err(1, "unknown key 'log'"));
}
END_TEST

START_TEST(bad_values)
{
	ck_assert_int_eq(load_text("persist-apm = Yes\n"), -1);
	assert_err(file_err(1,
		"invalid value 'Yes' for 'persist-apm' (expected yes or no)"));
	ck_assert_int_eq(load_text("use-syslog = 1\n"), -1);
	assert_err(file_err(1,
		"invalid value '1' for 'use-syslog' (expected yes or no)"));
	ck_assert_int_eq(load_text("persist-general = true\n"), -1);
	assert_err(file_err(1, "invalid value 'true' for 'persist-general' "
		"(expected yes or no)"));

	ck_assert_int_eq(load_text("log-level = verbose\n"), -1);
	assert_err(file_err(1, "invalid log level 'verbose' (expected err, "
		"warn, notice, info or debug)"));

	const char *lanes[] = {"0", "1025", "-1", "+5", "12a", "0x10", " 1 2",
		"99999999999999999999"};
	for (size_t i = 0; i < sizeof(lanes) / sizeof(lanes[0]); i++) {
		char text[64], msg[128];
		snprintf(text, sizeof(text), "max-lanes = %s\n", lanes[i]);
		ck_assert_int_eq(load_text(text), -1);
		/* the value is trimmed, as in the file */
		const char *v = lanes[i][0] == ' ' ? lanes[i] + 1 : lanes[i];
		snprintf(msg, sizeof(msg), "invalid value '%s' for 'max-lanes' "
			"(expected 1..1024)", v);
		assert_err(file_err(1, msg));
	}

	ck_assert_int_eq(load_text("timeout-ms = 0\n"), -1);
	assert_err(file_err(1,
		"invalid value '0' for 'timeout-ms' (expected 1..3600000)"));
	ck_assert_int_eq(load_text("timeout-ms = 3600001\n"), -1);
	assert_err(file_err(1, "invalid value '3600001' for 'timeout-ms' "
		"(expected 1..3600000)"));

	ck_assert_int_eq(load_text("ddio = off\n"), -1);
	assert_err(file_err(1, "invalid value 'off' for 'ddio' "
		"(expected check, disable or ignore)"));
}
END_TEST

/* service-nice: -20..19, a sign only in front, nothing around the digits */
START_TEST(service_nice)
{
	static const struct {
		const char *text;
		int value;
	} good[] = {
		{"-20", -20}, {"19", 19}, {"0", 0}, {"-0", 0}, {"-7", -7},
		{"007", 7},
	};
	static const char *const bad[] = {
		"-21", "20", "+5", "--5", "-", "5x", "-5 x", "1e1", "nice",
		"99999999999999999999", "-99999999999999999999", "0x5",
	};
	char text[128], msg[160];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "service-nice = %s\n",
			good[i].text);
		ck_assert_int_eq(load_text(text), 0);
		ck_assert_int_eq(Cfg.service_nice, good[i].value);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "service-nice = %s\n", bad[i]);
		ck_assert_int_eq(load_text(text), -1);
		snprintf(msg, sizeof(msg), "invalid value '%s' for "
			"'service-nice' (expected -20..19)", bad[i]);
		assert_err(file_err(1, msg));
	}

	/* the command line: a negative value is the option's argument */
	ck_assert_int_eq(load("--service-nice", "-3", NULL), 0);
	ck_assert_int_eq(Cfg.service_nice, -3);
	ck_assert_int_eq(load("--service-nice=5", NULL), 0);
	ck_assert_int_eq(Cfg.service_nice, 5);
	ck_assert_int_eq(load("--service-nice", "-30", NULL), -1);
	assert_err("invalid value '-30' for 'service-nice' "
		"(expected -20..19)");
}
END_TEST

START_TEST(paths)
{
	ck_assert_int_eq(load_text("poolset-dir = pools\n"), -1);
	assert_err(file_err(1, "poolset-dir must be an absolute path: "
		"'pools'"));
	ck_assert_int_eq(load_text("log-file = rpmemd.log\n"), -1);
	assert_err(file_err(1, "log-file must be an absolute path: "
		"'rpmemd.log'"));

	ck_assert_int_eq(load_text("poolset-dir = /\n"), 0);
	ck_assert_str_eq(Cfg.poolset_dir, "/");
	ck_assert_int_eq(load_text("poolset-dir = /a//\n"), 0);
	ck_assert_str_eq(Cfg.poolset_dir, "/a");
}
END_TEST

START_TEST(home_expansion)
{
	char expect[PATH_MAX + 32];

	ck_assert_int_eq(load_text("poolset-dir = $HOME\n"), 0);
	ck_assert_str_eq(Cfg.poolset_dir, Home);

	ck_assert_int_eq(load_text("poolset-dir = $HOME/pools\n"), 0);
	snprintf(expect, sizeof(expect), "%s/pools", Home);
	ck_assert_str_eq(Cfg.poolset_dir, expect);

	ck_assert_int_eq(load_text("poolset-dir = $HOME/\n"), 0);
	ck_assert_str_eq(Cfg.poolset_dir, Home);

	/* only the first occurrence, and anywhere in the value */
	ck_assert_int_eq(load_text("poolset-dir = /srv$HOME/$HOME\n"), 0);
	snprintf(expect, sizeof(expect), "/srv%s/$HOME", Home);
	ck_assert_str_eq(Cfg.poolset_dir, expect);

	/* "$HOMEDIR" is another variable: not expanded, so relative */
	ck_assert_int_eq(load_text("poolset-dir = $HOMEDIR/p\n"), -1);
	assert_err(file_err(1, "poolset-dir must be an absolute path: "
		"'$HOMEDIR/p'"));
	ck_assert_int_eq(load_text("poolset-dir = $HOME_2\n"), -1);
	assert_err(file_err(1, "poolset-dir must be an absolute path: "
		"'$HOME_2'"));

	ck_assert_int_eq(load_text("log-file = $HOME/r.log\n"), 0);
	snprintf(expect, sizeof(expect), "%s/r.log", Home);
	ck_assert_str_eq(Cfg.log_file, expect);

	ck_assert_int_eq(load("--poolset-dir", "$HOME/cli", NULL), 0);
	snprintf(expect, sizeof(expect), "%s/cli", Home);
	ck_assert_str_eq(Cfg.poolset_dir, expect);
}
END_TEST

START_TEST(syslog_default)
{
	/* no log file: syslog; a log file turns the default off */
	ck_assert_int_eq(load_text("log-level = warn\n"), 0);
	ck_assert_int_eq(Cfg.use_syslog, 1);
	ck_assert_int_eq(load_text("log-file = /l\n"), 0);
	ck_assert_int_eq(Cfg.use_syslog, 0);
	/* an explicit value wins, in either order */
	ck_assert_int_eq(load_text("use-syslog = yes\nlog-file = /l\n"), 0);
	ck_assert_int_eq(Cfg.use_syslog, 1);
	ck_assert_int_eq(load_text("use-syslog = no\n"), 0);
	ck_assert_int_eq(Cfg.use_syslog, 0);
	ck_assert_int_eq(load("--log-file", "/l", NULL), 0);
	ck_assert_int_eq(Cfg.use_syslog, 0);
	ck_assert_int_eq(load("--log-file", "/l", "--use-syslog", NULL), 0);
	ck_assert_int_eq(Cfg.use_syslog, 1);
}
END_TEST

START_TEST(search_order)
{
	/* both optional and missing: defaults */
	ck_assert_int_eq(load(NULL), 0);

	/* system only */
	write_file(Sys, "log-level = info\nmax-lanes = 8\n");
	ck_assert_int_eq(load(NULL), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_INFO);
	ck_assert_uint_eq(Cfg.max_lanes, 8);

	/* the user file is read later and wins */
	write_file(Usr, "log-level = debug\n");
	ck_assert_int_eq(load(NULL), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_DBG);
	ck_assert_uint_eq(Cfg.max_lanes, 8);

	/* -c reads only that file: the others are not even parsed */
	write_file(Sys, "garbage\n");
	write_file(File, "timeout-ms = 5\n");
	ck_assert_int_eq(load("-c", File, NULL), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_ERR);
	ck_assert_uint_eq(Cfg.max_lanes, 64);
	ck_assert_uint_eq(Cfg.timeout_ms, 5);

	/* an error in the system file names it */
	ck_assert_int_eq(load(NULL), -1);
	char expect[PATH_MAX + 64];
	snprintf(expect, sizeof(expect),
		"%s:1: missing '=' (expected 'key = value'): 'garbage'", Sys);
	assert_err(expect);
}
END_TEST

START_TEST(user_file_in_home)
{
	/* without an injected user file: <home>/.rpmemd.conf */
	struct rpmemd_config_env env = {.home = Home, .system_file = Sys};
	char path[PATH_MAX + 32];
	char *argv[] = {"rpmemd", NULL};

	snprintf(path, sizeof(path), "%s/.rpmemd.conf", Home);
	write_file(path, "max-lanes = 9\n");
	ck_assert_int_eq(rpmemd_config_load(&Cfg, &env, 1, argv, Err,
		sizeof(Err)), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 9);
}
END_TEST

START_TEST(cli_overrides_file)
{
	write_file(File, "persist-apm = no\npersist-general = no\n"
		"log-level = info\npoolset-dir = /a\nuse-syslog = no\n"
		"max-lanes = 4\ntimeout-ms = 10\nddio = ignore\n"
		"log-file = /f.log\n");

	/* options before and after -c: the command line always wins */
	ck_assert_int_eq(load("--persist-apm", "--log-level", "debug", "-c",
		File, "--poolset-dir", "/b", "--use-syslog",
		"--persist-general", "--max-lanes", "16", "--timeout-ms", "20",
		"--ddio", "check", "--log-file", "/g.log", NULL), 0);
	ck_assert_int_eq(Cfg.persist_apm, 1);
	ck_assert_int_eq(Cfg.persist_general, 1);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_DBG);
	ck_assert_str_eq(Cfg.poolset_dir, "/b");
	ck_assert_int_eq(Cfg.use_syslog, 1);
	ck_assert_uint_eq(Cfg.max_lanes, 16);
	ck_assert_uint_eq(Cfg.timeout_ms, 20);
	ck_assert_int_eq(Cfg.ddio, RPMEMD_DDIO_CHECK);
	ck_assert_str_eq(Cfg.log_file, "/g.log");

	/* --config= form, and the file still applies what argv lacks */
	char opt[PATH_MAX + 16];
	snprintf(opt, sizeof(opt), "--config=%s", File);
	ck_assert_int_eq(load(opt, "--log-level=warn", NULL), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_WARN);
	ck_assert_str_eq(Cfg.poolset_dir, "/a");
	ck_assert_uint_eq(Cfg.max_lanes, 4);

	/* a command-line value is validated like a file value */
	ck_assert_int_eq(load("--log-level", "loud", NULL), -1);
	assert_err("invalid log level 'loud' (expected err, warn, notice, "
		"info or debug)");
	ck_assert_int_eq(load("--poolset-dir", "rel", NULL), -1);
	assert_err("poolset-dir must be an absolute path: 'rel'");
	ck_assert_int_eq(load("--max-lanes", "0", NULL), -1);
	assert_err("invalid value '0' for 'max-lanes' (expected 1..1024)");
}
END_TEST

START_TEST(cli_actions)
{
	ck_assert_int_eq(load("-r", "sub/p.set", "-f", "-s", NULL), 0);
	ck_assert_str_eq(Cfg.remove, "sub/p.set");
	ck_assert_int_eq(Cfg.force, 1);
	ck_assert_int_eq(Cfg.remove_pool_set, 1);

	ck_assert_int_eq(load("--remove", "p.set", "--force", "--pool-set",
		NULL), 0);
	ck_assert_str_eq(Cfg.remove, "p.set");
	ck_assert_int_eq(Cfg.force, 1);
	ck_assert_int_eq(Cfg.remove_pool_set, 1);

	ck_assert_int_eq(load("-f", NULL), -1);
	assert_err("--force and --pool-set are valid only with --remove");
	ck_assert_int_eq(load("--pool-set", NULL), -1);
	assert_err("--force and --pool-set are valid only with --remove");

	/* help and version skip the files, so a broken one cannot stop them */
	write_file(Sys, "broken\n");
	ck_assert_int_eq(load("-h", NULL), 0);
	ck_assert_int_eq(Cfg.help, 1);
	ck_assert_int_eq(load("--version", NULL), 0);
	ck_assert_int_eq(Cfg.version, 1);
	ck_assert_ptr_nonnull(strstr(rpmemd_config_usage(), "--poolset-dir"));
}
END_TEST

START_TEST(cli_errors)
{
	ck_assert_int_eq(load("--bogus", NULL), -1);
	assert_err("unknown option '--bogus'");
	ck_assert_int_eq(load("-x", NULL), -1);
	assert_err("unknown option '-x'");
	ck_assert_int_eq(load("--log-level", NULL), -1);
	assert_err("option '--log-level' requires an argument");
	ck_assert_int_eq(load("-c", NULL), -1);
	assert_err("option '-c' requires an argument");
	ck_assert_int_eq(load("extra", NULL), -1);
	assert_err("unexpected argument 'extra'");
	ck_assert_int_eq(load("--persist-apm=yes", NULL), -1);
	assert_err("option '--persist-apm' does not take an argument");
	ck_assert_int_eq(load("--force=1", NULL), -1);
	assert_err("option '--force' does not take an argument");
	ck_assert_int_eq(load("-fx", NULL), -1);
	assert_err("unknown option '-x'");
}
END_TEST

START_TEST(config_file_errors)
{
	char expect[PATH_MAX + 128];

	/* -c: the file must exist */
	ck_assert_int_eq(load("-c", File, NULL), -1);
	snprintf(expect, sizeof(expect),
		"%s: cannot open config file: No such file or directory", File);
	assert_err(expect);

	/* a directory opens fine but is no config file (also as root) */
	ck_assert_int_eq(load("-c", Dir, NULL), -1);
	snprintf(expect, sizeof(expect), "%s: config file is not a regular "
		"file", Dir);
	assert_err(expect);

	/* an optional file that exists but is a directory is an error too */
	ck_assert_int_eq(mkdir(Usr, 0700), 0);
	ck_assert_int_eq(load(NULL), -1);
	snprintf(expect, sizeof(expect), "%s: config file is not a regular "
		"file", Usr);
	assert_err(expect);
	ck_assert_int_eq(rmdir(Usr), 0);

	/* permissions: checked as another user, root included */
	write_file(File, "max-lanes = 1\n");
	unit_fs_open_up(Dir);
	ck_assert_int_eq(chmod(File, 0), 0);
	unit_fs_as_nobody();
	int ret = load("-c", File, NULL);
	unit_fs_as_self();
	ck_assert_int_eq(ret, -1);
	snprintf(expect, sizeof(expect),
		"%s: cannot open config file: Permission denied", File);
	assert_err(expect);
}
END_TEST

START_TEST(long_line)
{
	char *text = malloc(RPMEMD_CONFIG_LINE_MAX + 64);
	ck_assert_ptr_nonnull(text);

	/* exactly the limit (newline excluded) is fine */
	strcpy(text, "# ");
	memset(text + 2, 'x', RPMEMD_CONFIG_LINE_MAX - 2);
	strcpy(text + RPMEMD_CONFIG_LINE_MAX, "\nmax-lanes = 2\n");
	ck_assert_int_eq(load_text(text), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 2);

	/* one more byte is refused, not split into two lines */
	strcpy(text, "# ");
	memset(text + 2, 'x', RPMEMD_CONFIG_LINE_MAX - 1);
	strcpy(text + RPMEMD_CONFIG_LINE_MAX + 1, "\n");
	ck_assert_int_eq(load_text(text), -1);
	assert_err(file_err(1, "line too long (at most 4096 bytes)"));
	free(text);
}
END_TEST

START_TEST(reload)
{
	/* getopt state is reset: a second parse sees its own argv */
	ck_assert_int_eq(load("--max-lanes", "3", NULL), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 3);
	ck_assert_int_eq(load("--max-lanes", "5", NULL), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 5);
	ck_assert_int_eq(load(NULL), 0);
	ck_assert_uint_eq(Cfg.max_lanes, 64);
}
END_TEST

START_TEST(error_buffer_bounds)
{
	struct rpmemd_config_env env = {.home = Home, .system_file = Sys,
		.user_file = Usr};
	char *argv[] = {"rpmemd", "--log-level", "way-too-loud", NULL};
	char small[16];

	memset(small, 'Z', sizeof(small));
	ck_assert_int_eq(rpmemd_config_load(&Cfg, &env, 3, argv, small,
		sizeof(small)), -1);
	ck_assert_str_eq(small, "invalid log lev");
	/* no buffer at all is fine too */
	ck_assert_int_eq(rpmemd_config_load(&Cfg, &env, 3, argv, NULL, 0),
		-1);
}
END_TEST

START_TEST(pmdk_keys)
{
	/*
	 * every key of PMDK's rpmemd.conf, each alone, with PMDK's meaning
	 * (yes/no, case-sensitive; command-line values win)
	 */
	ck_assert_int_eq(load_text("log-file = /var/log/rpmemd.log\n"), 0);
	ck_assert_str_eq(Cfg.log_file, "/var/log/rpmemd.log");
	ck_assert_int_eq(Cfg.use_syslog, 0);	/* PMDK: log-file ends it */
	ck_assert_int_eq(load_text("poolset-dir = $HOME/sets\n"), 0);
	char expect[PATH_MAX + 16];
	snprintf(expect, sizeof(expect), "%s/sets", Home);
	ck_assert_str_eq(Cfg.poolset_dir, expect);
	ck_assert_int_eq(load_text("persist-apm = yes\n"), 0);
	ck_assert_int_eq(Cfg.persist_apm, 1);
	ck_assert_int_eq(load_text("persist-general = no\n"), 0);
	ck_assert_int_eq(Cfg.persist_general, 0);
	ck_assert_int_eq(load_text("use-syslog = no\n"), 0);
	ck_assert_int_eq(Cfg.use_syslog, 0);
	ck_assert_int_eq(load_text("log-level = debug\n"), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_DBG);

	/* PMDK's values are refused with the key and value named */
	ck_assert_int_eq(load_text("use-syslog = YES\n"), -1);
	assert_err(file_err(1,
		"invalid value 'YES' for 'use-syslog' (expected yes or no)"));
	ck_assert_int_eq(load_text("log-level = error\n"), -1);
	assert_err(file_err(1, "invalid log level 'error' (expected err, "
		"warn, notice, info or debug)"));

	/*
	 * PMDK's option table doubles as its key table, yet a file key
	 * "nthreads" (or "config", "remove", ...) is EINVAL there: refused
	 * here too, by name
	 */
	ck_assert_int_eq(load_text("nthreads = 4\n"), -1);
	assert_err(file_err(1, "unknown key 'nthreads'"));
	ck_assert_int_eq(load_text("remove = x.set\n"), -1);
	assert_err(file_err(1, "unknown key 'remove'"));
}
END_TEST

START_TEST(pmdk_options)
{
	/* every rpmemd option PMDK documents, long and short forms */
	write_file(File, "log-level = warn\n");
	ck_assert_int_eq(load("-c", File, NULL), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_WARN);
	char opt[PATH_MAX + 16];
	snprintf(opt, sizeof(opt), "--config=%s", File);
	ck_assert_int_eq(load(opt, NULL), 0);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_WARN);

	ck_assert_int_eq(load("-h", NULL), 0);
	ck_assert_int_eq(Cfg.help, 1);
	ck_assert_int_eq(load("--help", NULL), 0);
	ck_assert_int_eq(Cfg.help, 1);
	ck_assert_int_eq(load("-V", NULL), 0);
	ck_assert_int_eq(Cfg.version, 1);
	ck_assert_int_eq(load("--version", NULL), 0);
	ck_assert_int_eq(Cfg.version, 1);

	ck_assert_int_eq(load("-r", "a.set", "-f", "-s", NULL), 0);
	ck_assert_str_eq(Cfg.remove, "a.set");
	ck_assert_int_eq(Cfg.force, 1);
	ck_assert_int_eq(Cfg.remove_pool_set, 1);
	ck_assert_int_eq(load("--remove=b.set", "--force", "--pool-set",
		NULL), 0);
	ck_assert_str_eq(Cfg.remove, "b.set");
	ck_assert_int_eq(Cfg.force, 1);
	ck_assert_int_eq(Cfg.remove_pool_set, 1);

	ck_assert_int_eq(load("--log-file", "/tmp/r.log", NULL), 0);
	ck_assert_str_eq(Cfg.log_file, "/tmp/r.log");
	ck_assert_int_eq(Cfg.use_syslog, 0);
	ck_assert_int_eq(load("--poolset-dir=/srv/sets", NULL), 0);
	ck_assert_str_eq(Cfg.poolset_dir, "/srv/sets");
	ck_assert_int_eq(load("--persist-apm", "--persist-general",
		"--use-syslog", "--log-level", "info", NULL), 0);
	ck_assert_int_eq(Cfg.persist_apm, 1);
	ck_assert_int_eq(Cfg.persist_general, 1);
	ck_assert_int_eq(Cfg.use_syslog, 1);
	ck_assert_int_eq(Cfg.log_level, RPMEMD_LOG_INFO);

	/* the flags take no value, as in PMDK; a missing value is named */
	ck_assert_int_eq(load("--use-syslog=no", NULL), -1);
	assert_err("option '--use-syslog' does not take an argument");
	ck_assert_int_eq(load("--persist-general=yes", NULL), -1);
	assert_err("option '--persist-general' does not take an argument");
	ck_assert_int_eq(load("-r", NULL), -1);
	assert_err("option '-r' requires an argument");
	ck_assert_int_eq(load("--poolset-dir", NULL), -1);
	assert_err("option '--poolset-dir' requires an argument");
	ck_assert_int_eq(load("--log-file", NULL), -1);
	assert_err("option '--log-file' requires an argument");
}
END_TEST

START_TEST(nthreads)
{
	/* -t/--nthreads: PMDK's worker count, accepted and validated */
	ck_assert_int_eq(load("-t", "4", NULL), 0);
	ck_assert_int_eq(Cfg.nthreads_set, 1);
	ck_assert_uint_eq(Cfg.nthreads, 4);
	ck_assert_int_eq(load("-t16", NULL), 0);
	ck_assert_uint_eq(Cfg.nthreads, 16);
	ck_assert_int_eq(load("--nthreads", "0", NULL), 0);
	ck_assert_int_eq(Cfg.nthreads_set, 1);
	ck_assert_uint_eq(Cfg.nthreads, 0);
	ck_assert_int_eq(load("--nthreads=4294967295", NULL), 0);
	ck_assert_uint_eq(Cfg.nthreads, 4294967295u);
	/* it changes nothing else: lanes are still max-lanes */
	ck_assert_uint_eq(Cfg.max_lanes, 64);
	/* with --remove too (PMDK accepts it anywhere) */
	ck_assert_int_eq(load("-r", "x.set", "-t", "2", NULL), 0);
	ck_assert_str_eq(Cfg.remove, "x.set");

	static const char *const bad[] = {"x", "-1", "+1", "", "4294967296",
		"1.5", " 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[128];
		ck_assert_int_eq(load("-t", bad[i], NULL), -1);
		snprintf(msg, sizeof(msg), "invalid value '%s' for "
			"'--nthreads' (expected 0..4294967295)", bad[i]);
		assert_err(msg);
	}
	ck_assert_int_eq(load("-t", NULL), -1);
	assert_err("option '-t' requires an argument");
	ck_assert_int_eq(load("--nthreads", NULL), -1);
	assert_err("option '--nthreads' requires an argument");
	ck_assert_ptr_nonnull(strstr(rpmemd_config_usage(), "--nthreads"));
}
END_TEST

START_TEST(part_dir)
{
	char expect[PATH_MAX + 32];

	ck_assert_int_eq(load_text("part-dir = /mnt/pmem0/\n"), 0);
	ck_assert_str_eq(Cfg.part_dir, "/mnt/pmem0");
	ck_assert_int_eq(load_text("part-dir = $HOME/parts\n"), 0);
	snprintf(expect, sizeof(expect), "%s/parts", Home);
	ck_assert_str_eq(Cfg.part_dir, expect);

	/* relative: refused, like poolset-dir (it depends on the cwd) */
	ck_assert_int_eq(load_text("part-dir = parts\n"), -1);
	assert_err(file_err(1, "part-dir must be an absolute path: 'parts'"));
	ck_assert_int_eq(load_text("part-dir =\n"), -1);
	assert_err(file_err(1, "missing value for 'part-dir'"));

	/* the command line, and it wins over the file */
	write_file(File, "part-dir = /a\n");
	ck_assert_int_eq(load("-c", File, "--part-dir", "/b", NULL), 0);
	ck_assert_str_eq(Cfg.part_dir, "/b");
	ck_assert_int_eq(load("--part-dir=/c//", NULL), 0);
	ck_assert_str_eq(Cfg.part_dir, "/c");
	ck_assert_int_eq(load("--part-dir", "rel", NULL), -1);
	assert_err("part-dir must be an absolute path: 'rel'");
	ck_assert_int_eq(load("--part-dir", NULL), -1);
	assert_err("option '--part-dir' requires an argument");
	ck_assert_ptr_nonnull(strstr(rpmemd_config_usage(), "--part-dir"));
}
END_TEST

/* config_suite -- all config tests */
static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, every_value);
	tcase_add_test(tc, comments_and_whitespace);
	tcase_add_test(tc, syntax_errors);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, service_nice);
	tcase_add_test(tc, paths);
	tcase_add_test(tc, home_expansion);
	tcase_add_test(tc, syslog_default);
	tcase_add_test(tc, search_order);
	tcase_add_test(tc, user_file_in_home);
	tcase_add_test(tc, cli_overrides_file);
	tcase_add_test(tc, cli_actions);
	tcase_add_test(tc, cli_errors);
	tcase_add_test(tc, config_file_errors);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, reload);
	tcase_add_test(tc, error_buffer_bounds);
	tcase_add_test(tc, pmdk_keys);
	tcase_add_test(tc, pmdk_options);
	tcase_add_test(tc, nthreads);
	tcase_add_test(tc, part_dir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
