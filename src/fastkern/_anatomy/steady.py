"""The machine's own speed: a fixed piece of Python work, timed by thread CPU time.

Thread CPU time leaves out other programs' time, but not a CPU that itself runs slower: a
lower clock frequency, or other virtual machines on the same host sharing its core, which
``/proc/stat`` does not show. The same work timed after each section shows how far the
machine's speed moved during a run: absolute times can be off by that much, while figures
computed round by round (speedups, shares, efficiencies) cancel most of it.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

#: Iterations of the fixed work (about 5 ms on a current x86 core) and timings of it per
#: reading, of which the least is kept.
LOOPS = 100_000
REPEATS = 3
#: Readings further apart than this (largest over least, minus one) mean an unsteady machine.
UNSTEADY = 0.10


def fixed_work(loops: int = LOOPS) -> int:
    total = 0
    for i in range(loops):
        total += i * i
    return total


def reading(clock: Callable[[], float], work: Callable[[], object] = fixed_work,
            repeats: int = REPEATS) -> float:
    """The least of ``repeats`` timings of ``work`` by ``clock``, in seconds."""
    best = math.inf
    for _ in range(repeats):
        start = clock()
        work()
        best = min(best, clock() - start)
    return best


def spread(readings: Sequence[Optional[float]]) -> Optional[tuple[float, float]]:
    """The least and largest reading, or None with fewer than two positive readings."""
    found = [r for r in readings if r is not None and r > 0]
    return (min(found), max(found)) if len(found) >= 2 else None


def unsteady(readings: Sequence[Optional[float]]) -> bool:
    found = spread(readings)
    return found is not None and found[1] / found[0] - 1 > UNSTEADY
