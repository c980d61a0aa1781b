/* SPDX-License-Identifier: GPL-2.0 */
/* What compare and trend share: direction, verdicts, pooling, formats. */
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

#include "judge/replicate_stats.h"
#include "files/run_dir.h"


#define GB_ALPHA		0.05
#define GB_DEFAULT_DELTA	0.02
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
	GB_OUT_EQUAL,		/* counts, or 0 on both sides */
	GB_OUT_DIFFERS,		/* counts: beyond tolerance */
	GB_OUT_NA,		/* no ratio: a value <= 0 */
	GB_OUT_DESCRIPTIVE,	/* not a primary row: ratio, no verdict */
};

const char *gb_outcome_name(enum gb_outcome o);

/*
 * Runs of one kernel on one machine pooled into one side of a
 * comparison (or one point of a trend): each run is one replicate or
 * more, renumbered in turn.  Runs that differ in a key of
 * gb_pool_keys are refused unless forced; then @override says which.
 */
struct gb_group {
	struct gb_run *runs;
	size_t nr;
	char **dirs;		/* names the runs point to, if owned */
	char name[320];		/* "<release>/<run>" (+N more) */
	char override[256];	/* "" or the key that differed */
};

extern const char *const gb_pool_keys[];
/* 0, or -1 with the differing key, both values and the fix in @err. */
int gb_group_check(struct gb_group *g, bool force, char *err,
		   size_t errlen);
/* Replicates in the group: the sum of its runs' highest numbers. */
size_t gb_group_replicates(const struct gb_group *g);

/*
 * A noise floor measured on this machine (make validate): per row, the
 * between-replicate sd of log values and its degrees of freedom.  It
 * stands in for the variance a side with one replicate cannot show.
 */
struct gb_floor_row {
	char scenario[32], cell[192], metric[96];
	struct gb_floor f;
};

struct gb_floors {
	char path[1024];
	char cpu_model[256];
	struct gb_floor_row *rows;
	size_t n;
};

/* NULL @path: none.  -1 with file:line and reason in @err. */
int gb_floors_load(struct gb_floors *fl, const char *path, char *err,
		   size_t errlen);
const struct gb_floor *gb_floors_find(const struct gb_floors *fl,
				      const struct gb_summary_row *key);
void gb_floors_free(struct gb_floors *fl);

/* One cell x metric, new against base. */
struct gb_diff {
	const struct gb_summary_row *sum;	/* names and unit */
	enum gb_direction dir;
	bool primary;		/* judged; others are descriptive */
	bool counts;		/* one value a replicate, no direction
				 * (lock counts): equal or differs */
	size_t base_nrep, new_nrep, base_n, new_n;
	double base_centre, new_centre;	/* gmean of replicate medians */
	double base_spread, new_spread;	/* between replicates (sd of
					 * log); one replicate: trials' cv */
	double ratio, lo, hi;	/* new/base, 95% CI; NAN: none */
	double p, p_adj;	/* Welch, Holm over primary rows; NAN */
	double df, se, mde;	/* mde: detectable change, fraction */
	bool used_floor;	/* a side had one replicate: floor's sd */
	bool normalised;	/* values over ref_syscall_ns */
	bool significant;	/* p_adj < alpha and the CI excludes 1 */
	const char *why;	/* why a primary row has no verdict */
	enum gb_outcome outcome;
};

/*
 * Measure one row: pool each side's values by replicate, then
 * gb_re_compare().  @floors may be NULL.  @normalise: latencies in
 * units of the same trial's ref_syscall_ns (compare --normalise).
 */
void gb_diff_measure(struct gb_diff *d, const struct gb_group *base,
		     const struct gb_group *new,
		     const struct gb_summary_row *key,
		     const struct gb_floors *floors, bool normalise);
/*
 * Holm over the primary rows with a test (the family), each primary
 * row's minimum detectable effect at alpha / family, then verdicts.
 * Returns the family's size.
 */
size_t gb_diffs_judge(struct gb_diff *d, size_t n, double delta);

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
	int format;		/* enum gb_format */
	double delta;		/* fraction: 0.02 for --threshold 2 */
	bool changed_only;	/* trend --changed */
	bool all;		/* every row, not only the primary ones */
	bool allow_incomplete;	/* take runs with complete: no */
	bool force_pool;	/* pool runs that differ in a pool key */
	int normalise;		/* 1: --normalise syscall, 0: none */
	const char *noise_floor;	/* --noise-floor FILE */
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

/*
 * Load every run or die with status 3 and the message; a run with
 * complete: no is refused (status 3) unless @o->allow_incomplete.
 */
struct gb_run *gb_report_load(const struct gb_report_opts *o, char **dirs,
			      int n);
/* "A,B,C": comma-separated run directories, in a new array. */
char **gb_split_runs(const char *arg, int *n);

#endif
