// SPDX-License-Identifier: GPL-2.0
/* list: the scenarios, their parameters, placements, and leftovers. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "files/leftovers.h"
#include "measure/scenario.h"
#include "measure/topo.h"
#include "base/util.h"

static void print_leftover(const struct gb_leftover *l, void *arg)
{
	bool *first = arg;

	if (*first)
		printf("\nLeft by runs killed before they finished (guard-bench "
		       "clean keeps them\nas incomplete runs, clean --remove "
		       "deletes them):\n");
	*first = false;
	printf("  %s  (PID %d, gone)\n", l->path, (int)l->pid);
}

struct list_args {
	const char *results_dir;
	bool help;
};

static const struct gb_opt list_table[] = {
	GB_OPT_RESULTS_DIR(struct list_args,
			   "where to look for what killed runs left"),
	GB_OPT_HELP(struct list_args),
};

static const struct gb_optset list_opts = {
	GB_OPTSET("list", list_table),
};

int gb_cmd_list(int argc, char **argv)
{
	struct list_args args;
	bool first = true;

	gb_opts_parse_or_die(&list_opts, &args, argc, argv, NULL, NULL);
	if (args.help) {
		printf("usage: guard-bench list [options]\n\nScenarios, "
		       "placements, and what killed runs left in DIR and "
		       "$TMPDIR.\n\n");
		gb_opts_usage(&list_opts, stdout);
		return GB_EXIT_OK;
	}
	printf("Scenarios:\n");
	for (size_t i = 0; i < gb_nr_scenarios; i++) {
		const struct gb_scenario *sc = gb_scenarios[i];

		printf("  %-10s %s\n", sc->name, sc->summary);
		for (const struct gb_param_use *u = sc->params; u && u->def;
		     u++)
			printf("    --%-14s %s (default: %s)\n", u->def->name,
			       u->def->help, u->def->def);
	}
	printf("\nPlacements (contenders relative to the subject):\n");
	for (size_t i = 0; i < gb_nr_placements; i++)
		printf("  %-10s %s\n", gb_placements[i].name,
		       gb_placements[i].summary);
	gb_leftovers(args.results_dir, print_leftover, &first);
	return GB_EXIT_OK;
}
