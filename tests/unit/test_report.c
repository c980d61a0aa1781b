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

#include "judge/report.h"
#include "files/results.h"
#include "base/stats.h"
#include "base/util.h"

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

/*
 * A run in memory with one row: @nrep replicates of @per values each,
 * value j of replicate r = v[r * per + j].  Summarised the way a run
 * summarises it and indexed as gb_run_load would.
 */
struct fake_run {
	struct gb_run run;
	struct gb_summary_row sum;
	struct gb_run_row row;
	double v[512];
	unsigned int rep[512];
};

static struct fake_run *fake(const char *metric, const double *v,
			     size_t nrep, size_t per)
{
	struct fake_run *f = gb_zalloc(sizeof(*f));
	char err[256];

	snprintf(f->sum.scenario, sizeof(f->sum.scenario), "install");
	snprintf(f->sum.cell, sizeof(f->sum.cell), "backing=anon pages=1");
	snprintf(f->sum.metric, sizeof(f->sum.metric), "%s", metric);
	snprintf(f->sum.unit, sizeof(f->sum.unit), "ns");
	for (size_t i = 0; i < nrep * per; i++) {
		f->v[i] = v[i];
		f->rep[i] = (unsigned int)(i / per) + 1;
	}
	gb_summarise(f->v, nrep * per, &f->sum.s);
	f->row.sum = &f->sum;
	f->row.v = f->v;
	f->row.rep = f->rep;
	f->row.n = nrep * per;
	f->run.rows = &f->row;
	f->run.nr_rows = 1;
	f->run.dir = "fake";
	assert_int_equal(gb_run_index(&f->run, err, sizeof(err)), 0);
	return f;
}

static void fake_free(struct fake_run *f)
{
	free(f->run.index);
	free(f);
}

/*
 * @nrep replicates of 10 trials each: replicate r sits at @mid * @scale
 * times its offset @between[r], its trials spread +-0.5% around that.
 */
static void replicates(double *v, size_t nrep, const double *between,
		       double mid, double scale)
{
	for (size_t r = 0; r < nrep; r++)
		for (int i = 0; i < 10; i++)
			v[r * 10 + (size_t)i] = mid * scale * between[r] *
						(1 + 0.001 * (i - 4.5));
}

static const double flat[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
/* five replicates 0.4% apart: a quiet machine, as measured here */
static const double quiet5[5] = { 0.996, 0.998, 1.0, 1.002, 1.004 };

static enum gb_outcome judge_one(const char *metric, const double *b,
				 size_t nb, const double *n, size_t nn,
				 size_t per, const struct gb_floors *fl,
				 struct gb_diff *d)
{
	struct fake_run *fb = fake(metric, b, nb, per);
	struct fake_run *fn = fake(metric, n, nn, per);
	struct gb_group gb = { .runs = &fb->run, .nr = 1 };
	struct gb_group gn = { .runs = &fn->run, .nr = 1 };

	gb_diff_measure(d, &gb, &gn, &fb->sum, fl, false);
	gb_diffs_judge(d, 1, GB_DEFAULT_DELTA);
	/* d keeps a pointer into the rows: only scalars are used below */
	d->sum = NULL;
	fake_free(fb);
	fake_free(fn);
	return d->outcome;
}

static void test_identical_is_equivalent(void **state)
{
	double b[50];
	struct gb_diff d;

	(void)state;
	replicates(b, 5, quiet5, 700, 1);
	assert_int_equal(judge_one("install_latency_p50_ns", b, 5, b, 5, 10,
				   NULL, &d), GB_OUT_EQUIVALENT);
	assert_true(fabs(d.ratio - 1) < 1e-12 && d.lo >= 0.98 &&
		    d.hi <= 1.02 && d.mde < 0.02);
	assert_false(d.significant);
}

/*
 * The regression of issue 11: a real run's row (cv 0.4%) multiplied by
 * 1.05 in every trial was called inconclusive.  With replicates as the
 * unit it is worse for a latency and better for a rate, and the
 * interval holds the +5%.
 */
static void test_five_percent_copy_is_worse(void **state)
{
	double b[50], n[50];
	struct gb_diff d;

	(void)state;
	replicates(b, 5, quiet5, 700, 1);
	for (size_t i = 0; i < 50; i++)
		n[i] = b[i] * 1.05;
	assert_int_equal(judge_one("install_latency_p50_ns", b, 5, n, 5, 10,
				   NULL, &d), GB_OUT_WORSE);
	assert_true(d.lo > 1.04 && d.hi < 1.06 && d.significant);
	assert_true(fabs(d.ratio - 1.05) < 1e-9);
	assert_int_equal(judge_one("pairs_per_sec", b, 5, n, 5, 10, NULL, &d),
			 GB_OUT_DESCRIPTIVE);	/* not primary for install */
}

/* Trials in any order, replicates in any order: the same verdict. */
static void test_order_does_not_matter(void **state)
{
	double b[50], n[50], bs[50], ns[50];
	struct gb_diff d1, d2;

	(void)state;
	replicates(b, 5, quiet5, 700, 1);
	replicates(n, 5, quiet5, 700, 1.03);
	/* shuffle trials within each replicate, and the replicates */
	for (size_t r = 0; r < 5; r++)
		for (size_t i = 0; i < 10; i++) {
			bs[((r + 2) % 5) * 10 + (i * 7) % 10] = b[r * 10 + i];
			ns[((r + 3) % 5) * 10 + (i * 3) % 10] = n[r * 10 + i];
		}
	judge_one("install_latency_p50_ns", b, 5, n, 5, 10, NULL, &d1);
	judge_one("install_latency_p50_ns", bs, 5, ns, 5, 10, NULL, &d2);
	assert_int_equal(d1.outcome, d2.outcome);
	assert_true(d1.ratio == d2.ratio && d1.lo == d2.lo && d1.p == d2.p);
}

/*
 * Replicates 10% apart hide a 3% change: inconclusive, never
 * equivalent, and the detectable change says why.
 */
static void test_noise_is_inconclusive(void **state)
{
	const double wide[5] = { 0.9, 1.12, 0.95, 1.05, 1.0 };
	const double wide2[5] = { 1.08, 0.93, 1.0, 0.97, 1.1 };
	double b[50], n[50];
	struct gb_diff d;

	(void)state;
	replicates(b, 5, wide, 700, 1);
	replicates(n, 5, wide2, 700, 1.03);
	assert_int_equal(judge_one("install_latency_p50_ns", b, 5, n, 5, 10,
				   NULL, &d), GB_OUT_INCONCLUSIVE);
	assert_true(d.mde > 0.05);
}

/*
 * One replicate a side: how much runs differ is unknown, so no verdict
 * however separated the trials; a measured noise floor stands in.
 */
static void test_one_replicate_needs_a_floor(void **state)
{
	double b[10], n[10];
	struct gb_floor_row row = { .scenario = "install",
				    .cell = "backing=anon pages=1",
				    .metric = "install_latency_p50_ns",
				    .f = { .log_sd = 0.004, .df = 8 } };
	struct gb_floors fl = { .rows = &row, .n = 1 };
	struct gb_diff d;

	(void)state;
	replicates(b, 1, flat, 700, 1);
	replicates(n, 1, flat, 700, 1.10);
	assert_int_equal(judge_one("install_latency_p50_ns", b, 1, n, 1, 10,
				   NULL, &d), GB_OUT_INCONCLUSIVE);
	assert_true(isnan(d.p) && isnan(d.lo) && d.why);
	assert_true(fabs(d.ratio - 1.10) < 1e-9);
	assert_int_equal(judge_one("install_latency_p50_ns", b, 1, n, 1, 10,
				   &fl, &d), GB_OUT_WORSE);
	assert_true(d.used_floor && d.lo > 1);
}

/* Lock counts, one value a replicate: equal within delta or 0.05. */
static void test_counts(void **state)
{
	const double two = 2, one = 1, zero = 0, tiny = 2e-5;
	struct gb_diff d;

	(void)state;
	assert_int_equal(judge_one("mmap_lock_read_per_pair", &two, 1, &two, 1,
				   1, NULL, &d), GB_OUT_EQUAL);
	assert_true(d.counts && isnan(d.p) && isnan(d.lo));
	assert_int_equal(judge_one("mmap_lock_write_per_pair", &zero, 1, &one,
				   1, 1, NULL, &d), GB_OUT_DIFFERS);
	assert_int_equal(judge_one("lock_contention_per_pair", &tiny, 1, &zero,
				   1, 1, NULL, &d), GB_OUT_EQUAL);
}

/* A zero median has no ratio: n/a, not a crash or a false verdict. */
static void test_zero_median_is_na(void **state)
{
	double z[50] = { 0 }, n[50];
	struct gb_diff d;

	(void)state;
	replicates(n, 5, quiet5, 5, 1);
	assert_int_equal(judge_one("install_latency_p50_ns", z, 5, n, 5, 10,
				   NULL, &d), GB_OUT_NA);
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
		     "install\tc\t1\tm\t1\tns\n", ":3: replicate 1 trial 1 of "
		     "install c m comes after replicate 1 trial 2");
	/* format 2: replicates must not go back either */
	expect_error("scenario\tcell\treplicate\ttrial\tmetric\tvalue\tunit\n"
		     "install\tc\t2\t1\tm\t1\tns\n"
		     "install\tc\t1\t2\tm\t1\tns\n", ":3: replicate 1 trial 2 "
		     "of install c m comes after replicate 2 trial 1");
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
		cmocka_unit_test(test_five_percent_copy_is_worse),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_noise_is_inconclusive),
		cmocka_unit_test(test_one_replicate_needs_a_floor),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_zero_median_is_na),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_trials_grouped_by_cell_and_metric),
		cmocka_unit_test(test_trials_rejects_bad_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
