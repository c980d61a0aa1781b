/* SPDX-License-Identifier: GPL-2.0 */
/* The one-screen headline at the end of a run, and its warnings. */
#ifndef GB_HEADLINE_H
#define GB_HEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The one-screen answer printed at the end of `guard-bench run`: at
 * most GB_HEADLINE_LINES lines of at most GB_HEADLINE_COLS columns,
 * built from the scenarios' primary metrics of the run directory @dir:
 * the lock path, the uncontended cost, each contention shape's ratio at
 * the largest N with a within-run bootstrap interval, the warnings that
 * matter.  The two lines naming the run and its summary.txt come on top
 * of the limit.  (It reads the directory back, not the harness's
 * struct gb_runner.)
 */
#define GB_HEADLINE_LINES	38
#define GB_HEADLINE_COLS	80

struct gb_cell;
struct gb_run;

/*
 * The headline's warnings about run @r (run_dir.h's struct gb_run; in
 * headline_warnings.c), each handed to @say as one unwrapped sentence,
 * in the order printed.
 */
typedef void (*gb_say_fn)(void *ctx, const char *text);
void gb_headline_warnings(const struct gb_run *r, gb_say_fn say, void *ctx);

/*
 * What a run prints at its end, before its paths: the headline of the
 * finished run directory @dir or, with @verbose (--verbose), the whole
 * table of @cells as summary.txt has it.  A run whose headline cannot
 * be read back says why on stderr.
 */
void gb_run_outcome(FILE *f, bool verbose, struct gb_cell **cells, size_t n,
		    const char *dir);

#endif
