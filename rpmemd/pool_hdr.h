/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_hdr.h -- the on-media format of rpmemd's pool header: encode,
 * decode, checksum, slot selection; pure functions on byte buffers (no
 * I/O: pool_map.c reads and writes the pages, pool_store.c decides when)
 *
 * Header page (RPMEMD_POOL_HDR_SIZE bytes at offset 0 of part 0, and of
 * every part in the default mode): two 2048-byte slots, at 0 and 2048.
 * The current header is the valid slot with the highest sequence number;
 * set_attr writes the other slot with the next number and makes it
 * durable, so a crash in the middle leaves a slot whose checksum fails
 * next to the intact old header (old or new, never torn).  A slot, all
 * integers little-endian:
 *     0  magic "RPMEMPL\0"
 *     8  le32 format version (2)
 *    12  le32 flags (RPMEMD_POOL_HDR_SINGLEHDR)
 *    16  le64 usable size
 *    24  le32 nparts
 *    28  le32 part index
 *    32  16-byte pool id (random, ties the parts together)
 *    48  104-byte rpmem_pool_attr (part 0 only; zero in the others)
 *   152  le64 sequence number (create writes 1 into slot 0)
 *   160  le64 FNV-1a 64 of the slot's 2048 bytes with this field zeroed
 *   168  zero up to 2048
 * Version 1 (earlier rpmemd: one header at 0, checksum at 152 over the
 * whole page, the rest zero) is still read, as sequence number 0 in slot
 * 0, with its checksum taken as if bytes 2048..4095 were still zero; the
 * first set_attr writes a version 2 header into slot 1, and a torn one
 * falls back to the version 1 header.  Earlier rpmemd cannot read
 * version 2 (it reports a bad checksum).
 *
 * Decoders return NULL when the bytes are a valid header, else a reason
 * for the client's message ("corrupted pool header (bad checksum)").
 */
#ifndef RPMEMD_POOL_HDR_H
#define RPMEMD_POOL_HDR_H 1

#include <stdint.h>

#include "librpmem.h"
#include "poolset.h"

#define RPMEMD_POOL_HDR_SIZE 4096
#define RPMEMD_POOL_HDR_VERSION 2
#define RPMEMD_POOL_HDR_SINGLEHDR 0x2u
#define RPMEMD_POOL_HDR_NSLOTS 2
#define RPMEMD_POOL_HDR_SLOT_SIZE (RPMEMD_POOL_HDR_SIZE / \
	RPMEMD_POOL_HDR_NSLOTS)				/* 2048 */
#define RPMEMD_POOL_ID_LEN 16

/* the decoded fields of a header slot */
struct rpmemd_pool_hdr {
	uint32_t version;
	uint32_t flags;
	uint64_t usable;
	uint32_t nparts;
	uint32_t part;
	uint8_t pool_id[RPMEMD_POOL_ID_LEN];
	struct rpmem_pool_attr attr;
	uint64_t seq;		/* 0 for a version 1 header */
};

/*
 * rpmemd_pool_hdr_slot_encode -- the RPMEMD_POOL_HDR_SLOT_SIZE-byte image
 * of h as a version 2 slot (h->version is not looked at), checksummed
 */
void rpmemd_pool_hdr_slot_encode(const struct rpmemd_pool_hdr *h,
		uint8_t *slot);

/*
 * rpmemd_pool_hdr_page_encode -- a fresh RPMEMD_POOL_HDR_SIZE-byte header
 * page: slot 0 holds h, slot 1 is zero
 */
void rpmemd_pool_hdr_page_encode(const struct rpmemd_pool_hdr *h,
		uint8_t *page);

/*
 * rpmemd_pool_hdr_decode -- the current header of a page: the valid slot
 * with the highest sequence number (a torn slot fails its checksum and
 * the other one stands); NULL when one is valid, with *h filled and *slot
 * (optional) saying which; else the reason slot 0 is invalid (or slot
 * 1's, when only slot 1 has the magic)
 */
const char *rpmemd_pool_hdr_decode(const uint8_t *page,
		struct rpmemd_pool_hdr *h, unsigned *slot);

/* rpmemd_pool_hdr_flags -- header flags for a set's header mode */
uint32_t rpmemd_pool_hdr_flags(const struct rpmemd_poolset *set);

/*
 * rpmemd_pool_hdr_check -- does a decoded header belong to part i of this
 * set; pool_id NULL takes any id (part 0: it defines the id).  NULL when
 * it does, else the reason.
 */
const char *rpmemd_pool_hdr_check(const struct rpmemd_poolset *set,
		const struct rpmemd_pool_hdr *h, unsigned i,
		const uint8_t *pool_id);

#endif /* RPMEMD_POOL_HDR_H */
