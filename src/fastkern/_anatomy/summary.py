"""The report in a few plain sentences: what a reader should take away."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from .formatting import call, count, ratio, seconds, share
from .report import UNSTABLE, KernelReport, Report

def sentences(report: Report) -> list[str]:
    """Every takeaway the report supports, most important first."""
    found = [*(_ladder(k) for k in report.kernels), _gil(report), _processes(report),
             _stall(report), _call_cost(report), _boundary(report), _memory(report), _gc(report),
             _features(report), _stability(report), _load(report)]
    return [sentence for sentence in found if sentence]


def _ladder(kernel: KernelReport) -> Optional[str]:
    if len(kernel.parts) < 2:
        return None
    *steps, rest = kernel.parts
    described = [f"{share(steps[0].share)} of python's time in {call(kernel.kernel, kernel.size)} "
                 f"is the {steps[0].name}"]
    described += [f"{share(part.share)} {part.name}" for part in steps[1:]]
    described.append(f"{share(rest.share)} is left in {kernel.ladder_bottom}")
    text = f"On this machine, {_join(described)}."
    fastest = max((r for r in kernel.ladder if r.backend != "python" and r.speedup),
                  key=lambda r: r.speedup, default=None)
    if fastest:
        text += f" {fastest.backend} runs it {ratio(fastest.speedup)} faster than python."
    return text


def _at_most_threads(report: Report) -> tuple[Optional[int], dict]:
    """Efficiency at the largest thread count, per variant label, across kernels."""
    by_label: dict = {}
    largest = None
    for kernel in report.kernels:
        if kernel.gil is None:
            continue
        for scaling in kernel.gil.threads:
            largest = max(scaling.workers)
            by_label.setdefault(scaling.label, []).append(scaling.efficiency[-1])
    return largest, by_label


def _gil(report: Report) -> Optional[str]:
    threads, by_label = _at_most_threads(report)
    if not threads or threads < 2 or "python" not in by_label:
        return None
    described = [f"{label} {_range(values, share)}" for label, values in by_label.items()]
    return (f"With {threads} threads calling a kernel at once, throughput relative to "
            f"{threads}x one thread is {_join(described)}: python's threads take turns "
            f"holding the GIL, the same C code with the GIL released runs side by side, and "
            f"with it held takes turns again.")


def _processes(report: Report) -> Optional[str]:
    kernels = [k for k in report.kernels if k.gil and k.gil.processes]
    if not kernels:
        return None
    pools = [k.gil.processes for k in kernels]
    workers = max(pools[0].scaling.workers)
    efficiency = [p.scaling.efficiency[-1] for p in pools]
    heaviest = max(kernels, key=lambda k: k.gil.processes.shipping.median)
    extra = heaviest.gil.processes.shipping.median - heaviest.gil.processes.round_trip.median
    return (f"{workers} worker processes running python reach {_range(efficiency, share)} of "
            f"{workers}x one thread's throughput (usable cores: {kernels[0].gil.usable_cores}); "
            f"starting them took {_range([max(p.startup) for p in pools], seconds)}, and shipping "
            f"{heaviest.kernel}'s inputs ({count(heaviest.gil.processes.input_bytes)} bytes "
            f"pickled) adds {seconds(max(extra, 0.0))} to every task.")


def _stall(report: Report) -> Optional[str]:
    worst: dict = {}
    for kernel in report.kernels:
        for stall in kernel.stall:
            worst[stall.label] = max(worst.get(stall.label, 0.0), stall.worst)
    if "python" not in worst:
        return None
    others = [f"{label} {seconds(value)}" for label, value in worst.items()
              if label not in ("idle loop", "python")]
    return (f"An asyncio loop ticking every millisecond while a kernel runs in "
            f"asyncio.to_thread is late by up to {seconds(worst['python'])} with python "
            f"(idle: {seconds(worst.get('idle loop', 0.0))}); "
            f"{_join(others)}. A kernel holding the GIL stalls every other request for a "
            f"whole call.")


def _call_cost(report: Report) -> Optional[str]:
    for kernel in report.kernels:
        fits = {cost.backend: cost.fit for cost in kernel.costs}
        if "python" in fits and "c" in fits:
            dispatch = max((d.overhead for d in kernel.dispatch if d.backend in ("typed", "c")),
                           default=None)
            text = (f"In {kernel.kernel}, a call costs {_fixed(fits['python'].intercept)} "
                    f"before any work in python and {_fixed(fits['c'].intercept)} in c; each "
                    f"{kernel.unit} then costs {seconds(fits['python'].slope)} in python and "
                    f"{seconds(fits['c'].slope)} in c.")
            if dispatch is not None:
                text += f" The dispatch layer adds about {seconds(dispatch)} per call."
            return text
    return None


def _fixed(intercept: float) -> str:
    return seconds(intercept) if intercept > 0 else "too little to resolve"


def _boundary(report: Report) -> Optional[str]:
    boundary = report.boundary
    if boundary is None:
        return None
    to_list = boundary.to_list.median / boundary.elements
    to_buffer = boundary.to_buffer.median / boundary.elements
    text = (f"Converting a float64 buffer to a list of floats costs {seconds(to_list)} per "
            f"element, and back {seconds(to_buffer)}")
    summed = next((k for k in report.kernels if k.kernel == "sum" and k.rung("c")), None)
    if summed:
        per_element = summed.rung("c").time.median / summed.work
        text += f", {ratio(to_list / per_element)} what c takes to add an element up"
    return text + "."


def _memory(report: Report) -> Optional[str]:
    memory = report.memory
    if memory is None:
        return None
    return (f"A list of floats takes {memory.list_bytes:.3g} bytes per element, a float64 "
            f"buffer {memory.buffer_bytes:.3g}; summing floats whose objects lie scattered in "
            f"memory takes {ratio(memory.scattered.median / memory.in_order.median)} the time "
            f"of the same floats allocated in order ({count(memory.elements)} elements).")


def _gc(report: Report) -> Optional[str]:
    gc = report.gc
    if gc is None:
        return None
    total = sum(gc.collections)
    return (f"The cycle collector ran {total} times during one {gc.kernel}({gc.size}) call, "
            f"pausing {seconds(gc.pause)} ({share(gc.pause / gc.enabled.median)} of the call); "
            f"with it disabled the call takes {ratio(gc.disabled.median / gc.enabled.median)} "
            f"as long.")


def _features(report: Report) -> Optional[str]:
    features = report.features
    if features is None:
        return None
    pairs = [f"{pair.feature} {seconds(pair.feature_time.median)} vs {pair.plain} "
             f"{seconds(pair.plain_time.median)}" for pair in features.pairs]
    return (f"Per operation (each including a {seconds(features.loop.median)} loop step): "
            f"{_join(pairs)}.")


def _stability(report: Report) -> str:
    timings = report.timings()
    unstable = sum(timing.spread > UNSTABLE for timing in timings)
    if not unstable:
        return f"All {len(timings)} timings have a spread below {UNSTABLE:.0%} of their median."
    return (f"{unstable} of {len(timings)} timings have a spread above {UNSTABLE:.0%} of their "
            f"median (marked !): those results may be unstable; rerun on a quieter machine.")


#: A load average per usable core above which other programs were competing for the CPUs.
BUSY = 0.25


def _load(report: Report) -> Optional[str]:
    m = report.machine
    if m.load is None or m.load <= BUSY * m.usable_cores:
        return None
    return (f"The machine was busy when the run began (1-minute load average {m.load:.2g} on "
            f"{m.usable_cores} usable cores): other programs competed for the CPUs, so thread "
            f"and process scaling are understated and timings noisier.")


def _range(values: Iterable[float], show: Callable[[float], str]) -> str:
    low, high = min(values), max(values)
    return show(low) if show(low) == show(high) else f"{show(low)}–{show(high)}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
