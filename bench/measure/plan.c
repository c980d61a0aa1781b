// SPDX-License-Identifier: GPL-2.0
/*
 * The plan: cells added by the scenarios' plan() hooks, the contender
 * sweeps they use, and how long the plan will take.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "measure/plan.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "base/util.h"

void gb_plan_free(struct gb_plan *plan)
{
	for (size_t i = 0; i < plan->nr; i++) {
		struct gb_cell *c = plan->cells[i];

		for (size_t s = 0; s < c->nr_series; s++)
			free(c->series[s].v);
		for (int k = 0; k < GB_MAX_TIMED_OPS; k++)
			free(c->merged[k]);
		free(c->ref_noise);
		if (!c->is_control)
			free(c->args);
		free(c);
	}
	free(plan->cells);
	plan->cells = NULL;
	plan->nr = 0;
}

static struct gb_cell *plan_push(struct gb_plan *plan)
{
	struct gb_cell *c = gb_zalloc(sizeof(*c));

	plan->cells = realloc(plan->cells, (plan->nr + 1) * sizeof(c));
	if (!plan->cells)
		gb_die(GB_EXIT_FAILURE, "out of memory");
	plan->cells[plan->nr++] = c;
	return c;
}

struct gb_cell *gb_plan_add(struct gb_plan *plan, const struct gb_scenario *sc,
			    unsigned int nr_contenders, const char *fmt, ...)
{
	struct gb_cell *c = plan_push(plan);
	va_list ap;

	c->sc = sc;
	c->nr_contenders = nr_contenders;
	va_start(ap, fmt);
	vsnprintf(c->label, sizeof(c->label), fmt, ap);
	va_end(ap);
	if (sc->control_label && nr_contenders > 0) {
		struct gb_cell *ctl = plan_push(plan);

		*ctl = *c;
		ctl->is_control = true;
		if (snprintf(ctl->label, sizeof(ctl->label), "%s %s",
			     c->label, sc->control_label) >=
		    (int)sizeof(ctl->label))
			gb_die(GB_EXIT_FAILURE, "cell label too long");
		c->control = ctl;
	}
	return c;
}

void *gb_cell_args(struct gb_cell *c, size_t size)
{
	c->args = gb_zalloc(size);
	if (c->control)
		c->control->args = c->args;
	return c->args;
}

size_t gb_sweep_points(unsigned int max, unsigned int *out, size_t room)
{
	size_t n = 0;

	if (room)
		out[n++] = 0;
	for (unsigned int p = 1; p < max && n < room; p *= 2)
		out[n++] = p;
	if (max > 0 && n < room && out[n - 1] != max)
		out[n++] = max;
	return n;
}

static void op_cell(struct gb_plan *plan, const struct gb_scenario *sc,
		    unsigned int n, int op, const char *word, const char *role,
		    long guard_pages)
{
	struct gb_cell *c = gb_plan_add(plan, sc, n, "op=%s %s=%u", word,
					role, n);
	struct gb_op_args *a = gb_cell_args(c, sizeof(*a));

	a->op = op;
	a->guard_pages = guard_pages;
}

void gb_plan_op_sweep(struct gb_plan *plan, const struct gb_scenario *sc,
		      unsigned int max_contenders,
		      const struct gb_param_val *ops,
		      const char *const *op_words, const char *role,
		      long guard_pages)
{
	unsigned int pts[64];
	size_t n = gb_sweep_points(max_contenders, pts, ARRAY_SIZE(pts));

	for (size_t i = 0; i < n; i++) {
		if (!pts[i]) {
			op_cell(plan, sc, 0, -1, "none", role, guard_pages);
			continue;
		}
		for (size_t o = 0; o < ops->n; o++)
			op_cell(plan, sc, pts[i], (int)ops->v[o],
				op_words[ops->v[o]], role, guard_pages);
	}
}

int gb_plan_guard_op_sweep(struct gb_plan *plan, const struct gb_scenario *sc,
			   const struct gb_config *cfg,
			   unsigned int max_contenders, const char *op_param,
			   char *err, size_t errlen)
{
	const struct gb_param_val *ops = gb_param(cfg, op_param);
	long guard = gb_param_one(cfg, "guard-pages", sc->name,
				  (long)gb_slot_pages() - 1, err, errlen);

	if (guard < 0)
		return -1;
	gb_plan_op_sweep(plan, sc, max_contenders, ops, ops->def->words,
			 sc->name, guard);
	return 0;
}

unsigned int gb_cell_phases(const struct gb_cell *c)
{
	return c->control ? 2 : 1;
}

double gb_cell_estimate(const struct gb_config *cfg, const struct gb_cell *c)
{
	/* warm-up, trials, and the lock-accounting phase */
	return cfg->warmup_s + cfg->duration_s +
	       (double)cfg->trials * cfg->duration_s * gb_cell_phases(c);
}

double gb_plan_estimate(const struct gb_plan *plan,
			const struct gb_config *cfg)
{
	double s = 0;

	for (size_t i = 0; i < plan->nr; i++)
		if (!plan->cells[i]->is_control)
			s += gb_cell_estimate(cfg, plan->cells[i]);
	return s;
}
