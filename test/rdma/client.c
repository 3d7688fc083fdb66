/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.c -- the local pool and its shadow, persisted and read back
 * through librpmem (see client.h)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "tap.h"

uint8_t *Pool;
uint8_t *Shadow;
uint64_t Rng = 0x9e3779b97f4a7c15ull;

/* put -- new random bytes at [off, +len) and persist them */
int
put(RPMEMpool *rpp, size_t off, size_t len, unsigned lane)
{
	fill(Pool + off, len, &Rng);
	if (rpmem_persist(rpp, off, len, lane))
		return -1;
	memcpy(Shadow + off, Pool + off, len);
	return 0;
}

/* read_cmp -- rpmem_read [off, +len) into a fresh buffer, compare */
int
read_cmp(RPMEMpool *rpp, size_t off, size_t len, unsigned lane)
{
	uint8_t *buf = malloc(len);
	int ok;

	if (buf == NULL)
		return 0;
	/* not zero: bytes the read leaves alone show against a zero shadow */
	memset(buf, 0xa5, len);
	if (rpmem_read(rpp, buf, off, len, lane)) {
		detail("rpmem_read(%zu, %zu, lane %u): errno %d, '%s'", off,
			len, lane, errno, rpmem_errormsg());
		free(buf);
		return 0;
	}
	ok = same(buf, Shadow + off, len, off);
	free(buf);
	return ok;
}

/* create_logged -- rpmem_create with librpmem's log on stderr captured */
RPMEMpool *
create_logged(const char *target, const char *set, void *pool, size_t size,
		unsigned *nlanes, const struct rpmem_pool_attr *attr,
		const char *tmp, char *log, size_t loglen)
{
	RPMEMpool *rpp;
	int fd, saved, err;
	ssize_t n;

	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fflush(stderr);
	saved = dup(2);
	if (fd < 0 || saved < 0 || dup2(fd, 2) < 0) {
		perror("capturing stderr");
		exit(1);
	}
	setenv("RPMEM_LOG_LEVEL", "1", 1);
	rpp = rpmem_create(target, set, pool, size, nlanes, attr);
	err = errno;
	unsetenv("RPMEM_LOG_LEVEL");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, log, loglen - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(tmp);
	errno = err;
	return rpp;
}
