// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench: how much does MADV_GUARD_INSTALL cost, and what does it
 * cost everyone else?  One binary, subcommands like perf.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "judge/report.h"
#include "base/util.h"

struct gb_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct gb_command commands[] = {
	{ "run", gb_cmd_run, "run scenarios, write one results directory" },
	{ "list", gb_cmd_list, "scenarios, their parameters, placements" },
	{ "detect", gb_cmd_detect,
	  "what this kernel and machine offer, and what skews numbers" },
	{ "compare", gb_cmd_compare, "BASE NEW: the cover-letter table" },
	{ "trend", gb_cmd_trend, "runs in kernel-version order, steps marked" },
	{ "primary", gb_cmd_primary, "RUN: its primary rows as TSV, for tools" },
	{ "report", gb_cmd_report,
	  "BASE NEW: setup, table, commands, plots: for a cover letter" },
	{ "clean", gb_cmd_clean,
	  "what killed runs left: keep as incomplete runs, or --remove" },
};

void gb_usage(FILE *f)
{
	fprintf(f, "usage: guard-bench <command> [options]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n`guard-bench <command> --help` for its options.\n\n"
		"Exit status:\n"
		"  %d  success\n"
		"  %d  a system call or write failed mid-run (partial results "
		"kept, complete: no)\n"
		"  %d  usage: unknown command, scenario, placement, option or "
		"bad value\n"
		"  %d  --tmpdir or the results directory is not usable;\n"
		"     compare, trend: a run directory is missing, holds no "
		"results\n     or has a malformed file (file:line in the "
		"message);\n     clean: a leftover could not be kept as a run\n"
		"  %d  this kernel lacks MADV_GUARD_INSTALL (needs Linux 6.13+)"
		"\n"
		"  %d  interrupted by a signal (finished trials kept, "
		"complete: no)\n"
		"  %d  compare, trend: the runs share no cell; report: no "
		"primary row\n"
		"  %d  a worker died (a contender process killed, e.g. by the "
		"OOM killer)\n     or hung: its cell abandoned, finished "
		"cells kept, complete: no\n"
		"  %d  run: the results could not be written in full (a full "
		"disk):\n     every finished trial kept in the directory the "
		"message names\n",
		GB_EXIT_OK, GB_EXIT_FAILURE, GB_EXIT_USAGE, GB_EXIT_ENV,
		GB_EXIT_NO_GUARD, GB_EXIT_INTERRUPTED,
		GB_EXIT_NOTHING_IN_COMMON, GB_EXIT_LOST, GB_EXIT_KEPT);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		gb_usage(stderr);
		return GB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		gb_usage(stdout);
		return GB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("guard-bench %s\n", GB_VERSION);
		return GB_EXIT_OK;
	}
	gb_main_argv = argv;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 2, argv + 2);
	gb_die(GB_EXIT_USAGE, "unknown command '%s': use run, list, detect, "
	       "compare, trend, primary, report or clean (guard-bench "
	       "--help)", argv[1]);
}
