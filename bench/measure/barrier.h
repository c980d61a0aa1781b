/* SPDX-License-Identifier: GPL-2.0 */
/* A futex barrier for one cell's workers, with a way out of every wait. */
#ifndef GB_BARRIER_H
#define GB_BARRIER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A barrier for the workers of one cell, threads or processes (it lives
 * in MAP_SHARED memory: a shared futex).  Unlike pthread_barrier_wait()
 * every wait has a way out: a timeout per call, and gb_barrier_break(),
 * which releases every waiter now and later with -ECANCELED.  The main
 * thread waits in slices and watches its contenders in between, so a
 * dead or stuck one cannot hang the run.
 */
struct gb_barrier {
	_Atomic uint32_t gen;		/* futex word: bumped per round */
	atomic_uint arrived;
	atomic_int broken;
	unsigned int count;
};

void gb_barrier_init(struct gb_barrier *b, unsigned int count);
/* Arrive; returns the round to pass to gb_barrier_await(). */
uint32_t gb_barrier_arrive(struct gb_barrier *b);
/*
 * Wait up to @timeout_s for round @gen to complete: 0 when it has,
 * -ETIMEDOUT (call again to go on waiting) or -ECANCELED once broken.
 */
int gb_barrier_await(struct gb_barrier *b, uint32_t gen, double timeout_s);
/* Arrive and wait however long it takes: 0 or -ECANCELED. */
int gb_barrier_wait(struct gb_barrier *b);
void gb_barrier_break(struct gb_barrier *b);

#endif
