/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lane_spin.c -- the client lane's spin window (lane_spin.h): the
 * minimum while waits are short; after one slow wait (a wake-up) twice
 * that wait at once, so the next wait spins through it instead of
 * sleeping again; narrowed slowly; never above the bound, and back to the
 * minimum after a wait no spin would catch (a large transfer) or with no
 * bound configured.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "lane_spin.h"

#define US 1000ull
#define MS 1000000ull

#define MIN (100 * US)	/* RPMEM_SPIN_US default */
#define MAX (10 * MS)	/* RPMEM_SPIN_MAX_US default */

START_TEST(short_waits_keep_the_minimum)
{
	uint64_t r = 0;

	for (int i = 0; i < 100; i++)
		r = rpmem_spin_learn(r, 30 * US, MAX);
	ck_assert_uint_eq(r, 30 * US);
	ck_assert_uint_eq(rpmem_spin_window(r, MIN, MAX), MIN);
	ck_assert_uint_eq(rpmem_spin_window(0, MIN, MAX), MIN);
}
END_TEST

START_TEST(one_slow_wait_widens_at_once)
{
	uint64_t r = rpmem_spin_learn(30 * US, 2 * MS, MAX);

	ck_assert_uint_eq(r, 2 * MS);
	ck_assert_uint_eq(rpmem_spin_window(r, MIN, MAX), 4 * MS);
	/* capped at the bound */
	r = rpmem_spin_learn(r, 4 * MS, MAX);
	ck_assert_uint_eq(rpmem_spin_window(r, MIN, MAX), 8 * MS);
	r = rpmem_spin_learn(r, 5 * MS, MAX);
	ck_assert_uint_eq(rpmem_spin_window(r, MIN, MAX), MAX);
	ck_assert_uint_eq(rpmem_spin_window(r, MIN, 6 * MS), 6 * MS);
}
END_TEST

START_TEST(narrows_by_an_eighth)
{
	uint64_t r = 2 * MS;
	int n = 0;

	r = rpmem_spin_learn(r, 400 * US, MAX);
	ck_assert_uint_eq(r, 2 * MS - (1600 * US) / 8);
	/* back under the minimum's half after a bounded number of waits */
	while (rpmem_spin_window(r, MIN, MAX) > MIN && n < 1000) {
		r = rpmem_spin_learn(r, 40 * US, MAX);
		n++;
	}
	ck_assert_int_gt(n, 8);
	ck_assert_int_lt(n, 60);
}
END_TEST

START_TEST(large_transfer_resets)
{
	uint64_t r = rpmem_spin_learn(3 * MS, 5 * MS + 1, MAX);

	ck_assert_uint_eq(r, 0);
	ck_assert_uint_eq(rpmem_spin_window(r, MIN, MAX), MIN);
	/* exactly half the bound still counts as a wait to spin for */
	ck_assert_uint_eq(rpmem_spin_learn(0, 5 * MS, MAX), 5 * MS);
}
END_TEST

START_TEST(no_bound_is_fixed_window)
{
	/* RPMEM_SPIN_MAX_US=0 or below RPMEM_SPIN_US: the fixed window */
	ck_assert_uint_eq(rpmem_spin_learn(0, 2 * MS, 0), 0);
	ck_assert_uint_eq(rpmem_spin_window(5 * MS, MIN, 0), MIN);
	ck_assert_uint_eq(rpmem_spin_window(5 * MS, MIN, MIN / 2), MIN);
	/* RPMEM_SPIN_US=0 with a bound: only what the lane learnt */
	ck_assert_uint_eq(rpmem_spin_window(0, 0, MAX), 0);
	ck_assert_uint_eq(rpmem_spin_window(50 * US, 0, MAX), 100 * US);
}
END_TEST

static Suite *
spin_suite(void)
{
	Suite *s = suite_create("lane_spin");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, short_waits_keep_the_minimum);
	tcase_add_test(tc, one_slow_wait_widens_at_once);
	tcase_add_test(tc, narrows_by_an_eighth);
	tcase_add_test(tc, large_transfer_resets);
	tcase_add_test(tc, no_bound_is_fixed_window);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spin_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
