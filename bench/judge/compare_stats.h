/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics comparing two runs cell by cell: bootstrap CI, Mann-Whitney,
 * Hodges-Lehmann, Holm, verdicts.
 */
#ifndef GB_COMPARE_STATS_H
#define GB_COMPARE_STATS_H

/*
 * Statistics for comparing two runs cell by cell (METHODOLOGY: ratio of
 * medians with a bootstrap CI, Mann-Whitney U, Hodges-Lehmann shift,
 * Holm across cells, then a verdict against a threshold delta).
 *
 * "base" is the old kernel, "new" the one under test; every ratio and
 * shift is new relative to base.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"

#define GB_BOOT_DRAWS	10000

/*
 * Percentile by linear interpolation between order statistics
 * (Hyndman & Fan type 7: R's and numpy's default).  @v is not
 * modified.  NAN for n == 0 or q outside [0, 1].
 */
double gb_quantile(const double *v, size_t n, double q);

/*
 * Ratio of medians new/base and its percentile bootstrap interval at
 * @level (0.95 for 95%).  Each of @draws rounds resamples base, then
 * new, with replacement; the interval is taken on log(ratio) and
 * exponentiated.  Same inputs and @seed give the same interval.
 *
 * Returns 0, -EINVAL for empty input, draws == 0, level outside
 * (0, 1) or a non-finite value, or -EDOM when the median of either
 * sample, or of any resample, is <= 0: a log ratio does not exist
 * there, so no outputs are written.
 */
int gb_bootstrap_ratio_ci(const double *base, size_t nb,
			  const double *new, size_t nn,
			  unsigned int draws, uint64_t seed, double level,
			  double *ratio, double *lo, double *hi);

/* How gb_mann_whitney() got its p-value. */
enum gb_mw_method {
	GB_MW_NORMAL = 0,	/* ties or large samples */
	GB_MW_EXACT = 1,	/* enumerated null distribution */
};

/*
 * Exact counts are kept in int64: C(60, 30) ~ 1.2e17 leaves headroom,
 * and ten to thirty trials a side is what a comparison runs.
 */
#define GB_MW_EXACT_MAX_N	60

/*
 * Two-sided Mann-Whitney U test.  *@u is the U of @a: pairs with
 * a > b, plus 0.5 per tie.  Exact p-value when there are no ties and
 * na + nb <= GB_MW_EXACT_MAX_N, else the normal approximation with
 * continuity correction and tie-corrected variance.
 * p = min(1, 2 * min(P(U <= u), P(U >= u))).
 *
 * Returns the gb_mw_method used, or -EINVAL for an empty sample or a
 * NaN value.
 */
int gb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    double *u, double *p);
/* The two halves of gb_mann_whitney(), for callers that have U. */
double gb_mw_p_exact(double u, size_t na, size_t nb);
/* @ties is sum(t^3 - t) over groups of t tied values in a and b. */
double gb_mw_p_normal(double u, size_t na, size_t nb, double ties);

/*
 * Hodges-Lehmann shift of new vs base: the median of all b[j] - a[i].
 * NAN when either sample is empty.
 */
double gb_hodges_lehmann(const double *a, size_t na,
			 const double *b, size_t nb);

/*
 * Holm step-down adjusted p-values, in input order, monotone in the
 * sorted order and capped at 1.  @adjusted may alias @p.  Returns 0,
 * or -EINVAL when a p is not in [0, 1] (then @adjusted is untouched).
 */
int gb_holm(const double *p, size_t n, double *adjusted);

enum gb_verdict {
	GB_INCONCLUSIVE = 0,
	GB_EQUIVALENT,
	GB_BETTER,
	GB_WORSE,
};

/*
 * Verdict for one cell from the ratio new/base, its CI and the
 * Holm-adjusted p.  Changed (better or worse, by @higher_is_better)
 * when the CI excludes 1, the point ratio is more than @delta away
 * from 1 and p_adj < alpha; equivalent when the whole CI lies in
 * [1 - delta, 1 + delta]; inconclusive otherwise, NaNs included.
 */
enum gb_verdict gb_verdict(double ratio, double ratio_lo, double ratio_hi,
			   double p_adj, double alpha, double delta,
			   bool higher_is_better);
const char *gb_verdict_name(enum gb_verdict v);

#endif
