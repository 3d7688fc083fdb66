/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_pool_store.c -- the daemon's pool store, in a temporary directory:
 * create/open/set_attr/close/remove, the contiguous mapping of multi-part
 * sets checked against the bytes of the part FILES in all three header
 * modes, the header format, locking, file modes, every error status and
 * message, and the bounds of the persist callback
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
#include "pool_store.h"
#include "poolset.h"
#include "rpmem_proto.h"

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define HDR 4096

static char Dir[PATH_MAX];
static char Msg[RPMEM_MSG_TEXT_MAX];
static struct rpmemd_poolset *Set;
static struct rpmemd_pool *Pool;

/* rm_cb -- nftw callback removing one entry */
static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return remove(path);
}

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
	nftw(Dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
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

/* check_hdr -- a part file starts with a valid header of part idx */
static void
check_hdr(const char *rel, uint32_t flags, uint64_t usable, uint32_t nparts,
		uint32_t idx, const struct rpmem_pool_attr *attr)
{
	size_t flen;
	uint8_t *buf = read_part(rel, &flen);
	ck_assert_mem_eq(buf, "RPMEMPL\0", 8);
	ck_assert_uint_eq(get_le32(buf + 8), 1);
	ck_assert_uint_eq(get_le32(buf + 12), flags);
	ck_assert_uint_eq(get_le64(buf + 16), usable);
	ck_assert_uint_eq(get_le32(buf + 24), nparts);
	ck_assert_uint_eq(get_le32(buf + 28), idx);
	if (attr != NULL) {
		/* the attribute block, little-endian */
		const uint8_t *a = buf + 48;
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
	/* the rest of the 4 KiB is zero */
	for (size_t i = 160; i < HDR; i++)
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
	/* and the existing pool is intact */
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
	/* all-zero attributes mean "none", as in classic librpmem */
	ck_assert_int_eq(create(16 * KiB, &zero), RPMEM_ST_POOL_CFG);
	ck_assert_int_eq(exists("a"), 0);

	load_set("PMEMPOOLSET\nOPTION SINGLEHDR\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, NULL), RPMEM_ST_POOL_CFG);

	load_set("PMEMPOOLSET\nOPTION NOHDRS\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_POOL_CFG);
	assert_msg("the pool set has 'OPTION NOHDRS': a pool with attributes "
		"cannot be created");
	ck_assert_int_eq(exists("a"), 0);
	ck_assert_int_eq(create(16 * KiB, &zero), RPMEM_ST_OK);
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
	check_hdr("a", 0, 28 * KiB, 2, 0, &attr2);

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
	/* a byte past the fields is covered too */
	poke("a", 60, &a[60], 1);
	byte = 1;
	poke("a", 4000, &byte, 1);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_POOL_CFG);
	assert_msg("part '%s': corrupted pool header (bad checksum)",
		path_in("a"));
	byte = 0;
	poke("a", 4000, &byte, 1);
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

	if (geteuid() == 0)
		return;	/* root opens anything */
	fill_attr(&attr, 19);
	load_set("PMEMPOOLSET\n16K a\n");
	ck_assert_int_eq(create(16 * KiB, &attr), RPMEM_ST_OK);
	close_pool(0);
	ck_assert_int_eq(chmod(path_in("a"), 0400), 0);
	ck_assert_int_eq(open_pool(16 * KiB, NULL), RPMEM_ST_NOACCESS);
}
END_TEST

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
	tcase_add_test(tc, persist_bounds);
	tcase_add_test(tc, unreadable_part);
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
