/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_persist_policy.c -- the persist-method decision: the table on
 * synthetic inputs, and the platform probe (DDIO, eADR, ddio = disable) on
 * fake sysfs trees: Cascade Lake DDIO on / off / partly off, unreadable
 * config space, other vendors and later Xeons, no PCI parent (rxe), rxe
 * on a PCI NIC (node_desc, then the verbs vendor id), eADR,
 * a pool that is not pmem
 */
#define _GNU_SOURCE	/* nftw (unit_fs.h) */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ddio.h"
#include "fake_sysfs.h"
#include "persist_policy.h"
#include "unit_fs.h"

#define PORT "0000:16:00.0"
#define FUNC "0000:17:00.0"
#define DEV "mlx5_0"

static char *root;
static uint32_t Vendor;		/* run()'s device: its verbs vendor id */

static void
setup(void)
{
	Vendor = 0;
	root = fake_root();
}

static void
teardown(void)
{
	fake_rm(root);
	free(root);
}

/* cascade_lake -- mlx5_0 behind a Cascade Lake root port */
static void
cascade_lake(uint32_t p0, uint32_t p1)
{
	fake_port(root, PORT, 0x8086, 0x2030, p0, p1, 4096);
	fake_rnic(root, DEV, PORT, FUNC);
}

/* run -- probe the fake tree, then decide; returns the status */
static int
run(bool apm, bool general, int is_pmem, enum rpmemd_ddio mode,
		const char *dev, struct rpmemd_pm_platform *plat,
		struct rpmemd_pm_decision *out)
{
	struct rpmemd_pm_input in = {
		.persist_apm = apm,
		.persist_general = general,
		.is_pmem = is_pmem,
		.device = dev,
		.ddio = mode,
		.plat = plat,
	};
	rpmemd_persist_probe(root, mode, dev, Vendor, apm && is_pmem, plat);
	memset(out, 0x55, sizeof(*out));
	int st = rpmemd_persist_policy(&in, out);
	rpmemd_persist_policy_log(&in, out);
	return st;
}

/* ---- the table on synthetic inputs ------------------------------------ */

/* decide -- one row with a given platform (NULL: not probed) */
static int
decide(bool apm, bool general, int is_pmem, enum rpmemd_ddio mode,
		const struct rpmemd_pm_platform *plat,
		struct rpmemd_pm_decision *out)
{
	struct rpmemd_pm_input in = {
		.persist_apm = apm,
		.persist_general = general,
		.is_pmem = is_pmem,
		.device = "rxe0",
		.ddio = mode,
		.plat = plat,
	};
	memset(out, 0x55, sizeof(*out));
	return rpmemd_persist_policy(&in, out);
}

START_TEST(table_config)
{
	struct rpmemd_pm_decision d;
	struct rpmemd_pm_platform off;

	memset(&off, 0, sizeof(off));
	off.rnic.state = RPMEMD_DDIO_ST_OFF;
	strcpy(off.rnic.port, PORT);

	ck_assert_int_eq(decide(true, true, 1, RPMEMD_DDIO_CHECK, &off, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_str_eq(d.reason, "pool is on persistent memory and DDIO is "
		"verified off on root port 0000:16:00.0 of rxe0");

	ck_assert_int_eq(decide(true, true, 0, RPMEMD_DDIO_CHECK, &off, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "pool is not on persistent memory");

	ck_assert_int_eq(decide(false, true, 1, RPMEMD_DDIO_IGNORE, &off, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason,
		"persist-apm not enabled in the configuration");

	/* not probed: nothing proves DDIO is off */
	ck_assert_int_eq(decide(true, true, 1, RPMEMD_DDIO_CHECK, NULL, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "DDIO state unknown: the platform was not "
		"probed");
	/* ... unless the administrator attests it */
	ck_assert_int_eq(decide(true, true, 1, RPMEMD_DDIO_IGNORE, NULL, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_ptr_nonnull(strstr(d.reason, "ddio = ignore"));

	/* persist-general=no forbids the fallback */
	ck_assert_int_eq(decide(true, false, 1, RPMEMD_DDIO_CHECK, &off, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_int_eq(decide(true, false, 0, RPMEMD_DDIO_CHECK, &off, &d),
		RPMEM_ST_NOSUPP);
	ck_assert_uint_eq(d.method, 0);
	ck_assert_str_eq(d.reason, "no persist method allowed: "
		"persist-general is disabled and APM is not possible (pool is "
		"not on persistent memory)");
	ck_assert_int_eq(decide(false, false, 1, RPMEMD_DDIO_CHECK, &off, &d),
		RPMEM_ST_NOSUPP);
	ck_assert_str_eq(d.reason, "no persist method allowed: "
		"persist-general is disabled and APM is not possible "
		"(persist-apm not enabled in the configuration)");
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_NOSUPP), EOPNOTSUPP);
}
END_TEST

/* ---- fake trees -------------------------------------------------------- */

START_TEST(ddio_on)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;

	cascade_lake(FAKE_P0_DEFAULT, FAKE_P1_DEFAULT);
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d),
		RPMEM_ST_OK);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_ON);
	ck_assert(!p.rnic.software);
	ck_assert_str_eq(p.rnic.func, FUNC);
	ck_assert_str_eq(p.rnic.port, PORT);
	ck_assert_uint_eq(p.rnic.vendor, 0x8086);
	ck_assert_uint_eq(p.rnic.devid, 0x2030);
	ck_assert(p.rnic.regs_valid);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "DDIO on at root port "
		PORT ": use_allocating_flow_wr=1 NoSnoopOpWrEn=0 TPHDIS=0"));
	ck_assert_int_eq(p.eadr, 0);
	ck_assert_str_eq(p.action, "");
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "DDIO is on at root port " PORT " of "
		DEV " (ddio = check)");
}
END_TEST

START_TEST(ddio_off)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;

	cascade_lake(FAKE_P0_OFF, FAKE_P1_OFF);
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d),
		RPMEM_ST_OK);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_OFF);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_str_eq(d.reason, "pool is on persistent memory and DDIO is "
		"verified off on root port " PORT " of " DEV);

	/* ... but persist-apm = no still means GPSPM */
	ck_assert_int_eq(run(false, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
}
END_TEST

START_TEST(ddio_partly_off)
{
	static const struct {
		uint32_t p0, p1;
	} rows[] = {
		{0x00, 0x000},		/* allocating off, TPH not disabled */
		{0x88, 0x100},		/* TPH disabled, allocating on */
		{0x08, 0x100},		/* no-snoop writes allowed */
		{0x80, 0x200},		/* bit 9 is not TPHDIS */
	};
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;

	fake_rnic(root, DEV, PORT, FUNC);
	fake_port(root, PORT, 0x8086, 0x2032, 0, 0, 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[PATH_MAX];
		unsigned char cfg[0x188] = {0};

		fake_le32(cfg + 0x180, rows[i].p0);
		fake_le32(cfg + 0x184, rows[i].p1);
		snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/" PORT
			"/config", root);
		fake_write(path, cfg, sizeof(cfg));
		ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_CHECK, DEV,
			&p, &d), RPMEM_ST_OK);
		ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_ON);
		ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
		/* the last row is plain "on": bit 9 changes nothing */
		ck_assert_ptr_nonnull(strstr(p.rnic.detail, i < 3 ?
			"DDIO partly off (counts as on)" : "DDIO on at"));
	}
}
END_TEST

START_TEST(config_unreadable)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;

	/* what an unprivileged reader sees: the first 64 bytes */
	fake_port(root, PORT, 0x8086, 0x2031, FAKE_P0_OFF, FAKE_P1_OFF, 64);
	fake_rnic(root, DEV, PORT, FUNC);
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d),
		RPMEM_ST_OK);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert(!p.rnic.regs_valid);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "only root may read"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_ptr_nonnull(strstr(d.reason, "DDIO state unknown: cannot "
		"read the config space of root port " PORT));

	/* no config file at all */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/" PORT "/config",
		root);
	ck_assert_int_eq(unlink(path), 0);
	run(true, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "cannot open"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);

	/* ddio = disable has nothing it could verify: hands off */
	run(true, true, 1, RPMEMD_DDIO_DISABLE, DEV, &p, &d);
	ck_assert_str_eq(p.action, "none: DDIO state is unknown");
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
}
END_TEST

START_TEST(unknown_platforms)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;

	/* AMD */
	fake_port(root, PORT, 0x1022, 0x1483, 0, 0, 4096);
	fake_rnic(root, DEV, PORT, FUNC);
	run(true, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "not an Intel part"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);

	/* Ice Lake: DDIO is a BIOS switch; never written, even on disable */
	fake_port(root, "0000:30:02.0", 0x8086, 0x347a, 0x80, 0, 4096);
	fake_rnic(root, "mlx5_1", "0000:30:02.0", "0000:31:00.0");
	run(true, true, 1, RPMEMD_DDIO_DISABLE, "mlx5_1", &p, &d);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "not a Skylake/Cascade "
		"Lake IIO port"));
	ck_assert_uint_eq(fake_read_cfg(root, "0000:30:02.0", 0x180), 0x80);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);

	/* an RNIC on the root bus has no root port */
	fake_port(root, "0000:40:00.0", 0x8086, 0x2030, 0, 0x100, 4096);
	fake_rnic(root, "irdma0", "0000:40:00.0", "0000:40:00.0");
	run(true, true, 1, RPMEMD_DDIO_CHECK, "irdma0", &p, &d);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "sits on a root bus"));

	/* a device that does not exist */
	run(true, true, 1, RPMEMD_DDIO_CHECK, "nosuch0", &p, &d);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "not found in sysfs"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);

	/* garbage names never reach a path */
	run(true, true, 1, RPMEMD_DDIO_CHECK, "../../etc", &p, &d);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	rpmemd_port_probe(root, "16:00.0", &p.rnic);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "not a PCI function"));
}
END_TEST

START_TEST(no_pci_parent)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;

	fake_soft_rnic(root, "rxb", "rxe");
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_CHECK, "rxb", &p, &d),
		RPMEM_ST_OK);
	ck_assert(p.rnic.software);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_NA);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "software RDMA device rxb: its writes are "
		"CPU copies that stay in the CPU cache (no eADR)");

	/* any device without a PCI parent, whatever it calls itself */
	fake_soft_rnic(root, "sw0", NULL);
	run(true, true, 1, RPMEMD_DDIO_DISABLE, "sw0", &p, &d);
	ck_assert(p.rnic.software);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "no PCI parent"));
	ck_assert_str_eq(p.action, "none: DDIO state is not applicable");
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);

	/* rxe on a PCI NIC: node_desc gives it away */
	fake_port(root, PORT, 0x8086, 0x2030, FAKE_P0_OFF, FAKE_P1_OFF, 4096);
	fake_rnic(root, "rxe_eth", PORT, FUNC);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sys/class/infiniband/rxe_eth/"
		"node_desc", root);
	fake_writef(path, "rxe");
	run(true, true, 1, RPMEMD_DDIO_CHECK, "rxe_eth", &p, &d);
	ck_assert(p.rnic.software);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_ptr_nonnull(strstr(d.reason, "software RDMA device"));

	/*
	 * ... unless rdma-ndd rewrote it ("host rxe0"): sysfs then shows a
	 * hardware device with DDIO off, and only the verbs vendor id tells
	 */
	fake_writef(path, "targethost rxe_eth");
	run(true, true, 1, RPMEMD_DDIO_CHECK, "rxe_eth", &p, &d);
	ck_assert(!p.rnic.software);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	Vendor = RPMEMD_VENDOR_RXE;
	run(true, true, 1, RPMEMD_DDIO_DISABLE, "rxe_eth", &p, &d);
	ck_assert(p.rnic.software);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_NA);
	ck_assert_str_eq(p.rnic.detail, "rxe_eth is a software RDMA device "
		"(rdma_rxe, verbs vendor id 0xffffff): its writes are CPU "
		"copies, DDIO does not apply, CPU caches do");
	ck_assert_str_eq(p.action, "none: DDIO state is not applicable");
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "software RDMA device rxe_eth: its writes "
		"are CPU copies that stay in the CPU cache (no eADR)");
	Vendor = RPMEMD_VENDOR_SIW;
	run(true, true, 1, RPMEMD_DDIO_CHECK, "rxe_eth", &p, &d);
	ck_assert(p.rnic.software);
	ck_assert_ptr_nonnull(strstr(p.rnic.detail, "(siw, verbs vendor id "
		"0x626d74)"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	/* a hardware vendor (Mellanox) changes nothing */
	Vendor = 0x02c9;
	run(true, true, 1, RPMEMD_DDIO_CHECK, "rxe_eth", &p, &d);
	ck_assert(!p.rnic.software);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	Vendor = 0;

	/* rxe with persist-general = no: nothing left */
	ck_assert_int_eq(run(true, false, 1, RPMEMD_DDIO_CHECK, "rxb", &p,
		&d), RPMEM_ST_NOSUPP);
	ck_assert_uint_eq(d.method, 0);

	/* the administrator's attestation wins over the detection */
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_IGNORE, "rxb", &p, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_ptr_nonnull(strstr(d.reason, "ddio = ignore"));
}
END_TEST

START_TEST(eadr)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;
	char detail[128];

	/* no NVDIMM bus, then a region without a domain: no eADR */
	ck_assert_int_eq(rpmemd_eadr(root, detail, sizeof(detail)), 0);
	fake_region(root, 0, NULL);
	ck_assert_int_eq(rpmemd_eadr(root, detail, sizeof(detail)), 0);
	ck_assert_str_eq(detail, "0 of 1 NVDIMM region(s) have persistence "
		"domain cpu_cache (region0: not reported)");

	/* eADR makes even rxe's cached writes durable */
	fake_region(root, 0, "cpu_cache");
	fake_soft_rnic(root, "rxb", "rxe");
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_CHECK, "rxb", &p, &d),
		RPMEM_ST_OK);
	ck_assert_int_eq(p.eadr, 1);
	ck_assert_str_eq(p.eadr_detail, "all 1 NVDIMM region(s) have "
		"persistence domain cpu_cache");
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_ptr_nonnull(strstr(d.reason, "eADR"));

	/* ... and DDIO on does not matter; ddio = disable leaves it alone */
	cascade_lake(FAKE_P0_DEFAULT, FAKE_P1_DEFAULT);
	run(true, true, 1, RPMEMD_DDIO_DISABLE, DEV, &p, &d);
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);
	ck_assert_ptr_nonnull(strstr(p.action, "none: APM does not depend"));
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), FAKE_P0_DEFAULT);

	/* every region must be cpu_cache */
	fake_region(root, 1, "memory_controller");
	run(true, true, 1, RPMEMD_DDIO_CHECK, "rxb", &p, &d);
	ck_assert_int_eq(p.eadr, 0);
	ck_assert_ptr_nonnull(strstr(p.eadr_detail,
		"region1: memory_controller"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
}
END_TEST

START_TEST(not_pmem)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;
	char text[2048];

	fake_region(root, 0, "cpu_cache");
	cascade_lake(FAKE_P0_DEFAULT, FAKE_P1_DEFAULT);
	/* ddio = disable must not touch hardware for a non-pmem pool */
	ck_assert_int_eq(run(true, true, 0, RPMEMD_DDIO_DISABLE, DEV, &p, &d),
		RPMEM_ST_OK);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "pool is not on persistent memory");
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), FAKE_P0_DEFAULT);

	struct rpmemd_pm_input in = {
		.persist_apm = true, .persist_general = true, .is_pmem = 0,
		.device = DEV, .ddio = RPMEMD_DDIO_DISABLE, .plat = &p,
	};
	rpmemd_persist_policy_text(&in, &d, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "  pool is pmem:    no\n"));
	ck_assert_ptr_nonnull(strstr(text, "  gpspm flush:     pmem_msync\n"));
	ck_assert_ptr_nonnull(strstr(text, "  method:          GPSPM (pool is "
		"not on persistent memory)"));
}
END_TEST

START_TEST(ddio_disable)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;
	char text[2048];

	cascade_lake(FAKE_P0_DEFAULT | 0x01, FAKE_P1_DEFAULT | 0x1000);
	ck_assert_int_eq(run(true, true, 1, RPMEMD_DDIO_DISABLE, DEV, &p, &d),
		RPMEM_ST_OK);
	/* only the three bits changed, the rest kept */
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), 0x01);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x184), 0x1100);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_OFF);
	ck_assert_str_eq(p.action, "turned DDIO off on root port " PORT
		" (lasts until the next reboot)");
	ck_assert_uint_eq(d.method, RPMEM_PM_APM);

	struct rpmemd_pm_input in = {
		.persist_apm = true, .persist_general = true, .is_pmem = 1,
		.device = DEV, .ddio = RPMEMD_DDIO_DISABLE, .plat = &p,
	};
	rpmemd_persist_policy_text(&in, &d, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "  root port:       " PORT
		" (8086:2030)\n"));
	ck_assert_ptr_nonnull(strstr(text, "  ddio state:      off: "));
	ck_assert_ptr_nonnull(strstr(text, "  ddio action:     turned DDIO "
		"off"));
	ck_assert_ptr_nonnull(strstr(text, "  method:          APM (pool is "
		"on persistent memory and DDIO is verified off"));

	/* already off: nothing written */
	run(true, true, 1, RPMEMD_DDIO_DISABLE, DEV, &p, &d);
	ck_assert_str_eq(p.action, "none: DDIO state is off");

	/* enable restores the defaults and reads them back */
	char err[256];
	ck_assert_int_eq(rpmemd_ddio_write(root, &p.rnic, false, err,
		sizeof(err)), 0);
	ck_assert_int_eq(p.rnic.state, RPMEMD_DDIO_ST_ON);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), 0x81);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x184), 0x1000);
	ck_assert_str_eq(p.rnic.device, DEV);

	/* persist-apm = no: ddio = disable does not touch the port */
	run(false, true, 1, RPMEMD_DDIO_DISABLE, DEV, &p, &d);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), 0x81);
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);

	/* ddio = check never writes */
	run(true, true, 1, RPMEMD_DDIO_CHECK, DEV, &p, &d);
	ck_assert_uint_eq(fake_read_cfg(root, PORT, 0x180), 0x81);
	ck_assert_str_eq(p.action, "");
}
END_TEST

START_TEST(ddio_disable_fails)
{
	struct rpmemd_pm_platform p;
	struct rpmemd_pm_decision d;
	char path[PATH_MAX];

	cascade_lake(FAKE_P0_DEFAULT, FAKE_P1_DEFAULT);
	/* config space that is readable but not writable (not root) */
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/" PORT "/config",
		root);
	/* root too: checked as another user, the file only readable */
	unit_fs_open_up(root);
	ck_assert_int_eq(chmod(path, 0444), 0);
	unit_fs_as_nobody();
	run(true, true, 1, RPMEMD_DDIO_DISABLE, DEV, &p, &d);
	unit_fs_as_self();
	ck_assert_ptr_nonnull(strstr(p.action, "could not turn DDIO off: "
		"cannot open the config space of root port " PORT
		" for writing: Permission denied (needs root)"));
	ck_assert_uint_eq(d.method, RPMEM_PM_GPSPM);
	ck_assert_str_eq(d.reason, "DDIO is on at root port " PORT " of " DEV
		" and ddio = disable could not turn it off");
}
END_TEST

START_TEST(log_block)
{
	struct rpmemd_pm_input in = {.persist_apm = true, .is_pmem = 1};
	struct rpmemd_pm_decision d;
	char text[2048];

	/* a NULL device and platform and a failed decision still log */
	rpmemd_persist_policy(&in, &d);
	rpmemd_persist_policy_log(&in, &d);
	memset(&d, 0, sizeof(d));
	rpmemd_persist_policy_log(&in, &d);
	rpmemd_persist_policy_text(&in, &d, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "  rdma device:     (unknown)\n"));
	ck_assert_ptr_nonnull(strstr(text, "  eADR:            no (not "
		"probed)\n"));
	ck_assert_ptr_nonnull(strstr(text, "  method:          none ("));
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(rpmemd_ddio_state_str(RPMEMD_DDIO_ST_OFF), "off");
	ck_assert_str_eq(rpmemd_ddio_state_str(RPMEMD_DDIO_ST_ON), "on");
	ck_assert_str_eq(rpmemd_ddio_state_str(RPMEMD_DDIO_ST_NA),
		"not applicable");
	ck_assert_str_eq(rpmemd_ddio_state_str(RPMEMD_DDIO_ST_UNKNOWN),
		"unknown");
}
END_TEST

/* policy_suite -- all policy tests */
static Suite *
policy_suite(void)
{
	Suite *s = suite_create("persist_policy");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, table_config);
	tcase_add_test(tc, log_block);
	tcase_add_test(tc, state_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("fake_sysfs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ddio_on);
	tcase_add_test(tc, ddio_off);
	tcase_add_test(tc, ddio_partly_off);
	tcase_add_test(tc, config_unreadable);
	tcase_add_test(tc, unknown_platforms);
	tcase_add_test(tc, no_pci_parent);
	tcase_add_test(tc, eadr);
	tcase_add_test(tc, not_pmem);
	tcase_add_test(tc, ddio_disable);
	tcase_add_test(tc, ddio_disable_fails);
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
