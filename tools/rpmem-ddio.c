/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-ddio.c -- query or switch Intel DDIO on the PCIe root port of an
 * RDMA device (the check rpmemd makes before it offers APM)
 *
 * Exit status: 0 DDIO off, 1 on, 2 unknown / not applicable / error; with
 * several devices the worst of them.  See rpmemd/ddio.h for the bits.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddio.h"

#define EXIT_OFF 0
#define EXIT_ON 1
#define EXIT_UNKNOWN 2

static const char usage_text[] =
	"usage: rpmem-ddio [--device DEV | --port DDDD:BB:DD.F] [options] "
	"query|disable|enable\n"
	"\n"
	"Finds the PCIe root port of an RDMA device (all of them when neither\n"
	"--device nor --port is given), prints the DDIO control bits of it and\n"
	"the state they add up to.  DDIO is off only when\n"
	"use_allocating_flow_wr = 0, NoSnoopOpWrEn = 0 and TPHDIS = 1.  Only\n"
	"Skylake-SP/Cascade Lake root ports (8086:2030..2033) can be read;\n"
	"other platforms are reported as unknown.\n"
	"\n"
	"  query     print the state (the default)\n"
	"  disable   turn DDIO off (root only), then read it back\n"
	"  enable    restore the defaults (root only), then read them back\n"
	"\n"
	"  -d, --device DEV      RDMA device, e.g. mlx5_0\n"
	"  -p, --port BDF        root port, e.g. 0000:16:00.0\n"
	"      --sysfs-root DIR  read sysfs under DIR (for tests)\n"
	"  -h, --help            this text\n"
	"\n"
	"A change lasts until the next reboot or reset of the root port.\n"
	"TPHDIS is taken as bit 8 of perfctrlsts_1 (0x184), as librpma's\n"
	"ddio.sh writes it; bit 9 is printed as well.\n"
	"Exit status: 0 DDIO off, 1 on, 2 unknown, not applicable or error.\n";

enum op { OP_QUERY, OP_DISABLE, OP_ENABLE };

/* exit_of -- the exit status a state stands for */
static int
exit_of(enum rpmemd_ddio_state st)
{
	switch (st) {
	case RPMEMD_DDIO_ST_OFF:
		return EXIT_OFF;
	case RPMEMD_DDIO_ST_ON:
		return EXIT_ON;
	default:
		return EXIT_UNKNOWN;
	}
}

/* show -- every bit of one root port and the state */
static void
show(const struct rpmemd_rnic *r)
{
	if (r->device[0])
		printf("%s: PCI function %s, root port %s", r->device,
			r->func[0] ? r->func : "-",
			r->port[0] ? r->port : "-");
	else
		printf("root port %s", r->port);
	if (r->vendor)
		printf(" (%04x:%04x)", r->vendor, r->devid);
	printf("\n");
	if (r->regs_valid) {
		uint32_t p0 = r->perfctrlsts0, p1 = r->perfctrlsts1;
		printf("  perfctrlsts_0 (0x%x) = 0x%08x\n",
			RPMEMD_DDIO_PERFCTRLSTS_0, p0);
		printf("    bit 7  use_allocating_flow_wr = %u  (default 1)\n",
			(p0 >> 7) & 1);
		printf("    bit 3  NoSnoopOpWrEn          = %u  (default 0)\n",
			(p0 >> 3) & 1);
		printf("  perfctrlsts_1 (0x%x) = 0x%08x\n",
			RPMEMD_DDIO_PERFCTRLSTS_1, p1);
		printf("    bit 8  TPHDIS                 = %u  (default 0)\n",
			(p1 >> 8) & 1);
		printf("    bit 9                         = %u\n",
			(p1 >> 9) & 1);
	}
	printf("  DDIO: %s\n  %s\n", rpmemd_ddio_state_str(r->state),
		r->detail);
}

/* one -- query/change one device or port; returns its exit status */
static int
one(const char *root, const char *dev, const char *port, enum op op)
{
	struct rpmemd_rnic r;
	char err[256];

	if (port)
		rpmemd_port_probe(root, port, &r);
	else
		rpmemd_rnic_probe(root, dev, &r);
	if (op == OP_QUERY) {
		show(&r);
		return exit_of(r.state);
	}
	if (r.software || r.state == RPMEMD_DDIO_ST_NA) {
		show(&r);
		printf("  nothing to change: DDIO does not apply to a "
			"software RDMA device\n");
		return EXIT_UNKNOWN;
	}
	if (rpmemd_ddio_write(root, &r, op == OP_DISABLE, err, sizeof(err))) {
		show(&r);
		fflush(stdout);
		fprintf(stderr, "rpmem-ddio: %s\n", err);
		return EXIT_UNKNOWN;
	}
	show(&r);
	printf("  %s; this does not survive a reboot\n", op == OP_DISABLE ?
		"DDIO turned off and verified" :
		"DDIO defaults restored and verified");
	return exit_of(r.state);
}

/* all -- every RDMA device under <root>/sys/class/infiniband */
static int
all(const char *root, enum op op)
{
	char path[4096];
	int worst = -1;

	snprintf(path, sizeof(path), "%s/sys/class/infiniband", root ? root :
		"");
	DIR *dir = opendir(path);
	if (dir != NULL) {
		struct dirent *de;
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			int rc = one(root, de->d_name, NULL, op);
			worst = rc > worst ? rc : worst;
		}
		closedir(dir);
	}
	if (worst < 0) {
		fprintf(stderr, "rpmem-ddio: no RDMA devices in %s\n", path);
		return EXIT_UNKNOWN;
	}
	return worst;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{"device", required_argument, NULL, 'd'},
		{"port", required_argument, NULL, 'p'},
		{"sysfs-root", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dev = NULL, *port = NULL, *root = NULL;
	enum op op = OP_QUERY;
	int c;

	while ((c = getopt_long(argc, argv, "d:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		const char *o = argv[optind++];
		if (strcmp(o, "query") == 0)
			op = OP_QUERY;
		else if (strcmp(o, "disable") == 0)
			op = OP_DISABLE;
		else if (strcmp(o, "enable") == 0)
			op = OP_ENABLE;
		else {
			fprintf(stderr, "rpmem-ddio: unknown operation '%s'\n",
				o);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc || (dev && port)) {
		fputs(usage_text, stderr);
		return EXIT_UNKNOWN;
	}
	/* a fake tree (tests) needs no privileges */
	if (op != OP_QUERY && root == NULL && geteuid() != 0) {
		fprintf(stderr, "rpmem-ddio: %s needs root (it writes PCI "
			"config space)\n", op == OP_DISABLE ? "disable" :
			"enable");
		return EXIT_UNKNOWN;
	}

	if (dev || port)
		return one(root, dev, port, op);
	return all(root, op);
}
