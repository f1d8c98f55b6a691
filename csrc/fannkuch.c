#include "fastkern.h"

/* A permutation of up to 16 elements in one 16-byte vector: a prefix reversal and a
 * rotation are each one byte shuffle (pshufb where the CPU has it) through a table,
 * with no loop whose length the branch predictor would have to guess. GCC and Clang
 * vector extensions; Clang has no variable-index shuffle builtin, so it gets a loop. */
typedef uint8_t bytes16 __attribute__((vector_size(16)));

#if defined(__clang__) || !defined(__GNUC__)
FK_INLINE bytes16 shuffle(bytes16 v, bytes16 order)
{
    bytes16 out;
    for (int i = 0; i < 16; i++)
        out[i] = v[order[i] & 15];
    return out;
}
#else
#define shuffle __builtin_shuffle
#endif

typedef struct {
    bytes16 flip[16];   /* flip[k] reverses elements 0..k */
    bytes16 rotate[16]; /* rotate[r] moves element 0 to position r, shifting 1..r down */
} orders_t;

FK_INLINE void make_orders(orders_t *orders)
{
    for (int k = 0; k < 16; k++)
        for (int i = 0; i < 16; i++) {
            orders->flip[k][i] = (uint8_t)(i <= k ? k - i : i);
            orders->rotate[k][i] = (uint8_t)(i < k ? i + 1 : i == k ? 0 : i);
        }
}

FK_INLINE int count_flips(bytes16 perm, const orders_t *orders)
{
    int flips = 0;
    for (; perm[0] != 0; flips++)
        perm = shuffle(perm, orders->flip[perm[0]]);
    return flips;
}

/* Permutations [begin, end) of the Benchmarks Game's order. Permutation i has the
 * mixed-radix digits d[r] = (i / r!) mod (r + 1): starting from the identity, the prefix of
 * r + 1 elements is rotated d[r] times, for r from n - 1 down to 1, and count[r] (the
 * rotations left at level r) is r + 1 - d[r]. */
static FK_CLONES void fannkuch(int n, int64_t begin, int64_t end, int64_t *checksum,
                               int *max_flips)
{
    orders_t table;
    const orders_t *orders = &table;
    make_orders(&table);
    bytes16 perm;
    int count[16] = {0};
    int r = 1, most = *max_flips;
    int64_t sum = *checksum, factorial = 1, index = begin;
    for (int i = 0; i < 16; i++)
        perm[i] = (uint8_t)i;
    for (int level = 1; level < n; level++) {
        factorial *= level;
        count[level] = level + 1;
    }
    /* Until the digits left are all 0: none at all, so no division, where begin is 0. */
    for (int level = n - 1; index > 0; factorial /= level, level--) {
        int64_t digit = index / factorial;
        index %= factorial;
        for (int64_t k = 0; k < digit; k++)
            perm = shuffle(perm, orders->rotate[level]);
        count[level] -= (int)digit;
    }
    for (int64_t i = begin;;) {
        for (; r != 1; r--)
            count[r - 1] = r;
        int flips = count_flips(perm, orders);
        most = flips > most ? flips : most;
        sum += i & 1 ? -flips : flips;
        if (++i == end)
            break;
        for (;;) {
            perm = shuffle(perm, orders->rotate[r]);
            if (--count[r] > 0)
                break;
            r++;
        }
    }
    *checksum = sum;
    *max_flips = most;
}

int64_t fk_fannkuch_open(fk_fannkuch_t *s, int n)
{
    int64_t permutations = 1;
    for (int k = 2; k <= n; k++)
        permutations *= k;
    s->n = n;
    s->checksum = 0;
    s->max_flips = 0;
    return permutations;
}

void fk_fannkuch_range(void *state, int64_t begin, int64_t end)
{
    fk_fannkuch_t *s = state;
    if (begin >= end)
        return;
    fannkuch(s->n, begin, end, &s->checksum, &s->max_flips);
}
