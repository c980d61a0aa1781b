// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel version order for trend.  The edge cases are the spellings
 * people really boot: mainline rcs, stable updates, local builds
 * (CONFIG_LOCALVERSION), distribution kernels, linux-next.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "judge/kversion.h"
#include "base/util.h"

#define assert_before(a, b)						\
	do {								\
		if (!(gb_kversion_cmp(a, b) < 0 &&			\
		      gb_kversion_cmp(b, a) > 0))			\
			fail_msg("want %s before %s", a, b);		\
	} while (0)

/* The order the issue asks for, rc by rc. */
static void test_rc_before_release_before_stable(void **state)
{
	(void)state;
	assert_before("6.19-rc1", "6.19-rc2");
	assert_before("6.19-rc2", "6.19");
	assert_before("6.19", "6.19.1");
	assert_before("6.19-rc1", "6.19.1");
	assert_before("6.18.44", "6.19-rc1");
}

/* Numbers are numbers: strcmp would put 6.10 before 6.9. */
static void test_numeric_parts(void **state)
{
	(void)state;
	assert_before("6.9", "6.10");
	assert_before("6.9.12", "6.10-rc1");
	assert_before("6.19-rc9", "6.19-rc10");
	assert_before("6.18.9", "6.18.44");
	assert_before("2.6.32.8", "2.6.32.71");
	assert_before("4.19.325", "5.4");
}

/* A local suffix stays, right after its base and before the next. */
static void test_local_suffix_after_base(void **state)
{
	(void)state;
	assert_before("6.18.44", "6.18.44-fc-v595");
	assert_before("6.18.44-fc-v595", "6.18.45");
	assert_before("6.18.44-fc-v9", "6.18.44-fc-v10");
	assert_before("7.2.13", "7.2.13+deb14-cloud-amd64");
	assert_before("7.2.13+deb14-cloud-amd64", "7.2.14");
	assert_before("5.15.0-91-generic", "5.15.0-100-generic");
	/* linux-next on an rc: after that rc, before the next one */
	assert_before("6.19-rc1", "6.19-rc1-next-20251201");
	assert_before("6.19-rc1-next-20251201", "6.19-rc2");
	assert_before("6.19-rc1-next-20251201", "6.19-rc1-next-20251202");
}

/* Odd spellings still give a total order. */
static void test_edge_spellings(void **state)
{
	(void)state;
	/* same numbers: the shorter spelling first, an rc before both */
	assert_before("6.19", "6.19.0");
	assert_before("6.19.0-rc1", "6.19");
	/* "-rc" without digits is a local suffix, not an rc */
	assert_before("6.19", "6.19-rcx");
	/* equal numbers in a suffix: strcmp breaks the tie */
	assert_before("6.19-v01", "6.19-v1");
	/* not a release: after every release, by strcmp among them */
	assert_before("7.99", "unknown");
	assert_before("", "unknown");
	assert_before("abc", "xyz");
	assert_int_equal(gb_kversion_cmp("6.19-rc1", "6.19-rc1"), 0);
	assert_int_equal(gb_kversion_cmp("unknown", "unknown"), 0);
}

static int cmp_kv(const void *a, const void *b)
{
	return gb_kversion_cmp(*(const char *const *)a,
			       *(const char *const *)b);
}

/* qsort of a shuffled month of kernels gives them back in order. */
static void test_sort_a_month_of_kernels(void **state)
{
	const char *const want[] = {
		"6.18", "6.18.44", "6.18.44-fc-v595", "6.19-rc1",
		"6.19-rc1-next-20251201", "6.19-rc2", "6.19-rc10", "6.19",
		"6.19.1", "6.19.1+deb14-cloud-amd64", "6.20-rc1", "unknown",
	};
	const char *got[ARRAY_SIZE(want)];
	const size_t shuffle[] = { 7, 11, 2, 9, 0, 5, 10, 3, 8, 1, 6, 4 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		got[i] = want[shuffle[i]];
	qsort(got, ARRAY_SIZE(got), sizeof(got[0]), cmp_kv);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(got[i], want[i]);
}

static void test_natural_order(void **state)
{
	(void)state;
	assert_true(gb_natural_cmp("v9", "v10") < 0);
	assert_true(gb_natural_cmp("a2b", "a2c") < 0);
	assert_true(gb_natural_cmp("a", "a1") < 0);
	assert_true(gb_natural_cmp("v10", "v9") > 0);
	assert_int_equal(gb_natural_cmp("x", "x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rc_before_release_before_stable),
		cmocka_unit_test(test_numeric_parts),
		cmocka_unit_test(test_local_suffix_after_base),
		cmocka_unit_test(test_edge_spellings),
		cmocka_unit_test(test_sort_a_month_of_kernels),
		cmocka_unit_test(test_natural_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
