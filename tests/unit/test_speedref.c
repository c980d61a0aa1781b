// SPDX-License-Identifier: GPL-2.0
/*
 * The run-wide checks read from finished cells: did the speed reference
 * move between trials (speedref.c), did threads doing the same work run
 * at unequal rates (balance.c).  Both name cells and trials in notes
 * that end up in meta.txt and summary.txt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "measure/balance.h"
#include "measure/scenario.h"
#include "measure/speedref.h"

static const struct gb_scenario sc = { .name = "install" };

static void add_series(struct gb_cell *c, const char *name, const double *v,
		       size_t n)
{
	struct gb_series *s = &c->series[c->nr_series++];

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->v = test_malloc(n * sizeof(double));
	memcpy(s->v, v, n * sizeof(double));
	s->n = n;
}

static struct gb_cell *cell(const char *label, const double *sys,
			    const double *loop, size_t n, double noise)
{
	struct gb_cell *c = test_calloc(1, sizeof(*c));

	c->sc = &sc;
	snprintf(c->label, sizeof(c->label), "%s", label);
	add_series(c, "ref_syscall_ns", sys, n);
	add_series(c, "ref_loop_ns", loop, n);
	c->ref_noise = test_calloc(n, sizeof(*c->ref_noise));
	for (size_t t = 0; t < n; t++)
		c->ref_noise[t][0] = c->ref_noise[t][1] = noise;
	c->nr_ref_noise = n;
	return c;
}

static void cell_free(struct gb_cell *c)
{
	for (size_t i = 0; i < c->nr_series; i++)
		test_free(c->series[i].v);
	test_free(c->ref_noise);
	test_free(c);
}

/* Steady within 1%: not moved, and the note says none. */
static void test_steady(void **state)
{
	const double sys[] = { 150, 151, 149.5, 150.5, 150 };
	const double loop[] = { 1100, 1101, 1099, 1100, 1102 };
	struct gb_cell *c = cell("backing=anon pages=1", sys, loop, 5, 0.005);
	char note[512];

	(void)state;
	assert_false(gb_speedref_moved(&c, 1, note, sizeof(note)));
	assert_string_equal(note, "none");
	cell_free(c);
}

/*
 * The development VM's two states: getppid 150 ns fast, 180 slow.  A
 * run straddling them names the slow trials, in the right cell, 1-based.
 */
static void test_two_states(void **state)
{
	const double a[] = { 150, 151, 150, 149, 150 };
	const double b[] = { 150, 180, 182, 151, 150 };
	const double loop[] = { 1100, 1100, 1100, 1100, 1100 };
	struct gb_cell *c[2];
	char note[1024];

	(void)state;
	c[0] = cell("backing=anon pages=1", a, loop, 5, 0.01);
	c[1] = cell("backing=anon pages=16", b, loop, 5, 0.01);
	assert_true(gb_speedref_moved(c, 2, note, sizeof(note)));
	assert_non_null(strstr(note, "ref_syscall_ns"));
	assert_non_null(strstr(note, "pages=16: trial 2 (180.0 ns), 3"));
	assert_null(strstr(note, "pages=1:"));
	assert_null(strstr(note, "ref_loop_ns"));
	cell_free(c[0]);
	cell_free(c[1]);
}

/* A move inside 3 x the reference's own noise is not a move. */
static void test_within_noise(void **state)
{
	const double sys[] = { 150, 160, 150, 158, 151 };
	const double loop[] = { 1100, 1100, 1100, 1100, 1100 };
	struct gb_cell *c = cell("backing=anon pages=1", sys, loop, 5, 0.04);
	char note[512];

	(void)state;
	assert_false(gb_speedref_moved(&c, 1, note, sizeof(note)));
	/* the same values with 1% noise: 160 and 158 moved */
	for (size_t t = 0; t < 5; t++)
		c->ref_noise[t][0] = 0.01;
	assert_true(gb_speedref_moved(&c, 1, note, sizeof(note)));
	assert_non_null(strstr(note, "trial 2 (160.0 ns), 4 (158.0 ns)"));
	cell_free(c);
}

/* Threads doing the same work: 23% apart is flagged, 5% is not. */
static void test_imbalance(void **state)
{
	const double bad[] = { 0.23, 0.30, 0.05 };
	const double fine[] = { 0.05, 0.02, 0.40 };
	struct gb_cell *c = test_calloc(1, sizeof(*c));
	char note[512];

	(void)state;
	c->sc = &sc;
	snprintf(c->label, sizeof(c->label), "share=own-vma threads=2");
	add_series(c, "thread_rate_imbalance", fine, 3);
	assert_false(gb_imbalanced(&c, 1, note, sizeof(note)));
	assert_non_null(strstr(note, "none"));
	test_free(c->series[0].v);
	c->nr_series = 0;
	add_series(c, "thread_rate_imbalance", bad, 3);
	assert_true(gb_imbalanced(&c, 1, note, sizeof(note)));
	assert_non_null(strstr(note, "threads=2: threads' rates differ by "
				     "up to 23%"));
	test_free(c->series[0].v);
	test_free(c);
}

/*
 * The reference itself: finite, positive, a getppid round trip between
 * 10 ns and 100 us, 1000 multiply-adds at least 1000 cycles of any CPU
 * we run on (0.1 ns each) and under 1 ms.  Under qemu-user
 * (scripts/cross-arm64.sh) getppid never enters a kernel of the guest's
 * kind and the emulated counter ticks coarsely: CI saw 3.6 ns there, so
 * only "positive" is asked of the round trip.
 */
static void test_measure(void **state)
{
	double syscall_floor = getenv("GB_QEMU_USER") ? 0 : 10;
	struct gb_speedref r;
	struct gb_clock clk;

	(void)state;
	assert_int_equal(gb_clock_init(&clk, "auto"), 0);
	gb_speedref_measure(&clk, &r);
	if (!(r.syscall_ns > syscall_floor && r.syscall_ns < 100000))
		fail_msg("ref_syscall_ns = %g", r.syscall_ns);
	if (!(r.loop_ns > 100 && r.loop_ns < 1000000))
		fail_msg("ref_loop_ns = %g", r.loop_ns);
	assert_true(r.syscall_noise >= 0 && r.loop_noise >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady),
		cmocka_unit_test(test_two_states),
		cmocka_unit_test(test_within_noise),
		cmocka_unit_test(test_imbalance),
		cmocka_unit_test(test_measure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
