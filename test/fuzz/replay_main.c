/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay_main.c -- run a fuzz target's entry on files, without libFuzzer
 *
 * usage: replay_<name> PATH...
 * A PATH that is a directory stands for its files (sorted, dot files
 * skipped; a missing directory counts as empty), any other PATH for
 * itself.  Every input goes through LLVMFuzzerTestOneInput() once; a
 * property violation or a sanitizer report aborts the program.  Fails when
 * no input at all was found (a corpus gone missing must not pass).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (1u << 20)

/* replay_file -- read one file and feed it to the target */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	if (buf == NULL) {
		fclose(f);
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* an exact-size copy, so ASan sees reads past the input's end */
	uint8_t *in = malloc(n ? n : 1);
	if (in == NULL) {
		free(buf);
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	memcpy(in, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(in, n);
	free(in);
	return 0;
}

/* name_cmp -- qsort on names */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_dir -- every regular file of dir, in name order */
static int
replay_dir(const char *dir, unsigned *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL) {
				ret = -1;
				break;
			}
			names = nn;
		}
		names[n] = strdup(e->d_name);
		if (names[n] == NULL) {
			ret = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (ret == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path))
				ret = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int
main(int argc, char *argv[])
{
	unsigned count = 0;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		int ret;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			ret = replay_dir(argv[i], &count);
		} else if (stat(argv[i], &st) != 0 && errno == ENOENT) {
			ret = 0;	/* e.g. no regress inputs yet */
		} else {
			ret = replay_file(argv[i]);
			count += ret == 0;
		}
		if (ret) {
			fprintf(stderr, "replay: cannot replay %s\n",
				argv[i]);
			return 1;
		}
	}
	if (count == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replay: %u inputs, no property violated\n", count);
	return 0;
}
