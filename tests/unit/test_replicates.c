// SPDX-License-Identifier: GPL-2.0
/*
 * Replicates: each runs its cells in an order drawn from the seed and
 * its number (a permutation, reproducible, different per replicate),
 * and each is started with the user's options less the ones the
 * orchestrator sets itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/config.h"
#include "measure/order.h"
#include "base/util.h"

static void assert_permutation(const size_t *o, size_t n)
{
	unsigned char seen[256] = { 0 };

	for (size_t i = 0; i < n; i++) {
		assert_true(o[i] < n);
		assert_int_equal(seen[o[i]], 0);
		seen[o[i]] = 1;
	}
}

static void order_is_a_permutation(void **state)
{
	size_t o[256];

	(void)state;
	for (size_t n = 0; n <= 200; n += 7)
		for (unsigned int rep = 1; rep <= 5; rep++) {
			gb_cell_order(12345 + n, rep, o, n);
			assert_permutation(o, n);
		}
	gb_cell_order(1, 1, o, 1);
	assert_int_equal(o[0], 0);
}

static void order_is_reproducible(void **state)
{
	size_t a[64], b[64];

	(void)state;
	gb_cell_order(42, 3, a, 64);
	gb_cell_order(42, 3, b, 64);
	assert_memory_equal(a, b, sizeof(a));
}

/* 55 cells (the default matrix): no two of 20 replicates run alike */
static void replicates_get_different_orders(void **state)
{
	size_t o[20][55];

	(void)state;
	for (unsigned int r = 0; r < 20; r++)
		gb_cell_order(7, r + 1, o[r], 55);
	for (unsigned int r = 0; r < 20; r++)
		for (unsigned int q = r + 1; q < 20; q++)
			assert_memory_not_equal(o[r], o[q], sizeof(o[r]));
	/* and another seed gives another order for the same replicate */
	gb_cell_order(8, 1, o[1], 55);
	assert_memory_not_equal(o[0], o[1], sizeof(o[0]));
}

/*
 * Every cell is as likely in every place: over 24,000 draws of 4 cells
 * each (cell, place) count is near 6,000 (chi-square, 9 degrees of
 * freedom: 27.9 is its 0.1% point).  The seed is fixed: no flakes.
 */
static void order_is_uniform(void **state)
{
	unsigned int count[4][4] = { { 0 } };
	double chi2 = 0, want = 24000.0 / 4;
	size_t o[4];

	(void)state;
	for (unsigned int d = 0; d < 24000; d++) {
		gb_cell_order(99 + d / 8, d % 8 + 1, o, 4);
		for (size_t p = 0; p < 4; p++)
			count[o[p]][p]++;
	}
	for (int c = 0; c < 4; c++)
		for (int p = 0; p < 4; p++)
			chi2 += (count[c][p] - want) * (count[c][p] - want) /
				want;
	if (chi2 > 27.9)
		fail_msg("cell order not uniform: chi-square %.1f", chi2);
}

static void seed_from_clock_fits_the_option(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		assert_true((double)gb_order_seed_now() <= GB_ORDER_SEED_MAX);
}

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))

static const char *const own[] = {
	"replicates", "order-seed", "interleave", "results-dir", "budget",
	"emulate", "replicate", NULL
};

/* Strip, then the survivors joined by spaces. */
static void strip(char *buf, size_t len, int argc, char **argv)
{
	char *out[64];
	int n = gb_config_strip(argc, argv, own, out);

	buf[0] = '\0';
	assert_null(out[n]);
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 i ? " " : "", out[i]);
}

#define STRIPS_TO(want, ...)						\
	do {								\
		char got[512];						\
		strip(got, sizeof(got), NARGS(__VA_ARGS__),		\
		      ARGV(__VA_ARGS__));				\
		assert_string_equal(got, want);				\
	} while (0)

static void strip_drops_own_options_in_every_spelling(void **state)
{
	(void)state;
	STRIPS_TO("-s install -n 2", "-s", "install", "-R", "3", "-n", "2");
	STRIPS_TO("-s install", "-s", "install", "-R3");
	STRIPS_TO("-d 0.05", "--replicates=3", "-d", "0.05", "--interleave");
	STRIPS_TO("-q", "--emulate", "write-lock", "-q", "-o", "res");
	STRIPS_TO("--pages 1,16", "--budget", "10", "--pages", "1,16",
		  "--order-seed=5", "--results-dir", "x");
	/* a value that looks like a dropped option is a value */
	STRIPS_TO("-s -R", "-s", "-R");
	STRIPS_TO("--oversubscribe -t 3", "--oversubscribe", "-t", "3",
		  "--replicate", "2");
}

static void internal_option_is_not_in_help(void **state)
{
	char buf[65536] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	gb_config_usage(f);
	fclose(f);
	assert_non_null(strstr(buf, "--replicates N"));
	assert_non_null(strstr(buf, "--order-seed SEED"));
	assert_non_null(strstr(buf, "--interleave"));
	assert_null(strstr(buf, "--replicate K"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_is_a_permutation),
		cmocka_unit_test(order_is_reproducible),
		cmocka_unit_test(replicates_get_different_orders),
		cmocka_unit_test(order_is_uniform),
		cmocka_unit_test(seed_from_clock_fits_the_option),
		cmocka_unit_test(strip_drops_own_options_in_every_spelling),
		cmocka_unit_test(internal_option_is_not_in_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
