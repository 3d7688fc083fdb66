/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env.h -- the client's environment variables (PMDK's names and meanings,
 * see librpmem(7) ENVIRONMENT) and the client's log
 *
 * Every variable is read when it is used -- at rpmem_create/rpmem_open/
 * rpmem_remove or at data path setup, never on the data path -- so a
 * program may set it between calls (PMDK reads most of them once, when the
 * library is loaded).  An empty value means "unset" throughout.
 *
 * The log: RPMEM_LOG_LEVEL (0..4) and RPMEM_LOG_FILE (a trailing '-'
 * appends the pid; default standard error).  Warnings about invalid values
 * are written whatever the level.  Nothing on the data path logs.
 */
#ifndef RPMEM_ENV_H
#define RPMEM_ENV_H 1

/* log levels, PMDK's numbering */
#define RPMEM_LOG_ERR 1		/* failures; the persist method per pool */
#define RPMEM_LOG_NOTICE 2	/* connection setup: command, versions, queue */
#define RPMEM_LOG_MAX 4		/* 3 and 4 log what 2 does */

/* RPMEM_WORK_QUEUE_SIZE: the smallest send queue a persist fits in */
#define RPMEM_ENV_WQ_MIN 2

/*
 * rpmem_env_parse_uint -- PMDK's positive integer: strtol(v, 10) must take
 * all of v and give > 0; above UINT_MAX is UINT_MAX.  0, or -1 when v is
 * not one (nothing is reported).
 */
int rpmem_env_parse_uint(const char *v, unsigned *out);

/*
 * rpmem_env_parse_int -- PMDK's integer switch (RPMEM_ENABLE_*): strtol(v,
 * 10) must take all of v and fit an int.  0, or -1 when it does not.
 */
int rpmem_env_parse_int(const char *v, int *out);

/*
 * rpmem_env_max_nlanes -- RPMEM_MAX_NLANES, UINT_MAX when unset or invalid
 * (an invalid value is warned about and ignored, as PMDK does)
 */
unsigned rpmem_env_max_nlanes(void);

/*
 * rpmem_env_wq_size -- the send queue depth per lane for a data path whose
 * largest is max (>= RPMEM_ENV_WQ_MIN): RPMEM_WORK_QUEUE_SIZE clamped to
 * [RPMEM_ENV_WQ_MIN, max], max when unset or invalid (warned about)
 */
unsigned rpmem_env_wq_size(unsigned max);

/*
 * rpmem_env_spin_us -- a lane's spin setting (RPMEM_SPIN_US,
 * RPMEM_SPIN_MAX_US): the decimal microseconds in name, at most max; def
 * when unset or invalid (warned about)
 */
unsigned rpmem_env_spin_us(const char *name, unsigned def, unsigned max);

/*
 * rpmem_env_check_provider -- RPMEM_ENABLE_VERBS / RPMEM_ENABLE_SOCKETS:
 * 0 when verbs may be used (the only provider here), else -1 with errno
 * ENOMEDIUM and a "cannot find provider" message naming func and why
 */
int rpmem_env_check_provider(const char *func);

/* rpmem_log_level -- RPMEM_LOG_LEVEL, 0..RPMEM_LOG_MAX (invalid: 0) */
int rpmem_log_level(void);

/*
 * rpmem_env_check_log -- warn about an invalid RPMEM_LOG_LEVEL (once per
 * call: rpmem_log_level() itself stays silent, it runs for every line)
 */
void rpmem_env_check_log(void);

/*
 * rpmem_log -- one line "librpmem: <text>" to the log when level <=
 * RPMEM_LOG_LEVEL; thread-safe, keeps errno
 */
void rpmem_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* rpmem_warn -- "librpmem: warning: <text>" to the log at every level */
void rpmem_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* RPMEM_ENV_H */
