/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ddio.h -- what the platform does with data an RDMA device writes: the
 * RDMA device's PCIe root port and its DDIO state, and eADR
 *
 * Every path is taken relative to a root directory ("" or NULL: the real
 * "/"), so tests can point it at a fake sysfs tree.  Read:
 *   <root>/sys/class/infiniband/<dev>/device      -> the PCI function
 *   <root>/sys/class/infiniband/<dev>/node_desc   "rxe", "Software iWARP..."
 *   <root>/sys/bus/pci/devices/<port>/{vendor,device,config}
 *   <root>/sys/bus/nd/devices/region*<n>/persistence_domain
 *
 * DDIO (Intel Data Direct I/O) makes an RNIC's writes allocate in the CPU's
 * last-level cache, where a power failure loses them although the RDMA READ
 * that APM relies on has already completed.  On Skylake-SP/Cascade Lake
 * (IIO root ports 8086:2030..2033) it is controlled per root port:
 *   perfctrlsts_0 (dword at 0x180) bit 7  use_allocating_flow_wr (default 1)
 *   perfctrlsts_0 (dword at 0x180) bit 3  NoSnoopOpWrEn          (default 0)
 *   perfctrlsts_1 (dword at 0x184) bit 8  TPHDIS                 (default 0)
 * DDIO counts as off only when the first two are 0 and TPHDIS is 1.  The
 * TPHDIS bit is the one librpma's tools/ddio.sh writes (byte 0x185 bit 0);
 * its own comment says bit 9, and Intel's datasheet was not at hand to
 * settle it: reports show the whole dword so either can be read off.
 * Everything else (other vendors, Ice Lake and later, where DDIO is a
 * BIOS-wide switch) is "unknown".
 */
#ifndef RPMEMD_DDIO_H
#define RPMEMD_DDIO_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RPMEMD_DDIO_PERFCTRLSTS_0 0x180
#define RPMEMD_DDIO_PERFCTRLSTS_1 0x184
#define RPMEMD_DDIO_ALLOC_WR (1u << 7)	/* in perfctrlsts_0 */
#define RPMEMD_DDIO_NOSNOOP_WR (1u << 3)	/* in perfctrlsts_0 */
#define RPMEMD_DDIO_TPHDIS (1u << 8)	/* in perfctrlsts_1 */

#define RPMEMD_PCI_NAME_MAX 16		/* "0000:17:00.0" + NUL */
#define RPMEMD_DDIO_DETAIL_MAX 224

enum rpmemd_ddio_state {
	RPMEMD_DDIO_ST_UNKNOWN,	/* cannot be read here */
	RPMEMD_DDIO_ST_OFF,	/* verified off */
	RPMEMD_DDIO_ST_ON,	/* on, or only partly off */
	RPMEMD_DDIO_ST_NA,	/* software device: DDIO does not apply */
};

/* one RDMA device (or a root port given directly) */
struct rpmemd_rnic {
	char device[64];		/* RDMA device name, "" for a port */
	bool software;			/* rxe/siw or no PCI parent */
	char func[RPMEMD_PCI_NAME_MAX];	/* its PCI function, "" if none */
	char port[RPMEMD_PCI_NAME_MAX];	/* its PCIe root port, "" if none */
	uint16_t vendor, devid;		/* of the root port, 0 if unread */
	bool regs_valid;		/* the two dwords below were read */
	uint32_t perfctrlsts0;
	uint32_t perfctrlsts1;
	enum rpmemd_ddio_state state;
	char detail[RPMEMD_DDIO_DETAIL_MAX];	/* the state in words */
};

/*
 * rpmemd_rnic_probe -- find dev's root port and read its DDIO state; never
 * fails: what cannot be found or read ends as UNKNOWN with the reason in
 * detail
 */
void rpmemd_rnic_probe(const char *root, const char *dev,
		struct rpmemd_rnic *r);

/* the verbs vendor ids (ibv_device_attr.vendor_id) of software drivers */
#define RPMEMD_VENDOR_RXE 0xffffffu	/* rdma_rxe */
#define RPMEMD_VENDOR_SIW 0x626d74u	/* siw ("bmt") */

/*
 * rpmemd_rnic_vendor -- mark r a software device when vendor_id, the
 * device's verbs vendor id (0: unknown), is rxe's or siw's.  sysfs alone
 * can be fooled: an rxe on a PCI NIC has that NIC as its parent, and
 * rdma-ndd rewrites every node_desc ("host rxe0").
 */
void rpmemd_rnic_vendor(struct rpmemd_rnic *r, uint32_t vendor_id);

/* rpmemd_port_probe -- the same for a root port given by name */
void rpmemd_port_probe(const char *root, const char *port,
		struct rpmemd_rnic *r);

/*
 * rpmemd_ddio_write -- turn DDIO off (restore the defaults with off ==
 * false) on r's root port, then probe it again and check the result.
 * Only a known root port is ever written.  0, or -1 with the reason in
 * err.  Root only (config space writes need CAP_SYS_ADMIN); the setting
 * lasts until the next reset.
 */
int rpmemd_ddio_write(const char *root, struct rpmemd_rnic *r, bool off,
		char *err, size_t errlen);

/*
 * rpmemd_eadr -- are CPU caches in the persistence domain: 1 when every
 * NVDIMM region reports "cpu_cache" (and there is one; the rule of
 * pmem_has_auto_flush()), else 0; detail says what was found
 */
int rpmemd_eadr(const char *root, char *detail, size_t len);

const char *rpmemd_ddio_state_str(enum rpmemd_ddio_state st);

#endif /* RPMEMD_DDIO_H */
