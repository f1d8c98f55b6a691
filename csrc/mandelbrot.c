#include "fastkern.h"

/* Pixels iterated side by side. Each lane is its own pixel and runs the scalar
 * recurrence unchanged, so vectorising keeps every count bit-identical. */
#define LANES FK_MANDELBROT_LANES

#define MANDELBROT_ROW(NAME, T)                                                        \
    static FK_CLONES void NAME(ptrdiff_t width, double ci, int max_iter, ptrdiff_t from,  \
                               ptrdiff_t to, T *restrict row)                          \
    {                                                                                  \
        for (ptrdiff_t x0 = from; x0 < to; x0 += LANES) {                              \
            double cr[LANES], zr[LANES], zi[LANES], tr[LANES], ti[LANES];              \
            int64_t alive[LANES], count[LANES];                                        \
            for (int k = 0; k < LANES; k++) {                                          \
                cr[k] = 2.0 * (double)(x0 + k) / (double)width - 1.5;                  \
                zr[k] = zi[k] = tr[k] = ti[k] = 0.0;                                   \
                alive[k] = 1;                                                          \
                count[k] = 0;                                                          \
            }                                                                          \
            for (int it = 0; it < max_iter; it++) {                                    \
                int64_t any = 0;                                                       \
                for (int k = 0; k < LANES; k++) {                                      \
                    zi[k] = 2.0 * zr[k] * zi[k] + ci;                                  \
                    zr[k] = tr[k] - ti[k] + cr[k];                                     \
                    tr[k] = zr[k] * zr[k];                                             \
                    ti[k] = zi[k] * zi[k];                                             \
                    alive[k] &= (int64_t)(tr[k] + ti[k] <= 4.0);                       \
                    count[k] += alive[k];                                              \
                    any |= alive[k];                                                   \
                }                                                                      \
                if (!any)                                                              \
                    break;                                                             \
            }                                                                          \
            ptrdiff_t n = width - x0 < LANES ? width - x0 : LANES;                     \
            for (ptrdiff_t k = 0; k < n; k++)                                          \
                row[x0 + k] = (T)count[k];                                             \
        }                                                                              \
    }

MANDELBROT_ROW(row_u8, uint8_t)
MANDELBROT_ROW(row_u16, uint16_t)

/* Units [begin, end) are runs of LANES pixels, row after row. */
#define MANDELBROT_RANGE(NAME, ROW, T)                                                 \
    static void NAME(const fk_mandelbrot_t *s, int64_t begin, int64_t end)             \
    {                                                                                  \
        ptrdiff_t width = s->width, runs = (width + LANES - 1) / LANES;                \
        ptrdiff_t first = begin / runs, last = (end + runs - 1) / runs;                \
        T *out = s->out;                                                               \
        for (ptrdiff_t y = first; y < last; y++) {                                     \
            int64_t from = begin > y * runs ? begin - y * runs : 0;                    \
            int64_t to = end < (y + 1) * runs ? end - y * runs : runs;                 \
            ROW(width, 2.0 * (double)y / (double)s->height - 1.0, s->max_iter,         \
                from * LANES, to * LANES < width ? to * LANES : width, out + y * width);  \
        }                                                                              \
    }

MANDELBROT_RANGE(range_u8, row_u8, uint8_t)
MANDELBROT_RANGE(range_u16, row_u16, uint16_t)

int64_t fk_mandelbrot_open(fk_mandelbrot_t *s, ptrdiff_t width, ptrdiff_t height, int max_iter,
                           void *out)
{
    s->width = width;
    s->height = height;
    s->max_iter = max_iter;
    s->out = out;
    return (int64_t)height * ((width + LANES - 1) / LANES);
}

void fk_mandelbrot_range(void *state, int64_t begin, int64_t end)
{
    const fk_mandelbrot_t *s = state;
    if (s->max_iter <= 255)
        range_u8(s, begin, end);
    else
        range_u16(s, begin, end);
}
