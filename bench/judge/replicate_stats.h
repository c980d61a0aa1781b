/* SPDX-License-Identifier: GPL-2.0 */
/* Comparing two kernels with replicates as the unit (Welch on log medians). */
#ifndef GB_REPLICATE_STATS_H
#define GB_REPLICATE_STATS_H

/*
 * Comparing two kernels when replicates, not trials, are the unit
 * (METHODOLOGY.md, "How two runs are compared").  A replicate is an
 * independent execution (a process, a boot); its trials are nested in
 * it.  Each replicate reduces to the median of its trials; a side's
 * centre is the geometric mean of its replicate medians; the test and
 * the interval are Welch's on the log replicate medians: a one-way
 * random-effects model in which a replicate median varies by the
 * between-replicate variance plus its trials' own noise, both
 * estimated at once by the spread of the replicate medians.
 */

#include <stdbool.h>
#include <stddef.h>

/* Student's t: P(T <= t) with @df degrees of freedom (df > 0). */
double gb_t_cdf(double t, double df);
/* Its inverse: the t with P(T <= t) = @p, 0 < p < 1. */
double gb_t_quantile(double p, double df);

/* One side of one row: the values of a cell x metric by replicate. */
struct gb_sample {
	size_t nrep;		/* replicates with at least one value */
	size_t n;		/* values in all */
	double *median;		/* per replicate: the median of its values */
	double centre;		/* geometric mean of the replicate medians;
				 * NAN when one is <= 0 */
	double log_sd;		/* sd of log replicate medians (~ cv
				 * between replicates); NAN: < 2 or <= 0 */
	double within_cv;	/* median over replicates of the cv of
				 * their values; NAN: one value each */
	bool positive;		/* every replicate median > 0 */
};

/*
 * Group @n values by their replicate number @rep (any order) and reduce.
 * The result does not depend on the order of values within or across
 * replicates.  Free with gb_sample_free().
 */
void gb_sample_build(struct gb_sample *s, const double *v,
		     const unsigned int *rep, size_t n);
void gb_sample_free(struct gb_sample *s);

/* What a noise floor measured on this machine says about one row. */
struct gb_floor {
	double log_sd;		/* between-replicate sd of log values */
	double df;		/* its degrees of freedom */
};

struct gb_re_result {
	double ratio, lo, hi;	/* new/base of centres, CI at @level */
	double p;		/* two-sided Welch p; NAN: no test */
	double df, se;		/* of the log ratio */
	double mde;		/* smallest change (fraction) detectable
				 * with 80% power at the family's alpha */
	bool used_floor;	/* a side had one replicate: the floor's sd */
};

/*
 * Compare @b and @n.  With at least two replicates a side the
 * between-replicate variance comes from the data (Welch); with one
 * replicate on a side it is unknown and only a measured noise floor
 * (@floor, NULL: none) can stand in; without one there is no test (p
 * NAN) and no interval.  @alpha_family is the level the row's test
 * must reach after the multiplicity correction in the worst case
 * (alpha / m for m rows): the minimum detectable effect uses it.
 * Returns 0, or -EDOM when a centre is not positive (no log ratio).
 */
int gb_re_compare(const struct gb_sample *b, const struct gb_sample *n,
		  const struct gb_floor *floor, double level,
		  double alpha_family, struct gb_re_result *out);

#endif
