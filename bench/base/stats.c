// SPDX-License-Identifier: GPL-2.0
/* Descriptive statistics over a cell's trials: median, spread, summary. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/stats.h"
#include "base/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double gb_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = gb_zalloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

double gb_min(const double *v, size_t n)
{
	double m = n ? v[0] : NAN;

	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double gb_max(const double *v, size_t n)
{
	double m = n ? v[0] : NAN;

	for (size_t i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

double gb_mean(const double *v, size_t n)
{
	double sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

double gb_stddev(const double *v, size_t n)
{
	double mean, ss = 0;

	if (n < 2)
		return 0;
	mean = gb_mean(v, n);
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

void gb_summarise(const double *v, size_t n, struct gb_summary *s)
{
	s->n = n;
	s->median = gb_median(v, n);
	s->min = gb_min(v, n);
	s->max = gb_max(v, n);
	s->mean = gb_mean(v, n);
	s->stddev = gb_stddev(v, n);
	s->cv = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
}
