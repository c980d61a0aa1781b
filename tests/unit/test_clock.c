// SPDX-License-Identifier: GPL-2.0
/*
 * The per-operation timer.  A miscalibrated ns_per_tick scales every
 * latency in a run by the same wrong factor and nothing else notices,
 * so it is checked here against CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "measure/clock.h"

/* The counter's step: the GCD of read-to-read differences. */
static void test_step(void **state)
{
	const uint64_t zen[] = { 52, 78, 0, 104, 2600 };
	const uint64_t fine[] = { 30, 31, 45 };
	struct gb_clock c;

	(void)state;
	assert_int_equal(gb_clock_step(zen, 5), 26);
	assert_int_equal(gb_clock_step(fine, 3), 1);
	assert_int_equal(gb_clock_step(zen, 0), 1);
	assert_int_equal(gb_clock_init(&c, "auto"), 0);
	assert_true(c.resolution_ticks >= 1);
	/* a step over 1 us would make every latency meaningless */
	assert_true((double)c.resolution_ticks * c.ns_per_tick < 1000);
}

static void test_init_auto(void **state)
{
	struct gb_clock c;

	(void)state;
	assert_int_equal(gb_clock_init(&c, "auto"), 0);
	assert_true(c.ns_per_tick > 0 && isfinite(c.ns_per_tick));
	if (!(c.overhead_ns > 0 && c.overhead_ns < 10000))
		fail_msg("overhead_ns = %g, want (0, 10000)", c.overhead_ns);
	assert_true(c.calib_spread_ppm >= 0);
	assert_int_equal(gb_timer_kind, c.kind);
	assert_non_null(gb_clock_name(&c));
	/* a fallback always says why; the counter never needs to */
	if (c.kind == GB_TIMER_CLOCK_GETTIME)
		assert_true(c.fallback_reason[0] != '\0');
	else
		assert_string_equal(c.fallback_reason, "");
}

/*
 * Time one 20 ms sleep with both clocks, reading each clock on both
 * sides of the sleep.  Preemption between the paired reads can skew
 * one try on a loaded machine, so up to three tries; a wrong
 * ns_per_tick is off in all three.
 */
static void test_calibration_vs_monotonic(void **state)
{
	const struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct gb_clock c;
	double err = 0;

	(void)state;
	assert_int_equal(gb_clock_init(&c, "auto"), 0);
	for (int i = 0; i < 3; i++) {
		uint64_t t0, t1, m0, m1;
		double tick_ns;

		t0 = gb_clock_read();
		m0 = gb_clock_gettime_ns();
		nanosleep(&nap, NULL);
		t1 = gb_clock_read();
		m1 = gb_clock_gettime_ns();
		tick_ns = (double)(t1 - t0) * c.ns_per_tick;
		err = fabs(tick_ns - (double)(m1 - m0)) / (double)(m1 - m0);
		assert_true(m1 - m0 >= 20 * 1000 * 1000);
		if (err < 0.02)
			return;
	}
	fail_msg("%s disagrees with CLOCK_MONOTONIC by %.2f%%",
		 gb_clock_name(&c), err * 100);
}

static void test_init_clock_gettime(void **state)
{
	struct gb_clock c;
	uint64_t a, b;

	(void)state;
	assert_int_equal(gb_clock_init(&c, "clock_gettime"), 0);
	assert_int_equal(c.kind, GB_TIMER_CLOCK_GETTIME);
	assert_int_equal(gb_timer_kind, GB_TIMER_CLOCK_GETTIME);
	assert_true(c.ns_per_tick == 1.0);
	assert_true(c.fallback_reason[0] != '\0');
	assert_string_equal(gb_clock_name(&c), "clock_gettime-monotonic");
	/* reads are now CLOCK_MONOTONIC nanoseconds, not cycles */
	a = gb_clock_gettime_ns();
	b = gb_clock_read();
	assert_true(b >= a && b - a < 1000 * 1000 * 1000);
}

static void test_init_bogus(void **state)
{
	struct gb_clock c;

	(void)state;
	assert_int_equal(gb_clock_init(&c, "bogus"), -EINVAL);
	assert_int_equal(gb_clock_init(&c, ""), -EINVAL);
	assert_int_equal(gb_clock_init(&c, "AUTO"), -EINVAL);
#if defined(__x86_64__)
	/* the other architecture's counter */
	assert_int_equal(gb_clock_init(&c, "cntvct"), -EINVAL);
#elif defined(__aarch64__)
	assert_int_equal(gb_clock_init(&c, "tsc"), -EINVAL);
#endif
}

#if defined(__x86_64__)
static void test_invariant_flags(void **state)
{
	char why[160];

	(void)state;
	strcpy(why, "untouched");
	assert_int_equal(gb_clock_counter_invariant(
				 " fpu constant_tsc rdtscp\n", why,
				 sizeof(why)), 0);
	assert_non_null(strstr(why, "nonstop_tsc"));

	assert_int_equal(gb_clock_counter_invariant("nonstop_tsc fpu", why,
						    sizeof(why)), 0);
	assert_non_null(strstr(why, "constant_tsc"));

	/* a longer flag that merely contains the name does not count */
	assert_int_equal(gb_clock_counter_invariant(
				 "constant_tsc nonstop_tsc_x", why,
				 sizeof(why)), 0);
	assert_non_null(strstr(why, "nonstop_tsc"));
	assert_int_equal(gb_clock_counter_invariant(
				 "xconstant_tsc nonstop_tsc", why,
				 sizeof(why)), 0);
	assert_non_null(strstr(why, "constant_tsc"));

	assert_int_equal(gb_clock_counter_invariant(
				 " fpu constant_tsc rdtscp nonstop_tsc\n",
				 why, sizeof(why)), 1);
	assert_int_equal(gb_clock_counter_invariant(
				 "nonstop_tsc constant_tsc", why,
				 sizeof(why)), 1);
}

/* Forcing the TSC succeeds exactly when this CPU's flags allow it. */
static void test_force_tsc_matches_cpuinfo(void **state)
{
	char line[8192], why[160];
	struct gb_clock c;
	FILE *f = fopen("/proc/cpuinfo", "r");
	int inv = -1, r;

	(void)state;
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strchr(line, ':')) {
			inv = gb_clock_counter_invariant(strchr(line, ':') + 1,
							 why, sizeof(why));
			break;
		}
	fclose(f);
	if (inv < 0)
		skip();
	r = gb_clock_init(&c, "tsc");
	if (inv) {
		assert_int_equal(r, 0);
		assert_int_equal(c.kind, GB_TIMER_TSC);
		assert_true(c.ns_per_tick > 0);
	} else {
		assert_int_equal(r, -ENOTSUP);
		assert_true(c.fallback_reason[0] != '\0');
	}
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_init_auto),
		cmocka_unit_test(test_calibration_vs_monotonic),
		cmocka_unit_test(test_init_clock_gettime),
		cmocka_unit_test(test_init_bogus),
#if defined(__x86_64__)
		cmocka_unit_test(test_invariant_flags),
		cmocka_unit_test(test_force_tsc_matches_cpuinfo),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
