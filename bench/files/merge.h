/* SPDX-License-Identifier: GPL-2.0 */
/* Merging replicate run directories into their parent run. */
#ifndef GB_MERGE_H
#define GB_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "files/results.h"

struct gb_cell;

/* What a merge needs and what it learns from the replicates. */
struct gb_merge {
	struct gb_cell **cells;		/* the parent's plan */
	size_t nr_cells;
	bool emulated;
	/*
	 * --interleave's normal side: it runs cells the emulated plan
	 * lacks (fork, stacks' other modes); they are left out, counted.
	 */
	bool skip_unplanned;
	size_t unplanned;
	struct gb_meta meta;		/* the first replicate's meta.txt */
	double ns_per_tick;		/* its timer, for hist/ */
	char cells_tsv[4096];		/* its cells.tsv */
};

/*
 * Read the replicate run directories @dirs (replicate numbers in
 * @replicates) through the strict readers and pool them into the plan's
 * cells: every value of every replicate into the cell's series (so
 * summary.tsv's n is the count of rows in trials.tsv), the hist/ files'
 * bucket counts summed.  trials.tsv rows go to @res, cell by cell in
 * plan order.  A row summary.tsv holds without trials (lock counts,
 * derived n = 1 values) becomes trial 1 of its replicate.  Returns 0,
 * or -1 with the problem and fix in @err.
 */
int gb_merge_dirs(struct gb_merge *m, struct gb_results *res,
		  char *const *dirs, const unsigned int *replicates,
		  size_t nr, char *err, size_t errlen);

/* Empty the plan's cells again, for the other side of --interleave. */
void gb_merge_reset(struct gb_merge *m);

#endif
