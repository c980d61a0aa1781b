/* SPDX-License-Identifier: GPL-2.0 */
/* Primary rows at the ends of a sweep ("METRIC@KEY"): primary_ends.c. */
#ifndef GB_PRIMARY_ENDS_H
#define GB_PRIMARY_ENDS_H

#include <stdbool.h>
#include <stddef.h>

#include "files/results.h"

/*
 * @primary[i] says whether rows[i] is primary by its metric; rows of a
 * "METRIC@KEY" metric between the ends of their KEY sweep are made
 * descriptive (false).  The rows are any set judged together: one
 * compare, one trend, one run.
 */
void gb_primary_ends(const struct gb_summary_row *const *rows, size_t n,
		     bool *primary);

#endif
