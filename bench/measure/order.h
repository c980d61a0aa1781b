/* SPDX-License-Identifier: GPL-2.0 */
/* The seeded random order a replicate runs its cells in. */
#ifndef GB_ORDER_H
#define GB_ORDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The order a replicate runs its cells in: a Fisher-Yates shuffle of
 * 0..@n-1 driven by xoshiro256** seeded from @seed and @replicate
 * (1-based).  The same seed and replicate always give the same order;
 * replicates of one seed get independent orders.
 */
void gb_cell_order(uint64_t seed, unsigned int replicate, size_t *order,
		   size_t n);

/* A seed from the clock and the pid, for runs given no --order-seed. */
uint64_t gb_order_seed_now(void);

/* Largest --order-seed: exact in a double, which the option parser uses. */
#define GB_ORDER_SEED_MAX 9007199254740991.0

#endif
