/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * error.h -- the thread-local last-error message behind rpmem_errormsg()
 *
 * librpmem's error convention: every internal function that fails returns
 * -1 (or NULL) with errno set and this thread's message written
 * (RPMEM_ERR_ERRNO), once, where the cause is known; callers pass both on
 * unchanged, or add to the message with rpmem_err_append.  A public call
 * checks its arguments once, at the API boundary (messages start with its
 * name); the layers below assert.  Cleanup code keeps the failure's errno.
 *
 * Labels (both sides, one scheme; rpmemd/log.h): a goto ladder undoes the
 * set-up in reverse order, each label named after the undo step it
 * starts; err_ when only failures reach it (err_destroy_id:), the bare
 * step when the success path runs through it too (close_pool:), out:
 * when there is nothing to undo.
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
