// SPDX-License-Identifier: GPL-2.0
/*
 * faults: guard install against concurrent page faults, both ways.
 *
 * The subject installs then removes guards on a range in VMA X while N
 * faulter threads write-touch their own pages and drop them with
 * MADV_DONTNEED, either inside X (share=same-vma) or in a separate VMA Y
 * (share=other-vma).  Each trial also runs a control phase with the
 * subject idle, so the fault rate can be read against the same faulters
 * without an installer (fault_rate_vs_control).  Faulters never mmap or
 * munmap in their loop: those take the mmap write lock and would blur
 * what is measured.
 *
 * Every thread's range starts its own page-table page (a PMD's span),
 * so they never contend on a PTE lock; what remains shared is the VMA
 * and the mm.  Faults are counted by the kernel (RUSAGE_THREAD minflt),
 * not inferred from pages touched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "measure/params.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "base/util.h"

/*
 * --share is shared with scaling (params.c): each scenario sweeps the
 * values it accepts, and a value only the other takes is an error when
 * given, skipped when it comes from the default.
 */
static const struct gb_param_use params[] = {
	{ &gb_param_share, GB_WORD(GB_SHARE_SAME_VMA) |
			   GB_WORD(GB_SHARE_OTHER_VMA) },
	{ &gb_param_guard_pages }, { &gb_param_fault_pages }, { NULL },
};

/* A cell's values, set at plan time */
struct faults_args {
	enum gb_share share;
	long guard_pages, fault_pages;
};

const struct gb_scenario gb_scenario_faults;

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	const struct gb_param_val *share = gb_param(cfg, "share");
	long guard, fault;
	unsigned int pts[64];
	size_t n = gb_sweep_points(max_contenders, pts, ARRAY_SIZE(pts));

	/* each range fits its page-table page; the guard starts one in */
	guard = gb_param_one(cfg, "guard-pages", "faults",
			     (long)gb_slot_pages() - 1, err, errlen);
	fault = gb_param_one(cfg, "fault-pages", "faults",
			     (long)gb_slot_pages(), err, errlen);
	if (guard < 0 || fault < 0)
		return -1;
	for (size_t s = 0; s < share->n; s++) {
		if (gb_param_accepts(&gb_scenario_faults, "share",
				     share->v[s]) || !share->given)
			continue;
		snprintf(err, errlen, "--share %s: faults takes same-vma or "
			 "other-vma (%s is scaling's): run the two scenarios "
			 "separately", gb_share_words[share->v[s]],
			 gb_share_words[share->v[s]]);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t s = 0; s < share->n; s++) {
			long sh = pts[i] ? share->v[s] : GB_SHARE_NONE;
			struct gb_cell *c;
			struct faults_args *a;

			if (sh != GB_SHARE_NONE &&
			    !gb_param_accepts(&gb_scenario_faults, "share",
					      sh))
				continue;	/* scaling's, from the default */
			c = gb_plan_add(plan, &gb_scenario_faults,
					pts[i], "share=%s faulters=%u",
					sh == GB_SHARE_NONE ? "none" :
					gb_share_words[sh], pts[i]);
			a = gb_cell_args(c, sizeof(*a));
			a->share = (enum gb_share)sh;
			a->guard_pages = guard;
			a->fault_pages = fault;
			if (!pts[i])
				break;	/* no faulters: share means nothing */
		}
	}
	return 0;
}

/*
 * One reservation [X | hole | Y]; the hole stays PROT_NONE so X and Y
 * can never merge into one VMA (checked against /proc/self/maps).  X
 * holds the subject's slot, then with share=same-vma the faulters';
 * with share=other-vma theirs are Y.
 */
static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	const struct faults_args *a = c->args;
	struct gb_slots *s = &c->slots;
	unsigned int nr = c->nr_contenders;
	size_t xslots = 1 + (a->share == GB_SHARE_SAME_VMA ? nr : 0);
	size_t yslots = a->share == GB_SHARE_OTHER_VMA ? nr : 0;
	char *x;
	int ret = gb_guard_check(GB_BACKING_ANON, cfg, why, whylen);

	if (!ret)
		ret = gb_slots_reserve(s, xslots + 1 + yslots, why, whylen);
	if (ret)
		return ret;
	x = gb_slot(s, 0);
	ret = gb_slots_open(s, x, xslots * s->slot, "VMA X", why, whylen);
	if (!ret && yslots)
		ret = gb_slots_open(s, gb_slot(s, xslots + 1), yslots * s->slot,
				    "VMA Y", why, whylen);
	/* the subject's range, one page into X: the default subject_op's */
	c->guard = (struct gb_guard_target){ x + s->page,
		(size_t)a->guard_pages * s->page, x, xslots * s->slot };
	/* faulter i's pages: slot i, or slot i - 1 of Y */
	c->worker_priv = gb_slot(s, yslots ? xslots : 0);
	c->worker_stride = s->slot;
	return ret;
}

static int contender_op(struct gb_worker *w)
{
	const struct faults_args *a = w->cell->args;

	return gb_fault_and_drop(w->priv,
				 (size_t)a->fault_pages * w->cell->slots.page);
}

GB_SCENARIO(faults, "guard install/remove in VMA X while N threads fault "
	    "pages in X or in another VMA",
	.primary = GB_LIST("install_latency_p50_ns", "fault_rate_vs_control"),
	.contender_role = "faulter",
	.contenders_fault = true,
	.control_label = "installer=none",
	.contender_op = contender_op);
