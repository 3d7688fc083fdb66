/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_hdr.c -- rpmemd's pool header codec (the format: pool_hdr.h)
 */
#include <stdint.h>
#include <string.h>

#include "pool_hdr.h"
#include "rpmem_proto.h"

#define HDR_MAGIC "RPMEMPL"	/* 8 bytes with the NUL */
#define HDR_MAGIC_LEN 8
#define HDR_OFF_VERSION 8
#define HDR_OFF_FLAGS 12
#define HDR_OFF_USABLE 16
#define HDR_OFF_NPARTS 24
#define HDR_OFF_PART 28
#define HDR_OFF_POOL_ID 32
#define HDR_OFF_ATTR 48
#define HDR_OFF_SEQ (HDR_OFF_ATTR + RPMEM_ATTR_WIRE_SIZE)	/* 152 */
#define HDR_OFF_CSUM (HDR_OFF_SEQ + 8)				/* 160 */
#define HDR_V1 1		/* one header, checksum over the page at 152 */
#define HDR_V1_OFF_CSUM 152
#define HDR_NSLOTS RPMEMD_POOL_HDR_NSLOTS
#define HDR_SLOT_SIZE RPMEMD_POOL_HDR_SLOT_SIZE
#define HDR_POOL_ID_LEN RPMEMD_POOL_ID_LEN

/* hdr_attr_encode -- rpmem_pool_attr to its 104-byte LE form */
static void
hdr_attr_encode(const struct rpmem_pool_attr *a, uint8_t *p)
{
	memcpy(p, a->signature, RPMEM_POOL_HDR_SIG_LEN);
	p += RPMEM_POOL_HDR_SIG_LEN;
	rpmem_put_le32(p, a->major);
	rpmem_put_le32(p + 4, a->compat_features);
	rpmem_put_le32(p + 8, a->incompat_features);
	rpmem_put_le32(p + 12, a->ro_compat_features);
	p += 16;
	memcpy(p, a->poolset_uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->next_uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->prev_uuid, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(p, a->user_flags, RPMEM_POOL_USER_FLAGS_LEN);
}

/* hdr_attr_decode -- the 104-byte LE form to rpmem_pool_attr */
static void
hdr_attr_decode(const uint8_t *p, struct rpmem_pool_attr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, p, RPMEM_POOL_HDR_SIG_LEN);
	p += RPMEM_POOL_HDR_SIG_LEN;
	a->major = rpmem_get_le32(p);
	a->compat_features = rpmem_get_le32(p + 4);
	a->incompat_features = rpmem_get_le32(p + 8);
	a->ro_compat_features = rpmem_get_le32(p + 12);
	p += 16;
	memcpy(a->poolset_uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->next_uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->prev_uuid, p, RPMEM_POOL_HDR_UUID_LEN);
	p += RPMEM_POOL_HDR_UUID_LEN;
	memcpy(a->user_flags, p, RPMEM_POOL_USER_FLAGS_LEN);
}

/*
 * hdr_fnv -- continue FNV-1a 64 over len bytes of buf (NULL: zero
 * bytes), the 8 bytes at skip counted as zero (skip >= len: none)
 */
static uint64_t
hdr_fnv(uint64_t h, const uint8_t *buf, size_t len, size_t skip)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = (buf == NULL || (i >= skip && i < skip + 8)) ?
			0 : buf[i];
		h ^= b;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define HDR_FNV_INIT 0xcbf29ce484222325ULL

/* hdr_slot_csum -- a version 2 slot's checksum: its 2048 bytes */
static uint64_t
hdr_slot_csum(const uint8_t *slot)
{
	return hdr_fnv(HDR_FNV_INIT, slot, HDR_SLOT_SIZE, HDR_OFF_CSUM);
}

/*
 * hdr_v1_csum -- a version 1 header's checksum: it covered the whole
 * page, whose second half it left zero; counting that half as zero keeps
 * a version 1 header valid after slot 1 was written over it (the upgrade
 * on the first set_attr), so a torn upgrade still falls back to it
 */
static uint64_t
hdr_v1_csum(const uint8_t *page)
{
	uint64_t h = hdr_fnv(HDR_FNV_INIT, page, HDR_SLOT_SIZE,
			HDR_V1_OFF_CSUM);
	return hdr_fnv(h, NULL, RPMEMD_POOL_HDR_SIZE - HDR_SLOT_SIZE,
			SIZE_MAX);
}

/* rpmemd_pool_hdr_slot_encode -- build one 2048-byte slot image */
void
rpmemd_pool_hdr_slot_encode(const struct rpmemd_pool_hdr *h, uint8_t *slot)
{
	memset(slot, 0, HDR_SLOT_SIZE);
	memcpy(slot, HDR_MAGIC, HDR_MAGIC_LEN);
	rpmem_put_le32(slot + HDR_OFF_VERSION, RPMEMD_POOL_HDR_VERSION);
	rpmem_put_le32(slot + HDR_OFF_FLAGS, h->flags);
	rpmem_put_le64(slot + HDR_OFF_USABLE, h->usable);
	rpmem_put_le32(slot + HDR_OFF_NPARTS, h->nparts);
	rpmem_put_le32(slot + HDR_OFF_PART, h->part);
	memcpy(slot + HDR_OFF_POOL_ID, h->pool_id, HDR_POOL_ID_LEN);
	hdr_attr_encode(&h->attr, slot + HDR_OFF_ATTR);
	rpmem_put_le64(slot + HDR_OFF_SEQ, h->seq);
	rpmem_put_le64(slot + HDR_OFF_CSUM, hdr_slot_csum(slot));
}

/* rpmemd_pool_hdr_page_encode -- a fresh page: slot 0 h, slot 1 zero */
void
rpmemd_pool_hdr_page_encode(const struct rpmemd_pool_hdr *h, uint8_t *page)
{
	rpmemd_pool_hdr_slot_encode(h, page);
	memset(page + HDR_SLOT_SIZE, 0, RPMEMD_POOL_HDR_SIZE - HDR_SLOT_SIZE);
}

/* hdr_slot_decode -- check one slot of a page; NULL when valid */
static const char *
hdr_slot_decode(const uint8_t *page, unsigned i, struct rpmemd_pool_hdr *h)
{
	const uint8_t *slot = page + (size_t)i * HDR_SLOT_SIZE;

	if (memcmp(slot, HDR_MAGIC, HDR_MAGIC_LEN) != 0)
		return "no pool header (bad magic)";
	h->version = rpmem_get_le32(slot + HDR_OFF_VERSION);
	if (h->version == HDR_V1 && i == 0) {
		if (rpmem_get_le64(slot + HDR_V1_OFF_CSUM) !=
				hdr_v1_csum(page))
			return "corrupted pool header (bad checksum)";
		h->seq = 0;
	} else if (h->version == RPMEMD_POOL_HDR_VERSION) {
		if (rpmem_get_le64(slot + HDR_OFF_CSUM) !=
				hdr_slot_csum(slot))
			return "corrupted pool header (bad checksum)";
		h->seq = rpmem_get_le64(slot + HDR_OFF_SEQ);
	} else {
		return "unsupported pool header version";
	}
	h->flags = rpmem_get_le32(slot + HDR_OFF_FLAGS);
	h->usable = rpmem_get_le64(slot + HDR_OFF_USABLE);
	h->nparts = rpmem_get_le32(slot + HDR_OFF_NPARTS);
	h->part = rpmem_get_le32(slot + HDR_OFF_PART);
	memcpy(h->pool_id, slot + HDR_OFF_POOL_ID, HDR_POOL_ID_LEN);
	hdr_attr_decode(slot + HDR_OFF_ATTR, &h->attr);
	return NULL;
}

/*
 * rpmemd_pool_hdr_decode -- the current header of a 4096-byte page: the
 * valid slot with the highest sequence number
 */
const char *
rpmemd_pool_hdr_decode(const uint8_t *page, struct rpmemd_pool_hdr *h,
		unsigned *slot)
{
	struct rpmemd_pool_hdr cand[HDR_NSLOTS];
	const char *why[HDR_NSLOTS];
	int best = -1;

	for (unsigned i = 0; i < HDR_NSLOTS; i++) {
		memset(&cand[i], 0, sizeof(cand[i]));
		why[i] = hdr_slot_decode(page, i, &cand[i]);
		if (why[i] == NULL &&
		    (best < 0 || cand[i].seq > cand[best].seq))
			best = (int)i;
	}
	if (best >= 0) {
		*h = cand[best];
		if (slot != NULL)
			*slot = (unsigned)best;
		return NULL;
	}
	/* every pool starts in slot 0: its reason, unless only 1 has one */
	if (memcmp(page, HDR_MAGIC, HDR_MAGIC_LEN) != 0 &&
	    memcmp(page + HDR_SLOT_SIZE, HDR_MAGIC, HDR_MAGIC_LEN) == 0)
		return why[1];
	return why[0];
}

/* rpmemd_pool_hdr_flags -- header flags for a set's header mode */
uint32_t
rpmemd_pool_hdr_flags(const struct rpmemd_poolset *set)
{
	return set->hdr_mode == RPMEMD_HDR_SINGLE ?
		RPMEMD_POOL_HDR_SINGLEHDR : 0;
}

/* rpmemd_pool_hdr_check -- does a decoded header belong to part i */
const char *
rpmemd_pool_hdr_check(const struct rpmemd_poolset *set,
		const struct rpmemd_pool_hdr *h, unsigned i,
		const uint8_t *pool_id)
{
	if (h->flags != rpmemd_pool_hdr_flags(set))
		return "header mode differs from the pool set's OPTION";
	if (h->nparts != set->nparts)
		return "the number of parts differs from the pool set";
	if (h->usable != set->usable_size)
		return "the pool size differs from the pool set";
	if (h->part != i)
		return "the part is not at its place in the pool set";
	if (pool_id && memcmp(h->pool_id, pool_id, HDR_POOL_ID_LEN) != 0)
		return "the part belongs to another pool";
	return NULL;
}
