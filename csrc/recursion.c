#include "fastkern.h"

int64_t fk_fib(int n)
{
    if (n < 2)
        return n;
    return fk_fib(n - 1) + fk_fib(n - 2);
}
