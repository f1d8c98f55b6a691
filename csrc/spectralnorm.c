#include <math.h>

#include "fastkern.h"

/* Rows computed side by side. Each lane is its own row and adds its terms in order of j,
 * so vectorising keeps every sum bit-identical to the scalar reference. */
#define LANES FK_SPECTRAL_NORM_LANES

/* 1 / A(i, j), from i + j and i held as doubles. Every step is exact while
 * (i + j)^2 < 2^53, so this is the exact integer the definition computes. */
FK_INLINE double denominator(double sum, double i)
{
    return sum * (sum + 1.0) / 2.0 + i + 1.0;
}

/* Rows [from, to) of v = A u when transposed is 0, of v = A^T u when it is 1. */
static FK_CLONES void times(ptrdiff_t n, const double *restrict u, double *restrict v,
                            int transposed, ptrdiff_t from, ptrdiff_t to)
{
    for (ptrdiff_t i0 = from; i0 < to; i0 += LANES) {
        double row[LANES], acc[LANES];
        for (int k = 0; k < LANES; k++) {
            row[k] = (double)(i0 + k);
            acc[k] = 0.0;
        }
        for (ptrdiff_t j = 0; j < n; j++) {
            double column = (double)j, uj = u[j];
            if (transposed)
                for (int k = 0; k < LANES; k++)
                    acc[k] += 1.0 / denominator(row[k] + column, column) * uj;
            else
                for (int k = 0; k < LANES; k++)
                    acc[k] += 1.0 / denominator(row[k] + column, row[k]) * uj;
        }
        ptrdiff_t lanes = n - i0 < LANES ? n - i0 : LANES;
        for (ptrdiff_t k = 0; k < lanes; k++)
            v[i0 + k] = acc[k];
    }
}

int64_t fk_spectral_norm_open(fk_spectral_norm_t *s, ptrdiff_t n, double *work)
{
    s->n = n;
    s->u = work;
    s->v = work + n;
    s->tmp = work + 2 * n;
    for (ptrdiff_t i = 0; i < n; i++)
        s->u[i] = 1.0;
    return 40 * (int64_t)((n + LANES - 1) / LANES);
}

/* Ten rounds of tmp = A u, v = A^T tmp, tmp = A v, u = A^T tmp: 40 products, each of
 * ceil(n / LANES) units. */
void fk_spectral_norm_range(void *state, int64_t begin, int64_t end)
{
    const fk_spectral_norm_t *s = state;
    ptrdiff_t n = s->n, blocks = (n + LANES - 1) / LANES;
    for (int64_t unit = begin; unit < end;) {
        int64_t product = unit / blocks, block = unit % blocks;
        int64_t last = end - unit < blocks - block ? block + (end - unit) : blocks;
        const double *from[4] = {s->u, s->tmp, s->v, s->tmp};
        double *to[4] = {s->tmp, s->v, s->tmp, s->u};
        ptrdiff_t stop = last * LANES < n ? last * LANES : n;
        times(n, from[product % 4], to[product % 4], (int)(product % 2), block * LANES, stop);
        unit += last - block;
    }
}

int fk_spectral_norm_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)
{
    const fk_spectral_norm_t *s = state;
    int64_t blocks = (s->n + LANES - 1) / LANES;
    *start = unit - unit % blocks;
    *end = *start + blocks;
    return FK_GROUP_SHARED;
}

double fk_spectral_norm_result(const fk_spectral_norm_t *s)
{
    const double *u = s->u, *v = s->v;
    double vbv = 0.0, vv = 0.0;
    for (ptrdiff_t i = 0; i < s->n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    return sqrt(vbv / vv);
}
