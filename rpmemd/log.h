/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h -- rpmemd logging: stderr until the configuration is read (the
 * client shows that text), then the log file or syslog at the configured
 * level
 *
 * The daemon's error convention, for every rpmemd file:
 *
 *  - What goes back to the client: a function on a request's path (pool
 *    sets, the pool store, the request checks) returns an enum
 *    rpmem_status (RPMEM_ST_OK is 0) and, on failure, writes the reason
 *    for the client into the caller's message buffer (char *msg, size_t
 *    msglen; msglen 0: no text).  It does not log: rpmemd.c sends status
 *    and text in the response (the client makes the status its errno,
 *    rpmem_status_to_errno) and logs the failure there, once.  A step
 *    whose reason is for the operator, not the client (the RDMA setup,
 *    rdma_server.h), logs it and returns the status; its caller writes
 *    the client's text.
 *  - Everything else (session set-up, the service thread, teardown):
 *    log the reason with RPMEMD_LOG(ERR, ...) and return -1.
 *  - Helpers shaped like a system call (pool_map.c's I/O steps) return -1
 *    with errno, as the call does, and their caller reports in one of
 *    the two ways above.
 *
 * Labels (both sides, one scheme): a goto ladder undoes the set-up in
 * reverse order, each label named after the undo step it starts; err_
 * when only failures reach it (err_unmap:, err_destroy_qp:), the bare
 * step when the success path runs through it too (close_fd:, unlock:),
 * out: when there is nothing to undo.
 */
#ifndef RPMEMD_LOG_H
#define RPMEMD_LOG_H 1

enum rpmemd_log_level {
	RPMEMD_LOG_ERR,
	RPMEMD_LOG_WARN,
	RPMEMD_LOG_NOTICE,
	RPMEMD_LOG_INFO,
	RPMEMD_LOG_DBG,
	RPMEMD_LOG_MAX
};

void rpmemd_log(enum rpmemd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define RPMEMD_LOG(level, ...) rpmemd_log(RPMEMD_LOG_##level, __VA_ARGS__)

/* parse "err|warn|notice|info|debug"; -1 if unknown */
int rpmemd_log_level_parse(const char *str);

/*
 * rpmemd_log_setup -- switch from stderr to file (path != NULL) or syslog
 * (use_syslog), keeping messages at or below level; 0 or -1 with errno
 */
int rpmemd_log_setup(const char *path, int use_syslog,
		enum rpmemd_log_level level);

/* also copy messages to stderr (before the config is read: always) */
void rpmemd_log_to_stderr(int on);

void rpmemd_log_close(void);

#endif /* RPMEMD_LOG_H */
