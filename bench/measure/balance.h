/* SPDX-License-Identifier: GPL-2.0 */
/* Whether a cell's threads shared the machine alike: thread_rate_imbalance. */
#ifndef GB_BALANCE_H
#define GB_BALANCE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where every thread of a cell does the subject's work (scaling,
 * allocator), the harness records thread_rate_imbalance per trial: the
 * largest |contender's rate / subject's rate - 1|.  A cell whose median
 * over trials exceeds GB_IMBALANCE_MARGIN is imbalanced: its threads
 * did not share the machine alike, so its pooled and total figures mix
 * unequal threads.
 */
#define GB_IMBALANCE_MARGIN 0.10

struct gb_cell;
/* Any imbalanced cell?  @note names them with their median, or "none". */
bool gb_imbalanced(struct gb_cell **cells, size_t n, char *note, size_t len);

#endif
