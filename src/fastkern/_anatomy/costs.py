"""Per-call and per-unit cost from several sizes, and the dispatch layer's own cost."""

from __future__ import annotations

import dataclasses
from typing import Mapping, Optional, Sequence

from .._kernels import KERNELS
from .inputs import (accepts, dispatched_call, fit_sizes, grid_size, raw_call, raw_direct_call,
                     smallest_size)
from .model import CallCost, DispatchCost, Timing
from .timing import Timer

#: The largest call of a fit does at least this many times a call's fixed cost in work.
WORK_OVER_FIXED = 100
#: ... but its work grows to at most this many times the ladder's ...
MOST_GROWTH = 1000
#: ... and its call lasts at most this many times ``Settings.target_time`` (a kernel whose
#: smallest call already does real work, as binary_trees raised to its least depth, would
#: otherwise grow its largest call to seconds, where the fit gains nothing).
LONGEST_CALL = 5


def largest_size(kernel: str, size: int, fixed: float, at_size: float,
                 longest: float = float("inf")) -> int:
    """A size whose call does at least :data:`WORK_OVER_FIXED` times ``fixed`` in work, and
    lasts at most ``longest`` seconds (estimated along the line through the two).

    ``fixed`` is the seconds of a call at the smallest size, ``at_size`` at ``size``; the
    size is on the work grid, at least ``size``, and one the kernel accepts.
    """
    work = KERNELS[kernel].work
    low, high = work(smallest_size(kernel)), work(size)
    per_unit = (at_size - fixed) / (high - low) if high > low and at_size > fixed else 0.0
    if per_unit <= 0:
        return size
    needed = min(WORK_OVER_FIXED * fixed / per_unit, MOST_GROWTH * high,
                 low + (longest - fixed) / per_unit)
    if needed <= high:
        return size
    bigger = grid_size(kernel, needed, lowest=size)
    return bigger if accepts(kernel, bigger) else size


def measure(kernel: str, size: int, known: Mapping[str, Timing], timer: Timer,
            points: int, chosen: Optional[Mapping[str, Sequence[int]]] = None,
            ) -> tuple[CallCost, ...]:
    """Each backend in ``known`` (timed at ``size``) fitted over sizes chosen for it.

    Each backend's sizes run from the smallest to one whose work outweighs the fixed
    cost of a call :data:`WORK_OVER_FIXED` times, so a fast backend's slope is not lost
    in its per-call cost; ``chosen`` gives a backend's sizes instead (a repeated run
    reuses its first run's, so their timings pool size by size). The smallest size is
    timed for all backends in interleaved rounds, the sizes between (and any beyond
    ``size``) for each backend in turn; the ladder's timing at ``size`` is reused.
    Rounds are paired in order for the intervals.
    """
    lowest = smallest_size(kernel)
    work = KERNELS[kernel].work
    if work(size) <= work(lowest):
        return ()
    smallest = timer.time_all({backend: raw_call(kernel, backend, lowest) for backend in known})
    found = []
    for backend, at_size in known.items():
        sizes = list((chosen or {}).get(backend, ()))
        if not sizes:
            largest = largest_size(kernel, size, smallest[backend].median, at_size.median,
                                   LONGEST_CALL * timer.settings.target_time)
            sizes = fit_sizes(kernel, largest, points, lowest=lowest)
        timed = {lowest: smallest[backend], size: at_size}
        timed.update(timer.time_all({s: raw_call(kernel, backend, s) for s in sizes
                                     if s not in timed}))
        found.append(CallCost(backend, tuple(sizes), tuple(work(s) for s in sizes),
                              tuple(timed[s] for s in sizes)))
    return tuple(found)


def dispatch(kernel: str, backends: Sequence[str], timer: Timer) -> tuple[DispatchCost, ...]:
    """Public dispatching call against the raw one, at the kernel's smallest size.

    The public call includes checking and converting the arguments, which for the
    object backends means building a list; at the smallest size that is a few elements.
    Both are written out as plain calls, so their difference is the dispatch layer alone.
    The calls are short, so a quarter of the usual sample time holds many of them.
    """
    size = smallest_size(kernel)
    quick = timer.with_settings(dataclasses.replace(timer.settings,
                                                    min_time=timer.settings.min_time / 4))
    costs = []
    for backend in backends:
        times = quick.time_all({"dispatched": dispatched_call(kernel, backend, size),
                                "raw": raw_direct_call(kernel, backend, size)})
        costs.append(DispatchCost(backend, size, times["dispatched"], times["raw"]))
    return tuple(costs)
