/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_fs.h -- the temporary directories of the unit tests: removing one
 * with everything in it (symlinks themselves, never what they name)
 */
#ifndef RPMEM_TEST_UNIT_FS_H
#define RPMEM_TEST_UNIT_FS_H 1

#include <ftw.h>	/* needs _XOPEN_SOURCE 500 or _GNU_SOURCE first */
#include <stdio.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

/* unit_rm_cb -- nftw callback removing one entry */
static inline int
unit_rm_cb(const char *path, const struct stat *st, int flag,
		struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return remove(path);
}

/* unit_rm_tree -- remove dir and everything below it */
static inline void
unit_rm_tree(const char *dir)
{
	(void) nftw(dir, unit_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* unit_open_up_cb -- nftw callback: others may search dirs, read files */
static inline int
unit_open_up_cb(const char *path, const struct stat *st, int flag,
		struct FTW *ftw)
{
	(void) ftw;
	if (flag == FTW_D || flag == FTW_DP)
		return chmod(path, (st->st_mode & 07777) | 0055);
	if (flag == FTW_F)
		return chmod(path, (st->st_mode & 07777) | 0044);
	return 0;
}

/*
 * unit_fs_open_up -- directories under dir searchable and files readable
 * by others, so that under unit_fs_as_nobody only the mode a test takes
 * away afterwards denies
 */
static inline void
unit_fs_open_up(const char *dir)
{
	(void) nftw(dir, unit_open_up_cb, 16, FTW_PHYS);
}

/*
 * unit_fs_as_nobody -- from here on this thread's file permission checks
 * are those of uid/gid 65534: root's fsuid leaving 0 takes CAP_DAC_OVERRIDE
 * and CAP_DAC_READ_SEARCH with it, so a test of EACCES checks something
 * when run as root too (as any other user it stays that user).  Take the
 * modes away before (chmod needs the owner); unit_fs_as_self undoes it.
 */
static inline void
unit_fs_as_nobody(void)
{
	if (geteuid() == 0) {
		(void) setfsgid(65534);
		(void) setfsuid(65534);
	}
}

/* unit_fs_as_self -- file permission checks as the process again */
static inline void
unit_fs_as_self(void)
{
	(void) setfsuid(geteuid());
	(void) setfsgid(getegid());
}

#endif /* RPMEM_TEST_UNIT_FS_H */
