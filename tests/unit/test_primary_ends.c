// SPDX-License-Identifier: GPL-2.0
/*
 * Primary rows at the ends of a sweep ("METRIC@KEY"): fork's guard
 * counts and install's page counts are judged at their smallest and
 * largest value within each group of otherwise equal cells.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "judge/primary_ends.h"
#include "measure/scenario.h"

struct row_spec {
	const char *scenario, *cell, *metric;
	bool before, after;
};

static void check(const struct row_spec *spec, size_t n)
{
	struct gb_summary_row rows[16];
	const struct gb_summary_row *ptr[16];
	bool primary[16];

	assert_true(n <= 16);
	memset(rows, 0, sizeof(rows));
	for (size_t i = 0; i < n; i++) {
		snprintf(rows[i].scenario, sizeof(rows[i].scenario), "%s",
			 spec[i].scenario);
		snprintf(rows[i].cell, sizeof(rows[i].cell), "%s",
			 spec[i].cell);
		snprintf(rows[i].metric, sizeof(rows[i].metric), "%s",
			 spec[i].metric);
		ptr[i] = &rows[i];
		primary[i] = gb_metric_primary(spec[i].scenario,
					       spec[i].metric);
		if (primary[i] != spec[i].before)
			fail_msg("%s %s %s: primary by metric %d, want %d",
				 spec[i].scenario, spec[i].cell,
				 spec[i].metric, primary[i], spec[i].before);
	}
	gb_primary_ends(ptr, n, primary);
	for (size_t i = 0; i < n; i++)
		if (primary[i] != spec[i].after)
			fail_msg("%s %s %s: primary %d, want %d",
				 spec[i].scenario, spec[i].cell,
				 spec[i].metric, primary[i], spec[i].after);
}

/* fork: guards 0 and 1024 per backing; 1 and 64 are descriptive */
static void test_fork_guards(void **state)
{
	static const char *m = "fork_latency_p50_ns";
	const struct row_spec rows[] = {
		{ "fork", "backing=anon guards=64", m, true, false },
		{ "fork", "backing=anon guards=0", m, true, true },
		{ "fork", "backing=anon guards=1024", m, true, true },
		{ "fork", "backing=anon guards=1", m, true, false },
		{ "fork", "backing=shmem guards=1", m, true, true },
		{ "fork", "backing=shmem guards=2048", m, true, true },
		{ "fork", "backing=anon guards=64", "forks_per_sec",
		  false, false },
	};

	(void)state;
	check(rows, sizeof(rows) / sizeof(rows[0]));
}

/* install: the key sits first or last in the cell; numeric order */
static void test_install_pages(void **state)
{
	const struct row_spec rows[] = {
		{ "install", "backing=anon pages=16", "install_latency_p50_ns",
		  true, false },
		{ "install", "backing=anon pages=512",
		  "install_latency_p50_ns", true, true },
		{ "install", "backing=anon pages=1", "install_latency_p50_ns",
		  true, true },
		{ "install", "backing=anon pages=16", "remove_latency_p50_ns",
		  true, true },	/* alone in its metric: both ends */
		{ "install", "backing=file pages=2", "install_latency_p50_ns",
		  true, true },
		{ "install", "backing=file pages=9", "install_latency_p50_ns",
		  true, true },
	};

	(void)state;
	check(rows, sizeof(rows) / sizeof(rows[0]));
}

/* a plain primary metric and a cell without the key stay as they are */
static void test_untouched(void **state)
{
	const struct row_spec rows[] = {
		{ "faults", "share=same-vma faulters=1",
		  "install_latency_p50_ns", true, true },
		{ "faults", "share=same-vma faulters=2",
		  "install_latency_p50_ns", true, true },
		{ "faults", "share=same-vma faulters=4",
		  "install_latency_p50_ns", true, true },
		{ "fork", "backing=anon", "fork_latency_p50_ns", true, true },
		{ "fork", "backing=anon guards=x", "fork_latency_p50_ns",
		  true, true },
	};
	char key[32];

	(void)state;
	check(rows, sizeof(rows) / sizeof(rows[0]));
	assert_true(gb_metric_primary_end("fork", "fork_latency_p50_ns",
					  key, sizeof(key)));
	assert_string_equal(key, "guards");
	assert_false(gb_metric_primary_end("faults", "install_latency_p50_ns",
					   key, sizeof(key)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_guards),
		cmocka_unit_test(test_install_pages),
		cmocka_unit_test(test_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
