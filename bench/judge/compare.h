/* SPDX-License-Identifier: GPL-2.0 */
/* One `guard-bench compare`: its two sides, the rows matched and judged. */
#ifndef GB_COMPARE_H
#define GB_COMPARE_H

#include <stdio.h>

#include "judge/report.h"

/*
 * One `guard-bench compare`: worked out in cmd_compare.c, printed by
 * compare_print.c.  Each side is a group of runs of one kernel, pooled
 * as replicates; base->runs[0] speaks for its side's metadata.
 */
struct gb_compare {
	struct gb_report_opts opts;
	struct gb_group base_group, new_group;
	const struct gb_run *base, *new;	/* each side's first run */
	struct gb_floors floors;
	struct gb_diff *diffs;		/* rows in both sides, base's order */
	size_t nr_diffs;
	size_t nr_primary;		/* primary rows compared */
	size_t nr_family;		/* of them with a test: Holm's family */
	bool normalised;		/* latencies over ref_syscall_ns */
	char **warnings;		/* one sentence each */
	size_t nr_warnings;
};

/*
 * Work out a comparison of the runs named in @c->opts.runs (two
 * arguments, each "DIR" or "DIR1,DIR2,..."): load, pool, match, judge.
 * Dies with the documented status on bad input.
 */
void gb_compare_build(struct gb_compare *c);
void gb_compare_free(struct gb_compare *c);

/* The outputs; text and markdown show primary rows unless opts.all. */
void gb_compare_print_text(FILE *f, const struct gb_compare *c);
void gb_compare_print_markdown(FILE *f, const struct gb_compare *c);
void gb_compare_print_tsv(FILE *f, const struct gb_compare *c);

#endif
