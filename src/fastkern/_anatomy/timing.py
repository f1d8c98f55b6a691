"""The timing engine: warm up, auto-range, sample, summarise. The clocks are parameters.

A call's own work is timed by the calling thread's CPU time (``time.thread_time``), which
other processes barely disturb: while they hold a CPU, this thread's clock stops. Wall
time is kept beside it. The cycle collector is off while a sample runs, as ``timeit``
has it: an allocating call triggers a collection only every few calls, so a sample would
catch one or not; the garbage collection section measures what the collector costs.
Nothing here reads a real clock except through the clocks it is given, so tests drive it
with fake ones and check every figure exactly.
"""

from __future__ import annotations

import gc
import math
import time
from contextlib import contextmanager
from typing import Callable, Hashable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar

from .._report.estimate import quartiles
from .model import Timing, summarize
from .settings import Settings

Clock = Callable[[], float]
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

#: The clock of a thread's own work, and the clock on the wall.
THREAD_CPU: Clock = time.thread_time
WALL_CLOCK: Clock = time.perf_counter

#: Auto-ranging never repeats a call more often than this within one sample.
MAX_LOOPS = 10_000_000
#: A trial batch lasting this fraction of ``min_time`` predicts the calls a sample needs.
PREDICTS = 0.1


@contextmanager
def collector(enabled: bool) -> Iterator[None]:
    """Run the block with the cycle collector on or off, restoring its state after."""
    was = gc.isenabled()
    if enabled:
        gc.enable()
    else:
        gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def spread(values: Sequence[float]) -> float:
    """Interquartile range over median (0 where all values are equal, infinite where the
    median is not positive and they are not)."""
    low, middle, high = quartiles(sorted(values))
    if high == low:
        return 0.0
    return (high - low) / middle if middle > 0 else math.inf


class Timer:
    """Times zero-argument callables by the measurement rules in ``settings``.

    ``clock`` times a call's own work (default: this thread's CPU time); ``wall`` is read
    beside it, and is the clock of concurrency figures. ``speed``, where given, reads the
    machine's own speed (seconds of a fixed piece of work, see :mod:`.steady`): before
    the first round of :meth:`time_all` and after each, so every sample carries its
    round's reading (the mean of the readings on either side).
    """

    def __init__(self, settings: Settings, clock: Clock = THREAD_CPU, wall: Clock = WALL_CLOCK,
                 speed: Optional[Clock] = None):
        self.settings = settings
        self.clock = clock
        self.wall = wall
        self.speed = speed

    def with_settings(self, settings: Settings) -> Timer:
        """The same clocks and speed probe, timing by other ``settings``."""
        return Timer(settings, self.clock, self.wall, self.speed)

    def run(self, call: Callable[[], object], loops: int) -> float:
        """Seconds taken by ``loops`` back-to-back calls, by ``clock``."""
        return self.run_both(call, loops)[0]

    def run_both(self, call: Callable[[], object], loops: int) -> tuple[float, float]:
        """``clock`` and ``wall`` seconds taken by ``loops`` back-to-back calls."""
        clock, wall = self.clock, self.wall
        with collector(False):
            start_wall, start = wall(), clock()
            for _ in range(loops):
                call()
            return clock() - start, wall() - start_wall

    def loops_for(self, call: Callable[[], object]) -> int:
        """Calls per sample so that one sample lasts at least ``min_time``: calls are run
        in trial batches, each aimed at twice :data:`PREDICTS` of ``min_time``, until one
        lasts :data:`PREDICTS` of it, which predicts the count without a trial as long as
        a sample."""
        target = self.settings.min_time
        loops = 1
        while loops < MAX_LOOPS:
            elapsed = self.run(call, loops)
            if elapsed >= target:
                return loops
            if elapsed >= PREDICTS * target:
                return min(MAX_LOOPS, max(loops + 1, math.ceil(loops * target / elapsed)))
            if elapsed > 0:
                aim = 2 * PREDICTS * target
                loops = min(MAX_LOOPS, max(loops + 1, math.ceil(loops * aim / elapsed)))
            else:
                loops = min(MAX_LOOPS, loops * 10)
        return loops

    def time(self, call: Callable[[], object]) -> Timing:
        """Warm up, auto-range, then take ``samples`` samples of seconds per call."""
        return self.time_all({"call": call})["call"]

    def time_all(self, calls: Mapping[K, Callable[[], object]],
                 loops: Optional[Mapping[K, int]] = None) -> dict[K, Timing]:
        """:meth:`time` for several calls whose samples are interleaved.

        Figures that are compared with each other are sampled in turn, round after round,
        so that a change in the machine's load while they run affects them alike. ``loops``
        gives the calls per sample of a call timed before (so its samples compare with the
        earlier ones'); the others are auto-ranged.
        """
        for call in calls.values():
            for _ in range(self.settings.warmup):
                call()
        loops = {key: (loops or {}).get(key) or self.loops_for(call)
                 for key, call in calls.items()}
        samples: dict = {key: [] for key in calls}
        walls: dict = {key: [] for key in calls}
        readings = [self.speed()] if self.speed else []
        for done in range(1, self.settings.samples + 1):
            for key, call in calls.items():
                own, wall = self.run_both(call, loops[key])
                samples[key].append(own / loops[key])
                walls[key].append(wall / loops[key])
            if self.speed:
                readings.append(self.speed())
            if self.enough(done, samples.values()):
                break
        speeds = [(before + after) / 2 for before, after in zip(readings, readings[1:])]
        return {key: summarize(samples[key], loops[key], wall=walls[key], speeds=speeds)
                for key in calls}

    def rounds(self, batches: Mapping[K, Callable[[], R]],
               measure: Optional[Callable[[R], float]] = None) -> dict[K, list[R]]:
        """Up to ``samples`` results of each batch, the batches taking turns round after
        round; with ``measure`` (a result's figure, e.g. its wall seconds), they stop early
        as :meth:`time_all`'s rounds do, judged by it."""
        results: dict = {key: [] for key in batches}
        for done in range(1, self.settings.samples + 1):
            for key, batch in batches.items():
                results[key].append(batch())
            if measure is not None and self.enough(
                    done, ([measure(r) for r in found] for found in results.values())):
                break
        return results

    def enough(self, done: int, figures: Iterable[Sequence[float]]) -> bool:
        """Whether ``done`` rounds suffice: at least ``min_samples``, and each figure's values
        (one per round) spread at most ``settled_spread``. Samples thus go where the spread
        needs them: a steady figure takes ``min_samples``, a noisy one up to ``samples``."""
        return done >= self.settings.min_samples and \
            all(spread(values) <= self.settings.settled_spread for values in figures)
