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

#include "cmd/commands.h"
#include "judge/primary_ends.h"
#include "judge/report.h"
#include "files/run_dir.h"
#include "measure/scenario.h"
#include "base/util.h"

static const char *direction_word(enum gb_direction d)
{
	return d == GB_DIR_LOWER ? "lower" :
	       d == GB_DIR_HIGHER ? "higher" : "none";
}

struct primary_args {
	bool help;
};

static const struct gb_opt primary_table[] = {
	GB_OPT_HELP(struct primary_args),
};

static const struct gb_optset primary_opts = {
	GB_OPTSET("primary", primary_table), .positional = true,
};

int gb_cmd_primary(int argc, char **argv)
{
	char **runs = gb_zalloc(((size_t)argc + 1) * sizeof(*runs));
	const struct gb_summary_row **rows;
	struct primary_args args;
	struct gb_run r;
	char err[1024];
	bool *primary;
	size_t n = 0;
	int nr_runs;

	gb_opts_parse_or_die(&primary_opts, &args, argc, argv, runs, &nr_runs);
	if (args.help) {
		printf("usage: guard-bench primary [options] RUN\n\n"
		       "The run's primary rows as TSV: scenario, cell, "
		       "metric, value, unit,\ndirection (lower|higher|none "
		       "is better), n (values behind it).\n\n");
		gb_opts_usage(&primary_opts, stdout);
		free(runs);
		return GB_EXIT_OK;
	}
	if (nr_runs != 1)
		gb_die(GB_EXIT_USAGE, "primary takes one run directory, got "
		       "%d arguments: guard-bench primary RUN", nr_runs);
	argv = runs;
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
	free(runs);
	return GB_EXIT_OK;
}
