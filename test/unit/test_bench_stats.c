/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_bench_stats.c -- the tools' shared latency summary (nearest-rank
 * percentiles, tools/bench_stats.c) and rpmem-bench's CSV / JSON writers
 * (tools/bench_report.c): the numbers and rows the comparisons rest on;
 * the tools' size arguments (tools/bench_args.c)
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_args.h"
#include "bench_report.h"
#include "bench_stats.h"

/* sizes: binary units, every spelling the tools document; junk refused */
START_TEST(parse_sizes)
{
	static const struct { const char *s; size_t v; } good[] = {
		{ "1", 1 }, { "64", 64 }, { "4K", 4096 }, { "4k", 4096 },
		{ "4KiB", 4096 }, { "4KB", 4096 }, { "1M", 1 << 20 },
		{ "2MiB", 2 << 20 }, { "1G", 1ul << 30 }, { "10B", 10 },
	};
	static const char *bad[] = { "", "0", "0K", "-1", "K", "4X", "4K ",
		"4iB", "1.5M", "18446744073709551616",
		"17179869184G", " 4K", " -5", "+5" };
	size_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		ck_assert_msg(bench_parse_size(good[i].s, &v) == 0 &&
			v == good[i].v, "'%s' -> %zu", good[i].s, v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		ck_assert_msg(bench_parse_size(bad[i], &v) == -1 &&
			v == 12345, "'%s' accepted (%zu)", bad[i], v);
	}
}
END_TEST

/* counts: digits only, a bound, no sign or blank for strtoull to take */
START_TEST(parse_counts)
{
	uint64_t v;

	ck_assert_int_eq(bench_parse_count("0", 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(bench_parse_count("10", 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(bench_parse_count("18446744073709551615", UINT64_MAX,
		&v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	static const char *bad[] = { "", "11", "-1", " -1", " 5", "+5", "5 ",
		"10abc", "18446744073709551616" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		ck_assert_msg(bench_parse_count(bad[i], 10, &v) == -1 &&
			v == 12345, "'%s' accepted (%llu)", bad[i],
			(unsigned long long)v);
	}
}
END_TEST

/* no sample: NaN everywhere, nothing read */
START_TEST(summary_of_none)
{
	uint64_t none[1] = { 7 };
	struct lat_summary l;

	lat_summarize(none, 0, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert(isnan(l.min) && isnan(l.p50) && isnan(l.p99) &&
		isnan(l.p999) && isnan(l.max) && isnan(l.mean));
	ck_assert(isnan(lat_pct(none, 0, 0.5)));
}
END_TEST

/* 1..100 us in a scrambled order: sorting is part of the contract */
START_TEST(summary_of_1_to_100)
{
	uint64_t s[100];
	struct lat_summary l;

	for (unsigned i = 0; i < 100; i++)
		s[i] = (uint64_t)((i * 37) % 100 + 1) * 1000;
	lat_summarize(s, 100, &l);
	ck_assert_uint_eq(l.n, 100);
	ck_assert_double_eq(l.min, 1.0);
	ck_assert_double_eq(l.p50, 50.0);	/* rank ceil(50) = 50 */
	ck_assert_double_eq(l.p99, 99.0);
	ck_assert_double_eq(l.p999, 100.0);	/* rank ceil(99.9) = 100 */
	ck_assert_double_eq(l.max, 100.0);
	ck_assert_double_eq_tol(l.mean, 50.5, 1e-9);
	for (unsigned i = 1; i < 100; i++)
		ck_assert_uint_le(s[i - 1], s[i]);
}
END_TEST

/* one sample: every percentile is that sample */
START_TEST(summary_of_one)
{
	uint64_t s[1] = { 2500 };
	struct lat_summary l;

	lat_summarize(s, 1, &l);
	ck_assert_double_eq(l.min, 2.5);
	ck_assert_double_eq(l.p50, 2.5);
	ck_assert_double_eq(l.p999, 2.5);
	ck_assert_double_eq(l.max, 2.5);
}
END_TEST

/* nearest rank never interpolates, and q outside (0, 1] is clamped */
START_TEST(pct_ranks)
{
	const uint64_t s[4] = { 1000, 2000, 3000, 4000 };

	ck_assert_double_eq(lat_pct(s, 4, 0.5), 2.0);
	ck_assert_double_eq(lat_pct(s, 4, 0.51), 3.0);
	ck_assert_double_eq(lat_pct(s, 4, 0.0), 1.0);
	ck_assert_double_eq(lat_pct(s, 4, 2.0), 4.0);
}
END_TEST

/* slurp -- a whole small file as a string (freed by the caller) */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(buf);
	size_t n = fread(buf, 1, 65535, f);
	ck_assert_uint_gt(n, 0);
	fclose(f);
	return buf;
}

static const struct bench_result Rows[2] = {
	{ "persist", "seq", 64, 1, { 10, 1.5, 2.0, 3.0, 3.5, 4.0, 2.25 },
		0.5, 0.001, 20.0 },
	{ "read", "rand", 4096, 2, { 20, 5.0, 6.0, 7.0, 7.5, 8.0, 6.25 },
		1.0, 0.078, 20.0 },
};

START_TEST(csv_rows)
{
	char path[] = "/tmp/test_bench_stats.XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(report_csv(path, Rows, 2), 0);
	char *t = slurp(path);
	ck_assert_ptr_nonnull(strstr(t, "op,pattern,lanes,size,n,min_us,"
		"p50_us,p99_us,p999_us,max_us,mean_us,seconds,mib_s,ops_s\n"));
	ck_assert_ptr_nonnull(strstr(t, "\npersist,seq,1,64,10,1.500,2.000,"
		"3.000,3.500,4.000,2.250,0.500000,0.001,20.0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nread,rand,2,4096,20,5.000,"));
	free(t);
	unlink(path);
	/* a directory that does not exist: -1, not a crash */
	ck_assert_int_eq(report_csv("/nonexistent-dir/x.csv", Rows, 2), -1);
}
END_TEST

/*
 * the plot (gnuplot, installed by tools/setup-deps): a flush-only sweep
 * draws (the persist/read curves would be empty blocks), and a file name
 * with quotes is a name, not gnuplot commands
 */
START_TEST(plot_flush_quoted)
{
	static const struct bench_result rows[] = {
		{ "flush", "seq", 64, 1, { .n = 10, .min = 1, .p50 = 2,
			.p99 = 3, .p999 = 3, .max = 4, .mean = 2 }, 0.5, 1, 2 },
		{ "flush", "seq", 4096, 1, { .n = 10, .min = 5, .p50 = 6,
			.p99 = 7, .p999 = 7, .max = 8, .mean = 6 }, 0.5, 9, 9 },
		{ "flush", "seq", 64, 2, { .n = 10, .min = 1, .p50 = 2,
			.p99 = 3, .p999 = 3, .max = 4, .mean = 2 }, 0.5, 2, 4 },
	};
	char dir[] = "/tmp/test_bench_plot.XXXXXX";
	char path[128], inj[512], gone[128];
	uint8_t magic[4] = {0};
	struct bench_info h;

	ck_assert_msg(system("command -v gnuplot >/dev/null") == 0,
		"gnuplot is missing (tools/setup-deps installs gnuplot-nox)");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&h, 0, sizeof(h));
	snprintf(h.device, sizeof(h.device), "rxe0 'soft' \"roce\"");
	h.method = "GPSPM";
	snprintf(path, sizeof(path), "%s/it's.png", dir);
	ck_assert_int_eq(report_plot(path, &h, rows, 3, "flush", "seq"), 0);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(magic, 1, 4, f), 4);
	fclose(f);
	ck_assert_mem_eq(magic, "\x89PNG", 4);

	snprintf(gone, sizeof(gone), "%s/injected", dir);
	snprintf(inj, sizeof(inj), "%s/a.png'; system 'touch %s'; set output "
		"'%s/b.png", dir, gone, dir);
	report_plot(inj, &h, rows, 3, "flush", "seq");
	ck_assert_int_eq(access(gone, F_OK), -1);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* JSON: strings escaped, every result present */
START_TEST(json_escapes)
{
	char path[] = "/tmp/test_bench_stats.XXXXXX";
	int fd = mkstemp(path);
	struct bench_info h;

	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(&h, 0, sizeof(h));
	h.version = "1.0";
	h.build_type = "Release";
	h.target = "root@10.0.0.2";
	h.poolset = "a \"quoted\"\\set";
	h.method = "APM";
	h.spin_us = "default";
	snprintf(h.reason, sizeof(h.reason), "line1\nline2");
	ck_assert_int_eq(report_json(path, &h, Rows, 2), 0);
	char *t = slurp(path);
	ck_assert_ptr_nonnull(strstr(t,
		"\"poolset\": \"a \\\"quoted\\\"\\\\set\""));
	ck_assert_ptr_nonnull(strstr(t,
		"\"persist_reason\": \"line1\\u000aline2\""));
	ck_assert_ptr_nonnull(strstr(t, "{\"op\": \"persist\", "
		"\"pattern\": \"seq\", \"lanes\": 1, \"size\": 64, \"n\": 10"));
	ck_assert_ptr_nonnull(strstr(t, "{\"op\": \"read\", "));
	free(t);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bench_stats");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, parse_counts);
	tcase_add_test(tc, plot_flush_quoted);
	tcase_add_test(tc, summary_of_none);
	tcase_add_test(tc, summary_of_1_to_100);
	tcase_add_test(tc, summary_of_one);
	tcase_add_test(tc, pct_ranks);
	tcase_add_test(tc, csv_rows);
	tcase_add_test(tc, json_escapes);
	tcase_add_test(tc, parse_sizes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
