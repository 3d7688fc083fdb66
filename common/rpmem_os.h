/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_os.h -- the small OS helpers both sides' data paths use (a
 * monotonic clock for spin budgets and wait bounds, non-blocking channel
 * fds, the spin knobs from the environment), header-only: static inline,
 * so they cost a call neither in the client's wait loop nor in the
 * daemon's poll loop
 */
#ifndef RPMEM_OS_H
#define RPMEM_OS_H 1

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* rpmem_now_ns -- CLOCK_MONOTONIC in ns (vDSO: no syscall) */
static inline uint64_t
rpmem_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * rpmem_set_nonblock -- make fd non-blocking: completion and CM channels
 * are read only after poll() said so, and a read that finds nothing must
 * not block; 0, or -1 with errno
 */
static inline int
rpmem_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/*
 * rpmem_env_us -- the decimal number of microseconds in the environment
 * variable name, at most max, in *us; def when it is unset or empty.
 * Anything else (a sign, a space, a unit, more than max) also gives def but
 * returns -1: a setting ignored in silence is worse than a warning, which
 * the caller writes to its own log.
 */
static inline int
rpmem_env_us(const char *name, unsigned def, unsigned long max, unsigned *us)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	*us = def;
	if (s == NULL || *s == '\0')
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	*us = (unsigned)v;
	return 0;
}

#endif /* RPMEM_OS_H */
