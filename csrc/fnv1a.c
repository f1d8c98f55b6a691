#include "fastkern.h"

uint64_t fk_fnv1a(const uint8_t *data, ptrdiff_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (ptrdiff_t i = 0; i < n; i++)
        h = (h ^ data[i]) * UINT64_C(0x100000001b3);
    return h;
}
