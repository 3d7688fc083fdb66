/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rdma_spin.c -- the daemon's spin window per lane (rdma_spin.h):
 * at least the minimum after a request; twice the lane's recent request
 * gap while the lane is busy, widened by one slow round trip at once (what
 * keeps the GPSPM loop out of its two-wake-ups-per-request mode) and
 * narrowed slowly; an idle lane, or max 0, gets the minimum.  And what
 * counts as a busy lane for the service thread's priority.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "rdma_spin.h"

#define US 1000ull
#define MS 1000000ull

static const struct rpmemd_spin_cfg Cfg = { 200 * US, 10 * MS };

START_TEST(first_request_gets_minimum)
{
	struct rpmemd_spin_lane l = { 0, 0 };

	ck_assert_uint_eq(rpmemd_spin_request(&Cfg, &l, 5 * MS),
		5 * MS + 200 * US);
	ck_assert_uint_eq(l.last_ns, 5 * MS);
	ck_assert_uint_eq(l.gap_ns, 0);
}
END_TEST

START_TEST(fast_loop_stays_at_minimum)
{
	struct rpmemd_spin_lane l = { 0, 0 };
	uint64_t t = 1 * MS, until = 0;

	for (int i = 0; i < 100; i++, t += 60 * US)
		until = rpmemd_spin_request(&Cfg, &l, t);
	ck_assert_uint_eq(l.gap_ns, 60 * US);
	/* 2 x 60 us is less than the minimum */
	ck_assert_uint_eq(until, t - 60 * US + 200 * US);
}
END_TEST

START_TEST(one_slow_round_trip_widens_at_once)
{
	struct rpmemd_spin_lane l = { 0, 0 };
	uint64_t t = 1 * MS;

	for (int i = 0; i < 10; i++, t += 60 * US)
		(void) rpmemd_spin_request(&Cfg, &l, t);
	t += 3 * MS;	/* both sides paid a wake-up */
	ck_assert_uint_eq(rpmemd_spin_request(&Cfg, &l, t),
		t + 2 * (3 * MS + 60 * US));
	/* fast again: the window shrinks by an eighth of the difference */
	uint64_t gap = l.gap_ns;
	(void) rpmemd_spin_request(&Cfg, &l, t + 60 * US);
	ck_assert_uint_eq(l.gap_ns, gap - (gap - 60 * US) / 8);
	ck_assert_uint_gt(rpmemd_spin_window(&Cfg, &l), 2 * MS);
}
END_TEST

START_TEST(idle_lane_gets_minimum)
{
	struct rpmemd_spin_lane l = { 0, 0 };

	(void) rpmemd_spin_request(&Cfg, &l, 1 * MS);
	(void) rpmemd_spin_request(&Cfg, &l, 2 * MS);
	ck_assert_uint_eq(rpmemd_spin_window(&Cfg, &l), 2 * MS);
	/* more than max / 2 apart: not worth a spinning CPU */
	ck_assert_uint_eq(rpmemd_spin_request(&Cfg, &l, 8 * MS),
		8 * MS + 200 * US);
	ck_assert_uint_eq(l.gap_ns, 0);
	/* exactly max / 2 still counts as busy: the window is max */
	ck_assert_uint_eq(rpmemd_spin_request(&Cfg, &l, 13 * MS), 23 * MS);
}
END_TEST

START_TEST(max_zero_is_fixed_window)
{
	const struct rpmemd_spin_cfg fixed = { 200 * US, 0 };
	struct rpmemd_spin_lane l = { 0, 0 };

	(void) rpmemd_spin_request(&fixed, &l, 1 * MS);
	ck_assert_uint_eq(rpmemd_spin_request(&fixed, &l, 1 * MS + 50 * US),
		1 * MS + 250 * US);
	ck_assert_uint_eq(rpmemd_spin_request(&fixed, &l, 4 * MS),
		4 * MS + 200 * US);
}
END_TEST

START_TEST(clock_going_back_resets)
{
	struct rpmemd_spin_lane l = { 5 * MS, 1 * MS };

	ck_assert_uint_eq(rpmemd_spin_request(&Cfg, &l, 4 * MS),
		4 * MS + 200 * US);
	ck_assert_uint_eq(l.gap_ns, 0);
}
END_TEST

/* busy: a request less than RPMEMD_SPIN_BUSY_NS ago, and none -> idle */
START_TEST(busy_lane)
{
	struct rpmemd_spin_lane l = { 0, 0 };

	ck_assert_int_eq(rpmemd_spin_busy(&l, 1 * MS), 0);
	(void) rpmemd_spin_request(&Cfg, &l, 100 * MS);
	ck_assert_int_eq(rpmemd_spin_busy(&l, 100 * MS), 1);
	ck_assert_int_eq(rpmemd_spin_busy(&l,
		100 * MS + RPMEMD_SPIN_BUSY_NS - 1), 1);
	ck_assert_int_eq(rpmemd_spin_busy(&l,
		100 * MS + RPMEMD_SPIN_BUSY_NS), 0);
	/* a clock behind the request (another CPU's read): not busy */
	ck_assert_int_eq(rpmemd_spin_busy(&l, 99 * MS), 0);
}
END_TEST

static Suite *
spin_suite(void)
{
	Suite *s = suite_create("rdma_spin");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, first_request_gets_minimum);
	tcase_add_test(tc, busy_lane);
	tcase_add_test(tc, fast_loop_stays_at_minimum);
	tcase_add_test(tc, one_slow_round_trip_widens_at_once);
	tcase_add_test(tc, idle_lane_gets_minimum);
	tcase_add_test(tc, max_zero_is_fixed_window);
	tcase_add_test(tc, clock_going_back_resets);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spin_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
