/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * error.h -- the thread-local last-error message behind rpmem_errormsg()
 */
#ifndef RPMEM_ERROR_H
#define RPMEM_ERROR_H 1

#define RPMEM_ERRMSG_MAX 1024

/* replace this thread's message */
void rpmem_err_set(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* append ": <text>" to this thread's message (e.g. the daemon's stderr) */
void rpmem_err_append(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* this thread's message ("" when none) */
const char *rpmem_err_get(void);

/*
 * RPMEM_ERR_ERRNO -- set a message ending in strerror(err) and leave errno
 * set to err (the convention of every internal failure path)
 */
#define RPMEM_ERR_ERRNO(err, fmt, ...) \
	rpmem_err_errno((err), fmt, ##__VA_ARGS__)
void rpmem_err_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* RPMEM_ERROR_H */
