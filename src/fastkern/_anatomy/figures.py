"""Every figure of a report as one flat list, keyed by kernel, size, section and backend.

The JSON carries this list for other tools, ``--repeat`` keeps each figure's value in
every run, and ``fastkern compare`` lines reports up by it and tests each figure's values
round by round (:attr:`Figure.rounds`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

from .._report.estimate import Estimate, quartiles, rounds
from .._report.figure import (BANDWIDTH, BYTES, CPU, FRACTION, RATIO, SECONDS, THREADS, UNTIMED,
                              WALL, Figure, Noise, pooled_noise)
from . import derive
from .formatting import call
from .model import Cores, RunSpread, Timing, map_timings, summarize

if TYPE_CHECKING:
    from .report import Report


def run_noise(report: Report) -> Noise:
    """An anatomy report's :class:`Noise`, from its ladder's passes: each rung's pass
    medians, pooled over all rungs; and, where the report read the machine's speed, the
    same relative to it, of a typical rung (see :func:`.figure.pooled_noise`): a figure
    taken relative to the speed is spared the slow stretches that inflate the former."""
    def medians(timed: Report) -> Iterator[list[float]]:
        return ([p.median for p in rung.passes] for kernel in timed.kernels
                for rung in kernel.ladder)
    relative = pooled_noise(medians(at_speed(report)), typical=True) \
        if speed_read(report) else None
    return pooled_noise(medians(report), relative)


def speed_read(report: Report) -> bool:
    """Whether every thread-CPU timing of ``report`` carries the machine's speed (a positive
    reading) in each of its rounds."""
    timed = [t for t in report.timings() if t.clock == CPU]
    return bool(timed) and all(len(t.speeds) == len(t.samples) and min(t.speeds) > 0
                               for t in timed)


def at_speed(report: Report) -> Report:
    """``report`` with every thread-CPU timing's samples divided by the machine's speed
    reading in their round (see :func:`speed_read`): times in units of the fixed work."""
    def relative(timing: Timing) -> Timing:
        if timing.clock != CPU:
            return timing
        return summarize([s / v for s, v in zip(timing.samples, timing.speeds)], timing.loops,
                         timing.clock, speeds=timing.speeds)
    return map_timings(report, relative)


def measured(timing: Timing) -> Estimate:
    """A timing's median and interquartile interval, its samples the rounds."""
    return rounds(timing.samples)


def _once(value: float) -> Estimate:
    """A figure measured once (bytes per element, an event loop's worst lag)."""
    return Estimate(value, value, value, rounds=(value,))


def _figure(subject: str, section: str, label: str, estimate: Estimate, unit: str,
            clock: str, passes: int = 1, sensitivity: float = 1.0) -> Figure:
    return Figure(subject, section, label, unit, clock, estimate, passes,
                  sensitivity=sensitivity)


#: The units of figures that :attr:`Figure.relative` is given for (thread-CPU ones only).
RELATIVE_UNITS = (SECONDS, RATIO)


def figures(report: Report) -> list[Figure]:
    """Every figure, each thread-CPU time and ratio with its rounds relative to the
    machine's speed where the report read it (:func:`speed_read`)."""
    found = _figures(report)
    if not speed_read(report):
        return found
    relative = {f.key: f.rounds for f in _figures(at_speed(report))}
    return [dataclasses.replace(f, relative=relative[f.key])
            if f.clock == CPU and f.unit in RELATIVE_UNITS
            and len(relative.get(f.key, ())) == len(f.rounds) else f
            for f in found]


def _figures(report: Report) -> list[Figure]:
    return list(_kernel_figures(report)) + list(_shared_figures(report))


def _kernel_figures(report: Report) -> Iterator[Figure]:
    for kernel in report.kernels:
        subject = call(kernel.kernel, kernel.size)
        passes = min((max(len(rung.passes), 1) for rung in kernel.ladder), default=1)
        for rung in kernel.ladder:
            yield _figure(subject, "ladder", rung.backend, measured(rung.time), SECONDS, CPU,
                          max(len(rung.passes), 1))
            found = derive.speedup(kernel, rung.backend)
            if found is not None and rung.backend != "python":
                yield _figure(subject, "speedup over python", rung.backend, found, RATIO, CPU,
                              passes)
        for part in derive.parts(kernel):
            yield _figure(subject, "share of python's time", part.name, part.share, FRACTION, CPU,
                          passes)
        # fib and registered kernels count work in calls: their slope must not take the
        # intercept's key
        per_unit = f"per {kernel.unit}" if kernel.unit != "call" else "per unit of work (call)"
        for cost in kernel.costs:
            fitted = derive.line(cost)
            fixed, slope = derive.line_sensitivity(cost)
            yield _figure(subject, "per call", cost.backend, fitted.intercept, SECONDS, CPU,
                          sensitivity=fixed)
            yield _figure(subject, per_unit, cost.backend, fitted.slope, SECONDS, CPU,
                          sensitivity=slope)
        for dispatch in kernel.dispatch:
            yield _figure(subject, "dispatch adds", dispatch.backend,
                          derive.dispatch_adds(dispatch), SECONDS, CPU,
                          sensitivity=derive.dispatch_sensitivity(dispatch))
        if kernel.gil:
            rows = [(s.label, s) for s in kernel.gil.threads]
            if kernel.gil.processes:
                rows.append(("python, processes", kernel.gil.processes.scaling))
            for label, scaling in rows:
                for index, workers in enumerate(scaling.workers):
                    yield _figure(subject, f"scaling T={workers}", label,
                                  derive.efficiency(scaling, index), FRACTION, WALL)
                    runnable = derive.runnable(scaling, index)
                    if runnable is not None:
                        yield _figure(subject, f"runnable at once T={workers}", label, runnable,
                                      THREADS, WALL)
        for stall in kernel.stall:
            yield _figure(subject, "event loop worst lag", stall.label, _once(stall.worst),
                          SECONDS, WALL)
        if kernel.cores:
            yield from _cores_figures(call(kernel.kernel, kernel.cores.size), kernel.cores)


def _cores_figures(subject: str, cores: Cores) -> Iterator[Figure]:
    """One call split over T threads: per T, then the serial fraction fitted over all T."""
    backend = cores.backend
    for index, threads in enumerate(cores.scaling.workers):
        section = f"one call scaling T={threads}"
        yield _figure(subject, section, f"{backend} speedup", derive.split_speedup(cores, index),
                      RATIO, WALL)
        yield _figure(subject, section, f"{backend} efficiency",
                      derive.efficiency(cores.scaling, index), FRACTION, WALL)
        runnable = derive.split_runnable(cores, index)
        if runnable is not None:
            yield _figure(subject, section, f"{backend} runnable at once", runnable, THREADS, WALL)
        if cores.bytes_read is not None:
            read = derive.bandwidth(cores.bytes_read, cores.scaling.walls[index])
            copy = derive.bandwidth(cores.copy_bytes, cores.copies[index])
            yield _figure(subject, section, f"{backend} read bandwidth", read.scaled(1e-9),
                          BANDWIDTH, WALL)
            yield _figure(subject, section, "copy probe bandwidth", copy.scaled(1e-9),
                          BANDWIDTH, WALL)
            yield _figure(subject, section, f"{backend} read over copy bandwidth",
                          derive.of_copy_bandwidth(cores, index), RATIO, WALL)
    yield _figure(subject, "one call scaling, all T", f"{backend} serial fraction (Amdahl)",
                  derive.serial_fraction(cores), FRACTION, WALL)


def _shared_figures(report: Report) -> Iterator[Figure]:
    if report.boundary:
        b = report.boundary
        for label, timing in (("buffer -> list", b.to_list), ("list -> buffer", b.to_buffer)):
            per = timing.per(b.elements)
            yield _figure("boundary", "per element", label, measured(per), SECONDS, CPU)
    if report.memory:
        m = report.memory
        for label, size in (("list of floats", m.list_bytes), ("float64 buffer", m.buffer_bytes)):
            yield _figure("memory", "bytes per element", label, _once(size), BYTES, UNTIMED)
        yield _figure("memory", "scattered over in order", "python sum",
                      derive.ratio(m.scattered, m.in_order), RATIO, CPU)
    if report.gc:
        g = report.gc
        subject = call(g.kernel, g.size)
        yield _figure(subject, "collector", "on", measured(g.enabled), SECONDS, CPU)
        yield _figure(subject, "collector", "off over on", derive.gc_ratio(g), RATIO, CPU)
        yield _figure(subject, "collector", "pause share", derive.gc_pause_share(g), FRACTION, CPU)
    if report.features:
        for pair in report.features.pairs:
            yield _figure("language features", f"{pair.feature} vs {pair.plain}", "python",
                          derive.ratio(pair.feature_time, pair.plain_time), RATIO, CPU)


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

