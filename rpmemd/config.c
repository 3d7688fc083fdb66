/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c -- rpmemd configuration: config files + command line
 *
 * The command line is parsed first (it may name the config file with -c)
 * and its values are kept aside; then defaults and files are applied, and
 * the command-line values last, so they win whatever their position.
 * Every value, from a file or argv, goes through the same setter.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fault_inject.h"

enum config_key {
	KEY_POOLSET_DIR,
	KEY_PERSIST_APM,
	KEY_PERSIST_GENERAL,
	KEY_LOG_FILE,
	KEY_LOG_LEVEL,
	KEY_USE_SYSLOG,
	KEY_MAX_LANES,
	KEY_TIMEOUT_MS,
	KEY_DDIO,
	KEY_PART_DIR,
	KEY_SERVICE_NICE,
	KEY_MAX
};

static const char *const config_key_names[KEY_MAX] = {
	[KEY_POOLSET_DIR] = "poolset-dir",
	[KEY_PERSIST_APM] = "persist-apm",
	[KEY_PERSIST_GENERAL] = "persist-general",
	[KEY_LOG_FILE] = "log-file",
	[KEY_LOG_LEVEL] = "log-level",
	[KEY_USE_SYSLOG] = "use-syslog",
	[KEY_MAX_LANES] = "max-lanes",
	[KEY_TIMEOUT_MS] = "timeout-ms",
	[KEY_DDIO] = "ddio",
	[KEY_PART_DIR] = "part-dir",
	[KEY_SERVICE_NICE] = "service-nice",
};

static const char *const config_ddio_names[RPMEMD_DDIO_MAX] = {
	[RPMEMD_DDIO_CHECK] = "check",
	[RPMEMD_DDIO_DISABLE] = "disable",
	[RPMEMD_DDIO_IGNORE] = "ignore",
};

/* long-only options get ids above any character */
enum config_opt {
	OPT_POOLSET_DIR = 256 + KEY_POOLSET_DIR,
	OPT_PERSIST_APM = 256 + KEY_PERSIST_APM,
	OPT_PERSIST_GENERAL = 256 + KEY_PERSIST_GENERAL,
	OPT_LOG_FILE = 256 + KEY_LOG_FILE,
	OPT_LOG_LEVEL = 256 + KEY_LOG_LEVEL,
	OPT_USE_SYSLOG = 256 + KEY_USE_SYSLOG,
	OPT_MAX_LANES = 256 + KEY_MAX_LANES,
	OPT_TIMEOUT_MS = 256 + KEY_TIMEOUT_MS,
	OPT_DDIO = 256 + KEY_DDIO,
	OPT_PART_DIR = 256 + KEY_PART_DIR,
	OPT_SERVICE_NICE = 256 + KEY_SERVICE_NICE,
};

static const struct option config_options[] = {
	{"config", required_argument, NULL, 'c'},
	{"poolset-dir", required_argument, NULL, OPT_POOLSET_DIR},
	{"persist-apm", no_argument, NULL, OPT_PERSIST_APM},
	{"persist-general", no_argument, NULL, OPT_PERSIST_GENERAL},
	{"log-file", required_argument, NULL, OPT_LOG_FILE},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"use-syslog", no_argument, NULL, OPT_USE_SYSLOG},
	{"max-lanes", required_argument, NULL, OPT_MAX_LANES},
	{"timeout-ms", required_argument, NULL, OPT_TIMEOUT_MS},
	{"ddio", required_argument, NULL, OPT_DDIO},
	{"part-dir", required_argument, NULL, OPT_PART_DIR},
	{"service-nice", required_argument, NULL, OPT_SERVICE_NICE},
	{"nthreads", required_argument, NULL, 't'},
	{"remove", required_argument, NULL, 'r'},
	{"force", no_argument, NULL, 'f'},
	{"pool-set", no_argument, NULL, 's'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static const char config_usage[] =
	"usage: rpmemd [options]\n"
	"\n"
	"Serves one remote persistent memory pool for librpmem over the\n"
	"ssh channel (stdin/stdout); not meant to be run by hand.\n"
	"\n"
	"  -c, --config FILE      read only this config file\n"
	"      --poolset-dir DIR  directory holding the pool sets\n"
	"      --persist-apm      allow the appliance persistency method\n"
	"      --persist-general  allow the general purpose method (GPSPM)\n"
	"      --log-file FILE    log to FILE\n"
	"      --log-level LEVEL  err, warn, notice, info or debug\n"
	"      --use-syslog       log to syslog\n"
	"      --max-lanes N      most lanes per pool (1..1024)\n"
	"      --timeout-ms MS    wait for the first lane (ms)\n"
	"      --ddio MODE        check, disable or ignore\n"
	"      --part-dir DIR     pool-set parts must lie inside DIR\n"
	"      --service-nice N   the service thread's nice value while\n"
	"                         two or more lanes are busy (-20..19)\n"
	"  -t, --nthreads N       accepted, no effect: one thread serves\n"
	"                         every lane (classic rpmemd: N workers)\n"
	"  -r, --remove POOLSET   remove the pool's parts and exit\n"
	"  -f, --force            with -r: ignore an invalid pool header\n"
	"  -s, --pool-set         with -r: also remove the pool set file\n"
	"  -h, --help             print this help and exit\n"
	"  -V, --version          print the version and exit\n"
	"\n"
	"Config files: -c FILE, else " RPMEMD_SYSTEM_CONFIG
	" then ~/" RPMEMD_USER_CONFIG ".\n";

/* where a value came from, for error messages */
struct config_src {
	const char *file;	/* NULL: the command line */
	unsigned line;
};

/* loading state */
struct config_ctx {
	struct rpmemd_config *cfg;
	const struct rpmemd_config_env *env;
	char home[PATH_MAX];
	int home_state;		/* 0 unknown yet, 1 found, -1 none */
	bool poolset_dir_set;
	bool syslog_set;
	char *err;
	size_t errlen;
};

/* rpmemd_config_usage -- the --help text */
const char *
rpmemd_config_usage(void)
{
	return config_usage;
}

/* rpmemd_ddio_str -- name of a ddio mode */
const char *
rpmemd_ddio_str(enum rpmemd_ddio ddio)
{
	return (unsigned)ddio < RPMEMD_DDIO_MAX ? config_ddio_names[ddio] :
		"?";
}

/* config_err -- format the error, prefixed with its location if any */
__attribute__((format(printf, 3, 4)))
static int
config_err(struct config_ctx *ctx, const struct config_src *src,
		const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;

	if (ctx->errlen == 0)
		return -1;
	if (src != NULL && src->file != NULL) {
		int n = src->line ?
			snprintf(ctx->err, ctx->errlen, "%s:%u: ", src->file,
				src->line) :
			snprintf(ctx->err, ctx->errlen, "%s: ", src->file);
		if (n > 0)
			off = (size_t)n < ctx->errlen ? (size_t)n :
				ctx->errlen - 1;
	}
	va_start(ap, fmt);
	vsnprintf(ctx->err + off, ctx->errlen - off, fmt, ap);
	va_end(ap);
	return -1;
}

/* config_home -- the home directory, NULL if it cannot be found */
static const char *
config_home(struct config_ctx *ctx)
{
	if (ctx->home_state)
		return ctx->home_state > 0 ? ctx->home : NULL;

	const char *home = ctx->env ? ctx->env->home : NULL;
	if (home == NULL) {
		home = getenv("HOME");
		/* like the shell: an empty HOME falls back to passwd */
		if (home == NULL || home[0] == '\0') {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
	}
	ctx->home_state = -1;
	if (home != NULL && home[0] == '/' && strlen(home) < PATH_MAX) {
		strcpy(ctx->home, home);
		ctx->home_state = 1;
	}
	return ctx->home_state > 0 ? ctx->home : NULL;
}

/*
 * config_path_value -- expand the first "$HOME" not followed by an
 * identifier character (so "$HOMEDIR" stays as is, like classic rpmemd),
 * require an absolute path and drop trailing slashes
 */
static int
config_path_value(struct config_ctx *ctx, const struct config_src *src,
		const char *key, const char *value, char *out)
{
	char buf[PATH_MAX];
	const char *var = NULL;

	for (const char *p = strstr(value, "$HOME"); p != NULL;
			p = strstr(p + 1, "$HOME")) {
		char next = p[5];
		if (!(next == '_' || (next >= '0' && next <= '9') ||
				(next >= 'a' && next <= 'z') ||
				(next >= 'A' && next <= 'Z'))) {
			var = p;
			break;
		}
	}

	if (var != NULL) {
		const char *home = config_home(ctx);
		if (home == NULL)
			return config_err(ctx, src, "%s: cannot expand $HOME: "
				"the home directory is unknown", key);
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s",
				(int)(var - value), value, home, var + 5);
		if (n < 0 || (size_t)n >= sizeof(buf))
			return config_err(ctx, src, "%s: path too long", key);
	} else {
		if (strlen(value) >= sizeof(buf))
			return config_err(ctx, src, "%s: path too long", key);
		strcpy(buf, value);
	}

	if (buf[0] != '/')
		return config_err(ctx, src,
			"%s must be an absolute path: '%s'", key, buf);

	size_t len = strlen(buf);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	memcpy(out, buf, len + 1);
	return 0;
}

/* config_bool -- "yes" or "no" (case-sensitive, like classic) */
static int
config_bool(struct config_ctx *ctx, const struct config_src *src,
		const char *key, const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0)
		*out = false;
	else
		return config_err(ctx, src,
			"invalid value '%s' for '%s' (expected yes or no)",
			value, key);
	return 0;
}

/*
 * config_digits -- one or more decimal digits and nothing else (strtoul
 * would accept signs, spaces and wrap "-1"), at most limit; 0 or -1
 */
static int
config_digits(const char *p, unsigned long long limit,
		unsigned long long *out)
{
	unsigned long long v = 0;

	if (*p == '\0')
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > limit)
			return -1;
	}
	*out = v;
	return 0;
}

/* config_uint -- a decimal number in [min, max], nothing else */
static int
config_uint(struct config_ctx *ctx, const struct config_src *src,
		const char *key, const char *value, unsigned min,
		unsigned max, unsigned *out)
{
	unsigned long long v;

	if (config_digits(value, max, &v) || v < min)
		return config_err(ctx, src, "invalid value '%s' for '%s' "
			"(expected %u..%u)", value, key, min, max);
	*out = (unsigned)v;
	return 0;
}

/* config_int -- config_uint with a '-' allowed in front (min <= 0 <= max) */
static int
config_int(struct config_ctx *ctx, const struct config_src *src,
		const char *key, const char *value, int min, int max,
		int *out)
{
	int neg = value[0] == '-';
	/* the magnitude's bound: -min below zero, max above */
	unsigned long long limit = neg ? (unsigned long long)-(long long)min :
		(unsigned long long)max;
	unsigned long long v;

	if (config_digits(value + neg, limit, &v))
		return config_err(ctx, src, "invalid value '%s' for '%s' "
			"(expected %d..%d)", value, key, min, max);
	*out = neg ? -(int)v : (int)v;
	return 0;
}

/* config_set -- apply one key = value */
static int
config_set(struct config_ctx *ctx, const struct config_src *src,
		enum config_key key, const char *value)
{
	struct rpmemd_config *cfg = ctx->cfg;
	const char *name = config_key_names[key];
	int level;

	switch (key) {
	case KEY_POOLSET_DIR:
		if (config_path_value(ctx, src, name, value, cfg->poolset_dir))
			return -1;
		ctx->poolset_dir_set = true;
		return 0;
	case KEY_LOG_FILE:
		return config_path_value(ctx, src, name, value, cfg->log_file);
	case KEY_PERSIST_APM:
		return config_bool(ctx, src, name, value, &cfg->persist_apm);
	case KEY_PERSIST_GENERAL:
		return config_bool(ctx, src, name, value,
			&cfg->persist_general);
	case KEY_USE_SYSLOG:
		if (config_bool(ctx, src, name, value, &cfg->use_syslog))
			return -1;
		ctx->syslog_set = true;
		return 0;
	case KEY_LOG_LEVEL:
		level = rpmemd_log_level_parse(value);
		if (level < 0)
			return config_err(ctx, src, "invalid log level '%s' "
				"(expected err, warn, notice, info or debug)",
				value);
		cfg->log_level = (enum rpmemd_log_level)level;
		return 0;
	case KEY_MAX_LANES:
		return config_uint(ctx, src, name, value, 1, RPMEMD_MAX_LANES,
			&cfg->max_lanes);
	case KEY_TIMEOUT_MS:
		return config_uint(ctx, src, name, value, 1,
			RPMEMD_TIMEOUT_MS_MAX, &cfg->timeout_ms);
	case KEY_PART_DIR:
		return config_path_value(ctx, src, name, value,
			cfg->part_dir);
	case KEY_SERVICE_NICE:
		return config_int(ctx, src, name, value, RPMEMD_NICE_MIN,
			RPMEMD_NICE_MAX, &cfg->service_nice);
	case KEY_DDIO:
		for (int i = 0; i < RPMEMD_DDIO_MAX; i++) {
			if (strcmp(value, config_ddio_names[i]) == 0) {
				cfg->ddio = (enum rpmemd_ddio)i;
				return 0;
			}
		}
		return config_err(ctx, src, "invalid value '%s' for 'ddio' "
			"(expected check, disable or ignore)", value);
	case KEY_MAX:
		break;
	}
	return config_err(ctx, src, "internal error: key %d", (int)key);
}

/* config_trim -- strip leading and trailing whitespace in place */
static char *
config_trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
			*s == '\f' || *s == '\v')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
			s[len - 1] == '\r' || s[len - 1] == '\n' ||
			s[len - 1] == '\f' || s[len - 1] == '\v'))
		s[--len] = '\0';
	return s;
}

/* config_parse_line -- one line of a config file */
static int
config_parse_line(struct config_ctx *ctx, const struct config_src *src,
		char *line)
{
	char *hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	char *s = config_trim(line);
	if (*s == '\0')
		return 0;

	char *eq = strchr(s, '=');
	if (eq == NULL)
		return config_err(ctx, src, "missing '=' (expected "
			"'key = value'): '%s'", s);
	*eq = '\0';
	char *key = config_trim(s);
	char *value = config_trim(eq + 1);

	if (*key == '\0')
		return config_err(ctx, src, "missing key before '='");

	int k;
	for (k = 0; k < KEY_MAX; k++) {
		if (strcmp(key, config_key_names[k]) == 0)
			break;
	}
	if (k == KEY_MAX)
		return config_err(ctx, src, "unknown key '%s'", key);
	if (*value == '\0')
		return config_err(ctx, src, "missing value for '%s'", key);

	return config_set(ctx, src, (enum config_key)k, value);
}

/*
 * config_read_file -- apply one config file; a missing optional file is
 * skipped, anything else that keeps us from reading it is an error
 */
static int
config_read_file(struct config_ctx *ctx, const char *path, bool must_exist)
{
	struct config_src src = {.file = path, .line = 0};
	/* room for the longest line, its newline and the NUL */
	char line[RPMEMD_CONFIG_LINE_MAX + 2];
	struct stat st;
	int ret = -1;

	/* O_NONBLOCK: a FIFO in the config file's place must not hang us */
	int fd = RPMEM_FI("open", EACCES) ? -1 :
		open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (!must_exist
 && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		return config_err(ctx, &src, "cannot open config file: %s",
			strerror(errno));
	}
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		int err = errno;
		close(fd);
		return config_err(ctx, &src, "cannot open config file: %s",
			strerror(err));
	}

	if (fstat(fileno(f), &st)) {
		config_err(ctx, &src, "cannot stat config file: %s",
			strerror(errno));
		goto close_file;
	}
	if (!S_ISREG(st.st_mode)) {
		config_err(ctx, &src, "config file is not a regular file");
		goto close_file;
	}

	long start = ftell(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		src.line++;
		size_t len = strlen(line);
		/* fgets() consumed more than strlen() sees: a NUL byte */
		long end = ftell(f);
		if (start >= 0 && end >= 0 && (size_t)(end - start) != len) {
			config_err(ctx, &src, "line contains a NUL byte");
			goto close_file;
		}
		start = end;
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			config_err(ctx, &src,
				"line too long (at most %d bytes)",
				RPMEMD_CONFIG_LINE_MAX);
			goto close_file;
		}
		if (config_parse_line(ctx, &src, line))
			goto close_file;
	}
	if (ferror(f)) {
		src.line = 0;
		config_err(ctx, &src, "cannot read config file: %s",
			strerror(errno));
		goto close_file;
	}
	ret = 0;

close_file:
	fclose(f);
	return ret;
}

/* config_defaults -- built-in values */
static void
config_defaults(struct rpmemd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = RPMEMD_LOG_ERR;
	cfg->persist_apm = false;
	cfg->persist_general = true;
	cfg->max_lanes = RPMEMD_DEF_MAX_LANES;
	cfg->timeout_ms = RPMEMD_DEF_TIMEOUT_MS;
	cfg->ddio = RPMEMD_DDIO_CHECK;
	cfg->service_nice = RPMEMD_DEF_SERVICE_NICE;
}

/*
 * config_bad_option -- explain getopt's '?': arg is the argument it was
 * looking at (for a short option cluster optopt names the letter)
 */
static int
config_bad_option(struct config_ctx *ctx, const char *arg)
{
	const struct config_src cli = {.file = NULL};

	if (strncmp(arg, "--", 2) != 0)
		return config_err(ctx, &cli, "unknown option '-%c'", optopt);
	/* a known long option given "=value" although it takes none */
	if (optopt != 0)
		return config_err(ctx, &cli,
			"option '%.*s' does not take an argument",
			(int)strcspn(arg, "="), arg);
	return config_err(ctx, &cli, "unknown option '%s'", arg);
}

/*
 * rpmemd_config_load -- fill *cfg from defaults, files and argv (command
 * line last, so it always wins)
 */
int
rpmemd_config_load(struct rpmemd_config *cfg,
		const struct rpmemd_config_env *env, int argc, char *argv[],
		char *err, size_t errlen)
{
	struct config_ctx ctx = {
		.cfg = cfg, .env = env, .err = err, .errlen = errlen,
	};
	const struct config_src cli = {.file = NULL};
	const char *cli_values[KEY_MAX] = {NULL};
	const char *config_file = NULL;
	char user_file[PATH_MAX];
	int opt;

	if (errlen > 0)
		err[0] = '\0';
	config_defaults(cfg);

	/* glibc: optind = 0 re-initializes the scanner for a new argv */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:r:fshVt:", config_options,
			NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_file = optarg;
			break;
		case 'r':
			if (optarg[0] == '\0' || strlen(optarg) >= PATH_MAX)
				return config_err(&ctx, &cli,
					"--remove: invalid pool set name");
			strcpy(cfg->remove, optarg);
			break;
		case 'f':
			cfg->force = true;
			break;
		case 's':
			cfg->remove_pool_set = true;
			break;
		case 't':
			/* classic's worker count; validated, then unused */
			if (config_uint(&ctx, &cli, "--nthreads", optarg, 0,
					UINT_MAX, &cfg->nthreads))
				return -1;
			cfg->nthreads_set = true;
			break;
		case 'h':
			cfg->help = true;
			break;
		case 'V':
			cfg->version = true;
			break;
		case OPT_PERSIST_APM:
		case OPT_PERSIST_GENERAL:
		case OPT_USE_SYSLOG:
			cli_values[opt - 256] = "yes";
			break;
		case OPT_POOLSET_DIR:
		case OPT_LOG_FILE:
		case OPT_LOG_LEVEL:
		case OPT_MAX_LANES:
		case OPT_TIMEOUT_MS:
		case OPT_DDIO:
		case OPT_PART_DIR:
		case OPT_SERVICE_NICE:
			cli_values[opt - 256] = optarg;
			break;
		case ':':
			/* name it as given: --nthreads is also -t */
			if (strncmp(argv[optind - 1], "--", 2) != 0 &&
			    optopt > 0 && optopt < 256)
				return config_err(&ctx, &cli,
					"option '-%c' requires an argument",
					optopt);
			return config_err(&ctx, &cli,
				"option '%s' requires an argument",
				argv[optind - 1]);
		default:
			return config_bad_option(&ctx, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return config_err(&ctx, &cli, "unexpected argument '%s'",
			argv[optind]);

	/* nothing else matters (and no broken file stops --help) */
	if (cfg->help || cfg->version)
		return 0;

	if ((cfg->force || cfg->remove_pool_set) && cfg->remove[0] == '\0')
		return config_err(&ctx, &cli,
			"--force and --pool-set are valid only with --remove");

	if (config_file != NULL) {
		if (config_read_file(&ctx, config_file, true))
			return -1;
	} else {
		const char *sys = env && env->system_file ? env->system_file :
			RPMEMD_SYSTEM_CONFIG;
		if (config_read_file(&ctx, sys, false))
			return -1;

		const char *usr = env ? env->user_file : NULL;
		if (usr == NULL && config_home(&ctx) != NULL) {
			int n = snprintf(user_file, sizeof(user_file), "%s/%s",
				config_home(&ctx), RPMEMD_USER_CONFIG);
			if (n > 0 && (size_t)n < sizeof(user_file))
				usr = user_file;
		}
		if (usr != NULL && config_read_file(&ctx, usr, false))
			return -1;
	}

	for (int k = 0; k < KEY_MAX; k++) {
		if (cli_values[k] != NULL &&
		    config_set(&ctx, &cli, (enum config_key)k, cli_values[k]))
			return -1;
	}

	if (!ctx.poolset_dir_set) {
		const char *home = config_home(&ctx);
		if (home == NULL)
			return config_err(&ctx, NULL, "poolset-dir is not set "
				"and the home directory is unknown");
		if (config_path_value(&ctx, NULL, "poolset-dir", home,
				cfg->poolset_dir))
			return -1;
	}

	if (!ctx.syslog_set)
		cfg->use_syslog = cfg->log_file[0] == '\0';

	return 0;
}
