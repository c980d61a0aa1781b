/* SPDX-License-Identifier: GPL-2.0 */
/* Descriptive statistics over a cell's trials. */
#ifndef GB_STATS_H
#define GB_STATS_H

#include <stddef.h>

/* Descriptive statistics over a small array (trials of one cell). */
struct gb_summary {
	size_t n;
	double median, min, max, mean, stddev, cv;
};

double gb_median(const double *v, size_t n);
double gb_min(const double *v, size_t n);
double gb_max(const double *v, size_t n);
double gb_mean(const double *v, size_t n);
/* Sample standard deviation (n - 1); 0 for n < 2. */
double gb_stddev(const double *v, size_t n);
void gb_summarise(const double *v, size_t n, struct gb_summary *s);

#endif
