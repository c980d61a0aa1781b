/* SPDX-License-Identifier: GPL-2.0 */
/* The scenario contract: what a scenario fills in, and what the harness gives it. */
#ifndef GB_SCENARIO_H
#define GB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "measure/guard.h"
#include "base/hist.h"
#include "measure/lockstat.h"
#include "measure/plan.h"
#include "measure/pmu.h"
#include "measure/slots.h"
#include "measure/speedref.h"

/*
 * The scenario contract.  A scenario is one file under bench/scenarios/
 * that fills in a struct gb_scenario and one line in registry.c.  The
 * harness owns threads, pinning, timing, trials and results; the
 * scenario owns memory layout and the operations.
 *
 * Each cell (one point of the scenario's parameter sweep) has one
 * subject thread, whose operations are timed one by one, and zero or
 * more contender threads, whose operations are counted.
 *
 * STYLE: adding a scenario (scenarios/install.c is the model)
 *
 *  1. One file, scenarios/NAME.c, opening with an SPDX line and a
 *     comment saying what it measures and why the layout is so.
 *  2. Parameters: reference the shared ones (params.h: backing,
 *     share, guard-pages, fault-pages), saying which words you accept;
 *     define your own in your file.  Never copy a shared definition:
 *     test_params fails on two definitions of one name.
 *  3. plan() adds cells with gb_plan_add(plan, ...) (plan.h) and puts
 *     each cell's values in a struct of yours from gb_cell_args(); a
 *     bad combination of parameters is a usage error with problem and
 *     fix.  Nothing global.
 *  4. setup() maps the cell's memory into c->priv (or c->slots, which
 *     the harness releases) as it goes: whatever setup() returns,
 *     teardown follows.  If the subject installs and removes guards on
 *     one range, fill in c->guard and leave subject_op and timed_ops
 *     NULL.  If each thread's state is one of an evenly spaced row,
 *     set c->worker_priv and c->worker_stride and leave worker_init
 *     NULL.  Leave contender_op NULL if there are no contenders or they
 *     run the timed ops (all_timed), teardown NULL if free(c->priv)
 *     and releasing c->slots is all it takes.
 *  5. Values across cells (ratios to another cell) belong in derive(),
 *     called once all cells ran; never in teardown or an op.  Ratios to
 *     a no-subject control (control_label) the harness derives itself.
 *  6. Close with GB_SCENARIO(NAME, summary, what differs from the
 *     defaults); it takes params[] ({ { NULL } } if none), plan() and
 *     setup() by those names.
 *  7. One X(NAME) line in scenarios/registry.c.
 *
 *  A minimal scenario (guards on one page of an anonymous mapping, a
 *  setup, a teardown that unmaps, no parameters) is 46 lines plus the
 *  registry line.
 */
#define GB_MAX_TIMED_OPS 4
#define GB_SKIP 1	/* setup(): the kernel or machine cannot run this cell */

struct gb_cell;

/*
 * One thread's state.  Each in a page-aligned mapping of shared memory
 * of its own (threads.c), so no two threads' counters share a cache line or its
 * adjacent-line prefetch pair; counters are kept in locals in the loop
 * and written back once.
 */
struct gb_worker {
	struct gb_cell *cell;
	unsigned int index;		/* 0: subject; 1..N: contenders */
	unsigned int cpu;		/* OS index it is bound to */
	void *priv;			/* the scenario's per-thread state */

	/* results of the last phase, written by the worker */
	uint64_t ops;
	uint64_t minflt;
	double elapsed_s;
	double cpu_s;			/* CPU time it got (thread clock) */
	int err;			/* -errno from a failed operation */
	struct gb_hist *hist[GB_MAX_TIMED_OPS];
	uint64_t locks[GB_NR_LOCK_EVENTS];	/* accounting phase only */
	char lock_why[160];		/* why the lock counters did not open */
	struct gb_pmu_thread *pmu;	/* NULL: no --events */
	struct gb_pmu_count pmu_count[GB_PMU_MAX_EVENTS];	/* last phase */
	unsigned int flip;		/* emulation's alternating flag */
	struct gb_speedref ref;		/* subject: this phase's reference */
	struct gb_speedref ref_prev;	/* taken at the end of the last one */
	bool ref_prev_ok;
};

struct gb_scenario {
	const char *name;
	const char *summary;
	const struct gb_param_use *params;	/* ends with { NULL } */
	/* subject ops, NULL-ended; NULL: the default subject_op's two */
	const char *const *timed_ops;
	/*
	 * Metrics compare and trend judge (fnmatch patterns, NULL-ended;
	 * METHODOLOGY.md, "Primary rows"); every other metric of the
	 * scenario is descriptive.
	 */
	const char *const *primary;
	/* metric: subject loops per second; NULL: "pairs_per_sec" */
	const char *subject_rate;
	const char *contender_role;	/* "faulter"; NULL: none */
	bool contenders_fault;		/* count their page faults */
	const char *control_label;	/* non-NULL: a no-subject control */
	bool all_timed;			/* contenders run the timed ops too */
	const char *subject_unit;	/* one subject loop: "pair" if NULL,
					 * "fork", "thread", "cycle" */

	/*
	 * Add the cells of the sweep to @plan with gb_plan_add() (plan.h),
	 * their typed values with gb_cell_args().  @max_contenders
	 * is what the placement (or --threads) allows.  A bad combination
	 * of parameters is a usage error: -1 with problem and fix in @err.
	 */
	int (*plan)(struct gb_plan *plan, const struct gb_config *cfg,
		    unsigned int max_contenders, char *err, size_t errlen);
	/* Per cell, before threads start: 0, GB_SKIP (@why) or -errno. */
	int (*setup)(struct gb_cell *c, const struct gb_config *cfg,
		     char *why, size_t whylen);
	/*
	 * In each worker thread, once pinned.  0 or -errno.  NULL: w->priv
	 * is c->worker_priv + w->index * c->worker_stride (NULL if unset).
	 */
	int (*worker_init)(struct gb_worker *w);
	/*
	 * Timed operation @op (index into timed_ops).  0 or -errno.  NULL:
	 * install (op 0) and remove (op 1) guards on c->guard.
	 */
	int (*subject_op)(struct gb_worker *w, unsigned int op);
	/* One counted contender operation.  0 or -errno.  NULL: none. */
	int (*contender_op)(struct gb_worker *w);
	/*
	 * Release what c->priv holds, after every setup() that made it
	 * (even one that failed or skipped: c->priv may be half built).
	 * The harness then frees c->priv and releases c->slots.  NULL:
	 * nothing more to release.
	 */
	void (*teardown)(struct gb_cell *c);
	/*
	 * Optional: values across cells (a ratio to another cell), called
	 * for every done cell once all cells ran, whatever their order.
	 */
	void (*derive)(struct gb_cell *c);
};

#define GB_MAX_METRICS 96
#define GB_LABEL_LEN 160

struct gb_series {
	char name[96];
	const char *unit;
	size_t n;
	double *v;			/* one value per finished trial */
};

enum gb_cell_status {
	GB_CELL_PENDING,
	GB_CELL_DONE,
	GB_CELL_SKIPPED,
	GB_CELL_PARTIAL,		/* interrupted or failed mid-way */
};

/*
 * Where the default subject_op installs (op 0) and removes (op 1)
 * guards: a setup() that fills it in leaves subject_op NULL.
 */
struct gb_guard_target {
	void *range;
	size_t len;
	void *vma;		/* the VMA holding it: what --emulate flips */
	size_t vma_len;
};

struct gb_cell {
	const struct gb_scenario *sc;
	char label[GB_LABEL_LEN];	/* "backing=anon pages=1" */
	unsigned int nr_contenders;
	void *args;			/* the scenario's values: gb_cell_args() */
	void *priv;			/* the scenario's per-cell state */
	struct gb_guard_target guard;	/* for the default subject_op */
	struct gb_slots slots;		/* released after teardown */
	char *worker_priv;		/* for the default worker_init */
	size_t worker_stride;
	struct gb_cell *control;	/* its no-subject twin, if any */
	bool is_control;
	bool emulate_write_lock;	/* --emulate write-lock */
	bool processes;			/* contenders in processes of their own */
	bool untimed;			/* subject ops counted, not timed */

	enum gb_cell_status status;
	char reason[256];		/* why skipped or partial */
	char locks_na[256];		/* why lock accounting is missing */
	unsigned int cpus[GB_MAX_CPUS + 1];	/* [0] subject, then contenders */
	size_t nr_series;
	struct gb_series series[GB_MAX_METRICS];
	struct gb_hist *merged[GB_MAX_TIMED_OPS];	/* over all trials */
	/* per finished trial: the reference's noise, syscall and loop */
	double (*ref_noise)[2];
	size_t nr_ref_noise;
};

/*
 * The subject op most scenarios time: op 0 installs guards on [@range,
 * @range + @len), op 1 removes them.  Under --emulate write-lock an
 * install is followed by the write-locked flag flip on its VMA.
 */
int gb_guard_subject_op(struct gb_worker *w, unsigned int op, void *range,
			size_t len, void *vma, size_t vma_len);

/* The ops of a subject_op: @sc's own, or the default's (install, remove) */
static inline const char *const *gb_timed_ops(const struct gb_scenario *sc)
{
	static const char *const guard_ops[] = { "install", "remove", NULL };

	return sc->timed_ops ? sc->timed_ops : guard_ops;
}

/*
 * setup()'s first step for a cell that installs guards on @backing:
 * 0, GB_SKIP (this kernel rejects them; @why says so) or -errno.
 */
int gb_guard_check(enum gb_backing backing, const struct gb_config *cfg,
		   char *why, size_t whylen);

/*
 * setup()'s common part for a cell of gb_plan_op_sweep() (plan.h):
 * guards checked, c->slots reserved as [X | hole | @more slots], X
 * opened as the subject's VMA, c->guard its args' guard pages one page
 * into X.  0, GB_SKIP or -errno with @why.
 */
int gb_op_cell_setup(struct gb_cell *c, const struct gb_config *cfg,
		     size_t more, char *why, size_t whylen);

/* A teardown for a c->priv that is a struct gb_mapping: unmaps it */
void gb_unmap_priv(struct gb_cell *c);

/*
 * A faulter's op: write-touch every page of [@p, @p + @len), then drop
 * them with MADV_DONTNEED.  0 or -errno.
 */
int gb_fault_and_drop(char *p, size_t len);

/* A NULL-ended list of strings, for timed_ops and primary */
#define GB_LIST(...) ((const char *const []){ __VA_ARGS__, NULL })

/*
 * Defines gb_scenario_NAME, the registry's X(NAME), from the file's
 * params[], plan() and setup(), a one-line @summary, and the fields
 * that differ from the defaults (designated initialisers).
 */
#define GB_SCENARIO(NAME, SUMMARY, ...)				\
	const struct gb_scenario gb_scenario_##NAME = {			\
		.name = #NAME,						\
		.summary = SUMMARY,					\
		.params = params,					\
		.plan = plan,						\
		.setup = setup,						\
		__VA_ARGS__						\
	}

/*
 * Declares gb_scenario_NAME and defines its plan(): the cells of
 * gb_plan_guard_op_sweep() (plan.h) over the words of @OP_PARAM.
 * Stands alone, without a semicolon.
 */
#define GB_OP_SWEEP_PLAN(NAME, OP_PARAM)				\
	const struct gb_scenario gb_scenario_##NAME;			\
									\
	static int plan(struct gb_plan *plan, const struct gb_config *cfg, \
			unsigned int max_contenders, char *err,		\
			size_t errlen)					\
	{								\
		return gb_plan_guard_op_sweep(plan, &gb_scenario_##NAME, \
					      cfg, max_contenders,	\
					      OP_PARAM, err, errlen);	\
	}

/* The registry: scenarios/registry.c */
extern const struct gb_scenario *const gb_scenarios[];
extern const size_t gb_nr_scenarios;
const struct gb_scenario *gb_scenario_find(const char *name);

/* Is @metric one of @scenario's primary metrics?  Unknown: false. */
/* A cell's per-trial series of metric @name, or NULL (metrics.c). */
const struct gb_series *gb_cell_series(const struct gb_cell *c,
				       const char *name);
bool gb_metric_primary(const char *scenario, const char *metric);
/* "METRIC@KEY" primary: true and @key set (primary_ends.h) */
bool gb_metric_primary_end(const char *scenario, const char *metric,
			   char *key, size_t len);

#endif
