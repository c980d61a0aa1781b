// SPDX-License-Identifier: GPL-2.0
/*
 * The plan object: cells and their controls, typed per-cell values,
 * the contender sweeps and the time estimate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/config.h"
#include "measure/plan.h"
#include "measure/scenario.h"

static const char *const ops[] = { "install", "remove", NULL };
static const struct gb_scenario plain = { .name = "plain",
					  .timed_ops = ops };
static const struct gb_scenario with_ctl = { .name = "ctl",
					     .timed_ops = ops,
					     .control_label = "installer=none" };

struct my_args {
	long pages;
	int mode;
};

static void test_add_and_args(void **state)
{
	struct gb_plan plan = { 0 };
	struct gb_cell *a, *b;
	struct my_args *v;

	(void)state;
	a = gb_plan_add(&plan, &plain, 0, "pages=%d", 16);
	b = gb_plan_add(&plan, &with_ctl, 2, "faulters=%u", 2u);
	assert_int_equal(plan.nr, 3);		/* b's control follows it */
	assert_string_equal(a->label, "pages=16");
	assert_ptr_equal(plan.cells[2], b->control);
	assert_true(b->control->is_control);
	assert_string_equal(b->control->label, "faulters=2 installer=none");
	assert_null(a->control);

	v = gb_cell_args(b, sizeof(*v));
	v->pages = 7;
	assert_ptr_equal(b->args, v);
	assert_ptr_equal(b->control->args, v);	/* shared, freed once */
	gb_plan_free(&plan);
	assert_int_equal(plan.nr, 0);
	assert_null(plan.cells);
}

static void test_sweep_points(void **state)
{
	unsigned int pts[8];

	(void)state;
	assert_int_equal(gb_sweep_points(0, pts, 8), 1);
	assert_int_equal(gb_sweep_points(6, pts, 8), 5);
	assert_int_equal(pts[0], 0);
	assert_int_equal(pts[3], 4);
	assert_int_equal(pts[4], 6);
	assert_int_equal(gb_sweep_points(8, pts, 8), 5);
	assert_int_equal(pts[4], 8);
}

static void test_op_sweep(void **state)
{
	static const char *const words[] = { "a", "b", NULL };
	struct gb_param_val v = { .n = 2, .v = { 1, 0 } };
	struct gb_plan plan = { 0 };
	const struct gb_op_args *o;

	(void)state;
	gb_plan_op_sweep(&plan, &plain, 2, &v, words, "readers", 3);
	/* N = 0 once, then each op at N = 1 and N = 2 */
	assert_int_equal(plan.nr, 5);
	assert_string_equal(plan.cells[0]->label, "op=none readers=0");
	o = plan.cells[0]->args;
	assert_int_equal(o->op, -1);
	assert_int_equal(o->guard_pages, 3);
	assert_string_equal(plan.cells[1]->label, "op=b readers=1");
	o = plan.cells[1]->args;
	assert_int_equal(o->op, 1);
	assert_string_equal(plan.cells[4]->label, "op=a readers=2");
	gb_plan_free(&plan);
}

static void test_estimate(void **state)
{
	struct gb_config cfg = { .trials = 10, .duration_s = 1,
				 .warmup_s = 0.5 };
	struct gb_plan plan = { 0 };

	(void)state;
	gb_plan_add(&plan, &plain, 0, "one");
	gb_plan_add(&plan, &with_ctl, 1, "two");
	/* warm-up + lock phase + trials, twice as many with a control */
	assert_float_equal(gb_cell_estimate(&cfg, plan.cells[0]), 11.5, 1e-9);
	assert_float_equal(gb_plan_estimate(&plan, &cfg), 11.5 + 21.5, 1e-9);
	gb_plan_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_args),
		cmocka_unit_test(test_sweep_points),
		cmocka_unit_test(test_op_sweep),
		cmocka_unit_test(test_estimate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
