// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cell descriptive statistics.  summary.tsv and compare read these
 * numbers as truth, so each is pinned to a hand-computed answer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/stats.h"
#include "base/util.h"

#define assert_near(got, want, tol)					\
	do {								\
		double g_ = (got), w_ = (want);				\
		if (!(fabs(g_ - w_) <= (tol)))				\
			fail_msg("%s = %.17g, want %.17g +/- %g", #got,	\
				 g_, w_, (double)(tol));		\
	} while (0)

#define EPS 1e-12

static void test_median_odd(void **state)
{
	const double v[] = { 9, -3, 4, 100, 1 };

	(void)state;
	assert_near(gb_median(v, ARRAY_SIZE(v)), 4, 0);
	assert_near(gb_median(v, 1), 9, 0);
}

static void test_median_even(void **state)
{
	double v[] = { 4, 1, 3, 2 };
	const double orig[] = { 4, 1, 3, 2 };

	(void)state;
	assert_near(gb_median(v, ARRAY_SIZE(v)), 2.5, 0);
	/* it sorts a copy: the caller's trial order is kept */
	assert_memory_equal(v, orig, sizeof(v));
	assert_near(gb_median(v, 2), 2.5, 0);
}

static void test_median_empty(void **state)
{
	const double v[] = { 1 };

	(void)state;
	assert_true(isnan(gb_median(v, 0)));
}

static void test_min_max_mean(void **state)
{
	const double v[] = { 2, -7.5, 11, 0 };

	(void)state;
	assert_near(gb_min(v, ARRAY_SIZE(v)), -7.5, 0);
	assert_near(gb_max(v, ARRAY_SIZE(v)), 11, 0);
	assert_near(gb_mean(v, ARRAY_SIZE(v)), 1.375, EPS);
	assert_true(isnan(gb_min(v, 0)));
	assert_true(isnan(gb_max(v, 0)));
	assert_true(isnan(gb_mean(v, 0)));
}

/*
 * The textbook set: mean 5, squared deviations sum to 32, so the
 * population stddev is 2 and the sample one sqrt(32/7).
 */
static void test_stddev_sample(void **state)
{
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	(void)state;
	assert_near(gb_mean(v, ARRAY_SIZE(v)), 5, EPS);
	assert_near(gb_stddev(v, ARRAY_SIZE(v)), sqrt(32.0 / 7.0), EPS);
}

static void test_stddev_small_n(void **state)
{
	const double v[] = { 42, 44 };

	(void)state;
	assert_near(gb_stddev(v, 0), 0, 0);
	assert_near(gb_stddev(v, 1), 0, 0);
	/* two values: |a - b| / sqrt(2) */
	assert_near(gb_stddev(v, 2), sqrt(2.0), EPS);
}

static void test_summarise(void **state)
{
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct gb_summary s;

	(void)state;
	gb_summarise(v, ARRAY_SIZE(v), &s);
	assert_int_equal(s.n, 8);
	assert_near(s.median, 4.5, 0);
	assert_near(s.min, 2, 0);
	assert_near(s.max, 9, 0);
	assert_near(s.mean, 5, EPS);
	assert_near(s.stddev, sqrt(32.0 / 7.0), EPS);
	assert_near(s.cv, sqrt(32.0 / 7.0) / 5, EPS);
}

/* cv is relative to |mean|: a negative mean must not give a negative cv. */
static void test_cv_negative_and_zero_mean(void **state)
{
	const double neg[] = { -2, -4, -4, -4, -5, -5, -7, -9 };
	const double zero[] = { -1, 1 };
	struct gb_summary s;

	(void)state;
	gb_summarise(neg, ARRAY_SIZE(neg), &s);
	assert_near(s.mean, -5, EPS);
	assert_near(s.cv, sqrt(32.0 / 7.0) / 5, EPS);
	gb_summarise(zero, ARRAY_SIZE(zero), &s);
	assert_near(s.stddev, sqrt(2.0), EPS);
	assert_near(s.cv, 0, 0);
}

static void test_summarise_one(void **state)
{
	const double v[] = { 3.25 };
	struct gb_summary s;

	(void)state;
	gb_summarise(v, 1, &s);
	assert_int_equal(s.n, 1);
	assert_near(s.median, 3.25, 0);
	assert_near(s.min, 3.25, 0);
	assert_near(s.max, 3.25, 0);
	assert_near(s.mean, 3.25, 0);
	assert_near(s.stddev, 0, 0);
	assert_near(s.cv, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_odd),
		cmocka_unit_test(test_median_even),
		cmocka_unit_test(test_median_empty),
		cmocka_unit_test(test_min_max_mean),
		cmocka_unit_test(test_stddev_sample),
		cmocka_unit_test(test_stddev_small_n),
		cmocka_unit_test(test_summarise),
		cmocka_unit_test(test_cv_negative_and_zero_mean),
		cmocka_unit_test(test_summarise_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
