// SPDX-License-Identifier: GPL-2.0
/*
 * compare's three outputs.  text is for email, at most 72 columns: by
 * default the primary rows only, one block per scenario and metric,
 * one line per cell; --all adds every descriptive row, one block per
 * cell.  markdown is the same rows for a web page or a PR, tsv every
 * number at full precision for scripts and scripts/plot.sh.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "judge/compare.h"
#include "judge/compare_stats.h"
#include "base/util.h"

#define W_CELL		25	/* "  share=same-vma threads=2" */
#define W_VALUE		11	/* 1079.1±2.8% */
#define W_CHANGE	7	/* +123.4% */
#define W_MDE		5	/* 12.3%, >999% */
#define W_METRIC	26	/* faults_per_sec_per_faulter */

static bool shown(const struct gb_compare *c, const struct gb_diff *d)
{
	return c->opts.all || (d->primary && !d->counts);
}

static void count_outcomes(const struct gb_compare *c, size_t *n)
{
	memset(n, 0, (GB_OUT_DESCRIPTIVE + 1) * sizeof(*n));
	for (size_t i = 0; i < c->nr_diffs; i++)
		if (c->diffs[i].primary && !c->diffs[i].counts)
			n[c->diffs[i].outcome]++;
}

/* "53 primary rows: 0 better, 1 worse, 0 equiv., 52 incon." */
static void fmt_verdicts(char *buf, size_t len, const struct gb_compare *c)
{
	size_t n[GB_OUT_DESCRIPTIVE + 1], other;

	count_outcomes(c, n);
	other = c->nr_primary - n[GB_OUT_BETTER] - n[GB_OUT_WORSE] -
		n[GB_OUT_EQUIVALENT] - n[GB_OUT_INCONCLUSIVE];
	snprintf(buf, len, "%zu primary rows: %zu better, %zu worse, %zu "
		 "equiv., %zu incon.", c->nr_primary, n[GB_OUT_BETTER],
		 n[GB_OUT_WORSE], n[GB_OUT_EQUIVALENT],
		 n[GB_OUT_INCONCLUSIVE]);
	if (other)
		snprintf(buf + strlen(buf), len - strlen(buf), ", %zu n/a "
			 "(0 on both sides)", other);
}

/* "5 replicates x 10 trials x 0.4 s", from the side's first run. */
static void fmt_design(char *buf, size_t len, const struct gb_group *g)
{
	const struct gb_run *r = &g->runs[0];
	double d;
	char dur[32];

	if (gb_parse_double(gb_run_meta(r, "duration_s"), 0, 1e9, &d))
		snprintf(dur, sizeof(dur), "%s", gb_run_meta(r, "duration_s"));
	else
		snprintf(dur, sizeof(dur), "%.3g", d);
	snprintf(buf, len, "%zu replicate%s x %s trials x %s s",
		 gb_group_replicates(g),
		 gb_group_replicates(g) == 1 ? "" : "s",
		 gb_run_meta(r, "trials"), dur);
}

static void text_side(FILE *f, const char *side, const struct gb_group *g)
{
	char first[16], buf[1024], design[128], label[512];

	gb_run_label(&g->runs[0], label, sizeof(label));
	fmt_design(design, sizeof(design), g);
	snprintf(first, sizeof(first), "%-5s ", side);
	snprintf(buf, sizeof(buf), "%s (%s)", label, design);
	gb_put_wrapped(f, first, "      ", buf);
	gb_put_wrapped(f, "      ", "      ", g->name);
}

static void how_to_read(FILE *f, const struct gb_compare *c)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "How to read: value = geometric mean "
		 "over replicates of their trials' median ± spread%s; "
		 "change = new/base - 1, Welch's t on log replicate medians, "
		 "Holm over %zu rows: better/worse at p < %.2g beyond ±%.3g%%; "
		 "equiv.: CI and det within ±%.3g%%; else incon.; det: the "
		 "change detectable at 80%% power.  --all adds %zu "
		 "descriptive rows.",
		 c->normalised ? " (latencies over the trial's getppid time, "
		 "ref_syscall_ns, in ns at base's speed)" : "",
		 c->nr_family, GB_ALPHA, c->opts.delta * 100,
		 c->opts.delta * 100, c->nr_diffs - c->nr_primary);
	gb_put_wrapped(f, "", "", buf);
}

static void text_header(FILE *f, const struct gb_compare *c)
{
	char buf[1024];

	fprintf(f, "guard-bench compare: new against base, threshold "
		"%.3g%%\n", c->opts.delta * 100);
	text_side(f, "base", &c->base_group);
	text_side(f, "new", &c->new_group);
	snprintf(buf, sizeof(buf), "%s, %s CPUs, virt %s, guard-bench %s",
		 gb_run_meta(c->base, "cpu_model"),
		 gb_run_meta(c->base, "nr_cpus"), gb_run_meta(c->base, "virt"),
		 gb_run_meta(c->base, "tool_version"));
	gb_put_wrapped(f, "on    ", "      ", buf);
	fmt_verdicts(buf, sizeof(buf), c);
	gb_put_wrapped(f, "Verdicts on ", "  ", buf);
	if (c->nr_warnings) {
		fprintf(f, "Warnings:\n");
		for (size_t i = 0; i < c->nr_warnings; i++)
			gb_put_wrapped(f, "- ", "  ", c->warnings[i]);
	}
	how_to_read(f, c);
}

/* "±12%": the detectable change; "±?" where unknown. */
static void fmt_mde(char *buf, size_t len, double mde)
{
	if (isnan(mde))
		snprintf(buf, len, "?");
	else if (mde >= 9.995)
		snprintf(buf, len, ">999%%");
	else
		snprintf(buf, len, mde * 100 < 9.95 ? "%.1f%%" : "%.0f%%",
			 mde * 100);
}

static void fmt_side(char *buf, size_t len, double v, double spread)
{
	gb_fmt_value_cv(buf, len, v, spread);
}

/* The verdict in the one-line table: at most six columns. */
static const char *short_outcome(enum gb_outcome o)
{
	switch (o) {
	case GB_OUT_INCONCLUSIVE:
		return "incon.";
	case GB_OUT_EQUIVALENT:
		return "equiv.";
	default:
		return gb_outcome_name(o);
	}
}

/*
 * "backing=anon pages=1" -> "anon 1" (@vals) and "backing pages"
 * (@keys): the block's title names the parameters once.
 */
static void split_cell(const char *cell, char *vals, size_t vlen,
		       char *keys, size_t klen)
{
	size_t v = 0, k = 0;
	bool in_key = true;

	for (const char *p = cell; *p; p++) {
		if (*p == ' ') {
			in_key = true;
			if (v + 1 < vlen)
				vals[v++] = ' ';
			if (k + 1 < klen)
				keys[k++] = ' ';
		} else if (*p == '=' && in_key) {
			in_key = false;
		} else if (in_key) {
			if (k + 1 < klen)
				keys[k++] = *p;
		} else if (v + 1 < vlen) {
			vals[v++] = *p;
		}
	}
	vals[v] = keys[k] = '\0';
}

/* One primary row on one line: cell, base, new, change, det, verdict. */
static void text_primary_row(FILE *f, const struct gb_diff *d)
{
	char b[48], n[48], ch[16], mde[16], vals[192], keys[192];
	const char *cell = vals;

	fmt_side(b, sizeof(b), d->base_centre, d->base_spread);
	fmt_side(n, sizeof(n), d->new_centre, d->new_spread);
	gb_fmt_change(ch, sizeof(ch), d->ratio);
	fmt_mde(mde, sizeof(mde), d->mde);
	split_cell(d->sum->cell, vals, sizeof(vals), keys, sizeof(keys));
	if (gb_columns(cell) > W_CELL - 2) {
		fprintf(f, "  %s\n", cell);
		cell = "";
	}
	fputs("  ", f);
	gb_put_left(f, cell, W_CELL - 2);
	fputc(' ', f);
	gb_put_right(f, b, W_VALUE);
	fputc(' ', f);
	gb_put_right(f, n, W_VALUE);
	fputc(' ', f);
	gb_put_right(f, ch, W_CHANGE);
	fputc(' ', f);
	gb_put_right(f, mde, W_MDE);
	fprintf(f, " %s\n", short_outcome(d->outcome));
}

static bool printed_block(const struct gb_compare *c, size_t upto,
			  const struct gb_diff *d)
{
	for (size_t i = 0; i < upto; i++)
		if (c->diffs[i].primary && !c->diffs[i].counts &&
		    !strcmp(c->diffs[i].sum->scenario, d->sum->scenario) &&
		    !strcmp(c->diffs[i].sum->metric, d->sum->metric))
			return true;
	return false;
}

/* Does the metric's name already say its unit (_ns, _per_sec, _vs_)? */
static bool name_says_unit(const char *metric, const char *unit)
{
	size_t m = strlen(metric), u = strlen(unit);

	if (m > u + 1 && metric[m - u - 1] == '_' &&
	    !strcmp(metric + m - u, unit))
		return true;
	return (!strcmp(unit, "ops/s") && strstr(metric, "_per_sec")) ||
	       (!strcmp(unit, "ratio") && strstr(metric, "_vs_"));
}

/* "fork: fork_latency_p50_ns (lower better): backing guards" */
static void block_title(char *buf, size_t len, const struct gb_diff *d,
			const char *keys)
{
	const char *dir = d->dir == GB_DIR_LOWER ? "lower better" :
			  d->dir == GB_DIR_HIGHER ? "higher better" : "-";

	if (name_says_unit(d->sum->metric, d->sum->unit))
		snprintf(buf, len, "%s: %s (%s): %s", d->sum->scenario,
			 d->sum->metric, dir, keys);
	else
		snprintf(buf, len, "%s: %s (%s, %s): %s", d->sum->scenario,
			 d->sum->metric, d->sum->unit, dir, keys);
}

/* Primary rows: a block per scenario x metric, a line per cell. */
static void text_primary(FILE *f, const struct gb_compare *c)
{
	fprintf(f, "\n  cell                          base         new  change"
		"   det verdict\n");
	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];
		char title[512];

		if (!d->primary || d->counts || printed_block(c, i, d))
			continue;
		char vals[192], keys[192];

		split_cell(d->sum->cell, vals, sizeof(vals), keys,
			   sizeof(keys));
		block_title(title, sizeof(title), d, keys);
		gb_put_wrapped(f, "", "    ", title);
		for (size_t j = i; j < c->nr_diffs; j++) {
			const struct gb_diff *e = &c->diffs[j];

			if (e->primary && !e->counts &&
			    !strcmp(e->sum->scenario, d->sum->scenario) &&
			    !strcmp(e->sum->metric, d->sum->metric))
				text_primary_row(f, e);
		}
	}
}

/*
 * --all: a metric name wider than its column (pmu.<EVENT>_per_op)
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
	char b[48], n[48], ch[16], ci[48] = "-", p[16], mde[16];

	fmt_side(b, sizeof(b), d->base_centre, d->base_spread);
	fmt_side(n, sizeof(n), d->new_centre, d->new_spread);
	gb_fmt_change(ch, sizeof(ch), d->ratio);
	put_metric(f, d->sum->metric, W_METRIC);
	fputc(' ', f);
	gb_put_right(f, b, W_VALUE + 1);
	fputc(' ', f);
	gb_put_right(f, n, W_VALUE + 1);
	fputc(' ', f);
	gb_put_right(f, ch, W_CHANGE);
	fprintf(f, "%c %s\n", d->significant ? '*' : ' ',
		gb_outcome_name(d->outcome));
	if (d->counts)
		return;
	if (!isnan(d->lo))
		gb_fmt_ci(ci, sizeof(ci), d->lo, d->hi);
	gb_fmt_p(p, sizeof(p), d->primary ? d->p_adj : d->p);
	fmt_mde(mde, sizeof(mde), d->mde);
	fprintf(f, "    95%% CI %s  p%s %s%s%s%s\n", ci,
		d->primary ? "(Holm)" : "(raw)", p,
		d->primary ? "  det " : "", d->primary ? mde : "",
		d->why ? "  (no verdict)" : "");
}

static bool same_cell(const struct gb_diff *a, const struct gb_diff *b)
{
	return gb_row_is(a->sum, b->sum->scenario, b->sum->cell, NULL);
}

static void text_cell(FILE *f, const struct gb_diff *d, size_t n)
{
	char title[256], reps[48];

	snprintf(title, sizeof(title), "%s %s", d[0].sum->scenario,
		 d[0].sum->cell);
	snprintf(reps, sizeof(reps), "%zu vs %zu replicates",
		 d[0].base_nrep, d[0].new_nrep);
	fprintf(f, "\n%s", title);
	if (gb_columns(title) + 1 + gb_columns(reps) > GB_TEXT_WIDTH)
		fputc('\n', f);
	else
		gb_put_left(f, "", GB_TEXT_WIDTH - gb_columns(title) -
			    gb_columns(reps));
	fprintf(f, "%s\n", reps);
	gb_put_left(f, "metric", W_METRIC);
	fputc(' ', f);
	gb_put_right(f, "base", W_VALUE + 1);
	fputc(' ', f);
	gb_put_right(f, "new", W_VALUE + 1);
	fputc(' ', f);
	gb_put_right(f, "change", W_CHANGE);
	fprintf(f, "  verdict\n");
	for (size_t i = 0; i < n; i++)
		text_row(f, &d[i]);
}

void gb_compare_print_text(FILE *f, const struct gb_compare *c)
{
	size_t i = 0;

	text_header(f, c);
	if (!c->opts.all) {
		text_primary(f, c);
		return;
	}
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
	char lb[256], ln[256], db[128], dn[128], buf[1024];

	gb_run_label(c->base, lb, sizeof(lb));
	gb_run_label(c->new, ln, sizeof(ln));
	fmt_design(db, sizeof(db), &c->base_group);
	fmt_design(dn, sizeof(dn), &c->new_group);
	fprintf(f, "**guard-bench compare**: new `%s` (%s; %s) against base "
		"`%s` (%s; %s); threshold %.3g%%.\n\n", ln, c->new_group.name,
		dn, lb, c->base_group.name, db, c->opts.delta * 100);
	fmt_verdicts(buf, sizeof(buf), c);
	fprintf(f, "Verdicts on %s.\n\n", buf);
	for (size_t i = 0; i < c->nr_warnings; i++)
		fprintf(f, "- **warning**: %s\n", c->warnings[i]);
	fprintf(f, "%s| cell | metric | base ± | new ± | change | 95%% CI | "
		"p (Holm) | det | verdict |\n|---|---|--:|--:|--:|---|--:|"
		"--:|---|\n", c->nr_warnings ? "\n" : "");
	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];
		char b[48], nv[48], ch[16], ci[48] = "-", p[16], mde[16];
		bool strong = d->outcome == GB_OUT_BETTER ||
			      d->outcome == GB_OUT_WORSE;

		if (!shown(c, d))
			continue;
		fmt_side(b, sizeof(b), d->base_centre, d->base_spread);
		fmt_side(nv, sizeof(nv), d->new_centre, d->new_spread);
		gb_fmt_change(ch, sizeof(ch), d->ratio);
		if (!isnan(d->lo))
			gb_fmt_ci(ci, sizeof(ci), d->lo, d->hi);
		gb_fmt_p(p, sizeof(p), d->primary ? d->p_adj : NAN);
		fmt_mde(mde, sizeof(mde), d->primary ? d->mde : NAN);
		fprintf(f, "| %s %s | %s (%s) | %s | %s | %s%s | %s | %s | %s "
			"| %s%s%s |\n", d->sum->scenario, d->sum->cell,
			d->sum->metric, d->sum->unit, b, nv, ch,
			d->significant ? " \\*" : "", ci, p, mde,
			strong ? "**" : "", gb_outcome_name(d->outcome),
			strong ? "**" : "");
	}
	fprintf(f, "\n");
	how_to_read(f, c);
}

static const char *const tsv_header[] = {
	"scenario", "cell", "metric", "unit", "direction", "primary",
	"base_replicates", "base_n", "base_centre", "base_spread",
	"new_replicates", "new_n", "new_centre", "new_spread", "ratio",
	"ci_lo", "ci_hi", "df", "p", "p_holm", "mde", "noise_floor",
	"significant", "verdict", "base_label", "new_label", NULL
};

void gb_compare_print_tsv(FILE *f, const struct gb_compare *c)
{
	char lb[256], ln[256];

	/* the runs' names, INCOMPLETE included, on every row */
	gb_run_label(c->base, lb, sizeof(lb));
	gb_run_label(c->new, ln, sizeof(ln));
	for (const char *const *h = tsv_header; *h; h++)
		fprintf(f, "%s%c", *h, h[1] ? '\t' : '\n');
	for (size_t i = 0; i < c->nr_diffs; i++) {
		const struct gb_diff *d = &c->diffs[i];
		const struct gb_summary_row *s = d->sum;

		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%zu\t%zu\t%.7g\t%.4g\t%zu\t"
			"%zu\t%.7g\t%.4g\t%.6g\t%.6g\t%.6g\t%.4g\t%.4g\t%.4g\t"
			"%.4g\t%s\t%s\t%s\t%s\t%s\n", s->scenario, s->cell, s->metric,
			s->unit, d->dir == GB_DIR_LOWER ? "lower" :
			d->dir == GB_DIR_HIGHER ? "higher" : "none",
			d->primary ? "yes" : "no", d->base_nrep, d->base_n,
			d->base_centre, d->base_spread, d->new_nrep, d->new_n,
			d->new_centre, d->new_spread, d->ratio, d->lo, d->hi,
			d->df, d->p, d->p_adj, d->mde,
			d->used_floor ? "yes" : "no",
			d->significant ? "yes" : "no",
			gb_outcome_name(d->outcome), lb, ln);
	}
}
