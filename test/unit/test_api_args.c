/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_api_args.c -- every EINVAL path of the public API, without any
 * network: return value, errno and a message naming the culprit
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "librpmem.h"

/* expect_einval -- the last call failed with EINVAL and a message */
#define expect_einval(word) do { \
	ck_assert_int_eq(errno, EINVAL); \
	ck_assert_msg(strstr(rpmem_errormsg(), (word)) != NULL, \
		"message '%s' lacks '%s'", rpmem_errormsg(), (word)); \
	ck_assert_str_ne(rpmem_errormsg(), "Success"); \
} while (0)

static char *Pool;		/* page-aligned, 1 MiB */
static size_t Page;
#define POOL_SIZE ((size_t)1 << 20)

/* setup -- an aligned pool and an ssh that can never start */
static void
setup(void)
{
	Page = (size_t)sysconf(_SC_PAGESIZE);
	Pool = aligned_alloc(Page, POOL_SIZE);
	ck_assert_ptr_nonnull(Pool);
	/* should an argument check be missed, fail visibly, not via ssh */
	setenv("RPMEM_SSH", "/nonexistent/rpmem-test-ssh", 1);
}

/* teardown -- free the pool */
static void
teardown(void)
{
	free(Pool);
}

/* pool_call -- rpmem_create (which == 0) or rpmem_open (which == 1) */
static RPMEMpool *
pool_call(int which, const char *target, const char *name, void *addr,
		size_t size, unsigned *nlanes)
{
	struct rpmem_pool_attr attr;

	memset(&attr, 0, sizeof(attr));
	errno = 0;
	if (which == 0)
		return rpmem_create(target, name, addr, size, nlanes, &attr);
	return rpmem_open(target, name, addr, size, nlanes, &attr);
}

START_TEST(test_pool_args)
{
	char longname[300];
	unsigned nlanes = 4;
	int w = _i;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	ck_assert_ptr_null(pool_call(w, NULL, "p.set", Pool, POOL_SIZE,
		&nlanes));
	expect_einval("target");

	ck_assert_ptr_null(pool_call(w, "host", NULL, Pool, POOL_SIZE,
		&nlanes));
	expect_einval("pool_set_name");

	ck_assert_ptr_null(pool_call(w, "host", "", Pool, POOL_SIZE,
		&nlanes));
	expect_einval("pool_set_name");

	ck_assert_ptr_null(pool_call(w, "host", longname, Pool, POOL_SIZE,
		&nlanes));
	expect_einval("pool_set_name");

	/* 255 characters fit, 256 do not */
	longname[256] = '\0';
	ck_assert_ptr_null(pool_call(w, "host", longname, Pool, POOL_SIZE,
		&nlanes));
	expect_einval("pool_set_name");

	ck_assert_ptr_null(pool_call(w, "host", "p.set", NULL, POOL_SIZE,
		&nlanes));
	expect_einval("pool_addr");

	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool + 8, POOL_SIZE,
		&nlanes));
	expect_einval("pool_addr");

	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool + Page / 2,
		POOL_SIZE / 2, &nlanes));
	expect_einval("pool_addr");

	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool, 0, &nlanes));
	expect_einval("pool_size");

	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool,
		POOL_SIZE - 1, &nlanes));
	expect_einval("pool_size");

	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool, Page + 100,
		&nlanes));
	expect_einval("pool_size");

	if (Page < RPMEM_MIN_POOL) {
		ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool, Page,
			&nlanes));
		expect_einval("RPMEM_MIN_POOL");
	}

	/* NULL nlanes: EINVAL, not a crash (classic dereferenced it) */
	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool, POOL_SIZE,
		NULL));
	expect_einval("nlanes");

	nlanes = 0;
	ck_assert_ptr_null(pool_call(w, "host", "p.set", Pool, POOL_SIZE,
		&nlanes));
	expect_einval("nlanes");
	ck_assert_uint_eq(nlanes, 0);

	nlanes = 4;
	ck_assert_ptr_null(pool_call(w, "user@@host", "p.set", Pool,
		POOL_SIZE, &nlanes));
	expect_einval("target");
	ck_assert_ptr_null(pool_call(w, "", "p.set", Pool, POOL_SIZE,
		&nlanes));
	expect_einval("target");
	ck_assert_ptr_null(pool_call(w, "host:0", "p.set", Pool, POOL_SIZE,
		&nlanes));
	expect_einval("port");
	ck_assert_ptr_null(pool_call(w, "host;reboot", "p.set", Pool,
		POOL_SIZE, &nlanes));
	expect_einval("target");
	/* untouched on failure */
	ck_assert_uint_eq(nlanes, 4);
}
END_TEST

START_TEST(test_null_pool)
{
	char buf[16];

	errno = 0;
	ck_assert_int_eq(rpmem_persist(NULL, 4096, 8, 0), -1);
	expect_einval("rpp");
	errno = 0;
	ck_assert_int_eq(rpmem_persist(NULL, 0, 0, 0), -1);
	expect_einval("rpp");
	errno = 0;
	ck_assert_int_eq(rpmem_read(NULL, buf, 0, sizeof(buf), 0), -1);
	expect_einval("rpp");
	errno = 0;
	ck_assert_int_eq(rpmem_read(NULL, NULL, 0, 0, 0), -1);
	expect_einval("rpp");
	errno = 0;
	ck_assert_int_eq(rpmem_set_attr(NULL, NULL), -1);
	expect_einval("rpp");
	errno = 0;
	ck_assert_int_eq(rpmem_close(NULL), -1);
	expect_einval("rpp");
	/* API 1.2 */
	errno = 0;
	ck_assert_int_eq(rpmem_flush(NULL, 4096, 8, 0, 0), -1);
	expect_einval("rpp");
	expect_einval("rpmem_flush");
	errno = 0;
	ck_assert_int_eq(rpmem_flush(NULL, 0, 0, 0, RPMEM_FLUSH_RELAXED), -1);
	expect_einval("rpp");
	errno = 0;
	ck_assert_int_eq(rpmem_drain(NULL, 0, 0), -1);
	expect_einval("rpp");
	expect_einval("rpmem_drain");
	errno = 0;
	ck_assert_int_eq(rpmem_deep_persist(NULL, 4096, 8, 0), -1);
	expect_einval("rpp");
	expect_einval("rpmem_deep_persist");
	errno = 0;
	ck_assert_int_eq(rpmem_persist_flags(NULL, 4096, 8, 0, 0), -1);
	expect_einval("rpp");
}
END_TEST

/* the flag values of later librpmem releases, the classic 4-arg persist */
START_TEST(test_api_1_2_abi)
{
	int (*persist4)(RPMEMpool *, size_t, size_t, unsigned) =
		rpmem_persist;
	int (*flush)(RPMEMpool *, size_t, size_t, unsigned, unsigned) =
		rpmem_flush;
	int (*drain)(RPMEMpool *, unsigned, unsigned) = rpmem_drain;
	int (*deep)(RPMEMpool *, size_t, size_t, unsigned) =
		rpmem_deep_persist;

	ck_assert_uint_eq(RPMEM_FLUSH_RELAXED, 1U << 0);
	ck_assert_uint_eq(RPMEM_PERSIST_RELAXED, 1U << 0);
	ck_assert_ptr_nonnull(persist4);
	ck_assert_ptr_nonnull(flush);
	ck_assert_ptr_nonnull(drain);
	ck_assert_ptr_nonnull(deep);
	/* NULL is checked first, before flags, as for every call */
	errno = 0;
	ck_assert_int_eq(persist4(NULL, 4096, 8, 0), -1);
	expect_einval("rpp");
}
END_TEST

START_TEST(test_remove_args)
{
	char longname[300];

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	errno = 0;
	ck_assert_int_eq(rpmem_remove(NULL, "p.set", 0), -1);
	expect_einval("target");
	errno = 0;
	ck_assert_int_eq(rpmem_remove("host", NULL, 0), -1);
	expect_einval("pool_set");
	errno = 0;
	ck_assert_int_eq(rpmem_remove("host", "", 0), -1);
	expect_einval("pool_set");
	errno = 0;
	ck_assert_int_eq(rpmem_remove("host", longname, 0), -1);
	expect_einval("pool_set");

	static const int bad_flags[] = {0x4, 0x8, 0x7, 0x100, -1,
		(int)0x80000000u};
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]);
	    i++) {
		errno = 0;
		ck_assert_int_eq(rpmem_remove("host", "p.set", bad_flags[i]),
			-1);
		expect_einval("flags");
	}
	errno = 0;
	ck_assert_int_eq(rpmem_remove("a@@b", "p.set", RPMEM_REMOVE_FORCE),
		-1);
	expect_einval("target");
	errno = 0;
	ck_assert_int_eq(rpmem_remove("host:65536", "p.set", 0), -1);
	expect_einval("port");
}
END_TEST

START_TEST(test_check_version)
{
	const char *msg;

	ck_assert_ptr_null(rpmem_check_version(1, 0));
	ck_assert_ptr_null(rpmem_check_version(1, 1));
	/* 1.2: rpmem_flush, rpmem_drain, rpmem_deep_persist */
	ck_assert_uint_eq(RPMEM_MINOR_VERSION, 2);
	ck_assert_ptr_null(rpmem_check_version(1, 2));
	ck_assert_ptr_null(rpmem_check_version(RPMEM_MAJOR_VERSION,
		RPMEM_MINOR_VERSION));

	msg = rpmem_check_version(1, 3);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "minor"));
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), "1.3"));

	msg = rpmem_check_version(0, 0);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "major"));

	msg = rpmem_check_version(2, 0);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "major"));
	ck_assert_ptr_nonnull(strstr(msg, "1.2"));

	msg = rpmem_check_version(1, 4);
	ck_assert_ptr_nonnull(msg);
	/* a static string: the same pointer every time */
	ck_assert_ptr_eq(msg, rpmem_check_version(1, 99));
}
END_TEST

START_TEST(test_errormsg_names_function)
{
	unsigned nlanes = 1;

	ck_assert_ptr_nonnull(rpmem_errormsg());
	ck_assert_ptr_null(rpmem_create("host", "p.set", Pool, POOL_SIZE,
		NULL, NULL));
	ck_assert(strlen(rpmem_errormsg()) > 0);
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), "rpmem_create"));
	ck_assert_ptr_null(rpmem_open("host", "p.set", NULL, POOL_SIZE,
		&nlanes, NULL));
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), "rpmem_open"));
}
END_TEST

/*
 * the classic environment: a refusal is errno + message before anything
 * starts; a variable that only tunes is no refusal (RPMEM_SSH cannot
 * start, so a call that got past the checks ends in ENOENT from it)
 */
START_TEST(test_env_refusals)
{
	unsigned nlanes = 1;
	int w = _i;

	/* no provider: ENOMEDIUM, PMDK's "cannot find provider" */
	setenv("RPMEM_ENABLE_VERBS", "0", 1);
	ck_assert_ptr_null(pool_call(w, "127.0.0.1", "p.set", Pool,
		POOL_SIZE, &nlanes));
	ck_assert_int_eq(errno, ENOMEDIUM);
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(),
		"cannot find provider"));
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), w == 0 ?
		"rpmem_create" : "rpmem_open"));
	/* argument errors first */
	ck_assert_ptr_null(pool_call(w, "127.0.0.1", "p.set", Pool,
		POOL_SIZE, NULL));
	expect_einval("nlanes");
	/* remove runs no RDMA: not refused, it gets to ssh */
	errno = 0;
	ck_assert_int_eq(rpmem_remove("127.0.0.1", "p.set", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	unsetenv("RPMEM_ENABLE_VERBS");

	/* sockets alone: verbs is still used (PMDK prefers it) */
	setenv("RPMEM_ENABLE_SOCKETS", "1", 1);
	ck_assert_ptr_null(pool_call(w, "127.0.0.1", "p.set", Pool,
		POOL_SIZE, &nlanes));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), "rpmem-test-ssh"));
	unsetenv("RPMEM_ENABLE_SOCKETS");

	/* an RPMEM_CMD with an empty command */
	setenv("RPMEM_CMD", "rpmemd||rpmemd", 1);
	ck_assert_ptr_null(pool_call(w, "127.0.0.1", "p.set", Pool,
		POOL_SIZE, &nlanes));
	expect_einval("RPMEM_CMD");
	unsetenv("RPMEM_CMD");

	/* invalid tuning values are warned about and ignored */
	setenv("RPMEM_MAX_NLANES", "many", 1);
	setenv("RPMEM_WORK_QUEUE_SIZE", "-3", 1);
	setenv("RPMEM_LOG_LEVEL", "loud", 1);
	ck_assert_ptr_null(pool_call(w, "127.0.0.1", "p.set", Pool,
		POOL_SIZE, &nlanes));
	ck_assert_int_eq(errno, ENOENT);
	unsetenv("RPMEM_MAX_NLANES");
	unsetenv("RPMEM_WORK_QUEUE_SIZE");
	unsetenv("RPMEM_LOG_LEVEL");
	/* untouched on failure */
	ck_assert_uint_eq(nlanes, 1);
}
END_TEST

/* api_args_suite -- every test of this file */
static Suite *
api_args_suite(void)
{
	Suite *s = suite_create("api_args");
	TCase *tc = tcase_create("args");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_pool_args, 0, 2);
	tcase_add_test(tc, test_null_pool);
	tcase_add_test(tc, test_api_1_2_abi);
	tcase_add_test(tc, test_remove_args);
	tcase_add_test(tc, test_check_version);
	tcase_add_test(tc, test_errormsg_names_function);
	tcase_add_loop_test(tc, test_env_refusals, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(api_args_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
