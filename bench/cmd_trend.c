// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench trend RUN...: every cell x metric across runs in kernel
 * version order (6.19-rc1 < 6.19-rc2 < 6.19 < 6.19.1, see kversion.h),
 * each run's median with a 95% CI, and the step from the run before
 * judged like a compare row.  A step is marked where it is significant
 * and beyond the threshold: what someone testing every rc looks for.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_stats.h"
#include "kversion.h"
#include "median_ci.h"
#include "report.h"
#include "util.h"

#define W_KERNEL	20	/* " 2E 6.18.44-fc-v595" */
#define W_VALUE		11
#define W_CHANGE	7

/* One run's value of one cell x metric. */
struct trend_point {
	const struct gb_run_row *row;	/* NULL: the run lacks it */
	double lo, hi;			/* 95% CI of the median */
	long step;			/* into steps[], -1: none */
};

struct trend {
	struct gb_report_opts opts;
	struct gb_run *runs;
	size_t nr_runs;
	const struct gb_summary_row **keys;	/* cell x metric */
	size_t nr_keys;
	struct trend_point *points;		/* keys x runs */
	struct gb_diff *steps;
	size_t nr_steps, nr_tested;
};

static struct trend_point *point(const struct trend *t, size_t key,
				 size_t run)
{
	return &t->points[key * t->nr_runs + run];
}

/* Version order; the same release by start time, then by path. */
static int cmp_runs(const void *a, const void *b)
{
	const struct gb_run *x = a, *y = b;
	int c = gb_kversion_cmp(gb_run_meta(x, "kernel_release"),
				gb_run_meta(y, "kernel_release"));

	if (!c)
		c = strcmp(gb_run_meta(x, "started"),
			   gb_run_meta(y, "started"));
	return c ? c : strcmp(x->dir, y->dir);
}

static bool has_key(const struct trend *t, const struct gb_summary_row *s)
{
	for (size_t k = 0; k < t->nr_keys; k++)
		if (gb_row_is(t->keys[k], s->scenario, s->cell, s->metric))
			return true;
	return false;
}

/* Every cell x metric any run has, in the order runs list them. */
static void collect_keys(struct trend *t)
{
	size_t cap = 0;

	for (size_t r = 0; r < t->nr_runs; r++)
		cap += t->runs[r].nr_rows;
	t->keys = gb_zalloc(cap * sizeof(*t->keys));
	for (size_t r = 0; r < t->nr_runs; r++)
		for (size_t i = 0; i < t->runs[r].nr_rows; i++) {
			const struct gb_summary_row *s =
				t->runs[r].rows[i].sum;

			if (!has_key(t, s))
				t->keys[t->nr_keys++] = s;
		}
}

/*
 * Medians with their CI, and the step from the previous run that has
 * the same cell x metric.
 */
static void measure(struct trend *t)
{
	t->points = gb_zalloc(t->nr_keys * t->nr_runs * sizeof(*t->points));
	t->steps = gb_zalloc(t->nr_keys * t->nr_runs * sizeof(*t->steps));
	for (size_t k = 0; k < t->nr_keys; k++) {
		const struct gb_summary_row *s = t->keys[k];
		const struct gb_run_row *prev = NULL;

		for (size_t r = 0; r < t->nr_runs; r++) {
			struct trend_point *p = point(t, k, r);

			p->step = -1;
			p->row = gb_run_find(&t->runs[r], s->scenario, s->cell,
					     s->metric);
			if (!p->row)
				continue;
			gb_median_ci(p->row->v, p->row->n, 0.95, &p->lo,
				     &p->hi);
			if (prev) {
				p->step = (long)t->nr_steps;
				gb_diff_measure(&t->steps[t->nr_steps++], prev,
						p->row, t->opts.seed,
						t->opts.delta);
			}
			prev = p->row;
		}
	}
	for (size_t i = 0; i < t->nr_steps; i++)
		t->nr_tested += !t->steps[i].counts;
	gb_diffs_judge(t->steps, t->nr_steps, t->opts.delta);
}

static bool marked(const struct gb_diff *d)
{
	return d->outcome == GB_OUT_BETTER || d->outcome == GB_OUT_WORSE ||
	       d->outcome == GB_OUT_CHANGED || d->outcome == GB_OUT_DIFFERS;
}

/* A warning goes in the text report, or to stderr beside a TSV. */
static void say(FILE *f, const char *msg)
{
	if (f)
		gb_put_wrapped(f, "- ", "  ", msg);
	else
		gb_warn("%s", msg);
}

static void warnings(const struct trend *t, FILE *f)
{
	size_t noisy = 0, few = 0;
	char buf[1024];

	for (size_t r = 0; r < t->nr_runs; r++) {
		const struct gb_run *run = &t->runs[r];

		if (!gb_run_complete(run))
			snprintf(buf, sizeof(buf), "[%zu] %s is incomplete "
				 "(complete: %s): some cells are missing or "
				 "short", r + 1, run->name,
				 gb_run_meta(run, "complete"));
		else if (r && strcmp(gb_run_meta(run, "cpu_model"),
				     gb_run_meta(&t->runs[0], "cpu_model")))
			snprintf(buf, sizeof(buf), "[%zu] %s ran on '%s', "
				 "[1] on '%s': steps between them mix kernel "
				 "and machine", r + 1, run->name,
				 gb_run_meta(run, "cpu_model"),
				 gb_run_meta(&t->runs[0], "cpu_model"));
		else
			continue;
		say(f, buf);
	}
	/* the other skewing settings, against the previous run */
	for (size_t r = 1; r < t->nr_runs; r++)
		for (const char *const *k = gb_skew_keys; *k; k++) {
			const char *a = gb_run_meta(&t->runs[r - 1], *k);
			const char *b = gb_run_meta(&t->runs[r], *k);

			if (!strcmp(*k, "cpu_model") || !strcmp(a, b))
				continue;
			snprintf(buf, sizeof(buf), "%s differs between [%zu] "
				 "'%s' and [%zu] '%s': it skews that step",
				 *k, r, a, r + 1, b);
			say(f, buf);
		}
	for (size_t i = 0; i < t->nr_steps; i++) {
		noisy += t->steps[i].noisy;
		few += t->steps[i].few;
	}
	if (noisy) {
		snprintf(buf, sizeof(buf), "%zu of %zu steps have a run whose "
			 "cv exceeds the threshold %.3g%% (noisy): too noisy to "
			 "decide a change that small", noisy, t->nr_tested,
			 t->opts.delta * 100);
		say(f, buf);
	}
	if (few) {
		snprintf(buf, sizeof(buf), "%zu steps have a run with fewer "
			 "than %d trials: their CI and p are weak; run with "
			 "-n %d or more", few, GB_MIN_TRIALS, GB_MIN_TRIALS);
		say(f, buf);
	}
}

static void text_header(const struct trend *t, FILE *f)
{
	size_t n[GB_OUT_NA + 1] = { 0 }, counts[GB_OUT_NA + 1] = { 0 };
	char buf[1024];

	for (size_t i = 0; i < t->nr_steps; i++) {
		if (t->steps[i].counts)
			counts[t->steps[i].outcome]++;
		else
			n[t->steps[i].outcome]++;
	}
	fprintf(f, "guard-bench trend: %zu run%s in kernel-version order, "
		"threshold %.3g%%, seed %llu\n", t->nr_runs,
		t->nr_runs == 1 ? "" : "s", t->opts.delta * 100,
		(unsigned long long)t->opts.seed);
	for (size_t r = 0; r < t->nr_runs; r++) {
		const struct gb_run *run = &t->runs[r];
		char label[512], first[32];

		gb_run_label(run, label, sizeof(label));
		snprintf(buf, sizeof(buf), "%s  %s", label, run->name);
		snprintf(first, sizeof(first), "%3zu%c ", r + 1,
			 gb_run_emulated(run) ? 'E' : ' ');
		gb_put_wrapped(f, first, "      ", buf);
	}
	snprintf(buf, sizeof(buf), "%zu better, %zu worse, %zu equivalent, "
		 "%zu inconclusive, %zu other (changed, equal at 0, n/a) of "
		 "%zu steps with a test (Holm over all of them); one value a "
		 "run (lock counts, n = 1): %zu equal, %zu differ.",
		 n[GB_OUT_BETTER], n[GB_OUT_WORSE], n[GB_OUT_EQUIVALENT],
		 n[GB_OUT_INCONCLUSIVE], n[GB_OUT_CHANGED] + n[GB_OUT_NA] +
		 n[GB_OUT_EQUAL] + n[GB_OUT_DIFFERS], t->nr_tested,
		 counts[GB_OUT_EQUAL], counts[GB_OUT_DIFFERS]);
	fputc('\n', f);
	gb_put_wrapped(f, "Steps: ", "  ", buf);
	fprintf(f, "\nWarnings:\n");
	warnings(t, f);
	snprintf(buf, sizeof(buf), "Each block: one cell x metric; per run "
		 "(E: emulated) the median of the per-trial values ±cv, then "
		 "the step from the run above: new/old - 1 of the medians, "
		 "* where Holm-adjusted Mann-Whitney p < %.2g and the "
		 "bootstrap 95%% CI (shown last) excludes 1, and the verdict "
		 "against ±%.3g%%.", GB_ALPHA, t->opts.delta * 100);
	fputc('\n', f);
	gb_put_wrapped(f, "", "", buf);
}

static void text_point(const struct trend *t, FILE *f, size_t r,
		       const struct trend_point *p)
{
	const struct gb_run *run = &t->runs[r];
	const struct gb_diff *d = p->step >= 0 ? &t->steps[p->step] : NULL;
	char label[64], val[48], ch[16] = "", ci[48] = "";

	snprintf(label, sizeof(label), "%3zu%c %.15s%s", r + 1,
		 gb_run_emulated(run) ? 'E' : ' ',
		 gb_run_meta(run, "kernel_release"),
		 strlen(gb_run_meta(run, "kernel_release")) > 15 ? "~" : "");
	gb_fmt_value_cv(val, sizeof(val), p->row->sum->s.median,
			p->row->n > 1 ? p->row->sum->s.cv : NAN);
	gb_put_left(f, label, W_KERNEL);
	fputc(' ', f);
	gb_put_right(f, val, W_VALUE);
	if (!d) {
		fputc('\n', f);
		return;
	}
	gb_fmt_change(ch, sizeof(ch), d->ratio);
	if (!isnan(d->lo))
		gb_fmt_ci(ci, sizeof(ci), d->lo, d->hi);
	fputc(' ', f);
	gb_put_right(f, ch, W_CHANGE);
	fputc(d->significant ? '*' : ' ', f);
	fputc(' ', f);
	if (ci[0]) {
		gb_put_left(f, gb_outcome_name(d->outcome), 12);
		fprintf(f, " %s\n", ci);
	} else {
		fprintf(f, "%s\n", gb_outcome_name(d->outcome));
	}
}

static void print_text(const struct trend *t, FILE *f)
{
	size_t hidden = 0;

	text_header(t, f);
	for (size_t k = 0; k < t->nr_keys; k++) {
		const struct gb_summary_row *s = t->keys[k];
		bool any = false;
		char title[512];

		for (size_t r = 0; r < t->nr_runs; r++) {
			const struct trend_point *p = point(t, k, r);

			any |= p->step >= 0 && marked(&t->steps[p->step]);
		}
		if (t->opts.changed_only && !any) {
			hidden++;
			continue;
		}
		snprintf(title, sizeof(title), "%s %s: %s (%s, %s)",
			 s->scenario, s->cell, s->metric, s->unit,
			 gb_direction_text(gb_metric_direction(s->metric)));
		fputc('\n', f);
		gb_put_wrapped(f, "", "  ", title);
		for (size_t r = 0; r < t->nr_runs; r++)
			if (point(t, k, r)->row)
				text_point(t, f, r, point(t, k, r));
	}
	if (hidden)
		fprintf(f, "\n%zu cell x metric rows without a marked step "
			"not shown (--changed).\n", hidden);
}

static const char *const tsv_header[] = {
	"scenario", "cell", "metric", "unit", "direction", "order",
	"kernel_release", "guard_path", "emulation", "run", "dir", "label",
	"n",
	"median", "cv", "ci_lo", "ci_hi", "step_ratio", "step_lo",
	"step_hi", "step_p_holm", "step_significant", "step_verdict", NULL
};

/*
 * A value in one TSV column: a TAB, newline or other control byte
 * (a directory name may hold any) would shift every column after it,
 * so it is written as \t, \n, \r or \xHH.
 */
static const char *tsv_safe(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\t' || c == '\n' || c == '\r') {
			buf[o++] = '\\';
			buf[o++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void print_tsv(const struct trend *t, FILE *f)
{
	static const char *const dir_name[] = {
		[GB_DIR_NONE] = "none", [GB_DIR_LOWER] = "lower",
		[GB_DIR_HIGHER] = "higher",
	};

	warnings(t, NULL);
	for (const char *const *h = tsv_header; *h; h++)
		fprintf(f, "%s%c", *h, h[1] ? '\t' : '\n');
	for (size_t k = 0; k < t->nr_keys; k++) {
		const struct gb_summary_row *s = t->keys[k];

		for (size_t r = 0; r < t->nr_runs; r++) {
			const struct trend_point *p = point(t, k, r);
			const struct gb_run *run = &t->runs[r];
			const struct gb_diff *d;
			struct gb_diff none = { .ratio = NAN, .lo = NAN,
						.hi = NAN, .p_adj = NAN };
			char label[512], e[6][4096];

			if (!p->row)
				continue;
			d = p->step >= 0 ? &t->steps[p->step] : &none;
			gb_run_label(run, label, sizeof(label));
			fprintf(f, "%s\t%s\t%s\t%s\t%s\t%zu\t%s\t%s\t%s\t%s\t"
				"%s\t%s\t%zu\t%.7g\t%.4g\t%.7g\t%.7g\t%.6g\t%.6g\t"
				"%.6g\t%.4g\t%s\t%s\n", s->scenario, s->cell,
				s->metric, s->unit,
				dir_name[gb_metric_direction(s->metric)], r + 1,
				tsv_safe(gb_run_meta(run, "kernel_release"), e[0],
					 sizeof(e[0])),
				tsv_safe(gb_run_meta(run, "guard_path"), e[1],
					 sizeof(e[1])),
				tsv_safe(gb_run_meta(run, "emulation"), e[2],
					 sizeof(e[2])),
				tsv_safe(run->name, e[3], sizeof(e[3])),
				tsv_safe(run->dir, e[4], sizeof(e[4])),
				tsv_safe(label, e[5], sizeof(e[5])),
				p->row->n, p->row->sum->s.median,
				p->row->sum->s.cv, p->lo, p->hi, d->ratio,
				d->lo, d->hi, d->p_adj,
				d->significant ? "yes" : "no",
				p->step >= 0 ? gb_outcome_name(d->outcome) :
					       "-");
		}
	}
}

int gb_cmd_trend(int argc, char **argv)
{
	struct trend t = { 0 };

	gb_report_parse(&t.opts, GB_CMD_TREND, argc, argv);
	if (t.opts.help) {
		gb_report_usage(stdout, GB_CMD_TREND);
		return GB_EXIT_OK;
	}
	if (t.opts.nr_runs < 1)
		gb_die(GB_EXIT_USAGE, "trend takes run directories, got none: "
		       "guard-bench trend results/*/<host>-*/");
	t.runs = gb_report_load(t.opts.runs, t.opts.nr_runs);
	t.nr_runs = (size_t)t.opts.nr_runs;
	qsort(t.runs, t.nr_runs, sizeof(*t.runs), cmp_runs);
	collect_keys(&t);
	measure(&t);
	if (t.nr_runs > 1 && !t.nr_steps)
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "the %zu runs share no cell: "
		       "no step to show; run the same scenarios (-s) and "
		       "parameters on every kernel", t.nr_runs);

	if (t.opts.format == GB_FMT_TSV)
		print_tsv(&t, stdout);
	else
		print_text(&t, stdout);

	for (size_t r = 0; r < t.nr_runs; r++)
		gb_run_free(&t.runs[r]);
	free(t.runs);
	free(t.keys);
	free(t.points);
	free(t.steps);
	free(t.opts.runs);
	return fflush(stdout) ? GB_EXIT_FAILURE : GB_EXIT_OK;
}
