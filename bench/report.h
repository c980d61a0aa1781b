/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GB_REPORT_H
#define GB_REPORT_H

/*
 * What compare and trend share: which way is better for a metric, the
 * comparison of one cell x metric between two runs, verdicts with
 * Holm across a report, number formats, the settings that skew
 * numbers, and the options.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run_dir.h"


#define GB_ALPHA		0.05
#define GB_DEFAULT_DELTA	0.02
#define GB_DEFAULT_SEED		1
/* Below this many trials a side, Mann-Whitney and the CI are weak. */
#define GB_MIN_TRIALS		10
/*
 * Lock counts come from one phase, so their noise cannot be measured.
 * A lock path change moves them by a whole acquisition per op; two runs
 * of one kernel on the development VM differed by up to 0.04 per op
 * in contention events, which is noise.
 */
#define GB_COUNT_ABS_TOL	0.05

enum gb_direction {
	GB_DIR_NONE,		/* report only: lock counts, unknown names */
	GB_DIR_LOWER,		/* lower is better */
	GB_DIR_HIGHER,		/* higher is better */
};

enum gb_direction gb_metric_direction(const char *metric);
const char *gb_direction_text(enum gb_direction d);

/* A row's verdict: compare_stats' four, and what rows without one get. */
enum gb_outcome {
	GB_OUT_INCONCLUSIVE,
	GB_OUT_EQUIVALENT,
	GB_OUT_BETTER,
	GB_OUT_WORSE,
	GB_OUT_CHANGED,		/* beyond delta, but no better direction */
	GB_OUT_EQUAL,		/* counts (n = 1), or 0 on both sides */
	GB_OUT_DIFFERS,		/* counts (n = 1): beyond tolerance */
	GB_OUT_NA,		/* no ratio: a median <= 0 */
};

const char *gb_outcome_name(enum gb_outcome o);

/* One cell x metric, new against base. */
struct gb_diff {
	const struct gb_run_row *base, *new;
	enum gb_direction dir;
	bool counts;		/* a side has a single value: no test */
	double base_median, new_median, base_cv, new_cv;
	double ratio, lo, hi;	/* new/base of medians, 95% CI; NAN: none */
	double hl;		/* Hodges-Lehmann shift new - base, in unit */
	double p, p_adj;	/* Mann-Whitney, Holm-adjusted; NAN: none */
	bool significant;	/* p_adj < alpha and the CI excludes 1 */
	bool noisy;		/* a side's cv exceeds delta */
	bool few;		/* a side has fewer than GB_MIN_TRIALS */
	enum gb_outcome outcome;
};

/*
 * Measure one row: medians, cv, the ratio and its bootstrap CI (seeded
 * with @seed mixed with the row's names, so a row's interval does not
 * depend on what else is in the report), Mann-Whitney p, HL shift.
 */
void gb_diff_measure(struct gb_diff *d, const struct gb_run_row *base,
		     const struct gb_run_row *new, uint64_t seed,
		     double delta);
/* Holm over every tested row of one report, then each row's verdict. */
void gb_diffs_judge(struct gb_diff *d, size_t n, double delta);

/*
 * Four digits: 2240000 -> "2.240M", 285320 -> "285.3k", 0.00027 ->
 * "2.7e-4"; at most 6 characters (7 with a minus sign).
 */
void gb_fmt_value(char *buf, size_t len, double v);
/* ratio 1.0256 -> "+2.6%" */
void gb_fmt_change(char *buf, size_t len, double ratio);
/* "722.4±2.0%": a median and, LKP-style, its spread; cv NAN: none */
void gb_fmt_value_cv(char *buf, size_t len, double v, double cv);
/* A ratio's CI as percent changes: "[+1.1%, +3.9%]" */
void gb_fmt_ci(char *buf, size_t len, double lo, double hi);
/* "0.012", "<0.001", "-" */
void gb_fmt_p(char *buf, size_t len, double p);

/* Text reports fit an email: at most 72 columns. */
#define GB_TEXT_WIDTH	72
/* Columns count characters: "±" is two bytes and one column. */
size_t gb_columns(const char *s);
void gb_put_right(FILE *f, const char *s, size_t width);
void gb_put_left(FILE *f, const char *s, size_t width);
/*
 * Word-wrap @text at GB_TEXT_WIDTH: the first line starts with @first,
 * the others with @indent (both carry their own trailing space).
 */
void gb_put_wrapped(FILE *f, const char *first, const char *indent,
		    const char *text);

/* Settings that skew numbers: runs that differ in them compare badly. */
extern const char *const gb_skew_keys[];

/*
 * "<release> <guard_path>", plus " EMULATED write-lock" for an
 * emulated run (the emulation's name, not its explanation): how every
 * table and plot names a run.  A run with a --label (meta label) is
 * "<label> (<release> <guard_path>...)".
 */
void gb_run_label(const struct gb_run *r, char *buf, size_t len);

enum gb_format { GB_FMT_TEXT, GB_FMT_MARKDOWN, GB_FMT_TSV };

struct gb_report_opts {
	enum gb_format format;
	double delta;		/* fraction: 0.02 for --threshold 2 */
	uint64_t seed;
	bool changed_only;	/* trend --changed */
	bool help;
	int nr_runs;
	char **runs;
};

#define GB_CMD_COMPARE	1
#define GB_CMD_TREND	2

/* Parse; a usage error dies with status 2 and the fix. */
void gb_report_parse(struct gb_report_opts *o, unsigned int cmd,
		     int argc, char **argv);
void gb_report_usage(FILE *f, unsigned int cmd);

/* Load every run or die with status 3 and the message. */
struct gb_run *gb_report_load(char **dirs, int n);

#endif
