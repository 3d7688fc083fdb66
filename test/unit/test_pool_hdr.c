/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_pool_hdr.c -- rpmemd's pool header codec (rpmemd/pool_hdr.c) on
 * byte buffers, no files: every field round-trips and sits at its
 * documented offset; every single flipped byte (and bit) of a slot is
 * rejected by the checksum; the current slot is the valid one with the
 * highest sequence number, a torn slot falls back to the other, two
 * invalid slots give the right reason; version 1 headers are still read
 * (and a torn upgrade falls back to them); the part/pool checks; encoders
 * write exactly their slot or page and decoders read only their page.
 *
 * The checksum and the little-endian fields are written again here, so
 * that the test does not trust the code it checks.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "librpmem.h"
#include "pool_hdr.h"
#include "poolset.h"
#include "hdr_oracle.h"

#define PAGE RPMEMD_POOL_HDR_SIZE	/* 4096 */
#define SLOT RPMEMD_POOL_HDR_SLOT_SIZE	/* 2048 */
#define OFF_SEQ 152
#define OFF_CSUM 160
#define SLOT_USED 168		/* bytes of a slot that are not padding */
#define V1_OFF_CSUM 152
#define LINE 64			/* what a power cut tears at */

#define BAD_MAGIC "no pool header (bad magic)"
#define BAD_CSUM "corrupted pool header (bad checksum)"
#define BAD_VERSION "unsupported pool header version"

/* get_le32 / get_le64 / put_le32 / put_le64 -- little-endian fields */
static uint32_t
get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

static uint64_t
get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* fill_attr -- every byte of the attributes distinct from its neighbours */
static void
fill_attr(struct rpmem_pool_attr *a, unsigned seed)
{
	memset(a, 0, sizeof(*a));
	for (unsigned i = 0; i < RPMEM_POOL_HDR_SIG_LEN; i++)
		a->signature[i] = (char)('A' + (i + seed) % 26);
	a->major = 0x01020304u + seed;
	a->compat_features = 0x11121314u + seed;
	a->incompat_features = 0x21222324u + seed;
	a->ro_compat_features = 0x31323334u + seed;
	for (unsigned i = 0; i < RPMEM_POOL_HDR_UUID_LEN; i++) {
		a->poolset_uuid[i] = (unsigned char)(0x40 + i + seed);
		a->uuid[i] = (unsigned char)(0x60 + i + seed);
		a->next_uuid[i] = (unsigned char)(0x80 + i + seed);
		a->prev_uuid[i] = (unsigned char)(0xa0 + i + seed);
	}
	for (unsigned i = 0; i < RPMEM_POOL_USER_FLAGS_LEN; i++)
		a->user_flags[i] = (unsigned char)(0xc0 + i + seed);
}

/* make_hdr -- a header with every field set from seed */
static struct rpmemd_pool_hdr
make_hdr(unsigned seed, uint64_t seq)
{
	struct rpmemd_pool_hdr h;

	memset(&h, 0, sizeof(h));
	h.version = RPMEMD_POOL_HDR_VERSION;
	h.flags = seed & 1 ? RPMEMD_POOL_HDR_SINGLEHDR : 0;
	h.usable = ((uint64_t)0x0102030405u << 12) + seed * 4096u;
	h.nparts = 3 + seed;
	h.part = seed % 3;
	for (unsigned i = 0; i < RPMEMD_POOL_ID_LEN; i++)
		h.pool_id[i] = (uint8_t)(0xe0 + i + seed);
	fill_attr(&h.attr, seed);
	h.seq = seq;
	return h;
}

/* assert_attr_eq -- every field of two attributes */
static void
assert_attr_eq(const struct rpmem_pool_attr *a,
		const struct rpmem_pool_attr *b)
{
	ck_assert_mem_eq(a->signature, b->signature, RPMEM_POOL_HDR_SIG_LEN);
	ck_assert_uint_eq(a->major, b->major);
	ck_assert_uint_eq(a->compat_features, b->compat_features);
	ck_assert_uint_eq(a->incompat_features, b->incompat_features);
	ck_assert_uint_eq(a->ro_compat_features, b->ro_compat_features);
	ck_assert_mem_eq(a->poolset_uuid, b->poolset_uuid,
		RPMEM_POOL_HDR_UUID_LEN);
	ck_assert_mem_eq(a->uuid, b->uuid, RPMEM_POOL_HDR_UUID_LEN);
	ck_assert_mem_eq(a->next_uuid, b->next_uuid, RPMEM_POOL_HDR_UUID_LEN);
	ck_assert_mem_eq(a->prev_uuid, b->prev_uuid, RPMEM_POOL_HDR_UUID_LEN);
	ck_assert_mem_eq(a->user_flags, b->user_flags,
		RPMEM_POOL_USER_FLAGS_LEN);
	ck_assert_mem_eq(a, b, sizeof(*a));
}

/* assert_hdr_eq -- every field of two headers (decoded version 2) */
static void
assert_hdr_eq(const struct rpmemd_pool_hdr *got,
		const struct rpmemd_pool_hdr *want)
{
	ck_assert_uint_eq(got->version, want->version);
	ck_assert_uint_eq(got->flags, want->flags);
	ck_assert_uint_eq(got->usable, want->usable);
	ck_assert_uint_eq(got->nparts, want->nparts);
	ck_assert_uint_eq(got->part, want->part);
	ck_assert_mem_eq(got->pool_id, want->pool_id, RPMEMD_POOL_ID_LEN);
	assert_attr_eq(&got->attr, &want->attr);
	ck_assert_uint_eq(got->seq, want->seq);
}

/* hdr_eq -- assert_hdr_eq without Check's cost, for the long loops */
static int
hdr_eq(const struct rpmemd_pool_hdr *a, const struct rpmemd_pool_hdr *b)
{
	return a->version == b->version && a->flags == b->flags &&
		a->usable == b->usable && a->nparts == b->nparts &&
		a->part == b->part && a->seq == b->seq &&
		memcmp(a->pool_id, b->pool_id, sizeof(a->pool_id)) == 0 &&
		memcmp(&a->attr, &b->attr, sizeof(a->attr)) == 0;
}

/* decode -- rpmemd_pool_hdr_decode expecting success; returns the slot */
static unsigned
decode(const uint8_t *page, struct rpmemd_pool_hdr *h)
{
	unsigned slot = 99;
	const char *why = rpmemd_pool_hdr_decode(page, h, &slot);

	ck_assert_msg(why == NULL, "decode failed: %s", why);
	ck_assert_uint_lt(slot, RPMEMD_POOL_HDR_NSLOTS);
	return slot;
}

/* refused -- rpmemd_pool_hdr_decode fails with this reason */
static void
refused(const uint8_t *page, const char *reason)
{
	struct rpmemd_pool_hdr h;
	const char *why = rpmemd_pool_hdr_decode(page, &h, NULL);

	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, reason);
}

/* two_slots -- a page: a in slot 0, b in slot 1 */
static void
two_slots(uint8_t *page, const struct rpmemd_pool_hdr *a,
		const struct rpmemd_pool_hdr *b)
{
	rpmemd_pool_hdr_page_encode(a, page);
	rpmemd_pool_hdr_slot_encode(b, page + SLOT);
}

/*
 * v1_page -- a version 1 header page as earlier rpmemd wrote it: one
 * header at 0 (the same fields up to the attributes), checksum at 152
 * over the whole page with the field zeroed, the rest zero
 */
static void
v1_page(uint8_t *page, const struct rpmemd_pool_hdr *h)
{
	const struct rpmem_pool_attr *a = &h->attr;
	uint8_t *p = page + 48;

	memset(page, 0, PAGE);
	memcpy(page, "RPMEMPL\0", 8);
	put_le32(page + 8, 1);
	put_le32(page + 12, h->flags);
	put_le64(page + 16, h->usable);
	put_le32(page + 24, h->nparts);
	put_le32(page + 28, h->part);
	memcpy(page + 32, h->pool_id, RPMEMD_POOL_ID_LEN);
	memcpy(p, a->signature, 8);
	put_le32(p + 8, a->major);
	put_le32(p + 12, a->compat_features);
	put_le32(p + 16, a->incompat_features);
	put_le32(p + 20, a->ro_compat_features);
	memcpy(p + 24, a->poolset_uuid, 16);
	memcpy(p + 40, a->uuid, 16);
	memcpy(p + 56, a->next_uuid, 16);
	memcpy(p + 72, a->prev_uuid, 16);
	memcpy(p + 88, a->user_flags, 16);
	put_le64(page + V1_OFF_CSUM, fnv(FNV_INIT, page, PAGE, V1_OFF_CSUM));
}

START_TEST(round_trip)
{
	uint8_t page[PAGE];
	struct rpmemd_pool_hdr h, got;

	for (unsigned seed = 0; seed < 4; seed++) {
		/* a fresh page: slot 0 */
		h = make_hdr(seed, 1 + seed);
		rpmemd_pool_hdr_page_encode(&h, page);
		memset(&got, 0x5a, sizeof(got));
		ck_assert_uint_eq(decode(page, &got), 0);
		assert_hdr_eq(&got, &h);

		/* the next one in slot 1 */
		struct rpmemd_pool_hdr next = make_hdr(seed + 10, 2 + seed);
		rpmemd_pool_hdr_slot_encode(&next, page + SLOT);
		memset(&got, 0x5a, sizeof(got));
		ck_assert_uint_eq(decode(page, &got), 1);
		assert_hdr_eq(&got, &next);
	}

	/* zero attributes are attributes: they come back zero */
	h = make_hdr(1, 1);
	memset(&h.attr, 0, sizeof(h.attr));
	rpmemd_pool_hdr_page_encode(&h, page);
	memset(&got, 0x5a, sizeof(got));
	decode(page, &got);
	assert_hdr_eq(&got, &h);

	/* the encoder writes version 2 whatever h->version says */
	h = make_hdr(2, 5);
	h.version = 7;
	rpmemd_pool_hdr_page_encode(&h, page);
	decode(page, &got);
	ck_assert_uint_eq(got.version, RPMEMD_POOL_HDR_VERSION);
	h.version = RPMEMD_POOL_HDR_VERSION;
	assert_hdr_eq(&got, &h);

	/* a NULL slot pointer is allowed */
	ck_assert_ptr_null(rpmemd_pool_hdr_decode(page, &got, NULL));
}
END_TEST

START_TEST(layout)
{
	uint8_t page[PAGE];
	struct rpmemd_pool_hdr h = make_hdr(3, 0x1122334455667788ull);
	const struct rpmem_pool_attr *a = &h.attr;
	const uint8_t *p = page + 48;

	rpmemd_pool_hdr_page_encode(&h, page);
	ck_assert_mem_eq(page, "RPMEMPL\0", 8);
	ck_assert_uint_eq(get_le32(page + 8), 2);
	ck_assert_uint_eq(get_le32(page + 12), h.flags);
	ck_assert_uint_eq(get_le64(page + 16), h.usable);
	ck_assert_uint_eq(get_le32(page + 24), h.nparts);
	ck_assert_uint_eq(get_le32(page + 28), h.part);
	ck_assert_mem_eq(page + 32, h.pool_id, 16);
	ck_assert_mem_eq(p, a->signature, 8);
	ck_assert_uint_eq(get_le32(p + 8), a->major);
	ck_assert_uint_eq(get_le32(p + 12), a->compat_features);
	ck_assert_uint_eq(get_le32(p + 16), a->incompat_features);
	ck_assert_uint_eq(get_le32(p + 20), a->ro_compat_features);
	ck_assert_mem_eq(p + 24, a->poolset_uuid, 16);
	ck_assert_mem_eq(p + 40, a->uuid, 16);
	ck_assert_mem_eq(p + 56, a->next_uuid, 16);
	ck_assert_mem_eq(p + 72, a->prev_uuid, 16);
	ck_assert_mem_eq(p + 88, a->user_flags, 16);
	ck_assert_uint_eq(get_le64(page + OFF_SEQ), h.seq);
	ck_assert_uint_eq(get_le64(page + OFF_CSUM),
		fnv(FNV_INIT, page, SLOT, OFF_CSUM));
	/* the rest of slot 0 and all of slot 1 are zero */
	for (size_t i = SLOT_USED; i < PAGE; i++)
		ck_assert_msg(page[i] == 0, "byte %zu", i);
}
END_TEST

/*
 * flip_all -- flip every byte of [from, from + SLOT) in turn, each bit
 * alone and then all eight: the page must be refused (want NULL) or still
 * give the header want
 */
static void
flip_all(uint8_t *page, size_t from, const struct rpmemd_pool_hdr *want)
{
	static const uint8_t masks[] = {
		0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff,
	};
	struct rpmemd_pool_hdr got;

	for (size_t i = from; i < from + SLOT; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			page[i] ^= masks[m];
			const char *why = rpmemd_pool_hdr_decode(page, &got,
					NULL);
			if (want == NULL) {
				ck_assert_msg(why != NULL, "byte %zu ^ 0x%02x "
					"accepted", i, masks[m]);
			} else {
				ck_assert_msg(why == NULL && hdr_eq(&got, want),
					"byte %zu ^ 0x%02x: %s", i, masks[m],
					why ? why : "another header");
			}
			page[i] ^= masks[m];
		}
	}
}

START_TEST(every_byte_flipped)
{
	uint8_t page[PAGE];
	struct rpmemd_pool_hdr h0 = make_hdr(1, 7);
	struct rpmemd_pool_hdr h1 = make_hdr(2, 8);
	struct rpmemd_pool_hdr got;

	/* one slot: any flipped byte of it, padding included, is refused */
	rpmemd_pool_hdr_page_encode(&h0, page);
	flip_all(page, 0, NULL);
	/* ... the right reason for the magic, version and checksum */
	page[0] ^= 0xff;
	refused(page, BAD_MAGIC);
	page[0] ^= 0xff;
	page[8] ^= 0x04;
	refused(page, BAD_VERSION);
	page[8] ^= 0x04;
	page[OFF_CSUM + 7] ^= 0x80;
	refused(page, BAD_CSUM);
	page[OFF_CSUM + 7] ^= 0x80;
	page[OFF_SEQ] ^= 0x01;
	refused(page, BAD_CSUM);
	page[OFF_SEQ] ^= 0x01;
	page[SLOT - 1] ^= 0x01;
	refused(page, BAD_CSUM);
	page[SLOT - 1] ^= 0x01;
	/* and the page is intact again */
	decode(page, &got);
	assert_hdr_eq(&got, &h0);

	/* two valid slots: a flip in either leaves the other standing */
	two_slots(page, &h0, &h1);
	flip_all(page, SLOT, &h0);
	flip_all(page, 0, &h1);
}
END_TEST

START_TEST(slot_selection)
{
	uint8_t page[PAGE];
	struct rpmemd_pool_hdr a = make_hdr(0, 5), b = make_hdr(1, 6), got;

	/* the higher sequence number wins, in either slot */
	two_slots(page, &a, &b);
	ck_assert_uint_eq(decode(page, &got), 1);
	assert_hdr_eq(&got, &b);
	a.seq = 7;
	two_slots(page, &a, &b);
	ck_assert_uint_eq(decode(page, &got), 0);
	assert_hdr_eq(&got, &a);

	/* a tie (never written) keeps slot 0 */
	a.seq = b.seq = 9;
	two_slots(page, &a, &b);
	ck_assert_uint_eq(decode(page, &got), 0);
	assert_hdr_eq(&got, &a);

	/* only slot 1 valid: slot 1 */
	rpmemd_pool_hdr_slot_encode(&b, page + SLOT);
	memset(page, 0, SLOT);
	ck_assert_uint_eq(decode(page, &got), 1);
	assert_hdr_eq(&got, &b);
}
END_TEST

START_TEST(torn_slot)
{
	uint8_t page[PAGE], slot[SLOT];
	struct rpmemd_pool_hdr cur = make_hdr(0, 3), old = make_hdr(1, 2);
	struct rpmemd_pool_hdr next = make_hdr(2, 4), got;

	/* a first set_attr: slot 1 zero, the new slot cut after a line */
	rpmemd_pool_hdr_page_encode(&cur, page);
	rpmemd_pool_hdr_slot_encode(&next, slot);
	memcpy(page + SLOT, slot, LINE);
	ck_assert_uint_eq(decode(page, &got), 0);
	assert_hdr_eq(&got, &cur);

	/*
	 * over an older header, cut after every byte: the old header or
	 * the whole new one (once the cut is past the bytes that differ),
	 * never a mix
	 */
	for (size_t cut = 0; cut <= SLOT; cut++) {
		two_slots(page, &cur, &old);
		memcpy(page + SLOT, slot, cut);
		unsigned s = decode(page, &got);
		if (s == 0) {
			assert_hdr_eq(&got, &cur);
			ck_assert_uint_lt(cut, SLOT_USED);
		} else {
			assert_hdr_eq(&got, &next);
		}
	}
	/* the same cut into slot 0 while slot 1 is current */
	rpmemd_pool_hdr_slot_encode(&cur, slot);
	for (size_t cut = 1; cut < SLOT_USED; cut++) {
		two_slots(page, &old, &next);
		memcpy(page, slot, cut);
		ck_assert_uint_eq(decode(page, &got), 1);
		assert_hdr_eq(&got, &next);
	}
}
END_TEST

START_TEST(both_invalid)
{
	uint8_t page[PAGE];
	struct rpmemd_pool_hdr a = make_hdr(0, 1), b = make_hdr(1, 2);

	/* nothing: slot 0's reason */
	memset(page, 0, sizeof(page));
	refused(page, BAD_MAGIC);

	/* slot 0 corrupted, slot 1 empty: slot 0's reason */
	rpmemd_pool_hdr_page_encode(&a, page);
	page[100] ^= 1;
	refused(page, BAD_CSUM);

	/* slot 0 an unknown version: its reason */
	rpmemd_pool_hdr_page_encode(&a, page);
	put_le32(page + 8, 3);
	refused(page, BAD_VERSION);

	/* slot 0 empty, slot 1 corrupted: slot 1's reason */
	memset(page, 0, sizeof(page));
	rpmemd_pool_hdr_slot_encode(&b, page + SLOT);
	page[SLOT + 200] ^= 1;
	refused(page, BAD_CSUM);
	put_le32(page + SLOT + 8, 0);
	refused(page, BAD_VERSION);

	/* both with a magic, both bad: slot 0's reason */
	two_slots(page, &a, &b);
	page[50] ^= 1;
	put_le32(page + SLOT + 8, 9);
	refused(page, BAD_CSUM);
	two_slots(page, &a, &b);
	put_le32(page + 8, 9);
	page[SLOT + 50] ^= 1;
	refused(page, BAD_VERSION);
}
END_TEST

START_TEST(version1)
{
	uint8_t page[PAGE], slot[SLOT];
	struct rpmemd_pool_hdr h = make_hdr(1, 0), got;

	/* read as sequence 0 in slot 0, every field */
	v1_page(page, &h);
	h.version = 1;
	ck_assert_uint_eq(decode(page, &got), 0);
	assert_hdr_eq(&got, &h);

	/* every flipped byte of its first half is refused */
	flip_all(page, 0, NULL);
	v1_page(page, &h);
	page[V1_OFF_CSUM] ^= 1;
	refused(page, BAD_CSUM);

	/*
	 * the upgrade: a version 2 header written into slot 1 wins; torn
	 * (cut after any byte), the version 1 header stands, because its
	 * checksum counts the second half as zero
	 */
	struct rpmemd_pool_hdr next = make_hdr(2, 1);
	rpmemd_pool_hdr_slot_encode(&next, slot);
	size_t end = SLOT_USED;		/* past the last non-zero byte */
	while (end > 0 && slot[end - 1] == 0)
		end--;
	for (size_t cut = 0; cut <= SLOT; cut++) {
		v1_page(page, &h);
		memcpy(page + SLOT, slot, cut);
		unsigned s = decode(page, &got);
		if (cut < end) {
			ck_assert_uint_eq(s, 0);
			assert_hdr_eq(&got, &h);
		} else {
			ck_assert_uint_eq(s, 1);
			assert_hdr_eq(&got, &next);
		}
	}

	/* version 1 is read in slot 0 only */
	v1_page(page, &h);
	memcpy(page + SLOT, page, SLOT);
	memset(page, 0, SLOT);
	refused(page, BAD_VERSION);
}
END_TEST

START_TEST(hdr_check)
{
	struct rpmemd_part parts[3];
	struct rpmemd_poolset set = {
		.name = "x.set",
		.hdr_mode = RPMEMD_HDR_DEFAULT,
		.nparts = 3,
		.parts = parts,
		.usable_size = 40960,
		.hdr_size = RPMEMD_POOL_HDR_SIZE,
	};
	struct rpmemd_pool_hdr h = make_hdr(0, 1);
	uint8_t other[RPMEMD_POOL_ID_LEN];

	memset(parts, 0, sizeof(parts));
	ck_assert_uint_eq(rpmemd_pool_hdr_flags(&set), 0);
	h.flags = 0;
	h.nparts = 3;
	h.usable = 40960;
	h.part = 2;
	ck_assert_ptr_null(rpmemd_pool_hdr_check(&set, &h, 2, NULL));
	ck_assert_ptr_null(rpmemd_pool_hdr_check(&set, &h, 2, h.pool_id));

	memcpy(other, h.pool_id, sizeof(other));
	other[15] ^= 1;
	ck_assert_str_eq(rpmemd_pool_hdr_check(&set, &h, 2, other),
		"the part belongs to another pool");
	ck_assert_str_eq(rpmemd_pool_hdr_check(&set, &h, 1, NULL),
		"the part is not at its place in the pool set");
	h.usable += 4096;
	ck_assert_str_eq(rpmemd_pool_hdr_check(&set, &h, 2, NULL),
		"the pool size differs from the pool set");
	h.nparts = 2;
	ck_assert_str_eq(rpmemd_pool_hdr_check(&set, &h, 2, NULL),
		"the number of parts differs from the pool set");
	h.flags = RPMEMD_POOL_HDR_SINGLEHDR;
	ck_assert_str_eq(rpmemd_pool_hdr_check(&set, &h, 2, NULL),
		"header mode differs from the pool set's OPTION");

	/* SINGLEHDR sets want the flag; NOHDRS sets have none */
	set.hdr_mode = RPMEMD_HDR_SINGLE;
	ck_assert_uint_eq(rpmemd_pool_hdr_flags(&set),
		RPMEMD_POOL_HDR_SINGLEHDR);
	h = make_hdr(0, 1);
	h.flags = RPMEMD_POOL_HDR_SINGLEHDR;
	h.nparts = 3;
	h.usable = 40960;
	h.part = 0;
	ck_assert_ptr_null(rpmemd_pool_hdr_check(&set, &h, 0, NULL));
	h.flags = 0;
	ck_assert_str_eq(rpmemd_pool_hdr_check(&set, &h, 0, NULL),
		"header mode differs from the pool set's OPTION");
	set.hdr_mode = RPMEMD_HDR_NONE;
	ck_assert_uint_eq(rpmemd_pool_hdr_flags(&set), 0);
}
END_TEST

START_TEST(bounds)
{
	/* exact-size heap buffers: ASan sees any access outside them */
	uint8_t *slot = malloc(SLOT);
	uint8_t *page = malloc(PAGE);
	uint8_t guarded[PAGE + 64];
	struct rpmemd_pool_hdr h, got;

	ck_assert_ptr_nonnull(slot);
	ck_assert_ptr_nonnull(page);

	/* extreme values round-trip */
	memset(&h, 0xff, sizeof(h));
	h.version = RPMEMD_POOL_HDR_VERSION;
	rpmemd_pool_hdr_slot_encode(&h, slot);
	memset(page, 0, PAGE);
	memcpy(page, slot, SLOT);
	ck_assert_uint_eq(decode(page, &got), 0);
	assert_hdr_eq(&got, &h);
	ck_assert_uint_eq(got.usable, UINT64_MAX);
	ck_assert_uint_eq(got.seq, UINT64_MAX);
	ck_assert_uint_eq(got.nparts, UINT32_MAX);
	ck_assert_uint_eq(got.part, UINT32_MAX);

	/* the largest sequence number wins over 0, no wrap-around */
	struct rpmemd_pool_hdr zero = make_hdr(0, 0);
	rpmemd_pool_hdr_slot_encode(&zero, page + SLOT);
	ck_assert_uint_eq(decode(page, &got), 0);

	/* a slot image is all defined: the padding of a dirty buffer is 0 */
	h = make_hdr(1, 1);
	memset(slot, 0xaa, SLOT);
	rpmemd_pool_hdr_slot_encode(&h, slot);
	for (size_t i = SLOT_USED; i < SLOT; i++)
		ck_assert_msg(slot[i] == 0, "slot byte %zu", i);

	/* the slot encoder writes its 2048 bytes, the page encoder 4096 */
	memset(guarded, 0xaa, sizeof(guarded));
	rpmemd_pool_hdr_slot_encode(&h, guarded);
	for (size_t i = SLOT; i < sizeof(guarded); i++)
		ck_assert_msg(guarded[i] == 0xaa, "slot wrote byte %zu", i);
	memset(guarded, 0xaa, sizeof(guarded));
	rpmemd_pool_hdr_page_encode(&h, guarded);
	for (size_t i = SLOT_USED; i < PAGE; i++)
		ck_assert_msg(guarded[i] == 0, "page byte %zu", i);
	for (size_t i = PAGE; i < sizeof(guarded); i++)
		ck_assert_msg(guarded[i] == 0xaa, "page wrote byte %zu", i);

	/* slot 1 encoded at the very end of an exact page */
	rpmemd_pool_hdr_page_encode(&zero, page);
	rpmemd_pool_hdr_slot_encode(&h, page + SLOT);
	ck_assert_uint_eq(decode(page, &got), 1);
	assert_hdr_eq(&got, &h);

	free(slot);
	free(page);
}
END_TEST

/* hdr_suite -- all header codec tests */
static Suite *
hdr_suite(void)
{
	Suite *s = suite_create("pool_hdr");
	TCase *tc = tcase_create("pool_hdr");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, layout);
	tcase_add_test(tc, every_byte_flipped);
	tcase_add_test(tc, slot_selection);
	tcase_add_test(tc, torn_slot);
	tcase_add_test(tc, both_invalid);
	tcase_add_test(tc, version1);
	tcase_add_test(tc, hdr_check);
	tcase_add_test(tc, bounds);
	suite_add_tcase(s, tc);
	return s;
}

/* main -- run the suite */
int
main(void)
{
	SRunner *sr = srunner_create(hdr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
