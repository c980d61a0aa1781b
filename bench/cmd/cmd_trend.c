// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench trend RUN...: every primary row across kernels in
 * version order (6.19-rc1 < 6.19-rc2 < 6.19 < 6.19.1, see kversion.h).
 * Runs of one kernel pool into one point; each point's centre has a
 * 95% CI over replicates, and the step from the kernel before is
 * judged like a compare row, with Holm within each step.  A step is
 * marked where it is significant and beyond the threshold: what
 * someone testing every rc looks for.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "judge/compare_stats.h"
#include "judge/kversion.h"
#include "judge/primary_ends.h"
#include "judge/replicate_stats.h"
#include "judge/report.h"
#include "measure/scenario.h"
#include "base/util.h"

#define W_KERNEL	20	/* " 2E 6.18.44-fc-v595" */
#define W_VALUE		11
#define W_CHANGE	7

/* One kernel's value of one cell x metric. */
struct trend_point {
	bool has;			/* some run of the group has it */
	double centre, spread;		/* as compare's sides */
	size_t nrep;
	double lo, hi;			/* 95% CI of the centre; NAN: none */
	long step;			/* into steps[], -1: none */
};

struct trend {
	struct gb_report_opts opts;
	struct gb_run *runs;
	size_t nr_runs;
	struct gb_group *groups;		/* one per kernel: a point */
	size_t nr_groups;
	const struct gb_summary_row **keys;	/* cell x metric */
	bool *key_primary;			/* judged (primary_ends.h) */
	size_t nr_keys;
	struct trend_point *points;		/* keys x groups */
	struct gb_diff *steps;
	size_t *step_group;			/* the group a step leads to */
	size_t nr_steps, nr_tested;
};

static struct trend_point *point(const struct trend *t, size_t key,
				 size_t g)
{
	return &t->points[key * t->nr_groups + g];
}

/* Version order; the same release by start time, then by path. */
static int cmp_runs(const void *a, const void *b)
{
	const struct gb_run *x = a, *y = b;
	int c = gb_kversion_cmp(gb_run_meta(x, "kernel_release"),
				gb_run_meta(y, "kernel_release"));

	if (!c)
		c = strcmp(gb_run_meta(x, "label"), gb_run_meta(y, "label"));
	if (!c)
		c = strcmp(gb_run_meta(x, "emulation"),
			   gb_run_meta(y, "emulation"));
	if (!c)
		c = strcmp(gb_run_meta(x, "started"),
			   gb_run_meta(y, "started"));
	return c ? c : strcmp(x->dir, y->dir);
}

/* Runs that agree on every pool key are one kernel: one point. */
static bool same_point(const struct gb_run *a, const struct gb_run *b)
{
	for (const char *const *k = gb_pool_keys; *k; k++)
		if (strcmp(gb_run_meta(a, *k), gb_run_meta(b, *k)))
			return false;
	return true;
}

static void make_groups(struct trend *t)
{
	char err[2048];

	t->groups = gb_zalloc(t->nr_runs * sizeof(*t->groups));
	for (size_t r = 0; r < t->nr_runs;) {
		struct gb_group *g = &t->groups[t->nr_groups++];
		size_t e = r + 1;

		while (e < t->nr_runs && same_point(&t->runs[r], &t->runs[e]))
			e++;
		g->runs = &t->runs[r];
		g->nr = e - r;
		if (gb_group_check(g, true, err, sizeof(err)))
			gb_die(GB_EXIT_ENV, "%s", err);
		r = e;
	}
}

/*
 * Which keys are judged: primary metrics, at the ends of their sweep
 * over every run's cells.  Without --all only those are kept.
 */
static void mark_primary(struct trend *t)
{
	size_t n = 0;

	t->key_primary = gb_zalloc((t->nr_keys ? t->nr_keys : 1) *
				   sizeof(*t->key_primary));
	for (size_t k = 0; k < t->nr_keys; k++)
		t->key_primary[k] = gb_metric_primary(t->keys[k]->scenario,
						      t->keys[k]->metric);
	gb_primary_ends(t->keys, t->nr_keys, t->key_primary);
	if (t->opts.all)
		return;
	for (size_t k = 0; k < t->nr_keys; k++)
		if (t->key_primary[k]) {
			t->keys[n] = t->keys[k];
			t->key_primary[n++] = true;
		}
	t->nr_keys = n;
}

/* Every cell x metric any run has, in the order runs list them. */
static void collect_keys(struct trend *t)
{
	size_t cap = 0, size = 16, *slot;

	for (size_t r = 0; r < t->nr_runs; r++)
		cap += t->runs[r].nr_rows;
	while (size <= 2 * cap)
		size *= 2;
	slot = gb_zalloc(size * sizeof(*slot));
	memset(slot, 0xff, size * sizeof(*slot));
	t->keys = gb_zalloc((cap ? cap : 1) * sizeof(*t->keys));
	for (size_t r = 0; r < t->nr_runs; r++)
		for (size_t i = 0; i < t->runs[r].nr_rows; i++) {
			const struct gb_summary_row *s =
				t->runs[r].rows[i].sum;
			size_t k = gb_row_hash(s->scenario, s->cell,
					       s->metric) & (size - 1);
			bool found = false;

			if (!t->opts.all &&
			    !gb_metric_primary(s->scenario, s->metric))
				continue;
			while (slot[k] != SIZE_MAX && !found) {
				found = gb_row_is(t->keys[slot[k]],
						  s->scenario, s->cell,
						  s->metric);
				if (!found)
					k = (k + 1) & (size - 1);
			}
			if (found)
				continue;
			slot[k] = t->nr_keys;
			t->keys[t->nr_keys++] = s;
		}
	free(slot);
	mark_primary(t);
}

/* A point's centre and interval: the side of a comparison with itself. */
static void measure_point(const struct trend *t, struct trend_point *p,
			  const struct gb_group *g,
			  const struct gb_summary_row *s)
{
	struct gb_diff d;

	p->has = false;
	for (size_t i = 0; i < g->nr && !p->has; i++)
		p->has = gb_run_find(&g->runs[i], s->scenario, s->cell,
				     s->metric) != NULL;
	if (!p->has)
		return;
	gb_diff_measure(&d, g, g, s, NULL, false);
	p->centre = d.base_centre;
	p->spread = d.base_spread;
	p->nrep = d.base_nrep;
	p->lo = p->hi = NAN;
	if (!isnan(d.se) && d.se > 0) {
		/* the same data on both sides: se is sqrt(2) times one's */
		double se = d.se / sqrt(2), q = gb_t_quantile(0.975,
					(double)p->nrep - 1);

		p->lo = p->centre * exp(-q * se);
		p->hi = p->centre * exp(q * se);
	}
	(void)t;
}

/*
 * Each point's centre with its CI, and the step from the previous
 * point that has the same cell x metric.  Holm runs within each step
 * (the primary rows of one kernel against the one before): the family
 * does not grow with the number of kernels, so a ten-kernel trend
 * marks a 5% step as readily as a compare does.
 */
static void measure(struct trend *t)
{
	t->points = gb_zalloc(t->nr_keys * t->nr_groups * sizeof(*t->points));
	t->steps = gb_zalloc(t->nr_keys * t->nr_groups * sizeof(*t->steps));
	t->step_group = gb_zalloc(t->nr_keys * t->nr_groups *
				  sizeof(*t->step_group));
	for (size_t k = 0; k < t->nr_keys; k++) {
		const struct gb_summary_row *s = t->keys[k];
		long prev = -1;

		for (size_t g = 0; g < t->nr_groups; g++) {
			struct trend_point *p = point(t, k, g);

			p->step = -1;
			measure_point(t, p, &t->groups[g], s);
			if (!p->has)
				continue;
			if (prev >= 0) {
				p->step = (long)t->nr_steps;
				t->step_group[t->nr_steps] = g;
				gb_diff_measure(&t->steps[t->nr_steps],
						&t->groups[prev],
						&t->groups[g], s, NULL, false);
				t->steps[t->nr_steps++].primary =
					t->key_primary[k];
			}
			prev = (long)g;
		}
	}
	/* judge step by step: gather each group's steps, judge, put back */
	for (size_t g = 1; g < t->nr_groups; g++) {
		struct gb_diff *batch = gb_zalloc((t->nr_steps + 1) *
						  sizeof(*batch));
		size_t *where = gb_zalloc((t->nr_steps + 1) * sizeof(*where));
		size_t n = 0;

		for (size_t i = 0; i < t->nr_steps; i++)
			if (t->step_group[i] == g) {
				where[n] = i;
				batch[n++] = t->steps[i];
			}
		t->nr_tested += gb_diffs_judge(batch, n, t->opts.delta);
		for (size_t i = 0; i < n; i++)
			t->steps[where[i]] = batch[i];
		free(batch);
		free(where);
	}
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
	size_t single = 0;
	char buf[1024];

	for (size_t r = 0; r < t->nr_runs; r++) {
		const struct gb_run *run = &t->runs[r];

		if (gb_run_complete(run))
			continue;
		snprintf(buf, sizeof(buf), "%s is INCOMPLETE (complete: %s; "
			 "taken with --allow-incomplete): some cells are "
			 "missing or short", run->name,
			 gb_run_meta(run, "complete"));
		say(f, buf);
	}
	/* settings that skew numbers, against the previous kernel */
	for (size_t g = 1; g < t->nr_groups; g++)
		for (const char *const *k = gb_skew_keys; *k; k++) {
			const char *a = gb_run_meta(t->groups[g - 1].runs, *k);
			const char *b = gb_run_meta(t->groups[g].runs, *k);

			if (!strcmp(a, b))
				continue;
			snprintf(buf, sizeof(buf), "%s differs between [%zu] "
				 "'%s' and [%zu] '%s': it skews that step",
				 *k, g, a, g + 1, b);
			say(f, buf);
		}
	for (size_t i = 0; i < t->nr_steps; i++)
		single += t->steps[i].primary && !t->steps[i].counts &&
			  isnan(t->steps[i].p) && !isnan(t->steps[i].ratio);
	if (single) {
		snprintf(buf, sizeof(buf), "%zu primary steps have a kernel "
			 "with one replicate: no verdict (the between-"
			 "replicate variance is unknown); run -R 5 or more, "
			 "or several runs per kernel (they pool)", single);
		say(f, buf);
	}
}

static bool marked(const struct gb_diff *d)
{
	return d->outcome == GB_OUT_BETTER || d->outcome == GB_OUT_WORSE ||
	       d->outcome == GB_OUT_CHANGED || d->outcome == GB_OUT_DIFFERS;
}

static void text_header(const struct trend *t, FILE *f)
{
	size_t n[GB_OUT_DESCRIPTIVE + 1] = { 0 }, primary = 0;
	char buf[2048];

	for (size_t i = 0; i < t->nr_steps; i++)
		if (t->steps[i].primary && !t->steps[i].counts) {
			n[t->steps[i].outcome]++;
			primary++;
		}
	fprintf(f, "guard-bench trend: %zu kernel%s (%zu runs) in version "
		"order, threshold %.3g%%\n", t->nr_groups,
		t->nr_groups == 1 ? "" : "s", t->nr_runs,
		t->opts.delta * 100);
	for (size_t g = 0; g < t->nr_groups; g++) {
		const struct gb_group *gr = &t->groups[g];
		char label[512], first[32];

		gb_run_label(gr->runs, label, sizeof(label));
		snprintf(buf, sizeof(buf), "%s  %zu replicate%s: %s", label,
			 gb_group_replicates(gr),
			 gb_group_replicates(gr) == 1 ? "" : "s", gr->name);
		snprintf(first, sizeof(first), "%3zu%c ", g + 1,
			 gb_run_emulated(gr->runs) ? 'E' : ' ');
		gb_put_wrapped(f, first, "      ", buf);
	}
	snprintf(buf, sizeof(buf), "%zu better, %zu worse, %zu equivalent, "
		 "%zu inconclusive, %zu other of %zu primary steps (%zu with "
		 "a test; Holm within each step).", n[GB_OUT_BETTER],
		 n[GB_OUT_WORSE], n[GB_OUT_EQUIVALENT], n[GB_OUT_INCONCLUSIVE],
		 primary - n[GB_OUT_BETTER] - n[GB_OUT_WORSE] -
		 n[GB_OUT_EQUIVALENT] - n[GB_OUT_INCONCLUSIVE], primary,
		 t->nr_tested);
	fputc('\n', f);
	gb_put_wrapped(f, "Steps: ", "  ", buf);
	fprintf(f, "\nWarnings:\n");
	warnings(t, f);
	snprintf(buf, sizeof(buf), "Each block: one cell x metric; per "
		 "kernel (E: emulated) the geometric mean over replicates of "
		 "their trials' median ± the spread between replicates, then "
		 "the step from the kernel above: new/old - 1, * where the "
		 "Holm-adjusted Welch p (replicates are the unit) < %.2g and "
		 "the 95%% CI (shown last) excludes 1, and the verdict "
		 "against ±%.3g%%.%s", GB_ALPHA, t->opts.delta * 100,
		 t->opts.all ? " Descriptive rows (--all) get no verdict." :
		 " Primary rows only; --all adds the others.");
	fputc('\n', f);
	gb_put_wrapped(f, "", "", buf);
}

static void text_point(const struct trend *t, FILE *f, size_t g,
		       const struct trend_point *p)
{
	const struct gb_run *run = t->groups[g].runs;
	const struct gb_diff *d = p->step >= 0 ? &t->steps[p->step] : NULL;
	char label[64], val[48], ch[16] = "", ci[48] = "";

	snprintf(label, sizeof(label), "%3zu%c %.15s%s", g + 1,
		 gb_run_emulated(run) ? 'E' : ' ',
		 gb_run_meta(run, "kernel_release"),
		 strlen(gb_run_meta(run, "kernel_release")) > 15 ? "~" : "");
	gb_fmt_value_cv(val, sizeof(val), p->centre, p->spread);
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

		for (size_t g = 0; g < t->nr_groups; g++) {
			const struct trend_point *p = point(t, k, g);

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
		for (size_t g = 0; g < t->nr_groups; g++)
			if (point(t, k, g)->has)
				text_point(t, f, g, point(t, k, g));
	}
	if (hidden)
		fprintf(f, "\n%zu cell x metric rows without a marked step "
			"not shown (--changed).\n", hidden);
}

static const char *const tsv_header[] = {
	"scenario", "cell", "metric", "unit", "direction", "primary", "order",
	"kernel_release", "guard_path", "emulation", "run", "dir", "label",
	"replicates", "median", "cv", "ci_lo", "ci_hi", "step_ratio",
	"step_lo", "step_hi", "step_p_holm", "step_mde", "step_significant",
	"step_verdict", NULL
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

		for (size_t g = 0; g < t->nr_groups; g++) {
			const struct trend_point *p = point(t, k, g);
			const struct gb_group *gr = &t->groups[g];
			const struct gb_diff *d;
			struct gb_diff none = { .ratio = NAN, .lo = NAN,
						.hi = NAN, .p_adj = NAN,
						.mde = NAN };
			char label[512], e[6][4096];

			if (!p->has)
				continue;
			d = p->step >= 0 ? &t->steps[p->step] : &none;
			gb_run_label(gr->runs, label, sizeof(label));
			fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%zu\t%s\t%s\t%s\t%s\t"
				"%s\t%s\t%zu\t%.7g\t%.4g\t%.7g\t%.7g\t%.6g\t%.6g\t"
				"%.6g\t%.4g\t%.4g\t%s\t%s\n", s->scenario, s->cell,
				s->metric, s->unit,
				dir_name[gb_metric_direction(s->metric)],
				t->key_primary[k] ? "yes" : "no", g + 1,
				tsv_safe(gb_run_meta(gr->runs, "kernel_release"),
					 e[0], sizeof(e[0])),
				tsv_safe(gb_run_meta(gr->runs, "guard_path"), e[1],
					 sizeof(e[1])),
				tsv_safe(gb_run_meta(gr->runs, "emulation"), e[2],
					 sizeof(e[2])),
				tsv_safe(gr->name, e[3], sizeof(e[3])),
				tsv_safe(gr->runs->dir, e[4], sizeof(e[4])),
				tsv_safe(label, e[5], sizeof(e[5])), p->nrep,
				p->centre, p->spread, p->lo, p->hi, d->ratio, d->lo,
				d->hi, d->p_adj, d->mde,
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
		free(t.opts.runs);
		return GB_EXIT_OK;
	}
	if (t.opts.nr_runs < 1)
		gb_die(GB_EXIT_USAGE, "trend takes run directories, got none: "
		       "guard-bench trend results/*/<host>-*/");
	if (t.opts.noise_floor || t.opts.force_pool)
		gb_die(GB_EXIT_USAGE, "trend pools runs of one kernel by "
		       "itself and takes no --noise-floor or --force-pool: "
		       "drop them");
	t.runs = gb_report_load(&t.opts, t.opts.runs, t.opts.nr_runs);
	t.nr_runs = (size_t)t.opts.nr_runs;
	qsort(t.runs, t.nr_runs, sizeof(*t.runs), cmp_runs);
	make_groups(&t);
	collect_keys(&t);
	measure(&t);
	if (t.nr_groups > 1 && !t.nr_steps)
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "the %zu kernels share no "
		       "%srow: no step to show; run the same scenarios (-s) "
		       "and parameters on every kernel", t.nr_groups,
		       t.opts.all ? "" : "primary ");

	if (t.opts.format == GB_FMT_TSV)
		print_tsv(&t, stdout);
	else
		print_text(&t, stdout);

	for (size_t r = 0; r < t.nr_runs; r++)
		gb_run_free(&t.runs[r]);
	free(t.runs);
	free(t.groups);
	free(t.keys);
	free(t.key_primary);
	free(t.points);
	free(t.steps);
	free(t.step_group);
	free(t.opts.runs);
	return fflush(stdout) ? GB_EXIT_FAILURE : GB_EXIT_OK;
}
