// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench compare BASE NEW: the table for a patch series' cover
 * letter.  Cells are matched by scenario and parameters; each metric
 * gets the ratio of medians with a bootstrap CI, a Holm-adjusted
 * Mann-Whitney p and a verdict (METHODOLOGY.md, "How two runs are
 * compared").  Whatever could make the table mislead -- noise, few
 * trials, cells on one side only, settings that differ, an incomplete
 * run -- is said in the table itself, so it travels with the email.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "util.h"

static void warn(struct gb_compare *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct gb_compare *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		gb_die(GB_EXIT_FAILURE, "out of memory");
	va_end(ap);
	c->warnings = realloc(c->warnings,
			      (c->nr_warnings + 1) * sizeof(*c->warnings));
	if (!c->warnings)
		gb_die(GB_EXIT_FAILURE, "out of memory");
	c->warnings[c->nr_warnings++] = s;
}

/* Does @r have the cell of @s in its rows [0, @end)? */
static bool has_cell(const struct gb_run *r, size_t end,
		     const struct gb_summary_row *s)
{
	for (size_t i = 0; i < end; i++)
		if (gb_row_is(r->rows[i].sum, s->scenario, s->cell, NULL))
			return true;
	return false;
}

static bool has_scenario(const struct gb_run *r, size_t end,
			 const char *scenario)
{
	for (size_t i = 0; i < end; i++)
		if (!strcmp(r->rows[i].sum->scenario, scenario))
			return true;
	return false;
}

static size_t nr_cells(const struct gb_run *r, const char *scenario)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nr_rows; i++)
		n += !strcmp(r->rows[i].sum->scenario, scenario) &&
		     !has_cell(r, i, r->rows[i].sum);
	return n;
}

/*
 * Scenarios and cells one run has and the other lacks (a scenario a
 * kernel or --emulate cannot run, a backing an older kernel rejects, a
 * sweep cut short by fewer CPUs), and metrics missing from a cell both
 * have (a newer guard-bench measures more).  A whole scenario is one
 * warning, not one per cell.
 */
static void one_sided(struct gb_compare *c, const struct gb_run *have,
		      const struct gb_run *lack, const char *side)
{
	size_t metrics = 0;

	for (size_t i = 0; i < have->nr_rows; i++) {
		const struct gb_summary_row *s = have->rows[i].sum;

		if (!has_scenario(lack, lack->nr_rows, s->scenario)) {
			if (!has_scenario(have, i, s->scenario))
				warn(c, "scenario %s (%zu cells) is in %s "
				     "only: not compared", s->scenario,
				     nr_cells(have, s->scenario), side);
		} else if (!has_cell(lack, lack->nr_rows, s)) {
			if (!has_cell(have, i, s))
				warn(c, "cell %s %s is in %s only: not "
				     "compared", s->scenario, s->cell, side);
		} else if (!gb_run_find(lack, s->scenario, s->cell,
					s->metric)) {
			metrics++;
		}
	}
	if (metrics)
		warn(c, "%zu metric(s) of common cells are in %s only (a "
		     "different guard-bench version?): not compared",
		     metrics, side);
}

static void match(struct gb_compare *c)
{
	const struct gb_run *b = c->base, *n = c->new;

	c->diffs = gb_zalloc(b->nr_rows * sizeof(*c->diffs));
	for (size_t i = 0; i < b->nr_rows; i++) {
		const struct gb_summary_row *s = b->rows[i].sum;
		const struct gb_run_row *nr = gb_run_find(n, s->scenario,
							  s->cell, s->metric);

		if (!nr)
			continue;
		gb_diff_measure(&c->diffs[c->nr_diffs++], &b->rows[i], nr,
				c->opts.seed, c->opts.delta);
	}
	if (!c->nr_diffs)
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "%s and %s share no cell: "
		       "nothing to compare; run the same scenarios (-s) and "
		       "parameters on both kernels", b->dir, n->dir);
	for (size_t i = 0; i < c->nr_diffs; i++)
		c->nr_tested += !c->diffs[i].counts;
	gb_diffs_judge(c->diffs, c->nr_diffs, c->opts.delta);
}

static void settings_warnings(struct gb_compare *c)
{
	const struct gb_run *b = c->base, *n = c->new;

	if (!strcmp(b->dir, n->dir))
		warn(c, "BASE and NEW are the same run: every row compares "
		     "a run with itself");
	if (!gb_run_complete(b))
		warn(c, "base run is incomplete (complete: %s): cells it "
		     "did not finish are missing or have fewer trials",
		     gb_run_meta(b, "complete"));
	if (!gb_run_complete(n))
		warn(c, "new run is incomplete (complete: %s): cells it did "
		     "not finish are missing or have fewer trials",
		     gb_run_meta(n, "complete"));
	for (const char *const *k = gb_skew_keys; *k; k++) {
		const char *bv = gb_run_meta(b, *k), *nv = gb_run_meta(n, *k);

		if (strcmp(bv, nv))
			warn(c, "%s differs: base '%s', new '%s' (it skews "
			     "numbers: part of a change may be its)", *k, bv,
			     nv);
	}
}

/* Noise and trial counts, over the rows that had a test. */
static void data_warnings(struct gb_compare *c)
{
	size_t noisy = 0, nb = SIZE_MAX, nn = SIZE_MAX;

	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];

		if (d->counts)
			continue;
		noisy += d->noisy;
		if (d->base->n < nb)
			nb = d->base->n;
		if (d->new->n < nn)
			nn = d->new->n;
	}
	if (noisy)
		warn(c, "%zu of %zu rows have a side whose cv exceeds the "
		     "threshold %.3g%% (noisy): too noisy to decide a "
		     "change that small; quiet the machine (detect's hints) "
		     "or raise --threshold", noisy, c->nr_tested,
		     c->opts.delta * 100);
	if (nb < GB_MIN_TRIALS || nn < GB_MIN_TRIALS)
		warn(c, "fewest trials in a row: base %zu, new %zu (fewer "
		     "than %d): the CI and Mann-Whitney are weak (3 vs 3 "
		     "can never reach p < 0.05); run with -n %d or more",
		     nb, nn, GB_MIN_TRIALS, GB_MIN_TRIALS);
}

int gb_cmd_compare(int argc, char **argv)
{
	struct gb_compare c = { 0 };
	struct gb_run *runs;

	gb_report_parse(&c.opts, GB_CMD_COMPARE, argc, argv);
	if (c.opts.help) {
		gb_report_usage(stdout, GB_CMD_COMPARE);
		return GB_EXIT_OK;
	}
	if (c.opts.nr_runs != 2)
		gb_die(GB_EXIT_USAGE, "compare takes two run directories, "
		       "BASE and NEW, got %d: guard-bench compare "
		       "results/<old>/<run> results/<new>/<run>",
		       c.opts.nr_runs);
	runs = gb_report_load(c.opts.runs, 2);
	c.base = &runs[0];
	c.new = &runs[1];

	settings_warnings(&c);
	one_sided(&c, c.base, c.new, "base");
	one_sided(&c, c.new, c.base, "new");
	match(&c);
	data_warnings(&c);

	switch (c.opts.format) {
	case GB_FMT_TEXT:
		gb_compare_print_text(stdout, &c);
		break;
	case GB_FMT_MARKDOWN:
		gb_compare_print_markdown(stdout, &c);
		break;
	case GB_FMT_TSV:
		/* a TSV holds rows only: the warnings go to stderr */
		for (size_t i = 0; i < c.nr_warnings; i++)
			gb_warn("%s", c.warnings[i]);
		gb_compare_print_tsv(stdout, &c);
		break;
	}

	for (size_t i = 0; i < c.nr_warnings; i++)
		free(c.warnings[i]);
	free(c.warnings);
	free(c.diffs);
	gb_run_free(&runs[0]);
	gb_run_free(&runs[1]);
	free(runs);
	free(c.opts.runs);
	return fflush(stdout) ? GB_EXIT_FAILURE : GB_EXIT_OK;
}
