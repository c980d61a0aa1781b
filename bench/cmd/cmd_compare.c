// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench compare BASE NEW: the table for a patch series' cover
 * letter.  Cells are matched by scenario and parameters; each side's
 * replicates (runs pooled, and the replicates inside each run) give a
 * row its centre, interval and Welch test; primary rows get a
 * Holm-adjusted verdict, the others are descriptive (METHODOLOGY.md,
 * "How two runs are compared").  Whatever could make the table mislead -- noise, few
 * trials, cells on one side only, settings that differ, an incomplete
 * run -- is said in the table itself, so it travels with the email.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "judge/compare.h"
#include "judge/primary_ends.h"
#include "base/util.h"

static void warn(struct gb_compare *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct gb_compare *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = gb_vasprintf(fmt, ap);
	va_end(ap);
	c->warnings = realloc(c->warnings,
			      (c->nr_warnings + 1) * sizeof(*c->warnings));
	if (!c->warnings)
		gb_die(GB_EXIT_FAILURE, "out of memory");
	c->warnings[c->nr_warnings++] = s;
}

/* The cells of a run, by name: an open-addressing set of row indices. */
struct cellset {
	const struct gb_run *r;
	size_t *slot, size;
};

static size_t cell_slot(const struct cellset *cs, const char *scenario,
			const char *cell)
{
	size_t mask = cs->size - 1;
	size_t i = gb_row_hash(scenario, cell, "") & mask;

	while (cs->slot[i] != SIZE_MAX &&
	       !gb_row_is(cs->r->rows[cs->slot[i]].sum, scenario, cell, NULL))
		i = (i + 1) & mask;
	return i;
}

static void cellset_build(struct cellset *cs, const struct gb_run *r)
{
	cs->r = r;
	cs->size = 16;
	while (cs->size <= 2 * r->nr_rows)
		cs->size *= 2;
	cs->slot = gb_zalloc(cs->size * sizeof(*cs->slot));
	memset(cs->slot, 0xff, cs->size * sizeof(*cs->slot));
	for (size_t i = 0; i < r->nr_rows; i++) {
		size_t k = cell_slot(cs, r->rows[i].sum->scenario,
				     r->rows[i].sum->cell);

		if (cs->slot[k] == SIZE_MAX)
			cs->slot[k] = i;
	}
}

static bool cellset_has(const struct cellset *cs, const char *scenario,
			const char *cell)
{
	return cs->slot[cell_slot(cs, scenario, cell)] != SIZE_MAX;
}

static bool has_scenario(const struct gb_run *r, const char *scenario)
{
	for (size_t i = 0; i < r->nr_rows; i++)
		if (!strcmp(r->rows[i].sum->scenario, scenario))
			return true;
	return false;
}

/*
 * Scenarios and cells one side has and the other lacks (a scenario a
 * kernel or --emulate cannot run, a backing an older kernel rejects, a
 * sweep cut short by fewer CPUs), and metrics missing from a cell both
 * have (a newer guard-bench measures more).  A whole scenario is one
 * warning, not one per cell.
 */
static void one_sided(struct gb_compare *c, const struct gb_run *have,
		      const struct gb_run *lack, const char *side)
{
	struct cellset have_cells, lack_cells, warned;
	size_t metrics = 0;
	const char *last_scenario = "";

	cellset_build(&have_cells, have);
	cellset_build(&lack_cells, lack);
	cellset_build(&warned, have);
	memset(warned.slot, 0xff, warned.size * sizeof(*warned.slot));
	for (size_t i = 0; i < have->nr_rows; i++) {
		const struct gb_summary_row *s = have->rows[i].sum;
		size_t k;

		if (!has_scenario(lack, s->scenario)) {
			if (strcmp(last_scenario, s->scenario)) {
				size_t cells = 0;

				for (size_t j = 0; j < have_cells.size; j++)
					cells += have_cells.slot[j] !=
						 SIZE_MAX &&
						 !strcmp(have->rows[
						 have_cells.slot[j]].sum->
						 scenario, s->scenario);
				warn(c, "scenario %s (%zu cells) is in %s "
				     "only: not compared", s->scenario, cells,
				     side);
			}
			last_scenario = s->scenario;
			continue;
		}
		if (!cellset_has(&lack_cells, s->scenario, s->cell)) {
			k = cell_slot(&warned, s->scenario, s->cell);
			if (warned.slot[k] == SIZE_MAX) {
				warned.slot[k] = i;
				warn(c, "cell %s %s is in %s only: not "
				     "compared", s->scenario, s->cell, side);
			}
		} else if (!gb_run_find(lack, s->scenario, s->cell,
					s->metric)) {
			metrics++;
		}
	}
	if (metrics)
		warn(c, "%zu metric(s) of common cells are in %s only (a "
		     "different guard-bench version?): not compared",
		     metrics, side);
	free(have_cells.slot);
	free(lack_cells.slot);
	free(warned.slot);
}

/* Primary "METRIC@KEY" rows between the ends of a sweep: descriptive. */
static void sweep_ends(struct gb_compare *c)
{
	size_t n = c->nr_diffs ? c->nr_diffs : 1;
	const struct gb_summary_row **rows = gb_zalloc(n * sizeof(*rows));
	bool *primary = gb_zalloc(n * sizeof(*primary));

	for (size_t i = 0; i < c->nr_diffs; i++) {
		rows[i] = c->diffs[i].sum;
		primary[i] = c->diffs[i].primary;
	}
	gb_primary_ends(rows, c->nr_diffs, primary);
	for (size_t i = 0; i < c->nr_diffs; i++)
		c->diffs[i].primary = primary[i];
	free(rows);
	free(primary);
}

static void match(struct gb_compare *c)
{
	const struct gb_run *b = c->base, *n = c->new;

	c->diffs = gb_zalloc((b->nr_rows ? b->nr_rows : 1) *
			     sizeof(*c->diffs));
	for (size_t i = 0; i < b->nr_rows; i++) {
		const struct gb_summary_row *s = b->rows[i].sum;

		if (!gb_run_find(n, s->scenario, s->cell, s->metric))
			continue;
		gb_diff_measure(&c->diffs[c->nr_diffs++], &c->base_group,
				&c->new_group, s, &c->floors,
				c->opts.normalise);
	}
	sweep_ends(c);
	if (!c->nr_diffs)
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "%s and %s share no cell: "
		       "nothing to compare; run the same scenarios (-s) and "
		       "parameters on both kernels", b->dir, n->dir);
	for (size_t i = 0; i < c->nr_diffs; i++)
		c->nr_primary += c->diffs[i].primary && !c->diffs[i].counts;
	if (!c->nr_primary)
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "%s and %s share no primary "
		       "row (the rows compare judges: guard-bench primary "
		       "RUN lists them): run a scenario that has one on both "
		       "kernels", b->dir, n->dir);
	c->nr_family = gb_diffs_judge(c->diffs, c->nr_diffs, c->opts.delta);
}

/*
 * --budget fits trials to the time left, so two runs of one command
 * differ in trial length by a few percent: that is not a setting that
 * differs.  Within 10% counts as the same length.
 */
static bool same_length(const char *key, const char *a, const char *b)
{
	double x, y;

	if (strcmp(key, "duration_s") || gb_parse_double(a, 0, 1e9, &x) ||
	    gb_parse_double(b, 0, 1e9, &y) || !(x > 0 && y > 0))
		return false;
	return fabs(x / y - 1) <= 0.10;
}

static void settings_warnings(struct gb_compare *c)
{
	const struct gb_run *b = c->base, *n = c->new;

	if (!strcmp(b->dir, n->dir))
		warn(c, "BASE and NEW are the same run: every row compares "
		     "a run with itself");
	for (int side = 0; side < 2; side++) {
		const struct gb_group *g = side ? &c->new_group :
						  &c->base_group;

		for (size_t i = 0; i < g->nr; i++)
			if (!gb_run_complete(&g->runs[i]))
				warn(c, "%s run %s is INCOMPLETE (complete: %s; "
				     "taken with --allow-incomplete): cells it "
				     "did not finish are missing or have fewer "
				     "trials", side ? "new" : "base",
				     g->runs[i].name,
				     gb_run_meta(&g->runs[i], "complete"));
		if (g->override[0])
			warn(c, "%s pools runs that differ in %s "
			     "(--force-pool)", side ? "new" : "base",
			     g->override);
	}
	if (strstr(gb_run_meta(b, "virt"), "tcg") ||
	    strstr(gb_run_meta(n, "virt"), "tcg"))
		warn(c, "a side ran under an emulator (virt %s / %s): its "
		     "timings are functional only, not a CPU's; its lock "
		     "counts are real", gb_run_meta(b, "virt"),
		     gb_run_meta(n, "virt"));
	for (const char *const *k = gb_skew_keys; *k; k++) {
		const char *bv = gb_run_meta(b, *k), *nv = gb_run_meta(n, *k);

		if (strcmp(bv, nv) && !same_length(*k, bv, nv))
			warn(c, "%s differs: base '%s', new '%s' (it skews "
			     "numbers: part of a change may be its)", *k, bv,
			     nv);
	}
	if (c->floors.n && strcmp(c->floors.cpu_model,
				  gb_run_meta(b, "cpu_model")))
		warn(c, "the noise floor %s was measured on '%s', these runs "
		     "ran on '%s': it may not hold here", c->floors.path,
		     c->floors.cpu_model, gb_run_meta(b, "cpu_model"));
}

/*
 * The speed reference (ref_syscall_ns, a getppid round trip timed in
 * every trial) moved between the sides: the machine ran faster or
 * slower, not only the kernel changed -- or the kernel's syscall entry
 * did (mitigations).
 */
static void speed_warning(struct gb_compare *c)
{
	size_t moved = 0, n = 0;
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];

		if (strcmp(d->sum->metric, "ref_syscall_ns") || isnan(d->lo))
			continue;
		n++;
		if ((d->lo > 1 || d->hi < 1) &&
		    fabs(d->ratio - 1) > c->opts.delta) {
			moved++;
			lo = fmin(lo, d->ratio);
			hi = fmax(hi, d->ratio);
		}
	}
	if (moved)
		warn(c, "the speed reference (ref_syscall_ns) moved in %zu of "
		     "%zu cells (%+.1f%% to %+.1f%%): machine speed or syscall "
		     "entry cost changed", moved, n, (lo - 1) * 100,
		     (hi - 1) * 100);
}

static bool normalised_rows(const struct gb_compare *c)
{
	for (size_t i = 0; i < c->nr_diffs; i++)
		if (c->diffs[i].normalised)
			return true;
	return false;
}

/* What the replicates allow, over the primary rows. */
static void data_warnings(struct gb_compare *c)
{
	size_t single = 0, floor = 0, fewer = 0;
	size_t rb = gb_group_replicates(&c->base_group);
	size_t rn = gb_group_replicates(&c->new_group);

	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];

		if (!d->primary || d->counts)
			continue;
		single += isnan(d->p) && !isnan(d->ratio);
		floor += d->used_floor;
		fewer += d->base_nrep < rb || d->new_nrep < rn;
	}
	if (single)
		warn(c, "%zu primary rows have one replicate on a side and no "
		     "noise floor: no verdict (inconclusive), since how much "
		     "runs of one kernel differ is unknown; run with -R 5 or "
		     "more, pool runs (BASE1,BASE2,...), or give "
		     "--noise-floor from make validate", single);
	if (floor)
		warn(c, "%zu primary rows judged with the noise floor %s in "
		     "place of a side's between-replicate variance", floor,
		     c->floors.path);
	if (fewer)
		warn(c, "%zu primary rows have fewer replicates than their "
		     "side holds (a run lacks the cell or is incomplete): "
		     "compared with what both sides have", fewer);
}

/*
 * Runs pooled on a side that lack compared rows (a cell skipped or cut
 * short) or ran another number of trials: named, since compare goes on
 * with what both sides have.
 */
static void pool_warnings(struct gb_compare *c, const struct gb_group *g,
			  const char *side)
{
	for (size_t i = 0; i < g->nr; i++) {
		const struct gb_run *r = &g->runs[i];
		size_t missing = 0;

		for (size_t k = 0; k < c->nr_diffs; k++) {
			const struct gb_summary_row *s = c->diffs[k].sum;

			missing += c->diffs[k].primary &&
				   !gb_run_find(r, s->scenario, s->cell,
						s->metric);
		}
		if (missing)
			warn(c, "%s run %s lacks %zu of the compared primary "
			     "rows: they are compared on the other runs' "
			     "replicates", side, r->name, missing);
		if (i && strcmp(gb_run_meta(r, "trials"),
				gb_run_meta(&g->runs[0], "trials")))
			warn(c, "%s pools runs of %s and %s trials a cell (%s, "
			     "%s): each replicate is its trials' median, "
			     "compared as they are", side,
			     gb_run_meta(&g->runs[0], "trials"),
			     gb_run_meta(r, "trials"), g->runs[0].name,
			     r->name);
	}
}

static void load_side(struct gb_compare *c, struct gb_group *g,
		      const char *arg)
{
	char **dirs, err[2048];
	int n;

	dirs = gb_split_runs(arg, &n);
	if (!n)
		gb_die(GB_EXIT_USAGE, "'%s' names no run directory: give "
		       "DIR or DIR1,DIR2,...", arg);
	g->runs = gb_report_load(&c->opts, dirs, n);
	g->nr = (size_t)n;
	/* the runs keep pointers to their names: freed with the group */
	g->dirs = dirs;
	if (gb_group_check(g, c->opts.force_pool, err, sizeof(err)))
		gb_die(GB_EXIT_ENV, "%s", err);
}

void gb_compare_build(struct gb_compare *c)
{
	char err[2048];

	if (c->opts.nr_runs != 2)
		gb_die(GB_EXIT_USAGE, "compare takes two sides, BASE and NEW, "
		       "got %d: guard-bench compare results/<old>/<run> "
		       "results/<new>/<run> (a side may be RUN1,RUN2,...)",
		       c->opts.nr_runs);
	load_side(c, &c->base_group, c->opts.runs[0]);
	load_side(c, &c->new_group, c->opts.runs[1]);
	c->base = &c->base_group.runs[0];
	c->new = &c->new_group.runs[0];
	if (gb_floors_load(&c->floors, c->opts.noise_floor, err,
			   sizeof(err)))
		gb_die(GB_EXIT_ENV, "--noise-floor: %s: give the file make "
		       "validate wrote", err);

	settings_warnings(c);
	one_sided(c, c->base, c->new, "base");
	one_sided(c, c->new, c->base, "new");
	match(c);
	pool_warnings(c, &c->base_group, "base");
	pool_warnings(c, &c->new_group, "new");
	speed_warning(c);
	data_warnings(c);
	c->normalised = c->opts.normalise && normalised_rows(c);
	/* text says so in its "How to read"; the other formats here */
	if (c->normalised && c->opts.format != GB_FMT_TEXT)
		warn(c, "latencies over the same trial's getppid time "
		     "(ref_syscall_ns), in ns at base's speed (--normalise "
		     "none: raw)");
}

void gb_compare_free(struct gb_compare *c)
{
	for (size_t i = 0; i < c->nr_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->diffs);
	for (size_t i = 0; i < c->base_group.nr; i++)
		gb_run_free(&c->base_group.runs[i]);
	for (size_t i = 0; i < c->new_group.nr; i++)
		gb_run_free(&c->new_group.runs[i]);
	for (struct gb_group *g = &c->base_group; g <= &c->new_group; g++) {
		for (size_t i = 0; i < g->nr; i++)
			free(g->dirs[i]);
		free(g->dirs);
		free(g->runs);
	}
	gb_floors_free(&c->floors);
	free(c->opts.runs);
}

int gb_cmd_compare(int argc, char **argv)
{
	struct gb_compare c = { 0 };

	gb_report_parse(&c.opts, GB_CMD_COMPARE, argc, argv);
	if (c.opts.help) {
		gb_report_usage(stdout, GB_CMD_COMPARE);
		free(c.opts.runs);
		return GB_EXIT_OK;
	}
	gb_compare_build(&c);

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
	gb_compare_free(&c);
	return fflush(stdout) ? GB_EXIT_FAILURE : GB_EXIT_OK;
}
