// SPDX-License-Identifier: GPL-2.0
/*
 * allocator: the free path of an allocator that guards freed memory
 * (jemalloc-style use-after-free protection, in place of MADV_DONTNEED).
 *
 * One large VMA split in chunks of --chunk-pages pages; each thread
 * owns --chunks of them (its own page-table pages: no PTE lock shared)
 * and cycles through them.  Per chunk, three timed ops:
 *
 *   install  free: MADV_GUARD_INSTALL over the chunk (zaps its pages)
 *   remove   reuse: MADV_GUARD_REMOVE over it
 *   touch    reuse: write one byte per page (a fresh fault each)
 *
 * All threads run the same loop and are all timed (pooled percentiles,
 * total rate); they share the VMA and the mm, as an allocator's arenas
 * share its heap mapping.  cycles_per_sec is free+reuse cycles per
 * second, per thread (the subject's) and summed (_total).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "measure/guard.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "base/util.h"

static const struct gb_param_def chunk_pages_param = {
	"chunk-pages", "pages in one allocator chunk (freed and reused "
	"whole)", "1,16", NULL, 1, 4096
};
static const struct gb_param_def chunks_param = {
	"chunks", "chunks each allocator thread cycles through", "64",
	NULL, 1, 1 << 16
};

static const struct gb_param_use params[] = {
	{ &chunk_pages_param }, { &chunks_param }, { NULL },
};

/* One thread's chunks and position, on its own cache lines. */
struct arena {
	char *base;
	size_t next;
} __attribute__((aligned(256)));

struct allocator_cell {
	char *vma;		/* the arenas, one VMA in c->slots */
	size_t vma_len;
	size_t page, chunk_len, chunks;
	struct arena a[];	/* [0..nr] */
};

/* A cell's values, set at plan time */
struct allocator_args {
	long chunk_pages, chunks;
};

const struct gb_scenario gb_scenario_allocator;

static size_t arena_len(size_t chunk_len, size_t chunks, size_t slot)
{
	return (chunk_len * chunks + slot - 1) / slot * slot;
}

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	const struct gb_param_val *cp = gb_param(cfg, "chunk-pages");
	const struct gb_param_val *ch = gb_param(cfg, "chunks");
	long page = sysconf(_SC_PAGESIZE);
	size_t slot = gb_slot_size();
	unsigned int pts[64];
	size_t n = gb_sweep_points(max_contenders, pts, ARRAY_SIZE(pts));
	struct rlimit rl;

	if (gb_param_one(cfg, "chunks", "allocator", LONG_MAX, err,
			 errlen) < 0)
		return -1;
	for (size_t k = 0; k < cp->n; k++) {
		size_t len = arena_len((size_t)cp->v[k] * (size_t)page,
				       (size_t)ch->v[0], slot) *
			     (max_contenders + 1);

		if (!getrlimit(RLIMIT_AS, &rl) &&
		    rl.rlim_cur != RLIM_INFINITY && len > rl.rlim_cur / 2) {
			snprintf(err, errlen, "--chunk-pages %ld x --chunks %ld "
				 "x %u threads is %zu MiB, over half of "
				 "RLIMIT_AS (ulimit -v): lower --chunks or "
				 "--chunk-pages", cp->v[k], ch->v[0],
				 max_contenders + 1, len >> 20);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < cp->n; k++) {
			struct gb_cell *c;
			struct allocator_args *a;

			c = gb_plan_add(plan, &gb_scenario_allocator, pts[i],
					"chunk-pages=%ld threads=%u", cp->v[k],
					pts[i] + 1);
			a = gb_cell_args(c, sizeof(*a));
			a->chunk_pages = cp->v[k];
			a->chunks = ch->v[0];
		}
	}
	return 0;
}

static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	const struct allocator_args *args = c->args;
	unsigned int nr = c->nr_contenders + 1;
	struct gb_slots *s = &c->slots;
	struct allocator_cell *ac;
	size_t alen;
	int ret = gb_guard_check(GB_BACKING_ANON, cfg, why, whylen);

	if (ret)
		return ret;
	ac = gb_zalloc_aligned(256, sizeof(*ac) + nr * sizeof(ac->a[0]));
	c->priv = ac;
	ac->page = (size_t)sysconf(_SC_PAGESIZE);
	ac->chunk_len = (size_t)args->chunk_pages * ac->page;
	ac->chunks = (size_t)args->chunks;
	alen = arena_len(ac->chunk_len, ac->chunks, gb_slot_size());
	ac->vma_len = alen * nr;
	ret = gb_slots_reserve(s, ac->vma_len / gb_slot_size(), why, whylen);
	if (ret)
		return ret;
	/* the VMA is exactly the arenas: --emulate flips it whole */
	ac->vma = gb_slot(s, 0);
	ret = gb_slots_open(s, ac->vma, ac->vma_len, "the arenas' VMA", why,
			    whylen);
	for (unsigned int i = 0; !ret && i < nr; i++) {
		ac->a[i].base = ac->vma + i * alen;
		/* every chunk starts allocated and in use */
		for (size_t off = 0; off < ac->chunk_len * ac->chunks;
		     off += ac->page)
			ac->a[i].base[off] = 1;
	}
	c->worker_priv = (char *)ac->a;
	c->worker_stride = sizeof(ac->a[0]);
	return ret;
}

static int subject_op(struct gb_worker *w, unsigned int op)
{
	struct allocator_cell *ac = w->cell->priv;
	struct arena *a = w->priv;
	char *chunk = a->base + a->next * ac->chunk_len;

	switch (op) {
	case 0:
		if (madvise(chunk, ac->chunk_len, MADV_GUARD_INSTALL))
			return -errno;
		if (w->cell->emulate_write_lock)
			return gb_emulate_write_lock(ac->vma, ac->vma_len,
						     &w->flip);
		return 0;
	case 1:
		return madvise(chunk, ac->chunk_len, MADV_GUARD_REMOVE) ?
		       -errno : 0;
	default:
		for (size_t off = 0; off < ac->chunk_len; off += ac->page)
			((volatile char *)chunk)[off] = 1;
		if (++a->next == ac->chunks)
			a->next = 0;
		return 0;
	}
}

GB_SCENARIO(allocator, "allocator free path: guard-install a freed "
	    "chunk, remove and touch it on reuse; N threads in one VMA",
	.timed_ops = GB_LIST("install", "remove", "touch"),
	.primary = GB_LIST("cycles_per_sec_total"),
	.subject_rate = "cycles_per_sec",
	.subject_unit = "cycle",
	.contender_role = "allocator",
	.all_timed = true,
	.subject_op = subject_op);
