#include "fastkern.h"

void fk_fnv1a_open(fk_fnv1a_t *s, const uint8_t *data)
{
    s->data = data;
    s->h = UINT64_C(0xcbf29ce484222325);
}

void fk_fnv1a_range(void *state, int64_t begin, int64_t end)
{
    fk_fnv1a_t *s = state;
    const uint8_t *data = s->data;
    uint64_t h = s->h;
    for (int64_t i = begin; i < end; i++)
        h = (h ^ data[i]) * UINT64_C(0x100000001b3);
    s->h = h;
}
