"""What the report found, one line per subject, each built from figures its tables show.

The report opens with these lines: one per kernel (its fastest rung's speedup over python
and the largest share of python's time, beyond noise of 0), then one each for the GIL,
processes, the event loop, the cost of a call, memory, garbage collection and language
features. Every number in them is formatted exactly as in a table cell (see :mod:`.check`);
a load caveat joins a line only where other programs were busy during the section its
figures come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from . import derive
from .._report.numbers import fraction, join, seconds, share, span, times
from .formatting import at_once, call
from .model import CORES_STEP, KernelReport, Scaling

if TYPE_CHECKING:
    from .report import Report

#: Runnable threads at least T minus this: the threads ran side by side; at most 1 plus
#: this: they took turns.
SIDE_BY_SIDE = 0.5
#: Threads all on a CPU at once below this efficiency beyond noise slowed each other down.
CONTENDED = 0.75
#: Threads that took turns cannot beat one thread: an efficiency above 1/T by more than this
#: beyond noise contradicts the runnable count, and the verdict is "unclear".
TURNS_SLACK = 0.25
SIDE = "ran side by side"
TURNS = "took turns"
PARTLY = "partly overlapped"
UNCLEAR = "unclear (runnable threads and throughput disagree)"
#: An event loop whose median lag exceeds its tick is held up; below, it keeps ticking.
HELD_UP = "held the loop up"
LETS_RUN = "let it tick"
#: The GIL finding where the system does not report runnable time.
NO_RUNNABLE = ("this system does not report runnable time, so the GIL cannot be told from "
               "other programs' load")
#: Threads that ran at once yet slowed each other: who reached what of T x one thread.
SLOWED = "Yet, all on CPUs, {reached} of {workers} x one thread's throughput"
#: Where other programs' load capped (or added to) a finding's figures.
LOAD_NOTE = "Load {verb} {what} for {where}."
#: ``where`` of :data:`LOAD_NOTE` when load touched every kernel.
EVERY_KERNEL = "every kernel"


@dataclass(frozen=True)
class Finding:
    subject: str
    text: str
    per_kernel: bool = False
    """A kernel's own line (its ladder), not a line about a section."""

    def __str__(self) -> str:
        return f"{self.subject}: {self.text}"


def findings(report: Report) -> list[Finding]:
    """Every finding the report supports, kernels first."""
    found = [*(_kernel(k) for k in report.kernels), _gil(report), _processes(report),
             _cores(report), _event_loop(report), _per_call(report), _memory(report),
             _gc(report), _features(report)]
    return [finding for finding in found if finding is not None]


def _kernel(kernel: KernelReport) -> Optional[Finding]:
    subject = call(kernel.kernel, kernel.size)
    best = derive.fastest(kernel)
    parts = [p for p in derive.parts(kernel) if not p.near_zero]
    said = []
    if best is not None:
        said.append(f"{best[0]} {times(best[1])} faster")
    if parts:
        largest = max(parts, key=lambda p: p.share.value)
        said.append(f"{share(largest.share.value)} {largest.name}")
    if not said:
        return None
    return Finding(subject, "; ".join(said), per_kernel=True)


def verdict(scaling: Scaling, index: int, loaded: bool = False) -> Optional[str]:
    """How the T threads at ``index`` ran: side by side, took turns, partly overlapped, or
    unclear where runnable threads say turns but throughput beat one thread beyond noise
    (judged only where other programs' load did not skew the throughput); None where
    runnable threads are not counted or not resolved."""
    busy = derive.runnable(scaling, index)
    if busy is None or not busy.resolved:
        return None
    workers = scaling.workers[index]
    value = min(max(busy.value, 0.0), workers)
    if value >= workers - SIDE_BY_SIDE:
        return SIDE
    if value <= 1 + SIDE_BY_SIDE:
        efficiency = derive.efficiency(scaling, index)
        beaten = (not loaded and efficiency.resolved
                  and efficiency.low > 1 / workers + TURNS_SLACK)
        return UNCLEAR if beaten else TURNS
    return PARTLY


def _busy(report: Report, kernel: str, step: str) -> Optional[float]:
    """CPUs others kept busy during ``kernel``'s ``step``, where that made it busy."""
    entry = next((e for e in report.load if e.section == f"{kernel}: {step}"), None)
    return entry.others if entry is not None and entry.busy else None


def contended(scaling: Scaling) -> bool:
    """Whether T threads were all on a CPU at once (not merely runnable: a wait for a CPU
    is not contention) yet well below T times one thread's throughput."""
    last = len(scaling.workers) - 1
    running, efficiency = derive.on_cpu(scaling, last), derive.efficiency(scaling, last)
    return (running is not None and running.resolved and efficiency.resolved
            and running.low >= scaling.workers[last] - SIDE_BY_SIDE
            and efficiency.high < CONTENDED)


def _gil(report: Report) -> Optional[Finding]:
    kernels = [k for k in report.kernels if k.gil and k.gil.threads]
    if not kernels:
        return None
    workers = max(s.workers[-1] for k in kernels for s in k.gil.threads)
    if workers < 2:
        return None
    shown: dict[str, list[str]] = {}
    verdicts: dict[str, set[str]] = {}
    slowed: dict[str, list[str]] = {}
    for kernel in kernels:
        loaded = _busy(report, kernel.kernel, "threads") is not None
        for scaling in kernel.gil.threads:
            if scaling.workers[-1] != workers:
                continue
            last = len(scaling.workers) - 1
            efficiency = derive.efficiency(scaling, last)
            found = verdict(scaling, last, loaded) if report.machine.schedstat else None
            if found is not None:
                shown.setdefault(scaling.label, []).append(
                    at_once(derive.runnable(scaling, last), workers))
                verdicts.setdefault(scaling.label, set()).add(found)
            elif not report.machine.schedstat and efficiency.resolved:
                shown.setdefault(scaling.label, []).append(fraction(efficiency))
            if found is not None and not loaded and contended(scaling):
                slowed.setdefault(scaling.label, []).append(fraction(efficiency))
    if not shown:
        return None
    if not report.machine.schedstat:
        return Finding("GIL", f"throughput of {workers} threads vs {workers} x one: "
                              + ", ".join(f"{label} {span(values)}"
                                          for label, values in shown.items())
                              + f"; {NO_RUNNABLE}.")
    groups: dict[str, list[str]] = {}
    for label, found in verdicts.items():
        said = found.pop() if len(found) == 1 else "differed between kernels"
        groups.setdefault(said, []).append(f"{label} {span(shown[label])}")
    text = (f"{workers} threads, runnable at once: "
            + "; ".join(f"{', '.join(labels)} {said}" for said, labels in groups.items()) + ".")
    if slowed:
        shared = ("caches, memory, atomic reference counts"
                  if report.machine.gil_disabled else "caches, memory, a lock")
        reached = join([f"{label}{' reached' if not index else ''} {span(v)}"
                        for index, (label, v) in enumerate(slowed.items())])
        text += (" " + SLOWED.format(reached=reached, workers=workers)
                 + f": they slowed each other ({shared}).")
    if report.machine.gil_disabled:
        text += " (Free-threaded: \"GIL held\" does not stop other threads.)"
    return Finding("GIL", text)


def _processes(report: Report) -> Optional[Finding]:
    kernels = [k for k in report.kernels if k.gil and k.gil.processes]
    if not kernels:
        return None
    pools = [k.gil.processes.scaling for k in kernels]
    workers = max(pools[0].workers)
    found = [fraction(e) for e in (derive.efficiency(p, len(p.workers) - 1) for p in pools)
             if e.resolved]
    if not found:
        return None
    text = (f"{workers} python processes reached {span(found)} of {workers} x one "
            f"thread's throughput.")
    loaded = [k.kernel for k in kernels if _busy(report, k.kernel, "processes") is not None]
    text += _load_note(loaded, len(kernels), "it")
    return Finding("processes", text)


def _cores(report: Report) -> Optional[Finding]:
    split = [k for k in report.kernels if k.cores and k.cores.scaling.workers[-1] >= 2]
    speedups = [(k, derive.split_speedup(k.cores, len(k.cores.scaling.workers) - 1))
                for k in split]
    said = [f"{k.kernel} {k.cores.backend} {times(found)} at T={k.cores.scaling.workers[-1]}"
            for k, found in speedups if found.resolved]
    if not said:
        return None
    loaded = [k.kernel for k in split if _busy(report, k.kernel, CORES_STEP) is not None]
    return Finding("all cores", f"one call split over threads ran {join(said)} as fast as "
                                f"unsplit." + _load_note(loaded, len(split), "speedups"))


def _event_loop(report: Report) -> Optional[Finding]:
    medians: dict[str, list[float]] = {}
    for kernel in report.kernels:
        for stall in kernel.stall:
            medians.setdefault(stall.label, []).append(stall.median)
    if "idle loop" not in medians or len(medians) < 2:
        return None
    tick = report.settings.tick
    groups: dict[str, list[str]] = {}
    lags: dict[str, list[str]] = {}
    for label, values in medians.items():
        if label != "idle loop":
            said = HELD_UP if max(values) > tick else LETS_RUN
            groups.setdefault(said, []).append(label)
            lags.setdefault(said, []).extend(seconds(value) for value in values)
    text = (f"a {seconds(tick)} tick's median lag (idle "
            f"{span([seconds(v) for v in medians['idle loop']])}), kernel in "
            f"asyncio.to_thread: " + "; ".join(f"{', '.join(labels)} {said} ({span(lags[said])})"
                                             for said, labels in groups.items()) + ".")
    loaded = [k.kernel for k in report.kernels if _busy(report, k.kernel, "event loop")]
    text += _load_note(loaded, len(report.kernels), "lag")
    return Finding("event loop", text)


def _load_note(kernels: list[str], of: int, what: str) -> str:
    """Where other programs' load capped (or added to) the figures of a finding."""
    if not kernels:
        return ""
    where = EVERY_KERNEL if len(kernels) == of and of > 1 else join(kernels)
    verb = "adds to" if what == "lag" else "caps"
    return " " + LOAD_NOTE.format(verb=verb, what=what, where=where)


def _per_call(report: Report) -> Optional[Finding]:
    fixed: dict[str, list[str]] = {}
    dispatch: list[str] = []
    for kernel in report.kernels:
        for cost in kernel.costs:
            intercept = derive.line(cost).intercept
            if intercept.resolved and cost.backend in ("python", "c"):
                fixed.setdefault(cost.backend, []).append(seconds(intercept.value))
        dispatch += [seconds(found.value) for found in map(derive.dispatch_adds, kernel.dispatch)
                     if found.resolved]
    said = [f"{backend} {span(values)}" for backend, values in fixed.items()]
    text = f"{', '.join(said)} before any work" if said else ""
    if dispatch:
        text += ("; " if text else "") + f"fastkern's dispatch adds {span(dispatch)}"
    return Finding("per call", text + ".") if text else None


def _memory(report: Report) -> Optional[Finding]:
    memory = report.memory
    if memory is None:
        return None
    return Finding("memory", f"list of floats {memory.list_bytes:.3g} B/element, float64 buffer "
                             f"{memory.buffer_bytes:.3g} B/element; scattered floats sum "
                             f"{times(derive.ratio(memory.scattered, memory.in_order))} slower.")


def _gc(report: Report) -> Optional[Finding]:
    gc = report.gc
    if gc is None:
        return None
    effect = derive.gc_ratio(gc)
    pause = derive.gc_pause_share(gc)
    text = f"{gc.kernel}({gc.size}) python: "
    if sum(gc.collections) == 0:
        text += "no collection ran"
    else:
        text += f"the collector paused {seconds(gc.pause)} a call"
        if pause.resolved:
            text += f" ({fraction(pause)})"
    return Finding("gc", text + (
        f"; collector off: {times(effect)} the time." if effect.resolved else "."))


def _features(report: Report) -> Optional[Finding]:
    features = report.features
    if features is None:
        return None
    pairs = [f"{pair.feature} {times(derive.ratio(pair.feature_time, pair.plain_time))}"
             for pair in features.pairs]
    return Finding("features, x the plain way", f"{', '.join(pairs)}.")
