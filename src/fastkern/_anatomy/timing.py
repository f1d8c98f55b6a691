"""The timing engine: warm up, auto-range, sample, summarise. The clock is a parameter.

Nothing here reads a real clock except through the ``clock`` it is given, so tests drive
it with a fake one and check every figure exactly.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Callable, Hashable, Mapping, Sequence, TypeVar

from .report import Timing
from .settings import Settings

Clock = Callable[[], float]
K = TypeVar("K", bound=Hashable)

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
        return self.time_all({"call": call})["call"]

    def time_all(self, calls: Mapping[K, Callable[[], object]]) -> dict[K, Timing]:
        """:meth:`time` for several calls whose samples are interleaved.

        Figures that are compared with each other are sampled in turn, round after round,
        so that a change in the machine's load while they run affects them alike.
        """
        for call in calls.values():
            for _ in range(self.settings.warmup):
                call()
        loops = {key: self.loops_for(call) for key, call in calls.items()}
        samples: dict = {key: [] for key in calls}
        for _ in range(self.settings.samples):
            for key, call in calls.items():
                samples[key].append(self.run(call, loops[key]) / loops[key])
        return {key: summarize(samples[key], loops[key]) for key in calls}

    def repeat_all(self, batches: Mapping[K, Callable[[], float]]) -> dict[K, Timing]:
        """Interleaved samples of batches that time themselves and return their seconds."""
        samples: dict = {key: [] for key in batches}
        for _ in range(self.settings.samples):
            for key, batch in batches.items():
                samples[key].append(batch())
        return {key: summarize(samples[key]) for key in batches}
