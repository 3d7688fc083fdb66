/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_report.c -- rpmem-bench's output formats (bench_report.h)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "bench_report.h"

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)
#define MAX_PLOT_SIZES 64

const char *
bench_human(size_t s, char *buf, size_t len)
{
	if (s >= MiB && s % MiB == 0)
		snprintf(buf, len, "%zu MiB", s / MiB);
	else if (s >= KiB && s % KiB == 0)
		snprintf(buf, len, "%zu KiB", s / KiB);
	else
		snprintf(buf, len, "%zu B", s);
	return buf;
}

static void
print_header(FILE *f, const struct bench_info *h)
{
	char b1[32], b2[32];

	fprintf(f, "# rpmem-bench %s (%s build), host %s, %s\n",
		h->version, h->build_type, h->host, h->date);
	fprintf(f, "# target %s, pool set %s (%s)\n", h->target,
		h->poolset, h->opened ? "opened" : "created");
	fprintf(f, "# device: %s\n", h->device);
	fprintf(f, "# persist method: %s (%s)\n", h->method, h->reason);
	fprintf(f, "# lanes: %u requested, %u granted; pool %s, header %zu B, "
		"%s per lane\n", h->lanes_req, h->lanes_granted,
		bench_human(h->pool_size, b1, sizeof(b1)), h->hdr,
		bench_human(h->region, b2, sizeof(b2)));
	if (h->time_s > 0)
		fprintf(f, "# %.3g s per point", h->time_s);
	else
		fprintf(f, "# %" PRIu64 " ops per lane per point (capped at "
			"%" PRIu64 " MiB per lane, the cap not below %" PRIu64
			" ops)", h->iters, h->max_mib, h->min_iters);
	fprintf(f, ", warm-up %" PRIu64 ", reads into the %s, "
		"RPMEM_SPIN_US=%s\n", h->warmup,
		h->read_into_pool ? "pool" : "buffer", h->spin_us);
}

void
report_table_head(FILE *f, const struct bench_info *h)
{
	print_header(f, h);
	fprintf(f, "%-8s %-4s %5s %8s %9s %9s %9s %9s %9s %9s %10s %10s\n",
		"op", "pat", "lanes", "size", "n", "min_us", "p50_us",
		"p99_us", "p99.9_us", "max_us", "MiB/s", "ops/s");
	fflush(f);
}

void
report_table_row(FILE *f, const struct bench_result *r,
		const struct bench_result *prev)
{
	char b[32];

	/* a blank line between the series of one op/pattern/lane count */
	if (prev != NULL && (strcmp(r->op, prev->op) != 0 ||
			strcmp(r->pattern, prev->pattern) != 0 ||
			r->lanes != prev->lanes))
		fprintf(f, "\n");
	fprintf(f, "%-8s %-4s %5u %8s %9" PRIu64 " %9.2f %9.2f %9.2f "
		"%9.2f %9.2f %10.1f %10.0f\n", r->op, r->pattern, r->lanes,
		bench_human(r->size, b, sizeof(b)), r->lat.n, r->lat.min,
		r->lat.p50, r->lat.p99, r->lat.p999, r->lat.max, r->mib_s,
		r->ops_s);
	fflush(f);
}

static FILE *
open_out(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "w");
	if (f == NULL)
		fprintf(stderr, "rpmem-bench: %s: %s\n", path,
			strerror(errno));
	return f;
}

static int
close_out(FILE *f, const char *path)
{
	if (f == stdout)
		return fflush(f) ? -1 : 0;
	if (fclose(f)) {
		fprintf(stderr, "rpmem-bench: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int
report_csv(const char *path, const struct bench_result *r, size_t n)
{
	FILE *f = open_out(path);

	if (f == NULL)
		return -1;
	fprintf(f, "op,pattern,lanes,size,n,min_us,p50_us,p99_us,p999_us,"
		"max_us,mean_us,seconds,mib_s,ops_s\n");
	for (size_t i = 0; i < n; i++, r++)
		fprintf(f, "%s,%s,%u,%zu,%" PRIu64 ",%.3f,%.3f,%.3f,%.3f,%.3f,"
			"%.3f,%.6f,%.3f,%.1f\n", r->op, r->pattern, r->lanes,
			r->size, r->lat.n, r->lat.min, r->lat.p50, r->lat.p99,
			r->lat.p999, r->lat.max, r->lat.mean, r->secs,
			r->mib_s, r->ops_s);
	return close_out(f, path);
}

/* json_str -- s as a JSON string */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* json_field -- ,\n  "name": "value" (the first one without the comma) */
static void
json_field(FILE *f, const char *name, const char *value)
{
	fprintf(f, ",\n  \"%s\": ", name);
	json_str(f, value);
}

int
report_json(const char *path, const struct bench_info *h,
		const struct bench_result *r, size_t n)
{
	FILE *f = open_out(path);

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"tool\": \"rpmem-bench\"");
	json_field(f, "version", h->version);
	json_field(f, "build_type", h->build_type);
	json_field(f, "host", h->host);
	json_field(f, "date", h->date);
	json_field(f, "target", h->target);
	json_field(f, "poolset", h->poolset);
	json_field(f, "device", h->device);
	json_field(f, "persist_method", h->method);
	json_field(f, "persist_reason", h->reason);
	fprintf(f, ",\n  \"lanes_requested\": %u,\n  \"lanes_granted\": %u,\n"
		"  \"pool_size\": %zu,\n  \"header_size\": %zu,\n"
		"  \"region_per_lane\": %zu,\n", h->lanes_req,
		h->lanes_granted, h->pool_size, h->hdr, h->region);
	fprintf(f, "  \"iters\": %" PRIu64 ",\n  \"max_mib\": %" PRIu64 ",\n"
		"  \"time_s\": %.3f,\n  \"warmup\": %" PRIu64 ",\n"
		"  \"read_into\": \"%s\"",
		h->time_s > 0 ? 0 : h->iters, h->max_mib, h->time_s,
		h->warmup, h->read_into_pool ? "pool" : "buffer");
	json_field(f, "rpmem_spin_us", h->spin_us);
	fprintf(f, ",\n  \"results\": [");
	for (size_t i = 0; i < n; i++, r++)
		fprintf(f, "%s\n    {\"op\": \"%s\", \"pattern\": \"%s\", "
			"\"lanes\": %u, \"size\": %zu, \"n\": %" PRIu64 ", "
			"\"min_us\": %.3f, \"p50_us\": %.3f, \"p99_us\": %.3f, "
			"\"p999_us\": %.3f, \"max_us\": %.3f, "
			"\"mean_us\": %.3f, \"seconds\": %.6f, "
			"\"mib_s\": %.3f, \"ops_s\": %.1f}", i ? "," : "",
			r->op, r->pattern, r->lanes, r->size, r->lat.n,
			r->lat.min, r->lat.p50, r->lat.p99, r->lat.p999,
			r->lat.max, r->lat.mean, r->secs, r->mib_s, r->ops_s);
	fprintf(f, "\n  ]\n}\n");
	return close_out(f, path);
}

/* plot_lat -- one inline data block: size p50 p99 of op at lanes */
static void
plot_lat(FILE *g, const char *name, const struct bench_result *r, size_t n,
		const char *op, const char *pat, unsigned lanes)
{
	fprintf(g, "$%s << EOD\n", name);
	for (size_t i = 0; i < n; i++, r++)
		if (strcmp(r->op, op) == 0 && strcmp(r->pattern, pat) == 0 &&
				r->lanes == lanes)
			fprintf(g, "%zu %.3f %.3f\n", r->size, r->lat.p50,
				r->lat.p99);
	fprintf(g, "EOD\n");
}

/* gp_str -- s as a gnuplot single-quoted string ('' is a quote in it) */
static void
gp_str(FILE *g, const char *s)
{
	fputc('\'', g);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', g);
		fputc(*s == '\n' ? ' ' : *s, g);
	}
	fputc('\'', g);
}

/* has_lat -- any row of op, pat and lanes (something to plot) */
static int
has_lat(const struct bench_result *r, size_t n, const char *op,
		const char *pat, unsigned lanes)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].op, op) == 0 &&
				strcmp(r[i].pattern, pat) == 0 &&
				r[i].lanes == lanes)
			return 1;
	return 0;
}

int
report_plot(const char *path, const struct bench_info *h,
		const struct bench_result *r, size_t n, const char *top,
		const char *pat)
{
	size_t sizes[MAX_PLOT_SIZES];
	unsigned nsizes = 0, minl = UINT32_MAX;
	char b[32];
	FILE *g;

	for (size_t i = 0; i < n; i++) {
		if (r[i].lanes < minl)
			minl = r[i].lanes;
		if (strcmp(r[i].op, top) != 0 ||
				strcmp(r[i].pattern, pat) != 0)
			continue;
		unsigned s = 0;

		while (s < nsizes && sizes[s] != r[i].size)
			s++;
		if (s == nsizes && nsizes < MAX_PLOT_SIZES)
			sizes[nsizes++] = r[i].size;
	}
	g = popen("gnuplot", "w");
	if (g == NULL) {
		fprintf(stderr, "rpmem-bench: gnuplot: %s\n", strerror(errno));
		return -1;
	}
	static const char *const lat_ops[] = { "persist", "read", "flush" };
	for (unsigned o = 0; o < 3; o++) {
		char name[32];

		snprintf(name, sizeof(name), "lat_%s", lat_ops[o]);
		plot_lat(g, name, r, n, lat_ops[o], pat, minl);
	}
	for (unsigned s = 0; s < nsizes; s++) {
		fprintf(g, "$tput%u << EOD\n", s);
		for (size_t i = 0; i < n; i++)
			if (strcmp(r[i].op, top) == 0 &&
					strcmp(r[i].pattern, pat) == 0 &&
					r[i].size == sizes[s])
				fprintf(g, "%u %.3f\n", r[i].lanes,
					r[i].mib_s);
		fprintf(g, "EOD\n");
	}
	char title[1024];
	snprintf(title, sizeof(title), "rpmem-bench: %s, %s, %s offsets",
		h->device, h->method, pat);
	fprintf(g,
		"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
		"{ set terminal pngcairo size 1400,600 font ',10' } "
		"else { set terminal png size 1400,600 }\n"
		"set output ");
	gp_str(g, path);	/* the user's file name, whatever it holds */
	fprintf(g, "\nset multiplot layout 1,2 title ");
	gp_str(g, title);
	fprintf(g, " noenhanced\n"
		"set grid\nset key top left noenhanced\n"
		"set logscale xy\nset format x '%%.0s%%cB'\n"
		"set xlabel 'transfer size'\nset ylabel 'latency [us]'\n"
		"set title 'latency vs size, %u lane(s)'\nplot ", minl);
	/* only what was measured: an empty block is an error to gnuplot */
	int first = 1;
	for (unsigned o = 0; o < 3; o++) {
		if (!has_lat(r, n, lat_ops[o], pat, minl))
			continue;
		fprintf(g, "%s$lat_%s using 1:2 with linespoints title "
			"'%s p50', $lat_%s using 1:3 with linespoints title "
			"'%s p99'", first ? "" : ", ", lat_ops[o], lat_ops[o],
			lat_ops[o], lat_ops[o]);
		first = 0;
	}
	if (first)
		fprintf(g, "NaN notitle");
	fprintf(g, "\nunset logscale\nset logscale y\nset format x '%%g'\n"
		"set xlabel 'lanes (one thread each)'\n"
		"set ylabel '%s throughput [MiB/s]'\n"
		"set title '%s throughput vs lanes'\n"
		"set key outside right\nplot ", top, top);
	for (unsigned s = 0; s < nsizes; s++)
		fprintf(g, "%s$tput%u using 1:2 with linespoints title '%s'",
			s ? ", " : "", s, bench_human(sizes[s], b, sizeof(b)));
	fprintf(g, "\nunset multiplot\n");
	if (pclose(g) != 0) {
		fprintf(stderr, "rpmem-bench: gnuplot failed to draw %s\n",
			path);
		return -1;
	}
	return 0;
}
