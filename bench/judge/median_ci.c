// SPDX-License-Identifier: GPL-2.0
/* Order-statistic interval for a median: what trend draws as a band. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "judge/median_ci.h"
#include "base/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* log P(Bin(n, 1/2) = j), through lgamma: 0.5^n underflows past 1074. */
static double log_binom_half(size_t n, size_t j)
{
	return lgamma((double)n + 1) - lgamma((double)j + 1) -
	       lgamma((double)(n - j) + 1) - (double)n * M_LN2;
}

double gb_median_ci(const double *v, size_t n, double level, double *lo,
		    double *hi)
{
	double tail = (1 - level) / 2, cdf = 0, *s;
	size_t k = 0;

	*lo = *hi = NAN;
	if (!(level > 0 && level < 1) || n == 0)
		return NAN;
	/* k: how many order statistics each end may drop */
	for (size_t j = 0; j < n / 2; j++) {
		double next = cdf + exp(log_binom_half(n, j));

		if (next > tail)
			break;
		cdf = next;
		k = j + 1;
	}
	if (k == 0)
		return NAN;
	s = gb_zalloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	*lo = s[k - 1];
	*hi = s[n - k];
	free(s);
	return 1 - 2 * cdf;
}
