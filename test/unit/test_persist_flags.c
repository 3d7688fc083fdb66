/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_persist_flags.c -- code written for the later five-argument
 * rpmem_persist(rpp, offset, length, lane, flags) builds against
 * librpmem.h with RPMEM_PERSIST_FLAGS defined, and its calls reach
 * rpmem_persist_flags (test_api_args.c builds the classic four-argument
 * form of the same header)
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RPMEM_PERSIST_FLAGS 1
#include "librpmem.h"

START_TEST(test_five_args)
{
	errno = 0;
	/* five arguments: a four-argument call would not compile here */
	ck_assert_int_eq(rpmem_persist(NULL, 4096, 8, 0,
		RPMEM_PERSIST_RELAXED), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), "rpmem_persist"));
	ck_assert_ptr_nonnull(strstr(rpmem_errormsg(), "rpp"));
	errno = 0;
	ck_assert_int_eq(rpmem_persist(NULL, 4096, 8, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* the macro is function-like: the 1.1 symbol is still there */
	ck_assert_ptr_nonnull((void *)(uintptr_t)&rpmem_persist);
	ck_assert_ptr_nonnull((void *)(uintptr_t)&rpmem_persist_flags);
}
END_TEST

/* main -- run the suite */
int
main(void)
{
	Suite *s = suite_create("persist_flags");
	TCase *tc = tcase_create("macro");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_five_args);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
