// SPDX-License-Identifier: GPL-2.0
/*
 * The order-statistic interval for a median that trend draws as a
 * band: the sign-test interval of the textbooks (Conover, Practical
 * Nonparametric Statistics; Hollander & Wolfe).  Ranks and coverages
 * below were computed exactly with Python's integer math.comb: k is
 * the largest rank with P(Bin(n, 1/2) <= k-1) <= 0.025, the coverage
 * 1 - 2 P(Bin(n, 1/2) <= k-1).  n = 10 -> x(2), x(9) is the usual
 * table entry.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "judge/median_ci.h"
#include "base/util.h"

/* 1..n in a scrambled order, so the function must sort. */
static double *ranks(size_t n)
{
	double *v = gb_zalloc(n * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = (double)((i * 7919) % n + 1);
	return v;
}

static void check(size_t n, double want_lo, double want_hi,
		  double want_coverage)
{
	double *v = ranks(n), lo, hi;
	double cov = gb_median_ci(v, n, 0.95, &lo, &hi);

	if (fabs(cov - want_coverage) > 1e-9 || lo != want_lo ||
	    hi != want_hi)
		fail_msg("n = %zu: [%g, %g] coverage %.12g, want [%g, %g] "
			 "%.12g", n, lo, hi, cov, want_lo, want_hi,
			 want_coverage);
	free(v);
}

/* n = 10: x(2), x(9); 1 - 2 * 11/1024 = 0.978515625. */
static void test_ten_trials(void **state)
{
	(void)state;
	check(10, 2, 9, 0.978515625);
}

/* n = 20: x(6), x(15); 1 - 2 * 21700/2^20. */
static void test_twenty_trials(void **state)
{
	(void)state;
	check(20, 6, 15, 1 - 2 * 21700.0 / 1048576);
}

/* n = 6 is the smallest with a 95% interval: the extremes, 1 - 2/64. */
static void test_six_is_the_smallest(void **state)
{
	double v[] = { 3, 1, 2, 5, 4 }, lo = 0, hi = 0;

	(void)state;
	check(6, 1, 6, 0.96875);
	assert_true(isnan(gb_median_ci(v, 5, 0.95, &lo, &hi)));
	assert_true(isnan(lo) && isnan(hi));
}

/* 0.5^2000 underflows a double: the tail must come through lgamma. */
static void test_large_n_no_underflow(void **state)
{
	(void)state;
	check(2000, 956, 1045, 0.9534471795082162);
}

static void test_bad_input(void **state)
{
	double v[] = { 1, 2, 3, 4, 5, 6, 7 }, lo, hi;

	(void)state;
	assert_true(isnan(gb_median_ci(v, 0, 0.95, &lo, &hi)));
	assert_true(isnan(gb_median_ci(v, 7, 1.0, &lo, &hi)));
	assert_true(isnan(gb_median_ci(v, 7, 0, &lo, &hi)));
	/* the input is left as it was */
	assert_true(!isnan(gb_median_ci(v, 7, 0.95, &lo, &hi)));
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		assert_true(v[i] == (double)(i + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_trials),
		cmocka_unit_test(test_twenty_trials),
		cmocka_unit_test(test_six_is_the_smallest),
		cmocka_unit_test(test_large_n_no_underflow),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
