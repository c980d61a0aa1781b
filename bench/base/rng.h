/* SPDX-License-Identifier: GPL-2.0 */
/* Seeded random numbers, the same on every machine and libc. */
#ifndef GB_RNG_H
#define GB_RNG_H

#include <stdint.h>

/*
 * xoshiro256** seeded through splitmix64: the bootstrap must give the
 * same interval for the same seed on every machine and libc, which
 * rand() and random() do not promise.  The state is public so that
 * tests can start from the published reference state.
 */
struct gb_rng {
	uint64_t s[4];
};

/* One splitmix64 step: advances *@state and returns the next output. */
uint64_t gb_splitmix64(uint64_t *state);
void gb_rng_seed(struct gb_rng *r, uint64_t seed);
uint64_t gb_rng_next_u64(struct gb_rng *r);
/* Uniform in [0, @n) without modulo bias; 0 when n == 0. */
uint64_t gb_rng_below(struct gb_rng *r, uint64_t n);

#endif
