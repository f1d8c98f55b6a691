"""The report in a few plain sentences, each generated from the figures its tables show.

A sentence states only resolved figures, formatted exactly as in the tables; where a
section could not be resolved it says so, and what would help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from . import derive
from .figures import figures
from .formatting import (at_once, call, count, cpus, fraction, join, part_share, probe_work,
                         ratio, seconds, span, times)
from .findings import SIDE_BY_SIDE, verdict
from .model import CORES_STEP, UNSTABLE, KernelReport, Scaling

if TYPE_CHECKING:
    from .report import Report

ADVICE = "close other programs or rerun with --repeat 3"
#: Threads all on a CPU at once whose throughput efficiency is below this beyond noise
#: slowed each other down.
CONTENDED = 0.75


def sentences(report: Report) -> list[str]:
    """Every takeaway the report supports, most important first."""
    found = [_load(report), _steadiness(report), *(_ladder(k) for k in report.kernels),
             _passes(report), _no_gil(report), _gil(report),
             _cores(report), _processes(report), _stall(report), _call_cost(report), _boundary(report),
             _memory(report), _gc(report), _features(report), _stability(report),
             _unresolved(report)]
    return [sentence for sentence in found if sentence]


def _ladder(kernel: KernelReport) -> Optional[str]:
    parts = derive.parts(kernel)
    if len(parts) < 2:
        return None
    *steps, rest = parts
    described = [f"{part_share(p)} {p.name}" for p in steps]
    described.append(f"{part_share(rest)} is left in {kernel.ladder_bottom}")
    text = f"Of python's time in {call(kernel.kernel, kernel.size)}, {join(described)}."
    slower = [p.name for p in steps if p.share.high < 0]
    if slower:
        text += f" A share below 0 ({join(slower)}): the lower rung is slower there."
    best = derive.fastest(kernel)
    if best:
        text += f" {best[0]} runs it {times(best[1])} faster than python."
    return text


def apart(seconds_apart: Sequence[float]) -> str:
    """How far apart the ladder's passes were timed, as a range of seconds."""
    return span([seconds(value) for value in seconds_apart])


def passes_timed(report: Report) -> list[KernelReport]:
    """The kernels whose ladder was timed in more than one pass."""
    return [k for k in report.kernels if k.passes is not None and k.passes.count > 1]


def passes_method(kernels: Sequence[KernelReport]) -> str:
    """How the kernels' ladders were timed, in words."""
    counts = sorted({k.passes.count for k in kernels})
    count = counts[-1]
    fresh = [k.kernel for k in kernels if k.passes.fresh == k.passes.count - 1]
    here = {}
    for kernel in kernels:
        if kernel.passes.why_not_fresh:
            here.setdefault(kernel.passes.why_not_fresh, []).append(kernel.kernel)
    where = "each later one in a fresh interpreter" if not here else "; ".join(
        ([f"each later one in a fresh interpreter for {join(fresh)}"] if fresh else [])
        + [f"later ones in this process for {join(names)}, since {why}"
           for why, names in here.items()])
    left_out = (f", leaving out the fastest and the slowest of a rung's passes where it has "
                f"{derive.TRIMMED} or more" if count >= derive.TRIMMED else "")
    number = str(count) if len(counts) == 1 else f"{counts[0]} to {count}"
    return (f"each rung pools {number} passes, the first in the kernel's section and the later "
            f"ones at the end of the run ({where}), the last "
            f"{apart([k.passes.apart for k in kernels])} after the first; a rung is marked "
            f"\"passes\" where two of them read more than {derive.MOVED:.0%} apart, the middle "
            f"halves of their rounds not overlapping{left_out}")


def _passes(report: Report) -> Optional[str]:
    timed = passes_timed(report)
    if not timed:
        return None
    found = [f"{rung.backend} {call(k.kernel, k.size)}: {ratio(1 + change)}"
             for k in timed for rung, change in derive.moved_rungs(k)]
    if not found:
        return None
    rungs = sum(len(k.ladder) for k in timed)
    return (f"{len(found)} of {rungs} rungs read more than {derive.MOVED:.0%} apart in two "
            f"of their passes ({join(found)}, slower pass over faster): that work ran at "
            f"another speed in one pass than in another. Their times pool all passes, so "
            f"their spread carries the move; speedups and shares, taken round by round, "
            f"cancel what moved in step with the other rungs: {ADVICE}.")


def _largest(scaling: Scaling) -> int:
    return len(scaling.workers) - 1


def _contended(scaling: Scaling) -> bool:
    """Whether T threads were all on a CPU at once (not merely runnable: a wait for a CPU,
    a wake-up included, is not contention) yet well below T times one thread's throughput."""
    last = _largest(scaling)
    running, efficiency = derive.on_cpu(scaling, last), derive.efficiency(scaling, last)
    return (running is not None and running.resolved and efficiency.resolved
            and running.low >= scaling.workers[last] - SIDE_BY_SIDE
            and efficiency.high < CONTENDED)


def _no_gil(report: Report) -> Optional[str]:
    """On a free-threaded interpreter, what the GIL section's '(GIL held)' means there."""
    if not report.machine.gil_disabled or not any(k.gil and k.gil.threads for k in report.kernels):
        return None
    return ("This interpreter runs without a GIL (free-threaded), so '(GIL held)' only keeps "
            "the calling thread attached: it does not stop other threads.")


def _gil(report: Report) -> Optional[str]:
    kernels = [k for k in report.kernels if k.gil and k.gil.threads]
    if not kernels:
        return None
    scalings = [s for k in kernels for s in k.gil.threads]
    workers = max(s.workers[-1] for s in scalings)
    if workers < 2:
        return None
    capped = _busiest(report, "threads")
    if report.machine.schedstat:
        values: dict = {}
        verdicts: dict = {}
        unresolved = []
        contended: dict = {}
        for kernel in kernels:
            loaded = _busy_during(report, kernel.kernel, "threads")
            for scaling in kernel.gil.threads:
                if scaling.workers[-1] != workers:
                    continue
                found = derive.runnable(scaling, _largest(scaling))
                if found is None or not found.resolved:
                    unresolved.append(scaling.label)
                    continue
                values.setdefault(scaling.label, []).append(at_once(found, workers))
                verdicts.setdefault(scaling.label, set()).add(
                    verdict(scaling, _largest(scaling), loaded))
                if not loaded and _contended(scaling):
                    contended.setdefault(scaling.label, []).append(
                        fraction(derive.efficiency(scaling, _largest(scaling))))
        groups: dict = {}
        for label, found in verdicts.items():
            said = found.pop() if len(found) == 1 else "differed between kernels"
            groups.setdefault(said, []).append(label)
        described = [f"{label} {span(shown)}" for label, shown in values.items()]
        text = (f"With {workers} threads calling a kernel at once, the threads runnable at once "
                f"were {join(described)}: " + "; ".join(
                    f"{join(labels)} {said}" for said, labels in groups.items())
                + ".") if described else ""
        if contended:
            text += (f" Yet {join([f'{label} reached {span(shown)}' for label, shown in contended.items()])}"
                     f" of {workers} times one thread's throughput: running at once, the threads "
                     f"slowed each other down (contending for caches, memory bandwidth or a "
                     f"shared object's "
                     + ("reference count, which a free-threaded interpreter updates atomically"
                        if report.machine.gil_disabled else "lock or reference count") + ").")
        if unresolved:
            text += (f" Runnable threads for {join(_unique(unresolved))} are not resolved: "
                     f"{ADVICE}.")
        if capped is not None:
            text += (f" Other programs kept {cpus(capped)} CPUs busy meanwhile, so throughput "
                     f"scaling is capped by load; runnable threads are not.")
        return text.strip()
    efficiency = {}
    for scaling in scalings:
        found = derive.efficiency(scaling, _largest(scaling))
        if found.resolved:
            efficiency.setdefault(scaling.label, []).append(fraction(found))
    text = (f"With {workers} threads, throughput relative to {workers} times one thread was "
            + join([f"{label} {span(shown)}" for label, shown in efficiency.items()]) + ". "
            if efficiency else "")
    text += ("This system does not report runnable time, so these figures cannot tell the GIL "
             "from other programs' load" + ("" if capped is None else
                                            f" (others kept {cpus(capped)} CPUs busy)") + ".")
    return text


def _cores(report: Report) -> Optional[str]:
    """One call split over the most threads measured, kernel by kernel."""
    kernels = [k for k in report.kernels if k.cores and k.cores.scaling.workers[-1] >= 2]
    if not kernels:
        return None
    said = []
    for kernel in kernels:
        found = kernel.cores
        last = len(found.scaling.workers) - 1
        speedup, efficiency = derive.split_speedup(found, last), derive.efficiency(found.scaling, last)
        busy = derive.split_runnable(found, last)
        text = f"{call(kernel.kernel, found.size)} on {found.backend} " + (
            f"ran {times(speedup)} as fast as unsplit ({fraction(efficiency)} efficiency"
            if efficiency.resolved else f"scaled by a figure not resolved ({efficiency.reason}")
        if busy is not None:
            text += f", {at_once(busy, found.scaling.workers[-1])} threads runnable at once"
        serial = derive.serial_fraction(found)
        text += (f"; serial fraction {fraction(serial)}" if serial.resolved
                 else f"; serial fraction not resolved ({serial.reason})") + ")"
        share = derive.of_copy_bandwidth(found, last)
        if share is not None:
            read = derive.bandwidth(found.bytes_read, found.scaling.walls[last])
            text += (f", reading {read.value / 1e9:.3g} GB/s, {times(share)} the bandwidth of "
                     f"the same threads copying memory")
        said.append(text)
    workers = max(k.cores.scaling.workers[-1] for k in kernels)
    text = f"One call split over {workers} threads (threads={workers}): {'; '.join(said)}."
    capped = _busiest(report, CORES_STEP)
    if capped is not None:
        text += (f" Other programs kept {cpus(capped)} CPUs busy meanwhile, so speedups are "
                 f"capped by load; runnable threads are not.")
    return text


def _processes(report: Report) -> Optional[str]:
    kernels = [k for k in report.kernels if k.gil and k.gil.processes]
    if not kernels:
        return None
    pools = [k.gil.processes for k in kernels]
    workers = max(pools[0].scaling.workers)
    efficiency = [derive.efficiency(p.scaling, _largest(p.scaling)) for p in pools]
    resolved = [fraction(e) for e in efficiency if e.resolved]
    text = (f"{workers} worker processes running python reached {span(resolved)} of {workers} "
            f"times one thread's throughput" if resolved else
            f"The throughput of {workers} worker processes is not resolved ({ADVICE})")
    capped = _busiest(report, "processes")
    if capped is not None:
        text += f", capped by other programs keeping {cpus(capped)} CPUs busy"
    heaviest = max(kernels, key=lambda k: k.gil.processes.shipping.median)
    pool = heaviest.gil.processes
    return (text + f"; starting them took {span([seconds(p.startup) for p in pools])}, "
            f"and a task carrying {heaviest.kernel}'s inputs ({count(pool.input_bytes)} B "
            f"pickled) took {seconds(pool.shipping.median)} against "
            f"{seconds(pool.round_trip.median)} for an empty one.")


def _stall(report: Report) -> Optional[str]:
    medians: dict = {}
    for kernel in report.kernels:
        for stall in kernel.stall:
            medians.setdefault(stall.label, []).append(stall.median)
    if "python" not in medians or "idle loop" not in medians:
        return None
    shown = {label: span([seconds(v) for v in values]) for label, values in medians.items()}
    others = [f"{label} {found}" for label, found in shown.items()
              if label not in ("idle loop", "python")]
    text = (f"An asyncio loop ticking every {seconds(report.settings.tick)} while a kernel runs "
            f"in asyncio.to_thread was late by a median {shown['python']} with python "
            f"(idle loop: {shown['idle loop']})" + (f"; {join(others)}" if others else "")
            + ".")
    capped = _busiest(report, "event loop")
    if capped is not None:
        text += f" Other programs kept {cpus(capped)} CPUs busy meanwhile, which adds lag too."
    return text


def _call_cost(report: Report) -> Optional[str]:
    for kernel in report.kernels:
        fits = {cost.backend: derive.line(cost) for cost in kernel.costs}
        if "python" not in fits or "c" not in fits:
            continue
        said = []
        for backend in ("python", "c"):
            fit = fits[backend]
            if fit.intercept.resolved:
                said.append(f"a {backend} call costs {seconds(fit.intercept.value)} before any work")
            if fit.slope.resolved:
                said.append(f"each {kernel.unit} costs {seconds(fit.slope.value)} in {backend}")
        adds = [(d.backend, derive.dispatch_adds(d)) for d in kernel.dispatch
                if d.backend in ("typed", "c")]
        adds = [(b, e) for b, e in adds if e.resolved]
        if adds:
            said.append("the dispatch layer adds " + join(
                [f"{seconds(e.value)} to {b}" for b, e in adds]) + " per call")
        if said:
            return f"In {kernel.kernel}, {join(said)}."
        return f"The fixed and per-{kernel.unit} costs of {kernel.kernel} are not resolved: {ADVICE}."
    return None


def _boundary(report: Report) -> Optional[str]:
    boundary = report.boundary
    if boundary is None:
        return None
    return (f"Converting a float64 buffer to a list of floats costs "
            f"{seconds(boundary.to_list.median / boundary.elements)} per element, and back "
            f"{seconds(boundary.to_buffer.median / boundary.elements)}.")


def _memory(report: Report) -> Optional[str]:
    memory = report.memory
    if memory is None:
        return None
    scattered = derive.ratio(memory.scattered, memory.in_order)
    return (f"A list of floats takes {memory.list_bytes:.3g} bytes per element, a float64 "
            f"buffer {memory.buffer_bytes:.3g}; summing floats whose objects lie scattered in "
            f"memory takes {times(scattered)} the time of the same floats allocated in order.")


def _gc(report: Report) -> Optional[str]:
    gc = report.gc
    if gc is None:
        return None
    total = sum(gc.collections)
    effect = derive.gc_ratio(gc)
    pause = derive.gc_pause_share(gc)
    text = (f"The cycle collector ran {total:.3g} times per {gc.kernel}({gc.size}) call, "
            f"pausing {seconds(gc.pause)}"
            + (f" ({fraction(pause)} of the call)" if pause.resolved else "") + "; ")
    if effect.resolved:
        return text + f"with it disabled the call takes {times(effect)} as long."
    return text + f"the effect of disabling it is {times(effect)}: {ADVICE}."


def _features(report: Report) -> Optional[str]:
    features = report.features
    if features is None:
        return None
    pairs = [f"{pair.feature} {seconds(pair.feature_time.median)} vs {pair.plain} "
             f"{seconds(pair.plain_time.median)}" for pair in features.pairs]
    return (f"Per operation (each including a {seconds(features.loop.median)} loop step): "
            f"{join(pairs)}.")


def _stability(report: Report) -> Optional[str]:
    timings = report.timings()
    unstable = sum(timing.spread > UNSTABLE for timing in timings)
    if not unstable:
        return None
    return (f"{unstable} of {len(timings)} timings vary by more than {UNSTABLE:.0%} between "
            f"samples (marked !): {ADVICE}.")


def _unresolved(report: Report) -> Optional[str]:
    found = figures(report)
    missing = [f for f in found if not f.estimate.resolved]
    if not missing:
        return None
    return (f"{len(missing)} of {len(found)} figures are not resolved (marked so in the "
            f"tables, with the reason): {ADVICE}.")


def _busy_during(report: Report, kernel: str, step: str) -> bool:
    """Whether other programs made ``kernel``'s ``step`` busy."""
    return any(entry.busy for entry in report.load if entry.section == f"{kernel}: {step}")


def _busiest(report: Report, step: str) -> Optional[float]:
    """The most CPUs others kept busy during a busy ``step`` of any kernel, or None."""
    loads = [entry for entry in report.load if entry.section.endswith(f": {step}") and entry.busy]
    return max((entry.others for entry in loads), default=None)


def _load(report: Report) -> Optional[str]:
    loads = [entry for entry in report.load if entry.busy]
    if not loads:
        return None
    most = max(entry.others for entry in loads)
    groups = (" With CFS autogroups on, a busy program in another session caps all of this "
              "run's threads together at its share." if report.machine.autogroup else "")
    return (f"Other programs kept up to {cpus(most)} CPUs busy during {len(loads)} of "
            f"{len(report.load)} sections ({report.machine.usable_cores} usable cores): "
            f"throughput of threads and processes and event-loop lag are capped by it there; "
            f"the single-thread figures use thread CPU time, which leaves out the others' time "
            f"but not their contention for shared caches and cores, which slows interpreted "
            f"rungs most: a run on a quieter machine shows by how much.{groups}")


def _steadiness(report: Report) -> Optional[str]:
    """Said only when the machine's own speed moved beyond :data:`.derive.UNSTEADY`."""
    readings = [entry.reference for entry in report.load]
    if not derive.unsteady(readings):
        return None
    least, largest = derive.speed_range(readings)
    return (f"The machine's own speed moved during this run: "
            f"{probe_work(report.settings.speed_loops)} took {seconds(least)} to "
            f"{seconds(largest)} of thread CPU time between sections ({ratio(largest / least)} "
            f"the least), from something no clock here sees (the CPU's frequency, other "
            f"virtual machines on the host); absolute times can be off by that much, while "
            f"speedups, shares and efficiencies, measured round by round, cancel most of it: "
            f"rerun when the machine is steadier, or with --repeat 3 to see how far figures "
            f"move between runs.")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
