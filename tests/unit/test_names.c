// SPDX-License-Identifier: GPL-2.0
/*
 * Host names and kernel releases become path components of a run: any
 * byte outside a safe set must not, and ".." or a hidden name never.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/util.h"

static void expect(const char *in, const char *out, bool same)
{
	char buf[64];

	assert_int_equal(gb_path_name(buf, sizeof(buf), in), same);
	assert_string_equal(buf, out);
}

static void test_plain_names_stay(void **state)
{
	(void)state;
	expect("box", "box", true);
	expect("6.18.44-fc-v1045", "6.18.44-fc-v1045", true);
	expect("7.2.13+deb14-cloud-amd64", "7.2.13+deb14-cloud-amd64", true);
	expect("6.19.0-rc2_x", "6.19.0-rc2_x", true);
}

static void test_hostile_names_mapped(void **state)
{
	(void)state;
	expect("../../x", "_._.._x", false);
	expect("..", "_.", false);
	expect(".", "_", false);
	expect(".hidden", "_hidden", false);
	expect("6.18/evil", "6.18_evil", false);
	expect("a b\tc\nd", "a_b_c_d", false);
	expect("caf\xc3\xa9", "caf__", false);
	expect("", "_", false);
}

static void test_never_dot_dot(void **state)
{
	const char *tries[] = { "..", "../", "/..", "..\n", "\x01..", ". .",
				"...", "./." };
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		gb_path_name(buf, sizeof(buf), tries[i]);
		assert_true(strcmp(buf, "..") && strcmp(buf, "."));
		assert_null(strchr(buf, '/'));
		assert_true(buf[0] != '.');
	}
}

static void test_truncated(void **state)
{
	char buf[4];

	(void)state;
	assert_false(gb_path_name(buf, sizeof(buf), "abcdef"));
	assert_string_equal(buf, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_names_stay),
		cmocka_unit_test(test_hostile_names_mapped),
		cmocka_unit_test(test_never_dot_dot),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
