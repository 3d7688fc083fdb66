/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rig.c -- the set-up every rdma test program shares (see rig.h)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rig.h"
#include "tap.h"

/* rig_die -- the rig cannot be built: not a check, the run is void */
__attribute__((format(printf, 1, 2), noreturn))
static void
rig_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "rig: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* ------------------------------------------------------------------ */
/* the command line */

/* rig_usage -- print usage, exit 2 */
void
rig_usage(const char *usage)
{
	fprintf(stderr, "%s\n", usage);
	exit(2);
}

/* rig_shared_opt -- where the value of a shared option goes, or NULL */
static const char **
rig_shared_opt(struct rig_args *a, const char *arg)
{
	if (strcmp(arg, "--method") == 0)
		return &a->method;
	if (strcmp(arg, "--ssh") == 0)
		return &a->ssh;
	if (strcmp(arg, "--rpmemd") == 0)
		return &a->rpmemd;
	if (strcmp(arg, "--only") == 0)
		return &a->only;
	return NULL;
}

/* rig_args -- parse the shared options and a program's own */
void
rig_args(int argc, char *argv[], struct rig_args *a,
		const struct rig_opt *extra, unsigned need, const char *usage)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char **val = rig_shared_opt(a, argv[i]);
		const struct rig_opt *o = extra;

		while (val == NULL && o != NULL && o->name != NULL &&
				strcmp(argv[i], o->name) != 0)
			o++;
		if (val == NULL) {
			if (o == NULL || o->name == NULL)
				rig_usage(usage);
			if (o->value == NULL) {
				*o->flag = 1;
				continue;
			}
			val = o->value;
		}
		if (i + 1 >= argc)
			rig_usage(usage);
		*val = argv[++i];
	}
	if (((need & RIG_NEED_METHOD) && a->method == NULL) ||
	    ((need & RIG_NEED_SSH) && a->ssh == NULL) ||
	    ((need & RIG_NEED_RPMEMD) && a->rpmemd == NULL) ||
	    (a->method != NULL && strcmp(a->method, "apm") != 0 &&
	     strcmp(a->method, "gpspm") != 0))
		rig_usage(usage);
	a->target = getenv("RPMEM_TEST_TARGET_ADDR");
	if (a->target != NULL && a->target[0] == '\0')
		a->target = NULL;
	if ((need & RIG_NEED_TARGET) && a->target == NULL) {
		printf("not ok 1 - RPMEM_TEST_TARGET_ADDR is not set (run "
			"inside tools/rxe-vm)\n");
		exit(1);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
}

/* ------------------------------------------------------------------ */
/* the target side */

/* is_apm -- the knobs ask for APM */
static int
is_apm(const struct rig_knobs *k)
{
	return k->method != NULL && strcmp(k->method, "apm") == 0;
}

/* rig_write_conf -- an rpmemd config for r's poolset-dir and log */
void
rig_write_conf(const struct rig *r, const char *path,
		const struct rig_knobs *k)
{
	char text[3 * PATH_MAX + 1024];
	char tmo[64] = "";
	int apm;

	if (k == NULL)
		k = &r->k;
	apm = is_apm(k);
	if (k->timeout_ms)
		snprintf(tmo, sizeof(tmo), "timeout-ms = %u\n", k->timeout_ms);
	snprintf(text, sizeof(text),
		"# %s: %s\n"
		"poolset-dir = %s\n"
		"persist-apm = %s\n"
		"persist-general = yes\n"
		"ddio = %s\n"
		"max-lanes = %u\n"
		"%s"
		"log-file = %s\n"
		"log-level = %s\n"
		"use-syslog = no\n"
		"%s",
		k->name ? k->name : r->k.name, k->method ? k->method : "-",
		r->sets,
		k->persist_apm ? k->persist_apm : apm ? "yes" : "no",
		k->ddio ? k->ddio : apm ? "ignore" : "check",
		k->max_lanes ? k->max_lanes : RIG_MAX_LANES, tmo, r->log,
		k->log_level ? k->log_level : "info",
		k->extra ? k->extra : "");
	write_file(path, text);
}

/* rig_cmd_text -- the shell command that runs rpmemd with conf */
void
rig_cmd_text(const struct rig *r, char *buf, size_t len, const char *conf)
{
	/* exec: the ssh pid file then holds rpmemd's pid */
	snprintf(buf, len, "exec %s%s -c %s",
		is_apm(&r->k) ? "env PMEM_IS_PMEM_FORCE=1 " : "",
		r->k.rpmemd, conf ? conf : r->conf);
}

/* rig_cmd -- RPMEM_CMD: rpmemd with conf */
void
rig_cmd(struct rig *r, const char *conf)
{
	rig_cmd_text(r, r->cmd, sizeof(r->cmd), conf);
	setenv("RPMEM_CMD", r->cmd, 1);
}

/* rig_path -- dir/name, optionally created as a directory */
char *
rig_path(const struct rig *r, char *buf, size_t len, const char *name,
		int mkdir_it)
{
	if ((size_t)snprintf(buf, len, "%s/%s", r->dir, name) >= len)
		rig_die("path %s/%s too long", r->dir, name);
	if (mkdir_it && mkdir(buf, 0700) && errno != EEXIST)
		rig_die("mkdir %s: %s", buf, strerror(errno));
	return buf;
}

/* rig_setup -- directories, config, environment */
void
rig_setup(struct rig *r, const struct rig_knobs *k, const char *target)
{
	const char *confdir;

	memset(r, 0, sizeof(*r));
	r->k = *k;
	if (r->k.name == NULL)
		r->k.name = "rig";
	if (r->k.rpmemd == NULL)
		rig_die("no rpmemd given");
	if (k->dir == NULL) {
		const char *tmpdir = getenv("TMPDIR");

		/* a short path: part paths must fit the pool set's lines */
		if (tmpdir == NULL || tmpdir[0] == '\0' ||
		    strlen(tmpdir) > 200)
			tmpdir = "/tmp";
		if (k->method)
			snprintf(r->dir, sizeof(r->dir),
				"%.200s/rpmem-%.12s-%.5s-XXXXXX", tmpdir,
				r->k.name, k->method);
		else
			snprintf(r->dir, sizeof(r->dir),
				"%.200s/rpmem-%.12s-XXXXXX", tmpdir, r->k.name);
		if (mkdtemp(r->dir) == NULL)
			rig_die("mkdtemp %s: %s", r->dir, strerror(errno));
		r->temp = 1;
	} else {
		if (strlen(k->dir) >= sizeof(r->dir))
			rig_die("directory %s: path too long", k->dir);
		snprintf(r->dir, sizeof(r->dir), "%s", k->dir);
	}
	if (k->sets != NULL)
		snprintf(r->sets, sizeof(r->sets), "%s", k->sets);
	else
		rig_path(r, r->sets, sizeof(r->sets), "sets", 0);
	if (mkdir(r->sets, 0700) && errno != EEXIST)
		rig_die("mkdir %s: %s", r->sets, strerror(errno));
	confdir = k->confdir ? k->confdir : r->dir;
	snprintf(r->conf, sizeof(r->conf), "%s/rpmemd.conf", confdir);
	snprintf(r->log, sizeof(r->log), "%s/rpmemd.log", confdir);
	snprintf(r->pidfile, sizeof(r->pidfile), "%s/ssh.pid", confdir);
	rig_write_conf(r, r->conf, NULL);

	if (k->ssh != NULL)
		setenv("RPMEM_SSH", k->ssh, 1);
	else
		unsetenv("RPMEM_SSH");
	setenv("RPMEM_TEST_SSH_PIDFILE", r->pidfile, 1);
	if (!k->keep_env) {
		unsetenv("RPMEM_MAX_NLANES");
		unsetenv("RPMEM_LOG_LEVEL");
		unsetenv("RPMEM_TIMEOUT_MS");
		/* a user's classic environment must not steer the tests */
		unsetenv("RPMEM_LOG_FILE");
		unsetenv("RPMEM_WORK_QUEUE_SIZE");
		unsetenv("RPMEM_ENABLE_VERBS");
		unsetenv("RPMEM_ENABLE_SOCKETS");
	}
	/* the apm daemon gets it through RPMEM_CMD, nobody else */
	unsetenv("PMEM_IS_PMEM_FORCE");
	rig_cmd(r, NULL);
	if (target != NULL)
		printf("# method %s, target %s, rpmemd dir %s\n",
			k->method ? k->method : "-", target, r->dir);
}

/* rig_finish -- log after a failure, cleanup, summary */
int
rig_finish(struct rig *r)
{
	if (Failures)
		dump_log(r->log);
	if (r->temp)
		rm_rf(r->dir);
	printf("# %s: %d checks, %d failed\n",
		r->k.method ? r->k.method : r->k.name, Num, Failures);
	if (Num == 0) {
		/* a mistyped --only, a case that returned early: not a pass */
		printf("# no check ran\n");
		return 1;
	}
	return Failures ? 1 : 0;
}

/* rig_rpmemd_pid -- the pid fake-ssh wrote */
pid_t
rig_rpmemd_pid(const struct rig *r)
{
	FILE *f = fopen(r->pidfile, "r");
	int p = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%d", &p) != 1)
		p = 0;
	fclose(f);
	return p;
}

/* rig_log_count -- lines of rpmemd's log that contain s */
int
rig_log_count(const struct rig *r, const char *s)
{
	char line[1024];
	FILE *f = fopen(r->log, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

/* ------------------------------------------------------------------ */
/* pool-set files */

/* rig_set_init -- describe a set; nothing written yet */
void
rig_set_init(struct rig_set *s, const char *setdir, const char *name,
		const char *partdir, enum rig_hdr mode, unsigned nparts,
		const size_t *sizes)
{
	if (nparts == 0 || nparts > RIG_MAX_PARTS)
		rig_die("set %s: %u parts", name, nparts);
	memset(s, 0, sizeof(*s));
	if (partdir == NULL)
		partdir = setdir;
	snprintf(s->name, sizeof(s->name), "%s", name);
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", setdir,
			name) >= sizeof(s->path))
		rig_die("set %s/%s: path too long", setdir, name);
	s->mode = mode;
	s->nparts = nparts;
	s->hdr = mode == RIG_NOHDRS ? 0 : RIG_HDR_SIZE;
	for (unsigned i = 0; i < nparts; i++) {
		s->size[i] = sizes[i];
		snprintf(s->part[i], sizeof(s->part[i]), "%s/%s.part%u",
			partdir, name, i);
		s->usable += sizes[i];
		if (i > 0 && mode == RIG_HDRS)
			s->usable -= RIG_HDR_SIZE;
	}
}

/* rig_set_write -- the classic text format */
void
rig_set_write(const struct rig_set *s)
{
	char text[RIG_MAX_PARTS * (PATH_MAX + 32) + 512];
	size_t o = 0;

	o += (size_t)snprintf(text + o, sizeof(text) - o, "PMEMPOOLSET\n");
	if (s->mode == RIG_NOHDRS)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"OPTION NOHDRS\n");
	if (s->mode == RIG_SINGLEHDR)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"OPTION SINGLEHDR\n");
	for (unsigned i = 0; i < s->nparts; i++) {
		if (s->size[i] == 0)
			o += (size_t)snprintf(text + o, sizeof(text) - o,
				"AUTO %s\n", s->part[i]);
		else
			o += (size_t)snprintf(text + o, sizeof(text) - o,
				"%zu %s\n", s->size[i], s->part[i]);
	}
	if (s->replica[0] != '\0')
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"REPLICA %s\n", s->replica);
	write_file(s->path, text);
}

/* rig_set_make -- a set in r's poolset-dir, written */
void
rig_set_make(const struct rig *r, struct rig_set *s, const char *name,
		enum rig_hdr mode, unsigned nparts, const size_t *sizes)
{
	rig_set_init(s, r->sets, name, NULL, mode, nparts, sizes);
	rig_set_write(s);
}

/* rig_set_parts_gone -- no part file of s exists */
int
rig_set_parts_gone(const struct rig_set *s)
{
	for (unsigned i = 0; i < s->nparts; i++) {
		if (rig_exists(s->part[i])) {
			detail("part '%s' still exists", s->part[i]);
			return 0;
		}
	}
	return 1;
}

/* rig_set_holds -- the part files hold shadow's [hdr, usable) */
int
rig_set_holds(const struct rig_set *s, const uint8_t *shadow)
{
	size_t cursor = 0;
	int ok = 1;

	for (unsigned i = 0; i < s->nparts && ok; i++) {
		size_t skip = (i > 0 && s->mode == RIG_HDRS) ? RIG_HDR_SIZE : 0;
		size_t len = s->size[i] - skip;
		/* the pool header belongs to rpmemd */
		size_t from = i == 0 ? s->hdr : 0;
		uint8_t *buf = malloc(len - from);

		if (buf == NULL)
			rig_die("malloc %zu: %s", len - from, strerror(errno));
		if (read_part(s->part[i], skip + from, buf, len - from)) {
			ok = 0;
		} else {
			long d = diff(buf, shadow + cursor + from, len - from);

			if (d >= 0) {
				detail("part %u file offset %zu (pool offset "
					"%zu) is 0x%02x, want 0x%02x", i,
					skip + from + (size_t)d,
					cursor + from + (size_t)d, buf[d],
					shadow[cursor + from + (size_t)d]);
				ok = 0;
			}
		}
		free(buf);
		cursor += len;
	}
	return ok;
}

/* ------------------------------------------------------------------ */
/* files and processes */

/* rig_exists -- does path exist */
int
rig_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* rig_patch -- overwrite n bytes at off of a file */
void
rig_patch(const char *path, size_t off, const void *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
		rig_die("cannot patch %s: %s", path, strerror(errno));
	close(fd);
}

/* rig_proc_dead -- has pid exited (zombie or gone) */
int
rig_proc_dead(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL)
		return 1;
	p = strrchr(buf, ')');
	return p != NULL && (p[2] == 'Z' || p[2] == 'X');
}
