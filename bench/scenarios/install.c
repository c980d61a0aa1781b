// SPDX-License-Identifier: GPL-2.0
/*
 * install: the uncontended cost of MADV_GUARD_INSTALL and
 * MADV_GUARD_REMOVE on one range, alternately, for each backing and
 * range size.  Nothing else runs: this is the floor every contended
 * scenario is read against.
 *
 * The range sits one page into a larger mapping, so it never touches the
 * VMA's ends.  It is left unpopulated: after the first install the page
 * tables exist, so each op measures the lock, the VMA walk and the
 * page-table walk that writes or clears guard markers, not zapping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "measure/params.h"
#include "measure/scenario.h"
#include "base/util.h"

static const char *const timing_words[] = { "per-op", "none", NULL };

static const struct gb_param_def pages_param = {
	"pages", "pages per install/remove", "1,16,512", NULL, 1, 1 << 20
};
static const struct gb_param_def map_pages_param = {
	"map-pages", "pages in the mapping around the range", "1024", NULL,
	3, 1 << 22
};
static const struct gb_param_def op_timing_param = {
	"op-timing", "per-op: time every op; none: count pairs only, the "
	"bare loop (no latencies)", "per-op", timing_words, 0, 0
};

static const struct gb_param_use params[] = {
	{ &gb_param_backing }, { &pages_param }, { &map_pages_param },
	{ &op_timing_param }, { NULL },
};

/* A cell's values, set at plan time */
struct install_args {
	enum gb_backing backing;
	long pages, map_pages;
};

const struct gb_scenario gb_scenario_install;

/*
 * op-timing=none leaves the ops untimed: one thread, one indirect call
 * per op, no timer read, no histogram, as bare as a loop inside the
 * harness gets.  Its label says so; the default's label is unchanged.
 */
static void plan_cell(struct gb_plan *plan, long backing, long pages,
		      long map_pages, long timing)
{
	struct gb_cell *c;
	struct install_args *a;

	c = gb_plan_add(plan, &gb_scenario_install, 0,
			"backing=%s pages=%ld%s", gb_backing_words[backing],
			pages, timing ? " op-timing=none" : "");
	a = gb_cell_args(c, sizeof(*a));
	a->backing = (enum gb_backing)backing;
	a->pages = pages;
	a->map_pages = map_pages;
	c->untimed = timing != 0;
}

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	const struct gb_param_val *backing = gb_param(cfg, "backing");
	const struct gb_param_val *pages = gb_param(cfg, "pages");
	const struct gb_param_val *timing = gb_param(cfg, "op-timing");
	long map_pages = gb_param(cfg, "map-pages")->v[0];

	(void)max_contenders;
	for (size_t p = 0; p < pages->n; p++) {
		if (pages->v[p] > map_pages - 2) {
			snprintf(err, errlen,
				 "--pages %ld lies beyond the %ld-page mapping "
				 "(a page is kept free on each side): lower "
				 "--pages or raise --map-pages", pages->v[p],
				 map_pages);
			return -1;
		}
	}
	for (size_t t = 0; t < timing->n; t++) {
		for (size_t b = 0; b < backing->n; b++) {
			for (size_t p = 0; p < pages->n; p++)
				plan_cell(plan, backing->v[b], pages->v[p],
					  map_pages, timing->v[t]);
		}
	}
	return 0;
}

/* The range sits a page into its mapping: the default subject_op's */
static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const struct install_args *a = c->args;
	struct gb_mapping *map;
	int ret = gb_guard_check(a->backing, cfg, why, whylen);

	if (ret)
		return ret;
	c->priv = map = gb_zalloc(sizeof(*map));
	ret = gb_map(map, a->backing, (size_t)a->map_pages * page,
		     cfg->tmpdir, why, whylen);
	if (!ret)
		c->guard = (struct gb_guard_target){ map->addr + page,
			(size_t)a->pages * page, map->addr, map->len };
	return ret;
}

GB_SCENARIO(install, "uncontended guard install/remove latency per "
	    "backing and range size",
	.primary = GB_LIST("install_latency_p50_ns@pages",
			   "remove_latency_p50_ns@pages"),
	.teardown = gb_unmap_priv);
