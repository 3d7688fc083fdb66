/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject.c -- the counter behind RPMEM_FI() (fault_inject.h)
 *
 * Compiled only with RPMEM_FAULT_INJECTION.  Points are evaluated on any
 * thread (lanes, rpmemd's service thread): the counter is atomic, and in a
 * counter file it is an atomic in a shared mapping, so the processes of one
 * side (each session starts its own rpmemd) draw from one sequence.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_inject.h"

static pthread_once_t Fi_once = PTHREAD_ONCE_INIT;
static const char *Fi_prefix = "RPMEM";	/* the side: RPMEM or RPMEMD */
static uint64_t Fi_local;		/* the counter without a file */
static uint64_t *Fi_counter = &Fi_local;
static uint64_t Fi_target;		/* 0: count only */
static const char *Fi_log;

/* fi_env -- PREFIX_name, NULL when unset or empty */
static const char *
fi_env(const char *name)
{
	char var[64];

	snprintf(var, sizeof(var), "%s_%s", Fi_prefix, name);
	const char *v = getenv(var);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* fi_map_counter -- the shared counter file, created when missing */
static uint64_t *
fi_map_counter(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	void *p = MAP_FAILED;

	if (fd < 0)
		goto err_abort;
	/* the first process sizes it; a zero-filled extension counts 0 */
	if (fstat(fd, &st) == 0 && (st.st_size >= 8 || ftruncate(fd, 8) == 0))
		p = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		return p;
err_abort:
	/* a sweep must not silently count elsewhere: say so, loudly */
	fprintf(stderr, "fault injection: cannot use counter file '%s': %s\n",
		path, strerror(errno));
	abort();
}

/* fi_load -- read the side's variables once */
static void
fi_load(void)
{
	const char *v = fi_env("FAULT_INJECT");
	const char *c = fi_env("FAULT_INJECT_COUNTER");

	if (v != NULL)
		Fi_target = strtoull(v, NULL, 10);
	if (c != NULL)
		Fi_counter = fi_map_counter(c);
	Fi_log = getenv("RPMEM_FAULT_INJECT_LOG");
}

void
rpmem_fi_init(const char *prefix)
{
	Fi_prefix = prefix;
	(void) pthread_once(&Fi_once, fi_load);
}

/* fi_report -- one line to stderr and to the log file (O_APPEND) */
static void
fi_report(uint64_t n, const char *site)
{
	char line[256];
	int len = snprintf(line, sizeof(line), "fault injected: %s #%llu %s "
		"(pid %ld)\n", Fi_prefix, (unsigned long long)n, site,
		(long)getpid());

	if (len <= 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = (int)sizeof(line) - 1;
	(void) !write(STDERR_FILENO, line, (size_t)len);
	if (Fi_log != NULL) {
		int fd = open(Fi_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			0600);
		if (fd >= 0) {
			(void) !write(fd, line, (size_t)len);
			close(fd);
		}
	}
}

int
rpmem_fi_fail(const char *site)
{
	int err = errno;	/* a point never changes errno by itself */
	uint64_t n;

	(void) pthread_once(&Fi_once, fi_load);
	n = __atomic_add_fetch(Fi_counter, 1, __ATOMIC_RELAXED);
	if (n != Fi_target) {
		errno = err;
		return 0;
	}
	fi_report(n, site);
	errno = err;
	return 1;
}
