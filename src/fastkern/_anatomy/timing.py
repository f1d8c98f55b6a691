"""The timing engine: warm up, auto-range, sample, summarise. The clock is a parameter.

Nothing here reads a real clock except through the ``clock`` it is given, so tests drive
it with a fake one and check every figure exactly.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Callable, Sequence

from .report import Timing
from .settings import Settings

Clock = Callable[[], float]

#: Auto-ranging never repeats a call more often than this within one sample.
MAX_LOOPS = 10_000_000


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile, interpolated as by ``method="inclusive"``."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def summarize(per_call: Sequence[float], loops: int = 1) -> Timing:
    """A :class:`Timing` from per-call seconds, one figure per sample."""
    q1, median, q3 = quartiles(sorted(per_call))
    return Timing(samples=tuple(per_call), loops=loops, median=median, iqr=q3 - q1)


class Timer:
    """Times zero-argument callables by the measurement rules in ``settings``."""

    def __init__(self, settings: Settings, clock: Clock = time.perf_counter):
        self.settings = settings
        self.clock = clock

    def run(self, call: Callable[[], object], loops: int) -> float:
        """Seconds taken by ``loops`` back-to-back calls."""
        clock = self.clock
        start = clock()
        for _ in range(loops):
            call()
        return clock() - start

    def loops_for(self, call: Callable[[], object]) -> int:
        """Calls per sample so that one sample lasts at least ``min_time``."""
        loops = 1
        while loops < MAX_LOOPS:
            elapsed = self.run(call, loops)
            if elapsed >= self.settings.min_time:
                break
            if elapsed > 0:
                loops = min(MAX_LOOPS, max(loops + 1, math.ceil(loops * self.settings.min_time / elapsed)))
            else:
                loops = min(MAX_LOOPS, loops * 10)
        return loops

    def time(self, call: Callable[[], object]) -> Timing:
        """Warm up, auto-range, then take ``samples`` samples of seconds per call."""
        for _ in range(self.settings.warmup):
            call()
        loops = self.loops_for(call)
        return summarize([self.run(call, loops) / loops for _ in range(self.settings.samples)], loops)

    def repeat(self, batch: Callable[[], float]) -> Timing:
        """Summarise ``samples`` runs of a batch that times itself and returns its seconds."""
        return summarize([batch() for _ in range(self.settings.samples)])
