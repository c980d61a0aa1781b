/* SPDX-License-Identifier: GPL-2.0 */
/* trials.tsv's stream, which keeps the first failed write's errno. */
#ifndef GB_TRIALS_FILE_H
#define GB_TRIALS_FILE_H

#include <stdio.h>

/*
 * trials.tsv's stream: stdio formatting over our own write(2), so the
 * first failed write keeps its errno.  A plain FILE does not: once its
 * error flag is set, a later fflush() fails without a write and leaves
 * errno as it was (a full disk read as "Input/output error").
 */
struct gb_trials_file {
	int fd;
	int err;	/* errno of the first failed write; 0: none */
};

/* Open @path with open(2) @flags; NULL with errno set on failure. */
FILE *gb_trials_open(struct gb_trials_file *tf, const char *path, int flags);

/* Flush @f: 0, or -errno of the first write that failed. */
int gb_trials_flush(struct gb_trials_file *tf, FILE *f);

/* Flush, fsync and close @f: 0 or -errno (the first error). */
int gb_trials_close(struct gb_trials_file *tf, FILE *f);

#endif
