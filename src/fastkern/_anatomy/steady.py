"""The machine's own speed: a fixed piece of Python work, timed by thread CPU time.

Thread CPU time leaves out other programs' time, but not a CPU that itself runs slower: a
lower clock frequency, or other virtual machines on the same host sharing its core, which
``/proc/stat`` does not show. On this project's VM the same work's time drifted by 8-9%
over minutes, the machine otherwise idle, and every rung's time (python to c) drifted with
it in step. So the timer reads the work once before each round of interleaved samples and
after it, and :func:`at_speed` scales each timing by its rounds' readings to the run's
median reading: within a run, figures timed minutes apart are then at one speed. The same
work timed after each section (least of three) shows the load table how far the speed
moved.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import statistics
from typing import Callable, Optional, Sequence

from .report import Report, Timing, map_timings
from .timing import Clock, summarize

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


def probe(clock: Clock, loops: int = LOOPS) -> Clock:
    """One reading of the fixed work of ``loops`` steps by ``clock`` per call: a round's."""
    return functools.partial(reading, clock, functools.partial(fixed_work, loops), 1)


def speeds(report: Report) -> list[float]:
    """Every round's reading in ``report``'s timings (positive ones)."""
    return [s for timing in report.timings() for s in timing.speeds if s > 0]


def anchor(readings: Sequence[float]) -> Optional[float]:
    """The speed to scale a run's timings to: the median of its rounds' readings."""
    found = [r for r in readings if r > 0]
    return statistics.median(found) if found else None


def scaled(timing: Timing, speed: float) -> Timing:
    """``timing`` with its samples as measured scaled from the median of its rounds'
    speed readings to ``speed``; unchanged where it has no reading for every sample.

    One factor for the whole timing, not one per round: the speed drifts over tens of
    seconds, while a timing's rounds take a second or two, and a single reading is noisier
    than that drift (scaled round by round, the timings of four idle runs here spread
    1.1-2.2% -> 2.6-3.2% of their medians). The timings sampled in the same rounds share
    the factor, so ratios between them stay exactly as measured.
    """
    measured = timing.measured or timing.samples
    if len(timing.speeds) != len(measured) or not all(s > 0 for s in timing.speeds):
        return timing
    return _times(timing, measured, speed / statistics.median(timing.speeds))


def _times(timing: Timing, samples: Sequence[float], factor: float) -> Timing:
    """``timing`` with ``samples`` times ``factor`` as its samples, as measured kept."""
    return dataclasses.replace(
        summarize([sample * factor for sample in samples], timing.loops, timing.clock,
                  speeds=timing.speeds, measured=timing.measured or timing.samples),
        wall=timing.wall)


def at_speed(report: Report, speed: Optional[float]) -> Report:
    """The report with its timings at ``speed`` (unchanged where None).

    A report as measured is scaled timing by timing (:func:`scaled`); a scaled one by
    ``speed`` over the speed it is at, which keeps each run's own factors in the pooled
    timings of several runs (``repeat``). The collector's pause, counted outside the rounds,
    is scaled by the factor of the collector-on timing it is a share of.
    """
    if speed is None:
        return report
    if report.speed is None:
        found = map_timings(report, lambda timing: scaled(timing, speed))
    else:
        factor = speed / report.speed
        found = map_timings(report, lambda timing: _times(timing, timing.samples, factor)
                            if timing.measured else timing)
    if found.gc is not None and report.gc.enabled.median > 0:
        factor = found.gc.enabled.median / report.gc.enabled.median
        found = dataclasses.replace(found, gc=dataclasses.replace(found.gc,
                                                                  pause=found.gc.pause * factor))
    return dataclasses.replace(found, speed=speed)
