// SPDX-License-Identifier: GPL-2.0
/*
 * The latency histogram: every reported percentile goes through
 * gb_hist_index() and hist_quantile(), so a wrong bucket here is a
 * wrong number in every run.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/hist.h"

/* cmocka 1.1.5 has no double comparison that prints both values. */
#define assert_near(got, want, tol)					\
	do {								\
		double g_ = (got), w_ = (want);				\
		if (!(fabs(g_ - w_) <= (tol)))				\
			fail_msg("%s = %.17g, want %.17g +/- %g", #got,	\
				 g_, w_, (double)(tol));		\
	} while (0)

static struct gb_hist *hist_new(void)
{
	struct gb_hist *h = test_malloc(sizeof(*h));

	gb_hist_reset(h);
	return h;
}

/* @v must land in a bucket whose [lo, lo + width) holds it. */
static void check_contains(uint64_t v)
{
	unsigned int i = gb_hist_index(v);
	uint64_t lo, width;

	if (i >= GB_HIST_BUCKETS)
		fail_msg("index(%llu) = %u, past %u buckets",
			 (unsigned long long)v, i, GB_HIST_BUCKETS);
	gb_hist_bucket_range(i, &lo, &width);
	if (v < lo || v - lo >= width)
		fail_msg("v=%llu in bucket %u = [%llu, +%llu)",
			 (unsigned long long)v, i, (unsigned long long)lo,
			 (unsigned long long)width);
}

/*
 * The test's oracle: the value at quantile @q in (0, 1] read off the
 * buckets alone -- the bucket holding the ceil(q*count)-th smallest
 * value, at its midpoint, clamped to [min, max]; q = 1 gives max.  A
 * wrong bucket boundary moves it by a whole bucket.
 */
static double hist_quantile(const struct gb_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (q >= 1.0)
		return (double)h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < GB_HIST_BUCKETS; i++) {
		uint64_t lo, width;
		double mid;

		seen += h->bucket[i];
		if (seen < rank)
			continue;
		gb_hist_bucket_range(i, &lo, &width);
		mid = (double)lo + (double)(width - 1) / 2.0;
		if (mid < (double)h->min)
			mid = (double)h->min;
		if (mid > (double)h->max)
			mid = (double)h->max;
		return mid;
	}
	return (double)h->max;
}

static void test_index_small_exhaustive(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < (1u << 20); v++)
		check_contains(v);
	/* below GB_HIST_EXACT the value is its own bucket */
	for (uint64_t v = 0; v < GB_HIST_EXACT; v++)
		assert_int_equal(gb_hist_index(v), v);
}

static void test_index_large_sampled(void **state)
{
	/* fixed seed: a failure reproduces */
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned int e = 20; e < GB_HIST_MAX_EXP; e++) {
		uint64_t p = 1ull << e;

		/* both edges of every power of two, and the top one */
		check_contains(p - 1);
		check_contains(p);
		check_contains(p + 1);
		check_contains(2 * p - 1);
		for (int k = 0; k < 2000; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			check_contains(p + x % p);
		}
	}
}

/* Beyond 2^48 everything shares the last bucket, as hist.h documents. */
static void test_index_overflow_bucket(void **state)
{
	uint64_t lo, width;

	(void)state;
	assert_int_equal(gb_hist_index(1ull << GB_HIST_MAX_EXP),
			 GB_HIST_BUCKETS - 1);
	assert_int_equal(gb_hist_index(UINT64_MAX), GB_HIST_BUCKETS - 1);
	gb_hist_bucket_range(GB_HIST_BUCKETS - 1, &lo, &width);
	assert_true(lo + width == 1ull << GB_HIST_MAX_EXP);
}

/*
 * Buckets tile the range with no gap or overlap, and above the exact
 * range none is wider than 1/128 of its lower bound.
 */
static void test_bucket_tiling_and_width(void **state)
{
	uint64_t lo, width, next_lo, next_width;

	(void)state;
	gb_hist_bucket_range(0, &lo, &width);
	assert_true(lo == 0 && width == 1);
	for (unsigned int i = 0; i + 1 < GB_HIST_BUCKETS; i++) {
		gb_hist_bucket_range(i, &lo, &width);
		gb_hist_bucket_range(i + 1, &next_lo, &next_width);
		if (lo + width != next_lo)
			fail_msg("bucket %u ends at %llu, %u starts at %llu",
				 i, (unsigned long long)(lo + width), i + 1,
				 (unsigned long long)next_lo);
		if (lo >= 256 && width * 128 > lo)
			fail_msg("bucket %u: width %llu > lo %llu / 128", i,
				 (unsigned long long)width,
				 (unsigned long long)lo);
		assert_int_equal(gb_hist_index(lo), i);
	}
}

static void test_quantile_exact_small(void **state)
{
	struct gb_hist *h = hist_new();

	(void)state;
	for (uint64_t v = 100; v >= 1; v--)	/* order must not matter */
		gb_hist_add(h, v);
	assert_int_equal(h->count, 100);
	assert_int_equal(h->min, 1);
	assert_int_equal(h->max, 100);
	assert_near(h->sum, 5050, 0);
	assert_near(hist_quantile(h, 0.5), 50, 0);
	assert_near(hist_quantile(h, 0.9), 90, 0);
	assert_near(hist_quantile(h, 0.99), 99, 0);
	assert_near(hist_quantile(h, 1.0), 100, 0);
	assert_near(hist_quantile(h, 0.01), 1, 0);
	/* rank rounds up, and never below the first value */
	assert_near(hist_quantile(h, 0.505), 51, 0);
	assert_near(hist_quantile(h, 1e-9), 1, 0);
	test_free(h);
}

static void test_quantile_large_values(void **state)
{
	struct gb_hist *h = hist_new();
	double p50;

	(void)state;
	for (int i = 0; i < 1000; i++)
		gb_hist_add(h, 1000000);
	gb_hist_add(h, 5);
	p50 = hist_quantile(h, 0.5);
	assert_near(p50, 1e6, 1e6 * 0.0039);
	assert_near(hist_quantile(h, 1.0), 1000000, 0);
	/* the lowest rank is the exact outlier */
	assert_near(hist_quantile(h, 0.0005), 5, 0);
	test_free(h);
}

/* A midpoint inside [min, max] is reported unclamped, still within 0.39%. */
static void test_quantile_midpoint(void **state)
{
	struct gb_hist *h = hist_new();
	uint64_t lo, width;
	double p50;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		gb_hist_add(h, 1000000);
		gb_hist_add(h, 2000000);
	}
	gb_hist_bucket_range(gb_hist_index(1000000), &lo, &width);
	p50 = hist_quantile(h, 0.5);
	assert_near(p50, (double)lo + (double)(width - 1) / 2, 0);
	assert_near(p50, 1e6, 1e6 * 0.0039);
	assert_near(hist_quantile(h, 0.5005), 2e6, 2e6 * 0.0039);
	assert_near(hist_quantile(h, 1.0), 2000000, 0);
	test_free(h);
}

static void test_quantile_empty(void **state)
{
	struct gb_hist *h = hist_new();

	(void)state;
	assert_near(hist_quantile(h, 0.5), 0, 0);
	assert_near(hist_quantile(h, 1.0), 0, 0);
	assert_near(hist_quantile(h, 1e-9), 0, 0);
	test_free(h);
}

static void test_merge(void **state)
{
	struct gb_hist *a = hist_new(), *b = hist_new(), *z = hist_new();

	(void)state;
	gb_hist_add(a, 10);
	gb_hist_add(a, 20);
	gb_hist_add(b, 5);
	gb_hist_add(b, 3000);
	gb_hist_add(b, 20);
	gb_hist_merge(a, b);
	assert_int_equal(a->count, 5);
	assert_int_equal(a->min, 5);
	assert_int_equal(a->max, 3000);
	assert_near(a->sum, 3055, 0);
	assert_int_equal(a->bucket[gb_hist_index(20)], 2);
	assert_int_equal(a->bucket[gb_hist_index(5)], 1);
	assert_int_equal(a->bucket[gb_hist_index(3000)], 1);
	/* the source is left alone */
	assert_int_equal(b->count, 3);

	/* an empty source changes nothing, min included */
	gb_hist_merge(a, z);
	assert_int_equal(a->count, 5);
	assert_int_equal(a->min, 5);

	/* into an empty destination: min and max come from the source */
	gb_hist_merge(z, b);
	assert_int_equal(z->count, 3);
	assert_int_equal(z->min, 5);
	assert_int_equal(z->max, 3000);
	assert_near(hist_quantile(z, 1.0), 3000, 0);
	test_free(a);
	test_free(b);
	test_free(z);
}

/* xorshift64*: a fixed sequence, so the test is the same every run */
static uint64_t rng(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

/*
 * Intervals of a counter that moves in steps of @step ticks (AMD Zen's
 * TSC: 10 ns), true durations uniform over [2600, 3400) + @shift ticks,
 * each read at a random phase of the step.
 */
static void fill_stepped(struct gb_hist *h, uint64_t step, double shift)
{
	uint64_t x = 88172645463325252ull;

	gb_hist_reset(h);
	for (int i = 0; i < 200000; i++) {
		double t = (double)(rng(&x) % 1000000) / 1000000 * (double)step;
		double d = 2600 + (double)(rng(&x) % 800000) / 1000 + shift;
		uint64_t a = (uint64_t)(t / (double)step);
		uint64_t b = (uint64_t)((t + d) / (double)step);

		gb_hist_add(h, (b - a) * step);
	}
}

/*
 * A shift smaller than the timer's step moves the interpolated median
 * by that shift; the plain median can only move in whole steps.
 */
static void test_quantile_interp_step(void **state)
{
	static const double shifts[] = { 5, 13, 20, 50 };
	struct gb_hist *h0 = hist_new(), *h1 = hist_new();
	double base, plain0;

	(void)state;
	fill_stepped(h0, 26, 0);
	base = gb_hist_quantile_interp(h0, 0.5, 26);
	plain0 = hist_quantile(h0, 0.5);
	assert_near(base, 3000, 3);
	for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		fill_stepped(h1, 26, shifts[i]);
		assert_near(gb_hist_quantile_interp(h1, 0.5, 26) - base,
			    shifts[i], 2);
	}
	/*
	 * The plain median moves by whole steps plus bucket offsets: this
	 * seed's 5-tick shift reads as 32 ticks (why the harness uses the
	 * interpolated one).
	 */
	fill_stepped(h1, 26, 5);
	assert_true(fabs(hist_quantile(h1, 0.5) - plain0 - 5) > 8);
	/* max stays exact; one value reads as itself */
	assert_near(gb_hist_quantile_interp(h1, 1.0, 26), (double)h1->max, 0);
	gb_hist_reset(h0);
	gb_hist_add(h0, 1000);
	assert_near(gb_hist_quantile_interp(h0, 0.5, 1), 1000, 0);
	assert_near(gb_hist_quantile_interp(h0, 0.5, 26), 1000, 0);
	gb_hist_reset(h0);
	assert_near(gb_hist_quantile_interp(h0, 0.5, 26), 0, 0);
	test_free(h0);
	test_free(h1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_small_exhaustive),
		cmocka_unit_test(test_index_large_sampled),
		cmocka_unit_test(test_index_overflow_bucket),
		cmocka_unit_test(test_bucket_tiling_and_width),
		cmocka_unit_test(test_quantile_exact_small),
		cmocka_unit_test(test_quantile_large_values),
		cmocka_unit_test(test_quantile_midpoint),
		cmocka_unit_test(test_quantile_empty),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_quantile_interp_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
