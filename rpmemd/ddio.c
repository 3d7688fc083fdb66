/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ddio.c -- the RDMA device's root port, its DDIO state, and eADR, read
 * from sysfs under a root that tests can replace (see ddio.h)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddio.h"

#define PCI_VENDOR_INTEL 0x8086

/*
 * Skylake-SP / Cascade Lake IIO PCIe root ports (ports A..D of every
 * stack): the parts whose DDIO bits ddio.h describes
 */
static const uint16_t ddio_known_ports[] = {0x2030, 0x2031, 0x2032, 0x2033};

/* ddio_root -- "" for the real root, else root without trailing '/' */
static const char *
ddio_root(const char *root, char *buf, size_t len)
{
	if (root == NULL || root[0] == '\0' || strcmp(root, "/") == 0)
		return "";
	snprintf(buf, len, "%s", root);
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}

/* ddio_read_str -- first line of a small sysfs file, trimmed; 0 or -1 */
static int
ddio_read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, (int)len, f) == NULL) {
		int err = ferror(f) ? errno : EIO;
		fclose(f);
		errno = err;
		return -1;
	}
	fclose(f);
	size_t n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/* ddio_read_hex16 -- a sysfs id like "0x8086"; 0 or -1 */
static int
ddio_read_hex16(const char *path, uint16_t *val)
{
	char buf[32];
	char *end;

	if (ddio_read_str(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	unsigned long v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end != '\0' || v > 0xffff) {
		errno = EINVAL;
		return -1;
	}
	*val = (uint16_t)v;
	return 0;
}

/* ddio_is_bdf -- "DDDD:BB:DD.F" (a PCI function name in sysfs) */
static bool
ddio_is_bdf(const char *s, size_t len)
{
	static const char pat[] = "xxxx:xx:xx.x";

	if (len != sizeof(pat) - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (pat[i] == 'x' ? !isxdigit((unsigned char)s[i]) :
				s[i] != pat[i])
			return false;
	}
	return true;
}

/* ddio_is_host_bridge -- "pciDDDD:BB", the top of a PCI hierarchy */
static bool
ddio_is_host_bridge(const char *s, size_t len)
{
	static const char pat[] = "pcixxxx:xx";

	if (len != sizeof(pat) - 1 || strncmp(s, "pci", 3) != 0)
		return false;
	for (size_t i = 3; i < len; i++) {
		if (pat[i] == 'x' ? !isxdigit((unsigned char)s[i]) :
				s[i] != pat[i])
			return false;
	}
	return true;
}

/* ddio_name_ok -- a sysfs directory name given by a user */
static bool
ddio_name_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr(s, '/') == NULL &&
		strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		strlen(s) < 64;
}

/* ddio_regs_state -- decide from the two dwords */
static void
ddio_regs_state(struct rpmemd_rnic *r)
{
	bool alloc = (r->perfctrlsts0 & RPMEMD_DDIO_ALLOC_WR) != 0;
	bool nosnoop = (r->perfctrlsts0 & RPMEMD_DDIO_NOSNOOP_WR) != 0;
	bool tphdis = (r->perfctrlsts1 & RPMEMD_DDIO_TPHDIS) != 0;
	const char *what;

	if (!alloc && !nosnoop && tphdis) {
		r->state = RPMEMD_DDIO_ST_OFF;
		what = "off";
	} else {
		r->state = RPMEMD_DDIO_ST_ON;
		/* one bit left on still lets some writes allocate */
		what = (alloc && !tphdis) ? "on" : "partly off (counts as on)";
	}
	snprintf(r->detail, sizeof(r->detail), "DDIO %s at root port %s: "
		"use_allocating_flow_wr=%d NoSnoopOpWrEn=%d TPHDIS=%d "
		"(perfctrlsts_0=0x%08x perfctrlsts_1=0x%08x)", what, r->port,
		alloc, nosnoop, tphdis, r->perfctrlsts0, r->perfctrlsts1);
}

/* ddio_le32 -- a little-endian dword from config space */
static uint32_t
ddio_le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		(uint32_t)b[3] << 24;
}

/* ddio_port_known -- is r's root port one whose DDIO bits we know */
static bool
ddio_port_known(const struct rpmemd_rnic *r)
{
	if (r->vendor != PCI_VENDOR_INTEL)
		return false;
	for (size_t i = 0; i < sizeof(ddio_known_ports) /
			sizeof(ddio_known_ports[0]); i++)
		if (r->devid == ddio_known_ports[i])
			return true;
	return false;
}

/* ddio_read_port -- r->port is set: identify it and read its registers */
static void
ddio_read_port(const char *root, struct rpmemd_rnic *r)
{
	char path[PATH_MAX];
	unsigned char b[8];

	r->state = RPMEMD_DDIO_ST_UNKNOWN;
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/vendor", root,
		r->port);
	if (ddio_read_hex16(path, &r->vendor)) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"cannot read the vendor of root port %s: %s", r->port,
			strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/device", root,
		r->port);
	if (ddio_read_hex16(path, &r->devid)) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"cannot read the device id of root port %s: %s",
			r->port, strerror(errno));
		return;
	}
	if (r->vendor != PCI_VENDOR_INTEL) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"root port %s (%04x:%04x) is not an Intel part",
			r->port, r->vendor, r->devid);
		return;
	}
	if (!ddio_port_known(r)) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"root port %s (%04x:%04x) is not a Skylake/Cascade "
			"Lake IIO port (on later Xeons DDIO is a BIOS-wide "
			"setting that cannot be read here)", r->port,
			r->vendor, r->devid);
		return;
	}

	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/config", root,
		r->port);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"cannot open the config space of root port %s: %s",
			r->port, strerror(errno));
		return;
	}
	ssize_t n = pread(fd, b, sizeof(b), RPMEMD_DDIO_PERFCTRLSTS_0);
	int err = errno;
	close(fd);
	if (n != (ssize_t)sizeof(b)) {
		/* the kernel shows unprivileged readers only 64 bytes */
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"cannot read the config space of root port %s at "
			"0x%x: %s", r->port, RPMEMD_DDIO_PERFCTRLSTS_0,
			n < 0 ? strerror(err) : "beyond the end (only root "
			"may read the extended config space)");
		return;
	}
	r->perfctrlsts0 = ddio_le32(b);
	r->perfctrlsts1 = ddio_le32(b + 4);
	r->regs_valid = true;
	ddio_regs_state(r);
}

/* ddio_software_desc -- node_desc of the software RDMA drivers */
static bool
ddio_software_desc(const char *root, const char *dev)
{
	char path[PATH_MAX];
	char desc[128];

	snprintf(path, sizeof(path), "%s/sys/class/infiniband/%s/node_desc",
		root, dev);
	if (ddio_read_str(path, desc, sizeof(desc)))
		return false;
	/* rdma_rxe sets "rxe", siw "Software iWARP stack" */
	return strcmp(desc, "rxe") == 0 ||
		strncmp(desc, "Software iWARP", 14) == 0;
}

/* rpmemd_rnic_probe -- find dev's root port and read its DDIO state */
void
rpmemd_rnic_probe(const char *root_in, const char *dev,
		struct rpmemd_rnic *r)
{
	char rootbuf[PATH_MAX];
	char rootreal[PATH_MAX];
	char path[PATH_MAX];
	char real[PATH_MAX];
	const char *root = ddio_root(root_in, rootbuf, sizeof(rootbuf));

	memset(r, 0, sizeof(*r));
	r->state = RPMEMD_DDIO_ST_UNKNOWN;
	if (!ddio_name_ok(dev)) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"no usable RDMA device name");
		return;
	}
	snprintf(r->device, sizeof(r->device), "%s", dev);

	snprintf(path, sizeof(path), "%s/sys/class/infiniband/%s", root, dev);
	if (access(path, F_OK)) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"RDMA device %s not found in sysfs: %s", dev,
			strerror(errno));
		return;
	}

	/* a software device may sit on a PCI NIC: its writes stay CPU copies */
	if (ddio_software_desc(root, dev)) {
		r->software = true;
		r->state = RPMEMD_DDIO_ST_NA;
		snprintf(r->detail, sizeof(r->detail), "%s is a software RDMA "
			"device: its writes are CPU copies, DDIO does not "
			"apply, CPU caches do", dev);
		return;
	}

	snprintf(path, sizeof(path), "%s/sys/class/infiniband/%s/device",
		root, dev);
	if (realpath(path, real) == NULL ||
	    (root[0] != '\0' && realpath(root, rootreal) == NULL)) {
		r->software = true;
		r->state = RPMEMD_DDIO_ST_NA;
		snprintf(r->detail, sizeof(r->detail), "%s has no PCI parent "
			"(a software RDMA device): its writes are CPU copies, "
			"DDIO does not apply, CPU caches do", dev);
		return;
	}

	/* real = <root>/sys/devices/pciDDDD:BB/<port>/.../<func> */
	const char *p = real;
	if (root[0] != '\0') {
		size_t rl = strlen(rootreal);
		if (strncmp(real, rootreal, rl) == 0)
			p += strcmp(rootreal, "/") == 0 ? 0 : rl;
	}
	static const char devs[] = "/sys/devices/";
	const char *comp = NULL;
	size_t clen = 0;
	if (strncmp(p, devs, sizeof(devs) - 1) == 0) {
		comp = p + sizeof(devs) - 1;
		clen = strcspn(comp, "/");
	}
	if (comp == NULL || !ddio_is_host_bridge(comp, clen)) {
		r->software = true;
		r->state = RPMEMD_DDIO_ST_NA;
		snprintf(r->detail, sizeof(r->detail), "%s has no PCI parent "
			"(a software RDMA device): its writes are CPU copies, "
			"DDIO does not apply, CPU caches do", dev);
		return;
	}

	/* the first BDF below the host bridge is the root port */
	const char *port = comp + clen;
	port += *port == '/';
	size_t plen = strcspn(port, "/");
	const char *func = strrchr(p, '/') + 1;
	size_t flen = strlen(func);
	if (!ddio_is_bdf(port, plen) || !ddio_is_bdf(func, flen)) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"unexpected sysfs path of %s: %.150s", dev, p);
		return;
	}
	memcpy(r->func, func, flen);
	if (port == func) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"%s (%s) sits on a root bus, no root port to read",
			dev, r->func);
		return;
	}
	memcpy(r->port, port, plen);
	ddio_read_port(root, r);
}

/* rpmemd_rnic_vendor -- see ddio.h */
void
rpmemd_rnic_vendor(struct rpmemd_rnic *r, uint32_t vendor_id)
{
	const char *drv = vendor_id == RPMEMD_VENDOR_RXE ? "rdma_rxe" :
		vendor_id == RPMEMD_VENDOR_SIW ? "siw" : NULL;

	if (drv == NULL || r->software)
		return;
	r->software = true;
	r->state = RPMEMD_DDIO_ST_NA;
	snprintf(r->detail, sizeof(r->detail), "%s is a software RDMA device "
		"(%s, verbs vendor id 0x%x): its writes are CPU copies, DDIO "
		"does not apply, CPU caches do", r->device[0] ? r->device :
		"the device", drv, vendor_id);
}

/* rpmemd_port_probe -- the DDIO state of a root port given by name */
void
rpmemd_port_probe(const char *root_in, const char *port,
		struct rpmemd_rnic *r)
{
	char rootbuf[PATH_MAX];
	const char *root = ddio_root(root_in, rootbuf, sizeof(rootbuf));

	memset(r, 0, sizeof(*r));
	r->state = RPMEMD_DDIO_ST_UNKNOWN;
	if (port == NULL || !ddio_is_bdf(port, strlen(port))) {
		snprintf(r->detail, sizeof(r->detail), "DDIO state unknown: "
			"'%.40s' is not a PCI function name (DDDD:BB:DD.F)",
			port ? port : "");
		return;
	}
	snprintf(r->port, sizeof(r->port), "%s", port);
	ddio_read_port(root, r);
}

/* ddio_rmw_byte -- read-modify-write one config byte: clear, then set */
static int
ddio_rmw_byte(int fd, off_t off, unsigned char clr, unsigned char set)
{
	unsigned char b;

	errno = EIO;	/* a short transfer sets none */
	if (pread(fd, &b, 1, off) != 1)
		return -1;
	unsigned char nb = (unsigned char)((b & ~clr) | set);
	if (nb == b)
		return 0;
	errno = EIO;
	if (pwrite(fd, &nb, 1, off) != 1)
		return -1;
	return 0;
}

/* rpmemd_ddio_write -- turn DDIO off (or back to the defaults) */
int
rpmemd_ddio_write(const char *root_in, struct rpmemd_rnic *r, bool off,
		char *err, size_t errlen)
{
	char rootbuf[PATH_MAX];
	char path[PATH_MAX];
	const char *root = ddio_root(root_in, rootbuf, sizeof(rootbuf));

	/* never write what could not be read and understood first */
	if (r->software || r->port[0] == '\0' || !ddio_port_known(r) ||
			!r->regs_valid) {
		snprintf(err, errlen, "not a root port whose DDIO bits are "
			"known: %s", r->detail);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/config", root,
		r->port);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open the config space of root "
			"port %s for writing: %s%s", r->port, strerror(e),
			(e == EACCES || e == EPERM) ? " (needs root)" : "");
		return -1;
	}
	/* bit 8 of the dword at 0x184 is bit 0 of byte 0x185 */
	const off_t b0 = RPMEMD_DDIO_PERFCTRLSTS_0;
	const off_t b1 = RPMEMD_DDIO_PERFCTRLSTS_1 + 1;
	const unsigned char alloc = RPMEMD_DDIO_ALLOC_WR;
	const unsigned char nosnoop = RPMEMD_DDIO_NOSNOOP_WR;
	const unsigned char tphdis = RPMEMD_DDIO_TPHDIS >> 8;
	int ret;
	if (off)
		ret = ddio_rmw_byte(fd, b0, alloc | nosnoop, 0) ||
			ddio_rmw_byte(fd, b1, 0, tphdis);
	else
		ret = ddio_rmw_byte(fd, b0, nosnoop, alloc) ||
			ddio_rmw_byte(fd, b1, tphdis, 0);
	int e = errno;
	close(fd);
	if (ret) {
		snprintf(err, errlen, "cannot write the config space of root "
			"port %s: %s%s", r->port, strerror(e),
			(e == EACCES || e == EPERM) ? " (needs root)" : "");
		return -1;
	}

	/* read back: only what the hardware reports counts */
	char dev[sizeof(r->device)];
	memcpy(dev, r->device, sizeof(dev));
	char func[sizeof(r->func)];
	memcpy(func, r->func, sizeof(func));
	char port[sizeof(r->port)];
	memcpy(port, r->port, sizeof(port));
	rpmemd_port_probe(root_in, port, r);
	/* the port probe knows no device: keep which one this was */
	memcpy(r->device, dev, sizeof(dev));
	memcpy(r->func, func, sizeof(func));
	enum rpmemd_ddio_state want = off ? RPMEMD_DDIO_ST_OFF :
		RPMEMD_DDIO_ST_ON;
	if (r->state != want || (!off && (r->perfctrlsts0 &
			RPMEMD_DDIO_ALLOC_WR) == 0)) {
		snprintf(err, errlen, "wrote root port %s but it reads back "
			"as: %s", port, r->detail);
		return -1;
	}
	return 0;
}

/* rpmemd_eadr -- are CPU caches in the persistence domain */
int
rpmemd_eadr(const char *root_in, char *detail, size_t len)
{
	char rootbuf[PATH_MAX];
	char path[PATH_MAX];
	const char *root = ddio_root(root_in, rootbuf, sizeof(rootbuf));
	unsigned regions = 0, cpu_cache = 0;
	char other[96] = "";

	snprintf(path, sizeof(path), "%s/sys/bus/nd/devices", root);
	DIR *dir = opendir(path);
	if (dir == NULL) {
		snprintf(detail, len, "no NVDIMM bus (%s)", strerror(errno));
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		char dom[64];

		if (strncmp(de->d_name, "region", 6) != 0 ||
		    !isdigit((unsigned char)de->d_name[6]))
			continue;
		regions++;
		snprintf(path, sizeof(path), "%s/sys/bus/nd/devices/%s/"
			"persistence_domain", root, de->d_name);
		if (ddio_read_str(path, dom, sizeof(dom)))
			dom[0] = '\0';
		if (strcmp(dom, "cpu_cache") == 0)
			cpu_cache++;
		else if (other[0] == '\0')
			snprintf(other, sizeof(other), "%.40s: %.40s", de->d_name,
				dom[0] ? dom : "not reported");
	}
	closedir(dir);

	if (regions == 0) {
		snprintf(detail, len, "no NVDIMM region");
		return 0;
	}
	if (cpu_cache == regions) {
		snprintf(detail, len, "all %u NVDIMM region(s) have "
			"persistence domain cpu_cache", regions);
		return 1;
	}
	snprintf(detail, len, "%u of %u NVDIMM region(s) have persistence "
		"domain cpu_cache (%s)", cpu_cache, regions, other);
	return 0;
}

/* rpmemd_ddio_state_str -- "off", "on", ... */
const char *
rpmemd_ddio_state_str(enum rpmemd_ddio_state st)
{
	switch (st) {
	case RPMEMD_DDIO_ST_OFF:
		return "off";
	case RPMEMD_DDIO_ST_ON:
		return "on";
	case RPMEMD_DDIO_ST_NA:
		return "not applicable";
	default:
		return "unknown";
	}
}
