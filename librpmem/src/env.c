/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env.c -- the client's environment variables and its log
 *
 * The parsers follow PMDK's (rpmem_util.c, rpmem.c env_get_bool): strtol
 * base 10 over the whole value.  What differs: values are read at each use
 * instead of once at load, an empty value is "unset", and an invalid value
 * is always reported (PMDK logs it in its debug build only).
 *
 * The log file is opened at its first line, truncated as PMDK's fopen("w")
 * does, and reopened when RPMEM_LOG_FILE (or, with a trailing '-', the
 * pid: a forked child) changes.  One mutex serialises the lines; only
 * control paths log, so it is never taken on the data path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "rpmem_os.h"

#define LOG_LINE_MAX 2048

static pthread_mutex_t Log_lock = PTHREAD_MUTEX_INITIALIZER;
static int Log_fd = -1;			/* RPMEM_LOG_FILE open, -1: none */
static char Log_path[PATH_MAX];		/* its name, pid appended */
static char Log_bad[PATH_MAX];		/* a name that failed (warned once) */

/*
 * env_parse_long -- strtol(v, 10) takes all of v, no overflow, within
 * [min, max]; errno is kept
 */
static int
env_parse_long(const char *v, long min, long max, long *out)
{
	int err = errno;
	char *end;
	long val;
	int bad;

	if (v == NULL)
		return -1;
	errno = 0;
	val = strtol(v, &end, 10);
	bad = end == v || *end != '\0' || errno != 0 || val < min ||
		val > max;
	errno = err;
	if (bad)
		return -1;
	*out = val;
	return 0;
}

/* rpmem_env_parse_uint -- PMDK's positive integer, UINT_MAX at most */
int
rpmem_env_parse_uint(const char *v, unsigned *out)
{
	long val;

	if (env_parse_long(v, 1, LONG_MAX, &val))
		return -1;
	*out = (unsigned long)val > UINT_MAX ? UINT_MAX : (unsigned)val;
	return 0;
}

/* rpmem_env_parse_int -- PMDK's integer switch */
int
rpmem_env_parse_int(const char *v, int *out)
{
	long val;

	if (env_parse_long(v, INT_MIN, INT_MAX, &val))
		return -1;
	*out = (int)val;
	return 0;
}

/* env_get -- a non-empty value or NULL */
static const char *
env_get(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* rpmem_env_max_nlanes -- RPMEM_MAX_NLANES or UINT_MAX */
unsigned
rpmem_env_max_nlanes(void)
{
	const char *v = env_get("RPMEM_MAX_NLANES");
	unsigned n;

	if (v == NULL)
		return UINT_MAX;
	if (rpmem_env_parse_uint(v, &n)) {
		rpmem_warn("ignoring invalid RPMEM_MAX_NLANES='%.32s' (not a "
			"positive integer)", v);
		return UINT_MAX;
	}
	return n;
}

/* rpmem_env_spin_us -- see env.h */
unsigned
rpmem_env_spin_us(const char *name, unsigned def, unsigned max)
{
	unsigned us;

	if (rpmem_env_us(name, def, max, &us))
		rpmem_warn("ignoring invalid %s='%.32s' (not a number of "
			"microseconds up to %u), using %u", name, getenv(name),
			max, def);
	return us;
}

/* rpmem_env_wq_size -- RPMEM_WORK_QUEUE_SIZE within [WQ_MIN, max] */
unsigned
rpmem_env_wq_size(unsigned max)
{
	const char *v = env_get("RPMEM_WORK_QUEUE_SIZE");
	unsigned n;

	if (max < RPMEM_ENV_WQ_MIN)
		max = RPMEM_ENV_WQ_MIN;
	if (v == NULL)
		return max;
	if (rpmem_env_parse_uint(v, &n)) {
		rpmem_warn("ignoring invalid RPMEM_WORK_QUEUE_SIZE='%.32s' "
			"(not a positive integer), using %u", v, max);
		return max;
	}
	if (n < RPMEM_ENV_WQ_MIN)
		n = RPMEM_ENV_WQ_MIN;
	return n < max ? n : max;
}

/* rpmem_env_check_provider -- may verbs be used */
int
rpmem_env_check_provider(const char *func)
{
	const char *verbs = env_get("RPMEM_ENABLE_VERBS");
	const char *sockets = env_get("RPMEM_ENABLE_SOCKETS");
	int verbs_on = 1, sockets_on = 0;
	int val;

	if (sockets != NULL) {
		if (rpmem_env_parse_int(sockets, &val))
			rpmem_warn("ignoring invalid RPMEM_ENABLE_SOCKETS="
				"'%.32s' (not an integer)", sockets);
		else
			sockets_on = val != 0;
	}
	if (verbs != NULL) {
		/* PMDK: a value it cannot parse leaves verbs disabled */
		if (rpmem_env_parse_int(verbs, &val)) {
			rpmem_err_set("%s: cannot find provider: "
				"RPMEM_ENABLE_VERBS='%.32s' is not an integer, "
				"which disables verbs (as in PMDK), the only "
				"provider of this librpmem", func, verbs);
			errno = ENOMEDIUM;
			return -1;
		}
		verbs_on = val != 0;
	}
	if (verbs_on) {
		if (sockets_on)
			rpmem_log(RPMEM_LOG_NOTICE, "RPMEM_ENABLE_SOCKETS=%.32s:"
				" using verbs, which PMDK prefers too (this "
				"librpmem has no sockets provider)", sockets);
		return 0;
	}
	rpmem_err_set("%s: cannot find provider: RPMEM_ENABLE_VERBS=%.32s "
		"disables verbs, the only provider of this librpmem%s", func,
		verbs, sockets_on ? " (RPMEM_ENABLE_SOCKETS cannot help: there "
		"is no sockets provider, RDMA verbs only)" : "");
	errno = ENOMEDIUM;
	return -1;
}

/* level_of -- a RPMEM_LOG_LEVEL value, -1 when invalid */
static int
level_of(const char *v, int *level)
{
	int l;

	if (v == NULL) {
		*level = 0;
		return 0;
	}
	if (rpmem_env_parse_int(v, &l))
		return -1;
	*level = l < 0 ? 0 : l > RPMEM_LOG_MAX ? RPMEM_LOG_MAX : l;
	return 0;
}

/* rpmem_log_level -- RPMEM_LOG_LEVEL, 0 when unset or invalid */
int
rpmem_log_level(void)
{
	int level;

	if (level_of(env_get("RPMEM_LOG_LEVEL"), &level))
		return 0;
	return level;
}

/* rpmem_env_check_log -- warn about an invalid RPMEM_LOG_LEVEL */
void
rpmem_env_check_log(void)
{
	const char *v = env_get("RPMEM_LOG_LEVEL");
	int level;

	if (level_of(v, &level))
		rpmem_warn("ignoring invalid RPMEM_LOG_LEVEL='%.32s' (not an "
			"integer 0..%d), logging nothing", v, RPMEM_LOG_MAX);
}

/*
 * log_write -- all of buf to fd, never raising SIGPIPE (a log on a pipe
 * whose reader is gone must not kill the application): SIGPIPE is blocked
 * in this thread around the write, and one the write raised is taken back
 * before the old mask returns (one that was pending already is left)
 */
static void
log_write(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = {0, 0};
	int was_pending, epipe = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE) == 1;
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			epipe = w < 0 && errno == EPIPE;
			break;
		}
		buf += w;
		len -= (size_t)w;
	}
	if (epipe && !was_pending)
		(void) sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* log_stderr -- a formatted line to standard error, as log_write does */
__attribute__((format(printf, 1, 2)))
static void
log_stderr(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		log_write(2, line, (size_t)n < sizeof(line) ? (size_t)n :
			sizeof(line) - 1);
}

/*
 * log_fd -- where a line goes now: the RPMEM_LOG_FILE descriptor, or 2;
 * the caller holds Log_lock
 */
static int
log_fd(void)
{
	const char *v = env_get("RPMEM_LOG_FILE");
	char path[PATH_MAX];
	size_t len;
	int n, fd;

	if (v == NULL)
		return 2;
	len = strlen(v);
	if (v[len - 1] == '-')
		n = snprintf(path, sizeof(path), "%s%d", v, (int)getpid());
	else
		n = snprintf(path, sizeof(path), "%s", v);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		if (strcmp(Log_bad, "(too long)") != 0) {
			log_stderr("librpmem: warning: RPMEM_LOG_FILE is "
				"longer than %d characters; logging to "
				"standard error\n", PATH_MAX - 1);
			snprintf(Log_bad, sizeof(Log_bad), "(too long)");
		}
		return 2;
	}
	if (Log_fd >= 0 && strcmp(path, Log_path) == 0)
		return Log_fd;
	if (strcmp(path, Log_bad) == 0)
		return 2;
	/* O_NONBLOCK: a FIFO nobody reads must not hang the open (ENXIO) */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC |
		O_NONBLOCK, 0666);
	if (fd >= 0 && fcntl(fd, F_SETFL, O_APPEND)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		/* PMDK aborts here; a log is not worth the application */
		log_stderr("librpmem: warning: cannot open RPMEM_LOG_FILE "
			"'%s': %m; logging to standard error\n", path);
		snprintf(Log_bad, sizeof(Log_bad), "%s", path);
		return 2;
	}
	if (Log_fd >= 0)
		close(Log_fd);
	Log_fd = fd;
	snprintf(Log_path, sizeof(Log_path), "%s", path);
	return fd;
}

/* log_line -- "librpmem: <what><text>\n" in one write */
static void log_line(const char *what, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void
log_line(const char *what, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len;
	int n, fd;

	n = snprintf(line, sizeof(line), "librpmem: %s", what);
	len = n > 0 ? (size_t)n : 0;
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n :
			sizeof(line) - len - 2;
	line[len++] = '\n';

	pthread_mutex_lock(&Log_lock);
	fd = log_fd();
	log_write(fd, line, len);
	pthread_mutex_unlock(&Log_lock);
}

/* log_fini -- at unload (dlclose by libpmemobj): the log file */
__attribute__((destructor))
static void
log_fini(void)
{
	if (Log_fd >= 0)
		close(Log_fd);
	Log_fd = -1;
}

/* rpmem_log -- a line when level <= RPMEM_LOG_LEVEL */
void
rpmem_log(int level, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	if (level <= rpmem_log_level()) {
		va_start(ap, fmt);
		log_line("", fmt, ap);
		va_end(ap);
	}
	errno = err;
}

/* rpmem_warn -- a warning line, whatever the level */
void
rpmem_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_line("warning: ", fmt, ap);
	va_end(ap);
	errno = err;
}
