#include <math.h>

#include "fastkern.h"

/* Rows computed side by side. Each lane is its own row and adds its terms in order of j,
 * so vectorising keeps every sum bit-identical to the scalar reference. */
#define LANES 8

/* 1 / A(i, j), from i + j and i held as doubles. Every step is exact while
 * (i + j)^2 < 2^53, so this is the exact integer the definition computes. */
FK_INLINE double denominator(double sum, double i)
{
    return sum * (sum + 1.0) / 2.0 + i + 1.0;
}

/* v = A u when transposed is 0, v = A^T u when it is 1. */
static FK_CLONES void times(ptrdiff_t n, const double *restrict u, double *restrict v,
                            int transposed)
{
    for (ptrdiff_t i0 = 0; i0 < n; i0 += LANES) {
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

static void times_ata(ptrdiff_t n, const double *u, double *v, double *tmp)
{
    times(n, u, tmp, 0);
    times(n, tmp, v, 1);
}

double fk_spectral_norm(ptrdiff_t n, double *work)
{
    double *u = work, *v = work + n, *tmp = work + 2 * n;
    for (ptrdiff_t i = 0; i < n; i++)
        u[i] = 1.0;
    for (int round = 0; round < 10; round++) {
        times_ata(n, u, v, tmp);
        times_ata(n, v, u, tmp);
    }
    double vbv = 0.0, vv = 0.0;
    for (ptrdiff_t i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    return sqrt(vbv / vv);
}
