#include "fastkern.h"

/* Pixels iterated side by side. Each lane is its own pixel and runs the scalar
 * recurrence unchanged, so vectorising keeps every count bit-identical. */
#define LANES 16

#define MANDELBROT_ROW(NAME, T)                                                        \
    static FK_CLONES void NAME(ptrdiff_t width, double ci, int max_iter,       \
                               T *restrict row)                                        \
    {                                                                                  \
        for (ptrdiff_t x0 = 0; x0 < width; x0 += LANES) {                              \
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

#define MANDELBROT_IMAGE(NAME, ROW, T)                                                 \
    void NAME(ptrdiff_t width, ptrdiff_t height, int max_iter, T *out)                 \
    {                                                                                  \
        _Pragma("omp parallel for schedule(dynamic)")                                  \
        for (ptrdiff_t y = 0; y < height; y++)                                         \
            ROW(width, 2.0 * (double)y / (double)height - 1.0, max_iter,               \
                out + y * width);                                                      \
    }

MANDELBROT_IMAGE(fk_mandelbrot_u8, row_u8, uint8_t)
MANDELBROT_IMAGE(fk_mandelbrot_u16, row_u16, uint16_t)
