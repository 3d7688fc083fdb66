/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_poolset.c -- pool-set files and path confinement: valid sets (sizes,
 * suffixes, options, usable-size arithmetic), every rejection with its
 * status and message, the confinement of names to poolset-dir (absolute,
 * "..", symlinks, control characters), parts anywhere by default and
 * confined to part-dir when it is set
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "librpmem.h"
#include "poolset.h"
#include "rpmem_proto.h"
#include "unit_fs.h"

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)

static char Dir[PATH_MAX];	/* poolset-dir, canonical */
static char Out[PATH_MAX];	/* a directory outside it */
static char Msg[RPMEM_MSG_TEXT_MAX];
static struct rpmemd_poolset *Set;

/* mkdtemp_real -- a temporary directory, by its canonical path */
static void
mkdtemp_real(char *dir, const char *tmpl)
{
	char tmp[PATH_MAX];
	strcpy(tmp, tmpl);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_ptr_nonnull(realpath(tmp, dir));
}

/* setup -- empty poolset-dir and an empty outside directory */
static void
setup(void)
{
	mkdtemp_real(Dir, "/tmp/rpmemd-poolset-XXXXXX");
	mkdtemp_real(Out, "/tmp/rpmemd-outside-XXXXXX");
	Set = NULL;
	Msg[0] = '\0';
}

/* teardown -- remove both directories */
static void
teardown(void)
{
	rpmemd_poolset_delete(&Set);
	unit_rm_tree(Dir);
	unit_rm_tree(Out);
}

/* path_in -- "<dir>/<rel>" in a static buffer (two slots) */
static const char *
path_in(const char *dir, const char *rel)
{
	static char buf[2][PATH_MAX + 64];
	static int slot;
	slot ^= 1;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, rel);
	return buf[slot];
}

/* write_bytes -- create path with len bytes of data */
static void
write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* write_file -- create path (absolute) with text */
static void
write_file(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

/* parse -- write <Dir>/<name> with text and open it as the client would */
static int
parse(const char *name, const char *text)
{
	rpmemd_poolset_delete(&Set);
	Msg[0] = '\0';
	write_file(path_in(Dir, name), text);
	return rpmemd_poolset_open(Dir, name, &Set, Msg, sizeof(Msg));
}

/* assert_msg -- Msg is exactly "pool set '<name>'<rest>" */
static void
assert_msg(const char *name, const char *rest)
{
	char expect[RPMEM_MSG_TEXT_MAX * 2];
	snprintf(expect, sizeof(expect), "pool set '%s'%s", name, rest);
	ck_assert_str_eq(Msg, expect);
}

/* assert_cfg -- parse failed with POOL_CFG and this message */
static void
assert_cfg(const char *text, const char *rest)
{
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_POOL_CFG);
	ck_assert_ptr_null(Set);
	assert_msg("x.set", rest);
}

START_TEST(parse_size)
{
	static const struct {
		const char *str;
		size_t size;
	} ok[] = {
		{"0", 0}, {"4096", 4096}, {"8K", 8 * KiB}, {"8k", 8 * KiB},
		{"2M", 2 * MiB}, {"2m", 2 * MiB}, {"3G", 3 * GiB},
		{"3g", 3 * GiB}, {"5T", 5 * TiB}, {"5t", 5 * TiB},
		{"16777215T", 16777215 * TiB},
		{"18446744073709551615", SIZE_MAX},
	};
	static const char *const bad[] = {
		"", "K", "-1", "+1", " 1", "1 ", "1.5G", "16MB", "16KiB",
		"16P", "0x10", "99999999999999999999",
		"99999999999999999999G", "16777216T", "18446744073709551616",
	};
	size_t size;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size = 1;
		ck_assert_msg(rpmemd_parse_size(ok[i].str, &size) == 0,
			"'%s' refused", ok[i].str);
		ck_assert_msg(size == ok[i].size, "'%s' -> %zu", ok[i].str,
			size);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size = 42;
		ck_assert_msg(rpmemd_parse_size(bad[i], &size) == -1,
			"'%s' accepted", bad[i]);
		ck_assert_uint_eq(size, 42);
	}
}
END_TEST

START_TEST(single_part)
{
	ck_assert_int_eq(parse("x.set", "PMEMPOOLSET\n16M part0\n"),
		RPMEM_ST_OK);
	ck_assert_str_eq(Msg, "");
	ck_assert_str_eq(Set->name, "x.set");
	ck_assert_str_eq(Set->path, path_in(Dir, "x.set"));
	ck_assert_uint_eq(Set->nparts, 1);
	ck_assert_str_eq(Set->parts[0].path, path_in(Dir, "part0"));
	ck_assert_uint_eq(Set->parts[0].size, 16 * MiB);
	ck_assert_int_eq(Set->parts[0].is_devdax, 0);
	ck_assert_int_eq(Set->hdr_mode, RPMEMD_HDR_DEFAULT);
	ck_assert_uint_eq(Set->total_size, 16 * MiB);
	ck_assert_uint_eq(Set->usable_size, 16 * MiB);
	ck_assert_uint_eq(Set->hdr_size, 4096);
}
END_TEST

START_TEST(sizes_and_suffixes)
{
	ck_assert_int_eq(parse("x.set", "PMEMPOOLSET\n"
		"8192 a\n12k b\n2M c\n1G d\n1T e\n"), RPMEM_ST_OK);
	ck_assert_uint_eq(Set->nparts, 5);
	ck_assert_uint_eq(Set->parts[0].size, 8192);
	ck_assert_uint_eq(Set->parts[1].size, 12 * KiB);
	ck_assert_uint_eq(Set->parts[2].size, 2 * MiB);
	ck_assert_uint_eq(Set->parts[3].size, GiB);
	ck_assert_uint_eq(Set->parts[4].size, TiB);
	size_t total = 8192 + 12 * KiB + 2 * MiB + GiB + TiB;
	ck_assert_uint_eq(Set->total_size, total);
	ck_assert_uint_eq(Set->usable_size, total - 4 * 4096);
}
END_TEST

START_TEST(usable_size_modes)
{
	const size_t total = 8 * KiB + 16 * KiB + 32 * KiB;

	/* default: every further part keeps its own 4 KiB header */
	ck_assert_int_eq(parse("d.set", "PMEMPOOLSET\n8K a\n16K b\n32K c\n"),
		RPMEM_ST_OK);
	ck_assert_int_eq(Set->hdr_mode, RPMEMD_HDR_DEFAULT);
	ck_assert_uint_eq(Set->total_size, total);
	ck_assert_uint_eq(Set->usable_size, total - 2 * 4096);
	ck_assert_uint_eq(Set->hdr_size, 4096);

	ck_assert_int_eq(parse("s.set", "PMEMPOOLSET\nOPTION SINGLEHDR\n"
		"8K a\n16K b\n32K c\n"), RPMEM_ST_OK);
	ck_assert_int_eq(Set->hdr_mode, RPMEMD_HDR_SINGLE);
	ck_assert_uint_eq(Set->usable_size, total);
	ck_assert_uint_eq(Set->hdr_size, 4096);

	/* an option may come after parts, and twice */
	ck_assert_int_eq(parse("n.set", "PMEMPOOLSET\n8K a\n16K b\n"
		"OPTION NOHDRS\n32K c\nOPTION NOHDRS\n"), RPMEM_ST_OK);
	ck_assert_int_eq(Set->hdr_mode, RPMEMD_HDR_NONE);
	ck_assert_uint_eq(Set->usable_size, total);
	ck_assert_uint_eq(Set->hdr_size, 0);
}
END_TEST

START_TEST(comments_whitespace_paths)
{
	ck_assert_int_eq(mkdir(path_in(Dir, "sub"), 0700), 0);
	ck_assert_int_eq(mkdir(path_in(Dir, "sub/deep"), 0700), 0);
	write_file(path_in(Dir, "sub/existing"), "");

	char text[4 * PATH_MAX];
	snprintf(text, sizeof(text),
		"# leading comment\n"
		"\n"
		"  PMEMPOOLSET   # signature with a comment\n"
		"\t\n"
		"\t16M\t  p0   # relative to the set file\n"
		"16M deep/p1\r\n"
		"16M %s/abs\n"
		"16M ./existing\n"
		"16M with space\n", Dir);
	rpmemd_poolset_delete(&Set);
	write_file(path_in(Dir, "sub/x.set"), text);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "sub/x.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_uint_eq(Set->nparts, 5);
	ck_assert_str_eq(Set->parts[0].path, path_in(Dir, "sub/p0"));
	ck_assert_str_eq(Set->parts[1].path, path_in(Dir, "sub/deep/p1"));
	ck_assert_str_eq(Set->parts[2].path, path_in(Dir, "abs"));
	ck_assert_str_eq(Set->parts[3].path, path_in(Dir, "sub/existing"));
	ck_assert_str_eq(Set->parts[4].path, path_in(Dir, "sub/with space"));
}
END_TEST

START_TEST(bad_structure)
{
	assert_cfg("", ": missing the 'PMEMPOOLSET' signature");
	assert_cfg("# only a comment\n\n",
		": missing the 'PMEMPOOLSET' signature");
	assert_cfg("16M a\n", " line 1: expected the 'PMEMPOOLSET' signature");
	assert_cfg("\n#c\npmempoolset\n16M a\n",
		" line 3: expected the 'PMEMPOOLSET' signature");
	assert_cfg("PMEMPOOLSET\n", ": no parts");
	assert_cfg("PMEMPOOLSET\nPMEMPOOLSET\n16M a\n",
		" line 2: duplicate 'PMEMPOOLSET'");
	assert_cfg("PMEMPOOLSET\n16M a\nREPLICA\n16M b\n",
		" line 3: REPLICA is not allowed in a remote pool set");
	assert_cfg("PMEMPOOLSET\n16M a\nREPLICA user@host remote.set\n",
		" line 3: REPLICA is not allowed in a remote pool set");
	assert_cfg("PMEMPOOLSET\nOPTION SINGLEHDR\nOPTION NOHDRS\n16M a\n",
		" line 3: OPTION SINGLEHDR and OPTION NOHDRS are mutually "
		"exclusive");
	assert_cfg("PMEMPOOLSET\nOPTION NOHDRS\n16M a\nOPTION SINGLEHDR\n",
		" line 4: OPTION SINGLEHDR and OPTION NOHDRS are mutually "
		"exclusive");
	assert_cfg("PMEMPOOLSET\nOPTION NOHDR\n16M a\n",
		" line 2: unknown option 'NOHDR' (expected SINGLEHDR or "
		"NOHDRS)");
	assert_cfg("PMEMPOOLSET\nOPTION\n16M a\n",
		" line 2: unknown option '' (expected SINGLEHDR or NOHDRS)");
	assert_cfg("PMEMPOOLSET\n16M\n", " line 2: expected '<size> <path>', "
		"'PMEMPOOLSET' or 'OPTION <option>'");

	/* a NUL byte hidden in the file */
	rpmemd_poolset_delete(&Set);
	write_bytes(path_in(Dir, "nul.set"), "PMEMPOOLSET\n16M a\0b\n", 20);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "nul.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_POOL_CFG);
	assert_msg("nul.set", ": the file contains a NUL byte");
}
END_TEST

START_TEST(bad_sizes)
{
	assert_cfg("PMEMPOOLSET\n16Q a\n", " line 2: invalid part size '16Q'");
	assert_cfg("PMEMPOOLSET\nabc a\n", " line 2: invalid part size 'abc'");
	assert_cfg("PMEMPOOLSET\n-8K a\n", " line 2: invalid part size '-8K'");
	assert_cfg("PMEMPOOLSET\n1.5G a\n",
		" line 2: invalid part size '1.5G'");
	assert_cfg("PMEMPOOLSET\n16MB a\n",
		" line 2: invalid part size '16MB'");
	assert_cfg("PMEMPOOLSET\n99999999999999999999G a\n",
		" line 2: invalid part size '99999999999999999999G'");
	assert_cfg("PMEMPOOLSET\n99999999999999999999 a\n",
		" line 2: invalid part size '99999999999999999999'");
	assert_cfg("PMEMPOOLSET\n17179869184G a\n",
		" line 2: invalid part size '17179869184G'");
	assert_cfg("PMEMPOOLSET\n0 a\n", " line 2: part size must not be zero");
	assert_cfg("PMEMPOOLSET\n0K a\n",
		" line 2: part size must not be zero");
	assert_cfg("PMEMPOOLSET\n16M a\n12289 b\n",
		" line 3: part size 12289 is not a multiple of the page size "
		"4096");
	assert_cfg("PMEMPOOLSET\n4K a\n",
		" line 2: part size 4096 is below the minimum 8192");
	assert_cfg("PMEMPOOLSET\nAUTO a\n", " line 2: part 'a': AUTO size is "
		"valid only for a device DAX");
	/* each part fits, their sum does not */
	assert_cfg("PMEMPOOLSET\n16000000T a\n16000000T b\n",
		": total size overflows");
}
END_TEST

START_TEST(duplicate_parts)
{
	char text[2 * PATH_MAX];

	assert_cfg("PMEMPOOLSET\n16M a\n16M b\n16M a\n",
		" line 4: part 'a' is the same file as part 0");
	assert_cfg("PMEMPOOLSET\n16M a\n16M ./a\n",
		" line 3: part './a' is the same file as part 0");

	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M b\n16M a\n16M %s/a\n",
		Dir);
	char rest[PATH_MAX + 64];
	snprintf(rest, sizeof(rest), " line 4: part '%s/a' is the same file "
		"as part 1", Dir);
	assert_cfg(text, rest);

	/* two names of one existing file: a hard link */
	write_file(path_in(Dir, "f"), "");
	ck_assert_int_eq(link(path_in(Dir, "f"), path_in(Dir, "g")), 0);
	assert_cfg("PMEMPOOLSET\n16M f\n16M g\n",
		" line 3: part 'g' is the same file as part 0");
	/* and a symlink to it */
	ck_assert_int_eq(symlink("f", path_in(Dir, "h")), 0);
	assert_cfg("PMEMPOOLSET\n16M h\n16M f\n",
		" line 3: part 'f' is the same file as part 0");
}
END_TEST

/* many_parts_text -- a set with n distinct 8K parts */
static char *
many_parts_text(unsigned n)
{
	size_t cap = 32 + (size_t)n * 32;
	char *text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	size_t off = (size_t)snprintf(text, cap, "PMEMPOOLSET\n");
	for (unsigned i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off, "8K p%u\n", i);
	return text;
}

START_TEST(part_count_limit)
{
	char *text = many_parts_text(RPMEMD_POOLSET_MAX_PARTS);
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_OK);
	ck_assert_uint_eq(Set->nparts, RPMEMD_POOLSET_MAX_PARTS);
	ck_assert_uint_eq(Set->usable_size,
		RPMEMD_POOLSET_MAX_PARTS * 8 * KiB -
		(RPMEMD_POOLSET_MAX_PARTS - 1) * 4096);
	free(text);

	text = many_parts_text(RPMEMD_POOLSET_MAX_PARTS + 1);
	assert_cfg(text, " line 1026: too many parts (at most 1024)");
	free(text);
}
END_TEST

START_TEST(line_and_file_limits)
{
	/* a 4096-byte line (newline included) is fine, 4097 is not */
	char *text = malloc(2 * RPMEMD_POOLSET_LINE_MAX);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "PMEMPOOLSET\n16M a #");
	size_t off = strlen(text);
	size_t fill = RPMEMD_POOLSET_LINE_MAX - 1 - strlen("16M a #");
	memset(text + off, 'x', fill);
	strcpy(text + off + fill, "\n");
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_OK);
	memset(text + off, 'x', fill + 1);
	strcpy(text + off + fill + 1, "\n");
	assert_cfg(text, " line 2: line too long (at most 4096 bytes)");
	/* the last line counts without a newline too */
	text[off + fill + 1] = 'x';
	text[off + fill + 2] = '\0';
	assert_cfg(text, " line 2: line too long (at most 4096 bytes)");
	free(text);

	/* a file over 1 MiB is refused before being parsed */
	size_t big = RPMEMD_POOLSET_FILE_MAX + 1;
	text = malloc(big + 1);
	ck_assert_ptr_nonnull(text);
	memset(text, '\n', big);	/* empty lines: only the size matters */
	memcpy(text, "PMEMPOOLSET\n16M a\n", 18);
	text[big] = '\0';
	assert_cfg(text, ": file too large (1048577 bytes, at most 1048576)");
	/* exactly 1 MiB is fine */
	text[big - 1] = '\0';
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_OK);
	free(text);
}
END_TEST

/* parse_pd -- like parse, with the parts confined to part_dir */
static int
parse_pd(const char *part_dir, const char *name, const char *text)
{
	rpmemd_poolset_delete(&Set);
	Msg[0] = '\0';
	write_file(path_in(Dir, name), text);
	return rpmemd_poolset_open_part_dir(Dir, part_dir, name, &Set, Msg,
		sizeof(Msg));
}

START_TEST(part_anywhere)
{
	char text[2 * PATH_MAX];
	struct stat st;

	/*
	 * classic layout: sets in one directory, parts in another; the
	 * administrator wrote the set, so its parts may be anywhere
	 */
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/p\n", Out);
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_OK);
	ck_assert_str_eq(Msg, "");
	ck_assert_str_eq(Set->parts[0].path, path_in(Out, "p"));
	ck_assert_int_eq(Set->parts[0].existed, 0);
	/* the directory it will be created in is recorded by identity */
	ck_assert_int_eq(stat(Out, &st), 0);
	ck_assert_int_eq(Set->parts[0].dir_known, 1);
	ck_assert(Set->parts[0].dir_dev == st.st_dev);
	ck_assert(Set->parts[0].dir_ino == st.st_ino);

	/* an existing file outside, recorded by identity too */
	write_file(path_in(Out, "e"), "");
	ck_assert_int_eq(stat(path_in(Out, "e"), &st), 0);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/e\n16M q\n", Out);
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_OK);
	ck_assert_uint_eq(Set->nparts, 2);
	ck_assert_str_eq(Set->parts[0].path, path_in(Out, "e"));
	ck_assert_int_eq(Set->parts[0].existed, 1);
	ck_assert(Set->parts[0].dev == st.st_dev);
	ck_assert(Set->parts[0].ino == st.st_ino);
	ck_assert_str_eq(Set->parts[1].path, path_in(Dir, "q"));

	/* climbing out with .. relative to the set's directory */
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "../%s/p", strrchr(Out, '/') + 1);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s\n", rel);
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(Out, "p"));

	/* symlinks are followed to where they lead: file and directory */
	write_file(path_in(Out, "target"), "");
	ck_assert_int_eq(symlink(path_in(Out, "target"),
		path_in(Dir, "ln")), 0);
	ck_assert_int_eq(parse("x.set", "PMEMPOOLSET\n16M ln\n"),
		RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(Out, "target"));
	ck_assert_int_eq(symlink(Out, path_in(Dir, "outdir")), 0);
	ck_assert_int_eq(parse("x.set", "PMEMPOOLSET\n16M outdir/new\n"),
		RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(Out, "new"));
	/* a file and a symlink to it are still one part */
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M ln\n16M %s/target\n",
		Out);
	char rest[PATH_MAX + 64];
	snprintf(rest, sizeof(rest), " line 3: part '%s/target' is the same "
		"file as part 0", Out);
	assert_cfg(text, rest);
}
END_TEST

START_TEST(part_errors)
{
	/* every error of a part path is still an error, with its message */
	assert_cfg("PMEMPOOLSET\n16M ..\n", " line 2: part '..' is neither a "
		"regular file nor a device DAX");

	/* a dangling symlink (create's O_EXCL would trip on it anyway) */
	ck_assert_int_eq(symlink(path_in(Out, "nothing"),
		path_in(Dir, "dangling")), 0);
	assert_cfg("PMEMPOOLSET\n16M dangling\n", " line 2: part 'dangling' "
		"is a dangling symbolic link");

	/* a symlink staying inside is fine and canonicalized */
	write_file(path_in(Dir, "real"), "");
	ck_assert_int_eq(symlink("real", path_in(Dir, "alias")), 0);
	ck_assert_int_eq(parse("x.set", "PMEMPOOLSET\n16M alias\n"),
		RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(Dir, "real"));

	/* not a file */
	ck_assert_int_eq(mkdir(path_in(Dir, "d"), 0700), 0);
	assert_cfg("PMEMPOOLSET\n16M d\n", " line 2: part 'd' is neither a "
		"regular file nor a device DAX");
	assert_cfg("PMEMPOOLSET\n16M d/\n", " line 2: part 'd/' is neither a "
		"regular file nor a device DAX");
	assert_cfg("PMEMPOOLSET\n16M /dev/null\n", " line 2: part '/dev/null' "
		"is a character device but not device DAX");
	assert_cfg("PMEMPOOLSET\n16M a\x01z\n",
		" line 2: part path contains control characters");

	/* a missing directory, here and elsewhere */
	ck_assert_int_eq(parse("x.set", "PMEMPOOLSET\n16M nodir/p\n"),
		RPMEM_ST_NOEXIST);
	assert_msg("x.set", " line 2: directory of part 'nodir/p': No such "
		"file or directory");
	char text[2 * PATH_MAX], rest[2 * PATH_MAX];
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/nodir/p\n", Out);
	ck_assert_int_eq(parse("x.set", text), RPMEM_ST_NOEXIST);
	snprintf(rest, sizeof(rest), " line 2: directory of part '%s/nodir/p':"
		" No such file or directory", Out);
	assert_msg("x.set", rest);
}
END_TEST

START_TEST(part_dir_confinement)
{
	char pd[PATH_MAX + 16];
	char text[4 * PATH_MAX];
	char rest[3 * PATH_MAX];

	/* part-dir = <Out>/parts; the set stays in Dir */
	snprintf(pd, sizeof(pd), "%s/parts", Out);
	ck_assert_int_eq(mkdir(pd, 0700), 0);

	/* inside: absolute, new and existing, and in a subdirectory */
	ck_assert_int_eq(mkdir(path_in(pd, "sub"), 0700), 0);
	write_file(path_in(pd, "old"), "");
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/new\n16M %s/old\n"
		"16M %s/sub/n\n", pd, pd, pd);
	ck_assert_int_eq(parse_pd(pd, "x.set", text), RPMEM_ST_OK);
	ck_assert_uint_eq(Set->nparts, 3);
	ck_assert_str_eq(Set->parts[0].path, path_in(pd, "new"));
	ck_assert_str_eq(Set->parts[1].path, path_in(pd, "old"));

	/* outside: a new part, an existing one; the message names both */
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/p\n", Out);
	ck_assert_int_eq(parse_pd(pd, "x.set", text), RPMEM_ST_POOL_CFG);
	ck_assert_ptr_null(Set);
	snprintf(rest, sizeof(rest), " line 2: part '%s/p' is outside the "
		"part directory '%s'", Out, pd);
	assert_msg("x.set", rest);
	write_file(path_in(Dir, "here"), "");
	ck_assert_int_eq(parse_pd(pd, "x.set", "PMEMPOOLSET\n16M here\n"),
		RPMEM_ST_POOL_CFG);
	snprintf(rest, sizeof(rest), " line 2: part 'here' is outside the part "
		"directory '%s'", pd);
	assert_msg("x.set", rest);
	/* part-dir itself is a directory, not a part */
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s\n", pd);
	ck_assert_int_eq(parse_pd(pd, "x.set", text), RPMEM_ST_POOL_CFG);

	/* climbing out of part-dir with .. */
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/../esc\n", pd);
	ck_assert_int_eq(parse_pd(pd, "x.set", text), RPMEM_ST_POOL_CFG);
	snprintf(rest, sizeof(rest), " line 2: part '%s/../esc' is outside "
		"the part directory '%s'", pd, pd);
	assert_msg("x.set", rest);

	/* symlinks inside part-dir leading out: to a file, to a directory */
	write_file(path_in(Out, "victim"), "");
	ck_assert_int_eq(symlink(path_in(Out, "victim"),
		path_in(pd, "lnfile")), 0);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/lnfile\n", pd);
	ck_assert_int_eq(parse_pd(pd, "x.set", text), RPMEM_ST_POOL_CFG);
	snprintf(rest, sizeof(rest), " line 2: part '%s/lnfile' is outside "
		"the part directory '%s'", pd, pd);
	assert_msg("x.set", rest);
	ck_assert_int_eq(symlink(Out, path_in(pd, "lndir")), 0);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/lndir/new\n", pd);
	ck_assert_int_eq(parse_pd(pd, "x.set", text), RPMEM_ST_POOL_CFG);
	snprintf(rest, sizeof(rest), " line 2: part '%s/lndir/new' is outside "
		"the part directory '%s'", pd, pd);
	assert_msg("x.set", rest);

	/* ... and a symlink from elsewhere leading in is judged by target */
	ck_assert_int_eq(symlink(path_in(pd, "old"), path_in(Dir, "in")), 0);
	ck_assert_int_eq(parse_pd(pd, "x.set", "PMEMPOOLSET\n16M in\n"),
		RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(pd, "old"));

	/* part-dir given through a symlink: compared after realpath */
	char pdlink[PATH_MAX + 16];
	snprintf(pdlink, sizeof(pdlink), "%s/pdlink", Out);
	ck_assert_int_eq(symlink(pd, pdlink), 0);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/new\n", pd);
	ck_assert_int_eq(parse_pd(pdlink, "x.set", text), RPMEM_ST_OK);

	/* "" means no restriction, like NULL */
	snprintf(text, sizeof(text), "PMEMPOOLSET\n16M %s/p\n", Out);
	ck_assert_int_eq(parse_pd("", "x.set", text), RPMEM_ST_OK);

	/* a part-dir that does not exist */
	char gone[PATH_MAX + 16];
	snprintf(gone, sizeof(gone), "%s/gone", Out);
	ck_assert_int_eq(parse_pd(gone, "x.set", text), RPMEM_ST_NOEXIST);
	ck_assert_ptr_null(Set);
	snprintf(rest, sizeof(rest), "part-dir '%s': No such file or "
		"directory", gone);
	ck_assert_str_eq(Msg, rest);

	/* the set file name is confined to poolset-dir all the same */
	ck_assert_int_eq(rpmemd_poolset_open_part_dir(Dir, pd, "../x.set",
		&Set, Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set name '../x.set' must not contain "
		"'..'");
}
END_TEST

START_TEST(set_name_still_confined)
{
	char path[PATH_MAX];

	/*
	 * parts may be anywhere, the set FILE may not: the client names it,
	 * so a set reached through a symlink leading out is still refused
	 */
	write_file(path_in(Out, "o.set"), "PMEMPOOLSET\n16M a\n");
	ck_assert_int_eq(symlink(path_in(Out, "o.set"),
		path_in(Dir, "esc.set")), 0);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "esc.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_ptr_null(Set);
	ck_assert_str_eq(Msg, "pool set 'esc.set' resolves outside the "
		"poolset directory");
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "esc.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	char abs[PATH_MAX + 16];
	snprintf(abs, sizeof(abs), "%s/o.set", Out);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, abs, &Set, Msg,
		sizeof(Msg)), RPMEM_ST_BADNAME);
}
END_TEST

START_TEST(name_confinement)
{
	char path[PATH_MAX];

	ck_assert_int_eq(mkdir(path_in(Dir, "sub"), 0700), 0);
	write_file(path_in(Dir, "sub/x.set"), "PMEMPOOLSET\n16M a\n");
	write_file(path_in(Out, "x.set"), "PMEMPOOLSET\n16M a\n");

	/* fine: a subdirectory, redundant slashes and dots, dotted names */
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "sub/x.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_str_eq(path, path_in(Dir, "sub/x.set"));
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "./sub//x.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_str_eq(path, path_in(Dir, "sub/x.set"));
	write_file(path_in(Dir, "..x..set"), "");
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "..x..set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_OK);

	static const struct {
		const char *name;
		const char *msg;
	} refused[] = {
		{"", "pool set name is empty"},
		{"/etc/passwd", "pool set name '/etc/passwd' must be relative "
			"to the poolset directory"},
		{"..", "pool set name '..' must not contain '..'"},
		{"../x.set", "pool set name '../x.set' must not contain '..'"},
		{"a/../../x", "pool set name 'a/../../x' must not contain "
			"'..'"},
		{"sub/..", "pool set name 'sub/..' must not contain '..'"},
		{"sub/../sub/x.set", "pool set name 'sub/../sub/x.set' must "
			"not contain '..'"},
		{"x\n.set", "pool set name contains control characters"},
		{"x\x1b[2J.set", "pool set name contains control characters"},
		{"x\x7f.set", "pool set name contains control characters"},
		{"sub", "pool set 'sub' is not a regular file"},
		{".", "pool set '.' resolves outside the poolset directory"},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		Msg[0] = '\0';
		ck_assert_int_eq(rpmemd_poolset_resolve(Dir, refused[i].name,
			path, sizeof(path), Msg, sizeof(Msg)),
			RPMEM_ST_BADNAME);
		ck_assert_str_eq(Msg, refused[i].msg);
	}

	/* symlinks leading out: the file itself, or a directory on the way */
	ck_assert_int_eq(symlink(path_in(Out, "x.set"),
		path_in(Dir, "esc.set")), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "esc.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set 'esc.set' resolves outside the "
		"poolset directory");
	ck_assert_int_eq(symlink(Out, path_in(Dir, "escdir")), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "escdir/x.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set 'escdir/x.set' resolves outside the "
		"poolset directory");
	/* ... but a symlink staying inside is fine */
	ck_assert_int_eq(symlink("sub/x.set", path_in(Dir, "in.set")), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "in.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_str_eq(path, path_in(Dir, "sub/x.set"));

	/* a symlink loop */
	ck_assert_int_eq(symlink("loop.set", path_in(Dir, "loop.set")), 0);
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "loop.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set 'loop.set': Too many levels of "
		"symbolic links");

	/* too long for the wire anyway */
	char longname[RPMEM_POOL_DESC_MAX + 1];
	memset(longname, 'n', RPMEM_POOL_DESC_MAX);
	longname[RPMEM_POOL_DESC_MAX] = '\0';
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, longname, path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_str_eq(Msg, "pool set name is too long");

	/* missing things */
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "nope.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_NOEXIST);
	ck_assert_str_eq(Msg, "pool set 'nope.set' does not exist");
	ck_assert_int_eq(rpmemd_poolset_resolve(Dir, "nodir/x.set", path,
		sizeof(path), Msg, sizeof(Msg)), RPMEM_ST_NOEXIST);
	ck_assert_int_eq(rpmemd_poolset_resolve(path_in(Dir, "gone"),
		"x.set", path, sizeof(path), Msg, sizeof(Msg)),
		RPMEM_ST_NOEXIST);
	char expect[PATH_MAX + 64];
	snprintf(expect, sizeof(expect), "poolset directory '%s/gone': No "
		"such file or directory", Dir);
	ck_assert_str_eq(Msg, expect);

	/* the combined open goes through the same checks */
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "../x.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_BADNAME);
	ck_assert_ptr_null(Set);
	ck_assert_int_eq(rpmemd_poolset_open(Dir, "sub/x.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(Dir, "sub/a"));
}
END_TEST

START_TEST(poolset_dir_via_symlink)
{
	/* poolset-dir itself may be a symlink: compared after realpath */
	char link[PATH_MAX + 16];
	snprintf(link, sizeof(link), "%s/pools", Out);
	ck_assert_int_eq(symlink(Dir, link), 0);
	write_file(path_in(Dir, "x.set"), "PMEMPOOLSET\n16M a\n");
	ck_assert_int_eq(rpmemd_poolset_open(link, "x.set", &Set, Msg,
		sizeof(Msg)), RPMEM_ST_OK);
	ck_assert_str_eq(Set->parts[0].path, path_in(Dir, "a"));
}
END_TEST

START_TEST(unreadable_set)
{
	write_file(path_in(Dir, "x.set"), "PMEMPOOLSET\n16M a\n");
	/* root too: checked as another user */
	unit_fs_open_up(Dir);
	ck_assert_int_eq(chmod(path_in(Dir, "x.set"), 0), 0);
	unit_fs_as_nobody();
	int st = rpmemd_poolset_open(Dir, "x.set", &Set, Msg, sizeof(Msg));
	unit_fs_as_self();
	ck_assert_int_eq(st, RPMEM_ST_NOACCESS);
	ck_assert_ptr_nonnull(strstr(Msg, "Permission denied"));
}
END_TEST

/* poolset_suite -- all pool-set tests */
static Suite *
poolset_suite(void)
{
	Suite *s = suite_create("poolset");
	TCase *tc = tcase_create("poolset");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parse_size);
	tcase_add_test(tc, single_part);
	tcase_add_test(tc, sizes_and_suffixes);
	tcase_add_test(tc, usable_size_modes);
	tcase_add_test(tc, comments_whitespace_paths);
	tcase_add_test(tc, bad_structure);
	tcase_add_test(tc, bad_sizes);
	tcase_add_test(tc, duplicate_parts);
	tcase_add_test(tc, part_count_limit);
	tcase_add_test(tc, line_and_file_limits);
	tcase_add_test(tc, part_anywhere);
	tcase_add_test(tc, part_errors);
	tcase_add_test(tc, part_dir_confinement);
	tcase_add_test(tc, set_name_still_confined);
	tcase_add_test(tc, name_confinement);
	tcase_add_test(tc, poolset_dir_via_symlink);
	tcase_add_test(tc, unreadable_set);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(poolset_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
