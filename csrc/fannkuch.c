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

static void make_orders(orders_t *orders)
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

static FK_CLONES void fannkuch(int n, const orders_t *orders, int64_t *checksum, int *max_flips)
{
    bytes16 perm;
    int count[16] = {0};
    int r = n, most = 0;
    int64_t sum = 0, sign = 1;
    for (int i = 0; i < 16; i++)
        perm[i] = (uint8_t)i;
    for (;;) {
        for (; r != 1; r--)
            count[r - 1] = r;
        int flips = count_flips(perm, orders);
        most = flips > most ? flips : most;
        sum += sign * flips;
        sign = -sign;
        for (;;) {
            if (r == n) {
                *checksum = sum;
                *max_flips = most;
                return;
            }
            perm = shuffle(perm, orders->rotate[r]);
            if (--count[r] > 0)
                break;
            r++;
        }
    }
}

void fk_fannkuch(int n, int64_t *checksum, int *max_flips)
{
    orders_t orders;
    make_orders(&orders);
    fannkuch(n, &orders, checksum, max_flips);
}
