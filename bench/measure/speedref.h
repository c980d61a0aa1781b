/* SPDX-License-Identifier: GPL-2.0 */
/* The per-trial reference workload that says when the machine's speed moved. */
#ifndef GB_SPEEDREF_H
#define GB_SPEEDREF_H

#include <stdbool.h>
#include <stddef.h>

#include "measure/clock.h"

/*
 * The machine's speed in every trial: a fixed reference workload the
 * subject runs on its own CPU right after each timed phase, while every
 * other worker already waits at the barrier, and, in cells where it is
 * alone, right before the phase too (the trial gets the mean).
 *
 * - ref_syscall_ns: median of one getppid() round trip, timed like the
 *   guard ops (chained timer reads, histogram, median).
 * - ref_loop_ns: ns per GB_REF_LOOP_ITERS (1000) dependent 64-bit
 *   multiply-adds, pure user space (median over timed blocks).
 *
 * Each is measured in GB_REF_REPEATS repeats; the spread of the
 * repeats' values (max - min over their median) is the reference's own
 * noise within the trial, against which moves between trials are read.
 */
#define GB_REF_REPEATS 5
#define GB_REF_SYSCALLS 400	/* getppid calls per repeat */
#define GB_REF_LOOP_ITERS 1000	/* multiply-adds ref_loop_ns is per */
#define GB_REF_LOOP_UNITS 10	/* of those per timed block: 10 ns timer
				 * steps stay under 0.1% of a block */
#define GB_REF_LOOP_BLOCKS 20	/* blocks per repeat */

struct gb_speedref {
	double syscall_ns;
	double loop_ns;
	double syscall_noise;	/* relative spread of the repeats */
	double loop_noise;
};

void gb_speedref_measure(const struct gb_clock *clock, struct gb_speedref *r);
/* @r becomes the mean of @r and @other, values and noises alike. */
void gb_speedref_mean(struct gb_speedref *r, const struct gb_speedref *other);

/*
 * Did the reference move between trials by more than its noise?
 * Over every trial of every cell: a trial whose ref_syscall_ns or
 * ref_loop_ns lies further from the run's median than
 * max(GB_REF_MOVE_NOISES x the median within-trial noise,
 * GB_REF_MOVE_FLOOR) moved.  Returns true when any did; @note names
 * the threshold and the trials ("cell: trials 2,5 (ns vs median)").
 */
#define GB_REF_MOVE_NOISES 3.0
#define GB_REF_MOVE_FLOOR 0.03

struct gb_cell;
bool gb_speedref_moved(struct gb_cell **cells, size_t n, char *note,
		       size_t len);

/*
 * meta.txt's speed_ref_moved, speed_ref_note, thread_imbalance and
 * thread_imbalance_note over @cells: a run's own, or a merge's over all
 * its replicates (where trials are named by their place in trials.tsv).
 */
struct gb_meta;
void gb_meta_checks(struct gb_meta *m, struct gb_cell **cells, size_t n);

#endif
