// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers by simulation (issue 11): runs with a known between-
 * replicate and within-replicate spread, judged as compare judges
 * them.  Same-kernel comparisons must raise a false better/worse in at
 * most the nominal family-wise rate; a shift of three times the noise
 * floor must be found.  Seeded: CI sees the same numbers every time.
 *
 * The spreads are this VM's (issue 11): runs of one kernel 10% apart
 * (cv of replicate medians), trials 1.5% apart within a run.  The
 * noise floor of a row is its between-replicate sd.
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
#include <cmocka.h>

#include "judge/compare_stats.h"
#include "judge/replicate_stats.h"
#include "judge/report.h"
#include "base/stats.h"
#include "base/util.h"

#define SIMS		1000
#define CELLS		10		/* x 2 primary metrics = 20 rows */
#define ROWS		(2 * CELLS)
#define TRIALS		10
#define BETWEEN		0.10
#define WITHIN		0.015

struct sim_run {
	struct gb_run run;
	struct gb_summary_row sum[ROWS];
	struct gb_run_row row[ROWS];
	double *v;
	unsigned int *rep;
};

static double gauss(struct gb_rng *r)
{
	double u1 = ((double)(gb_rng_next_u64(r) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = ((double)(gb_rng_next_u64(r) >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* One run of @nrep replicates; row @shifted (or -1) scaled by @shift. */
static void sim_run(struct sim_run *s, struct gb_rng *r, size_t nrep,
		    long shifted, double shift)
{
	size_t per = nrep * TRIALS;
	char err[256];

	free(s->run.index);
	memset(&s->run, 0, sizeof(s->run));
	for (size_t i = 0; i < ROWS; i++) {
		struct gb_summary_row *sum = &s->sum[i];
		double *v = &s->v[i * per];
		unsigned int *rep = &s->rep[i * per];

		snprintf(sum->scenario, sizeof(sum->scenario), "install");
		snprintf(sum->cell, sizeof(sum->cell), "backing=anon pages=%zu",
			 i / 2 + 1);
		snprintf(sum->metric, sizeof(sum->metric), "%s_latency_p50_ns",
			 i % 2 ? "remove" : "install");
		for (size_t k = 0; k < nrep; k++) {
			double level = 1000 * exp(BETWEEN * gauss(r)) *
				       ((long)i == shifted ? shift : 1);

			for (size_t t = 0; t < TRIALS; t++) {
				v[k * TRIALS + t] = level *
						    exp(WITHIN * gauss(r));
				rep[k * TRIALS + t] = (unsigned int)k + 1;
			}
		}
		s->row[i].sum = sum;
		s->row[i].v = v;
		s->row[i].rep = rep;
		s->row[i].n = per;
	}
	s->run.rows = s->row;
	s->run.nr_rows = ROWS;
	s->run.dir = "sim";
	assert_int_equal(gb_run_index(&s->run, err, sizeof(err)), 0);
}

/* Judge one simulated comparison; count rows called better or worse. */
static size_t judged_changed(struct sim_run *b, struct sim_run *n,
			     long *which)
{
	struct gb_group gb = { .runs = &b->run, .nr = 1 };
	struct gb_group gn = { .runs = &n->run, .nr = 1 };
	struct gb_diff d[ROWS];
	size_t changed = 0;

	for (size_t i = 0; i < ROWS; i++)
		gb_diff_measure(&d[i], &gb, &gn, &b->sum[i], NULL, false);
	gb_diffs_judge(d, ROWS, GB_DEFAULT_DELTA);
	*which = -1;
	for (size_t i = 0; i < ROWS; i++)
		if (d[i].outcome == GB_OUT_BETTER ||
		    d[i].outcome == GB_OUT_WORSE) {
			changed++;
			*which = (long)i;
		}
	return changed;
}

static struct sim_run *sim_alloc(size_t nrep)
{
	struct sim_run *s = gb_zalloc(sizeof(*s));

	s->v = gb_zalloc(ROWS * nrep * TRIALS * sizeof(*s->v));
	s->rep = gb_zalloc(ROWS * nrep * TRIALS * sizeof(*s->rep));
	return s;
}

static void sim_free(struct sim_run *s)
{
	free(s->run.index);
	free(s->v);
	free(s->rep);
	free(s);
}

/* Rate of simulations in which any row was called better or worse. */
static double rate(size_t nrep, double shift, bool want_row0,
		   uint64_t seed)
{
	struct sim_run *b = sim_alloc(nrep), *n = sim_alloc(nrep);
	struct gb_rng r;
	size_t hits = 0;

	gb_rng_seed(&r, seed);
	for (int i = 0; i < SIMS; i++) {
		long which;
		size_t c;

		sim_run(b, &r, nrep, -1, 1);
		sim_run(n, &r, nrep, 0, shift);
		c = judged_changed(b, n, &which);
		hits += want_row0 ? c >= 1 && which == 0 : c > 0;
	}
	sim_free(b);
	sim_free(n);
	return (double)hits / SIMS;
}

/* Same kernel on both sides: at most 5% of comparisons raise any alarm. */
static void test_aa_family_wise_rate(void **state)
{
	static const size_t reps[] = { 2, 3, 5, 8 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reps); i++) {
		double fw = rate(reps[i], 1, false, 42 + i);

		print_message("A/A, %zu replicates a side, %d rows: any false "
			      "better/worse in %.1f%% of %d comparisons\n",
			      reps[i], ROWS, fw * 100, SIMS);
		assert_true(fw <= 0.05);
	}
}

/*
 * A shift of three noise floors (3 x 10% between replicates) in one row
 * is found with the replicates make bench runs by default and more.
 */
static void test_three_floors_found(void **state)
{
	static const size_t reps[] = { 8, 10 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reps); i++) {
		double pw = rate(reps[i], exp(3 * BETWEEN), true, 7 + i);

		print_message("+%.0f%% (3 noise floors), %zu replicates a "
			      "side: found in %.1f%% of %d comparisons\n",
			      (exp(3 * BETWEEN) - 1) * 100, reps[i], pw * 100,
			      SIMS);
		assert_true(pw >= 0.80);
	}
}

/* Student's t against published table values. */
static void test_t_distribution(void **state)
{
	(void)state;
	assert_true(fabs(gb_t_quantile(0.975, 10) - 2.228139) < 1e-5);
	assert_true(fabs(gb_t_quantile(0.975, 1) - 12.706205) < 1e-4);
	assert_true(fabs(gb_t_quantile(0.8, 4) - 0.940965) < 1e-5);
	assert_true(fabs(gb_t_quantile(0.025, 30) + 2.042272) < 1e-5);
	assert_true(fabs(gb_t_cdf(2.228139, 10) - 0.975) < 1e-6);
	assert_true(fabs(gb_t_cdf(0, 3) - 0.5) < 1e-12);
	assert_true(isnan(gb_t_quantile(0, 5)) && isnan(gb_t_cdf(1, 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t_distribution),
		cmocka_unit_test(test_aa_family_wise_rate),
		cmocka_unit_test(test_three_floors_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
