/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ctl_server.c -- the daemon's request path, fed from memory
 *
 * The input is what a client wrote to rpmemd's stdin.  It is put in a
 * memfd and read back with rpmemd_ctl_recv() exactly as rpmemd_serve()
 * does, message after message, until end of input or a malformed message.
 * Every outcome is answered as rpmemd answers it (rpmemd_ctl_reply to
 * /dev/null); a request naming a pool set goes through
 * rpmemd_poolset_open() on a fixture poolset directory that has symlinks
 * leading out of it.
 *
 * Properties: every valid request re-encodes and decodes to itself; every
 * reply can be encoded (terminated text, valid type); a malformed message
 * says why; a pool-set name that resolves is relative, free of "..",
 * control characters, and lands inside the directory; so do its parts,
 * since the fixture's set files name only parts inside it (the daemon
 * allows parts anywhere the administrator's set file says, issue 14: the
 * client chooses the set name, never a part).
 */
#define _GNU_SOURCE	/* memfd_create */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_server.h"
#include "fuzz.h"
#include "poolset.h"
#include "rpmem_proto.h"

static int Null_fd = -1;
static char Top[PATH_MAX];	/* the fixture: Top/pools, Top/out */
static char Pools[PATH_MAX];	/* realpath of the poolset directory */

/* put -- write a fixture file */
static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fputs(text, f) >= 0);
	FUZZ_CHECK(fclose(f) == 0);
}

/* fixture_remove -- at exit: the fixture is ours, made by mkdtemp */
static void
fixture_remove(void)
{
	static const char *const files[] = {
		"pools/x.set", "pools/sub/y.set", "pools/esc.set",
		"pools/escdir", "pools/in.set", "pools/loop.set",
		"pools/part.pool", "pools/sub", "out/x.set", "pools", "out",
	};
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", Top, files[i]);
		if (unlink(path) != 0)
			rmdir(path);
	}
	rmdir(Top);
}

/* fixture -- once: /dev/null and the poolset directory */
static void
fixture(void)
{
	char p[PATH_MAX + 32];
	const char *tmp = getenv("TMPDIR");

	Null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	FUZZ_CHECK(Null_fd >= 0);
	snprintf(Top, sizeof(Top), "%s/rpmem-fuzz-XXXXXX",
		tmp && tmp[0] ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(Top) != NULL);
	atexit(fixture_remove);

#define AT(rel) (snprintf(p, sizeof(p), "%s/%s", Top, rel), p)
	FUZZ_CHECK(mkdir(AT("pools"), 0700) == 0);
	FUZZ_CHECK(mkdir(AT("out"), 0700) == 0);
	FUZZ_CHECK(mkdir(AT("pools/sub"), 0700) == 0);
	put(AT("pools/x.set"), "PMEMPOOLSET\n16M part.pool\n");
	put(AT("pools/sub/y.set"), "PMEMPOOLSET\nOPTION NOHDRS\n8M ../p2\n");
	put(AT("out/x.set"), "PMEMPOOLSET\n16M part.pool\n");
	char target[PATH_MAX + 32];
	snprintf(target, sizeof(target), "%s/out/x.set", Top);
	FUZZ_CHECK(symlink(target, AT("pools/esc.set")) == 0);
	snprintf(target, sizeof(target), "%s/out", Top);
	FUZZ_CHECK(symlink(target, AT("pools/escdir")) == 0);
	FUZZ_CHECK(symlink("sub/y.set", AT("pools/in.set")) == 0);
	FUZZ_CHECK(symlink("loop.set", AT("pools/loop.set")) == 0);
#undef AT
	snprintf(p, sizeof(p), "%s/pools", Top);
	FUZZ_CHECK(realpath(p, Pools) != NULL);
}

/* inside -- is the canonical path p below Pools */
static int
inside(const char *p)
{
	size_t n = strlen(Pools);

	return strncmp(p, Pools, n) == 0 && p[n] == '/';
}

/* name_ok -- the rules a resolvable name must obey */
static int
name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '/')
		return 0;
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return 0;
	for (const char *c = name; *c; ) {
		size_t len = strcspn(c, "/");
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		c += len;
		c += strspn(c, "/");
	}
	return 1;
}

/* pool_set -- what rpmemd does with a pool-set name */
static void
pool_set(const char *name)
{
	struct rpmemd_poolset *set = NULL;
	char msg[RPMEM_MSG_TEXT_MAX];

	msg[0] = '\0';
	int st = rpmemd_poolset_open(Pools, name, &set, msg, sizeof(msg));
	FUZZ_CHECK(st >= 0 && st < RPMEM_ST_MAX);
	if (st != RPMEM_ST_OK) {
		FUZZ_CHECK(set == NULL);
		FUZZ_CHECK(msg[0] != '\0');
		/* the reply carries msg: it must be encodable */
		FUZZ_CHECK(rpmemd_ctl_reply(Null_fd, RPMEM_MSG_OPEN,
			(uint32_t)st, msg) == 0);
		return;
	}
	FUZZ_CHECK(set != NULL);
	FUZZ_CHECK(name_ok(name));
	FUZZ_CHECK(inside(set->path));
	/* a property of the fixture (its sets name parts inside Pools) */
	for (unsigned i = 0; i < set->nparts; i++)
		FUZZ_CHECK(inside(set->parts[i].path));
	rpmemd_poolset_delete(&set);
}

/* check_request -- a valid request: round trip, reply, pool-set name */
static void
check_request(const struct rpmem_msg *m)
{
	uint8_t buf[RPMEM_MSG_MAX_SIZE];
	struct rpmem_msg again;
	const char *why = NULL;

	FUZZ_CHECK(!rpmem_msg_is_response(m->type));
	size_t len = rpmem_msg_encode(m, buf, sizeof(buf));
	FUZZ_CHECK(len == rpmem_msg_size(m->type));
	FUZZ_CHECK(rpmem_msg_decode(buf, len, &again, &why) == RPMEM_ST_OK);
	FUZZ_CHECK(memcmp(&again, m, sizeof(again)) == 0);

	switch (m->type) {
	case RPMEM_MSG_CREATE:
	case RPMEM_MSG_OPEN:
		FUZZ_CHECK(m->u.pool.nlanes > 0 && m->u.pool.pool_size > 0);
		pool_set(m->u.pool.pool_desc);
		break;
	case RPMEM_MSG_REMOVE:
		pool_set(m->u.remove.pool_desc);
		break;
	default:
		break;
	}
	FUZZ_CHECK(rpmemd_ctl_reply(Null_fd, m->type, RPMEM_ST_OK, NULL) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmem_msg m;

	if (Null_fd < 0)
		fixture();

	int fd = memfd_create("rpmem-fuzz", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);

	for (;;) {
		memset(&m, 0xee, sizeof(m));	/* no stale state helps */
		int ret = rpmemd_ctl_recv(fd, -1, 0, &m);
		if (ret == RPMEMD_CTL_MSG) {
			check_request(&m);
			continue;
		}
		FUZZ_CHECK(ret == RPMEMD_CTL_EOF ||
			ret == RPMEMD_CTL_MALFORMED);
		if (ret == RPMEMD_CTL_MALFORMED) {
			FUZZ_CHECK(m.status == RPMEM_ST_PROTO ||
				m.status == RPMEM_ST_BADVERSION);
			FUZZ_CHECK(memchr(m.text, '\0', sizeof(m.text)) !=
				NULL);
			FUZZ_CHECK(strncmp(m.text, "malformed ", 10) == 0);
			FUZZ_CHECK(m.type == 0 ||
				(rpmem_msg_size(m.type) != 0 &&
				 !rpmem_msg_is_response(m.type)));
			/* what rpmemd_serve answers */
			FUZZ_CHECK(rpmemd_ctl_reply(Null_fd, m.type, m.status,
				m.text) == 0);
		}
		break;
	}
	close(fd);
	return 0;
}
