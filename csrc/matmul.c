#include <stdint.h>
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

/* Rows [first, last) of out's columns [0, width) += packed a times packed b. */
static FK_CLONES void multiply_block(ptrdiff_t first, ptrdiff_t last, ptrdiff_t m,
                                     ptrdiff_t depth, ptrdiff_t width, const double *packed_a,
                                     const double *packed_b, double *out)
{
    for (ptrdiff_t i = first; i < last; i += MR) {
        const double *a = packed_a + i * depth;
        for (ptrdiff_t j = 0; j < width; j += NR) {
            const double *b = packed_b + j * depth;
            double *c = out + i * m + j;
            if (last - i >= MR && width - j >= NR)
                tile(depth, a, b, c, m);
            else
                edge_tile(depth, a, b, c, m, min(MR, last - i), min(NR, width - j));
        }
    }
}

/* Units run over KC-deep slices of k, within them over NC-wide column blocks, within those
 * over MR-row slivers: the order of the unbroken loop nest. a's slice and b's block are
 * packed, and out zeroed, where a range first reaches them. The packing space is sized to
 * the operands; up to FK_MATMUL_STACK_DOUBLES (shapes up to about 32 x 32) it is the
 * state's own array, so small products pay no heap allocation. */
int64_t fk_matmul_open(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a,
                       const double *b, double *out, double *unit_ops)
{
    size_t slivers = (size_t)(n + MR - 1) / MR;
    size_t depth_max = (size_t)min(KC, k);
    size_t b_size = (size_t)((min(NC, m) + NR - 1) / NR * NR) * depth_max;
    size_t a_size = slivers <= SIZE_MAX / (2 * sizeof(double) * MR * KC)
                        ? slivers * MR * depth_max : SIZE_MAX;
    s->n = n;
    s->k = k;
    s->m = m;
    s->a = a;
    s->b = b;
    s->out = out;
    s->packed_a_for = s->packed_b_for = -1;
    s->split_b = NULL;
    if (a_size + b_size <= FK_MATMUL_STACK_DOUBLES)
        s->packed_a = s->stack;
    else if (a_size <= SIZE_MAX / (2 * sizeof(double)))
        s->packed_a = malloc(sizeof(double) * (a_size + b_size));
    else
        s->packed_a = NULL;
    if (s->packed_a == NULL)
        return -1;
    s->packed_b = s->packed_a + a_size;
    *unit_ops = (double)MR * (double)min(NC, m) * (double)min(KC, k);
    return (int64_t)((k + KC - 1) / KC) * ((m + NC - 1) / NC) * (int64_t)slivers;
}

/* The first unit's slice, column block and sliver are found by division only where the range
 * starts inside the product (a 64-bit division costs tens of cycles: a small product's whole
 * call is a few hundred); later ones follow by counting. */
void fk_matmul_range(void *state, int64_t begin, int64_t end)
{
    fk_matmul_t *s = state;
    ptrdiff_t n = s->n, k = s->k, m = s->m;
    int64_t slivers = (n + MR - 1) / MR, blocks = (m + NC - 1) / NC;
    int64_t slice = 0, column = 0, sliver = 0;
    if (begin > 0) {
        slice = begin / slivers / blocks;
        column = begin / slivers % blocks;
        sliver = begin % slivers;
    }
    for (int64_t unit = begin; unit < end; sliver = 0) {
        int64_t block = slice * blocks + column;
        int64_t last = end - unit < slivers - sliver ? sliver + (end - unit) : slivers;
        ptrdiff_t p0 = slice * KC, depth = min(KC, k - p0);
        ptrdiff_t j0 = column * NC, width = min(NC, m - j0);
        if (s->packed_a_for != slice) {
            for (ptrdiff_t i = 0; i < n; i += MR)
                pack_a(s->a, k, i, min(MR, n - i), p0, depth, s->packed_a + i * depth);
            s->packed_a_for = slice;
        }
        if (s->packed_b_for != block) {
            pack_b(s->b, m, p0, depth, j0, width, s->packed_b);
            s->packed_b_for = block;
        }
        if (slice == 0) /* out starts at zero, set where the first slice reaches it */
            for (ptrdiff_t i = sliver * MR; i < min(n, last * MR); i++)
                memset(s->out + i * m + j0, 0, sizeof(double) * (size_t)width);
        multiply_block(sliver * MR, min(n, last * MR), m, depth, width, s->packed_a,
                       s->packed_b, s->out + j0);
        unit += last - sliver;
        if (++column == blocks) {
            column = 0;
            slice++;
        }
    }
}

/* Split over threads: per KC-deep slice of k, a packing group (a unit per sliver of a, then
 * one per NC-wide block of b, into buffers all threads share) and then a computing group
 * (a unit per block and sliver, as in the unsplit order). */
static int64_t slice_units(const fk_matmul_t *s)
{
    int64_t slivers = (s->n + MR - 1) / MR, blocks = (s->m + NC - 1) / NC;
    return slivers + blocks + blocks * slivers;
}

int64_t fk_matmul_open_split(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                             const double *a, const double *b, double *out, double *unit_ops)
{
    size_t blocks = (size_t)(m + NC - 1) / NC;
    if (fk_matmul_open(s, n, k, m, a, b, out, unit_ops) < 0)
        return -1;
    s->packed_b = s->split_b = blocks <= SIZE_MAX / (sizeof(double) * KC * NC)
                                   ? malloc(sizeof(double) * blocks * KC * NC) : NULL;
    if (s->split_b == NULL) {
        fk_matmul_close(s);
        return -1;
    }
    return (int64_t)((k + KC - 1) / KC) * slice_units(s);
}

void fk_matmul_split_range(void *state, int64_t begin, int64_t end)
{
    fk_matmul_t *s = state;
    ptrdiff_t n = s->n, k = s->k, m = s->m;
    int64_t slivers = (n + MR - 1) / MR, blocks = (m + NC - 1) / NC, per = slice_units(s);
    for (int64_t unit = begin; unit < end; unit++) {
        int64_t u = unit % per;
        ptrdiff_t p0 = (unit / per) * KC, depth = min(KC, k - p0);
        if (u < slivers) {
            pack_a(s->a, k, u * MR, min(MR, n - u * MR), p0, depth, s->packed_a + u * MR * depth);
        } else if (u < slivers + blocks) {
            u -= slivers;
            pack_b(s->b, m, p0, depth, u * NC, min(NC, m - u * NC), s->packed_b + u * KC * NC);
        } else {
            u -= slivers + blocks;
            int64_t block = u / slivers, sliver = u % slivers;
            ptrdiff_t width = min(NC, m - block * NC);
            if (p0 == 0) /* out starts at zero, set where the first slice reaches it */
                for (ptrdiff_t i = sliver * MR; i < min(n, (sliver + 1) * MR); i++)
                    memset(s->out + i * m + block * NC, 0, sizeof(double) * (size_t)width);
            multiply_block(sliver * MR, min(n, (sliver + 1) * MR), m, depth, width, s->packed_a,
                           s->packed_b + block * KC * NC, s->out + block * NC);
        }
    }
}

int fk_matmul_split_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)
{
    const fk_matmul_t *s = state;
    int64_t per = slice_units(s), base = unit - unit % per;
    int64_t packing = (s->n + MR - 1) / MR + (s->m + NC - 1) / NC;
    *start = unit - base < packing ? base : base + packing;
    *end = unit - base < packing ? base + packing : base + per;
    return 0;
}

void fk_matmul_close(fk_matmul_t *s)
{
    if (s->packed_a != s->stack)
        free(s->packed_a);
    free(s->split_b);
    s->packed_a = s->packed_b = s->split_b = NULL;
}
