"""Numbers boxed per unit of work on the ladder's compiled rungs: a count that corroborates
the timed split of "dynamic typing & boxing" (float objects must vanish at the step that
unboxes floats, int objects at the one that unboxes integers), independent of any clock."""

from __future__ import annotations

from typing import Sequence

from ._boxes import freed
from .inputs import raw_call, spec
from .model import Boxes
from .._rungs import ORDER

#: The rungs counted: from compiled to typed. The interpreter frees some numbers past the
#: deallocators that are counted (see :mod:`._boxes`), so python is not counted.
COUNTED = ORDER[ORDER.index("compiled"):ORDER.index("typed") + 1]


def measure(kernel: str, size: int, backends: Sequence[str]) -> tuple[Boxes, ...]:
    """Float and int objects freed per unit of work by one call of each counted backend
    at ``size``, after one uncounted call (which fills the caches a first call fills)."""
    work = max(spec(kernel).work(size), 1)
    found = []
    for backend in backends:
        if backend not in COUNTED:
            continue
        call = raw_call(kernel, backend, size)
        call()
        floats, ints = freed(call)
        found.append(Boxes(backend, floats / work, ints / work))
    return tuple(found)
