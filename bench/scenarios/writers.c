// SPDX-License-Identifier: GPL-2.0
/*
 * writers: guard install against threads that take the mmap write lock.
 *
 * The subject installs then removes guards on a range in VMA X while N
 * writer threads each change the flags of a one-page VMA of their own:
 * mprotect() between PROT_READ and PROT_READ|PROT_WRITE (default), or
 * MADV_DONTDUMP / MADV_DODUMP.  Both take the mmap write lock and the
 * VMA write lock on every kernel the suite knows; the harness's
 * accounting phase confirms it per op (mmap_lock_write_per_writer_op).
 * The contrast users need is both ways: install latency with a writer
 * beside it, and the writers' rate with the installer running against
 * the same writers with it idle (contender_rate_vs_control).
 *
 * A writer's page is never populated, so a protection change rewrites
 * no PTE and flushes no TLB: what it does to others is its locks.  Each
 * writer VMA sits alone in a span of PROT_NONE, so a change never merges
 * or splits a VMA.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../guard.h"
#include "../params.h"
#include "../scenario.h"
#include "../slots.h"
#include "../util.h"

enum { OP_MPROTECT, OP_DONTDUMP };
static const char *const op_words[] = { "mprotect", "dontdump", NULL };

static const struct gb_param_def writer_op_param = {
	"writer-op", "what each writer does to its own one-page VMA: "
	"mprotect() between read and read-write, or MADV_DONTDUMP / "
	"MADV_DODUMP", "mprotect", op_words, 0, 0
};

static const struct gb_param_use params[] = {
	{ &writer_op_param }, { &gb_param_guard_pages }, { NULL },
};

static const char *const timed_ops[] = { "install", "remove", NULL };

/* One writer's state, on its own cache lines. */
struct writer {
	char *page;
	unsigned int flip;
} __attribute__((aligned(256)));

struct writers_cell {
	struct gb_slots slots;	/* [X | hole | W1 | W2 | ...] */
	char *x, *y;
	size_t xlen, page, slot, guard_len;
	int op;
	unsigned int nr;
	struct writer *w;	/* [1..nr] */
};

const struct gb_scenario gb_scenario_writers;

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	/* the guarded range starts one page into its page-table page */
	long guard = gb_param_one(cfg, "guard-pages", "writers",
				  (long)gb_slot_pages() - 1, err, errlen);

	if (guard < 0)
		return -1;
	gb_plan_op_sweep(plan, &gb_scenario_writers, max_contenders,
			 gb_param(cfg, "writer-op"), op_words, "writers",
			 guard);
	return 0;
}

/*
 * [X | hole | W1 | W2 | ...], each W a span of one page-table page of
 * which only the first page is accessible: the rest stays PROT_NONE, so
 * every writer page is a VMA of its own that can merge with nothing.
 */
static int map_region(struct writers_cell *wc, char *why, size_t whylen)
{
	int ret;

	ret = gb_slots_reserve(&wc->slots, 2 + wc->nr, why, whylen);
	if (ret)
		return ret;
	wc->x = gb_slot(&wc->slots, 0);
	wc->xlen = wc->slot;
	wc->y = gb_slot(&wc->slots, 2);
	ret = gb_slots_open(&wc->slots, wc->x, wc->xlen, "the subject's VMA",
			    why, whylen);
	wc->w = gb_zalloc_aligned(256, (wc->nr + 1) * sizeof(*wc->w));
	for (unsigned int i = 1; !ret && i <= wc->nr; i++) {
		wc->w[i].page = wc->y + (i - 1) * wc->slot;
		ret = gb_slots_open(&wc->slots, wc->w[i].page, wc->page,
				    "a writer's page", why, whylen);
	}
	return ret;
}

static void free_cell(struct writers_cell *wc)
{
	gb_slots_release(&wc->slots);
	free(wc->w);
	free(wc);
}

static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const struct gb_op_args *a = c->args;
	struct writers_cell *wc;
	int ret;

	ret = gb_guard_supported(GB_BACKING_ANON, cfg->tmpdir, why, whylen);
	if (ret <= 0)
		return ret == 0 ? GB_SKIP : ret;
	wc = gb_zalloc(sizeof(*wc));
	wc->page = page;
	wc->slot = page * (page / 8);
	wc->guard_len = (size_t)a->guard_pages * page;
	wc->op = a->op;
	wc->nr = c->nr_contenders;
	ret = map_region(wc, why, whylen);
	if (ret) {
		free_cell(wc);
		return ret;
	}
	/* the subject's range, a page into X: the default subject_op's */
	c->guard = (struct gb_guard_target){ wc->x + page, wc->guard_len,
					     wc->x, wc->xlen };
	c->priv = wc;
	return 0;
}

static int worker_init(struct gb_worker *w)
{
	struct writers_cell *wc = w->cell->priv;

	if (w->index)
		w->priv = &wc->w[w->index];
	return 0;
}

static int contender_op(struct gb_worker *w)
{
	struct writers_cell *wc = w->cell->priv;
	struct writer *wr = w->priv;
	bool odd = wr->flip++ & 1;

	if (wc->op == OP_MPROTECT)
		return mprotect(wr->page, wc->page, odd ?
				PROT_READ | PROT_WRITE : PROT_READ) ?
		       -errno : 0;
	return madvise(wr->page, wc->page,
		       odd ? MADV_DODUMP : MADV_DONTDUMP) ? -errno : 0;
}

static void teardown(struct gb_cell *c)
{
	free_cell(c->priv);
	c->priv = NULL;
}

/* What compare and trend judge (METHODOLOGY.md, "Primary rows") */
static const char *const primary[] = {
	"install_latency_p50_ns",
	"contender_rate_vs_control",
	NULL
};

const struct gb_scenario gb_scenario_writers = {
	.name = "writers",
	.summary = "guard install/remove while N threads take the mmap and "
		   "VMA write locks (mprotect toggles) on VMAs of their own",
	.params = params,
	.timed_ops = timed_ops,
	.primary = primary,
	.subject_rate = "pairs_per_sec",
	.contender_role = "writer",
	.control_label = "installer=none",
	.plan = plan,
	.setup = setup,
	.worker_init = worker_init,
	.contender_op = contender_op,
	.teardown = teardown,
};
