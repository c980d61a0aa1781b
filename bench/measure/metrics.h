/* SPDX-License-Identifier: GPL-2.0 */
/* Per-trial metrics: what a phase's workers did, as named cell values. */
#ifndef GB_METRICS_H
#define GB_METRICS_H

#include "measure/threads.h"

/* Values of one trial, kept until the whole trial has finished. */
struct gb_pending {
	struct gb_cell *cell;
	char name[96];
	const char *unit;
	double v;
};

struct gb_trial_buf {
	size_t n;
	struct gb_pending p[3 * GB_MAX_METRICS];
	struct gb_speedref ref;		/* the subject's, this trial */
};

/* The subject's latencies, rate, CPU share and speed reference. */
void gb_collect_subject(struct gb_runner *run, struct gb_cell_threads *ct,
			struct gb_cell *c, struct gb_trial_buf *tb);
/* Contenders' rates (and faults) this phase, for @c; returns the total. */
double gb_collect_contenders(struct gb_cell_threads *ct, struct gb_cell *c,
			     struct gb_trial_buf *tb);
/* PMU counts per op, scaled for multiplexing. */
void gb_collect_pmu(struct gb_runner *run, struct gb_cell_threads *ct,
		    struct gb_cell *c, struct gb_trial_buf *tb);
/* The subject's histograms, merged over the cell's trials. */
void gb_merge_hists(struct gb_cell_threads *ct, struct gb_cell *c);
/* The finished trial's values: to the cells' series and trials.tsv. */
void gb_trial_commit(struct gb_runner *run, struct gb_trial_buf *tb,
		     unsigned int trial);
/* The speed reference's noise within the trial (gb_speedref_moved()). */
void gb_keep_ref_noise(struct gb_cell *c, const struct gb_trial_buf *tb,
		       unsigned int trial, long trials);
/* The lock-counting phase's counts per op (n = 1). */
void gb_collect_locks(struct gb_cell *c, const struct gb_cell_threads *ct);

/*
 * The derive step's ratio of a cell to its control: per finished trial,
 * the contenders' rate (faults if they fault) with the subject over the
 * same without it: *_vs_control, in the series and in trials.tsv.
 */
void gb_derive_vs_control(struct gb_runner *run, struct gb_cell *c);

/* One subject loop: "pair" unless the scenario says. */
const char *gb_subject_unit(const struct gb_cell *c);

#endif
