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

#include "measure/params.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "base/util.h"

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

/* One writer's state, on its own cache lines. */
struct writer {
	char *page;
	unsigned int flip;
} __attribute__((aligned(256)));

struct writers_cell {
	int op;
	struct writer w[];	/* [1..N]; [0]: the subject's, unused */
};

/* Each op against the writer sweep, one --guard-pages */
GB_OP_SWEEP_PLAN(writers, "writer-op")

/*
 * [X | hole | W1 | W2 | ...], each W a span of one page-table page of
 * which only the first page is accessible: the rest stays PROT_NONE, so
 * every writer page is a VMA of its own that can merge with nothing.
 */
static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	const struct gb_op_args *a = c->args;
	struct writers_cell *wc;
	unsigned int nr = c->nr_contenders;
	int ret = gb_op_cell_setup(c, cfg, nr, why, whylen);

	if (ret)
		return ret;
	wc = gb_zalloc_aligned(256, sizeof(*wc) + (nr + 1) * sizeof(wc->w[0]));
	c->priv = wc;
	wc->op = a->op;
	for (unsigned int i = 1; !ret && i <= nr; i++) {
		wc->w[i].page = gb_slot(&c->slots, 1 + i);
		ret = gb_slots_open(&c->slots, wc->w[i].page, c->slots.page,
				    "a writer's page", why, whylen);
	}
	c->worker_priv = (char *)wc->w;
	c->worker_stride = sizeof(wc->w[0]);
	return ret;
}

static int contender_op(struct gb_worker *w)
{
	const struct writers_cell *wc = w->cell->priv;
	size_t page = w->cell->slots.page;
	struct writer *wr = w->priv;
	bool odd = wr->flip++ & 1;

	if (wc->op == OP_MPROTECT)
		return mprotect(wr->page, page, odd ?
				PROT_READ | PROT_WRITE : PROT_READ) ?
		       -errno : 0;
	return madvise(wr->page, page,
		       odd ? MADV_DODUMP : MADV_DONTDUMP) ? -errno : 0;
}

GB_SCENARIO(writers, "guard install/remove while N threads take the mmap "
	    "and VMA write locks (mprotect toggles) on VMAs of their own",
	.primary = GB_LIST("install_latency_p50_ns",
			   "contender_rate_vs_control"),
	.contender_role = "writer",
	.control_label = "installer=none",
	.contender_op = contender_op);
