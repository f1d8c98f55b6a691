#include "fastkern.h"

#define LANES FK_GRANULE

/* Pairwise fold of the lanes: a fixed order, so one input gives one result. */
FK_INLINE double fold(double *acc)
{
    for (int width = LANES / 2; width > 0; width /= 2)
        for (int k = 0; k < width; k++)
            acc[k] += acc[k + width];
    return acc[0];
}

void fk_sum_open(fk_sum_t *s, const double *x, ptrdiff_t n)
{
    s->x = x;
    s->n = n;
    for (int k = 0; k < LANES; k++)
        s->acc[k] = 0.0;
}

/* Whole groups of LANES elements go to the sixteen accumulators, the last n % LANES
 * elements to the first one, as one unbroken loop would do. */
FK_CLONES void fk_sum_range(void *state, int64_t begin, int64_t end)
{
    fk_sum_t *s = state;
    const double *restrict x = s->x;
    ptrdiff_t whole = s->n - s->n % LANES, stop = end < whole ? end : whole, i = begin;
    double acc[LANES];
    for (int k = 0; k < LANES; k++)
        acc[k] = s->acc[k];
    for (; i + LANES <= stop; i += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += x[i + k];
    for (; i < end; i++)
        acc[0] += x[i];
    for (int k = 0; k < LANES; k++)
        s->acc[k] = acc[k];
}

FK_CLONES double fk_sum_result(fk_sum_t *s)
{
    return fold(s->acc);
}

void fk_dot_open(fk_dot_t *s, const double *x, const double *y, ptrdiff_t n)
{
    s->x = x;
    s->y = y;
    s->n = n;
    for (int k = 0; k < LANES; k++)
        s->acc[k] = 0.0;
}

FK_CLONES void fk_dot_range(void *state, int64_t begin, int64_t end)
{
    fk_dot_t *s = state;
    const double *restrict x = s->x, *restrict y = s->y;
    ptrdiff_t whole = s->n - s->n % LANES, stop = end < whole ? end : whole, i = begin;
    double acc[LANES];
    for (int k = 0; k < LANES; k++)
        acc[k] = s->acc[k];
    for (; i + LANES <= stop; i += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += x[i + k] * y[i + k];
    for (; i < end; i++)
        acc[0] += x[i] * y[i];
    for (int k = 0; k < LANES; k++)
        s->acc[k] = acc[k];
}

FK_CLONES double fk_dot_result(fk_dot_t *s)
{
    return fold(s->acc);
}
