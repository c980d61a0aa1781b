/* SPDX-License-Identifier: GPL-2.0 */
/* The sign-test confidence interval for one run's median (trend). */
#ifndef GB_MEDIAN_CI_H
#define GB_MEDIAN_CI_H

#include <stddef.h>

/*
 * Distribution-free confidence interval for the median of one run's
 * trials: [x(k), x(n+1-k)] of the sorted values, with k the largest
 * rank whose binomial tail P(Bin(n, 1/2) <= k-1) stays within
 * (1 - level) / 2: the sign-test interval (Conover, Practical
 * Nonparametric Statistics; Hollander & Wolfe).  No resampling, no
 * seed: trend's bands are the same on every machine.
 *
 * Returns the interval's actual coverage (>= level), or NAN with *lo
 * and *hi set to NAN when n is too small for any such interval
 * (n < 6 at 95%) or level is outside (0, 1).  @v is not modified.
 */
double gb_median_ci(const double *v, size_t n, double level, double *lo,
		    double *hi);

#endif
