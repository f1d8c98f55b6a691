#include "fastkern.h"

#define LANES 16

/* Pairwise fold of the lanes: a fixed order, so one input gives one result. */
static double fold(double *acc)
{
    for (int width = LANES / 2; width > 0; width /= 2)
        for (int k = 0; k < width; k++)
            acc[k] += acc[k + width];
    return acc[0];
}

FK_CLONES double fk_sum(const double *restrict x, ptrdiff_t n)
{
    double acc[LANES] = {0.0};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += x[i + k];
    for (; i < n; i++)
        acc[0] += x[i];
    return fold(acc);
}

FK_CLONES double fk_dot(const double *restrict x, const double *restrict y, ptrdiff_t n)
{
    double acc[LANES] = {0.0};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += x[i + k] * y[i + k];
    for (; i < n; i++)
        acc[0] += x[i] * y[i];
    return fold(acc);
}
