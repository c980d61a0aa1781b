// SPDX-License-Identifier: GPL-2.0
/*
 * scaling: N threads installing and removing guards at once, each on a
 * range of its own, all timed (pooled percentiles, total rate).
 *
 *   --share same-vma     every range in one VMA of one mm
 *   --share own-vma      a VMA each, one mm
 *   --share own-process  a VMA each, a process (mm) each
 *
 * same-vma against own-vma at the same N is the cost of the lines every
 * installer writes in a shared vm_area_struct (above all __vm_flags,
 * which the merged series set_bit()s on every install even when the
 * bit is set); own-vma against own-process is the cost of the shared
 * mm (the mmap_lock rwsem's count).  The same-vma and own-process cells
 * carry those ratios, median over median, against the own-vma cell of
 * the same N (*_vs_own_vma, n = 1), derived once every cell ran (cells
 * run in a random order).
 *
 * Every range starts its own page-table page (a PMD's span), so no two
 * installers share a PTE lock; own-vma VMAs are kept apart by PROT_NONE
 * spans so they can never merge.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "measure/params.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "base/stats.h"
#include "base/util.h"

/* --share is shared with faults (params.c); these are scaling's */
static const struct gb_param_use params[] = {
	{ &gb_param_share, GB_WORD(GB_SHARE_SAME_VMA) |
			   GB_WORD(GB_SHARE_OWN_VMA) |
			   GB_WORD(GB_SHARE_OWN_PROCESS) },
	{ &gb_param_guard_pages }, { NULL },
};

/* A cell's values, set at plan time */
struct scaling_args {
	enum gb_share share;
	long guard_pages;
	const struct gb_cell *own;	/* own-vma cell of the same N */
};

const struct gb_scenario gb_scenario_scaling;

/* Metrics compared with the own-vma cell of the same N. */
static const char *const vs_metrics[] = {
	"install_latency_p50_ns", "install_latency_all_p50_ns",
	"install_latency_all_p99_ns", "pairs_per_sec_total", NULL
};

/* "share=none threads=1" (no one else: share means nothing), or N + 1 */
static const struct gb_cell *add_cell(struct gb_plan *plan, unsigned int n,
				      enum gb_share share, long guard,
				      const struct gb_cell *own)
{
	struct gb_cell *c;
	struct scaling_args *a;

	if (share == GB_SHARE_NONE)
		c = gb_plan_add(plan, &gb_scenario_scaling, 0,
				"share=none threads=1");
	else
		c = gb_plan_add(plan, &gb_scenario_scaling, n,
				"share=%s threads=%u", gb_share_words[share],
				n + 1);
	a = gb_cell_args(c, sizeof(*a));
	a->share = share;
	a->guard_pages = guard;
	a->own = share == GB_SHARE_OWN_VMA ? NULL : own;
	c->processes = share == GB_SHARE_OWN_PROCESS;
	return c;
}

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	static const long order[] = { GB_SHARE_OWN_VMA, GB_SHARE_SAME_VMA,
				      GB_SHARE_OWN_PROCESS };
	const struct gb_param_val *share = gb_param(cfg, "share");
	/* the guarded range starts one page into its page-table page */
	long guard = gb_param_one(cfg, "guard-pages", "scaling",
				  (long)gb_slot_pages() - 1, err, errlen);
	unsigned int pts[64];
	size_t n = gb_sweep_points(max_contenders, pts, ARRAY_SIZE(pts));
	bool want[GB_SHARE_NONE] = { false };

	for (size_t s = 0; s < share->n; s++) {
		if (gb_param_accepts(&gb_scenario_scaling, "share",
				     share->v[s])) {
			want[share->v[s]] = true;
			continue;
		}
		if (!share->given)
			continue;	/* faults', from the default */
		snprintf(err, errlen, "--share %s: scaling takes same-vma, "
			 "own-vma or own-process (other-vma is faults'): run "
			 "the two scenarios separately",
			 gb_share_words[share->v[s]]);
		return -1;
	}
	if (guard < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct gb_cell *own = NULL;

		if (!pts[i]) {
			add_cell(plan, 0, GB_SHARE_NONE, guard, NULL);
			continue;
		}
		/* the others' derive() reads the own-vma cell's series */
		for (size_t o = 0; o < ARRAY_SIZE(order); o++) {
			const struct gb_cell *c;

			if (!want[order[o]])
				continue;
			c = add_cell(plan, pts[i], order[o], guard, own);
			if (order[o] == GB_SHARE_OWN_VMA)
				own = c;
		}
	}
	return 0;
}

static bool one_vma(const struct gb_cell *c)
{
	const struct scaling_args *a = c->args;

	return a->share == GB_SHARE_SAME_VMA || a->share == GB_SHARE_NONE;
}

/*
 * same-vma: one VMA of N slots.  own-vma and own-process: N VMAs of a
 * slot each, a PROT_NONE slot between neighbours.  Thread i's range is
 * a page into its slot.
 */
static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	struct gb_slots *s = &c->slots;
	unsigned int nr = c->nr_contenders + 1;
	size_t stride = one_vma(c) ? 1 : 2;
	int ret = gb_guard_check(GB_BACKING_ANON, cfg, why, whylen);

	if (!ret)
		ret = gb_slots_reserve(s, stride * nr, why, whylen);
	for (unsigned int i = 0; !ret && i < (one_vma(c) ? 1 : nr); i++)
		ret = gb_slots_open(s, gb_slot(s, i * stride),
				    one_vma(c) ? nr * s->slot : s->slot,
				    "an installer's VMA", why, whylen);
	if (ret)
		return ret;
	c->worker_priv = gb_slot(s, 0) + s->page;
	c->worker_stride = stride * s->slot;
	return 0;
}

static int subject_op(struct gb_worker *w, unsigned int op)
{
	const struct scaling_args *a = w->cell->args;
	const struct gb_slots *s = &w->cell->slots;
	bool one = one_vma(w->cell);
	/* the VMA this thread installs in: what --emulate flips */
	char *vma = one ? gb_slot(s, 0) : (char *)w->priv - s->page;
	size_t vma_len = one ? (w->cell->nr_contenders + 1) * s->slot :
			       s->slot;

	return gb_guard_subject_op(w, op, w->priv,
				   (size_t)a->guard_pages * s->page, vma,
				   vma_len);
}

/*
 * This cell's median over the own-vma cell's median: one derived value
 * (n = 1, like the lock counts; nothing in trials.tsv), added by derive()
 * once every cell ran, because the harness has no metric across cells.
 * Reads "1.00 = sharing costs nothing".
 */
static void put_vs_own(struct gb_cell *c, const struct gb_cell *own)
{
	for (int m = 0; vs_metrics[m]; m++) {
		const struct gb_series *a = gb_cell_series(c, vs_metrics[m]);
		const struct gb_series *b = gb_cell_series(own, vs_metrics[m]);
		struct gb_series *s;
		double base;

		if (!a || !b || !a->n || !b->n ||
		    c->nr_series == GB_MAX_METRICS)
			continue;
		base = gb_median(b->v, b->n);
		if (base <= 0)
			continue;
		s = &c->series[c->nr_series++];
		snprintf(s->name, sizeof(s->name), "%s_vs_own_vma",
			 vs_metrics[m]);
		s->unit = "ratio";
		s->v = gb_zalloc(sizeof(double));
		s->v[0] = gb_median(a->v, a->n) / base;
		s->n = 1;
	}
}

/*
 * The differential design for PMU counts: per op, this cell's median
 * minus the own-vma cell's at the same N.  Same threads, same ops, same
 * mm; only the VMA is shared, so for same-vma the difference is the
 * traffic on per-VMA shared lines (vm_flags above all) per op.  For
 * own-process it is what the shared mm costs (the mmap_lock count).
 */
static void put_pmu_minus_own(struct gb_cell *c, const struct gb_cell *own)
{
	size_t n = c->nr_series;

	for (size_t i = 0; i < n && c->nr_series < GB_MAX_METRICS; i++) {
		const struct gb_series *a = &c->series[i];
		const struct gb_series *b;
		struct gb_series *s;

		if (strncmp(a->name, "pmu.", 4) || !a->n)
			continue;
		b = gb_cell_series(own, a->name);
		if (!b || !b->n)
			continue;
		s = &c->series[c->nr_series++];
		if (snprintf(s->name, sizeof(s->name), "%s_minus_own_vma",
			     a->name) >= (int)sizeof(s->name)) {
			c->nr_series--;
			continue;
		}
		s->unit = a->unit;
		s->v = gb_zalloc(sizeof(double));
		s->v[0] = gb_median(a->v, a->n) - gb_median(b->v, b->n);
		s->n = 1;
	}
}

static void derive(struct gb_cell *c)
{
	const struct scaling_args *a = c->args;
	const struct gb_cell *own = a->own;

	if (own && own->status == GB_CELL_DONE && c->nr_series) {
		put_vs_own(c, own);
		put_pmu_minus_own(c, own);
	}
}

GB_SCENARIO(scaling, "N threads install/remove guards at once, each on "
	    "its own range: one VMA, a VMA each, or a process each (--share)",
	.primary = GB_LIST("install_latency_all_p50_ns",
			   "pairs_per_sec_total"),
	.contender_role = "installer",
	.all_timed = true,
	.subject_op = subject_op,
	.derive = derive);
