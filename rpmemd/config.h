/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h -- rpmemd configuration: config files + command line
 *
 * Sources, later wins:
 *   1. built-in defaults;
 *   2. "-c FILE" alone (it must exist), otherwise /etc/rpmemd/rpmemd.conf
 *      then $HOME/.rpmemd.conf (both optional);
 *   3. the command line, whatever its position relative to -c.
 *
 * File format: "key = value" per line, '#' starts a comment (also at the end
 * of a line), blank lines allowed, whitespace around keys and values
 * trimmed.  Keys and defaults:
 *   poolset-dir      absolute path, "$HOME" expanded      $HOME
 *   persist-apm      yes|no                               no
 *   persist-general  yes|no                               yes
 *   log-file         absolute path, "$HOME" expanded      (none)
 *   log-level        err|warn|notice|info|debug           err
 *   use-syslog       yes|no                    yes without log-file, else no
 *   max-lanes        1..RPMEMD_MAX_LANES                  64
 *   timeout-ms       1..RPMEMD_TIMEOUT_MS_MAX             30000
 *   ddio             check|disable|ignore                 check
 *   part-dir         absolute path, "$HOME" expanded      (none)
 *   service-nice     -20..19                              -10
 * part-dir: when set, every regular-file part of a pool set must resolve
 * inside it (off by default: classic rpmemd lets the set file, written by
 * the administrator, name parts anywhere).
 * service-nice: the nice value the service thread takes while two or more
 * lanes are busy (rdma_service.c says why); it needs CAP_SYS_NICE or an
 * RLIMIT_NICE that allows it, and is only logged when refused.
 * Command line only: -t/--nthreads N (classic rpmemd's worker threads,
 * 0 = one per lane): accepted for compatibility and ignored, since one
 * service thread here serves every lane of the session (see rpmemd(1)).
 * use-syslog: only errors are logged by default, so syslog gets no spam
 * from a per-session daemon, and an operator still finds them somewhere;
 * giving a log file turns the default off (explicit use-syslog wins).
 */
#ifndef RPMEMD_CONFIG_H
#define RPMEMD_CONFIG_H 1

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define RPMEMD_SYSTEM_CONFIG "/etc/rpmemd/rpmemd.conf"
#define RPMEMD_USER_CONFIG ".rpmemd.conf"	/* in $HOME */

#define RPMEMD_MAX_LANES 1024
#define RPMEMD_DEF_MAX_LANES 64
#define RPMEMD_DEF_TIMEOUT_MS 30000
#define RPMEMD_TIMEOUT_MS_MAX 3600000
#define RPMEMD_CONFIG_LINE_MAX 4096
#define RPMEMD_NICE_MIN (-20)
#define RPMEMD_NICE_MAX 19
#define RPMEMD_DEF_SERVICE_NICE (-10)

/* what to do about DDIO on the RDMA device's root port */
enum rpmemd_ddio {
	RPMEMD_DDIO_CHECK,	/* detect; refuse APM if DDIO may be on */
	RPMEMD_DDIO_DISABLE,	/* try to turn it off */
	RPMEMD_DDIO_IGNORE,	/* trust the administrator */
	RPMEMD_DDIO_MAX
};

struct rpmemd_config {
	char poolset_dir[PATH_MAX];
	char log_file[PATH_MAX];	/* "" when none */
	enum rpmemd_log_level log_level;
	bool use_syslog;
	bool persist_apm;
	bool persist_general;
	unsigned max_lanes;
	unsigned timeout_ms;
	enum rpmemd_ddio ddio;
	char part_dir[PATH_MAX];	/* "" when parts may be anywhere */
	int service_nice;		/* service thread, lanes busy */

	/* command line only */
	char remove[PATH_MAX];		/* -r: pool set to remove or "" */
	bool force;			/* -f */
	bool remove_pool_set;		/* -s */
	bool help;			/* -h: print usage, exit 0 */
	bool version;			/* -V: print version, exit 0 */
	bool nthreads_set;		/* -t given (it has no effect) */
	unsigned nthreads;		/* -t value, 0 when not given */
};

/*
 * where rpmemd_config_load() looks; any NULL member means the real thing
 * (tests point all of them into a temporary directory)
 */
struct rpmemd_config_env {
	const char *home;	   /* NULL: $HOME, else the passwd entry */
	const char *system_file;   /* NULL: RPMEMD_SYSTEM_CONFIG */
	const char *user_file;	   /* NULL: <home>/RPMEMD_USER_CONFIG */
};

/*
 * rpmemd_config_load -- fill *cfg from defaults, files and argv (env may be
 * NULL); returns 0, or -1 with a one-line reason in err (e.g.
 * "/etc/rpmemd/rpmemd.conf:3: unknown key 'foo'").  Resets getopt, so it
 * may be called more than once.
 */
int rpmemd_config_load(struct rpmemd_config *cfg,
		const struct rpmemd_config_env *env, int argc, char *argv[],
		char *err, size_t errlen);

/* rpmemd_config_usage -- the --help text */
const char *rpmemd_config_usage(void);

const char *rpmemd_ddio_str(enum rpmemd_ddio ddio);

#endif /* RPMEMD_CONFIG_H */
