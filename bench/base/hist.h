/* SPDX-License-Identifier: GPL-2.0 */
/* The fixed-memory log-linear latency histogram, in timer ticks. */
#ifndef GB_HIST_H
#define GB_HIST_H

#include <stdint.h>

/*
 * Log-linear latency histogram in timer ticks, fixed memory (~42 KiB).
 * Values below 256 are exact; above, each power of two is split into
 * 128 buckets, so a bucket is at most 1/128 (0.78%) of its lower bound
 * wide and the midpoint we report is within 0.39% of any value in it.
 * Values from 2^48 ticks up share the last bucket; max stays exact.
 */
#define GB_HIST_SUB_BITS 7
#define GB_HIST_SUB (1u << GB_HIST_SUB_BITS)
#define GB_HIST_EXACT (2u * GB_HIST_SUB)
#define GB_HIST_MAX_EXP 48
#define GB_HIST_BUCKETS \
	(GB_HIST_EXACT + (GB_HIST_MAX_EXP - GB_HIST_SUB_BITS - 1) * GB_HIST_SUB)

struct gb_hist {
	uint64_t count;
	uint64_t min, max;
	double sum;
	uint64_t bucket[GB_HIST_BUCKETS];
};

static inline unsigned int gb_hist_index(uint64_t v)
{
	unsigned int e, sub;

	if (v < GB_HIST_EXACT)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	if (e >= GB_HIST_MAX_EXP)
		return GB_HIST_BUCKETS - 1;
	sub = (unsigned int)(v >> (e - GB_HIST_SUB_BITS)) & (GB_HIST_SUB - 1);
	return GB_HIST_EXACT + (e - GB_HIST_SUB_BITS - 1) * GB_HIST_SUB + sub;
}

/* Hot path: a handful of instructions, no division, no float. */
static inline void gb_hist_add(struct gb_hist *h, uint64_t v)
{
	h->bucket[gb_hist_index(v)]++;
	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->sum += (double)v;
}

void gb_hist_reset(struct gb_hist *h);
/* Bucket @i covers [lo, lo + width). */
void gb_hist_bucket_range(unsigned int i, uint64_t *lo, uint64_t *width);
/*
 * Value at quantile @q in (0, 1], interpolated: each bucket's count is
 * spread evenly over max(its width, @step) ticks centred on its
 * midpoint, and the quantile is read off that continuous distribution
 * (q * count values below it); where a bucket is no wider than @step,
 * the one multiple of @step in it stands for its values, exactly.
 * @step is the timer's resolution
 * (gb_clock.resolution_ticks): where the counter moves in steps wider
 * than a bucket, every interval is a multiple of the step and the
 * nearest-bucket quantile can only move by whole steps; spread over its step,
 * a shift of the whole distribution by less than a step moves this
 * estimate by the same amount.  q = 1 gives max; 0 when empty.
 */
double gb_hist_quantile_interp(const struct gb_hist *h, double q,
			       uint64_t step);
void gb_hist_merge(struct gb_hist *dst, const struct gb_hist *src);

#endif
