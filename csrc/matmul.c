#include <stdlib.h>
#include <string.h>

#include "fastkern.h"

/* GotoBLAS-style blocking: b is packed KC rows by NC columns at a time into panels of NR
 * columns, a into slivers of MR rows, both zero-padded, so the MR x NR register tile
 * reads both contiguously. Every out[i][j] still adds a[i][p] * b[p][j] in order of p,
 * starting from 0.0, so the result is bit-identical to the naive loop (no FMA
 * contraction: -ffp-contract=off). */
#define MR 8
#define NR 4
#define KC 256
#define NC 512

static ptrdiff_t min(ptrdiff_t x, ptrdiff_t y)
{
    return x < y ? x : y;
}

/* b[p0 .. p0+depth) x [j0 .. j0+width) as panels of depth x NR, zero-padded. */
static void pack_b(const double *b, ptrdiff_t m, ptrdiff_t p0, ptrdiff_t depth,
                   ptrdiff_t j0, ptrdiff_t width, double *restrict packed)
{
    for (ptrdiff_t panel = 0; panel < width; panel += NR) {
        ptrdiff_t columns = min(NR, width - panel);
        for (ptrdiff_t p = 0; p < depth; p++, packed += NR) {
            const double *row = b + (p0 + p) * m + j0 + panel;
            for (ptrdiff_t j = 0; j < NR; j++)
                packed[j] = j < columns ? row[j] : 0.0;
        }
    }
}

/* a[i0 .. i0+rows) x [p0 .. p0+depth) as depth x MR, column by column, zero-padded. */
static void pack_a(const double *a, ptrdiff_t k, ptrdiff_t i0, ptrdiff_t rows, ptrdiff_t p0,
                   ptrdiff_t depth, double *restrict packed)
{
    for (ptrdiff_t p = 0; p < depth; p++, packed += MR)
        for (ptrdiff_t r = 0; r < MR; r++)
            packed[r] = r < rows ? a[(i0 + r) * k + p0 + p] : 0.0;
}

/* The MR x NR tile c (row stride ldc) += packed a sliver times packed b panel. */
FK_INLINE void tile(ptrdiff_t depth, const double *restrict a, const double *restrict b,
                        double *restrict c, ptrdiff_t ldc)
{
    double acc[MR][NR];
    for (int r = 0; r < MR; r++)
        for (int j = 0; j < NR; j++)
            acc[r][j] = c[r * ldc + j];
    for (ptrdiff_t p = 0; p < depth; p++, a += MR, b += NR)
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++)
                acc[r][j] += a[r] * b[j];
    for (int r = 0; r < MR; r++)
        for (int j = 0; j < NR; j++)
            c[r * ldc + j] = acc[r][j];
}

/* A tile cut by the edge of out: computed in a full-size copy, then copied back. */
FK_INLINE void edge_tile(ptrdiff_t depth, const double *a, const double *b, double *c,
                             ptrdiff_t ldc, ptrdiff_t rows, ptrdiff_t columns)
{
    double copy[MR * NR] = {0.0};
    for (ptrdiff_t r = 0; r < rows; r++)
        memcpy(copy + r * NR, c + r * ldc, sizeof(double) * (size_t)columns);
    tile(depth, a, b, copy, NR);
    for (ptrdiff_t r = 0; r < rows; r++)
        memcpy(c + r * ldc, copy + r * NR, sizeof(double) * (size_t)columns);
}

static FK_CLONES void multiply_block(ptrdiff_t n, ptrdiff_t m, ptrdiff_t depth,
                                     ptrdiff_t width, const double *packed_a,
                                     const double *packed_b, double *out)
{
    for (ptrdiff_t i = 0; i < n; i += MR) {
        const double *a = packed_a + i * depth;
        for (ptrdiff_t j = 0; j < width; j += NR) {
            const double *b = packed_b + j * depth;
            double *c = out + i * m + j;
            if (n - i >= MR && width - j >= NR)
                tile(depth, a, b, c, m);
            else
                edge_tile(depth, a, b, c, m, min(MR, n - i), min(NR, width - j));
        }
    }
}

/* Packing space for shapes up to about 32 x 32 lives on the stack: small products pay
 * no heap allocation. */
#define STACK_DOUBLES 2048

int fk_matmul(ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a, const double *b,
              double *out)
{
    ptrdiff_t depth_max = min(KC, k);
    size_t a_size = (size_t)((n + MR - 1) / MR * MR) * (size_t)depth_max;
    size_t b_size = (size_t)((min(NC, m) + NR - 1) / NR * NR) * (size_t)depth_max;
    double stack[STACK_DOUBLES];
    double *packed_a = a_size + b_size <= STACK_DOUBLES ? stack
                       : malloc(sizeof(double) * (a_size + b_size));
    if (packed_a == NULL)
        return -1;
    double *packed_b = packed_a + a_size;
    memset(out, 0, sizeof(double) * (size_t)n * (size_t)m);
    for (ptrdiff_t p0 = 0; p0 < k; p0 += KC) {
        ptrdiff_t depth = min(KC, k - p0);
        for (ptrdiff_t i = 0; i < n; i += MR)
            pack_a(a, k, i, min(MR, n - i), p0, depth, packed_a + i * depth);
        for (ptrdiff_t j0 = 0; j0 < m; j0 += NC) {
            ptrdiff_t width = min(NC, m - j0);
            pack_b(b, m, p0, depth, j0, width, packed_b);
            multiply_block(n, m, depth, width, packed_a, packed_b, out + j0);
        }
    }
    if (packed_a != stack)
        free(packed_a);
    return 0;
}
