"""Every figure of a report as one flat list, keyed by kernel, size, section and backend.

The JSON carries this list for other tools, ``--repeat`` keeps each figure's value in
every run, and ``fastkern compare`` lines reports up by it and tests each figure's values
round by round (:attr:`Figure.rounds`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence

from . import derive
from .derive import Estimate
from .formatting import call
from .model import (CPU, UNTIMED, WALL, Cores, KernelReport, RunSpread, Timing, map_timings,
                    quartiles)

if TYPE_CHECKING:
    from .report import Report

#: Units of figures: seconds, a ratio, a fraction (shown as %), a number of threads,
#: a bandwidth, bytes.
SECONDS, RATIO, FRACTION, THREADS, BANDWIDTH, BYTES = "s", "x", "%", "threads", "GB/s", "B"


@dataclass(frozen=True)
class Figure:
    subject: str
    """``nbody(2000)``, or the shared section's name."""
    section: str
    label: str
    unit: str
    clock: str
    estimate: Estimate
    rounds: tuple[float, ...] = field(default=(), repr=False)
    """The figure in each round it was computed from (a timing's samples; a derived
    figure computed from one round's samples alone), in round order: what ``compare``
    tests. One value for a figure measured once (event-loop lag, bytes per element)."""
    passes: int = 1
    """How many separate passes over the run its rounds were sampled in: the ladder's
    passes for its times, speedups and shares; 1 for a figure timed in one stretch."""

    @property
    def key(self) -> str:
        return f"{self.subject} | {self.section} | {self.label}"


def measured(timing: Timing) -> Estimate:
    """A timing's median and interquartile interval."""
    low, value, high = quartiles(sorted(timing.samples))
    return Estimate(value, low, high)


def _figure(subject: str, section: str, label: str, estimate: Estimate, unit: str,
            clock: str, rounds: Sequence[float] = (), passes: int = 1) -> Figure:
    return Figure(subject, section, label, unit, clock, estimate, tuple(rounds), passes)


def _one(timing: Timing, index: int) -> Timing:
    """``timing`` cut down to its sample of round ``index`` (left whole past its last)."""
    if index >= len(timing.samples):
        return timing
    sample = timing.samples[index]
    return Timing((sample,), timing.loops, sample, 0.0, timing.clock, timing.wall,
                  timing.speeds[index:index + 1])


def _rounds(derived: Callable[[Any], Optional[Estimate]], source: Any,
            *timings: Optional[Timing]) -> tuple[float, ...]:
    """``derived(source)`` round by round: in each round, what it gives with every timing
    of ``source`` cut down to that round's sample. As many rounds as the fewest samples
    among ``timings``, the ones the figure is derived from (:func:`.derive.per_round`
    zips their rounds in order, so it uses as many)."""
    count = min((len(t.samples) for t in timings if t is not None), default=0)
    found = []
    for index in range(count):
        estimate = derived(map_timings(source, lambda t: _one(t, index)))
        if estimate is not None:
            found.append(estimate.value)
    return tuple(found)


def _ladder_only(kernel: KernelReport) -> KernelReport:
    """The kernel's ladder alone (pooled times, no passes): what speedups and shares use."""
    return dataclasses.replace(
        kernel, ladder=tuple(dataclasses.replace(rung, passes=()) for rung in kernel.ladder),
        costs=(), dispatch=(), gil=None, stall=(), cores=None)


def _ladder_rounds(kernel: KernelReport) -> list[KernelReport]:
    """The kernel's ladder in each round (as many as its rungs' fewest samples)."""
    ladder = _ladder_only(kernel)
    count = min((len(rung.time.samples) for rung in ladder.ladder), default=0)
    return [map_timings(ladder, lambda t, i=index: _one(t, i)) for index in range(count)]


def figures(report: Report) -> list[Figure]:
    return list(_kernel_figures(report)) + list(_shared_figures(report))


def _kernel_figures(report: Report) -> Iterator[Figure]:
    for kernel in report.kernels:
        subject = call(kernel.kernel, kernel.size)
        by_round = _ladder_rounds(kernel)
        passes = min((max(len(rung.passes), 1) for rung in kernel.ladder), default=1)
        for rung in kernel.ladder:
            yield _figure(subject, "ladder", rung.backend, measured(rung.time), SECONDS, CPU,
                          rung.time.samples, max(len(rung.passes), 1))
            found = derive.speedup(kernel, rung.backend)
            if found is not None and rung.backend != "python":
                yield _figure(subject, "speedup over python", rung.backend, found, RATIO, CPU,
                              [derive.speedup(one, rung.backend).value for one in by_round],
                              passes)
        parts = [derive.parts(one) for one in by_round]
        for index, part in enumerate(derive.parts(kernel)):
            yield _figure(subject, "share of python's time", part.name, part.share, FRACTION, CPU,
                          [found[index].share.value for found in parts], passes)
        # fib and registered kernels count work in calls: their slope must not take the
        # intercept's key
        per_unit = f"per {kernel.unit}" if kernel.unit != "call" else "per unit of work (call)"
        for cost in kernel.costs:
            fitted = derive.line(cost)
            yield _figure(subject, "per call", cost.backend, fitted.intercept, SECONDS, CPU,
                          _rounds(lambda c: derive.line(c).intercept, cost, *cost.times))
            yield _figure(subject, per_unit, cost.backend, fitted.slope, SECONDS, CPU,
                          _rounds(lambda c: derive.line(c).slope, cost, *cost.times))
        for dispatch in kernel.dispatch:
            yield _figure(subject, "dispatch adds", dispatch.backend,
                          derive.dispatch_adds(dispatch), SECONDS, CPU,
                          _rounds(derive.dispatch_adds, dispatch, dispatch.dispatched,
                                  dispatch.raw))
        if kernel.gil:
            rows = [(s.label, s) for s in kernel.gil.threads]
            if kernel.gil.processes:
                rows.append(("python, processes", kernel.gil.processes.scaling))
            for label, scaling in rows:
                for index, workers in enumerate(scaling.workers):
                    yield _figure(subject, f"scaling T={workers}", label,
                                  derive.efficiency(scaling, index), FRACTION, WALL,
                                  _rounds(lambda s, i=index: derive.efficiency(s, i), scaling,
                                          scaling.walls[index], scaling.reference))
                    runnable = derive.runnable(scaling, index)
                    if runnable is not None:
                        yield _figure(subject, f"runnable at once T={workers}", label, runnable,
                                      THREADS, WALL,
                                      _rounds(lambda s, i=index: derive.runnable(s, i), scaling,
                                              scaling.runnable[index], scaling.walls[index]))
        for stall in kernel.stall:
            yield _figure(subject, "event loop worst lag", stall.label,
                          Estimate(stall.worst, stall.worst, stall.worst), SECONDS, WALL,
                          (stall.worst,))
        if kernel.cores:
            yield from _cores_figures(call(kernel.kernel, kernel.cores.size), kernel.cores)


def _cores_figures(subject: str, cores: Cores) -> Iterator[Figure]:
    """One call split over T threads: per T, then the serial fraction fitted over all T."""
    backend, scaling = cores.backend, cores.scaling
    for index, threads in enumerate(scaling.workers):
        section = f"one call scaling T={threads}"
        walls = (scaling.walls[index], scaling.reference)
        yield _figure(subject, section, f"{backend} speedup", derive.split_speedup(cores, index),
                      RATIO, WALL,
                      _rounds(lambda c, i=index: derive.split_speedup(c, i), cores, *walls))
        yield _figure(subject, section, f"{backend} efficiency",
                      derive.efficiency(scaling, index), FRACTION, WALL,
                      _rounds(lambda s, i=index: derive.efficiency(s, i), scaling, *walls))
        runnable = derive.split_runnable(cores, index)
        if runnable is not None:
            yield _figure(subject, section, f"{backend} runnable at once", runnable, THREADS, WALL,
                          _rounds(lambda c, i=index: derive.split_runnable(c, i), cores,
                                  scaling.runnable[index],
                                  cores.spans[index] if cores.spans else scaling.walls[index]))
        if cores.bytes_read is not None:
            read, copy = scaling.walls[index], cores.copies[index]
            yield _figure(subject, section, f"{backend} read bandwidth",
                          _giga(derive.bandwidth(cores.bytes_read, read)), BANDWIDTH, WALL,
                          _rounds(lambda t: _giga(derive.bandwidth(cores.bytes_read, t)), read,
                                  read))
            yield _figure(subject, section, "copy probe bandwidth",
                          _giga(derive.bandwidth(cores.copy_bytes, copy)), BANDWIDTH, WALL,
                          _rounds(lambda t: _giga(derive.bandwidth(cores.copy_bytes, t)), copy,
                                  copy))
            yield _figure(subject, section, f"{backend} read over copy bandwidth",
                          derive.of_copy_bandwidth(cores, index), RATIO, WALL,
                          _rounds(lambda c, i=index: derive.of_copy_bandwidth(c, i), cores,
                                  read, copy))
    yield _figure(subject, "one call scaling, all T", f"{backend} serial fraction (Amdahl)",
                  derive.serial_fraction(cores), FRACTION, WALL,
                  _rounds(derive.serial_fraction, cores, scaling.reference, *scaling.walls))


def _giga(estimate: Estimate) -> Estimate:
    return Estimate(estimate.value / 1e9, estimate.low / 1e9, estimate.high / 1e9, estimate.reason)


def _shared_figures(report: Report) -> Iterator[Figure]:
    if report.boundary:
        b = report.boundary
        for label, timing in (("buffer -> list", b.to_list), ("list -> buffer", b.to_buffer)):
            per = timing.per(b.elements)
            yield _figure("boundary", "per element", label, measured(per), SECONDS, CPU,
                          per.samples)
    if report.memory:
        m = report.memory
        for label, size in (("list of floats", m.list_bytes), ("float64 buffer", m.buffer_bytes)):
            yield _figure("memory", "bytes per element", label, Estimate(size, size, size), BYTES,
                          UNTIMED, (size,))
        yield _figure("memory", "scattered over in order", "python sum",
                      derive.ratio(m.scattered, m.in_order), RATIO, CPU,
                      _rounds(lambda pair: derive.ratio(*pair), (m.scattered, m.in_order),
                              m.scattered, m.in_order))
    if report.gc:
        g = report.gc
        subject = call(g.kernel, g.size)
        timed = (g.enabled, g.disabled)
        yield _figure(subject, "collector", "on", measured(g.enabled), SECONDS, CPU,
                      g.enabled.samples)
        yield _figure(subject, "collector", "off over on", derive.gc_ratio(g), RATIO, CPU,
                      _rounds(derive.gc_ratio, g, *timed))
        yield _figure(subject, "collector", "pause share", derive.gc_pause_share(g), FRACTION, CPU,
                      _rounds(derive.gc_pause_share, g, g.enabled))
    if report.features:
        for pair in report.features.pairs:
            timed = (pair.feature_time, pair.plain_time)
            yield _figure("language features", f"{pair.feature} vs {pair.plain}", "python",
                          derive.ratio(*timed), RATIO, CPU,
                          _rounds(lambda both: derive.ratio(*both), timed, *timed))


def spreads(runs: Sequence[Report]) -> tuple[RunSpread, ...]:
    """Each figure's value in every run (None where that run did not resolve it)."""
    by_run = [{f.key: f for f in figures(run)} for run in runs]
    keys = list(by_run[0])
    return tuple(RunSpread(key, tuple(
        found[key].estimate.value if key in found and found[key].estimate.resolved else None
        for found in by_run))
        for key in keys)


def relative_spread(values: Sequence[Optional[float]]) -> Optional[float]:
    """(largest - smallest) / median of the resolved values, or None with fewer than two."""
    known = sorted(v for v in values if v is not None)
    if len(known) < 2:
        return None
    middle = quartiles(known)[1]
    return (known[-1] - known[0]) / abs(middle) if middle else None

