/* rng.h -- the PRNG of pupns-seed: splitmix64, inline because the row
 * generator calls it several times per PNS.
 *
 * Equal seeds give equal sequences on every platform, which is what makes
 * equal --seed values give byte-identical data. */
#ifndef SEED_RNG_H
#define SEED_RNG_H

#include <stdint.h>

typedef struct { uint64_t s; } seed_rng;

/* The next 64 random bits. */
static inline uint64_t seed_rng_next(seed_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A number in [0, n). */
static inline uint32_t seed_rng_below(seed_rng *r, uint32_t n)
{
    return (uint32_t)(((seed_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A number in [0, 1). */
static inline double seed_rng_unit(seed_rng *r)
{
    return (double)(seed_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
