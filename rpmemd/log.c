/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c -- rpmemd logging
 *
 * Before rpmemd_log_setup() every message goes to stderr as
 * "rpmemd: <msg>\n": that is the ssh channel's stderr, which the client
 * reads to explain a failed start.  After setup messages go to the log file
 * (appended, one line prefixed with time, pid and level) and/or syslog,
 * filtered by the configured level.
 *
 * Each message is formatted into a local buffer and emitted with a single
 * write(), so lines from the RDMA thread and the main thread never
 * interleave.  The mutex only guards the sink configuration against a
 * concurrent setup/close.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "fault_inject.h"
#include "log.h"

/* longest message kept; longer ones are cut and end in "..." */
#define RPMEMD_LOG_MSG_MAX 4096
/* before setup only problems reach stderr: the client shows that text */
#define RPMEMD_LOG_PRESETUP_LEVEL RPMEMD_LOG_WARN

static const char *const rpmemd_log_names[RPMEMD_LOG_MAX] = {
	[RPMEMD_LOG_ERR] = "err",
	[RPMEMD_LOG_WARN] = "warn",
	[RPMEMD_LOG_NOTICE] = "notice",
	[RPMEMD_LOG_INFO] = "info",
	[RPMEMD_LOG_DBG] = "debug",
};

static const int rpmemd_log_prio[RPMEMD_LOG_MAX] = {
	[RPMEMD_LOG_ERR] = LOG_ERR,
	[RPMEMD_LOG_WARN] = LOG_WARNING,
	[RPMEMD_LOG_NOTICE] = LOG_NOTICE,
	[RPMEMD_LOG_INFO] = LOG_INFO,
	[RPMEMD_LOG_DBG] = LOG_DEBUG,
};

static struct {
	pthread_mutex_t lock;
	int setup;		/* rpmemd_log_setup() succeeded */
	int fd;			/* log file, -1 when none */
	int use_syslog;
	int to_stderr;		/* copy to stderr after setup */
	enum rpmemd_log_level level;
} rpmemd_log_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.fd = -1,
	.level = RPMEMD_LOG_PRESETUP_LEVEL,
};

/* rpmemd_log_level_parse -- "err|warn|notice|info|debug" to a level */
int
rpmemd_log_level_parse(const char *str)
{
	if (str == NULL)
		return -1;
	for (int i = 0; i < RPMEMD_LOG_MAX; i++) {
		if (strcmp(str, rpmemd_log_names[i]) == 0)
			return i;
	}
	return -1;
}

/* log_write_all -- write the whole buffer, retrying partial writes */
static void
log_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;	/* nowhere left to report this */
		}
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * log_sanitize -- replace control characters but tab, and a newline not
 * followed by an indent, so a message can never forge a log line: our
 * multi-line messages indent their continuation lines, while an entry
 * starts at the line's beginning (a peer's string, logged before it was
 * validated, may hold "\n<timestamp> rpmemd[1] err: ...")
 */
static void
log_sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' && (s[1] == ' ' || s[1] == '\t'))
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			*s = '?';
	}
}

/* log_format_body -- format the message into buf, cut with "..." */
__attribute__((format(printf, 3, 0)))
static size_t
log_format_body(char *buf, size_t buflen, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, buflen, fmt, ap);
	if (n < 0) {
		snprintf(buf, buflen, "(unformattable log message)");
		n = (int)strlen(buf);
	} else if ((size_t)n >= buflen) {
		memcpy(buf + buflen - 4, "...", 4);
		n = (int)buflen - 1;
	}
	/* the sinks add the final newline themselves */
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_sanitize(buf);
	return (size_t)n;
}

/* log_timestamp -- "YYYY-mm-ddTHH:MM:SS.uuuuuu+zzzz" in local time */
static void
log_timestamp(char *buf, size_t buflen)
{
	struct timeval tv;
	struct tm tm;
	char date[32];
	char zone[8];

	gettimeofday(&tv, NULL);
	if (localtime_r(&tv.tv_sec, &tm) == NULL) {
		snprintf(buf, buflen, "%lld", (long long)tv.tv_sec);
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, buflen, "%s.%06ld%s", date, (long)tv.tv_usec, zone);
}

/* rpmemd_log -- log one message (printf format) at the given level */
void
rpmemd_log(enum rpmemd_log_level level, const char *fmt, ...)
{
	char body[RPMEMD_LOG_MSG_MAX];
	/* prefix (time, pid, level) + body + newline */
	char line[RPMEMD_LOG_MSG_MAX + 128];
	va_list ap;
	int errsv = errno;	/* callers log and then look at errno */

	if ((unsigned)level >= RPMEMD_LOG_MAX)
		level = RPMEMD_LOG_ERR;

	va_start(ap, fmt);
	size_t blen = log_format_body(body, sizeof(body), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&rpmemd_log_state.lock);

	if (level > rpmemd_log_state.level)
		goto unlock;

	if (!rpmemd_log_state.setup || rpmemd_log_state.to_stderr) {
		int n = snprintf(line, sizeof(line), "rpmemd: %.*s\n",
				(int)blen, body);
		log_write_all(STDERR_FILENO, line, (size_t)n);
	}

	if (!rpmemd_log_state.setup)
		goto unlock;

	if (rpmemd_log_state.fd >= 0) {
		char ts[64];
		log_timestamp(ts, sizeof(ts));
		int n = snprintf(line, sizeof(line),
				"%s rpmemd[%ld] %s: %.*s\n", ts, (long)getpid(),
				rpmemd_log_names[level], (int)blen, body);
		log_write_all(rpmemd_log_state.fd, line, (size_t)n);
	}

	if (rpmemd_log_state.use_syslog)
		syslog(rpmemd_log_prio[level], "%s", body);

unlock:
	pthread_mutex_unlock(&rpmemd_log_state.lock);
	errno = errsv;
}

/*
 * rpmemd_log_setup -- switch from stderr to the log file and/or syslog,
 * keeping messages at or below level
 */
int
rpmemd_log_setup(const char *path, int use_syslog,
		enum rpmemd_log_level level)
{
	int fd = -1;

	if ((unsigned)level >= RPMEMD_LOG_MAX) {
		errno = EINVAL;
		return -1;
	}

	if (path != NULL) {
		/* 0600: the log names pool sets and client addresses */
		fd = RPMEM_FI("open", EACCES) ? -1 :
			open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
				O_NOCTTY, 0600);

		if (fd < 0)
			return -1;
	}

	pthread_mutex_lock(&rpmemd_log_state.lock);
	int old_fd = rpmemd_log_state.fd;
	int old_syslog = rpmemd_log_state.use_syslog;
	rpmemd_log_state.fd = fd;
	rpmemd_log_state.use_syslog = use_syslog != 0;
	rpmemd_log_state.level = level;
	rpmemd_log_state.setup = 1;
	if (use_syslog && !old_syslog)
		openlog("rpmemd", LOG_PID, LOG_USER);
	else if (!use_syslog && old_syslog)
		closelog();
	pthread_mutex_unlock(&rpmemd_log_state.lock);

	if (old_fd >= 0)
		close(old_fd);
	return 0;
}

/* rpmemd_log_to_stderr -- also copy messages to stderr after setup */
void
rpmemd_log_to_stderr(int on)
{
	pthread_mutex_lock(&rpmemd_log_state.lock);
	rpmemd_log_state.to_stderr = on != 0;
	pthread_mutex_unlock(&rpmemd_log_state.lock);
}

/* rpmemd_log_close -- close the sinks; later messages go to stderr */
void
rpmemd_log_close(void)
{
	pthread_mutex_lock(&rpmemd_log_state.lock);
	int fd = rpmemd_log_state.fd;
	if (rpmemd_log_state.use_syslog)
		closelog();
	rpmemd_log_state.fd = -1;
	rpmemd_log_state.use_syslog = 0;
	rpmemd_log_state.setup = 0;
	rpmemd_log_state.to_stderr = 0;
	rpmemd_log_state.level = RPMEMD_LOG_PRESETUP_LEVEL;
	pthread_mutex_unlock(&rpmemd_log_state.lock);

	if (fd >= 0)
		close(fd);
}
