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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"
#include "optparse.h"
#include "report.h"
#include "scenario.h"
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
		[GB_OUT_DESCRIPTIVE] = "-",
	};

	return (size_t)o < ARRAY_SIZE(names) ? names[o] : "?";
}

/* ---- pooled runs ---------------------------------------------------- */

/*
 * What must be the same for runs to be replicates of one thing: the
 * kernel, the machine, the tool, and what was measured.
 */
const char *const gb_pool_keys[] = {
	"kernel_release", "kernel_version", "arch", "cpu_model", "nr_cpus",
	"tool_version", "guard_path", "emulation", "placement", "timer",
	"label", NULL
};

int gb_group_check(struct gb_group *g, bool force, char *err,
		   size_t errlen)
{
	g->override[0] = '\0';
	snprintf(g->name, sizeof(g->name), "%s", g->runs[0].name);
	if (g->nr > 1)
		snprintf(g->name + strlen(g->name),
			 sizeof(g->name) - strlen(g->name), " (+%zu more)",
			 g->nr - 1);
	for (size_t i = 1; i < g->nr; i++)
		for (const char *const *k = gb_pool_keys; *k; k++) {
			const char *a = gb_run_meta(&g->runs[0], *k);
			const char *b = gb_run_meta(&g->runs[i], *k);

			if (!strcmp(a, b))
				continue;
			if (force) {
				if (!g->override[0])
					snprintf(g->override,
						 sizeof(g->override), "%s "
						 "('%s' and '%s')", *k, a, b);
				continue;
			}
			snprintf(err, errlen, "cannot pool %s with %s: %s "
				 "differs ('%s' and '%s'); pool only runs of "
				 "one kernel on one machine, or add "
				 "--force-pool (recorded in the report)",
				 g->runs[i].dir, g->runs[0].dir, *k, b, a);
			return -1;
		}
	return 0;
}

size_t gb_group_replicates(const struct gb_group *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nr; i++)
		n += g->runs[i].nr_replicates;
	return n;
}

/*
 * --normalise syscall: a latency divided by the speed reference of the
 * same cell, replicate and trial (ref_syscall_ns), so that a host
 * running all of a replicate slower or faster moves both alike.  The
 * k-th value of a replicate in one row is the k-th trial, as in the
 * reference row.  Returns false where the run has no reference for
 * this value (the row is then compared unnormalised).
 */
static bool normalise(const struct gb_run_row *r, const struct gb_run_row *ref,
		      size_t j, double *v)
{
	size_t k = 0, first = 0, nth = 0;

	while (first < j && r->rep[first] != r->rep[j])
		first++;
	nth = j - first;
	for (size_t i = 0; i < ref->n; i++) {
		if (ref->rep[i] != r->rep[j])
			continue;
		if (k++ == nth) {
			if (!(ref->v[i] > 0))
				return false;
			*v = r->v[j] / ref->v[i];
			return true;
		}
	}
	return false;
}

static bool normalised_metric(const char *metric)
{
	return !fnmatch("*_latency_*_ns", metric, 0) &&
	       fnmatch("*_above_syscall_ns", metric, 0);
}

/*
 * One row's values over a group, replicates renumbered run after run.
 * Returns the number of values (0: no run has the row); *@v and *@rep
 * are malloc'd.
 */
static size_t group_values(const struct gb_group *g,
			   const struct gb_summary_row *key, bool *norm,
			   double **v, unsigned int **rep,
			   const struct gb_summary_row **sum)
{
	bool want = norm && *norm, used = true;

	size_t n = 0, k = 0;
	unsigned int offset = 0;

	*sum = NULL;
	for (size_t i = 0; i < g->nr; i++) {
		const struct gb_run_row *r = gb_run_find(&g->runs[i],
			key->scenario, key->cell, key->metric);

		n += r ? r->n : 0;
	}
	*v = gb_zalloc((n ? n : 1) * sizeof(**v));
	*rep = gb_zalloc((n ? n : 1) * sizeof(**rep));
	for (size_t i = 0; i < g->nr; i++) {
		const struct gb_run_row *r = gb_run_find(&g->runs[i],
			key->scenario, key->cell, key->metric);
		const struct gb_run_row *ref = want ?
			gb_run_find(&g->runs[i], key->scenario, key->cell,
				    "ref_syscall_ns") : NULL;

		for (size_t j = 0; r && j < r->n; j++, k++) {
			(*v)[k] = r->v[j];
			(*rep)[k] = offset + r->rep[j];
			if (want && (!ref || !normalise(r, ref, j, &(*v)[k])))
				used = false;
		}
		if (r && !*sum)
			*sum = r->sum;
		offset += g->runs[i].nr_replicates;
	}
	/* all or nothing: a side half normalised compares nothing */
	if (want && !used) {
		for (size_t i = 0, j = 0; i < g->nr; i++) {
			const struct gb_run_row *r = gb_run_find(&g->runs[i],
				key->scenario, key->cell, key->metric);

			for (size_t m = 0; r && m < r->n; m++)
				(*v)[j++] = r->v[m];
		}
		*norm = false;
	}
	return n;
}

/* ---- noise floors ---------------------------------------------------- */

static const char *const floor_header[] = {
	"scenario", "cell", "metric", "log_sd", "df", "cpu_model", NULL
};

int gb_floors_load(struct gb_floors *fl, const char *path, char *err,
		   size_t errlen)
{
	struct gb_tsv *t;
	size_t cap = 0;
	int r, ret = -1;

	memset(fl, 0, sizeof(*fl));
	if (!path)
		return 0;
	snprintf(fl->path, sizeof(fl->path), "%s", path);
	t = gb_zalloc(sizeof(*t));
	if (gb_tsv_open(t, path, floor_header, err, errlen))
		goto out;
	while ((r = gb_tsv_next(t, err, errlen)) == 1) {
		struct gb_floor_row *f;

		if (fl->n == cap) {
			cap = cap ? 2 * cap : 64;
			fl->rows = realloc(fl->rows, cap * sizeof(*fl->rows));
			if (!fl->rows)
				gb_die(GB_EXIT_FAILURE, "out of memory");
		}
		f = &fl->rows[fl->n];
		memset(f, 0, sizeof(*f));
		if (gb_tsv_number(t, 3, &f->f.log_sd, err, errlen) ||
		    gb_tsv_number(t, 4, &f->f.df, err, errlen))
			goto out;
		if (!(f->f.log_sd >= 0) || !(f->f.df >= 1)) {
			snprintf(err, errlen, "%s:%lu: log_sd must be >= 0 and "
				 "df >= 1", path, t->line);
			goto out;
		}
		snprintf(f->scenario, sizeof(f->scenario), "%s", t->col[0]);
		snprintf(f->cell, sizeof(f->cell), "%s", t->col[1]);
		snprintf(f->metric, sizeof(f->metric), "%s", t->col[2]);
		snprintf(fl->cpu_model, sizeof(fl->cpu_model), "%s",
			 t->col[5]);
		fl->n++;
	}
	if (r == 0)
		ret = 0;
out:
	gb_tsv_close(t);
	free(t);
	if (ret)
		gb_floors_free(fl);
	return ret;
}

const struct gb_floor *gb_floors_find(const struct gb_floors *fl,
				      const struct gb_summary_row *key)
{
	for (size_t i = 0; fl && i < fl->n; i++)
		if (!strcmp(fl->rows[i].metric, key->metric) &&
		    !strcmp(fl->rows[i].cell, key->cell) &&
		    !strcmp(fl->rows[i].scenario, key->scenario))
			return &fl->rows[i].f;
	return NULL;
}

void gb_floors_free(struct gb_floors *fl)
{
	free(fl->rows);
	fl->rows = NULL;
	fl->n = 0;
}

/* ---- one row ---------------------------------------------------------- */

/* Between-replicate spread, or the trials' cv where one replicate. */
static double spread(const struct gb_sample *s)
{
	return s->nrep > 1 ? s->log_sd : s->within_cv;
}

/*
 * Normalised centres are in units of the reference; shown in ns at the
 * base side's reference speed (its centre of ref_syscall_ns in this
 * cell), so that they read as latencies.  Ratios are unchanged.
 */
static void rescale(struct gb_diff *d, const struct gb_group *base,
		    const struct gb_summary_row *key)
{
	struct gb_summary_row ref = *key;
	const struct gb_summary_row *sum;
	struct gb_sample s;
	unsigned int *rep;
	double *v;
	size_t n;

	snprintf(ref.metric, sizeof(ref.metric), "ref_syscall_ns");
	n = group_values(base, &ref, NULL, &v, &rep, &sum);
	gb_sample_build(&s, v, rep, n);
	if (n && s.positive) {
		d->base_centre *= s.centre;
		d->new_centre *= s.centre;
	}
	gb_sample_free(&s);
	free(v);
	free(rep);
}

void gb_diff_measure(struct gb_diff *d, const struct gb_group *base,
		     const struct gb_group *new,
		     const struct gb_summary_row *key,
		     const struct gb_floors *floors, bool norm)
{
	struct gb_sample b, n;
	struct gb_re_result re;
	const struct gb_summary_row *bs, *ns;
	double *bv, *nv;
	unsigned int *br, *nr;
	size_t nb, nn;

	memset(d, 0, sizeof(*d));
	norm = norm && normalised_metric(key->metric);
	nb = group_values(base, key, &norm, &bv, &br, &bs);
	if (norm)
		nn = group_values(new, key, &norm, &nv, &nr, &ns);
	else
		nn = group_values(new, key, NULL, &nv, &nr, &ns);
	if (!norm) {	/* new lacked the reference: base raw as well */
		free(bv);
		free(br);
		nb = group_values(base, key, NULL, &bv, &br, &bs);
	}
	d->normalised = norm;
	d->sum = bs ? bs : key;
	d->dir = gb_metric_direction(key->metric);
	d->primary = gb_metric_primary(key->scenario, key->metric);
	gb_sample_build(&b, bv, br, nb);
	gb_sample_build(&n, nv, nr, nn);
	/* one value a replicate and no direction: the lock counts */
	d->counts = d->dir == GB_DIR_NONE && nb == b.nrep && nn == n.nrep;
	d->base_nrep = b.nrep;
	d->new_nrep = n.nrep;
	d->base_n = nb;
	d->new_n = nn;
	d->base_centre = nb ? (b.positive ? b.centre : gb_median(bv, nb)) :
			      NAN;
	d->new_centre = nn ? (n.positive ? n.centre : gb_median(nv, nn)) :
			     NAN;
	d->base_spread = spread(&b);
	d->new_spread = spread(&n);
	d->ratio = d->lo = d->hi = d->p = d->p_adj = NAN;
	d->df = d->se = d->mde = NAN;
	if (!gb_re_compare(&b, &n, gb_floors_find(floors, key), 0.95, 1,
			   &re)) {
		d->ratio = re.ratio;
		d->lo = re.lo;
		d->hi = re.hi;
		d->p = re.p;
		d->df = re.df;
		d->se = re.se;
		d->used_floor = re.used_floor;
	} else if (d->base_centre > 0) {
		d->ratio = d->new_centre / d->base_centre;
	}
	if (norm)
		rescale(d, base, key);
	gb_sample_free(&b);
	gb_sample_free(&n);
	free(bv);
	free(br);
	free(nv);
	free(nr);
}

static enum gb_outcome judge_counts(const struct gb_diff *d, double delta)
{
	double b = d->base_centre, n = d->new_centre;
	double tol = fmax(delta * fmax(fabs(b), fabs(n)), GB_COUNT_ABS_TOL);

	return fabs(n - b) <= tol ? GB_OUT_EQUAL : GB_OUT_DIFFERS;
}

static enum gb_outcome judge(struct gb_diff *d, double delta)
{
	enum gb_verdict v;

	if (d->counts)
		return judge_counts(d, delta);
	if (!d->primary)
		return GB_OUT_DESCRIPTIVE;
	/* zero on both sides (no page faults per pair): nothing changed */
	if (d->base_centre == 0 && d->new_centre == 0)
		return judge_counts(d, delta);
	if (isnan(d->ratio)) {
		d->why = "a value <= 0: no ratio";
		return GB_OUT_NA;
	}
	if (isnan(d->p)) {
		d->why = "one replicate on a side and no noise floor: the "
			 "between-replicate variance is unknown";
		return GB_OUT_INCONCLUSIVE;
	}
	v = gb_verdict(d->ratio, d->lo, d->hi, d->p_adj, GB_ALPHA, delta,
		       d->dir == GB_DIR_HIGHER);
	/* a CI inside +-delta says nothing if the row could not see delta */
	if (v == GB_EQUIVALENT && !(d->mde <= delta)) {
		d->why = "the detectable change exceeds the threshold";
		v = GB_INCONCLUSIVE;
	}
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
 * Holm's family is the primary rows with a test: the rows a reader
 * acts on.  Descriptive rows get their interval and no verdict, so
 * hundreds of them cannot raise false alarms nor dilute the family.
 */
size_t gb_diffs_judge(struct gb_diff *d, size_t n, double delta)
{
	double *p = gb_zalloc((n ? n : 1) * sizeof(*p));
	size_t *idx = gb_zalloc((n ? n : 1) * sizeof(*idx)), m = 0;

	for (size_t i = 0; i < n; i++)
		if (d[i].primary && !d[i].counts && !isnan(d[i].p)) {
			idx[m] = i;
			p[m++] = d[i].p;
		}
	if (gb_holm(p, m, p) == 0)
		for (size_t k = 0; k < m; k++)
			d[idx[k]].p_adj = p[k];
	for (size_t i = 0; i < n; i++) {
		double a = GB_ALPHA / (double)(m ? m : 1);

		if (!isnan(d[i].se))
			d[i].mde = d[i].se == 0 ? 0 :
				exp((gb_t_quantile(1 - a / 2, d[i].df) +
				     gb_t_quantile(0.8, d[i].df)) * d[i].se) - 1;
		d[i].significant = d[i].primary && d[i].p_adj < GB_ALPHA &&
				   (d[i].lo > 1 || d[i].hi < 1);
		d[i].outcome = judge(&d[i], delta);
	}
	free(idx);
	free(p);
	return m;
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
	/*
	 * An incomplete run (taken with --allow-incomplete) says so in its
	 * name, so every table, TSV column and plot legend that names it
	 * carries the mark.
	 */
	if (!gb_run_complete(r) && strlen(buf) + 13 < len)
		strcat(buf, " INCOMPLETE");
}

/* ---- options: tables for the option engine (optparse.c) ------------ */

static int set_threshold(void *obj, const char *val, char *err,
			 size_t errlen)
{
	struct gb_report_opts *o = obj;
	char *num = gb_strdup(val);
	size_t n = strlen(num);
	double pct;
	int r;

	if (n && num[n - 1] == '%')
		num[n - 1] = '\0';
	r = gb_parse_double(num, 0.01, 50, &pct);
	free(num);
	if (r) {
		snprintf(err, errlen, "--threshold: '%s' is %s: give a "
			 "percentage from 0.01 to 50, e.g. 2 or 2%%", val,
			 r == -EINVAL ? "not a number" : "out of range");
		return -1;
	}
	o->delta = pct / 100;
	return 0;
}

static const struct gb_word compare_formats[] = {
	{ "text", GB_FMT_TEXT }, { "markdown", GB_FMT_MARKDOWN },
	{ "tsv", GB_FMT_TSV }, { NULL, 0 }
};
static const struct gb_word trend_formats[] = {
	{ "text", GB_FMT_TEXT }, { "tsv", GB_FMT_TSV }, { NULL, 0 }
};
/* chosen by A/A and injected-delay runs: METHODOLOGY.md */
static const struct gb_word normalisations[] = {
	{ "syscall", 1 }, { "none", 0 }, { NULL, 0 }
};

#define OPTS(field) offsetof(struct gb_report_opts, field)
#define FORMAT(table, what)						\
	{ "format", 0, "FMT", GB_OPT_CHOICE, OPTS(format), "text",	\
	  "text: " what, .words = (table), .stride = sizeof((table)[0]), \
	  .bad_word = "--format: unknown format '%s': use %s" }
/* the options compare and trend share, each written once */
#define SHARED_OPTS							\
	{ "threshold", 0, "PCT", GB_OPT_CUSTOM, 0, "2",			\
	  "delta: a change must exceed PCT% to count, and a CI inside "	\
	  "+-PCT% is equivalent", .set = set_threshold },		\
	{ "all", 0, NULL, GB_OPT_FLAG, OPTS(all), NULL,			\
	  "every row: the descriptive ones (tails, rates, counts, PMU) " \
	  "too, not only the primary rows that get a verdict" },	\
	{ "noise-floor", 0, "FILE", GB_OPT_STRING, OPTS(noise_floor), NULL, \
	  "a noise floor measured on this machine by make validate: lets " \
	  "a side with one replicate be judged" },			\
	{ "allow-incomplete", 0, NULL, GB_OPT_FLAG,			\
	  OPTS(allow_incomplete), NULL,					\
	  "take runs with complete: no (marked in every table)" },	\
	{ "force-pool", 0, NULL, GB_OPT_FLAG, OPTS(force_pool), NULL,	\
	  "pool runs that differ in a key that should match (recorded " \
	  "in the report)" }

static const struct gb_opt compare_table[] = {
	FORMAT(compare_formats, "<= 72 columns, for email"),
	SHARED_OPTS,
	{ "normalise", 0, "REF", GB_OPT_CHOICE, OPTS(normalise), "syscall",
	  "syscall: each latency divided by the same trial's speed "
	  "reference (ref_syscall_ns) before comparing, shown in ns at "
	  "base's speed; none: raw ns", .words = normalisations,
	  .stride = sizeof(normalisations[0]),
	  .bad_word = "--normalise: '%s': use %s" },
	GB_OPT_HELP(struct gb_report_opts),
};

static const struct gb_opt trend_table[] = {
	FORMAT(trend_formats, "<= 72 columns"),
	SHARED_OPTS,
	{ "changed", 0, NULL, GB_OPT_FLAG, OPTS(changed_only), NULL,
	  "text: only the cell x metric rows with a marked step" },
	GB_OPT_HELP(struct gb_report_opts),
};

static const struct gb_optset compare_opts = {
	GB_OPTSET("compare", compare_table), .positional = true,
};
static const struct gb_optset trend_opts = {
	GB_OPTSET("trend", trend_table), .positional = true,
};

void gb_report_usage(FILE *f, unsigned int cmd)
{
	if (cmd == GB_CMD_COMPARE)
		fprintf(f, "usage: guard-bench compare [options] BASE NEW\n\n"
			"The cover-letter table: NEW against BASE, primary row "
			"by primary row,\nwith a 95%% CI over replicates, a "
			"Holm-adjusted p, the change the\ncomparison could "
			"detect and a verdict.  BASE and NEW may each be\n"
			"several runs of one kernel, comma-separated "
			"(A1,A2,A3): pooled as\nreplicates.\n");
	else
		fprintf(f, "usage: guard-bench trend [options] RUN...\n\n"
			"Each primary row across kernels in version order; "
			"runs of one kernel\n(same release, label and "
			"machine) pool into one point as replicates;\nsteps "
			"that are significant (Holm within each step) and "
			"beyond the\nthreshold are marked.\n");
	fprintf(f, "%s: run directories, results/<kernel-release>/<host>-"
		"<UTC time>/\n\n",
		cmd == GB_CMD_COMPARE ? "BASE, NEW" : "RUN");
	gb_opts_usage(cmd == GB_CMD_COMPARE ? &compare_opts : &trend_opts, f);
	fprintf(f, "\nExit status: 0 a report was printed (whatever its "
		"verdicts), %d usage,\n%d a run directory missing, empty, "
		"corrupt or incomplete, or runs that\ncannot be pooled, %d "
		"the runs share no cell (compare: no primary row).\n", GB_EXIT_USAGE,
		GB_EXIT_ENV, GB_EXIT_NOTHING_IN_COMMON);
}

void gb_report_parse(struct gb_report_opts *o, unsigned int cmd,
		     int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->runs = gb_zalloc(((size_t)argc + 1) * sizeof(*o->runs));
	gb_opts_parse_or_die(cmd == GB_CMD_COMPARE ? &compare_opts :
			     &trend_opts, o, argc, argv, o->runs, &o->nr_runs);
}

struct gb_run *gb_report_load(const struct gb_report_opts *o, char **dirs,
			      int n)
{
	struct gb_run *runs = gb_zalloc((size_t)(n ? n : 1) * sizeof(*runs));
	char err[2048];

	for (int i = 0; i < n; i++) {
		if (gb_run_load(&runs[i], dirs[i], err, sizeof(err)))
			gb_die(GB_EXIT_ENV, "%s", err);
		if (!gb_run_complete(&runs[i]) && !o->allow_incomplete)
			gb_die(GB_EXIT_ENV, "%s is incomplete (complete: %s): "
			       "its cells may be missing or short; re-run it, "
			       "or add --allow-incomplete to use it anyway",
			       dirs[i], gb_run_meta(&runs[i], "complete"));
	}
	return runs;
}

char **gb_split_runs(const char *arg, int *n)
{
	char *copy = gb_strdup(arg), *tok, *save;
	char **out = gb_zalloc((strlen(arg) + 2) * sizeof(*out));

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		out[(*n)++] = gb_strdup(tok);
	free(copy);
	return out;
}
