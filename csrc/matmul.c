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

/* Sliver `sliver` (MR rows) of out's columns [0, width) += a's rows there times the packed b
 * block: the sliver of a is packed into `packed_a` (MR x depth) first. */
static FK_CLONES void multiply_sliver(const fk_matmul_t *s, ptrdiff_t sliver, ptrdiff_t p0,
                                      ptrdiff_t depth, ptrdiff_t j0, ptrdiff_t width,
                                      const double *packed_b, double *restrict packed_a)
{
    ptrdiff_t i = sliver * MR, rows = min(MR, s->n - i), m = s->m;
    double *out = s->out + i * m + j0;
    pack_a(s->a, s->k, i, rows, p0, depth, packed_a);
    if (p0 == 0) /* out starts at zero, set where the first slice reaches it */
        for (ptrdiff_t r = 0; r < rows; r++)
            memset(out + r * m, 0, sizeof(double) * (size_t)width);
    for (ptrdiff_t j = 0; j < width; j += NR, packed_b += NR * depth, out += NR) {
        if (rows == MR && width - j >= NR)
            tile(depth, packed_a, packed_b, out, m);
        else
            edge_tile(depth, packed_a, packed_b, out, m, rows, min(NR, width - j));
    }
}

/* Units run over KC-deep slices of k, within them over NC-wide column blocks, within those
 * over MR-row slivers: the order of the unbroken loop nest. b's block is packed where a
 * range first reaches it, each sliver of a as its unit starts (into the stack: MR x KC
 * doubles), so a is never packed whole. b's packing space is sized to the operands; up to
 * FK_MATMUL_STACK_DOUBLES (products up to about 8 x 256 x 8) it is the state's own array,
 * so small products pay no heap allocation. */
static void open_state(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a,
                       const double *b, double *out, double *unit_ops)
{
    s->n = n;
    s->k = k;
    s->m = m;
    s->a = a;
    s->b = b;
    s->out = out;
    s->packed_b_for = -1;
    s->packed_b = NULL;
    *unit_ops = (double)MR * (double)min(NC, m) * (double)min(KC, k);
}

static int64_t slivers_of(const fk_matmul_t *s)
{
    return (s->n + MR - 1) / MR;
}

static int64_t blocks_of(const fk_matmul_t *s)
{
    return (s->m + NC - 1) / NC;
}

int64_t fk_matmul_open(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a,
                       const double *b, double *out, double *unit_ops)
{
    size_t b_size = (size_t)((min(NC, m) + NR - 1) / NR * NR) * (size_t)min(KC, k);
    open_state(s, n, k, m, a, b, out, unit_ops);
    s->packed_b = b_size <= FK_MATMUL_STACK_DOUBLES ? s->stack : malloc(sizeof(double) * b_size);
    if (s->packed_b == NULL)
        return -1;
    return (int64_t)((k + KC - 1) / KC) * blocks_of(s) * slivers_of(s);
}

/* The first unit's slice, column block and sliver are found by division only where the range
 * starts inside the product (a 64-bit division costs tens of cycles: a small product's whole
 * call is a few hundred); later ones follow by counting. */
void fk_matmul_range(void *state, int64_t begin, int64_t end)
{
    fk_matmul_t *s = state;
    ptrdiff_t k = s->k, m = s->m;
    int64_t slivers = slivers_of(s), blocks = blocks_of(s);
    int64_t slice = 0, column = 0, sliver = 0;
    double packed_a[MR * KC];
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
        if (s->packed_b_for != block) {
            pack_b(s->b, m, p0, depth, j0, width, s->packed_b);
            s->packed_b_for = block;
        }
        for (int64_t i = sliver; i < last; i++)
            multiply_sliver(s, i, p0, depth, j0, width, s->packed_b, packed_a);
        unit += last - sliver;
        if (++column == blocks) {
            column = 0;
            slice++;
        }
    }
}

/* Split over threads: per KC-deep slice, a packing group (b's column blocks in pieces of
 * PIECE_PANELS panels, into space all threads share, one piece per task) and then a computing
 * group (a unit per block and sliver, as in the unsplit order). */
#define PIECE_PANELS 16
#define PIECES (NC / NR / PIECE_PANELS)

static int64_t slice_units(const fk_matmul_t *s)
{
    return blocks_of(s) * (PIECES + slivers_of(s));
}

int64_t fk_matmul_open_split(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                             const double *a, const double *b, double *out, double *unit_ops)
{
    size_t blocks = (size_t)(m + NC - 1) / NC;
    open_state(s, n, k, m, a, b, out, unit_ops);
    s->packed_b = blocks <= SIZE_MAX / (sizeof(double) * KC * NC)
                      ? malloc(sizeof(double) * blocks * KC * NC) : NULL;
    if (s->packed_b == NULL)
        return -1;
    return (int64_t)((k + KC - 1) / KC) * slice_units(s);
}

void fk_matmul_split_range(void *state, int64_t begin, int64_t end)
{
    fk_matmul_t *s = state;
    ptrdiff_t k = s->k, m = s->m;
    int64_t slivers = slivers_of(s), packing = blocks_of(s) * PIECES, per = slice_units(s);
    double packed_a[MR * KC];
    for (int64_t unit = begin; unit < end; unit++) {
        int64_t u = unit % per;
        ptrdiff_t p0 = (unit / per) * KC, depth = min(KC, k - p0);
        if (u < packing) {
            int64_t block = u / PIECES;
            ptrdiff_t j0 = block * NC + u % PIECES * PIECE_PANELS * NR;
            ptrdiff_t width = min(PIECE_PANELS * NR, m - j0);
            if (width > 0)
                pack_b(s->b, m, p0, depth, j0, width,
                       s->packed_b + block * KC * NC + u % PIECES * PIECE_PANELS * NR * depth);
        } else {
            u -= packing;
            int64_t block = u / slivers;
            multiply_sliver(s, u % slivers, p0, depth, block * NC, min(NC, m - block * NC),
                            s->packed_b + block * KC * NC, packed_a);
        }
    }
}

int fk_matmul_split_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)
{
    const fk_matmul_t *s = state;
    int64_t per = slice_units(s), base = unit - unit % per, packing = blocks_of(s) * PIECES;
    int packs = unit - base < packing;
    *start = packs ? base : base + packing;
    *end = packs ? base + packing : base + per;
    return packs ? FK_GROUP_SINGLE : FK_GROUP_SHARED;
}

void fk_matmul_close(fk_matmul_t *s)
{
    if (s->packed_b != s->stack)
        free(s->packed_b);
    s->packed_b = NULL;
}
