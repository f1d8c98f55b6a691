#include "fastkern.h"

int64_t fk_fib(int n)
{
    if (n < 2)
        return n;
    return fk_fib(n - 1) + fk_fib(n - 2);
}

/* leaves[k]: how many subtrees at FK_FIB_LEAF or FK_FIB_LEAF - 1 the recursion of fib(k)
 * has (1 for k <= FK_FIB_LEAF: the whole recursion). */
int64_t fk_fib_open(fk_fib_t *s, int n)
{
    s->n = n;
    s->sum = 0;
    for (int k = 0; k <= n; k++)
        s->leaves[k] = k <= FK_FIB_LEAF ? 1 : s->leaves[k - 1] + s->leaves[k - 2];
    return s->leaves[n];
}

/* Subtree i is found by walking down from fib(n): left (n - 1) holds the first
 * leaves[n - 1] of them, right (n - 2) the rest. */
void fk_fib_range(void *state, int64_t begin, int64_t end)
{
    fk_fib_t *s = state;
    for (int64_t i = begin; i < end; i++) {
        int k = s->n;
        int64_t j = i;
        while (k > FK_FIB_LEAF) {
            if (j < s->leaves[k - 1]) {
                k -= 1;
            } else {
                j -= s->leaves[k - 1];
                k -= 2;
            }
        }
        s->sum += fk_fib(k);
    }
}
