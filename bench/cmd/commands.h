/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands' entry points (main.c dispatches) and what they share. */
#ifndef GB_COMMANDS_H
#define GB_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

#include "base/optparse.h"

#ifndef GB_VERSION
#define GB_VERSION "unknown"
#endif

/* -o, --results-dir: where runs are, for every command that takes it */
#define GB_OPT_RESULTS_DIR(type, what)					\
	{ "results-dir", 'o', "DIR", GB_OPT_STRING,			\
	  offsetof(type, results_dir), "results", what }

/*
 * main()'s own argv, whole and NULL-terminated (program, command, its
 * options), saved before it hands a command the words after the
 * command's name: run re-executes itself with it (ASLR off, replicates).
 */
extern char **gb_main_argv;

int gb_cmd_run(int argc, char **argv);
int gb_cmd_list(int argc, char **argv);
int gb_cmd_detect(int argc, char **argv);
int gb_cmd_compare(int argc, char **argv);
int gb_cmd_trend(int argc, char **argv);
int gb_cmd_primary(int argc, char **argv);
int gb_cmd_report(int argc, char **argv);
int gb_cmd_clean(int argc, char **argv);
void gb_usage(FILE *f);

#endif
