/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * error.c -- the thread-local last-error message behind rpmem_errormsg()
 *
 * A fixed thread-local buffer: no allocation, so a message can be set on an
 * ENOMEM path too.
 */
#define _GNU_SOURCE /* GNU strerror_r: returns the message */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static __thread char Last_error[RPMEM_ERRMSG_MAX];

void
rpmem_err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(Last_error, sizeof(Last_error), fmt, ap);
	va_end(ap);
}

void
rpmem_err_append(const char *fmt, ...)
{
	size_t used = strnlen(Last_error, sizeof(Last_error));
	va_list ap;

	if (used + 3 >= sizeof(Last_error))
		return;
	if (used > 0) {
		memcpy(Last_error + used, ": ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(Last_error + used, sizeof(Last_error) - used, fmt, ap);
	va_end(ap);
}

const char *
rpmem_err_get(void)
{
	return Last_error;
}

void
rpmem_err_errno(int err, const char *fmt, ...)
{
	char ebuf[128];
	const char *estr;
	size_t used;
	va_list ap;

	/* strerror_r (GNU) may return a static string instead of ebuf */
	estr = strerror_r(err, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	vsnprintf(Last_error, sizeof(Last_error), fmt, ap);
	va_end(ap);
	used = strnlen(Last_error, sizeof(Last_error));
	snprintf(Last_error + used, sizeof(Last_error) - used, ": %s", estr);
	errno = err;
}
