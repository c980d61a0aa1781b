/* SPDX-License-Identifier: GPL-2.0 */
/* The harness that runs the planned cells (struct gb_runner), and signals. */
#ifndef GB_HARNESS_H
#define GB_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>

#include "measure/clock.h"
#include "base/config.h"
#include "measure/plan.h"
#include "files/results.h"
#include "measure/scenario.h"
#include "measure/topo.h"

struct gb_runner {
	const struct gb_config *cfg;
	struct gb_topo *topo;
	const struct gb_clock *clock;
	const struct gb_lockstat_ids *lock_ids;	/* !ok: accounting n/a */
	const struct gb_pmu_set *pmu;		/* NULL: no PMU events */
	/* per event: how the first worker's open went ("" = counted) */
	bool pmu_seen;
	char pmu_why[GB_PMU_MAX_EVENTS][GB_PMU_WHY_LEN];
	char pmu_scope[GB_PMU_WHY_LEN];
	struct gb_plan *plan;
	struct gb_results *res;
	const unsigned int *placement_cpus;
	size_t nr_placement_cpus;
	const size_t *order;		/* plan indices in run order; NULL: plan */
	double started;			/* gb_mono_sec() at the first cell */
	double planned_s;		/* estimated total time */
	double spent_s;
};

/* Set from the signal handler; the harness abandons the current trial. */
extern volatile sig_atomic_t gb_signalled;
void gb_install_signal_handlers(void);

/*
 * Quantile @q of @h in ns, interpolated over the timer's resolution
 * (gb_hist_quantile_interp): every latency percentile goes through it.
 */
double gb_quantile_ns(const struct gb_clock *clock, const struct gb_hist *h,
		      double q);

/*
 * What the timed loop adds to each interval with an empty operation:
 * one timer read, the histogram update and the loop.  Median, in ns.
 */
double gb_measure_loop_overhead(const struct gb_clock *clock);

/* A worker died (a contender process killed) or hung past its phase. */
#define GB_ERR_LOST ESRCH

/*
 * Run every planned cell, in @run->order, then each done cell's derive()
 * hook (values across cells).  Returns 0, -EINTR when a signal stopped it
 * (finished trials are kept), -GB_ERR_LOST when a worker was lost (the
 * cell abandoned, the run ends), or -errno when an operation failed.
 */
int gb_run_cells(struct gb_runner *run, char *why, size_t whylen);

#endif
