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
static FK_CLONES int64_t hits_scalar(uint64_t seed, int64_t first, int64_t count)
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

#if defined(FK_X86_64_V4)
#include <immintrin.h>

/* The same samples, eight at a time in AVX-512 registers (GCC vector extensions), with the
 * same count. The generator's counter becomes an addition of 16 * GAMMA per round, and the
 * scaling by 2**-53 moves to the bound: for integers a, b < 2**53, x = a * 2**-53 exactly,
 * and scaling by a power of two commutes with rounding while nothing is subnormal (the
 * smallest nonzero square, 2**-106, is normal), so x*x + y*y <= 1 exactly when
 * a*a + b*b <= 2**106, each side rounded as in the scalar loop. */
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef int64_t i64x8 __attribute__((vector_size(64)));  /* for the signed conversion */
typedef double f64x8 __attribute__((vector_size(64)));

/* The top 53 bits of splitmix64's output for the counters z, as doubles (integers). */
FK_INLINE FK_X86_64_V4 f64x8 top_bits(u64x8 z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z = (z ^ (z >> 31)) >> 11;
    return __builtin_convertvector((i64x8)z, f64x8);
}

static FK_X86_64_V4 int64_t hits_vector(uint64_t seed, int64_t first, int64_t count)
{
    u64x8 zx, zy;
    for (int lane = 0; lane < 8; lane++) {
        zx[lane] = seed + (2 * (uint64_t)(first + lane) + 1) * GAMMA;
        zy[lane] = zx[lane] + GAMMA;
    }
    const uint64_t step = 16 * GAMMA;
    const __m512d bound = _mm512_set1_pd(0x1p106);
    int64_t rounds = count / 8, hits = 0;
    for (int64_t round = 0; round < rounds; round++) {
        f64x8 a = top_bits(zx), b = top_bits(zy);
        hits += __builtin_popcount(_mm512_cmp_pd_mask((__m512d)(a * a + b * b), bound, _CMP_LE_OQ));
        zx += step;
        zy += step;
    }
    return hits + hits_scalar(seed, first + rounds * 8, count - rounds * 8);
}
#endif

int64_t fk_monte_carlo_hits(uint64_t seed, int64_t first, int64_t count)
{
#if defined(FK_X86_64_V4)
    if (FK_HAS_X86_64_V4())
        return hits_vector(seed, first, count);
#endif
    return hits_scalar(seed, first, count);
}
