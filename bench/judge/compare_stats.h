/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics shared by compare, trend and the headline: quantiles, the
 * bootstrap CI of a ratio of medians, Holm, verdicts.
 */
#ifndef GB_COMPARE_STATS_H
#define GB_COMPARE_STATS_H

/*
 * The replicate-level test itself is replicate_stats.h's (METHODOLOGY,
 * "How two runs are compared"); here: the within-run bootstrap interval
 * the headline prints, Holm across primary rows, and the verdict
 * against a threshold delta.
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

#endif
