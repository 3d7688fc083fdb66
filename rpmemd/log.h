/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h -- rpmemd logging: stderr until the configuration is read (the
 * client shows that text), then the log file or syslog at the configured
 * level
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
