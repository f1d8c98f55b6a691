"""The ladder's later passes: every rung timed again at the end of the run, and pooled.

One pass's rounds take a second or two, so they all share that moment's luck: on this
project's VM, typed binary_trees(10) read 113 µs in one idle run and 122-125 µs in all nine
rounds of the next (c, timed in the same rounds, did not move), and python mandelbrot 25%
slower in one busy run while the machine's speed probe did not move. Nothing inside one pass
shows that. Timed again tens of seconds later, a rung that moved shows it: its figure pools
every pass (so its spread, and every figure derived from it, carries the move), and a rung
two of whose passes' interquartile ranges do not overlap, their medians more than
:data:`MOVED` apart, is marked. Quartiles, not extremes: in one idle run python
mandelbrot(100) read 24.0-27.1 ms in eight rounds of its first pass and 30.6-35.0 ms in all
nine of its second, and one stray first-pass round at 31.3 ms would have hidden that under a
rule of no sample overlapping. Seven passes of five rounds, not two of nine: a pass carries
the luck of its moment and of its process (one fresh interpreter read python mandelbrot 30%
slow in all nine rounds, six others within 5% of each other; one idle run's first pass read
fib and binary_trees 1.4-1.9x slow, its four later passes within 4%), and the median of
seven passes' pooled rounds lies with those that agree, where the median of two lies
halfway. More processes with fewer rounds each, as the rounds of one pass share its luck:
over the pairs of idle default runs here, ladder figures agreed within 5% on 25 of 27 with
three passes of nine rounds, 158 of 162 (six pairs) with five of seven, and 750 of 756
(28 pairs of eight runs, 22 of them on all 27) with seven of five, in the same time.
Of four passes or more, the fastest and the slowest are left out before judging a move, as
one process's luck cannot pull the pooled median far: among seven passes, some two lay
apart on 7 to 17 of 27 rungs in each of those idle runs; leaving out the ends, on 0 to 5,
compiled sum(1,000,000) the most often (per-process readings 7.3-8.0 ms).
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Optional, Sequence

from .merge import pool
from .report import KernelReport, Report, Rung, Timing
from .timing import quartiles

#: Passes whose interquartile ranges do not overlap and whose medians lie further apart
#: than this.
MOVED = 0.05
#: Passes from which the fastest and the slowest are left out before judging a move.
TRIMMED = 4
#: Where a kernel's later passes ran: each in a new interpreter (see :mod:`.fresh`), or this
#: process (followed by ": " and why, for one pass or more).
FRESH = "a fresh interpreter"
SAME = "this process"


def combined(report: Report, later: Sequence[Sequence[Mapping[str, Timing]]],
             apart: Sequence[float], where: Sequence[str]) -> Report:
    """``report`` with each kernel's rungs pooled with the same rungs of its later passes
    (per kernel, in the report's order: one mapping of backend to timing per pass), the
    last timed ``apart`` seconds after the first pass, in the process ``where`` says."""
    kernels = []
    for kernel, timed, seconds, place in zip(report.kernels, later, apart, where):
        rungs = []
        for rung in kernel.ladder:
            found = (rung.time, *(each[rung.backend] for each in timed))
            rungs.append(Rung(rung.backend, pool(found), found))
        kernels.append(dataclasses.replace(kernel, ladder=tuple(rungs), passes_apart=seconds,
                                           passes_where=place))
    return dataclasses.replace(report, kernels=tuple(kernels))


def moved(rung: Rung) -> Optional[float]:
    """How far apart the two passes furthest apart lie: the slower's median over the
    faster's, less 1, among passes whose interquartile ranges do not overlap and whose
    medians lie more than :data:`MOVED` apart; None where no two do, or with one pass.
    Of :data:`TRIMMED` or more passes, the fastest and the slowest are left out: one pass
    cannot pull the pooled median of so many far."""
    found = sorted((p.median, quartiles(sorted(p.samples))) for p in rung.passes
                   if p.samples and p.median > 0)
    if len(found) >= TRIMMED:
        found = found[1:-1]
    changes = [slow / fast - 1 for fast, (_, _, high) in found for slow, (low, _, _) in found
               if high < low and slow / fast - 1 > MOVED]
    return max(changes, default=None)


def moved_rungs(kernel: KernelReport) -> list[tuple[Rung, float]]:
    """The kernel's rungs that moved between passes, with how far (see :func:`moved`)."""
    found = [(rung, moved(rung)) for rung in kernel.ladder]
    return [(rung, change) for rung, change in found if change is not None]


def where(kernels: Sequence[KernelReport]) -> str:
    """Where the kernels' later passes ran, in words: "in a fresh interpreter", or which
    kernels' ran in this process and why ("since" the reason)."""
    places: dict[str, list[str]] = {}
    for kernel in kernels:
        places.setdefault(kernel.passes_where or SAME, []).append(kernel.kernel)
    if list(places) == [FRESH]:
        return f"in {FRESH}"
    parts = []
    for place, names in places.items():
        name, _, why = place.partition(": ")
        parts.append(f"in {name}" + (f" for {', '.join(names)}" if len(places) > 1 else "")
                     + (f", since {why}" if why else ""))
    return ", and ".join(parts)


def count(kernels: Sequence[KernelReport]) -> int:
    """How many passes the kernels' ladders were timed in (the most any rung has)."""
    return max((len(rung.passes) for kernel in kernels for rung in kernel.ladder), default=1)


def how_often(kernels: Sequence[KernelReport]) -> str:
    """How many times the kernels' ladders were timed, in words: "twice", "3 times"."""
    found = count(kernels)
    return "twice" if found == 2 else f"{found} times"


def left_out(kernels: Sequence[KernelReport]) -> str:
    """Which passes :func:`moved` leaves out, in words ("" where it leaves out none)."""
    found = count(kernels)
    return "" if found < TRIMMED else \
        f", leaving out the fastest and the slowest of each rung's {found} passes"


def later(kernels: Sequence[KernelReport]) -> str:
    """The kernels' later passes, in words: "the second" with two, "each later one" else."""
    return "the second" if count(kernels) == 2 else "each later one"
