#include "fastkern.h"

#define GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* splitmix64 output number k (from 1) for a seed: a counter-based generator. */
FK_INLINE uint64_t splitmix64_at(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + k * GAMMA;
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Sample i uses outputs 2i+1 (x) and 2i+2 (y), each reduced to 53 bits in [0, 1). */
FK_CLONES int64_t fk_monte_carlo_hits(uint64_t seed, int64_t first, int64_t count)
{
    const double scale = 1.0 / 9007199254740992.0;
    int64_t hits = 0;
    for (int64_t i = first; i < first + count; i++) {
        uint64_t k = 2 * (uint64_t)i;
        double x = (double)(splitmix64_at(seed, k + 1) >> 11) * scale;
        double y = (double)(splitmix64_at(seed, k + 2) >> 11) * scale;
        hits += x * x + y * y <= 1.0;
    }
    return hits;
}
