/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset.c -- remote pool-set files and path confinement
 *
 * Everything here is bounded: the set file (1 MiB), a line (4 KiB) and the
 * number of parts (1024), so a hostile file cannot make us allocate much.
 * The client-given name is confined with realpath() so that neither ".."
 * nor a symlink can lead outside poolset-dir.  Part paths come from the
 * administrator's set file and may be anywhere (classic rpmemd), unless
 * part-dir confines the regular-file ones the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fault_inject.h"
#include "poolset.h"
#include "rpmem_proto.h"

#define POOLSET_SIGNATURE "PMEMPOOLSET"

/* parser state */
struct poolset_parser {
	const char *part_dir;	/* part-dir as configured, NULL: none */
	const char *part_dir_real;	/* its realpath, NULL: none */
	char set_dir[PATH_MAX];	/* directory of the set file */
	const char *name;	/* for messages */
	unsigned line;
	struct rpmemd_poolset *set;
	unsigned cap;
	char *msg;
	size_t msglen;
	unsigned flags;		/* RPMEMD_POOLSET_* */
};

/* poolset_msg -- format msg and return status (for one-line returns) */
__attribute__((format(printf, 4, 5)))
static int
poolset_msg(char *msg, size_t msglen, int status, const char *fmt, ...)
{
	va_list ap;

	if (msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* poolset_errno_status -- status for a failed lookup of a path */
static int
poolset_errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return RPMEM_ST_NOEXIST;
	case EACCES:
	case EPERM:
		return RPMEM_ST_NOACCESS;
	case ENOMEM:
		return RPMEM_ST_NOMEM;
	default:
		return RPMEM_ST_FATAL;
	}
}

/* poolset_has_ctrl -- does s contain a control character */
static int
poolset_has_ctrl(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

/*
 * poolset_inside -- is the canonical path p dir itself (allow_equal) or
 * below it; both are realpath() results
 */
static int
poolset_inside(const char *dir, const char *p, int allow_equal)
{
	size_t dl = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return p[0] == '/' && (allow_equal || p[1] != '\0');
	if (strncmp(p, dir, dl) != 0)
		return 0;
	return p[dl] == '/' || (allow_equal && p[dl] == '\0');
}

/* rpmemd_parse_size -- "<digits>[KMGT]" (powers of 1024) to bytes */
int
rpmemd_parse_size(const char *str, size_t *size)
{
	size_t v = 0;
	unsigned shift = 0;
	const char *p = str;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (size_t)(*p - '0'), &v))
			return -1;
	}
	switch (*p) {
	case '\0':
		break;
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	case 'T': case 't':
		shift = 40;
		break;
	default:
		return -1;
	}
	if (shift != 0 && *++p != '\0')
		return -1;
	if (v > (SIZE_MAX >> shift))
		return -1;
	*size = v << shift;
	return 0;
}

/* poolset_read_sysfs_num -- one decimal or 0x-hex number from a sysfs file */
static int
poolset_read_sysfs_num(const char *path, size_t *val)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int errsv = errno;
	close(fd);
	if (n <= 0) {
		errno = n < 0 ? errsv : EINVAL;
		return -1;
	}
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 0);
	if (errno || end == buf || (*end != '\0' && *end != '\n') ||
	    v > SIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	*val = (size_t)v;
	return 0;
}

/* rpmemd_devdax_info -- is the character device rdev a device DAX */
int
rpmemd_devdax_info(dev_t rdev, size_t *size, size_t *align)
{
	char path[128];
	char link[PATH_MAX];
	unsigned maj = major(rdev), min = minor(rdev);

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/subsystem", maj, min);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;	/* no sysfs entry: certainly not device DAX */
	link[n] = '\0';
	const char *base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strcmp(base, "dax") != 0)
		return 0;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/size", maj, min);
	if (poolset_read_sysfs_num(path, size))
		return -1;

	/* the alignment moved between kernels; fall back to a page */
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/align", maj,
		min);
	if (poolset_read_sysfs_num(path, align)) {
		snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/align", maj,
			min);
		if (poolset_read_sysfs_num(path, align))
			*align = (size_t)sysconf(_SC_PAGESIZE);
	}
	if (*align == 0 || (*align & (*align - 1)) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

/* rpmemd_poolset_resolve -- confine a client-given pool-set name to dir */
int
rpmemd_poolset_resolve(const char *dir, const char *name, char *path,
		size_t pathlen, char *msg, size_t msglen)
{
	char dir_real[PATH_MAX];
	char joined[PATH_MAX];
	char real[PATH_MAX];
	struct stat st;

	if (name == NULL || name[0] == '\0')
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set name is empty");
	/* don't echo it: it could forge lines in logs and messages */
	if (poolset_has_ctrl(name))
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set name contains control characters");
	if (strlen(name) >= RPMEM_POOL_DESC_MAX)
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set name is too long");
	if (name[0] == '/')
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set name '%s' must be relative to the poolset "
			"directory", name);

	for (const char *c = name; *c; ) {
		size_t len = strcspn(c, "/");
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
				"pool set name '%s' must not contain '..'",
				name);
		c += len;
		c += strspn(c, "/");
	}

	if (RPMEM_FI("realpath", EACCES) || realpath(dir, dir_real) == NULL) {
		int err = errno;
		return poolset_msg(msg, msglen, poolset_errno_status(err),
			"poolset directory '%s': %s", dir, strerror(err));
	}

	int n = snprintf(joined, sizeof(joined), "%s/%s", dir_real, name);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set name '%s' is too long", name);

	if (RPMEM_FI("realpath", EACCES) || realpath(joined, real) == NULL) {
		int err = errno;
		if (err == ENOENT || err == ENOTDIR)
			return poolset_msg(msg, msglen, RPMEM_ST_NOEXIST,
				"pool set '%s' does not exist", name);
		if (err == ELOOP || err == ENAMETOOLONG)
			return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
				"pool set '%s': %s", name, strerror(err));
		return poolset_msg(msg, msglen, poolset_errno_status(err),
			"pool set '%s': %s", name, strerror(err));
	}

	if (!poolset_inside(dir_real, real, 0))
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set '%s' resolves outside the poolset directory",
			name);

	if (stat(real, &st)) {
		int err = errno;
		return poolset_msg(msg, msglen, poolset_errno_status(err),
			"pool set '%s': %s", name, strerror(err));
	}
	if (!S_ISREG(st.st_mode))
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set '%s' is not a regular file", name);

	if (strlen(real) >= pathlen)
		return poolset_msg(msg, msglen, RPMEM_ST_BADNAME,
			"pool set '%s': path too long", name);
	strcpy(path, real);
	return RPMEM_ST_OK;
}

/* rpmemd_poolset_delete -- free a parsed pool set */
void
rpmemd_poolset_delete(struct rpmemd_poolset **setp)
{
	struct rpmemd_poolset *set = *setp;

	if (set == NULL)
		return;
	for (unsigned i = 0; i < set->nparts; i++)
		free(set->parts[i].path);
	free(set->parts);
	free(set->name);
	free(set->path);
	free(set);
	*setp = NULL;
}

/* parser_err -- a message about the current line, status POOL_CFG */
__attribute__((format(printf, 2, 3)))
static int
parser_err(struct poolset_parser *p, const char *fmt, ...)
{
	va_list ap;
	size_t off = 0;

	if (p->msglen == 0)
		return RPMEM_ST_POOL_CFG;
	int n = p->line ?
		snprintf(p->msg, p->msglen, "pool set '%s' line %u: ",
			p->name, p->line) :
		snprintf(p->msg, p->msglen, "pool set '%s': ", p->name);
	if (n > 0)
		off = (size_t)n < p->msglen ? (size_t)n : p->msglen - 1;
	va_start(ap, fmt);
	vsnprintf(p->msg + off, p->msglen - off, fmt, ap);
	va_end(ap);
	return RPMEM_ST_POOL_CFG;
}

/* parser_errno -- like parser_err, with a status from errno */
static int
parser_errno(struct poolset_parser *p, int err, const char *what,
		const char *path)
{
	parser_err(p, "%s '%s': %s", what, path, strerror(err));
	return poolset_errno_status(err);
}

/*
 * parser_outside -- a regular-file part that part-dir does not hold
 * (always 0 without part-dir); real is canonical, allow_equal for the
 * directory of a part still to be created
 */
static int
parser_outside(const struct poolset_parser *p, const char *real,
		int allow_equal)
{
	return p->part_dir_real != NULL &&
		!poolset_inside(p->part_dir_real, real, allow_equal);
}

/* parser_dir_ident -- record the identity of a part's directory */
static int
parser_dir_ident(struct poolset_parser *p, const char *dir_real,
		const char *raw, struct rpmemd_part *part)
{
	struct stat st;

	if (RPMEM_FI("stat", EACCES) || stat(dir_real, &st)) {
		int err = errno;
		parser_err(p, "directory of part '%s': %s", raw,
			strerror(err));
		return poolset_errno_status(err);
	}
	part->dir_known = 1;
	part->dir_dev = st.st_dev;
	part->dir_ino = st.st_ino;
	return RPMEM_ST_OK;
}

/*
 * parser_resolve_part -- canonical path of a part; an existing file is
 * followed through symlinks, a missing one is checked through its
 * (existing) parent directory since create has not made it yet.  With
 * part-dir, a regular-file part must land inside it.
 */
static int
parser_resolve_part(struct poolset_parser *p, const char *raw, int is_auto,
		size_t *size, struct rpmemd_part *part)
{
	char full[PATH_MAX];
	char real[PATH_MAX];
	char tmp[PATH_MAX];
	struct stat st;
	int n;

	if (raw[0] == '/')
		n = snprintf(full, sizeof(full), "%s", raw);
	else
		n = snprintf(full, sizeof(full), "%s/%s", p->set_dir, raw);
	if (n < 0 || (size_t)n >= sizeof(full))
		return parser_err(p, "part path too long");

	if (lstat(full, &st) == 0) {
		if (RPMEM_FI("realpath", EACCES) ||
		    realpath(full, real) == NULL) {
			if (errno == ENOENT)
				return parser_err(p, "part '%s' is a dangling "
					"symbolic link", raw);
			return parser_errno(p, errno, "part", raw);
		}
		if (stat(real, &st))
			return parser_errno(p, errno, "part", raw);

		if (S_ISCHR(st.st_mode)) {
			size_t dev_size = 0, align = 0;
			int dax = rpmemd_devdax_info(st.st_rdev, &dev_size,
					&align);
			if (dax < 0)
				return parser_errno(p, errno,
					"device DAX part (sysfs)", raw);
			if (dax == 0)
				return parser_err(p, "part '%s' is a character "
					"device but not device DAX", raw);
			if (is_auto)
				*size = dev_size;
			else if (*size > dev_size)
				return parser_err(p, "part '%s': size %zu "
					"exceeds the device size %zu", raw,
					*size, dev_size);
			if (*size == 0 || *size % align != 0)
				return parser_err(p, "part '%s': size %zu is "
					"not a multiple of the device "
					"alignment %zu", raw, *size, align);
			part->is_devdax = 1;
			part->align = align;
		} else if (S_ISREG(st.st_mode)) {
			if (parser_outside(p, real, 0))
				return parser_err(p, "part '%s' is outside the "
					"part directory '%s'", raw,
					p->part_dir);
			strcpy(tmp, real);
			int ret = parser_dir_ident(p, dirname(tmp), raw,
					part);
			if (ret != RPMEM_ST_OK)
				return ret;
		} else {
			return parser_err(p, "part '%s' is neither a regular "
				"file nor a device DAX", raw);
		}
		part->existed = 1;
		part->dev = st.st_dev;
		part->ino = st.st_ino;
	} else if (errno == ENOENT) {
		char parent_real[PATH_MAX];

		strcpy(tmp, full);
		const char *parent = dirname(tmp);
		if (RPMEM_FI("realpath", EACCES) ||
		    realpath(parent, parent_real) == NULL) {
			int err = errno;
			if (err == ENOENT &&
			    (p->flags & RPMEMD_POOLSET_GONE_DIRS_OK)) {
				/* nothing of it to find, check or remove */
				snprintf(real, sizeof(real), "%s", full);
				goto gone;
			}
			parser_err(p, "directory of part '%s': %s", raw,
				strerror(err));
			return poolset_errno_status(err);
		}
		if (parser_outside(p, parent_real, 1))
			return parser_err(p, "part '%s' is outside the part "
				"directory '%s'", raw, p->part_dir);

		strcpy(tmp, full);
		const char *base = basename(tmp);
		size_t flen = strlen(full);
		if (full[flen - 1] == '/' || strcmp(base, ".") == 0 ||
		    strcmp(base, "..") == 0)
			return parser_err(p, "part '%s' is not a file name",
				raw);
		n = snprintf(real, sizeof(real), "%s/%s",
			strcmp(parent_real, "/") == 0 ? "" : parent_real, base);
		if (n < 0 || (size_t)n >= sizeof(real))
			return parser_err(p, "part path too long");
		int ret = parser_dir_ident(p, parent_real, raw, part);
		if (ret != RPMEM_ST_OK)
			return ret;
	} else {
		return parser_errno(p, errno, "part", raw);
	}

gone:
	if (is_auto && !part->is_devdax)
		return parser_err(p, "part '%s': AUTO size is valid only for "
			"a device DAX", raw);

	part->path = RPMEM_FI("strdup", ENOMEM) ? NULL : strdup(real);
	if (part->path == NULL)
		return parser_errno(p, ENOMEM, "part", raw);
	part->size = *size;
	return RPMEM_ST_OK;
}

/* parser_add_part -- "<size> <path>" */
static int
parser_add_part(struct poolset_parser *p, char *line)
{
	struct rpmemd_poolset *set = p->set;
	size_t size = 0;
	int is_auto = 0;

	size_t slen = strcspn(line, " \t");
	if (line[slen] == '\0')
		return parser_err(p, "expected '<size> <path>', "
			"'PMEMPOOLSET' or 'OPTION <option>'");
	line[slen] = '\0';
	char *path = line + slen + 1;
	path += strspn(path, " \t");

	if (strcmp(line, "AUTO") == 0) {
		is_auto = 1;
	} else {
		long page = sysconf(_SC_PAGESIZE);
		if (rpmemd_parse_size(line, &size))
			return parser_err(p, "invalid part size '%s'", line);
		if (size == 0)
			return parser_err(p, "part size must not be zero");
		if (size % (size_t)page != 0)
			return parser_err(p, "part size %zu is not a multiple "
				"of the page size %ld", size, page);
		if (size < RPMEM_MIN_PART)
			return parser_err(p, "part size %zu is below the "
				"minimum %zu", size, (size_t)RPMEM_MIN_PART);
	}
	if (poolset_has_ctrl(path))
		return parser_err(p, "part path contains control characters");

	if (set->nparts == RPMEMD_POOLSET_MAX_PARTS)
		return parser_err(p, "too many parts (at most %d)",
			RPMEMD_POOLSET_MAX_PARTS);
	if (set->nparts == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 8;
		if (cap > RPMEMD_POOLSET_MAX_PARTS)
			cap = RPMEMD_POOLSET_MAX_PARTS;
		struct rpmemd_part *parts = RPMEM_FI("realloc", ENOMEM) ?
			NULL : realloc(set->parts, cap * sizeof(*parts));
		if (parts == NULL)
			return parser_errno(p, ENOMEM, "part", path);
		set->parts = parts;
		p->cap = cap;
	}

	struct rpmemd_part *part = &set->parts[set->nparts];
	memset(part, 0, sizeof(*part));
	int ret = parser_resolve_part(p, path, is_auto, &size, part);
	if (ret != RPMEM_ST_OK) {
		free(part->path);
		return ret;
	}

	/* the identity also catches two hard links to one file */
	for (unsigned i = 0; i < set->nparts; i++) {
		int same = strcmp(set->parts[i].path, part->path) == 0 ||
			(part->existed && set->parts[i].existed &&
			 part->dev == set->parts[i].dev &&
			 part->ino == set->parts[i].ino);
		if (same) {
			ret = parser_err(p, "part '%s' is the same file as "
				"part %u", path, i);
			free(part->path);
			return ret;
		}
	}
	set->nparts++;
	return RPMEM_ST_OK;
}

/* parser_trim -- strip the comment and surrounding whitespace */
static char *
parser_trim(char *s)
{
	char *hash = strchr(s, '#');
	if (hash != NULL)
		*hash = '\0';
	s += strspn(s, " \t\r\f\v");
	size_t len = strlen(s);
	while (len > 0 && strchr(" \t\r\f\v", s[len - 1]) != NULL)
		s[--len] = '\0';
	return s;
}

/* parser_run -- parse the whole buffer (NUL-terminated, len bytes) */
static int
parser_run(struct poolset_parser *p, char *buf, size_t len)
{
	struct rpmemd_poolset *set = p->set;
	int have_sig = 0, single = 0, nohdrs = 0;
	char *next;

	if (memchr(buf, '\0', len) != NULL)
		return parser_err(p, "the file contains a NUL byte");

	for (char *line = buf; line < buf + len; line = next) {
		p->line++;
		char *nl = strchr(line, '\n');
		size_t llen = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (llen > RPMEMD_POOLSET_LINE_MAX)
			return parser_err(p, "line too long (at most %d bytes)",
				RPMEMD_POOLSET_LINE_MAX);
		if (nl != NULL) {
			*nl = '\0';
			next = nl + 1;
		} else {
			next = line + llen;
		}

		char *s = parser_trim(line);
		if (*s == '\0')
			continue;

		if (!have_sig) {
			if (strcmp(s, POOLSET_SIGNATURE) != 0)
				return parser_err(p, "expected the '"
					POOLSET_SIGNATURE "' signature");
			have_sig = 1;
			continue;
		}

		size_t wlen = strcspn(s, " \t");
		if (wlen == strlen(POOLSET_SIGNATURE) &&
		    strncmp(s, POOLSET_SIGNATURE, wlen) == 0)
			return parser_err(p, "duplicate '" POOLSET_SIGNATURE
				"'");
		if (wlen == 7 && strncmp(s, "REPLICA", 7) == 0)
			return parser_err(p, "REPLICA is not allowed in a "
				"remote pool set");
		if (wlen == 6 && strncmp(s, "OPTION", 6) == 0) {
			char *opt = s + wlen + strspn(s + wlen, " \t");
			if (strcmp(opt, "SINGLEHDR") == 0)
				single = 1;
			else if (strcmp(opt, "NOHDRS") == 0)
				nohdrs = 1;
			else
				return parser_err(p, "unknown option '%s' "
					"(expected SINGLEHDR or NOHDRS)", opt);
			if (single && nohdrs)
				return parser_err(p, "OPTION SINGLEHDR and "
					"OPTION NOHDRS are mutually exclusive");
			continue;
		}

		int ret = parser_add_part(p, s);
		if (ret != RPMEM_ST_OK)
			return ret;
	}
	p->line = 0;

	if (!have_sig)
		return parser_err(p, "missing the '" POOLSET_SIGNATURE
			"' signature");
	if (set->nparts == 0)
		return parser_err(p, "no parts");
	for (unsigned i = 0; i < set->nparts; i++) {
		if (set->parts[i].is_devdax && set->nparts > 1)
			return parser_err(p, "device DAX part '%s' must be the "
				"only part of its pool set",
				set->parts[i].path);
		if (__builtin_add_overflow(set->total_size,
				set->parts[i].size, &set->total_size))
			return parser_err(p, "total size overflows");
	}

	if (nohdrs) {
		set->hdr_mode = RPMEMD_HDR_NONE;
		set->hdr_size = 0;
		set->usable_size = set->total_size;
	} else if (single) {
		set->hdr_mode = RPMEMD_HDR_SINGLE;
		set->hdr_size = RPMEMD_PART_HDR_SIZE;
		set->usable_size = set->total_size;
	} else {
		set->hdr_mode = RPMEMD_HDR_DEFAULT;
		set->hdr_size = RPMEMD_PART_HDR_SIZE;
		/* every part is >= RPMEM_MIN_PART > 4096: no underflow */
		set->usable_size = set->total_size -
			(size_t)RPMEMD_PART_HDR_SIZE * (set->nparts - 1);
	}
	return RPMEM_ST_OK;
}

/* poolset_parse -- parse a set file (parts confined to part_dir) */
static int
poolset_parse(const char *part_dir, const char *name, unsigned flags,
		const char *path, struct rpmemd_poolset **setp, char *msg,
		size_t msglen)
{
	struct poolset_parser p = {.name = name, .msg = msg,
		.msglen = msglen, .flags = flags};
	char part_dir_real[PATH_MAX];
	struct stat st;
	size_t len = 0;
	int ret;

	if (part_dir != NULL && part_dir[0] != '\0') {
		if (RPMEM_FI("realpath", EACCES) ||
		    realpath(part_dir, part_dir_real) == NULL) {
			int err = errno;
			return poolset_msg(msg, msglen,
				poolset_errno_status(err),
				"part-dir '%s': %s", part_dir, strerror(err));
		}
		p.part_dir = part_dir;
		p.part_dir_real = part_dir_real;
	}
	if (strlen(path) >= sizeof(p.set_dir))
		return parser_err(&p, "path too long");
	strcpy(p.set_dir, path);
	char *sd = dirname(p.set_dir);
	memmove(p.set_dir, sd, strlen(sd) + 1);

	/* O_NONBLOCK: a FIFO swapped in after resolve must not hang us */
	int fd = RPMEM_FI("open", EACCES) ? -1 :
		open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return parser_errno(&p, errno, "cannot open", path);

	if (RPMEM_FI("fstat", EIO) || fstat(fd, &st)) {
		ret = parser_errno(&p, errno, "cannot stat", path);
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = parser_err(&p, "not a regular file");
		goto close_fd;
	}
	if (st.st_size > RPMEMD_POOLSET_FILE_MAX) {
		ret = parser_err(&p, "file too large (%lld bytes, at most %d)",
			(long long)st.st_size, RPMEMD_POOLSET_FILE_MAX);
		goto close_fd;
	}

	/* one byte more than allowed to notice a file that grew */
	char *buf = RPMEM_FI("malloc", ENOMEM) ? NULL :
		malloc(RPMEMD_POOLSET_FILE_MAX + 2);
	if (buf == NULL) {
		ret = parser_errno(&p, ENOMEM, "cannot read", path);
		goto close_fd;
	}
	while (len <= RPMEMD_POOLSET_FILE_MAX) {
		ssize_t n = RPMEM_FI("read", EIO) ? -1 : read(fd, buf + len,
				RPMEMD_POOLSET_FILE_MAX + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = parser_errno(&p, errno, "cannot read", path);
			goto free_buf;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > RPMEMD_POOLSET_FILE_MAX) {
		ret = parser_err(&p, "file too large (at most %d bytes)",
			RPMEMD_POOLSET_FILE_MAX);
		goto free_buf;
	}
	buf[len] = '\0';

	p.set = RPMEM_FI("calloc", ENOMEM) ? NULL : calloc(1, sizeof(*p.set));
	if (p.set == NULL) {
		ret = parser_errno(&p, ENOMEM, "cannot parse", path);
		goto free_buf;
	}
	p.set->name = RPMEM_FI("strdup", ENOMEM) ? NULL : strdup(name);
	p.set->path = RPMEM_FI("strdup", ENOMEM) ? NULL : strdup(path);

	if (p.set->name == NULL || p.set->path == NULL) {
		ret = parser_errno(&p, ENOMEM, "cannot parse", path);
		goto delete_set;
	}

	ret = parser_run(&p, buf, len);
	if (ret != RPMEM_ST_OK)
		goto delete_set;

	*setp = p.set;
	p.set = NULL;
	if (msglen > 0)
		msg[0] = '\0';

delete_set:
	rpmemd_poolset_delete(&p.set);
free_buf:
	free(buf);
close_fd:
	close(fd);
	return ret;
}

/* rpmemd_poolset_parse -- see poolset.h */
int
rpmemd_poolset_parse(const char *part_dir, const char *name,
		const char *path, struct rpmemd_poolset **setp, char *msg,
		size_t msglen)
{
	return poolset_parse(part_dir, name, 0, path, setp, msg, msglen);
}

/* rpmemd_poolset_open_flags -- resolve a name, parse the set */
int
rpmemd_poolset_open_flags(const char *dir, const char *part_dir,
		const char *name, unsigned flags, struct rpmemd_poolset **set,
		char *msg, size_t msglen)
{
	char path[PATH_MAX];

	int ret = rpmemd_poolset_resolve(dir, name, path, sizeof(path), msg,
			msglen);
	if (ret != RPMEM_ST_OK)
		return ret;
	return poolset_parse(part_dir, name, flags, path, set, msg, msglen);
}

/* rpmemd_poolset_open_part_dir -- resolve a name, parse the set */
int
rpmemd_poolset_open_part_dir(const char *dir, const char *part_dir,
		const char *name, struct rpmemd_poolset **set, char *msg,
		size_t msglen)
{
	return rpmemd_poolset_open_flags(dir, part_dir, name, 0, set, msg,
			msglen);
}

/* rpmemd_poolset_open -- resolve a name, parse the set, parts anywhere */
int
rpmemd_poolset_open(const char *dir, const char *name,
		struct rpmemd_poolset **set, char *msg, size_t msglen)
{
	return rpmemd_poolset_open_part_dir(dir, NULL, name, set, msg,
			msglen);
}
