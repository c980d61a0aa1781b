// SPDX-License-Identifier: GPL-2.0
/*
 * What compare and trend decide per row: which way is better, the
 * verdict for a known shift, counts, and the trials reader they read
 * per-trial values with.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report.h"
#include "results.h"
#include "stats.h"
#include "util.h"

static void test_directions(void **state)
{
	(void)state;
	assert_int_equal(gb_metric_direction("install_latency_p50_ns"),
			 GB_DIR_LOWER);
	assert_int_equal(gb_metric_direction("remove_latency_max_ns"),
			 GB_DIR_LOWER);
	assert_int_equal(gb_metric_direction("pairs_per_sec"), GB_DIR_HIGHER);
	assert_int_equal(gb_metric_direction("faults_per_sec_total"),
			 GB_DIR_HIGHER);
	assert_int_equal(gb_metric_direction("faulter_ops_per_sec_each"),
			 GB_DIR_HIGHER);
	assert_int_equal(gb_metric_direction("fault_rate_vs_control"),
			 GB_DIR_HIGHER);
	assert_int_equal(gb_metric_direction("mmap_lock_read_per_pair"),
			 GB_DIR_NONE);
	assert_int_equal(gb_metric_direction("lock_contention_per_faulter_op"),
			 GB_DIR_NONE);
	/* the lock rules come first: a count is never a latency */
	assert_int_equal(gb_metric_direction("mmap_lock_latency_p50_ns"),
			 GB_DIR_NONE);
	assert_int_equal(gb_metric_direction("install_latency_p50_ns_vs_own_vma"),
			 GB_DIR_LOWER);
	assert_int_equal(gb_metric_direction("pairs_per_sec_total_vs_own_vma"),
			 GB_DIR_HIGHER);
	assert_int_equal(gb_metric_direction("pmu.CONTEXT-SWITCHES_per_pair"),
			 GB_DIR_NONE);
	assert_int_equal(gb_metric_direction("pmu_running_ratio_min"),
			 GB_DIR_NONE);
	assert_int_equal(gb_metric_direction("something_new"), GB_DIR_NONE);
}

/* A run row over @v, summarised the way a run summarises it. */
struct fake_row {
	struct gb_summary_row sum;
	struct gb_run_row row;
	double v[64];
};

static void fake(struct fake_row *f, const char *metric, const double *v,
		 size_t n)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->sum.scenario, sizeof(f->sum.scenario), "install");
	snprintf(f->sum.cell, sizeof(f->sum.cell), "backing=anon pages=1");
	snprintf(f->sum.metric, sizeof(f->sum.metric), "%s", metric);
	memcpy(f->v, v, n * sizeof(*v));
	gb_summarise(f->v, n, &f->sum.s);
	f->row.sum = &f->sum;
	f->row.v = f->v;
	f->row.n = n;
}

/* 10 values around @mid with a spread of +-0.5%, scaled by @scale. */
static void quiet(double *v, double mid, double scale)
{
	for (int i = 0; i < 10; i++)
		v[i] = mid * scale * (1 + 0.001 * (i - 4.5));
}

static enum gb_outcome judge_one(const char *metric, const double *b,
				 size_t nb, const double *n, size_t nn,
				 struct gb_diff *d)
{
	struct fake_row *fb = gb_zalloc(sizeof(*fb));
	struct fake_row *fn = gb_zalloc(sizeof(*fn));

	fake(fb, metric, b, nb);
	fake(fn, metric, n, nn);
	gb_diff_measure(d, &fb->row, &fn->row, GB_DEFAULT_SEED,
			GB_DEFAULT_DELTA);
	gb_diffs_judge(d, 1, GB_DEFAULT_DELTA);
	/* d keeps pointers into the rows: only scalars are used below */
	d->base = d->new = NULL;
	free(fb);
	free(fn);
	return d->outcome;
}

static void test_identical_is_equivalent(void **state)
{
	double b[10];
	struct gb_diff d;

	(void)state;
	quiet(b, 700, 1);
	assert_int_equal(judge_one("install_latency_p50_ns", b, 10, b, 10, &d),
			 GB_OUT_EQUIVALENT);
	assert_true(d.ratio == 1 && d.lo >= 0.98 && d.hi <= 1.02);
	assert_false(d.significant);
}

/* +10% with 0.5% noise: latency worse, rate better, CI excludes 1. */
static void test_shift_is_direction_aware(void **state)
{
	double b[10], n[10];
	struct gb_diff d;

	(void)state;
	quiet(b, 700, 1);
	quiet(n, 700, 1.10);
	assert_int_equal(judge_one("install_latency_p50_ns", b, 10, n, 10, &d),
			 GB_OUT_WORSE);
	assert_true(d.lo > 1 && d.significant);
	assert_true(fabs(d.ratio - 1.10) < 1e-9);
	/* 10 vs 10 without ties: the exact p is 2 / C(20, 10) */
	assert_true(fabs(d.p - 2.0 / 184756) < 1e-12);
	assert_int_equal(judge_one("pairs_per_sec", b, 10, n, 10, &d),
			 GB_OUT_BETTER);
	assert_int_equal(judge_one("something_new", b, 10, n, 10, &d),
			 GB_OUT_CHANGED);
}

/* 30% noise and a 3% shift: nothing can be decided. */
static void test_noise_is_inconclusive(void **state)
{
	const double b[] = { 700, 910, 520, 1100, 640, 880, 450, 760, 990, 600 };
	double n[10];
	struct gb_diff d;

	(void)state;
	for (int i = 0; i < 10; i++)
		n[i] = b[(i + 3) % 10] * 1.03;
	assert_int_equal(judge_one("install_latency_p50_ns", b, 10, n, 10, &d),
			 GB_OUT_INCONCLUSIVE);
	assert_true(d.noisy);
	assert_false(d.few);
}

/* One value a side (lock counts): equal within delta or 0.05 per op. */
static void test_counts(void **state)
{
	const double two = 2, one = 1, zero = 0, tiny = 2e-5;
	struct gb_diff d;

	(void)state;
	assert_int_equal(judge_one("mmap_lock_read_per_pair", &two, 1, &two, 1,
				   &d), GB_OUT_EQUAL);
	assert_true(d.counts && isnan(d.p) && isnan(d.lo));
	assert_int_equal(judge_one("mmap_lock_write_per_pair", &zero, 1, &one,
				   1, &d), GB_OUT_DIFFERS);
	assert_int_equal(judge_one("lock_contention_per_pair", &tiny, 1, &zero,
				   1, &d), GB_OUT_EQUAL);
}

/* A zero median has no ratio: n/a, not a crash or a false verdict. */
static void test_zero_median_is_na(void **state)
{
	double z[10] = { 0 }, n[10];
	struct gb_diff d;

	(void)state;
	quiet(n, 5, 1);
	assert_int_equal(judge_one("faults_per_sec_total", z, 10, n, 10, &d),
			 GB_OUT_NA);
	assert_true(isnan(d.ratio));
}

static void test_formats(void **state)
{
	char buf[64];

	(void)state;
	gb_fmt_value(buf, sizeof(buf), 2240000);
	assert_string_equal(buf, "2.240M");
	gb_fmt_value(buf, sizeof(buf), 285320);
	assert_string_equal(buf, "285.3k");
	gb_fmt_value(buf, sizeof(buf), 0.00027);
	assert_string_equal(buf, "2.7e-4");
	gb_fmt_change(buf, sizeof(buf), 1.0256);
	assert_string_equal(buf, "+2.6%");
	gb_fmt_change(buf, sizeof(buf), 14.6);
	assert_string_equal(buf, "x14.6");
	gb_fmt_value_cv(buf, sizeof(buf), 722.4, 0.02);
	assert_string_equal(buf, "722.4±2.0%");
	assert_int_equal(gb_columns(buf), 10);
	gb_fmt_p(buf, sizeof(buf), 0.0004);
	assert_string_equal(buf, "<0.001");
}

/* ---- trials.tsv reader ------------------------------------------------ */

static char *write_tmp(const char *text)
{
	char *path = gb_strdup("/tmp/gb-test-trials.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define HEADER "scenario\tcell\ttrial\tmetric\tvalue\tunit\n"

static void test_trials_grouped_by_cell_and_metric(void **state)
{
	char *path = write_tmp(HEADER
		"install\tpages=1\t1\tp50_ns\t700\tns\n"
		"install\tpages=1\t1\tops\t10\tops/s\n"
		"install\tpages=16\t1\tp50_ns\t900\tns\n"
		"install\tpages=1\t2\tp50_ns\t710\tns\n"
		"install\tpages=1\t2\tops\t11\tops/s\n"
		"install\tpages=16\t2\tp50_ns\t905\tns\n");
	struct gb_trial_series *s;
	char err[256];
	long n;

	(void)state;
	n = gb_trials_read(path, &s, err, sizeof(err));
	assert_int_equal(n, 3);
	assert_string_equal(s[0].metric, "p50_ns");
	assert_string_equal(s[0].cell, "pages=1");
	assert_int_equal(s[0].n, 2);
	assert_true(s[0].v[0] == 700 && s[0].v[1] == 710);
	assert_string_equal(s[1].unit, "ops/s");
	assert_true(s[2].v[1] == 905);
	gb_trials_free(s, n);
	unlink(path);
	free(path);
}

static void expect_error(const char *text, const char *want)
{
	char *path = write_tmp(text), err[512];
	struct gb_trial_series *s;

	assert_int_equal(gb_trials_read(path, &s, err, sizeof(err)), -1);
	assert_null(s);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	unlink(path);
	free(path);
}

static void test_trials_rejects_bad_rows(void **state)
{
	(void)state;
	expect_error(HEADER "install\tc\t2\tm\t1\tns\n"
		     "install\tc\t1\tm\t1\tns\n", ":3: trial 1 of install c m "
		     "comes after trial 2");
	expect_error(HEADER "install\tc\t1\tm\t1\tns\n"
		     "install\tc\t2\tm\t1\tms\n", ":3: unit 'ms' differs");
	expect_error(HEADER "install\tc\t1\tm\tfast\tns\n",
		     ":2: column 5: 'fast' is not a finite number");
	expect_error(HEADER "install\tc\t0\tm\t1\tns\n",
		     ":2: column 3: trial must be an integer");
	expect_error(HEADER "install\tc\t1\tm\t1\n", ":2: 5 columns, want 6");
	expect_error("scenario\tcell\n", ":1: header has 2 columns");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_identical_is_equivalent),
		cmocka_unit_test(test_shift_is_direction_aware),
		cmocka_unit_test(test_noise_is_inconclusive),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_zero_median_is_na),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_trials_grouped_by_cell_and_metric),
		cmocka_unit_test(test_trials_rejects_bad_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
