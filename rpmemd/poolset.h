/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset.h -- remote pool-set files and path confinement
 *
 * A remote pool set (a file under poolset-dir, named by the client):
 *
 *   PMEMPOOLSET
 *   OPTION SINGLEHDR          # or OPTION NOHDRS; at most one of them
 *   16M  part0.pool           # relative to the set file's directory
 *   1G   /abs/path/part1.pool
 *   AUTO /dev/dax0.0          # device DAX: size from sysfs
 *
 * Sizes are bytes or K/M/G/T (powers of 1024), page multiples, each at least
 * RPMEM_MIN_PART.  REPLICA lines are refused (a remote set has no replicas).
 * The set file itself must resolve inside poolset-dir (the client names
 * it); its parts are the administrator's choice, as in classic rpmemd:
 * regular files anywhere (existing, or to be created in an existing
 * directory), unless part-dir is configured: then every regular-file part
 * must resolve, through symlinks, inside it.  A device-DAX character
 * device may be anywhere and must be the only part of its set.
 *
 * Client view of the pool ("usable size", offset 0 = the header if any):
 *   default:   sum(parts) - 4096 * (nparts - 1)  (each further part keeps
 *              its own 4 KiB part header, mapped out of the user range)
 *   SINGLEHDR: sum(parts), one header at offset 0
 *   NOHDRS:    sum(parts), no header at all
 *
 * Functions return an enum rpmem_status and fill msg with a reason.
 */
#ifndef RPMEMD_POOLSET_H
#define RPMEMD_POOLSET_H 1

#include <stddef.h>
#include <sys/types.h>

#define RPMEMD_POOLSET_MAX_PARTS 1024
#define RPMEMD_POOLSET_LINE_MAX 4096		/* bytes, with newline */
#define RPMEMD_POOLSET_FILE_MAX (1024 * 1024)	/* bytes */
#define RPMEMD_PART_HDR_SIZE 4096		/* per-part header (default) */

enum rpmemd_hdr_mode {
	RPMEMD_HDR_DEFAULT,	/* header in every part */
	RPMEMD_HDR_SINGLE,	/* OPTION SINGLEHDR: header in part 0 only */
	RPMEMD_HDR_NONE,	/* OPTION NOHDRS: no header */
};

struct rpmemd_part {
	char *path;		/* canonical absolute path */
	size_t size;		/* bytes of the file / device used */
	int is_devdax;		/* device-DAX character device */
	size_t align;		/* device-DAX alignment, else 0 */
	/*
	 * what the parser saw, so the pool store can refuse a file or
	 * directory swapped in between the checks and the open
	 */
	int existed;		/* the file existed: dev/ino are its identity */
	dev_t dev;
	ino_t ino;
	int dir_known;		/* dir_dev/dir_ino: its directory's identity */
	dev_t dir_dev;
	ino_t dir_ino;
};

struct rpmemd_poolset {
	char *name;		/* as given by the client, for messages */
	char *path;		/* canonical path of the set file */
	enum rpmemd_hdr_mode hdr_mode;
	unsigned nparts;
	struct rpmemd_part *parts;
	size_t total_size;	/* sum of the parts */
	size_t usable_size;	/* client view, header included */
	size_t hdr_size;	/* 0 (NOHDRS) or RPMEMD_PART_HDR_SIZE */
};

/*
 * rpmemd_poolset_resolve -- confine a client-given pool-set name to dir:
 * relative, non-empty, no ".." component, no control characters, and its
 * realpath inside realpath(dir); a symlink leading out is refused.
 * Fills path (PATH_MAX) with the canonical path of an existing regular
 * file.  BADNAME for a refused name, NOEXIST / NOACCESS when the file
 * cannot be found / reached.
 */
int rpmemd_poolset_resolve(const char *dir, const char *name, char *path,
		size_t pathlen, char *msg, size_t msglen);

/*
 * rpmemd_poolset_parse -- parse the set file at path (canonical, e.g. from
 * rpmemd_poolset_resolve); part_dir NULL or "" lets regular-file parts be
 * anywhere, else confines them to it (POOL_CFG "part '...' is outside the
 * part directory '...'").  name is only used in messages.  POOL_CFG for a
 * bad file, NOEXIST/NOACCESS when it, part_dir or a part's directory
 * cannot be reached.
 */
int rpmemd_poolset_parse(const char *part_dir, const char *name,
		const char *path, struct rpmemd_poolset **set, char *msg,
		size_t msglen);

/*
 * rpmemd_poolset_open_part_dir -- resolve name in dir + parse with the
 * parts confined to part_dir (NULL or "": anywhere)
 */
int rpmemd_poolset_open_part_dir(const char *dir, const char *part_dir,
		const char *name, struct rpmemd_poolset **set, char *msg,
		size_t msglen);

/*
 * rpmemd_poolset_open_flags -- rpmemd_poolset_open_part_dir with flags:
 * RPMEMD_POOLSET_GONE_DIRS_OK takes a part whose directory does not exist
 * for a part that does not exist (a forced removal's view: nothing of it
 * to remove) instead of failing with NOEXIST
 */
#define RPMEMD_POOLSET_GONE_DIRS_OK 1u
int rpmemd_poolset_open_flags(const char *dir, const char *part_dir,
		const char *name, unsigned flags, struct rpmemd_poolset **set,
		char *msg, size_t msglen);

/* rpmemd_poolset_open -- resolve + parse, parts anywhere */
int rpmemd_poolset_open(const char *dir, const char *name,
		struct rpmemd_poolset **set, char *msg, size_t msglen);

void rpmemd_poolset_delete(struct rpmemd_poolset **set);

/*
 * rpmemd_parse_size -- "<digits>[KMGT]" (powers of 1024, case-insensitive)
 * to bytes; -1 when malformed or overflowing
 */
int rpmemd_parse_size(const char *str, size_t *size);

/*
 * rpmemd_devdax_info -- is the character device rdev a device DAX; if so
 * (1) read its size and alignment from sysfs; 0 when it is not, -1 with
 * errno when sysfs cannot be read
 */
int rpmemd_devdax_info(dev_t rdev, size_t *size, size_t *align);

#endif /* RPMEMD_POOLSET_H */
