/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rpmem_ddio.c -- tools/rpmem-ddio against fake sysfs trees: exit
 * status (0 off, 1 on, 2 unknown/error), the bits it prints, disable and
 * enable with read-back, finding the root port from the RDMA device
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fake_sysfs.h"

#ifndef RPMEM_DDIO_TOOL
#error "RPMEM_DDIO_TOOL (the path of rpmem-ddio) must be defined"
#endif

#define PORT "0000:16:00.0"
#define FUNC "0000:17:00.0"

static char *root;
static char out[16384];

static void
setup(void)
{
	root = fake_root();
}

static void
teardown(void)
{
	fake_rm(root);
	free(root);
}

/* tool -- run rpmem-ddio --sysfs-root <root> ARGS; output into out */
static int
tool(const char *args)
{
	char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), "'%s' --sysfs-root '%s' %s 2>&1",
		RPMEM_DDIO_TOOL, root, args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	ck_assert_msg(WIFEXITED(st), "rpmem-ddio did not exit: %s", out);
	return WEXITSTATUS(st);
}

/* has -- the output contains s */
static void
has(const char *s)
{
	ck_assert_msg(strstr(out, s) != NULL, "'%s' not in:\n%s", s, out);
}

START_TEST(query_on_off)
{
	fake_port(root, PORT, 0x8086, 0x2030, FAKE_P0_DEFAULT, FAKE_P1_DEFAULT,
		4096);
	fake_rnic(root, "mlx5_0", PORT, FUNC);

	ck_assert_int_eq(tool("--device mlx5_0 query"), 1);
	has("mlx5_0: PCI function " FUNC ", root port " PORT " (8086:2030)\n");
	has("  perfctrlsts_0 (0x180) = 0x00000080\n");
	has("    bit 7  use_allocating_flow_wr = 1  (default 1)\n");
	has("    bit 3  NoSnoopOpWrEn          = 0  (default 0)\n");
	has("    bit 8  TPHDIS                 = 0  (default 0)\n");
	has("  DDIO: on\n");

	/* query is the default operation, the port may be given directly */
	ck_assert_int_eq(tool("--port " PORT), 1);
	has("root port " PORT " (8086:2030)\n");

	ck_assert_int_eq(tool("--device mlx5_0 disable"), 0);
	has("  DDIO: off\n");
	/* what is printed after the write still names the function */
	has("mlx5_0: PCI function " FUNC ", root port " PORT " (8086:2030)\n");
	has("DDIO turned off and verified; this does not survive a reboot");
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), 0);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x184), 0x100);
	ck_assert_int_eq(tool("-d mlx5_0 query"), 0);
	has("    bit 8  TPHDIS                 = 1  (default 0)\n");

	ck_assert_int_eq(tool("--port " PORT " enable"), 1);
	has("DDIO defaults restored and verified");
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), 0x80);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x184), 0);
}
END_TEST

START_TEST(unknown)
{
	/* unprivileged view of config space: 64 bytes */
	fake_port(root, PORT, 0x8086, 0x2030, 0, 0x100, 64);
	fake_rnic(root, "mlx5_0", PORT, FUNC);
	ck_assert_int_eq(tool("--device mlx5_0"), 2);
	has("  DDIO: unknown\n");
	has("only root may read the extended config space");
	ck_assert_int_eq(tool("--device mlx5_0 disable"), 2);
	has("rpmem-ddio: not a root port whose DDIO bits are known");

	/* a later Xeon */
	fake_port(root, "0000:30:02.0", 0x8086, 0x347a, 0x80, 0, 4096);
	ck_assert_int_eq(tool("--port 0000:30:02.0 query"), 2);
	has("not a Skylake/Cascade Lake IIO port");
	ck_assert_int_eq(tool("--port 0000:30:02.0 disable"), 2);
	ck_assert_uint_eq(fake_read_cfg(root, "0000:30:02.0", 0x180), 0x80);

	ck_assert_int_eq(tool("--device nosuch0"), 2);
	has("not found in sysfs");
}
END_TEST

START_TEST(software)
{
	fake_soft_rnic(root, "rxb", "rxe");
	ck_assert_int_eq(tool("--device rxb query"), 2);
	has("  DDIO: not applicable\n");
	has("rxb is a software RDMA device");
	ck_assert_int_eq(tool("--device rxb disable"), 2);
	has("nothing to change");
}
END_TEST

START_TEST(all_devices)
{
	/* no device at all */
	ck_assert_int_eq(tool("query"), 2);
	has("no RDMA devices");

	/* one off, one on: the worst wins */
	fake_port(root, PORT, 0x8086, 0x2030, FAKE_P0_OFF, FAKE_P1_OFF, 4096);
	fake_rnic(root, "mlx5_0", PORT, FUNC);
	ck_assert_int_eq(tool(""), 0);
	fake_port(root, "0000:20:00.0", 0x8086, 0x2031, FAKE_P0_DEFAULT, 0,
		4096);
	fake_rnic(root, "mlx5_1", "0000:20:00.0", "0000:21:00.0");
	ck_assert_int_eq(tool(""), 1);
	has("mlx5_0: PCI function");
	has("mlx5_1: PCI function");
}
END_TEST

START_TEST(usage)
{
	ck_assert_int_eq(tool("--help"), 0);
	has("usage: rpmem-ddio");
	ck_assert_int_eq(tool("frobnicate"), 2);
	has("unknown operation 'frobnicate'");
	ck_assert_int_eq(tool("--device a --port " PORT), 2);
	ck_assert_int_eq(tool("query extra"), 2);
	ck_assert_int_eq(tool("--port nonsense"), 2);
	has("not a PCI function name");
}
END_TEST

static Suite *
tool_suite(void)
{
	Suite *s = suite_create("rpmem_ddio");
	TCase *tc = tcase_create("tool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, query_on_off);
	tcase_add_test(tc, unknown);
	tcase_add_test(tc, software);
	tcase_add_test(tc, all_devices);
	tcase_add_test(tc, usage);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tool_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
