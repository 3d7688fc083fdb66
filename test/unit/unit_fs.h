/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_fs.h -- the temporary directories of the unit tests: removing one
 * with everything in it (symlinks themselves, never what they name)
 */
#ifndef RPMEM_TEST_UNIT_FS_H
#define RPMEM_TEST_UNIT_FS_H 1

#include <ftw.h>	/* needs _XOPEN_SOURCE 500 or _GNU_SOURCE first */
#include <stdio.h>
#include <sys/stat.h>

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

#endif /* RPMEM_TEST_UNIT_FS_H */
