// SPDX-License-Identifier: GPL-2.0
/*
 * The part of a report that compare and trend share: a verdict must
 * mean the same in both, so it is worked out in one place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"
#include "report.h"
#include "util.h"

/*
 * Which way is better, by metric name: the first matching pattern
 * wins, a name no pattern matches is reported without a direction.
 * This table is the only place that knows.
 */
static const struct metric_rule {
	const char *pattern;		/* fnmatch(3) */
	enum gb_direction dir;
} metric_rules[] = {
	{ "mmap_lock_*",	GB_DIR_NONE },	/* counts: report only */
	{ "lock_contention_*",	GB_DIR_NONE },
	{ "pmu.*",		GB_DIR_NONE },	/* events per op: diagnosis */
	{ "pmu_*",		GB_DIR_NONE },	/* multiplexing, not speed */
	{ "*_latency_*_ns",	GB_DIR_LOWER },
	{ "*_latency_*_ns_vs_*", GB_DIR_LOWER },	/* a latency's ratio */
	{ "*_per_sec*",		GB_DIR_HIGHER },
	{ "*_vs_control",	GB_DIR_HIGHER },
};

enum gb_direction gb_metric_direction(const char *metric)
{
	for (size_t i = 0; i < ARRAY_SIZE(metric_rules); i++)
		if (!fnmatch(metric_rules[i].pattern, metric, 0))
			return metric_rules[i].dir;
	return GB_DIR_NONE;
}

const char *gb_direction_text(enum gb_direction d)
{
	switch (d) {
	case GB_DIR_LOWER:
		return "lower is better";
	case GB_DIR_HIGHER:
		return "higher is better";
	case GB_DIR_NONE:
		break;
	}
	return "no direction";
}

const char *gb_outcome_name(enum gb_outcome o)
{
	static const char *const names[] = {
		[GB_OUT_INCONCLUSIVE] = "inconclusive",
		[GB_OUT_EQUIVALENT] = "equivalent",
		[GB_OUT_BETTER] = "better",
		[GB_OUT_WORSE] = "worse",
		[GB_OUT_CHANGED] = "changed",
		[GB_OUT_EQUAL] = "equal",
		[GB_OUT_DIFFERS] = "differs",
		[GB_OUT_NA] = "n/a",
	};

	return (size_t)o < ARRAY_SIZE(names) ? names[o] : "?";
}

/* FNV-1a over the row's names: a per-row seed independent of order. */
static uint64_t row_hash(const struct gb_summary_row *s)
{
	const char *parts[] = { s->scenario, "\t", s->cell, "\t", s->metric };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		for (const char *c = parts[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
	return h;
}

void gb_diff_measure(struct gb_diff *d, const struct gb_run_row *base,
		     const struct gb_run_row *new, uint64_t seed,
		     double delta)
{
	double u;

	memset(d, 0, sizeof(*d));
	d->base = base;
	d->new = new;
	d->dir = gb_metric_direction(base->sum->metric);
	d->base_median = base->sum->s.median;
	d->new_median = new->sum->s.median;
	d->base_cv = base->sum->s.cv;
	d->new_cv = new->sum->s.cv;
	d->ratio = d->lo = d->hi = d->hl = d->p = d->p_adj = NAN;
	if (base->n < 2 || new->n < 2) {
		d->counts = true;
		if (d->base_median > 0)
			d->ratio = d->new_median / d->base_median;
		return;
	}
	d->noisy = d->base_cv > delta || d->new_cv > delta;
	d->few = base->n < GB_MIN_TRIALS || new->n < GB_MIN_TRIALS;
	/*
	 * -EDOM: a median, or a resample's, is <= 0 and has no log.  The
	 * point ratio may still exist (a few zero trials); without an
	 * interval the row cannot be better than inconclusive.
	 */
	if (gb_bootstrap_ratio_ci(base->v, base->n, new->v, new->n,
				  GB_BOOT_DRAWS, seed ^ row_hash(base->sum),
				  0.95, &d->ratio, &d->lo, &d->hi) &&
	    d->base_median > 0)
		d->ratio = d->new_median / d->base_median;
	if (gb_mann_whitney(new->v, new->n, base->v, base->n, &u, &d->p) < 0)
		d->p = NAN;
	d->hl = gb_hodges_lehmann(base->v, base->n, new->v, new->n);
}

static enum gb_outcome judge_counts(const struct gb_diff *d, double delta)
{
	double b = d->base_median, n = d->new_median;
	double tol = fmax(delta * fmax(fabs(b), fabs(n)), GB_COUNT_ABS_TOL);

	return fabs(n - b) <= tol ? GB_OUT_EQUAL : GB_OUT_DIFFERS;
}

static enum gb_outcome judge(const struct gb_diff *d, double delta)
{
	enum gb_verdict v;

	if (d->counts)
		return judge_counts(d, delta);
	/* zero on both sides (no page faults per pair): nothing changed */
	if (d->base_median == 0 && d->new_median == 0)
		return judge_counts(d, delta);
	if (isnan(d->ratio))
		return GB_OUT_NA;
	v = gb_verdict(d->ratio, d->lo, d->hi, d->p_adj, GB_ALPHA, delta,
		       d->dir == GB_DIR_HIGHER);
	switch (v) {
	case GB_BETTER:
	case GB_WORSE:
		if (d->dir == GB_DIR_NONE)
			return GB_OUT_CHANGED;
		return v == GB_BETTER ? GB_OUT_BETTER : GB_OUT_WORSE;
	case GB_EQUIVALENT:
		return GB_OUT_EQUIVALENT;
	case GB_INCONCLUSIVE:
		break;
	}
	return GB_OUT_INCONCLUSIVE;
}

/*
 * Holm's family is every tested row of the report: among hundreds of
 * rows some raw p below 0.05 is expected from noise alone.
 */
void gb_diffs_judge(struct gb_diff *d, size_t n, double delta)
{
	double *p = gb_zalloc(n * sizeof(*p));
	size_t *idx = gb_zalloc(n * sizeof(*idx)), m = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(d[i].p)) {
			idx[m] = i;
			p[m++] = d[i].p;
		}
	if (gb_holm(p, m, p) == 0)
		for (size_t k = 0; k < m; k++)
			d[idx[k]].p_adj = p[k];
	for (size_t i = 0; i < n; i++) {
		d[i].significant = d[i].p_adj < GB_ALPHA &&
				   (d[i].lo > 1 || d[i].hi < 1);
		d[i].outcome = judge(&d[i], delta);
	}
	free(idx);
	free(p);
}

/* 0.00062 -> "6.2e-4": printf's "6.2e-04" is one column too wide. */
static void fmt_small(char *buf, size_t len, double v)
{
	char *e;

	snprintf(buf, len, "%.1e", v);
	e = strstr(buf, "e-0");
	if (e)
		memmove(e + 2, e + 3, strlen(e + 3) + 1);
}

void gb_fmt_value(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a >= 1e9)
		snprintf(buf, len, "%.3fG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, a >= 1e8 ? "%.1fM" : a >= 1e7 ? "%.2fM" :
			 "%.3fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, a >= 1e5 ? "%.1fk" : "%.2fk", v / 1e3);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 0.01 || a == 0)
		snprintf(buf, len, "%.3f", v);
	else
		fmt_small(buf, len, v);
}

void gb_fmt_change(char *buf, size_t len, double ratio)
{
	double pct = (ratio - 1) * 100;

	if (isnan(ratio))
		snprintf(buf, len, "-");
	else if (fabs(pct) < 999.95)
		snprintf(buf, len, "%+.1f%%", pct);
	else
		snprintf(buf, len, ratio < 100 ? "x%.3g" : "x%.0f", ratio);
}

void gb_fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
}

/* "722.4±2.0%": the median and, LKP-style, its spread beside it. */
void gb_fmt_value_cv(char *buf, size_t len, double v, double cv)
{
	char val[32];

	gb_fmt_value(val, sizeof(val), v);
	if (isnan(cv))
		snprintf(buf, len, "%s", val);
	else
		snprintf(buf, len, cv * 100 < 9.95 ? "%s±%.1f%%" : "%s±%.0f%%",
			 val, cv * 100);
}

/* Ratio as a percent change: "[+1.1%, +3.9%]". */
void gb_fmt_ci(char *buf, size_t len, double lo, double hi)
{
	char a[16], b[16];

	gb_fmt_change(a, sizeof(a), lo);
	gb_fmt_change(b, sizeof(b), hi);
	snprintf(buf, len, "[%s, %s]", a, b);
}

/* ---- text layout ---------------------------------------------------- */

size_t gb_columns(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void gb_put_right(FILE *f, const char *s, size_t width)
{
	for (size_t w = gb_columns(s); w < width; w++)
		fputc(' ', f);
	fputs(s, f);
}

void gb_put_left(FILE *f, const char *s, size_t width)
{
	fputs(s, f);
	for (size_t w = gb_columns(s); w < width; w++)
		fputc(' ', f);
}

void gb_put_wrapped(FILE *f, const char *first, const char *indent,
		    const char *text)
{
	size_t col = gb_columns(first);
	bool empty = true;	/* no word on this line yet */

	fputs(first, f);
	for (const char *p = text; *p;) {
		size_t word;

		while (*p == ' ')
			p++;
		word = strcspn(p, " ");
		if (!word)
			break;
		if (!empty && col + 1 + word > GB_TEXT_WIDTH) {
			fprintf(f, "\n%s", indent);
			col = gb_columns(indent);
			empty = true;
		}
		if (!empty) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, word, f);
		col += word;
		p += word;
		empty = false;
	}
	fputc('\n', f);
}

const char *const gb_skew_keys[] = {
	"cpu_model", "nr_cpus", "virt", "governor", "turbo", "smt", "thp",
	"mitigations", "aslr", "placement", "timer", "duration_s",
	"tool_version", NULL
};

/* "write-lock (proxy: ...)" -> "write-lock": the detail is in meta.txt */
static void emulation_name(const struct gb_run *r, char *buf, size_t len)
{
	const char *v = gb_run_meta(r, "emulation");
	size_t n = strcspn(v, "(");

	while (n && v[n - 1] == ' ')
		n--;
	snprintf(buf, len, "%.*s", (int)n, v);
}

void gb_run_label(const struct gb_run *r, char *buf, size_t len)
{
	const char *label = gb_run_meta(r, "label");
	char emu[128] = "";

	if (gb_run_emulated(r))
		emulation_name(r, emu, sizeof(emu));
	/* a --label names the run first: two runs of one release differ */
	if (strcmp(label, "?"))
		snprintf(buf, len, "%s (%s %s%s%s)", label,
			 gb_run_meta(r, "kernel_release"),
			 gb_run_meta(r, "guard_path"),
			 emu[0] ? " EMULATED " : "", emu);
	else
		snprintf(buf, len, "%s %s%s%s",
			 gb_run_meta(r, "kernel_release"),
			 gb_run_meta(r, "guard_path"),
			 emu[0] ? " EMULATED " : "", emu);
}

/* ---- options: one table, parser and --help generated from it ------- */

struct report_opt {
	const char *name;
	const char *metavar;		/* NULL: a flag */
	unsigned int cmds;		/* GB_CMD_* that take it */
	int (*set)(struct gb_report_opts *o, unsigned int cmd,
		   const char *val, char *err, size_t errlen);
	const char *help;
};

static int opt_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int opt_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int set_format(struct gb_report_opts *o, unsigned int cmd,
		      const char *val, char *err, size_t errlen)
{
	if (!strcmp(val, "text"))
		o->format = GB_FMT_TEXT;
	else if (!strcmp(val, "tsv"))
		o->format = GB_FMT_TSV;
	else if (!strcmp(val, "markdown") && cmd == GB_CMD_COMPARE)
		o->format = GB_FMT_MARKDOWN;
	else
		return opt_error(err, errlen, "--format: unknown format '%s': "
				 "use text%s or tsv", val,
				 cmd == GB_CMD_COMPARE ? ", markdown" : "");
	return 0;
}

static int set_threshold(struct gb_report_opts *o, unsigned int cmd,
			 const char *val, char *err, size_t errlen)
{
	char *num = gb_strdup(val);
	size_t n = strlen(num);
	double pct;
	int r;

	(void)cmd;
	if (n && num[n - 1] == '%')
		num[n - 1] = '\0';
	r = gb_parse_double(num, 0.01, 50, &pct);
	free(num);
	if (r)
		return opt_error(err, errlen, "--threshold: '%s' is %s: give "
				 "a percentage from 0.01 to 50, e.g. 2 or 2%%",
				 val, r == -EINVAL ? "not a number" :
				 "out of range");
	o->delta = pct / 100;
	return 0;
}

static int set_seed(struct gb_report_opts *o, unsigned int cmd,
		    const char *val, char *err, size_t errlen)
{
	long seed;

	(void)cmd;
	if (gb_parse_long(val, 0, LONG_MAX, &seed))
		return opt_error(err, errlen, "--seed: '%s' is not a "
				 "non-negative integer: give e.g. --seed 1",
				 val);
	o->seed = (uint64_t)seed;
	return 0;
}

static int set_changed(struct gb_report_opts *o, unsigned int cmd,
		       const char *val, char *err, size_t errlen)
{
	(void)cmd, (void)val, (void)err, (void)errlen;
	o->changed_only = true;
	return 0;
}

static int set_help(struct gb_report_opts *o, unsigned int cmd,
		    const char *val, char *err, size_t errlen)
{
	(void)cmd, (void)val, (void)err, (void)errlen;
	o->help = true;
	return 0;
}

#define BOTH (GB_CMD_COMPARE | GB_CMD_TREND)

static const struct report_opt report_opts[] = {
	{ "format", "FMT", GB_CMD_COMPARE, set_format,
	  "text (default: <= 72 columns, for email), markdown or tsv" },
	{ "format", "FMT", GB_CMD_TREND, set_format,
	  "text (default: <= 72 columns) or tsv" },
	{ "threshold", "PCT", BOTH, set_threshold,
	  "delta: a change must exceed PCT% to count, and a CI inside "
	  "+-PCT% is equivalent (default: 2)" },
	{ "seed", "N", BOTH, set_seed,
	  "bootstrap seed, printed with the report (default: 1)" },
	{ "changed", NULL, GB_CMD_TREND, set_changed,
	  "text: only the cell x metric rows with a marked step" },
	{ "help", NULL, BOTH, set_help, "this text" },
};

void gb_report_usage(FILE *f, unsigned int cmd)
{
	if (cmd == GB_CMD_COMPARE)
		fprintf(f, "usage: guard-bench compare [options] BASE NEW\n\n"
			"The cover-letter table: NEW against BASE, cell by "
			"cell, with a 95%% CI,\nHolm-adjusted Mann-Whitney p "
			"and a verdict per row.\n");
	else
		fprintf(f, "usage: guard-bench trend [options] RUN...\n\n"
			"Each cell x metric across runs in kernel-version "
			"order; steps that are\nsignificant and beyond the "
			"threshold are marked.\n");
	fprintf(f, "%s: run directories, results/<kernel-release>/<host>-"
		"<UTC time>/\n\nOptions:\n",
		cmd == GB_CMD_COMPARE ? "BASE, NEW" : "RUN");
	for (size_t i = 0; i < ARRAY_SIZE(report_opts); i++) {
		const struct report_opt *o = &report_opts[i];
		char lhs[32], first[40];

		if (!(o->cmds & cmd))
			continue;
		snprintf(lhs, sizeof(lhs), "--%s%s%s", o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		snprintf(first, sizeof(first), "  %-16s ", lhs);
		gb_put_wrapped(f, first, "                   ", o->help);
	}
	fprintf(f, "\nExit status: 0 a report was printed (whatever its "
		"verdicts), %d usage,\n%d a run directory missing, empty or "
		"corrupt, %d the runs share no cell.\n", GB_EXIT_USAGE,
		GB_EXIT_ENV, GB_EXIT_NOTHING_IN_COMMON);
}

static const struct report_opt *find_opt(const char *name, size_t len,
					 unsigned int cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(report_opts); i++)
		if ((report_opts[i].cmds & cmd) &&
		    strlen(report_opts[i].name) == len &&
		    !strncmp(report_opts[i].name, name, len))
			return &report_opts[i];
	return NULL;
}

void gb_report_parse(struct gb_report_opts *o, unsigned int cmd,
		     int argc, char **argv)
{
	const char *cmd_name = cmd == GB_CMD_COMPARE ? "compare" : "trend";
	bool only_runs = false;
	char err[512];

	memset(o, 0, sizeof(*o));
	o->format = GB_FMT_TEXT;
	o->delta = GB_DEFAULT_DELTA;
	o->seed = GB_DEFAULT_SEED;
	o->runs = gb_zalloc(((size_t)argc + 1) * sizeof(*o->runs));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *val = NULL;
		const struct report_opt *opt;
		size_t len;

		if (only_runs || arg[0] != '-' || !arg[1]) {
			o->runs[o->nr_runs++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_runs = true;
			continue;
		}
		if (!strcmp(arg, "-h"))
			arg = "--help";
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg - 2) : strlen(arg) - 2;
		opt = arg[1] == '-' ? find_opt(arg + 2, len, cmd) : NULL;
		if (!opt)
			gb_die(GB_EXIT_USAGE, "unknown option '%s': see "
			       "guard-bench %s --help", arg, cmd_name);
		if (opt->metavar) {
			val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!val || !*val)
				gb_die(GB_EXIT_USAGE, "--%s needs a value: "
				       "--%s %s", opt->name, opt->name,
				       opt->metavar);
		} else if (eq) {
			gb_die(GB_EXIT_USAGE, "--%s takes no value",
			       opt->name);
		}
		if (opt->set(o, cmd, val, err, sizeof(err)))
			gb_die(GB_EXIT_USAGE, "%s", err);
	}
}

struct gb_run *gb_report_load(char **dirs, int n)
{
	struct gb_run *runs = gb_zalloc((size_t)n * sizeof(*runs));
	char err[2048];

	for (int i = 0; i < n; i++)
		if (gb_run_load(&runs[i], dirs[i], err, sizeof(err)))
			gb_die(GB_EXIT_ENV, "%s", err);
	return runs;
}
