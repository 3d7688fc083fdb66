/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_persist_policy.c -- the persist-method decision table and the
 * reason text sent to the client
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "persist_policy.h"

/* decide -- run the policy on one input row */
static int
decide(bool apm, bool general, int is_pmem, struct rpmemd_pm_decision *out)
{
	struct rpmemd_pm_input in = {
		.persist_apm = apm,
		.persist_general = general,
		.is_pmem = is_pmem,
		.device = "rxe0",
		.ddio = RPMEMD_DDIO_CHECK,
	};
	memset(out, 0x55, sizeof(*out));
	return rpmemd_persist_policy(&in, out);
}

START_TEST(table)
{
	struct rpmemd_pm_decision d;

	ck_assert_int_eq(decide(true, true, 1, &d), RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_str_eq(d.reason, "persist-apm enabled and the pool is on "
		"persistent memory");

	ck_assert_int_eq(decide(true, true, 0, &d), RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "pool is not on persistent memory");

	ck_assert_int_eq(decide(false, true, 1, &d), RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason,
		"persist-apm not enabled in the configuration");

	ck_assert_int_eq(decide(false, true, 0, &d), RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason,
		"persist-apm not enabled in the configuration");

	/* persist-general=no forbids the fallback */
	ck_assert_int_eq(decide(true, false, 1, &d), RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_int_eq(decide(true, false, 0, &d), RPMEM_ST_NOSUPP);
	ck_assert_uint_eq(d.method, 0);
	ck_assert_str_eq(d.reason, "no persist method allowed: "
		"persist-general is disabled and APM is not possible (pool is "
		"not on persistent memory)");
	ck_assert_int_eq(decide(false, false, 1, &d), RPMEM_ST_NOSUPP);
	ck_assert_str_eq(d.reason, "no persist method allowed: "
		"persist-general is disabled and APM is not possible "
		"(persist-apm not enabled in the configuration)");
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_NOSUPP), EOPNOTSUPP);
}
END_TEST

START_TEST(log_block)
{
	struct rpmemd_pm_input in = {.persist_apm = true, .is_pmem = 1};
	struct rpmemd_pm_decision d;

	/* a NULL device and a failed decision still log sensibly */
	rpmemd_persist_policy(&in, &d);
	rpmemd_persist_policy_log(&in, &d);
	memset(&d, 0, sizeof(d));
	rpmemd_persist_policy_log(&in, &d);
}
END_TEST

/* policy_suite -- all policy tests */
static Suite *
policy_suite(void)
{
	Suite *s = suite_create("persist_policy");
	TCase *tc = tcase_create("persist_policy");

	tcase_add_test(tc, table);
	tcase_add_test(tc, log_block);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(policy_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
