"""The machine's own speed: a fixed piece of Python work, timed by thread CPU time.

Thread CPU time leaves out other programs' time, but not a CPU that itself runs slower: a
lower clock frequency, or other virtual machines on the same host sharing its core, which
``/proc/stat`` does not show. On this project's VM the same work's time drifted by 8-9%
over minutes, the machine otherwise idle, and every rung's time (python to c) drifted with
it in step. So the timer reads the work once before each round of interleaved samples and
after it, and with ``Settings.scale_to_speed`` :func:`at_speed` scales each timing from the
readings of the rounds around it to the fastest speed the run read (:func:`fastest`). That
helped while the ladder was timed in one moment of the run (in eight pairs of idle runs,
205 of 216 ladder figures agreed within 5% scaled, 196 as measured). Since the ladder pools
passes spread over the run, which averages the drift itself, it hurts (546 of 567 as
measured, 512 scaled, over the 21 pairs of seven idle runs), so it is off by default. The same work timed
after each section (least of three) shows the load table how far the speed moved, and the
summary says when it moved beyond :data:`UNSTEADY`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import statistics
from typing import Callable, Mapping, Optional, Sequence

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


def steps(loops: int) -> int:
    """Loop steps of one timing of a :func:`probe` reading of ``loops`` steps in all."""
    return loops // REPEATS


def described(loops: int) -> str:
    """What a :func:`probe` reading of ``loops`` steps times, in words."""
    return (f"a fixed piece of Python work ({steps(loops):,} loop steps, the least of "
            f"{REPEATS} timings)")


def probe(clock: Clock, loops: int = LOOPS) -> Clock:
    """A reading by ``clock``: the least of :data:`REPEATS` timings of the fixed work,
    ``loops`` steps in all; the timer reads it around every round, the anatomy after every
    section, so the two are one measure. The least leaves out what the call before left in
    the caches: after six kernels, single readings here differed by up to 3% from one
    kernel to the next, least-of-three ones by 1%."""
    return functools.partial(reading, clock, functools.partial(fixed_work, steps(loops)),
                             REPEATS)


def speeds(report: Report) -> list[float]:
    """Every round's reading in ``report``'s timings (positive ones)."""
    return [s for timing in report.timings() for s in timing.speeds if s > 0]


def fastest(runs: Sequence[Sequence[Timing]]) -> Optional[float]:
    """The speed to scale runs' timings to: the fastest of their groups' smoothed speeds
    (:func:`group_speeds`), each run's timings in the order they were measured; None
    without readings.

    The machine's fastest speed repeats from run to run better than its median: in eight
    pairs of idle default runs here, each scaled to its own fastest speed, 205 of 216
    ladder figures agreed within 5% between the runs of a pair, against 196 as measured
    and 184 scaled to each run's median speed (the pair whose median speeds were 5.6%
    apart: 22 of 27 scaled, 10 as measured).
    """
    found = [s for timings in runs for s in group_speeds(timings).values()]
    return min(found) if found else None


#: A timing's speed is read from its own rounds and from this many groups of rounds (one
#: ``time_all`` each, about a second) measured before it and after it.
NEIGHBOURS = 4


def group_speeds(timings: Sequence[Timing]) -> dict[tuple[float, ...], float]:
    """Each group of rounds' speed, keyed by its readings: the median of its readings and
    of its :data:`NEIGHBOURS` neighbours' on either side; ``timings`` in the order they
    were measured (as :meth:`Report.timings` lists a run's).

    The machine's speed drifts over tens of seconds, while one group's readings carry what
    the kernel timed before them left in the caches and a process's own luck: across three
    idle default runs here, a kernel's group read up to 8% apart from the same kernel's in
    another run while the kernel itself moved 3.5%.
    """
    groups: list[tuple[float, ...]] = []
    for timing in timings:
        if timing.speeds and (not groups or groups[-1] != timing.speeds):
            groups.append(timing.speeds)
    found = {}
    for index, group in enumerate(groups):
        near = [s for other in groups[max(0, index - NEIGHBOURS):index + NEIGHBOURS + 1]
                for s in other if s > 0]
        if near:
            found[group] = statistics.median(near)
    return found


def scaled(timing: Timing, speed: float, reading: Optional[float] = None) -> Timing:
    """``timing`` with its samples as measured scaled from ``reading`` (default: the median
    of its rounds' readings) to ``speed``; unchanged where it has no reading for every
    sample.

    One factor for the whole timing, not one per round: within a timing's second or two the
    speed hardly drifts, and a single reading is noisier than that (scaled round by round,
    the timings of four idle runs here spread 1.1-2.2% -> 2.6-3.2% of their medians). The
    timings sampled in the same rounds share the factor, so ratios between them stay
    exactly as measured.
    """
    measured = timing.measured or timing.samples
    if len(timing.speeds) != len(measured) or not all(s > 0 for s in timing.speeds):
        return timing
    factor = speed / (reading or statistics.median(timing.speeds))
    return dataclasses.replace(summarize([sample * factor for sample in measured], timing.loops,
                                         timing.clock, speeds=timing.speeds, measured=measured),
                               wall=timing.wall)


def at_speed(report: Report, speed: Optional[float],
             readings: Optional[Mapping[tuple[float, ...], float]] = None) -> Report:
    """The report with its timings scaled to ``speed`` (unchanged where None), each from its
    group's speed by :func:`scaled`: from ``readings``, else from :func:`group_speeds` of
    the report's timings.

    The collector's pause, counted outside the rounds, is scaled by the factor of the
    collector-on timing it is a share of.
    """
    if speed is None:
        return report
    readings = group_speeds(report.timings()) if readings is None else readings
    found = map_timings(report, lambda timing: scaled(timing, speed, readings.get(timing.speeds)))
    if found.gc is not None and report.gc.enabled.median > 0:
        factor = found.gc.enabled.median / report.gc.enabled.median
        found = dataclasses.replace(found, gc=dataclasses.replace(found.gc,
                                                                  pause=found.gc.pause * factor))
    return dataclasses.replace(found, speed=speed)
