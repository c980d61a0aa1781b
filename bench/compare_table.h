/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GB_COMPARE_TABLE_H
#define GB_COMPARE_TABLE_H

#include <stdio.h>

/*
 * compare's table as a library call, for `guard-bench report`: the
 * output of `guard-bench compare [@opts...] BASE NEW` written to @f.
 * @opts is NULL-ended (--format markdown, --threshold PCT, --seed N).
 * Bad input ends the process as compare does (status 2, 3 or 6).
 * Returns compare's status.
 */
int gb_compare_print_table(FILE *f, const char *base, const char *new,
			   const char *const *opts);

#endif
