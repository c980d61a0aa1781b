// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "scenario.h"
#include "topo.h"
#include "util.h"

int gb_cmd_list(int argc, char **argv)
{
	if (argc > 0 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		printf("usage: guard-bench list\n");
		return GB_EXIT_OK;
	}
	if (argc > 0)
		gb_die(GB_EXIT_USAGE, "list takes no arguments, got '%s'",
		       argv[0]);
	printf("Scenarios:\n");
	for (size_t i = 0; i < gb_nr_scenarios; i++) {
		const struct gb_scenario *sc = gb_scenarios[i];

		printf("  %-10s %s\n", sc->name, sc->summary);
		for (const struct gb_param_def *d = sc->params; d && d->name;
		     d++)
			printf("    --%-14s %s (default: %s)\n", d->name,
			       d->help, d->def);
	}
	printf("\nPlacements (contenders relative to the subject):\n");
	for (size_t i = 0; i < gb_nr_placements; i++)
		printf("  %-10s %s\n", gb_placements[i].name,
		       gb_placements[i].summary);
	return GB_EXIT_OK;
}
