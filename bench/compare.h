/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GB_COMPARE_H
#define GB_COMPARE_H

#include <stdio.h>

#include "report.h"

/*
 * One `guard-bench compare`: worked out in cmd_compare.c, printed by
 * compare_print.c.
 */
struct gb_compare {
	struct gb_report_opts opts;
	const struct gb_run *base, *new;
	struct gb_diff *diffs;		/* rows in both runs, base's order */
	size_t nr_diffs;
	size_t nr_tested;		/* rows with a p-value: Holm's family */
	char **warnings;		/* one sentence each */
	size_t nr_warnings;
};

void gb_compare_print_text(FILE *f, const struct gb_compare *c);
void gb_compare_print_markdown(FILE *f, const struct gb_compare *c);
void gb_compare_print_tsv(FILE *f, const struct gb_compare *c);

#endif
