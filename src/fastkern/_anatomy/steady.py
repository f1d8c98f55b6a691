"""The machine's own speed: a fixed piece of Python work, timed by thread CPU time.

Thread CPU time leaves out other programs' time, but not a CPU that itself runs slower: a
lower clock frequency, or other virtual machines on the same host sharing its core, which
``/proc/stat`` does not show. So the timer reads this work before and after each round of
interleaved samples (``Timing.speeds``), and the anatomy after each section
(``Load.reference``); the report says when the readings moved (:func:`.derive.unsteady`).
Timings are reported as measured: the ladder's passes, spread over the run, average a
drift of the machine's speed themselves.
"""

from __future__ import annotations

import functools
import math
from typing import Callable

from .model import SPEED_REPEATS
from .timing import Clock


def fixed_work(loops: int) -> int:
    total = 0
    for i in range(loops):
        total += i * i
    return total


def reading(clock: Clock, work: Callable[[], object], repeats: int = SPEED_REPEATS) -> float:
    """The least of ``repeats`` timings of ``work`` by ``clock``, in seconds."""
    best = math.inf
    for _ in range(repeats):
        start = clock()
        work()
        best = min(best, clock() - start)
    return best


def probe(clock: Clock, loops: int) -> Clock:
    """A reading by ``clock``: the least of :data:`.model.SPEED_REPEATS` timings of the
    fixed work, ``loops`` steps in all; the timer reads it around every round, the anatomy
    after every section, so the two are one measure. The least leaves out what the call
    before left in the caches."""
    return functools.partial(reading, clock,
                             functools.partial(fixed_work, loops // SPEED_REPEATS))
