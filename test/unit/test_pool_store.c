/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_pool_store.c -- the daemon's pool store, in a temporary directory:
 * create/open/set_attr/close/remove, the contiguous mapping of multi-part
 * sets checked against the bytes of the part FILES in all three header
 * modes, the header format (two slots; version 1 still read), set_attr
 * torn at every byte, zero attributes, parts outside poolset-dir, files
 * and directories swapped in after the pool set was read, locking, file
 * modes, every error status and message, and the bounds of the persist
 * callback.  Built with RPMEM_FAULT_INJECTION, also a set_attr stopped
 * half-way and a part that gets no space (ENOSPC), both forced.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "librpmem.h"
#include "pool_map.h"
#include "pool_store.h"
#include "poolset.h"
#include "rpmem_proto.h"
#include "hdr_oracle.h"
#include "unit_fs.h"

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define HDR 4096
#define SLOT 2048		/* a header slot */
#define SLOT_SEQ 152
#define SLOT_CSUM 160
#define SLOT_USED 168		/* bytes of a slot that are not padding */

static char Dir[PATH_MAX];
static char Msg[RPMEM_MSG_TEXT_MAX];
static struct rpmemd_poolset *Set;
static struct rpmemd_pool *Pool;

/* setup -- an empty poolset-dir */
static void
setup(void)
{
	char tmp[] = "/tmp/rpmemd-store-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_ptr_nonnull(realpath(tmp, Dir));
	Set = NULL;
	Pool = NULL;
	Msg[0] = '\0';
}

/* teardown -- close what is open, remove the directory */
static void
teardown(void)
{
	rpmemd_pool_close(&Pool, 0, NULL, 0);
	rpmemd_poolset_delete(&Set);
	unit_rm_tree(Dir);
}

/* path_in -- "<Dir>/<rel>" (four rotating slots) */
static const char *
path_in(const char *rel)
{
	static char buf[4][PATH_MAX + 64];
	static int slot;
	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", Dir, rel);
	return buf[slot];
}

/* exists -- does <Dir>/<rel> exist */
static int
exists(const char *rel)
{
	struct stat st;
	return lstat(path_in(rel), &st) == 0;
}

/* write_file -- create <Dir>/<rel> with text */
static void
write_file(const char *rel, const char *text)
{
	FILE *f = fopen(path_in(rel), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* load_set -- write x.set with text and parse it into Set */
static void
load_set(const char *text)
{
	rpmemd_poolset_delete(&Set);
	write_file("x.set", text);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "x.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_OK);
}

/* read_part -- the whole content of <Dir>/<rel>; *len gets its size */
static uint8_t *
read_part(const char *rel, size_t *len)
{
	struct stat st;
	int fd = open(path_in(rel), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	uint8_t *buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* poke -- overwrite len bytes of <Dir>/<rel> at off */
static void
poke(const char *rel, off_t off, const void *data, size_t len)
{
	int fd = open(path_in(rel), O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, data, len, off), (ssize_t)len);
	close(fd);
}

/* pattern -- the byte expected at pool offset off */
static uint8_t
pattern(size_t off)
{
	return (uint8_t)(off * 31 + (off >> 9) * 7 + 1);
}

/* fill_attr -- a recognisable non-zero attribute */
static void
fill_attr(struct rpmem_pool_attr *a, unsigned seed)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, "PMEMOBJ", 8);
	a->major = 0x01020304u + seed;
	a->compat_features = 0x11121314u;
	a->incompat_features = 0x21222324u;
	a->ro_compat_features = 0x31323334u;
	for (unsigned i = 0; i < RPMEM_POOL_HDR_UUID_LEN; i++) {
		a->poolset_uuid[i] = (unsigned char)(0x40 + i + seed);
		a->uuid[i] = (unsigned char)(0x60 + i);
		a->next_uuid[i] = (unsigned char)(0x80 + i);
		a->prev_uuid[i] = (unsigned char)(0xa0 + i);
		a->user_flags[i] = (unsigned char)(0xc0 + i);
	}
}

/* get_le32 / get_le64 -- little-endian fields of a file image */
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

/* create -- create Pool from Set, expecting status */
static int
create(size_t pool_size, const struct rpmem_pool_attr *attr)
{
	Msg[0] = '\0';
	return rpmemd_pool_create(Set, pool_size, attr, &Pool, Msg,
		sizeof(Msg));
}

/* open_pool -- open Pool from Set */
static int
open_pool(size_t pool_size, struct rpmem_pool_attr *attr)
{
	Msg[0] = '\0';
	return rpmemd_pool_open(Set, pool_size, attr, &Pool, Msg,
		sizeof(Msg));
}

/* close_pool -- close Pool, expecting success */
static void
close_pool(int remove)
{
	ck_assert_int_eq(rpmemd_pool_close(&Pool, remove, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_ptr_null(Pool);
}

/* assert_msg -- Msg is "pool set 'x.set': " + the formatted rest */
__attribute__((format(printf, 1, 2)))
static void
assert_msg(const char *fmt, ...)
{
	char rest[RPMEM_MSG_TEXT_MAX * 2];
	char expect[RPMEM_MSG_TEXT_MAX * 2 + 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	snprintf(expect, sizeof(expect), "pool set 'x.set': %s", rest);
	ck_assert_str_eq(Msg, expect);
}

/* write_pattern -- fill [from, usable) of the mapping with pattern() */
static void
write_pattern(size_t from)
{
	uint8_t *base = rpmemd_pool_addr(Pool);
	size_t size = rpmemd_pool_size(Pool);
	for (size_t off = from; off < size; off++)
		base[off] = pattern(off);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + from, size - from,
		0), RPMEM_ST_OK);
}

/* check_mapping -- [from, usable) of the mapping holds pattern() */
static void
check_mapping(size_t from)
{
	const uint8_t *base = rpmemd_pool_addr(Pool);
	size_t size = rpmemd_pool_size(Pool);
	for (size_t off = from; off < size; off++)
		ck_assert_msg(base[off] == pattern(off), "offset %zu", off);
}

/*
 * check_file -- bytes [file_off, file_off + len) of a part file hold the
 * pattern of pool offsets starting at pool_off
 */
static void
check_file(const char *rel, size_t file_off, size_t pool_off, size_t len)
{
	size_t flen;
	uint8_t *buf = read_part(rel, &flen);
	ck_assert_uint_ge(flen, file_off + len);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(buf[file_off + i] == pattern(pool_off + i),
			"%s at %zu", rel, file_off + i);
	free(buf);
}

/* slot_valid -- is slot s of a header page a valid version 2 slot */
static int
slot_valid(const uint8_t *page, unsigned s)
{
	const uint8_t *b = page + (size_t)s * SLOT;

	return memcmp(b, "RPMEMPL\0", 8) == 0 && get_le32(b + 8) == 2 &&
		get_le64(b + SLOT_CSUM) == fnv(FNV_INIT, b, SLOT, SLOT_CSUM);
}

/* cur_slot -- the valid slot with the highest sequence number, or -1 */
static int
cur_slot(const uint8_t *page)
{
	int best = -1;

	for (unsigned s = 0; s < 2; s++) {
		if (slot_valid(page, s) && (best < 0 ||
		    get_le64(page + s * SLOT + SLOT_SEQ) >
		    get_le64(page + (size_t)best * SLOT + SLOT_SEQ)))
			best = (int)s;
	}
	return best;
}

/* check_attr_bytes -- the 104-byte little-endian attribute block */
static void
check_attr_bytes(const uint8_t *a, const struct rpmem_pool_attr *attr)
{
	ck_assert_mem_eq(a, attr->signature, 8);
	ck_assert_uint_eq(get_le32(a + 8), attr->major);
	ck_assert_uint_eq(get_le32(a + 12), attr->compat_features);
	ck_assert_uint_eq(get_le32(a + 16), attr->incompat_features);
	ck_assert_uint_eq(get_le32(a + 20), attr->ro_compat_features);
	ck_assert_mem_eq(a + 24, attr->poolset_uuid, 16);
	ck_assert_mem_eq(a + 40, attr->uuid, 16);
	ck_assert_mem_eq(a + 56, attr->next_uuid, 16);
	ck_assert_mem_eq(a + 72, attr->prev_uuid, 16);
	ck_assert_mem_eq(a + 88, attr->user_flags, 16);
}

/*
 * check_hdr -- the current header slot of a part file is that of part
 * idx; returns its sequence number (and *slot, when not NULL)
 */
static uint64_t
check_hdr_slot(const char *rel, uint32_t flags, uint64_t usable,
		uint32_t nparts, uint32_t idx,
		const struct rpmem_pool_attr *attr, int *slot)
{
	size_t flen;
	uint8_t *buf = read_part(rel, &flen);
	int s = cur_slot(buf);
	ck_assert_msg(s >= 0, "%s: no valid header slot", rel);
	const uint8_t *b = buf + (size_t)s * SLOT;
	ck_assert_uint_eq(get_le32(b + 12), flags);
	ck_assert_uint_eq(get_le64(b + 16), usable);
	ck_assert_uint_eq(get_le32(b + 24), nparts);
	ck_assert_uint_eq(get_le32(b + 28), idx);
	if (attr != NULL)
		check_attr_bytes(b + 48, attr);
	/* the rest of the slot is zero */
	for (size_t i = SLOT_USED; i < SLOT; i++)
		ck_assert_uint_eq(b[i], 0);
	uint64_t seq = get_le64(b + SLOT_SEQ);
	if (slot != NULL)
		*slot = s;
	free(buf);
	return seq;
}

/* check_hdr -- a fresh header: slot 0, sequence 1, slot 1 all zero */
static void
check_hdr(const char *rel, uint32_t flags, uint64_t usable, uint32_t nparts,
		uint32_t idx, const struct rpmem_pool_attr *attr)
{
	int slot = -1;
	size_t flen;

	ck_assert_uint_eq(check_hdr_slot(rel, flags, usable, nparts, idx,
		attr, &slot), 1);
	ck_assert_int_eq(slot, 0);
	uint8_t *buf = read_part(rel, &flen);
	for (size_t i = SLOT; i < HDR; i++)
		ck_assert_uint_eq(buf[i], 0);
	free(buf);
}

START_TEST(create_then_open)
{
	struct rpmem_pool_attr attr, got;
	struct stat st;

	fill_attr(&attr, 1);
	load_set("PMEMPOOLSET\n1M a\n");
	ck_assert_int_eq(create(MiB, &attr), RPMEM_ST_OK);
	ck_assert_ptr_nonnull(Pool);
	ck_assert_ptr_nonnull(rpmemd_pool_addr(Pool));
	ck_assert_uint_eq(rpmemd_pool_size(Pool), MiB);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), HDR);
	ck_assert_int_eq(rpmemd_pool_created(Pool), 1);
	if (getenv("PMEM_IS_PMEM_FORCE") == NULL)
		ck_assert_int_eq(rpmemd_pool_is_pmem(Pool), 0); /* not DAX */
	close_pool(0);

	ck_assert_int_eq(stat(path_in("a"), &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, MiB);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	check_hdr("a", 0, MiB, 1, 0, &attr);

	memset(&got, 0xee, sizeof(got));
	ck_assert_int_eq(open_pool(MiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &attr, sizeof(attr));
	ck_assert_int_eq(rpmemd_pool_created(Pool), 0);
	ck_assert_uint_eq(rpmemd_pool_size(Pool), MiB);
	/* a smaller client pool is fine */
	close_pool(0);
	ck_assert_int_eq(open_pool(64 * KiB, NULL), RPMEM_ST_OK);
}
END_TEST

START_TEST(mode_ignores_umask)
{
	struct rpmem_pool_attr attr;
	struct stat st;

	fill_attr(&attr, 2);
	umask(0);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	ck_assert_int_eq(stat(path_in("a"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(path_in("b"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
}
END_TEST

START_TEST(multipart_default)
{
	struct rpmem_pool_attr attr, got;
	const size_t usable = 56 * KiB - 2 * HDR;

	fill_attr(&attr, 3);
	load_set("PMEMPOOLSET\n8K a\n16K b\n32K c\n");
	ck_assert_int_eq(create(usable, &attr), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_size(Pool), usable);
	write_pattern(HDR);
	close_pool(0);

	/* part 0: header, then pool [4K, 8K) */
	check_hdr("a", 0, usable, 3, 0, &attr);
	check_file("a", HDR, HDR, 8 * KiB - HDR);
	/* parts 1, 2: own header (attr zero), then the next user bytes */
	struct rpmem_pool_attr zero;
	memset(&zero, 0, sizeof(zero));
	check_hdr("b", 0, usable, 3, 1, &zero);
	check_file("b", HDR, 8 * KiB, 16 * KiB - HDR);
	check_hdr("c", 0, usable, 3, 2, &zero);
	check_file("c", HDR, 8 * KiB + 12 * KiB, 32 * KiB - HDR);
	/* all parts share one pool id */
	size_t l1, l2;
	uint8_t *h0 = read_part("a", &l1), *h2 = read_part("c", &l2);
	ck_assert_mem_eq(h0 + 32, h2 + 32, 16);
	free(h0);
	free(h2);

	/* reopened: the same contiguous bytes and the attributes */
	ck_assert_int_eq(open_pool(usable, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &attr, sizeof(attr));
	check_mapping(HDR);
}
END_TEST

START_TEST(multipart_singlehdr)
{
	struct rpmem_pool_attr attr, got;
	const size_t usable = 56 * KiB;

	fill_attr(&attr, 4);
	load_set("PMEMPOOLSET\nOPTION SINGLEHDR\n8K a\n16K b\n32K c\n");
	ck_assert_int_eq(create(usable, &attr), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_size(Pool), usable);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), HDR);
	write_pattern(HDR);
	close_pool(0);

	check_hdr("a", RPMEMD_POOL_HDR_SINGLEHDR, usable, 3, 0, &attr);
	check_file("a", HDR, HDR, 8 * KiB - HDR);
	/* further parts are user data from their first byte */
	check_file("b", 0, 8 * KiB, 16 * KiB);
	check_file("c", 0, 24 * KiB, 32 * KiB);

	ck_assert_int_eq(open_pool(usable, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &attr, sizeof(attr));
	check_mapping(HDR);
}
END_TEST

START_TEST(multipart_nohdrs)
{
	struct rpmem_pool_attr got;
	const size_t usable = 56 * KiB;

	load_set("PMEMPOOLSET\nOPTION NOHDRS\n8K a\n16K b\n32K c\n");
	ck_assert_int_eq(create(usable, NULL), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_size(Pool), usable);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), 0);
	/* the whole pool is the client's, offset 0 included */
	write_pattern(0);
	close_pool(0);

	check_file("a", 0, 0, 8 * KiB);
	check_file("b", 0, 8 * KiB, 16 * KiB);
	check_file("c", 0, 24 * KiB, 32 * KiB);

	memset(&got, 0xee, sizeof(got));
	ck_assert_int_eq(open_pool(usable, &got), RPMEM_ST_OK);
	ck_assert_int_eq(rpmem_attr_is_zero(&got), 1);
	check_mapping(0);
}
END_TEST

START_TEST(large_pool_alignment)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 5);
	load_set("PMEMPOOLSET\n4M a\n4M b\n");
	ck_assert_int_eq(create(MiB, &attr), RPMEM_ST_OK);
	/* 2 MiB aligned so a DAX mapping can use huge pages */
	ck_assert_uint_eq((uintptr_t)rpmemd_pool_addr(Pool) % (2 * MiB), 0);
	ck_assert_uint_eq(rpmemd_pool_size(Pool), 8 * MiB - HDR);
	/* the last byte of the last part is mapped and lands in the file */
	uint8_t *base = rpmemd_pool_addr(Pool);
	base[8 * MiB - HDR - 1] = 0xab;
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + 8 * MiB - HDR - 1,
		1, 0), RPMEM_ST_OK);
	close_pool(0);
	size_t len;
	uint8_t *b = read_part("b", &len);
	ck_assert_uint_eq(b[4 * MiB - 1], 0xab);
	free(b);
}
END_TEST

START_TEST(create_existing_part)
{
	struct rpmem_pool_attr attr;
	size_t len;

	fill_attr(&attr, 6);
	write_file("b", "keep");
	load_set("PMEMPOOLSET\n16K a\n16K b\n16K c\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_EXISTS);
	ck_assert_ptr_null(Pool);
	assert_msg("part '%s' already exists", path_in("b"));
	/* what we created is gone, what existed is untouched */
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(exists("c"), 0);
	uint8_t *b = read_part("b", &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(b, "keep", 4);
	free(b);

	/* creating over a complete pool */
	ck_assert_int_eq(unlink(path_in("b")), 0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_EXISTS);
	assert_msg("part '%s' already exists", path_in("a"));
	/*
	 * and the existing pool is intact; read the set again, as rpmemd
	 * does per request: "b" is not the file the first parse saw
	 */
	load_set("PMEMPOOLSET\n16K a\n16K b\n16K c\n");
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
}
END_TEST

START_TEST(open_missing)
{
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_NOEXIST);
	ck_assert_ptr_null(Pool);
	assert_msg("part '%s' does not exist", path_in("a"));

	/* only the second part missing */
	struct rpmem_pool_attr attr;
	fill_attr(&attr, 7);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(unlink(path_in("b")), 0);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_NOEXIST);
	assert_msg("part '%s' does not exist", path_in("b"));
}
END_TEST

START_TEST(too_big)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 8);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(28 * KiB + 1, &attr), RPMEM_ST_BADSIZE);
	assert_msg("requested size 28673 exceeds the pool size 28672");
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(exists("b"), 0);
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_BADSIZE), EFBIG);

	ck_assert_int_eq(create(28 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(open_pool(28 * KiB + 4096, NULL), RPMEM_ST_BADSIZE);
	assert_msg("requested size 32768 exceeds the pool size 28672");
}
END_TEST

START_TEST(too_small)
{
	/* the parser never yields this: a hand-made set below the minimum */
	char path[] = "tiny";
	struct rpmemd_part part = {.path = path, .size = 4096};
	struct rpmemd_poolset tiny = {
		.name = "x.set", .path = path, .hdr_mode = RPMEMD_HDR_NONE,
		.nparts = 1, .parts = &part, .total_size = 4096,
		.usable_size = 4096, .hdr_size = 0,
	};
	ck_assert_int_eq(rpmemd_pool_create(&tiny, 4096, NULL, &Pool, Msg,
		sizeof(Msg)), RPMEM_ST_POOL_CFG);
	assert_msg("pool size 4096 is below the minimum 8192");
	ck_assert_int_eq(rpmemd_pool_open(&tiny, 4096, NULL, &Pool, Msg,
		sizeof(Msg)), RPMEM_ST_POOL_CFG);
}
END_TEST

START_TEST(attr_vs_nohdrs)
{
	struct rpmem_pool_attr attr, zero;

	fill_attr(&attr, 9);
	memset(&zero, 0, sizeof(zero));

	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("creating a pool without attributes needs 'OPTION NOHDRS' "
		"in the pool set");
	ck_assert_int_eq(exists("a"), 0);

	load_set("PMEMPOOLSET\nOPTION SINGLEHDR\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, NULL), RPMEM_ST_POOL_CFG);

	load_set("PMEMPOOLSET\nOPTION NOHDRS\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_POOL_CFG);
	assert_msg("the pool set has 'OPTION NOHDRS': a pool with attributes "
		"cannot be created");
	ck_assert_int_eq(exists("a"), 0);
	/* zero attributes on NOHDRS: nothing to keep, a headerless pool */
	ck_assert_int_eq(create(16 * KiB, &zero), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), 0);
}
END_TEST

START_TEST(busy)
{
	struct rpmem_pool_attr attr;
	struct rpmemd_pool *second = NULL;

	fill_attr(&attr, 10);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);

	/* flock is per open file description: a second open conflicts */
	ck_assert_int_eq(rpmemd_pool_open(Set, 16 * KiB, NULL, &second, Msg,
		sizeof(Msg)), RPMEM_ST_BUSY);
	ck_assert_ptr_null(second);
	assert_msg("part '%s' is in use by another process", path_in("a"));

	/* and from another process */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rpmemd_pool *p = NULL;
		_exit(rpmemd_pool_open(Set, 16 * KiB, NULL, &p, NULL, 0));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), RPMEM_ST_BUSY);

	/* closing releases the locks */
	close_pool(0);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
}
END_TEST

START_TEST(set_attr)
{
	struct rpmem_pool_attr attr, attr2, got;

	fill_attr(&attr, 11);
	fill_attr(&attr2, 12);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	write_pattern(HDR);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &attr2, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	int slot = -1;
	ck_assert_uint_eq(check_hdr_slot("a", 0, 28 * KiB, 2, 0, &attr2,
		&slot), 2);
	ck_assert_int_eq(slot, 1);

	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &attr2, sizeof(attr2));
	check_mapping(HDR);	/* user data untouched */

	/* NULL clears them */
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, NULL, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	memset(&got, 0xee, sizeof(got));
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_int_eq(rpmem_attr_is_zero(&got), 1);
	close_pool(0);

	load_set("PMEMPOOLSET\nOPTION NOHDRS\n16K n\n");
	ck_assert_int_eq(create(16 * KiB, NULL), RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &attr, Msg, sizeof(Msg)),
		RPMEM_ST_POOL_CFG);
	assert_msg("the pool has no header (OPTION NOHDRS): attributes cannot "
		"be set");
}
END_TEST

START_TEST(corrupted_headers)
{
	struct rpmem_pool_attr attr;
	uint8_t byte;

	fill_attr(&attr, 13);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);

	/* one flipped attribute byte */
	size_t len;
	uint8_t *a = read_part("a", &len);
	byte = a[60] ^ 0xff;
	poke("a", 60, &byte, 1);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': corrupted pool header (bad checksum)",
		path_in("a"));
	/* a byte past the fields, in the slot's padding, is covered too */
	poke("a", 60, &a[60], 1);
	byte = 1;
	poke("a", 2000, &byte, 1);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': corrupted pool header (bad checksum)",
		path_in("a"));
	byte = 0;
	poke("a", 2000, &byte, 1);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
	close_pool(0);
	/*
	 * garbage in the slot not in use (what a torn set_attr leaves) is
	 * no header and does not hide the current one
	 */
	byte = 1;
	poke("a", 4000, &byte, 1);
	poke("a", SLOT, "RPMEMPL\0\2\0\0\0", 12);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
	close_pool(0);
	/* ... but with the current one broken, there is no header left */
	byte = a[60] ^ 0xff;
	poke("a", 60, &byte, 1);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': corrupted pool header (bad checksum)",
		path_in("a"));
	poke("a", 60, &a[60], 1);
	/* only slot 1 has a magic: its reason is the one given */
	poke("a", 0, "XXXXXXXX", 8);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': corrupted pool header (bad checksum)",
		path_in("a"));
	poke("a", 0, a, 8);
	uint8_t zeros[SLOT];
	memset(zeros, 0, sizeof(zeros));
	poke("a", SLOT, zeros, sizeof(zeros));
	/* an unknown version (a later rpmemd) is not taken for a header */
	uint8_t v3[4] = {3, 0, 0, 0};
	poke("a", 8, v3, 4);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': unsupported pool header version",
		path_in("a"));
	poke("a", 8, a + 8, 4);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
	close_pool(0);

	/* no magic */
	poke("a", 0, "XXXXXXXX", 8);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': no pool header (bad magic)", path_in("a"));
	poke("a", 0, a, 8);

	/* a further part's header */
	poke("b", 0, "XXXXXXXX", 8);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': no pool header (bad magic)", path_in("b"));
	free(a);
}
END_TEST

START_TEST(set_changed)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 14);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);

	/* the parts swapped */
	load_set("PMEMPOOLSET\n16K b\n16K a\n");
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': the part is not at its place in the pool set",
		path_in("b"));

	/* the header mode changed */
	load_set("PMEMPOOLSET\nOPTION SINGLEHDR\n16K a\n16K b\n");
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': header mode differs from the pool set's OPTION",
		path_in("a"));

	/* a part of another pool of the same shape */
	load_set("PMEMPOOLSET\n16K c\n16K d\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(rename(path_in("d"), path_in("b")), 0);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': the part belongs to another pool", path_in("b"));

	/* a size that does not match the set */
	ck_assert_int_eq(truncate(path_in("a"), 8 * KiB), 0);
	ck_assert_int_eq(open_pool(8 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s' is 8192 bytes, the pool set says 16384",
		path_in("a"));
}
END_TEST

START_TEST(close_remove)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 15);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(1);
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(exists("b"), 0);
	ck_assert_int_eq(exists("x.set"), 1);

	/* a pool this session only opened is never removed on close */
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
	close_pool(1);
	ck_assert_int_eq(exists("a"), 1);
	ck_assert_int_eq(exists("b"), 1);
}
END_TEST

START_TEST(remove_pool)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 16);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);

	/* in use: BUSY, nothing removed */
	ck_assert_int_eq(rpmemd_pool_remove(Set, 0, Msg, sizeof(Msg)),
		RPMEM_ST_BUSY);
	assert_msg("part '%s' is in use by another process", path_in("a"));
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_FORCE, Msg,
		sizeof(Msg)), RPMEM_ST_BUSY);
	ck_assert_int_eq(exists("a"), 1);
	ck_assert_int_eq(exists("b"), 1);
	close_pool(0);

	ck_assert_int_eq(rpmemd_pool_remove(Set, 0, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(exists("b"), 0);
	ck_assert_int_eq(exists("x.set"), 1);

	/* again: the parts are missing now */
	ck_assert_int_eq(rpmemd_pool_remove(Set, 0, Msg, sizeof(Msg)),
		RPMEM_ST_NOEXIST);
	assert_msg("part '%s' does not exist", path_in("a"));
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_FORCE, Msg,
		sizeof(Msg)), RPMEM_ST_OK);

	/* with the set file */
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_POOL_SET, Msg,
		sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(exists("b"), 0);
	ck_assert_int_eq(exists("x.set"), 0);

	ck_assert_int_eq(rpmemd_pool_remove(Set, 0x4, Msg, sizeof(Msg)),
		RPMEM_ST_PROTO);
	assert_msg("invalid remove flags 0x4");
}
END_TEST

START_TEST(remove_checks_header)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 17);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);

	/* an invalid header stops a plain remove, before anything goes */
	poke("b", 0, "XXXXXXXX", 8);
	ck_assert_int_eq(rpmemd_pool_remove(Set, 0, Msg, sizeof(Msg)),
		RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': no pool header (bad magic) (use force to "
		"remove anyway)", path_in("b"));
	ck_assert_int_eq(exists("a"), 1);
	ck_assert_int_eq(exists("b"), 1);

	/* a part of the wrong size too */
	ck_assert_int_eq(truncate(path_in("a"), 8 * KiB), 0);
	ck_assert_int_eq(rpmemd_pool_remove(Set, 0, Msg, sizeof(Msg)),
		RPMEM_ST_POOL_CFG);
	assert_msg("part '%s' is not the size the pool set says",
		path_in("a"));

	/* force removes anyway, and skips a missing part */
	ck_assert_int_eq(unlink(path_in("a")), 0);
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_FORCE |
		RPMEM_REMOVE_POOL_SET, Msg, sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_int_eq(exists("b"), 0);
	ck_assert_int_eq(exists("x.set"), 0);
}
END_TEST

START_TEST(remove_nohdrs)
{
	load_set("PMEMPOOLSET\nOPTION NOHDRS\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, NULL), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(rpmemd_pool_remove(Set, 0, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(exists("b"), 0);
}
END_TEST

/* what the daemon's flush gave pmem_msync (linked with --wrap) */
static struct {
	int calls;
	uintptr_t addr;
	size_t len;
} Msync;

int __real_pmem_msync(const void *addr, size_t len);
int __wrap_pmem_msync(const void *addr, size_t len);

/* __wrap_pmem_msync -- record, then msync for real */
int
__wrap_pmem_msync(const void *addr, size_t len)
{
	Msync.calls++;
	Msync.addr = (uintptr_t)addr;
	Msync.len = len;
	return __real_pmem_msync(addr, len);
}

/*
 * a pool off pmem: a persist and a deep persist both msync the whole
 * pages of their range (a deep one once went to pmem_deep_persist, which
 * skipped the pages' dirtying: data acknowledged, never written back)
 */
START_TEST(flush_msyncs_pages)
{
	struct rpmem_pool_attr attr;

	unsetenv("PMEM_IS_PMEM_FORCE");
	fill_attr(&attr, 57);
	load_set("PMEMPOOLSET\n32K a\n");
	ck_assert_int_eq(create(32 * KiB, &attr), RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_is_pmem(Pool), 0);
	uintptr_t base = (uintptr_t)rpmemd_pool_addr(Pool);

	memset(&Msync, 0, sizeof(Msync));
	ck_assert_int_eq(rpmemd_pool_persist(Pool, (void *)(base + 5000),
		3000, 0), RPMEM_ST_OK);
	ck_assert_int_eq(Msync.calls, 1);
	ck_assert_uint_eq(Msync.addr, base + 4096);
	ck_assert_uint_eq(Msync.len, 5000 + 3000 - 4096);

	ck_assert_int_eq(rpmemd_pool_persist(Pool, (void *)(base + 9000),
		100, 1), RPMEM_ST_OK);
	ck_assert_int_eq(Msync.calls, 2);
	ck_assert_uint_eq(Msync.addr, base + 8192);
	ck_assert_uint_eq(Msync.len, 9100 - 8192);
}
END_TEST

START_TEST(persist_bounds)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 18);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	uint8_t *base = rpmemd_pool_addr(Pool);
	size_t size = rpmemd_pool_size(Pool);

	/* in range, unaligned, both kinds, and empty at the very end */
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + HDR, 1, 0),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + 5000, 3000, 0),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + size - 1, 1, 0),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + HDR, size - HDR, 1),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + size, 0, 0),
		RPMEM_ST_OK);

	/* the header is not the client's */
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base, 1, 0),
		RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + HDR - 1, 2, 0),
		RPMEM_ST_PROTO);
	/* past the end, before the start, overflowing */
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + size, 1, 0),
		RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + size - 1, 2, 1),
		RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + HDR, size, 0),
		RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base - 1, 2, 0),
		RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base + HDR, SIZE_MAX, 0),
		RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(Pool,
		(void *)(uintptr_t)UINTPTR_MAX, 1, 0), RPMEM_ST_PROTO);
	ck_assert_int_eq(rpmemd_pool_persist(NULL, base + HDR, 1, 0),
		RPMEM_ST_PROTO);
	close_pool(0);

	/* without headers offset 0 is the client's */
	load_set("PMEMPOOLSET\nOPTION NOHDRS\n16K n\n");
	ck_assert_int_eq(create(16 * KiB, NULL), RPMEM_ST_OK);
	base = rpmemd_pool_addr(Pool);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base, 10, 0), RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base, 16 * KiB, 1),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base, 16 * KiB + 1, 0),
		RPMEM_ST_PROTO);
}
END_TEST

START_TEST(unreadable_part)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 19);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	/* root too: checked as another user, the part only its owner's */
	unit_fs_open_up(Dir);
	ck_assert_int_eq(chmod(path_in("a"), 0400), 0);
	unit_fs_as_nobody();
	int st = open_pool(16 * KiB, NULL);
	unit_fs_as_self();
	ck_assert_int_eq(st, RPMEM_ST_NOACCESS);
	assert_msg("part '%s': Permission denied", path_in("a"));
}
END_TEST

START_TEST(zero_attr_header)
{
	struct rpmem_pool_attr zero, got;

	/*
	 * zero-filled attributes on a set with headers: a pool WITH a
	 * header, holding zeros (PMDK's rpmemd left the header zero; here
	 * it is a valid header, so open finds and returns it)
	 */
	memset(&zero, 0, sizeof(zero));
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &zero), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), HDR);
	close_pool(0);
	check_hdr("a", 0, 28 * KiB, 2, 0, &zero);
	check_hdr("b", 0, 28 * KiB, 2, 1, &zero);

	memset(&got, 0xee, sizeof(got));
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_int_eq(rpmem_attr_is_zero(&got), 1);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), HDR);
	/* the header is the daemon's: the client range starts after it */
	uint8_t *base = rpmemd_pool_addr(Pool);
	ck_assert_int_eq(rpmemd_pool_persist(Pool, base, 1, 0),
		RPMEM_ST_PROTO);
	close_pool(0);

	/* the same with OPTION SINGLEHDR */
	load_set("PMEMPOOLSET\nOPTION SINGLEHDR\n16K c\n16K d\n");
	ck_assert_int_eq(create(16 * KiB, &zero), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), HDR);
	close_pool(0);
	check_hdr("c", RPMEMD_POOL_HDR_SINGLEHDR, 32 * KiB, 2, 0, &zero);
	memset(&got, 0xee, sizeof(got));
	ck_assert_int_eq(open_pool(32 * KiB, &got), RPMEM_ST_OK);
	ck_assert_int_eq(rpmem_attr_is_zero(&got), 1);
	close_pool(0);

	/* NOHDRS: zero attributes are the headerless pool of before */
	load_set("PMEMPOOLSET\nOPTION NOHDRS\n16K n\n");
	ck_assert_int_eq(create(16 * KiB, &zero), RPMEM_ST_OK);
	ck_assert_uint_eq(rpmemd_pool_hdr_size(Pool), 0);
	write_pattern(0);
	close_pool(0);
	check_file("n", 0, 0, 16 * KiB);
}
END_TEST

START_TEST(set_attr_slots)
{
	struct rpmem_pool_attr a1, a2, a3, a4, got;
	int slot = -1;

	fill_attr(&a1, 21);
	fill_attr(&a2, 22);
	fill_attr(&a3, 23);
	fill_attr(&a4, 24);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &a1), RPMEM_ST_OK);
	write_pattern(HDR);

	/* every set_attr goes to the other slot, with the next number */
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a2, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_uint_eq(check_hdr_slot("a", 0, 16 * KiB, 1, 0, &a2, &slot),
		2);
	ck_assert_int_eq(slot, 1);
	/* the old header stays whole next to it */
	size_t len;
	uint8_t *buf = read_part("a", &len);
	ck_assert(slot_valid(buf, 0));
	ck_assert_uint_eq(get_le64(buf + SLOT_SEQ), 1);
	check_attr_bytes(buf + 48, &a1);
	free(buf);

	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a3, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_uint_eq(check_hdr_slot("a", 0, 16 * KiB, 1, 0, &a3, &slot),
		3);
	ck_assert_int_eq(slot, 0);
	close_pool(0);

	/* a reopened pool continues from the current slot */
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a3, sizeof(got));
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a4, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_uint_eq(check_hdr_slot("a", 0, 16 * KiB, 1, 0, &a4, &slot),
		4);
	ck_assert_int_eq(slot, 1);
	check_mapping(HDR);	/* user data untouched throughout */
	close_pool(0);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a4, sizeof(got));
}
END_TEST

/*
 * tear_check -- part "a"'s header page as it was (before), with the slot
 * that set_attr wrote (after) torn: for every cut, first the prefix of
 * the new slot reached the media, then the suffix; open must give the
 * new attributes when the torn slot equals the new one, else the old
 */
static void
tear_check(const uint8_t *before, const uint8_t *after, unsigned slot,
		const struct rpmem_pool_attr *old_attr,
		const struct rpmem_pool_attr *new_attr)
{
	uint8_t page[HDR];
	struct rpmem_pool_attr got;
	unsigned torn = 0;

	for (unsigned dir = 0; dir < 2; dir++) {
		for (size_t cut = 0; cut <= SLOT; cut++) {
			/* every byte in the fields, every 8th in the padding */
			if (cut > SLOT_USED + 8 && cut % 8 != 0)
				continue;
			memcpy(page, before, HDR);
			uint8_t *dst = page + (size_t)slot * SLOT;
			const uint8_t *src = after + (size_t)slot * SLOT;
			if (dir == 0)
				memcpy(dst, src, cut);
			else
				memcpy(dst + cut, src + cut, SLOT - cut);
			poke("a", 0, page, HDR);

			int complete = memcmp(dst, src, SLOT) == 0;
			torn += !complete;
			memset(&got, 0xee, sizeof(got));
			ck_assert_msg(open_pool(16 * KiB, &got) == RPMEM_ST_OK,
				"cut %zu dir %u: %s", cut, dir, Msg);
			ck_assert_msg(memcmp(&got, complete ? new_attr :
				old_attr, sizeof(got)) == 0,
				"cut %zu dir %u: %s attributes", cut, dir,
				complete ? "old" : "torn");
			close_pool(0);
		}
	}
	/* the cuts did tear the slot (else this proves nothing) */
	ck_assert_uint_gt(torn, 300);
}

START_TEST(set_attr_torn_every_byte)
{
	struct rpmem_pool_attr a1, a2, a3;
	uint8_t *p1, *p2, *p3;
	size_t len;

	fill_attr(&a1, 31);
	fill_attr(&a2, 32);
	fill_attr(&a3, 33);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &a1), RPMEM_ST_OK);
	close_pool(0);
	p1 = read_part("a", &len);		/* slot 0: a1, slot 1 empty */

	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a2, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a3, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	p3 = read_part("a", &len);		/* slot 0: a3, slot 1: a2 */
	p2 = malloc(HDR);			/* slot 0: a1, slot 1: a2 */
	ck_assert_ptr_nonnull(p2);
	memcpy(p2, p1, SLOT);
	memcpy(p2 + SLOT, p3 + SLOT, SLOT);

	/* the first set_attr, torn over the empty slot 1 */
	tear_check(p1, p2, 1, &a1, &a2);
	/* the second, torn over slot 0's older header (a1) */
	tear_check(p2, p3, 0, &a2, &a3);

	free(p1);
	free(p2);
	free(p3);
}
END_TEST

/*
 * v1_page -- a version 1 header page (earlier rpmemd): one header at 0,
 * checksum at 152 over the whole page, written here independently
 */
static void
v1_page(uint8_t *page, uint64_t usable, const uint8_t *pool_id,
		const struct rpmem_pool_attr *a)
{
	memset(page, 0, HDR);
	memcpy(page, "RPMEMPL\0", 8);
	page[8] = 1;				/* version */
	for (unsigned i = 0; i < 8; i++)
		page[16 + i] = (uint8_t)(usable >> (8 * i));
	page[24] = 1;				/* nparts */
	memcpy(page + 32, pool_id, 16);
	uint8_t *p = page + 48;
	memcpy(p, a->signature, 8);
	const uint32_t v[4] = {a->major, a->compat_features,
		a->incompat_features, a->ro_compat_features};
	for (unsigned f = 0; f < 4; f++)
		for (unsigned i = 0; i < 4; i++)
			p[8 + 4 * f + i] = (uint8_t)(v[f] >> (8 * i));
	memcpy(p + 24, a->poolset_uuid, 16);
	memcpy(p + 40, a->uuid, 16);
	memcpy(p + 56, a->next_uuid, 16);
	memcpy(p + 72, a->prev_uuid, 16);
	memcpy(p + 88, a->user_flags, 16);
	uint64_t c = fnv(FNV_INIT, page, HDR, 152);
	for (unsigned i = 0; i < 8; i++)
		page[152 + i] = (uint8_t)(c >> (8 * i));
}

START_TEST(header_v1_compat)
{
	struct rpmem_pool_attr a1, a2, a3, got;
	uint8_t page[HDR], id[16];
	size_t len;
	int slot = -1;

	fill_attr(&a1, 41);
	fill_attr(&a2, 42);
	fill_attr(&a3, 43);
	for (unsigned i = 0; i < 16; i++)
		id[i] = (uint8_t)(0x90 + i);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &a2), RPMEM_ST_OK);
	close_pool(0);

	/* a pool written by an earlier rpmemd opens, attributes and all */
	v1_page(page, 16 * KiB, id, &a1);
	poke("a", 0, page, HDR);
	memset(&got, 0xee, sizeof(got));
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a1, sizeof(got));

	/* its first set_attr goes to slot 1, the version 1 header stays */
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a2, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	ck_assert_uint_eq(check_hdr_slot("a", 0, 16 * KiB, 1, 0, &a2, &slot),
		1);
	ck_assert_int_eq(slot, 1);
	uint8_t *buf = read_part("a", &len);
	ck_assert_mem_eq(buf, page, SLOT);
	ck_assert_mem_eq(buf + SLOT + 32, id, 16);	/* the same pool */
	free(buf);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a2, sizeof(got));
	close_pool(0);

	/* that upgrade torn: the version 1 header is what is left */
	uint8_t byte = 0xff;
	poke("a", SLOT + 60, &byte, 1);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a1, sizeof(got));

	/* the next one overwrites the version 1 header with version 2 */
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a3, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	ck_assert_uint_eq(check_hdr_slot("a", 0, 16 * KiB, 1, 0, &a3, &slot),
		1);
	ck_assert_int_eq(slot, 1);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a3, sizeof(got));
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a1, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	ck_assert_uint_eq(check_hdr_slot("a", 0, 16 * KiB, 1, 0, &a1, &slot),
		2);
	ck_assert_int_eq(slot, 0);
	buf = read_part("a", &len);
	ck_assert_uint_eq(get_le32(buf + 8), 2);
	free(buf);

	/* a damaged version 1 header is still refused */
	v1_page(page, 16 * KiB, id, &a1);
	page[60] ^= 0xff;
	poke("a", 0, page, HDR);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': corrupted pool header (bad checksum)",
		path_in("a"));
}
END_TEST

START_TEST(part_outside_poolset_dir)
{
	struct rpmem_pool_attr attr, got;
	char parts[PATH_MAX + 16], text[3 * PATH_MAX];
	struct stat st;

	/* the classic layout: the set here, the parts in another directory */
	snprintf(parts, sizeof(parts), "%s/parts-XXXXXX", "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(parts));
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16K %s/c.part\n"
		"16K %s/d.part\n", parts, parts);
	fill_attr(&attr, 51);
	load_set(text);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	write_pattern(HDR);
	close_pool(0);

	char c[PATH_MAX + 32];
	snprintf(c, sizeof(c), "%s/c.part", parts);
	ck_assert_int_eq(stat(c, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq((size_t)st.st_size, 16 * KiB);

	load_set(text);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &attr, sizeof(got));
	check_mapping(HDR);
	close_pool(0);

	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_POOL_SET, Msg,
		sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_int_eq(stat(c, &st), -1);
	ck_assert_int_eq(exists("x.set"), 0);
	ck_assert_int_eq(rmdir(parts), 0);	/* empty: both parts gone */
}
END_TEST

START_TEST(symlink_planted_after_parse)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 52);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	write_file("victim", "precious");

	/* read the set, then "a" becomes a symlink (to another file) */
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(rename(path_in("a"), path_in("a.real")), 0);
	ck_assert_int_eq(symlink(path_in("victim"), path_in("a")), 0);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	ck_assert_ptr_null(Pool);
	assert_msg("part '%s' is a symbolic link now (changed after the pool "
		"set was read)", path_in("a"));
	/* remove neither follows it, forced or not */
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_FORCE, Msg,
		sizeof(Msg)), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s' is a symbolic link now (changed after the pool "
		"set was read)", path_in("a"));

	/* create: O_EXCL | O_NOFOLLOW refuses a symlink at a new part */
	load_set("PMEMPOOLSET\n16K n\n");
	ck_assert_int_eq(symlink(path_in("nothing"), path_in("n")), 0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_EXISTS);
	assert_msg("part '%s' already exists", path_in("n"));
	ck_assert_int_eq(exists("nothing"), 0);

	size_t len;
	uint8_t *v = read_part("victim", &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(v, "precious", 8);
	free(v);
}
END_TEST

START_TEST(replaced_after_parse)
{
	struct rpmem_pool_attr attr;
	size_t len;

	fill_attr(&attr, 53);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);

	/* read the set, then another file takes "a"'s name (same bytes) */
	load_set("PMEMPOOLSET\n16K a\n");
	uint8_t *copy = read_part("a", &len);
	int fd = open(path_in("a.new"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, copy, len), (ssize_t)len);
	close(fd);
	free(copy);
	ck_assert_int_eq(rename(path_in("a.new"), path_in("a")), 0);

	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s' was replaced after the pool set was read",
		path_in("a"));
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_FORCE, Msg,
		sizeof(Msg)), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s' was replaced after the pool set was read",
		path_in("a"));
	ck_assert_int_eq(exists("a"), 1);

	/* read again: it is the file now, and a valid pool */
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
}
END_TEST

START_TEST(dir_swapped_before_create)
{
	struct rpmem_pool_attr attr;
	char other[PATH_MAX + 16];

	fill_attr(&attr, 54);
	snprintf(other, sizeof(other), "/tmp/rpmemd-other-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(other));

	/* the part's directory replaced by another directory */
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	load_set("PMEMPOOLSET\n16K sub/p\n");
	ck_assert_int_eq(rename(path_in("sub"), path_in("sub.old")), 0);
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_POOL_CFG);
	assert_msg("the directory of part '%s' changed after the pool set "
		"was read", path_in("sub/p"));
	ck_assert_int_eq(exists("sub/p"), 0);

	/* ... or by a symlink leading elsewhere */
	ck_assert_int_eq(rmdir(path_in("sub")), 0);
	ck_assert_int_eq(symlink(other, path_in("sub")), 0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_POOL_CFG);
	assert_msg("the directory of part '%s' changed after the pool set "
		"was read", path_in("sub/p"));
	char p[PATH_MAX + 32];
	struct stat st;
	snprintf(p, sizeof(p), "%s/p", other);
	ck_assert_int_eq(lstat(p, &st), -1);
	ck_assert_int_eq(rmdir(other), 0);

	/* back in place: created */
	ck_assert_int_eq(unlink(path_in("sub")), 0);
	ck_assert_int_eq(rename(path_in("sub.old"), path_in("sub")), 0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	ck_assert_int_eq(exists("sub/p"), 1);
}
END_TEST

/*
 * a part unlinked by name only while the name is still the file held open
 * (removal, create's undo): a directory or file swapped in between the
 * checks and the unlink is left alone
 */
START_TEST(remove_after_swap)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 55);
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	load_set("PMEMPOOLSET\n16K sub/p\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	load_set("PMEMPOOLSET\n16K sub/p\n");
	int fd = open(path_in("sub/p"), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);

	/* the directory renamed away, a decoy of the same name in its place */
	ck_assert_int_eq(rename(path_in("sub"), path_in("sub.old")), 0);
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	write_file("sub/p", "decoy");
	errno = 0;
	ck_assert_int_eq(rpmemd_part_remove(&Set->parts[0], fd), -1);
	ck_assert_int_eq(errno, ESTALE);
	ck_assert_str_eq(rpmemd_part_remove_strerror(ESTALE), "another file "
		"or directory took its place after the pool set was read");
	ck_assert_int_eq(exists("sub/p") && exists("sub.old/p"), 1);

	/* the directory back, but another file under the part's name */
	ck_assert_int_eq(unlink(path_in("sub/p")), 0);
	ck_assert_int_eq(rmdir(path_in("sub")), 0);
	ck_assert_int_eq(rename(path_in("sub.old"), path_in("sub")), 0);
	ck_assert_int_eq(rename(path_in("sub/p"), path_in("sub/p.old")), 0);
	write_file("sub/p", "decoy");
	errno = 0;
	ck_assert_int_eq(rpmemd_part_remove(&Set->parts[0], fd), -1);
	ck_assert_int_eq(errno, ESTALE);
	ck_assert_int_eq(exists("sub/p") && exists("sub/p.old"), 1);

	/* the very file again: removed */
	ck_assert_int_eq(rename(path_in("sub/p.old"), path_in("sub/p")), 0);
	ck_assert_int_eq(rpmemd_part_remove(&Set->parts[0], fd), 0);
	ck_assert_int_eq(exists("sub/p"), 0);
	close(fd);
}
END_TEST

/* forced removal of a set one of whose part directories is gone */
START_TEST(force_remove_gone_dir)
{
	struct rpmem_pool_attr attr;

	fill_attr(&attr, 56);
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	load_set("PMEMPOOLSET\n16K a\n16K sub/p\n");
	ck_assert_int_eq(create(Set->usable_size, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(unlink(path_in("sub/p")), 0);
	ck_assert_int_eq(rmdir(path_in("sub")), 0);

	/* read for anything else, the set is broken */
	rpmemd_poolset_delete(&Set);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "x.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_NOEXIST);
	ck_assert_ptr_null(Set);
	/* forced removal takes the missing directory for a missing part */
	ck_assert_int_eq(rpmemd_poolset_open_flags(Dir, NULL, "x.set",
		RPMEMD_POOLSET_GONE_DIRS_OK, &Set, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	ck_assert_int_eq(rpmemd_pool_remove(Set, RPMEM_REMOVE_FORCE |
		RPMEM_REMOVE_POOL_SET, Msg, sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_int_eq(exists("a") || exists("x.set"), 0);
}
END_TEST

START_TEST(nospc_status)
{
	/* no space and no quota are one status, ENOSPC on the client */
	ck_assert_int_eq(rpmem_status_to_errno(RPMEM_ST_NOSPC), ENOSPC);
	ck_assert_int_ne(RPMEM_ST_NOSPC, RPMEM_ST_FATAL);
}
END_TEST

#ifdef RPMEM_FAULT_INJECTION
/*
 * Fault injection in this process (the RPMEM side): the counter lives in
 * a file, so a test can rewind it to make "the k-th point from now" fail;
 * the variables must be set before the first point is evaluated (each
 * test runs in its own forked process).
 */
#define FI_TARGET 1000000000ull
static char Fi_counter[PATH_MAX + 16];
static char Fi_log[PATH_MAX + 16];

/* fi_arm -- count in a file of ours; fail at FI_TARGET */
static void
fi_arm(void)
{
	snprintf(Fi_counter, sizeof(Fi_counter), "%s/fi.counter", Dir);
	snprintf(Fi_log, sizeof(Fi_log), "%s/fi.log", Dir);
	setenv("RPMEM_FAULT_INJECT", "1000000000", 1);
	setenv("RPMEM_FAULT_INJECT_COUNTER", Fi_counter, 1);
	setenv("RPMEM_FAULT_INJECT_LOG", Fi_log, 1);
}

/* fi_fail_in -- the k-th point from now fails (0: none soon) */
static void
fi_fail_in(uint64_t k)
{
	uint64_t v = k == 0 ? 0 : FI_TARGET - k;
	int fd = open(Fi_counter, O_RDWR | O_CREAT, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, &v, sizeof(v), 0), (ssize_t)sizeof(v));
	close(fd);
	unlink(Fi_log);
}

/* fi_site -- the point that failed since fi_fail_in ("" when none) */
static const char *
fi_site(void)
{
	static char line[256];
	size_t n = 0;
	int fd = open(Fi_log, O_RDONLY);

	line[0] = '\0';
	if (fd < 0)
		return line;
	ssize_t r = read(fd, line, sizeof(line) - 1);
	close(fd);
	n = r > 0 ? (size_t)r : 0;
	line[n] = '\0';
	/* "fault injected: RPMEM #N site (pid P)" */
	char *hash = strchr(line, '#');
	char *sp = hash ? strchr(hash, ' ') : NULL;
	char *end = sp ? strstr(sp, " (pid") : NULL;
	if (end == NULL)
		return "?";
	*end = '\0';
	return sp + 1;
}

START_TEST(fi_set_attr_torn)
{
	struct rpmem_pool_attr a1, a2, got;
	size_t len;

	fi_arm();
	fill_attr(&a1, 61);
	fill_attr(&a2, 62);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");
	ck_assert_int_eq(create(16 * KiB, &a1), RPMEM_ST_OK);

	/* the power goes out after the first line of the new slot */
	fi_fail_in(1);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a2, Msg, sizeof(Msg)),
		RPMEM_ST_FATAL);
	ck_assert_str_eq(fi_site(), "hdr_slot_write");
	assert_msg("cannot write the pool header: Input/output error");
	close_pool(0);

	/* the file holds a torn slot 1 next to the intact header */
	uint8_t *buf = read_part("a", &len);
	ck_assert_mem_eq(buf + SLOT, "RPMEMPL\0", 8);
	ck_assert(!slot_valid(buf, 1));
	ck_assert(slot_valid(buf, 0));
	free(buf);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a1, sizeof(got));

	/* a complete set_attr then wins */
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a2, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a2, sizeof(got));
	close_pool(0);

	/* failing in the same session keeps the current header current */
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_OK);
	fi_fail_in(1);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a1, Msg, sizeof(Msg)),
		RPMEM_ST_FATAL);
	ck_assert_int_eq(rpmemd_pool_set_attr(Pool, &a1, Msg, sizeof(Msg)),
		RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(open_pool(16 * KiB, &got), RPMEM_ST_OK);
	ck_assert_mem_eq(&got, &a1, sizeof(got));
}
END_TEST

START_TEST(fi_create_nospc)
{
	struct rpmem_pool_attr attr;
	int found = 0;

	fi_arm();
	fill_attr(&attr, 63);
	load_set("PMEMPOOLSET\n16K a\n16K b\n");

	/* fail each point of a create in turn until posix_fallocate's */
	for (uint64_t k = 1; k < 200 && !found; k++) {
		fi_fail_in(k);
		int st = create(16 * KiB, &attr);
		const char *site = fi_site();
		ck_assert_msg(site[0] != '\0', "no point failed at %llu: the "
			"create has fewer points, or the counter was not armed",
			(unsigned long long)k);
		if (strcmp(site, "posix_fallocate") != 0) {
			/* any other failure: an error, and nothing left */
			ck_assert_int_ne(st, RPMEM_ST_OK);
			ck_assert(Msg[0] != '\0');
			ck_assert_int_eq(exists("a"), 0);
			ck_assert_int_eq(exists("b"), 0);
			continue;
		}
		ck_assert_int_eq(st, RPMEM_ST_NOSPC);
		ck_assert_int_eq(rpmem_status_to_errno((uint32_t)st), ENOSPC);
		assert_msg("part '%s': no space left for 16384 bytes",
			path_in("a"));
		ck_assert_ptr_null(Pool);
		/* a failed create removes what it made */
		ck_assert_int_eq(exists("a"), 0);
		ck_assert_int_eq(exists("b"), 0);
		found = 1;
	}
	ck_assert_msg(found, "posix_fallocate never failed");

	/* no fault: created */
	fi_fail_in(0);
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
}
END_TEST
#endif /* RPMEM_FAULT_INJECTION */

/* store_suite -- all pool store tests */
static Suite *
store_suite(void)
{
	Suite *s = suite_create("pool_store");
	TCase *tc = tcase_create("pool_store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_then_open);
	tcase_add_test(tc, mode_ignores_umask);
	tcase_add_test(tc, multipart_default);
	tcase_add_test(tc, multipart_singlehdr);
	tcase_add_test(tc, multipart_nohdrs);
	tcase_add_test(tc, large_pool_alignment);
	tcase_add_test(tc, create_existing_part);
	tcase_add_test(tc, open_missing);
	tcase_add_test(tc, too_big);
	tcase_add_test(tc, too_small);
	tcase_add_test(tc, attr_vs_nohdrs);
	tcase_add_test(tc, busy);
	tcase_add_test(tc, set_attr);
	tcase_add_test(tc, corrupted_headers);
	tcase_add_test(tc, set_changed);
	tcase_add_test(tc, close_remove);
	tcase_add_test(tc, remove_pool);
	tcase_add_test(tc, remove_checks_header);
	tcase_add_test(tc, remove_nohdrs);
	tcase_add_test(tc, flush_msyncs_pages);
	tcase_add_test(tc, persist_bounds);
	tcase_add_test(tc, unreadable_part);
	tcase_add_test(tc, zero_attr_header);
	tcase_add_test(tc, set_attr_slots);
	tcase_add_test(tc, set_attr_torn_every_byte);
	tcase_add_test(tc, header_v1_compat);
	tcase_add_test(tc, part_outside_poolset_dir);
	tcase_add_test(tc, symlink_planted_after_parse);
	tcase_add_test(tc, replaced_after_parse);
	tcase_add_test(tc, dir_swapped_before_create);
	tcase_add_test(tc, remove_after_swap);
	tcase_add_test(tc, force_remove_gone_dir);
	tcase_add_test(tc, nospc_status);
#ifdef RPMEM_FAULT_INJECTION
	tcase_add_test(tc, fi_set_attr_torn);
	tcase_add_test(tc, fi_create_nospc);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
