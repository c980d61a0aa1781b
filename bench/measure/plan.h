/* SPDX-License-Identifier: GPL-2.0 */
/* The plan: the cells the scenarios' plan() hooks add, and sweeps. */
#ifndef GB_PLAN_H
#define GB_PLAN_H

#include <stddef.h>

#include "base/config.h"

struct gb_cell;
struct gb_scenario;

/* Every cell of a run, in plan order; controls follow their cell. */
struct gb_plan {
	struct gb_cell **cells;
	size_t nr;
};

/*
 * plan() calls this once per cell; it returns the cell to fill in.  A
 * scenario with a control_label gets the cell's no-subject twin too.
 */
struct gb_cell *gb_plan_add(struct gb_plan *plan, const struct gb_scenario *sc,
			    unsigned int nr_contenders, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The cell's own typed values (a struct of the scenario's), set at plan
 * time: @size bytes, zeroed, freed with the plan; its control shares
 * them.  setup() and the ops read them back from c->args.
 */
void *gb_cell_args(struct gb_cell *c, size_t size);

/* Contender counts a sweep visits: 0,1,2,4,...,max. */
size_t gb_sweep_points(unsigned int max, unsigned int *out, size_t room);

/* The cells' values in a gb_plan_op_sweep(). */
struct gb_op_args {
	int op;			/* index into the op words; -1: none */
	long guard_pages;
};

/*
 * The cells of a sweep of contenders running one of several ops: for
 * each count N > 0 of the sweep and each op in @ops, "op=OP ROLE=N";
 * for N = 0 one cell "op=none ROLE=0" with op -1 (no contender: the op
 * means nothing).  Their args are a struct gb_op_args.
 */
void gb_plan_op_sweep(struct gb_plan *plan, const struct gb_scenario *sc,
		      unsigned int max_contenders,
		      const struct gb_param_val *ops,
		      const char *const *op_words, const char *role,
		      long guard_pages);

/*
 * A whole plan() for @sc: gb_plan_op_sweep() over the words of
 * parameter @op_param, role @sc->name, and one --guard-pages value that
 * leaves the range one page into its page-table page.  0, or -1 with
 * problem and fix in @err.  GB_OP_SWEEP_PLAN() (scenario.h) wraps it.
 */
int gb_plan_guard_op_sweep(struct gb_plan *plan, const struct gb_scenario *sc,
			   const struct gb_config *cfg,
			   unsigned int max_contenders, const char *op_param,
			   char *err, size_t errlen);

/* Phases in one trial of @c: 2 with a control (ABBA), else 1. */
unsigned int gb_cell_phases(const struct gb_cell *c);

/* Seconds cell @c takes: warm-up, trials and the lock-counting phase. */
double gb_cell_estimate(const struct gb_config *cfg, const struct gb_cell *c);

/* Seconds the plan will take, for progress and the --quick check. */
double gb_plan_estimate(const struct gb_plan *plan,
			const struct gb_config *cfg);

/* Free every cell and its series; the plan is empty again. */
void gb_plan_free(struct gb_plan *plan);

#endif
