/* SPDX-License-Identifier: GPL-2.0 */
/* One `guard-bench run`'s state, shared by cmd_run, run_meta and replicates. */
#ifndef GB_RUN_H
#define GB_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "measure/clock.h"
#include "base/config.h"
#include "measure/harness.h"
#include "measure/kernel.h"
#include "files/results.h"
#include "measure/scenario.h"
#include "measure/topo.h"

/* Everything one `guard-bench run` knows; shared by cmd_run and run_meta. */
struct gb_run_state {
	struct gb_config cfg;
	const struct gb_scenario *selected[16];
	size_t nr_selected;
	struct gb_topo topo;
	unsigned int placement_cpus[GB_MAX_CPUS];
	size_t nr_placement_cpus;
	char placement_note[256];
	unsigned int max_contenders;
	struct gb_clock clock;
	double loop_overhead_ns;
	struct gb_kernel_caps caps;
	char tmpdir[4096];
	bool own_tmpdir;
	char aslr[160];
	struct gb_pmu_set pmu;
	bool pmu_on;
	struct gb_runner *run;	/* set while cells run: PMU status */
	struct gb_meta meta;
	struct gb_results res;
	time_t started;
	int argc;			/* the words after `run` */
	char **argv;
	char **self_argv;		/* main()'s whole argv: to re-exec */
	double t_entry;			/* gb_mono_sec() when run began */
	double setup_s;			/* entry to the first cell */
	double cells_s;			/* in gb_run_cells */
	uint64_t order_seed;
	unsigned int replicate;		/* 1, or K of a -R run */
	size_t *order;			/* plan indices in run order */
	struct gb_plan plan;		/* every cell, from the plan() hooks */
};

/*
 * -R N > 1 or --interleave: run the replicates as re-execs of this
 * process and merge them (replicates.c) under <release>/<base>[-side]
 * (names safe as path components).  Returns the exit status.
 */
int gb_replicates_run(struct gb_run_state *st, const char *release,
		      const char *base);

/* meta.txt at the start (complete: no) and at the end. */
void gb_meta_start(struct gb_run_state *st);
void gb_meta_finish(struct gb_run_state *st, int rc, const char *why);
/* "command": how this run was invoked, as a shell would take it back. */
void gb_meta_command(struct gb_run_state *st, struct gb_meta *m);

#endif
