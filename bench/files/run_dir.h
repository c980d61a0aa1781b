/* SPDX-License-Identifier: GPL-2.0 */
/* A finished run directory, read back whole through the strict readers. */
#ifndef GB_RUN_DIR_H
#define GB_RUN_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "files/results.h"

/*
 * One finished run directory, read back for compare and trend through
 * the strict readers in runfile_read.c and runfile_trials.c: meta.txt,
 * summary.tsv, and the per-trial values of trials.tsv matched to each
 * summary row.
 */

/* A cell x metric of a run and the values a comparison draws on. */
struct gb_run_row {
	const struct gb_summary_row *sum;
	/*
	 * Per-trial values.  Lock counts come from one accounting phase
	 * (n = 1, nothing in trials.tsv): then this is their one value.
	 */
	const double *v;
	const unsigned int *rep;	/* each value's replicate, from 1 */
	size_t n;
};

struct gb_run {
	const char *dir;		/* as the user gave it */
	char name[256];			/* <release>/<run>, for headers */
	struct gb_meta meta;
	struct gb_summary_row *summary;
	size_t nr_summary;
	struct gb_trial_series *trials;
	long nr_trials;
	struct gb_run_row *rows;	/* one per summary row, same order */
	size_t nr_rows;
	size_t *index;			/* hash of rows by their names */
	size_t index_size;		/* a power of two > 2 * nr_rows */
	unsigned int nr_replicates;	/* the highest replicate number */
};

/*
 * Returns 0, or -1 with a one-line "what is wrong: how to fix it" in
 * @err (a missing or unreadable directory, no results in it, a
 * malformed file as path:line: reason, summary and trials that
 * disagree).
 */
int gb_run_load(struct gb_run *r, const char *dir, char *err,
		size_t errlen);
void gb_run_free(struct gb_run *r);
/*
 * Index @r->rows by name and find its highest replicate (gb_run_load
 * does this; a run built in memory calls it).  -1 with @err when a
 * cell x metric is listed twice.
 */
int gb_run_index(struct gb_run *r, char *err, size_t errlen);

/* FNV-1a of a row's scenario, cell and metric: its place in an index. */
uint64_t gb_row_hash(const char *scenario, const char *cell,
		     const char *metric);

/* Is @s the row of this scenario, cell and metric (NULL: any metric)? */
bool gb_row_is(const struct gb_summary_row *s, const char *scenario,
	       const char *cell, const char *metric);
/* The row of a cell x metric, found through the index: O(1). */
const struct gb_run_row *gb_run_find(const struct gb_run *r,
				     const char *scenario, const char *cell,
				     const char *metric);
/* A meta value, or "?" where the run lacks the key. */
const char *gb_run_meta(const struct gb_run *r, const char *key);
/* meta emulation: is something other than "none". */
bool gb_run_emulated(const struct gb_run *r);
bool gb_run_complete(const struct gb_run *r);

#endif
