// SPDX-License-Identifier: GPL-2.0
/*
 * One cell x metric, new against base: each side's values pooled by
 * replicate (normalised on request), the interval and p, then Holm
 * over the primary rows and each row's verdict.  compare and trend
 * both judge rows here, so a verdict means the same in both.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge/compare_stats.h"
#include "judge/report.h"
#include "measure/scenario.h"
#include "base/util.h"

/* ---- pooled values ------------------------------------------------- */

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

/*
 * The ratio's interval and p over replicates; where there is none, the
 * ratio of the centres alone.
 */
static void interval(struct gb_diff *d, const struct gb_sample *b,
		     const struct gb_sample *n, const struct gb_floor *floor)
{
	struct gb_re_result re;

	d->ratio = d->lo = d->hi = d->p = d->p_adj = NAN;
	d->df = d->se = d->mde = NAN;
	if (!gb_re_compare(b, n, floor, 0.95, 1, &re)) {
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
}

void gb_diff_measure(struct gb_diff *d, const struct gb_group *base,
		     const struct gb_group *new,
		     const struct gb_summary_row *key,
		     const struct gb_floors *floors, bool norm)
{
	struct gb_sample b, n;
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
	interval(d, &b, &n, gb_floors_find(floors, key));
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
