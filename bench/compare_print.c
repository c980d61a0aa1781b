// SPDX-License-Identifier: GPL-2.0
/*
 * compare's three outputs.  text is for email: at most 72 columns,
 * one block per cell, a column per kernel like mmtests compare-kernels
 * and LKP, with the CI and p on a second line because they do not fit
 * on the first.  markdown is the same rows for a web page, tsv every
 * number at full precision for scripts and scripts/plot.sh.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "compare_stats.h"
#include "util.h"

#define W_METRIC	26	/* faults_per_sec_per_faulter */
#define W_VALUE		11	/* 10.72k±0.4% */
#define W_CHANGE	7	/* +123.4% */
#define W_COUNT_METRIC	30	/* mmap_lock_write_per_faulter_op */
#define W_COUNT_VALUE	10

/* Outcomes of the rows with a test (@counts false) or of the counts. */
static void count_outcomes(const struct gb_compare *c, bool counts,
			   size_t *n)
{
	memset(n, 0, (GB_OUT_NA + 1) * sizeof(*n));
	for (size_t i = 0; i < c->nr_diffs; i++)
		if (c->diffs[i].counts == counts)
			n[c->diffs[i].outcome]++;
}

/* "3 better, 4 worse, ..." over the rows with a test. */
static void fmt_verdicts(char *buf, size_t len, const struct gb_compare *c)
{
	size_t n[GB_OUT_NA + 1], other;

	count_outcomes(c, false, n);
	other = c->nr_tested - n[GB_OUT_BETTER] - n[GB_OUT_WORSE] -
		n[GB_OUT_EQUIVALENT] - n[GB_OUT_INCONCLUSIVE];
	snprintf(buf, len, "%zu better, %zu worse, %zu equivalent, %zu "
		 "inconclusive", n[GB_OUT_BETTER], n[GB_OUT_WORSE],
		 n[GB_OUT_EQUIVALENT], n[GB_OUT_INCONCLUSIVE]);
	if (other)
		snprintf(buf + strlen(buf), len - strlen(buf), ", %zu other "
			 "(changed, equal at 0, n/a)", other);
	snprintf(buf + strlen(buf), len - strlen(buf), " of %zu rows with a "
		 "test", c->nr_tested);
	if (c->nr_diffs == c->nr_tested)
		return;
	count_outcomes(c, true, n);
	snprintf(buf + strlen(buf), len - strlen(buf), "; one value a side "
		 "(lock counts, n = 1): %zu equal, %zu differ",
		 n[GB_OUT_EQUAL], n[GB_OUT_DIFFERS]);
}

static void text_side(FILE *f, const char *side, const struct gb_run *r)
{
	char first[16], buf[1024];

	snprintf(first, sizeof(first), "%-5s ", side);
	snprintf(buf, sizeof(buf), "%s guard_path %s%s%s",
		 gb_run_meta(r, "kernel_release"), gb_run_meta(r, "guard_path"),
		 gb_run_emulated(r) ? " EMULATED " : "",
		 gb_run_emulated(r) ? gb_run_meta(r, "emulation") : "");
	gb_put_wrapped(f, first, "      ", buf);
	fprintf(f, "      %s  %s trials x %s s\n", r->name,
		gb_run_meta(r, "trials"), gb_run_meta(r, "duration_s"));
}

static void text_header(FILE *f, const struct gb_compare *c)
{
	char buf[1024];

	fprintf(f, "guard-bench compare: new against base, threshold %.3g%%, "
		"seed %llu\n", c->opts.delta * 100,
		(unsigned long long)c->opts.seed);
	text_side(f, "base", c->base);
	text_side(f, "new", c->new);

	fmt_verdicts(buf, sizeof(buf), c);
	fputc('\n', f);
	gb_put_wrapped(f, "Verdicts: ", "  ", buf);
	if (c->nr_warnings) {
		fprintf(f, "\nWarnings:\n");
		for (size_t i = 0; i < c->nr_warnings; i++)
			gb_put_wrapped(f, "- ", "  ", c->warnings[i]);
	}
	snprintf(buf, sizeof(buf), "Each row: the median of the per-trial "
		 "values ±cv (stddev/mean) per side; change = new/base - 1 "
		 "of the medians, its 95%% bootstrap CI (%d draws) and the "
		 "Mann-Whitney p, Holm-adjusted over the %zu rows with a "
		 "test. * p < %.2g and the CI excludes 1. Verdict: better or "
		 "worse when also beyond ±%.3g%%, equivalent when the whole "
		 "CI lies within ±%.3g%%, else inconclusive. noisy: a side's "
		 "cv exceeds %.3g%%.", GB_BOOT_DRAWS, c->nr_tested, GB_ALPHA,
		 c->opts.delta * 100, c->opts.delta * 100,
		 c->opts.delta * 100);
	fputc('\n', f);
	gb_put_wrapped(f, "", "", buf);
}

/*
 * A metric name wider than its column (pmu.<EVENT>_per_faulter_op)
 * gets a line of its own: the numbers stay in their columns.
 */
static void put_metric(FILE *f, const char *metric, size_t width)
{
	if (gb_columns(metric) <= width) {
		gb_put_left(f, metric, width);
		return;
	}
	fprintf(f, "%s\n", metric);
	gb_put_left(f, "", width);
}

static void text_row(FILE *f, const struct gb_diff *d)
{
	char b[48], n[48], ch[16], ci[48], p[16], hl[32], line2[160];
	const struct gb_summary_row *s = d->base->sum;
	double shift;

	gb_fmt_value_cv(b, sizeof(b), d->base_median, d->base_cv);
	gb_fmt_value_cv(n, sizeof(n), d->new_median, d->new_cv);
	gb_fmt_change(ch, sizeof(ch), d->ratio);
	put_metric(f, s->metric, W_METRIC);
	fputc(' ', f);
	gb_put_right(f, b, W_VALUE);
	fputc(' ', f);
	gb_put_right(f, n, W_VALUE);
	fputc(' ', f);
	gb_put_right(f, ch, W_CHANGE);
	fprintf(f, "%c %s\n", d->significant ? '*' : ' ',
		gb_outcome_name(d->outcome));

	if (isnan(d->ratio)) {
		fprintf(f, "    %s (%s, %s)\n", d->base_median == 0 &&
			d->new_median == 0 ? "0 on both sides" :
			"no ratio: a median is <= 0", s->unit,
			gb_direction_text(d->dir));
		return;
	}
	gb_fmt_ci(ci, sizeof(ci), d->lo, d->hi);
	gb_fmt_p(p, sizeof(p), d->p_adj);
	/* histogram buckets leave shifts like 1e-3 ns between equal medians */
	shift = fabs(d->hl) < 1e-4 * fabs(d->base_median) ? 0 : d->hl;
	gb_fmt_value(hl, sizeof(hl), shift);
	snprintf(line2, sizeof(line2), "    95%% CI %s  p %s  shift %s%s %s%s",
		 ci, p, shift > 0 ? "+" : "", hl, s->unit,
		 d->noisy ? "  noisy" : "");
	fprintf(f, "%s\n", line2);
}

static void text_count_row(FILE *f, const struct gb_diff *d)
{
	char b[32], n[32], ch[16];

	gb_fmt_value(b, sizeof(b), d->base_median);
	gb_fmt_value(n, sizeof(n), d->new_median);
	gb_fmt_change(ch, sizeof(ch), d->ratio);
	put_metric(f, d->base->sum->metric, W_COUNT_METRIC);
	fputc(' ', f);
	gb_put_right(f, b, W_COUNT_VALUE);
	fputc(' ', f);
	gb_put_right(f, n, W_COUNT_VALUE);
	fputc(' ', f);
	gb_put_right(f, ch, W_CHANGE);
	fprintf(f, "  %s\n", gb_outcome_name(d->outcome));
}

static bool same_cell(const struct gb_diff *a, const struct gb_diff *b)
{
	return gb_row_is(a->base->sum, b->base->sum->scenario,
			 b->base->sum->cell, NULL);
}

static void text_cell(FILE *f, const struct gb_diff *d, size_t n)
{
	const struct gb_summary_row *s = d[0].base->sum;
	char title[256], trials[48] = "";
	bool counts = false;

	for (size_t i = 0; i < n && !trials[0]; i++)
		if (!d[i].counts)
			snprintf(trials, sizeof(trials), "%zu vs %zu trials",
				 d[i].base->n, d[i].new->n);
	snprintf(title, sizeof(title), "%s %s", s->scenario, s->cell);
	fprintf(f, "\n%s", title);
	/* the trial counts at the right edge, or below a long cell name */
	if (gb_columns(title) + 1 + gb_columns(trials) > GB_TEXT_WIDTH)
		fputc('\n', f);
	else
		gb_put_left(f, "", GB_TEXT_WIDTH - gb_columns(title) -
			    gb_columns(trials));
	fprintf(f, "%s\n", trials);
	if (trials[0]) {
		gb_put_left(f, "metric", W_METRIC);
		fputc(' ', f);
		gb_put_right(f, "base", W_VALUE);
		fputc(' ', f);
		gb_put_right(f, "new", W_VALUE);
		fputc(' ', f);
		gb_put_right(f, "change", W_CHANGE);
		fprintf(f, "  verdict\n");
	}
	for (size_t i = 0; i < n; i++) {
		if (d[i].counts) {
			counts = true;
			continue;
		}
		text_row(f, &d[i]);
	}
	if (!counts)
		return;
	fprintf(f, "  one value a side (lock counts, n = 1): no CI, no "
		"test\n");
	for (size_t i = 0; i < n; i++)
		if (d[i].counts)
			text_count_row(f, &d[i]);
}

void gb_compare_print_text(FILE *f, const struct gb_compare *c)
{
	size_t i = 0;

	text_header(f, c);
	while (i < c->nr_diffs) {
		size_t j = i + 1;

		while (j < c->nr_diffs && same_cell(&c->diffs[i], &c->diffs[j]))
			j++;
		text_cell(f, &c->diffs[i], j - i);
		i = j;
	}
}

void gb_compare_print_markdown(FILE *f, const struct gb_compare *c)
{
	char lb[256], ln[256], buf[1024];

	gb_run_label(c->base, lb, sizeof(lb));
	gb_run_label(c->new, ln, sizeof(ln));
	fprintf(f, "**guard-bench compare**: new `%s` (%s) against base "
		"`%s` (%s); threshold %.3g%%, %d bootstrap draws, seed %llu."
		"\n\n", ln, c->new->name, lb, c->base->name,
		c->opts.delta * 100, GB_BOOT_DRAWS,
		(unsigned long long)c->opts.seed);
	fmt_verdicts(buf, sizeof(buf), c);
	fprintf(f, "Verdicts: %s.\n\n", buf);
	for (size_t i = 0; i < c->nr_warnings; i++)
		fprintf(f, "- **warning**: %s\n", c->warnings[i]);
	fprintf(f, "%s| cell | metric | base ±cv | new ±cv | change | 95%% CI "
		"| p (Holm) | verdict |\n|---|---|--:|--:|--:|---|--:|---|\n",
		c->nr_warnings ? "\n" : "");
	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];
		const struct gb_summary_row *s = d->base->sum;
		char b[48], nv[48], ch[16], ci[48] = "-", p[16];
		bool strong = d->outcome == GB_OUT_BETTER ||
			      d->outcome == GB_OUT_WORSE;

		gb_fmt_value_cv(b, sizeof(b), d->base_median,
				d->counts ? NAN : d->base_cv);
		gb_fmt_value_cv(nv, sizeof(nv), d->new_median,
				d->counts ? NAN : d->new_cv);
		gb_fmt_change(ch, sizeof(ch), d->ratio);
		if (!isnan(d->lo))
			gb_fmt_ci(ci, sizeof(ci), d->lo, d->hi);
		gb_fmt_p(p, sizeof(p), d->p_adj);
		fprintf(f, "| %s %s | %s (%s) | %s | %s | %s%s | %s | %s | "
			"%s%s%s%s |\n", s->scenario, s->cell, s->metric, s->unit,
			b, nv, ch, d->significant ? " \\*" : "", ci, p,
			strong ? "**" : "", gb_outcome_name(d->outcome),
			strong ? "**" : "", d->noisy ? " (noisy)" : "");
	}
}

static const char *const tsv_header[] = {
	"scenario", "cell", "metric", "unit", "direction", "base_n",
	"base_median", "base_cv", "new_n", "new_median", "new_cv", "ratio",
	"ci_lo", "ci_hi", "hl_shift", "p", "p_holm", "significant",
	"verdict", "noisy", NULL
};

void gb_compare_print_tsv(FILE *f, const struct gb_compare *c)
{
	for (const char *const *h = tsv_header; *h; h++)
		fprintf(f, "%s%c", *h, h[1] ? '\t' : '\n');
	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];
		const struct gb_summary_row *s = d->base->sum;

		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%zu\t%.7g\t%.4g\t%zu\t%.7g\t"
			"%.4g\t%.6g\t%.6g\t%.6g\t%.6g\t%.4g\t%.4g\t%s\t%s\t%s\n",
			s->scenario, s->cell, s->metric, s->unit,
			d->dir == GB_DIR_LOWER ? "lower" :
			d->dir == GB_DIR_HIGHER ? "higher" : "none",
			d->base->n, d->base_median, d->base_cv, d->new->n,
			d->new_median, d->new_cv, d->ratio, d->lo, d->hi, d->hl,
			d->p, d->p_adj, d->significant ? "yes" : "no",
			gb_outcome_name(d->outcome), d->noisy ? "yes" : "no");
	}
}
