/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rig.h -- the set-up every rdma test program shares (rig.c): the command
 * line (--method, --ssh, --rpmemd, --only and a program's own options),
 * one directory for the target side (rpmemd's config, its poolset-dir, its
 * log), pool-set files, the transport's environment (RPMEM_SSH,
 * RPMEM_CMD) and the end of a run (rpmemd's log after a failure, the
 * directory removed, the summary line).  The numbered checks themselves
 * are tap.h's.
 *
 *	static struct rig Rig;
 *
 *	rig_args(argc, argv, &a, NULL, RIG_NEED_ALL, usage);
 *	rig_setup(&Rig, &(struct rig_knobs){.name = "e2e",
 *		.method = a.method, .ssh = a.ssh, .rpmemd = a.rpmemd},
 *		a.target);
 *	rig_set_make(&Rig, &set, "x.set", RIG_HDRS, 1, (size_t[]){MiB});
 *	... rpmem_create(a.target, set.name, ...), expect(...) ...
 *	return rig_finish(&Rig);
 *
 * Every function exits the program (status 1, or 2 for a usage error)
 * when the rig itself cannot be built: that is not a check of the code
 * under test.  Nothing here calls librpmem, so a program that reaches it
 * only through another library (libpmemobj's dlopen) can use the rig.
 */
#ifndef RPMEM_TEST_RIG_H
#define RPMEM_TEST_RIG_H 1

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define RIG_HDR_SIZE ((size_t)4096)	/* rpmemd's pool header */
#define RIG_MAX_PARTS 4
#define RIG_MAX_LANES 16	/* the config's max-lanes unless a knob says */

/* ------------------------------------------------------------------ */
/* the command line */

struct rig_args {
	const char *method;	/* --method apm|gpspm */
	const char *ssh;	/* --ssh FAKE_SSH (NULL: the real ssh) */
	const char *rpmemd;	/* --rpmemd RPMEMD */
	const char *only;	/* --only NAME: the tests named so */
	const char *target;	/* RPMEM_TEST_TARGET_ADDR */
};

/* a program's own option: "--name VALUE", or a flag when value is NULL */
struct rig_opt {
	const char *name;	/* with the dashes: "--child" */
	const char **value;	/* gets the argument */
	int *flag;		/* set to 1 (value NULL) */
};

#define RIG_NEED_METHOD 0x1u
#define RIG_NEED_SSH 0x2u
#define RIG_NEED_RPMEMD 0x4u
#define RIG_NEED_TARGET 0x8u	/* else "not ok 1 - ..." and exit 1 */
#define RIG_NEED_ALL 0xfu

/*
 * rig_args -- parse argv (the rig's options and extra, a table ended by a
 * zero entry, may be NULL); an unknown or incomplete option, a missing
 * one of need or a method other than apm/gpspm prints usage and exits 2.
 * Also: stdout line-buffered (a crash keeps the lines so far) and SIGPIPE
 * ignored (a dying daemon must not kill the client).
 */
void rig_args(int argc, char *argv[], struct rig_args *a,
		const struct rig_opt *extra, unsigned need, const char *usage);

/* rig_usage -- print usage, exit 2 */
__attribute__((noreturn))
void rig_usage(const char *usage);

/*
 * RIG_RUN -- run a test call unless --only names others (a substring of
 * the call's text, e.g. "t_basic")
 */
#define RIG_RUN(only, call) do { \
	if ((only) == NULL || strstr(#call, (only)) != NULL) \
		call; \
} while (0)

/* ------------------------------------------------------------------ */
/* the target side */

/* rpmemd's config and where things go; zero/NULL: the shared default */
struct rig_knobs {
	/* the temp dir is $TMPDIR/rpmem-NAME[-METHOD]-XXXXXX */
	const char *name;
	/*
	 * "apm": persist-apm = yes, ddio = ignore (rxe is a software device:
	 * APM needs the administrator's word) and the daemon gets
	 * PMEM_IS_PMEM_FORCE=1; else ("gpspm", NULL) persist-apm = no,
	 * ddio = check
	 */
	const char *method;
	const char *persist_apm;	/* "yes"/"no" instead of the method's */
	const char *ddio;	/* instead of the method's */
	unsigned max_lanes;	/* 0: RIG_MAX_LANES */
	unsigned timeout_ms;	/* 0: no timeout-ms line (the default) */
	const char *log_level;	/* NULL: info */
	const char *extra;	/* more config lines, verbatim */
	const char *ssh;	/* RPMEM_SSH; NULL: unset (the real ssh) */
	/*
	 * keep the caller's RPMEM_MAX_NLANES, RPMEM_LOG_LEVEL,
	 * RPMEM_TIMEOUT_MS (test/rdma/fault_sweep sets the timeout)
	 */
	int keep_env;
	const char *rpmemd;	/* RPMEM_CMD runs it by this path */
	/*
	 * dir: use this directory, keep it at the end (NULL: a fresh temp
	 * dir, removed by rig_finish); sets: the poolset-dir (NULL:
	 * DIR/sets); confdir: the config, the log and the ssh pid file
	 * (NULL: DIR)
	 */
	const char *dir;
	const char *sets;
	const char *confdir;
};

struct rig {
	struct rig_knobs k;
	int temp;		/* dir is ours: removed by rig_finish */
	char dir[256];		/* short: part paths fit a set's lines */
	char sets[PATH_MAX];	/* rpmemd's poolset-dir */
	char conf[PATH_MAX];	/* rpmemd's config */
	char log[PATH_MAX];	/* rpmemd's log file */
	char pidfile[PATH_MAX];	/* fake-ssh writes rpmemd's pid here */
	char cmd[3 * PATH_MAX];	/* RPMEM_CMD */
};

/*
 * rig_setup -- the directories, the config file, the environment:
 * RPMEM_SSH (k->ssh, else unset), RPMEM_CMD ("exec RPMEMD -c CONF", so
 * that the ssh pid file holds rpmemd's pid), RPMEM_TEST_SSH_PIDFILE; the
 * client's tuning variables (RPMEM_MAX_NLANES, RPMEM_LOG_LEVEL,
 * RPMEM_LOG_FILE, RPMEM_TIMEOUT_MS, RPMEM_WORK_QUEUE_SIZE,
 * RPMEM_ENABLE_VERBS/SOCKETS; not with keep_env) and PMEM_IS_PMEM_FORCE
 * are unset, so that the caller's environment does not change the test.
 * Prints "# method M, target T, rpmemd dir D" when target is not NULL.
 */
void rig_setup(struct rig *r, const struct rig_knobs *k, const char *target);

/*
 * rig_write_conf -- an rpmemd config at path for r's poolset-dir and log,
 * with k's knobs (NULL: r's own), e.g. a second one with a timeout-ms
 */
void rig_write_conf(const struct rig *r, const char *path,
		const struct rig_knobs *k);

/* rig_cmd -- point RPMEM_CMD at rpmemd with the config conf (NULL: r's) */
void rig_cmd(struct rig *r, const char *conf);

/* rig_cmd_text -- that command's text into buf (a raw session's spawn) */
void rig_cmd_text(const struct rig *r, char *buf, size_t len,
		const char *conf);

/* rig_path -- dir/name into buf; with mkdir, that directory is created */
char *rig_path(const struct rig *r, char *buf, size_t len, const char *name,
		int mkdir);

/*
 * rig_finish -- the end of a run: rpmemd's log as "# " lines if a check
 * failed, the temp dir removed, "# LABEL: N checks, F failed" (LABEL: the
 * method, else the name); returns the exit status (1 if a check failed)
 */
int rig_finish(struct rig *r);

/* rig_rpmemd_pid -- the pid fake-ssh wrote (rpmemd's: it execs); 0: none */
pid_t rig_rpmemd_pid(const struct rig *r);

/* rig_log_count -- lines of rpmemd's log that contain s */
int rig_log_count(const struct rig *r, const char *s);

/* ------------------------------------------------------------------ */
/* pool-set files */

enum rig_hdr { RIG_HDRS, RIG_SINGLEHDR, RIG_NOHDRS };

struct rig_set {
	char name[64];		/* as the client names it */
	char path[PATH_MAX];	/* the set file */
	enum rig_hdr mode;
	unsigned nparts;
	size_t size[RIG_MAX_PARTS];	/* 0: "AUTO" (device DAX) */
	char part[RIG_MAX_PARTS][PATH_MAX];
	size_t usable;		/* client view, header included */
	size_t hdr;		/* 0 or RIG_HDR_SIZE */
	char replica[256];	/* "user@host remote.set": a REPLICA line */
};

/*
 * rig_set_init -- describe a set NAME in setdir whose parts are
 * partdir/NAME.partN (partdir NULL: setdir), sizes[nparts]; nothing is
 * written (change part[], replica[] first if need be)
 */
void rig_set_init(struct rig_set *s, const char *setdir, const char *name,
		const char *partdir, enum rig_hdr mode, unsigned nparts,
		const size_t *sizes);

/* rig_set_write -- write s's file (classic text format) */
void rig_set_write(const struct rig_set *s);

/* rig_set_make -- rig_set_init in r's poolset-dir + rig_set_write */
void rig_set_make(const struct rig *r, struct rig_set *s, const char *name,
		enum rig_hdr mode, unsigned nparts, const size_t *sizes);

/* rig_set_parts_gone -- no part file of s exists (Detail names one) */
int rig_set_parts_gone(const struct rig_set *s);

/*
 * rig_set_holds -- the part files hold shadow's [hdr, usable): part 0
 * from its file offset 0, further parts in the default mode after their
 * own 4 KiB header, else whole (rpmemd's pool_map.h mapping); Detail
 * names the first wrong byte
 */
int rig_set_holds(const struct rig_set *s, const uint8_t *shadow);

/* ------------------------------------------------------------------ */
/* files and processes */

int rig_exists(const char *path);
/* rig_patch -- overwrite n bytes at off of a file (exits on failure) */
void rig_patch(const char *path, size_t off, const void *buf, size_t n);
/* rig_proc_dead -- has pid exited (gone or zombie): its QPs are gone */
int rig_proc_dead(pid_t pid);

#endif /* RPMEM_TEST_RIG_H */
