"""Per-call and per-unit cost from several sizes, and the dispatch layer's own cost."""

from __future__ import annotations

from typing import Mapping, Sequence

from .._kernels import KERNELS
from .fit import fit_line
from .inputs import dispatched_call, fit_sizes, raw_call, raw_direct_call, smallest_size
from .report import CallCost, DispatchCost, Timing, worst
from .timing import Timer


def call_cost(backend: str, sizes: Sequence[int], work: Sequence[int],
              times: Sequence[Timing]) -> CallCost:
    """The fit of one backend's times against the work at each size."""
    fit = fit_line(work, [timing.median for timing in times])
    return CallCost(backend, tuple(sizes), tuple(work), tuple(times), fit,
                    worst(*(timing.stability for timing in times)))


def measure(kernel: str, size: int, known: Mapping[str, Timing], timer: Timer,
            points: int) -> tuple[CallCost, ...]:
    """Each backend in ``known`` (already timed at ``size``) timed at smaller sizes and fitted."""
    sizes = fit_sizes(kernel, size, points, lowest=smallest_size(kernel))
    work = [KERNELS[kernel].work(s) for s in sizes]
    if len(set(work)) < 2:
        return ()
    by_size = {s: known if s == size else
               timer.time_all({backend: raw_call(kernel, backend, s) for backend in known})
               for s in sizes}
    return tuple(call_cost(backend, sizes, work, [by_size[s][backend] for s in sizes])
                 for backend in known)


def dispatch(kernel: str, backends: Sequence[str], timer: Timer) -> tuple[DispatchCost, ...]:
    """Public dispatching call against the raw one, at the kernel's smallest size.

    The public call includes checking and converting the arguments, which for the
    object backends means building a list; at the smallest size that is a few elements.
    Both are written out as plain calls, so their difference is the dispatch layer alone.
    """
    size = smallest_size(kernel)
    costs = []
    for backend in backends:
        times = timer.time_all({"dispatched": dispatched_call(kernel, backend, size),
                                "raw": raw_direct_call(kernel, backend, size)})
        costs.append(DispatchCost(backend, size, times["dispatched"], times["raw"]))
    return tuple(costs)
