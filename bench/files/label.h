/* SPDX-License-Identifier: GPL-2.0 */
/* --label: checking a run's name is fit for files, TSV and plots. */
#ifndef GB_LABEL_H
#define GB_LABEL_H

#include <stddef.h>

#define GB_RUN_LABEL_MAX 64

/*
 * Is @label fit to name a run (--label)?  It lands in meta.txt, TSV
 * columns, plot titles and file names, so TAB, newline, other control
 * characters, '/' and '\' are refused, as are an empty label and one
 * longer than GB_RUN_LABEL_MAX bytes.  Returns 0, or -1 with problem
 * and fix in @err, naming the offending character and its position.
 */
int gb_label_check(const char *label, char *err, size_t errlen);

#endif
