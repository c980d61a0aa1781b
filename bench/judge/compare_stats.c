// SPDX-License-Identifier: GPL-2.0
/*
 * Two-run comparison statistics.  Everything here is deterministic:
 * the same trials and seed give the same report on any machine, so a
 * verdict can be re-derived from the results directory alone.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "judge/compare_stats.h"
#include "base/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void sort_doubles(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

static double *dup_doubles(const double *v, size_t n)
{
	double *c = gb_zalloc(n * sizeof(*c));

	memcpy(c, v, n * sizeof(*c));
	return c;
}

static bool all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* Type 7 on an already sorted array; n >= 1 and q in [0, 1]. */
static double quantile_sorted(const double *s, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)h;

	if (lo >= n - 1)
		return s[n - 1];
	return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

double gb_quantile(const double *v, size_t n, double q)
{
	double *s, r;

	if (n == 0 || !(q >= 0 && q <= 1))
		return NAN;
	s = dup_doubles(v, n);
	sort_doubles(s, n);
	r = quantile_sorted(s, n, q);
	free(s);
	return r;
}

/* Median of a sorted array, n >= 1. */
static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Median of n values drawn with replacement from v, using scratch. */
static double resample_median(struct gb_rng *r, const double *v, size_t n,
			      double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = v[gb_rng_below(r, n)];
	sort_doubles(scratch, n);
	return median_sorted(scratch, n);
}

static double sample_median(const double *v, size_t n)
{
	double *s = dup_doubles(v, n), m;

	sort_doubles(s, n);
	m = median_sorted(s, n);
	free(s);
	return m;
}

/*
 * Fills logs[] with log(new/base) of @draws resampled medians.  Base
 * is drawn before new in each round: changing that order changes
 * every published interval for a given seed.
 */
static int boot_log_ratios(const double *base, size_t nb,
			   const double *new, size_t nn,
			   unsigned int draws, uint64_t seed, double *logs)
{
	double *scratch = gb_zalloc((nb > nn ? nb : nn) * sizeof(*scratch));
	struct gb_rng r;
	int err = 0;

	gb_rng_seed(&r, seed);
	for (unsigned int d = 0; d < draws; d++) {
		double mb = resample_median(&r, base, nb, scratch);
		double mn = resample_median(&r, new, nn, scratch);

		if (mb <= 0 || mn <= 0) {
			err = -EDOM;
			break;
		}
		logs[d] = log(mn / mb);
	}
	free(scratch);
	return err;
}

/*
 * The interval is taken on the log scale so that a halving and a
 * doubling are the same distance from 1, as they are for a reader.
 */
int gb_bootstrap_ratio_ci(const double *base, size_t nb,
			  const double *new, size_t nn,
			  unsigned int draws, uint64_t seed, double level,
			  double *ratio, double *lo, double *hi)
{
	double mb, mn, tail, *logs;
	int err;

	if (!nb || !nn || !draws || !(level > 0 && level < 1) ||
	    !all_finite(base, nb) || !all_finite(new, nn))
		return -EINVAL;
	mb = sample_median(base, nb);
	mn = sample_median(new, nn);
	if (mb <= 0 || mn <= 0)
		return -EDOM;

	logs = gb_zalloc(draws * sizeof(*logs));
	err = boot_log_ratios(base, nb, new, nn, draws, seed, logs);
	if (!err) {
		sort_doubles(logs, draws);
		tail = (1 - level) / 2;
		*ratio = mn / mb;
		*lo = exp(quantile_sorted(logs, draws, tail));
		*hi = exp(quantile_sorted(logs, draws, 1 - tail));
	}
	free(logs);
	return err;
}

struct holm_item {
	double p;
	size_t idx;
};

static int cmp_holm(const void *a, const void *b)
{
	const struct holm_item *x = a, *y = b;

	return cmp_double(&x->p, &y->p);
}

/*
 * The k-th smallest of n p-values is scaled by (n - k); the running
 * maximum keeps a smaller raw p from getting a larger adjusted one.
 */
int gb_holm(const double *p, size_t n, double *adjusted)
{
	struct holm_item *it;
	double run = 0;

	for (size_t i = 0; i < n; i++)
		if (!(p[i] >= 0 && p[i] <= 1))
			return -EINVAL;
	it = gb_zalloc(n * sizeof(*it));
	for (size_t i = 0; i < n; i++)
		it[i] = (struct holm_item){ .p = p[i], .idx = i };
	qsort(it, n, sizeof(*it), cmp_holm);
	for (size_t k = 0; k < n; k++) {
		double adj = fmin(1, (double)(n - k) * it[k].p);

		run = fmax(run, adj);
		adjusted[it[k].idx] = run;
	}
	free(it);
	return 0;
}

/*
 * The point ratio, not the CI bound nearest 1, has to clear delta:
 * with ten trials a side that bound sits well inside the point, and
 * asking it to clear delta would call most real delta-sized changes
 * inconclusive.  The CI must still exclude 1 on the same side, so a
 * "changed" cell is one whose direction is established and whose
 * best estimate is large enough to matter.  NaN fails every
 * comparison below and so lands on inconclusive.
 */
enum gb_verdict gb_verdict(double ratio, double ratio_lo, double ratio_hi,
			   double p_adj, double alpha, double delta,
			   bool higher_is_better)
{
	bool up = ratio_lo > 1 && ratio > 1 + delta;
	bool down = ratio_hi < 1 && ratio < 1 - delta;

	if ((up || down) && p_adj < alpha)
		return up == higher_is_better ? GB_BETTER : GB_WORSE;
	if (ratio_lo >= 1 - delta && ratio_hi <= 1 + delta)
		return GB_EQUIVALENT;
	return GB_INCONCLUSIVE;
}

