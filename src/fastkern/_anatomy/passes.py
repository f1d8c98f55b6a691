"""The ladder's second pass: every rung timed again at the end of the run, and pooled.

One pass's rounds take a second or two, so they all share that moment's luck: on this
project's VM, typed binary_trees(10) read 113 µs in one idle run and 122-125 µs in all nine
rounds of the next (c, timed in the same rounds, did not move), and python mandelbrot 25%
slower in one busy run while the machine's speed probe did not move. Nothing inside one pass
shows that. Timed again tens of seconds later, a rung that moved shows it: its figure pools
both passes (so its spread, and every figure derived from it, carries the move), and a rung
whose passes' interquartile ranges do not overlap, their medians more than :data:`MOVED`
apart, is marked. Quartiles, not extremes: in one idle run python mandelbrot(100) read
24.0-27.1 ms in eight rounds of its first pass and 30.6-35.0 ms in all nine of its second,
and one stray first-pass round at 31.3 ms would have hidden that under a rule of no sample
overlapping.
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
#: Where a second pass ran: a new interpreter (see :mod:`.fresh`), or this process
#: (followed by ": " and why).
FRESH = "a fresh interpreter"
SAME = "this process"


def combined(report: Report, later: Sequence[Mapping[str, Timing]],
             apart: Sequence[float], where: Sequence[str]) -> Report:
    """``report`` with each kernel's rungs pooled with the same rungs of ``later`` (one
    mapping of backend to timing per kernel, in the report's order), timed ``apart``
    seconds after the first pass, in the process ``where`` says."""
    kernels = []
    for kernel, second, seconds, place in zip(report.kernels, later, apart, where):
        rungs = tuple(Rung(rung.backend, pool([rung.time, second[rung.backend]]),
                           (rung.time, second[rung.backend])) for rung in kernel.ladder)
        kernels.append(dataclasses.replace(kernel, ladder=rungs, passes_apart=seconds,
                                           passes_where=place))
    return dataclasses.replace(report, kernels=tuple(kernels))


def moved(rung: Rung) -> Optional[float]:
    """How far the second pass's median lies from the first's (a fraction of the first),
    where the passes' interquartile ranges do not overlap and their medians lie more than
    :data:`MOVED` apart; None otherwise, or with fewer than two passes."""
    if len(rung.passes) < 2:
        return None
    first, second = rung.passes[0], rung.passes[-1]
    if not first.samples or not second.samples or first.median <= 0:
        return None
    (low1, _, high1), (low2, _, high2) = (quartiles(sorted(p.samples)) for p in (first, second))
    apart = high1 < low2 or high2 < low1
    change = second.median / first.median - 1
    return change if apart and abs(change) > MOVED else None


def moved_rungs(kernel: KernelReport) -> list[tuple[Rung, float]]:
    """The kernel's rungs that moved between passes, with how far."""
    found = [(rung, moved(rung)) for rung in kernel.ladder]
    return [(rung, change) for rung, change in found if change is not None]


def where(kernels: Sequence[KernelReport]) -> str:
    """Where the kernels' second passes ran, in words: "in a fresh interpreter", or which
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
