"""The ladder: every rung of a kernel timed on pre-converted inputs, in passes over the run.

This module owns how the ladder is timed. One pass samples every rung in interleaved
rounds (:func:`measure`); its rounds take a second or two and share that moment's and that
process's luck, which nothing inside the pass shows. So the ladder is timed in
``settings.ladder_passes`` passes: the first in the kernel's own section, each later one
at the end of the run (:func:`later`), in a fresh interpreter of its own where it can
(:mod:`.fresh` is the transport), so that passes differ in moment and in process. Each
rung pools the samples of every pass: its spread carries how far it moved between them,
and the median of several passes lies with those that agree. Whether two passes lie apart
is judged from the pooled data by :func:`.derive.moved`. Samples go where the spread
needs them: after ``settings.ladder_min_passes``, a kernel is timed again only while the
median of one of its rungs (the steps inside typing & boxing aside) is not yet known to
:data:`TIGHT` (:func:`uncertainty`), up to ``settings.ladder_passes``, each of those in
fewer rounds (:func:`pass_settings`). Every pass samples a rung in the calls per sample
its first pass chose, so the passes' samples compare one to one.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from typing import Callable, Optional, Sequence

from .inputs import raw_call, spec
from .merge import pool
from .model import LATER_PASS, KernelReport, Passes, Rung, Timing
from .settings import Settings
from .._rungs import STEPS
from .timing import THREAD_CPU, WALL_CLOCK, Timer
from . import fresh, steady

#: A rung is settled when its median is known to this fraction (:func:`uncertainty`): two
#: runs' medians then lie a few times this apart at most.
TIGHT = 0.015


def check(settings: Settings) -> None:
    """ValueError unless ``settings.ladder_passes`` and ``ladder_min_passes`` are positive
    integers."""
    for name in ("ladder_passes", "ladder_min_passes"):
        found = getattr(settings, name)
        if isinstance(found, bool) or not isinstance(found, int) or found < 1:
            raise ValueError(f"settings.{name} must be a positive integer, got {found!r}")


def later_count(settings: Settings) -> int:
    """The most passes :func:`later` times per kernel, after every other section."""
    return settings.ladder_passes - 1


def measure(kernel: str, size: int, backends: Sequence[str], timer: Timer,
            loops: Optional[dict[str, int]] = None) -> dict[str, Timing]:
    """One pass: seconds per call of each backend at ``size``, by the timer's clock (thread
    CPU), in ``settings.ladder_samples`` interleaved rounds of ``loops`` calls each where
    given (else auto-ranged). Every pass takes all its rounds: the ladder's figures are
    the ones most compared between runs, and ``compare`` tests them round by round; the
    ladder spends its samples by its passes instead (:func:`later`)."""
    count = timer.settings.ladder_samples
    rounds = timer.with_settings(dataclasses.replace(timer.settings, samples=count,
                                                     min_samples=count))
    return rounds.time_all({backend: raw_call(kernel, backend, size) for backend in backends},
                           loops)


def settled(kernel: KernelReport) -> bool:
    """Whether every rung of ``kernel`` (its passes pooled) is settled: see :data:`TIGHT`.

    The steps inside dynamic typing & boxing are timed in every pass the kernel gets, but
    do not earn it more: a run pays for them once per pass, not in passes of their own."""
    return all(uncertainty(rung) <= TIGHT for rung in kernel.ladder if rung.backend not in STEPS)


#: The standard error of a median over that of a mean of the same normal samples.
MEDIAN_ERROR = math.sqrt(math.pi / 2)
#: A normal distribution's interquartile range in standard deviations.
IQR_SIGMAS = 1.349


def uncertainty(rung: Rung) -> float:
    """The relative standard error of the rung's pooled median: the larger of what its
    passes' medians say (their standard deviation over the root of their count: how far
    the run's moments move it) and what its samples' spread says (interquartile range as
    standard deviations, over the root of their count); infinite with one pass."""
    medians = [math.log(p.median) for p in rung.passes if p.median > 0]
    if len(medians) < 2:
        return math.inf
    between = statistics.stdev(medians) / math.sqrt(len(medians))
    within = MEDIAN_ERROR * rung.time.spread / IQR_SIGMAS / math.sqrt(len(rung.time.samples))
    return max(between, within)


def pass_settings(settings: Settings, number: int) -> Settings:
    """How pass ``number`` (1 the first) is timed: the passes every kernel gets take
    ``ladder_samples`` rounds; one beyond ``ladder_min_passes``, taken because a rung has
    not settled, samples another moment of the run, which is what its median lacks, in
    ``min_samples`` rounds."""
    if number <= settings.ladder_min_passes:
        return settings
    return dataclasses.replace(settings, ladder_samples=min(settings.min_samples,
                                                            settings.ladder_samples))


def rungs(times: dict[str, Timing]) -> tuple[Rung, ...]:
    """The first pass's rungs, each its own only pass."""
    return tuple(Rung(backend, timing, (timing,)) for backend, timing in times.items())


def later(kernels: Sequence[KernelReport], starts: Sequence[float], timer: Timer,
          step: Callable[[str], None], child_cpu: Callable[[float], None]) -> list[KernelReport]:
    """``kernels`` (one run's, in its order) with up to :func:`later_count` more passes of
    each ladder pooled in; ``starts`` are the wall times their sections began.

    The passes run one after another; each times the kernels still timed in the run's
    order, so its allocator has the history the first pass had. A kernel stops once it has
    ``ladder_min_passes`` passes and is :func:`settled`. ``step(label)`` is called before
    each kernel's pass, ``child_cpu(seconds)`` with the CPU a fresh interpreter used for it.
    """
    settings = timer.settings
    timed: list[list[dict[str, Timing]]] = [[] for _ in kernels]
    fresh_passes = [0] * len(kernels)
    why_not: list[Optional[str]] = [None] * len(kernels)
    apart = [0.0] * len(kernels)
    current = list(kernels)
    for number in range(2, settings.ladder_passes + 1):
        going = [index for index, kernel in enumerate(current)
                 if number <= settings.ladder_min_passes or not settled(kernel)]
        if not going:
            break
        timing = pass_settings(settings, number)
        with fresh.Interpreter(timing, __name__) as child:
            for index in going:
                kernel, start = kernels[index], starts[index]
                loops = {rung.backend: rung.passes[0].loops for rung in kernel.ladder}
                step(f"{kernel.kernel}: {LATER_PASS}")
                apart[index] = timer.wall() - start
                backends = [rung.backend for rung in kernel.ladder]
                why = _not_fresh(kernel.kernel, timer)
                if why is None:
                    used = child.cpu
                    try:
                        timed[index].append(child.measure(kernel.kernel, kernel.size, backends,
                                                          loops))
                        child_cpu(child.cpu - used)
                        fresh_passes[index] += 1
                        continue
                    except fresh.FreshError as error:
                        why = f"the fresh interpreter failed: {error}"
                timed[index].append(measure(kernel.kernel, kernel.size, backends,
                                            timer.with_settings(timing), loops))
                why_not[index] = why_not[index] or why
        current = [pooled(kernel, found, Passes(len(found) + 1, 0.0, 0))
                   for kernel, found in zip(kernels, timed)]
    return [pooled(kernel, found, Passes(len(found) + 1, seconds, in_fresh, why))
            for kernel, found, seconds, in_fresh, why
            in zip(kernels, timed, apart, fresh_passes, why_not)]


def pooled(kernel: KernelReport, timed: Sequence[dict[str, Timing]],
           passes: Passes) -> KernelReport:
    """``kernel`` with each rung's later passes (``timed``, one mapping a pass) pooled in."""
    found = []
    for rung in kernel.ladder:
        each = (*rung.passes, *(times[rung.backend] for times in timed))
        found.append(Rung(rung.backend, pool(each), each))
    return dataclasses.replace(kernel, ladder=tuple(found), passes=passes)


def _not_fresh(kernel: str, timer: Timer) -> Optional[str]:
    """Why ``kernel``'s later passes cannot run in a fresh interpreter; None where they can."""
    if not timer.settings.ladder_fresh:
        return "settings.ladder_fresh is off"
    if spec(kernel).implementations.run_time:
        return "a registered kernel's rungs are built in this process"
    if timer.clock is not THREAD_CPU or timer.wall is not WALL_CLOCK:
        return "the run was given its own clocks"
    return None


def _child_pass(kernel: str, size: int, backends: Sequence[str], loops: dict[str, int],
                settings: Settings) -> dict[str, Timing]:
    """One pass in a fresh interpreter, timed as the parent's default timer times."""
    timer = Timer(settings, THREAD_CPU, speed=steady.probe(THREAD_CPU, settings.speed_loops))
    return measure(kernel, size, backends, timer, loops)


if __name__ == "__main__":
    fresh.serve(_child_pass)
