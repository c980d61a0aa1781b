// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario parameters: one definition per name.  Two scenarios that
 * take --NAME must take the same definition (params.c), and what each
 * says it accepts must be words of that definition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/config.h"
#include "measure/params.h"
#include "measure/scenario.h"

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_words(const char *const *a, const char *const *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return !*a && !*b;
}

/* Why @a and @b, both --NAME, differ; NULL if they agree. */
static const char *differs(const struct gb_param_def *a,
			   const struct gb_param_def *b)
{
	if (!same_str(a->help, b->help))
		return "help";
	if (!same_str(a->def, b->def))
		return "default";
	if (!same_words(a->words, b->words))
		return "words";
	if (a->min != b->min || a->max != b->max)
		return "range";
	if (a != b)
		return "definition (defined twice: move it to params.c)";
	return NULL;
}

static void check_against_others(size_t s, const struct gb_param_use *u)
{
	for (size_t t = s + 1; t < gb_nr_scenarios; t++) {
		const struct gb_param_use *v = gb_scenarios[t]->params;

		for (; v && v->def; v++) {
			const char *why;

			if (strcmp(u->def->name, v->def->name))
				continue;
			why = differs(u->def, v->def);
			if (why)
				fail_msg("--%s: %s and %s differ in %s",
					 u->def->name, gb_scenarios[s]->name,
					 gb_scenarios[t]->name, why);
		}
	}
}

static void test_one_definition_per_name(void **state)
{
	(void)state;
	for (size_t s = 0; s < gb_nr_scenarios; s++) {
		const struct gb_param_use *u = gb_scenarios[s]->params;

		for (; u && u->def; u++)
			check_against_others(s, u);
	}
}

/* A scenario accepts words of the parameter, and at least one. */
static void test_accepted_words_exist(void **state)
{
	(void)state;
	for (size_t s = 0; s < gb_nr_scenarios; s++) {
		const struct gb_param_use *u = gb_scenarios[s]->params;

		for (; u && u->def; u++) {
			size_t n = 0;

			if (!u->words)
				continue;
			if (!u->def->words)
				fail_msg("%s --%s: words accepted of a number",
					 gb_scenarios[s]->name, u->def->name);
			while (u->def->words[n])
				n++;
			assert_int_equal(u->words >> n, 0);
		}
	}
}

/* Every default parses against its own definition. */
static void test_defaults_parse(void **state)
{
	(void)state;
	for (size_t s = 0; s < gb_nr_scenarios; s++) {
		const struct gb_param_use *u = gb_scenarios[s]->params;

		for (; u && u->def; u++) {
			struct gb_param_val v;
			char err[256];

			if (gb_param_parse(u->def, u->def->def, &v, err,
					   sizeof(err)))
				fail_msg("%s --%s: %s", gb_scenarios[s]->name,
					 u->def->name, err);
		}
	}
}

/* The check itself: a copy that drifted is caught. */
static void test_differs_catches_a_copy(void **state)
{
	struct gb_param_def copy = gb_param_guard_pages;

	(void)state;
	assert_non_null(differs(&copy, &gb_param_guard_pages));
	copy.max = 511;
	assert_string_equal(differs(&copy, &gb_param_guard_pages), "range");
	assert_null(differs(&gb_param_share, &gb_param_share));
}

static void test_accepts(void **state)
{
	const struct gb_scenario *faults = gb_scenario_find("faults");
	const struct gb_scenario *scaling = gb_scenario_find("scaling");

	(void)state;
	assert_true(gb_param_accepts(faults, "share", GB_SHARE_OTHER_VMA));
	assert_false(gb_param_accepts(faults, "share", GB_SHARE_OWN_VMA));
	assert_true(gb_param_accepts(scaling, "share", GB_SHARE_OWN_VMA));
	assert_false(gb_param_accepts(scaling, "share", GB_SHARE_OTHER_VMA));
	assert_true(gb_param_accepts(faults, "guard-pages", 7));
	assert_false(gb_param_accepts(faults, "reader-op", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_definition_per_name),
		cmocka_unit_test(test_accepted_words_exist),
		cmocka_unit_test(test_defaults_parse),
		cmocka_unit_test(test_differs_catches_a_copy),
		cmocka_unit_test(test_accepts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
