// SPDX-License-Identifier: GPL-2.0
/*
 * stacks: thread creation, a real user of guard install (glibc 2.42+
 * guards new thread stacks with MADV_GUARD_INSTALL), against N faulting
 * threads in the same mm.
 *
 * The subject creates a thread, then joins it, each call timed; the
 * thread touches a little of its stack and returns.  It inherits the
 * subject's CPU, so it runs when the subject blocks in join.
 *
 *   --stack-mode default         pthread_create() with default
 *                                attributes: whatever this glibc does,
 *                                stack cache included (a joined thread's
 *                                stack is reused, so churn maps and
 *                                guards nothing per create on any glibc)
 *   --stack-mode guard-install   each stack allocated the way glibc 2.42+
 *                                does on a cache miss: mmap it read-write,
 *                                MADV_GUARD_INSTALL its lowest page,
 *                                pthread_attr_setstack(); munmap at join
 *   --stack-mode mprotect-guard  the same, the way glibc before 2.42
 *                                does: mmap PROT_NONE, mprotect all but
 *                                the guard page read-write (the guard is
 *                                a VMA of its own)
 *
 * guard-install against mprotect-guard is the cost of the new guard on
 * any glibc; default says what this glibc does, and its cells' label
 * names the guard it uses (glibc-guard=...): where that is not
 * guard-install, they do not exercise guard install at all.
 *
 * Faulters write-touch and drop their own pages in a VMA of their own,
 * as in faults other-vma; each trial also runs a control with the
 * subject idle (fault_rate_vs_control).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "measure/guard.h"
#include "measure/params.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "measure/stackguard.h"
#include "base/util.h"

enum { MODE_DEFAULT, MODE_GUARD_INSTALL, MODE_MPROTECT };
static const char *const mode_words[] = {
	"default", "guard-install", "mprotect-guard", NULL
};

static const struct gb_param_def stack_mode_param = {
	"stack-mode", "how each new thread's stack comes to be: default "
	"attributes (this glibc, stack cache included), or mapped per "
	"thread and guarded with MADV_GUARD_INSTALL (as glibc 2.42+) or "
	"with mprotect (as glibc before 2.42)",
	"default,guard-install,mprotect-guard", mode_words, 0, 0
};

static const struct gb_param_use params[] = {
	{ &stack_mode_param }, { &gb_param_fault_pages }, { NULL },
};

struct stacks_cell {
	int mode;
	size_t size, guard;	/* glibc's defaults for a new stack */
	pthread_attr_t attr;
	bool attr_init;
	/* the subject's thread in flight */
	pthread_t t;
	char *mem;
};

/* A cell's values, set at plan time */
struct stacks_args {
	int mode;
	long fault_pages;
};

const struct gb_scenario gb_scenario_stacks;

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	const struct gb_param_val *mode = gb_param(cfg, "stack-mode");
	long fault = gb_param_one(cfg, "fault-pages", "stacks",
				  (long)gb_slot_pages(), err, errlen);
	unsigned int pts[64];
	size_t n = gb_sweep_points(max_contenders, pts, ARRAY_SIZE(pts));
	enum gb_stack_guard glibc = GB_STACK_GUARD_UNKNOWN;
	char why[192] = "";

	if (fault < 0)
		return -1;
	for (size_t m = 0; m < mode->n; m++) {
		if (mode->v[m] != MODE_DEFAULT)
			continue;
		glibc = gb_stack_guard_probe(why, sizeof(why));
		if (cfg->emulate)
			gb_note("stacks: mode=default and mprotect-guard not run "
				"under --emulate: they install no guard to pair "
				"with a write lock");
		else if (glibc != GB_STACK_GUARD_INSTALL)
			gb_note("stacks: glibc %s guards thread stacks with %s "
				"(%s): mode=default does not exercise guard "
				"install here; mode=guard-install does, as glibc "
				"2.42+ would", gb_libc_version(),
				gb_stack_guard_name(glibc), why);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t m = 0; m < mode->n; m++) {
			struct gb_cell *c;
			struct stacks_args *a;

			if (cfg->emulate && mode->v[m] != MODE_GUARD_INSTALL)
				continue;
			if (mode->v[m] == MODE_DEFAULT)
				c = gb_plan_add(plan, &gb_scenario_stacks,
						pts[i], "mode=default "
						"glibc-guard=%s "
						"faulters=%u",
						gb_stack_guard_name(glibc),
						pts[i]);
			else
				c = gb_plan_add(plan, &gb_scenario_stacks,
						pts[i], "mode=%s faulters=%u",
						mode_words[mode->v[m]], pts[i]);
			a = gb_cell_args(c, sizeof(*a));
			a->mode = (int)mode->v[m];
			a->fault_pages = fault;
		}
	}
	return 0;
}

/* Faulters: one VMA of a page-table page's span each, in c->slots */
static int map_faulters(struct gb_slots *s, unsigned int nr, char *why,
			size_t whylen)
{
	int ret;

	if (!nr)
		return 0;
	ret = gb_slots_reserve(s, 1 + nr, why, whylen);
	if (!ret)
		ret = gb_slots_open(s, gb_slot(s, 1), nr * s->slot,
				    "the faulters' VMA", why, whylen);
	return ret;
}

static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const struct stacks_args *args = c->args;
	struct stacks_cell *sc;
	pthread_attr_t def;
	int ret = gb_guard_check(GB_BACKING_ANON, cfg, why, whylen);

	if (ret)
		return ret;
	c->priv = sc = gb_zalloc(sizeof(*sc));
	sc->mode = args->mode;
	/* the sizes glibc gives a thread with default attributes */
	ret = pthread_getattr_default_np(&def);
	if (!ret) {
		pthread_attr_getstacksize(&def, &sc->size);
		pthread_attr_getguardsize(&def, &sc->guard);
		pthread_attr_destroy(&def);
	}
	if (ret || !sc->size) {
		snprintf(why, whylen, "pthread_getattr_default_np: %s",
			 ret ? strerror(ret) : "no stack size");
		return ret ? -ret : -EINVAL;
	}
	sc->guard = sc->guard ? (sc->guard + page - 1) / page * page : page;
	sc->size = (sc->size + page - 1) / page * page + sc->guard;
	pthread_attr_init(&sc->attr);
	sc->attr_init = true;
	ret = map_faulters(&c->slots, c->nr_contenders, why, whylen);
	/* faulter i's pages: slot i, the first of theirs being slot 1 */
	c->worker_priv = c->slots.base;
	c->worker_stride = c->slots.slot;
	return ret;
}

static void *thread_fn(void *arg)
{
	volatile char buf[1024];

	buf[0] = 1;
	buf[sizeof(buf) - 1] = 1;
	return arg;
}

/* The stack glibc would map on a cache miss, with its guard. */
static int map_stack(struct gb_worker *w, struct stacks_cell *sc)
{
	bool install = sc->mode == MODE_GUARD_INSTALL;
	char *mem;
	int ret;

	mem = mmap(NULL, sc->size, install ? PROT_READ | PROT_WRITE : PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	if (install ? madvise(mem, sc->guard, MADV_GUARD_INSTALL) :
		      mprotect(mem + sc->guard, sc->size - sc->guard,
			       PROT_READ | PROT_WRITE)) {
		ret = -errno;
		munmap(mem, sc->size);
		return ret;
	}
	if (install && w->cell->emulate_write_lock) {
		ret = gb_emulate_write_lock(mem, sc->size, &w->flip);
		if (ret) {
			munmap(mem, sc->size);
			return ret;
		}
	}
	sc->mem = mem;
	ret = pthread_attr_setstack(&sc->attr, mem + sc->guard,
				    sc->size - sc->guard);
	return -ret;
}

static int subject_op(struct gb_worker *w, unsigned int op)
{
	struct stacks_cell *sc = w->cell->priv;
	int ret;

	if (op == 1) {
		ret = pthread_join(sc->t, NULL);
		if (!ret && sc->mem && munmap(sc->mem, sc->size))
			ret = errno;
		sc->mem = NULL;
		return -ret;
	}
	if (sc->mode != MODE_DEFAULT) {
		ret = map_stack(w, sc);
		if (ret)
			return ret;
	}
	ret = pthread_create(&sc->t, sc->mode == MODE_DEFAULT ? NULL :
			     &sc->attr, thread_fn, NULL);
	if (ret && sc->mem) {
		munmap(sc->mem, sc->size);
		sc->mem = NULL;
	}
	return -ret;
}

static int contender_op(struct gb_worker *w)
{
	const struct stacks_args *a = w->cell->args;

	return gb_fault_and_drop(w->priv,
				 (size_t)a->fault_pages * w->cell->slots.page);
}

static void teardown(struct gb_cell *c)
{
	struct stacks_cell *sc = c->priv;

	if (sc->attr_init)
		pthread_attr_destroy(&sc->attr);
}

GB_SCENARIO(stacks, "pthread_create/join churn (stacks guarded as glibc "
	    "does, or as 2.42+ does with guard install) with N faulters",
	.timed_ops = GB_LIST("create", "join"),
	.primary = GB_LIST("create_latency_p50_ns"),
	.subject_rate = "threads_per_sec",
	.subject_unit = "thread",
	.contender_role = "faulter",
	.contenders_fault = true,
	.control_label = "creator=none",
	.subject_op = subject_op,
	.contender_op = contender_op,
	.teardown = teardown);
