// SPDX-License-Identifier: GPL-2.0
/* The log-linear latency histogram: bucket bounds, quantiles, merging. */
#include <math.h>
#include <string.h>

#include "base/hist.h"

void gb_hist_reset(struct gb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void gb_hist_bucket_range(unsigned int i, uint64_t *lo, uint64_t *width)
{
	unsigned int e, sub;

	if (i < GB_HIST_EXACT) {
		*lo = i;
		*width = 1;
		return;
	}
	e = (i - GB_HIST_EXACT) / GB_HIST_SUB + GB_HIST_SUB_BITS + 1;
	sub = (i - GB_HIST_EXACT) % GB_HIST_SUB;
	*width = 1ull << (e - GB_HIST_SUB_BITS);
	*lo = (uint64_t)(GB_HIST_SUB + sub) << (e - GB_HIST_SUB_BITS);
}

double gb_hist_quantile_interp(const struct gb_hist *h, double q,
			       uint64_t step)
{
	double target, seen = 0;

	if (h->count == 0)
		return 0;
	if (q >= 1.0)
		return (double)h->max;
	target = q * (double)h->count;
	for (unsigned int i = 0; i < GB_HIST_BUCKETS; i++) {
		uint64_t lo, width;
		double mid, w, n = (double)h->bucket[i];

		if (!h->bucket[i])
			continue;
		if (seen + n < target) {
			seen += n;
			continue;
		}
		gb_hist_bucket_range(i, &lo, &width);
		mid = (double)lo + (double)(width - 1) / 2.0;
		/* intervals are whole steps: one lies in a narrow bucket */
		if (step > 1 && width <= step) {
			uint64_t m = (lo + step - 1) / step * step;

			if (m < lo + width)
				mid = (double)m;
		}
		w = (double)(width > step ? width : step);
		mid += w * ((target - seen) / n - 0.5);
		/* like the plain quantile, never outside what was seen */
		if (mid < (double)h->min)
			mid = (double)h->min;
		if (mid > (double)h->max)
			mid = (double)h->max;
		return mid;
	}
	return (double)h->max;
}

void gb_hist_merge(struct gb_hist *dst, const struct gb_hist *src)
{
	if (!src->count)
		return;
	for (unsigned int i = 0; i < GB_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}
