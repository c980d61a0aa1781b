// SPDX-License-Identifier: GPL-2.0
/*
 * Cell order: each replicate runs its cells in a fresh seeded random
 * order, so slow drift of the machine (frequency, thermal state, other
 * tenants) falls on different cells in each replicate instead of always
 * on the last ones of the plan.
 */
#include <time.h>
#include <unistd.h>

#include "base/rng.h"
#include "measure/order.h"

void gb_cell_order(uint64_t seed, unsigned int replicate, size_t *order,
		   size_t n)
{
	uint64_t mix = seed;
	struct gb_rng r;

	/* one splitmix64 step apart per replicate: unrelated streams */
	mix ^= gb_splitmix64(&mix) + (uint64_t)replicate *
	       0x9e3779b97f4a7c15ull;
	gb_rng_seed(&r, mix);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)gb_rng_below(&r, i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

uint64_t gb_order_seed_now(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 32);
	/* what --order-seed can take back, to reproduce the run */
	return gb_splitmix64(&s) & ((1ull << 53) - 1);
}
