// SPDX-License-Identifier: GPL-2.0
/*
 * compare's table for another command: compare's own entry point,
 * with its stdout pointed at the caller's stream for the call.  One
 * table, one code path: the report can never disagree with compare.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare_table.h"
#include "util.h"

int gb_compare_print_table(FILE *f, const char *base, const char *new,
			   const char *const *opts)
{
	char *argv[16];
	int argc = 0, saved = -1, rc;

	for (; opts && *opts && argc < 13; opts++)
		argv[argc++] = (char *)*opts;
	argv[argc++] = (char *)base;
	argv[argc++] = (char *)new;
	argv[argc] = NULL;
	fflush(stdout);
	if (f != stdout) {
		fflush(f);
		saved = dup(STDOUT_FILENO);
		if (saved < 0 || dup2(fileno(f), STDOUT_FILENO) < 0)
			gb_die(GB_EXIT_FAILURE, "cannot redirect compare's "
			       "table: out of file descriptors?");
	}
	rc = gb_cmd_compare(argc, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	return rc;
}
