// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench primary RUN: the primary rows of one run as TSV, one per
 * cell x primary metric, for the tools that read a run without our
 * tables (the fleet engines' parsers, the headline, scripts):
 *
 *   scenario  cell  metric  value  unit  direction  n
 *
 * value is the summary median; direction "lower", "higher" or "none";
 * n the number of per-trial values behind it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "primary_ends.h"
#include "report.h"
#include "run_dir.h"
#include "scenario.h"
#include "util.h"

static const char *direction_word(enum gb_direction d)
{
	return d == GB_DIR_LOWER ? "lower" :
	       d == GB_DIR_HIGHER ? "higher" : "none";
}

int gb_cmd_primary(int argc, char **argv)
{
	const struct gb_summary_row **rows;
	struct gb_run r;
	char err[1024];
	bool *primary;
	size_t n = 0;

	if (argc == 1 && (!strcmp(argv[0], "--help") ||
			  !strcmp(argv[0], "-h"))) {
		printf("usage: guard-bench primary RUN\n"
		       "  the run's primary rows as TSV: scenario, cell, "
		       "metric, value, unit,\n  direction (lower|higher|none "
		       "is better), n (values behind it)\n");
		return GB_EXIT_OK;
	}
	if (argc != 1)
		gb_die(GB_EXIT_USAGE, "primary takes one run directory, got "
		       "%d arguments: guard-bench primary RUN", argc);
	if (gb_run_load(&r, argv[0], err, sizeof(err)))
		gb_die(GB_EXIT_ENV, "%s", err);
	rows = gb_zalloc((r.nr_rows ? r.nr_rows : 1) * sizeof(*rows));
	primary = gb_zalloc((r.nr_rows ? r.nr_rows : 1) * sizeof(*primary));
	for (size_t i = 0; i < r.nr_rows; i++) {
		rows[i] = r.rows[i].sum;
		primary[i] = gb_metric_primary(rows[i]->scenario,
					       rows[i]->metric);
	}
	gb_primary_ends(rows, r.nr_rows, primary);
	printf("scenario\tcell\tmetric\tvalue\tunit\tdirection\tn\n");
	for (size_t i = 0; i < r.nr_rows; i++) {
		const struct gb_summary_row *s = r.rows[i].sum;

		if (!primary[i])
			continue;
		printf("%s\t%s\t%s\t%.9g\t%s\t%s\t%zu\n", s->scenario,
		       s->cell, s->metric, s->s.median, s->unit,
		       direction_word(gb_metric_direction(s->metric)),
		       r.rows[i].n);
		n++;
	}
	free(rows);
	free(primary);
	gb_run_free(&r);
	if (!n)
		gb_die(GB_EXIT_NOTHING_IN_COMMON, "%s holds no primary row: "
		       "run a scenario that has one (guard-bench list)",
		       argv[0]);
	return GB_EXIT_OK;
}
