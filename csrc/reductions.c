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

FK_INLINE void zero_lanes(double *lanes)
{
    for (int k = 0; k < LANES; k++)
        lanes[k] = 0.0;
}

/* Items [begin, end) of x, or with `products` of x[i] * y[i] (a constant at each call,
 * which the inlining folds away): whole groups of LANES items go to the sixteen
 * accumulators, the last n % LANES items to the first one, as one unbroken loop would
 * do. The accumulators live in registers within the range. */
FK_INLINE void add_lanes(double *lanes, const double *restrict x, const double *restrict y,
                         int products, ptrdiff_t n, int64_t begin, int64_t end)
{
    ptrdiff_t whole = n - n % LANES, stop = end < whole ? end : whole, i = begin;
    double acc[LANES];
    for (int k = 0; k < LANES; k++)
        acc[k] = lanes[k];
    for (; i + LANES <= stop; i += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += products ? x[i + k] * y[i + k] : x[i + k];
    for (; i < end; i++)
        acc[0] += products ? x[i] * y[i] : x[i];
    for (int k = 0; k < LANES; k++)
        lanes[k] = acc[k];
}

void fk_sum_open(fk_sum_t *s, const double *x, ptrdiff_t n)
{
    s->x = x;
    s->n = n;
    zero_lanes(s->acc);
}

FK_CLONES void fk_sum_range(void *state, int64_t begin, int64_t end)
{
    fk_sum_t *s = state;
    add_lanes(s->acc, s->x, NULL, 0, s->n, begin, end);
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
    zero_lanes(s->acc);
}

FK_CLONES void fk_dot_range(void *state, int64_t begin, int64_t end)
{
    fk_dot_t *s = state;
    add_lanes(s->acc, s->x, s->y, 1, s->n, begin, end);
}

FK_CLONES double fk_dot_result(fk_dot_t *s)
{
    return fold(s->acc);
}
