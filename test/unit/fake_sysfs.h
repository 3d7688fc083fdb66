/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_sysfs.h -- build fake sysfs trees (RDMA devices, PCIe root ports,
 * NVDIMM regions) under a temporary directory, laid out like the real one:
 *
 *   sys/devices/pci0000:16/<port>/<func>/infiniband/<dev>/device -> <func>
 *   sys/class/infiniband/<dev> -> ../../devices/.../infiniband/<dev>
 *   sys/bus/pci/devices/<port> -> ../../../devices/pci0000:16/<port>
 *   sys/devices/virtual/infiniband/<dev>          (software devices)
 *   sys/bus/nd/devices/region<N>/persistence_domain
 *
 * Failures abort the test (ck_abort): a broken fixture is a failed test.
 */
#ifndef FAKE_SYSFS_H
#define FAKE_SYSFS_H 1

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Cascade Lake reset values: allocating writes on, TPH not disabled */
#define FAKE_P0_DEFAULT 0x00000080u
#define FAKE_P1_DEFAULT 0x00000000u
#define FAKE_P0_OFF 0x00000000u
#define FAKE_P1_OFF 0x00000100u

/* fake_mkdirs -- mkdir -p */
static inline void
fake_mkdirs(const char *path)
{
	char *buf = strdup(path);

	ck_assert_ptr_nonnull(buf);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			ck_abort_msg("mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", buf, strerror(errno));
	free(buf);
}

/* fake_write -- create a file with len bytes of data */
static inline void
fake_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		ck_abort_msg("open %s: %s", path, strerror(errno));
	if (write(fd, data, len) != (ssize_t)len)
		ck_abort_msg("write %s: %s", path, strerror(errno));
	close(fd);
}

/* fake_writef -- a one-line text file */
static inline void
fake_writef(const char *path, const char *text)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s\n", text);
	fake_write(path, buf, strlen(buf));
}

/* fake_symlink -- ln -s target path */
static inline void
fake_symlink(const char *target, const char *path)
{
	if (symlink(target, path))
		ck_abort_msg("symlink %s: %s", path, strerror(errno));
}

/* fake_root -- a new empty tree; free() the result after fake_rm */
static inline char *
fake_root(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];

	snprintf(tmpl, sizeof(tmpl), "%s/fake-sysfs-XXXXXX",
		tmp && tmp[0] ? tmp : "/tmp");
	char *root = mkdtemp(tmpl);
	if (root == NULL)
		ck_abort_msg("mkdtemp: %s", strerror(errno));
	return strdup(root);
}

/* fake_rm -- rm -rf root (a tree we made: no surprises in it) */
static inline void
fake_rm(const char *root)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		ck_abort_msg("cannot remove %s", root);
}

/* fake_le32 -- store a little-endian dword */
static inline void
fake_le32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 24);
}

/*
 * fake_port -- a root port <port> under host bridge pci0000:16 with the
 * given ids and a config space of cfg_len bytes (4096: the whole extended
 * space, as root sees it; 64: what an unprivileged reader sees; 0: no
 * config file)
 */
static inline void
fake_port(const char *root, const char *port, unsigned vendor,
		unsigned devid, uint32_t p0, uint32_t p1, size_t cfg_len)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], val[16];

	snprintf(dir, sizeof(dir), "%s/sys/devices/pci0000:16/%s", root, port);
	fake_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/vendor", dir);
	snprintf(val, sizeof(val), "0x%04x", vendor);
	fake_writef(path, val);
	snprintf(path, sizeof(path), "%s/device", dir);
	snprintf(val, sizeof(val), "0x%04x", devid);
	fake_writef(path, val);
	if (cfg_len > 0) {
		unsigned char *cfg = calloc(1, cfg_len > 0x188 ? cfg_len :
			0x188);
		ck_assert_ptr_nonnull(cfg);
		fake_le32(cfg, (uint32_t)devid << 16 | vendor);
		fake_le32(cfg + 0x180, p0);
		fake_le32(cfg + 0x184, p1);
		snprintf(path, sizeof(path), "%s/config", dir);
		fake_write(path, cfg, cfg_len);
		free(cfg);
	}
	snprintf(dir, sizeof(dir), "%s/sys/bus/pci/devices", root);
	fake_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, port);
	snprintf(dir, sizeof(dir), "../../../devices/pci0000:16/%s", port);
	fake_symlink(dir, path);
}

/*
 * fake_rnic -- RDMA device dev on PCI function func behind root port
 * port (func == port: directly on the root bus)
 */
static inline void
fake_rnic(const char *root, const char *dev, const char *port,
		const char *func)
{
	char rel[PATH_MAX], dir[PATH_MAX + 64], path[PATH_MAX + 96];

	if (strcmp(port, func) == 0)
		snprintf(rel, sizeof(rel), "devices/pci0000:16/%s", func);
	else
		snprintf(rel, sizeof(rel), "devices/pci0000:16/%s/%s", port,
			func);
	snprintf(dir, sizeof(dir), "%s/sys/%s/infiniband/%s", root, rel, dev);
	fake_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/device", dir);
	fake_symlink("../..", path);
	snprintf(path, sizeof(path), "%s/node_desc", dir);
	fake_writef(path, "fake HCA");
	snprintf(dir, sizeof(dir), "%s/sys/class/infiniband", root);
	fake_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, dev);
	snprintf(dir, sizeof(dir), "../../%s/infiniband/%s", rel, dev);
	fake_symlink(dir, path);
}

/*
 * fake_soft_rnic -- a software device (no PCI parent); desc is its
 * node_desc ("rxe" for rdma_rxe) or NULL for none
 */
static inline void
fake_soft_rnic(const char *root, const char *dev, const char *desc)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s/sys/devices/virtual/infiniband/%s",
		root, dev);
	fake_mkdirs(dir);
	if (desc) {
		snprintf(path, sizeof(path), "%s/node_desc", dir);
		fake_writef(path, desc);
	}
	snprintf(dir, sizeof(dir), "%s/sys/class/infiniband", root);
	fake_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, dev);
	snprintf(dir, sizeof(dir), "../../devices/virtual/infiniband/%s", dev);
	fake_symlink(dir, path);
}

/* fake_region -- NVDIMM region n with a persistence domain (NULL: none) */
static inline void
fake_region(const char *root, int n, const char *domain)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	snprintf(dir, sizeof(dir), "%s/sys/bus/nd/devices/region%d", root, n);
	fake_mkdirs(dir);
	if (domain) {
		snprintf(path, sizeof(path), "%s/persistence_domain", dir);
		fake_writef(path, domain);
	}
}

/* fake_read_cfg -- the dword at off of port's fake config space */
static inline uint32_t
fake_read_cfg(const char *root, const char *port, off_t off)
{
	char path[PATH_MAX];
	unsigned char b[4];

	snprintf(path, sizeof(path), "%s/sys/devices/pci0000:16/%s/config",
		root, port);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, b, 4, off), 4);
	close(fd);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		(uint32_t)b[3] << 24;
}

#endif /* FAKE_SYSFS_H */
