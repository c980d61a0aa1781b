// SPDX-License-Identifier: GPL-2.0
/* The seeded random numbers of the bootstrap and of the cell order. */
#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "base/util.h"

uint64_t gb_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * splitmix64 fills the state as its authors recommend: it cannot give
 * the all-zero state, the one xoshiro never leaves.
 */
void gb_rng_seed(struct gb_rng *r, uint64_t seed)
{
	for (size_t i = 0; i < ARRAY_SIZE(r->s); i++)
		r->s[i] = gb_splitmix64(&seed);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gb_rng_next_u64(struct gb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/*
 * x % n over-weights the first 2^64 mod n residues; skipping the
 * 2^64 mod n smallest outputs leaves every residue the same number
 * of preimages.  -n % n is 2^64 mod n in 64-bit arithmetic.
 */
uint64_t gb_rng_below(struct gb_rng *r, uint64_t n)
{
	uint64_t skip, x;

	if (n == 0)
		return 0;
	skip = -n % n;
	do
		x = gb_rng_next_u64(r);
	while (x < skip);
	return x % n;
}
