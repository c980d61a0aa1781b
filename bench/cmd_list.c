// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "leftovers.h"
#include "scenario.h"
#include "topo.h"
#include "util.h"

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

int gb_cmd_list(int argc, char **argv)
{
	const char *root = "results";
	bool first = true;

	if (argc > 0 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		printf("usage: guard-bench list [-o DIR]\n\nScenarios, "
		       "placements, and what killed runs left in DIR (default "
		       "results) and $TMPDIR.\n");
		return GB_EXIT_OK;
	}
	if (argc == 2 && (!strcmp(argv[0], "-o") ||
			  !strcmp(argv[0], "--results-dir")))
		root = argv[1];
	else if (argc > 0)
		gb_die(GB_EXIT_USAGE, "list takes only -o DIR, got '%s'",
		       argv[0]);
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
	gb_leftovers(root, print_leftover, &first);
	return GB_EXIT_OK;
}
