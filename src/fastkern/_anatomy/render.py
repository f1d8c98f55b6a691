"""The report as rich tables on a terminal, followed by its plain-language summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import derive, summary, terminal
from .figures import relative_spread
from .formatting import (LEGEND, at_once, call, count, cpus, duration, fraction, mark,
                         probe_work, ratio, seconds, times, workload)
from .model import BUSY_CPUS, CORES_STEP, KERNEL_STEPS, LATER_PASS, KernelReport, Timing
from .settings import mode

if TYPE_CHECKING:
    from .report import Report

CLOCKS = ("Clocks: the ladder, per-call fit, dispatch, boundary, memory, garbage collection and "
          "language features are timed by the thread's own CPU time (time.thread_time), which "
          "other programs barely disturb, with the cycle collector off as timeit has it (the "
          "garbage collection section times it on and off, ten calls a sample); wall time is "
          "kept beside it in the JSON. Threads, processes, one call on all cores and the event "
          "loop are about concurrency: wall time, with the workers' runnable time beside it.")


def timed(timing: Timing, per: int = 1) -> str:
    """A median with its stability mark, optionally per unit of work."""
    return seconds(timing.median / per) + mark(timing.stability)


def machine_line(report: Report) -> Text:
    m = report.machine
    build = "free-threaded" + (", GIL off" if m.gil_disabled else ", GIL on") \
        if m.free_threaded_build else "with GIL"
    repeated = "" if report.repeat == 1 else f" x {report.repeat} runs"
    quota = "" if m.cpu_quota is None else f" (CPU quota {m.cpu_quota:.3g} cores)"
    groups = "; CFS autogroups on" if m.autogroup else ""
    return Text(f"{m.cpu}, {m.usable_cores} usable cores{quota}; {m.implementation} {m.python} "
                f"({build}); {m.compiler} {m.c_flags}; Cython {m.cython}; fastkern {m.fastkern}; "
                f"{m.timestamp}; {mode(report.settings)}{repeated} in {report.elapsed:.0f} s"
                + ("" if m.load is None else f"; load average {m.load:.2g} at start") + groups,
                style="dim")


def _table(title: str, *columns: str, caption: Optional[str] = None) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", caption=caption,
                  caption_justify="left", caption_style="dim")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    return table


def _kernel_label(kernel: KernelReport) -> str:
    return f"{call(kernel.kernel, kernel.size)}\n{workload(kernel.work, kernel.unit)}"


def _backends(report: Report) -> list[str]:
    seen: list[str] = []
    for kernel in report.kernels:
        seen += [rung.backend for rung in kernel.ladder if rung.backend not in seen]
    return seen


def load(report: Report) -> Optional[Table]:
    if not report.load:
        return None
    by_label = {entry.section: entry for entry in report.load}
    steps = KERNEL_STEPS + ((CORES_STEP,) if any(k.cores for k in report.kernels) else ()) + (
        (LATER_PASS,) if summary.passes_timed(report) else ())
    table = _table("Load: CPUs other programs kept busy during each section (/proc/stat minus "
                   "this process and its workers)", "kernel or section", *steps,
                   caption=f"{BUSY_CPUS:g} or more caps the wall-clock figures of that section "
                           "(threads, processes, event loop): they get fewer CPUs than they "
                           "could use. Thread-CPU figures are not capped, but contention for "
                           "shared caches and cores still slows this thread's own work, "
                           "interpreted rungs most."
                           + (" With CFS autogroups on, each busy session gets an equal share "
                              "of the CPUs, whatever its number of threads."
                              if report.machine.autogroup else "") + _steadiness(report))
    for kernel in report.kernels:
        table.add_row(kernel.kernel, *(cpus(by_label[f"{kernel.kernel}: {step}"].others)
                                       if f"{kernel.kernel}: {step}" in by_label else ""
                                       for step in steps))
    for entry in report.load:
        if ":" not in entry.section:
            table.add_row(entry.section, cpus(entry.others))
    return table


def _steadiness(report: Report) -> str:
    found = derive.speed_range([entry.reference for entry in report.load])
    if found is None:
        return ""
    least, largest = found
    return (f" The machine's own speed: {probe_work(report.settings.speed_loops)}, "
            f"timed by thread CPU time after each section, took {seconds(least)} to "
            f"{seconds(largest)} ({ratio(largest / least)} the least).")


def ladder(report: Report) -> Table:
    backends = _backends(report)
    spread_over = summary.passes_timed(report)
    method = summary.passes_method(spread_over) if spread_over else None
    caption = method[0].upper() + method[1:] + "." if method else None
    table = _table("The ladder: thread CPU time per call on pre-converted inputs "
                   "(speedup over python)", "kernel", *backends, caption=caption)
    for kernel in report.kernels:
        cells = []
        for backend in backends:
            rung = kernel.rung(backend)
            found = derive.speedup(kernel, backend)
            change = None if rung is None else derive.moved(rung)
            cells.append("" if rung is None else timed(rung.time) + (
                f"\n{times(found)}" if found and backend != "python" else "") + (
                f"\npasses {ratio(1 + change)}" if change is not None else ""))
        table.add_row(_kernel_label(kernel), *cells)
    return table


def absent(report: Report) -> Optional[Text]:
    """What was not timed and why, each reason once per kernel with the rungs it applies to."""
    lines = []
    for kernel in report.kernels:
        reasons: dict[str, list[str]] = {}
        for name, reason in kernel.absent:
            reasons.setdefault(reason, []).append(name)
        lines += [f"{kernel.kernel}: {', '.join(names)} not timed: {reason}"
                  for reason, names in reasons.items()]
    return Text("\n".join(lines), style="yellow") if lines else None


def decomposition(report: Report) -> Table:
    names: list[str] = []
    found = {kernel.kernel: derive.parts(kernel) for kernel in report.kernels}
    for parts in found.values():
        names += [part.name for part in parts if part.name not in names]
    table = _table("Where python's time goes (share of python's time per call)", "kernel", *names,
                   caption="interpreter and generic dispatch = python - compiled (Cython's generic "
                           "fast paths fall in it too); dynamic typing & boxing = compiled - typed "
                           "(- annotated, for your own function); "
                           "C headroom = typed - c; remainder = c. Each share is computed round by "
                           "round; shown only if its interquartile interval fits in 0..100%")
    for kernel in report.kernels:
        parts = {part.name: part for part in found[kernel.kernel]}
        table.add_row(call(kernel.kernel, kernel.size), *(
            (f"{fraction(parts[n].share)} {seconds(parts[n].seconds.value)}"
             if parts[n].share.resolved else fraction(parts[n].share))
            if n in parts else "" for n in names))
    return table


def call_costs(report: Report) -> Table:
    table = _table("Fixed cost per call and cost per unit of work (weighted least-squares fit, "
                   "thread CPU time)", "kernel", "backend", "sizes", "per call", "per unit", "R²",
                   "dispatch adds",
                   caption="per call = the fit's intercept, per unit its slope; the largest size of "
                           "each backend does at least 100x its per-call cost in work. An intercept "
                           "below 0 beyond noise means the cost per unit grows with size (caches, a "
                           "changing mix of work), not a negative cost. dispatch "
                           "adds = fastkern.<kernel>(..., backend=X) minus the raw implementation "
                           "at the smallest size, checking and converting the arguments included. "
                           "Intervals: the same fit or difference made round by round")
    for kernel in report.kernels:
        dispatch = {d.backend: d for d in kernel.dispatch}
        for cost in kernel.costs:
            fitted = derive.line(cost)
            overhead = dispatch.get(cost.backend)
            table.add_row(kernel.kernel, cost.backend,
                          f"{count(cost.sizes[0])}..{count(cost.sizes[-1])}",
                          duration(fitted.intercept),
                          duration(fitted.slope) + (f"/{kernel.unit}" if fitted.slope.resolved
                                                    else ""),
                          f"{fitted.r2:.4f}",
                          duration(derive.dispatch_adds(overhead)) if overhead else "")
    return table


def gil(report: Report) -> Optional[Table]:
    kernels = [k for k in report.kernels if k.gil]
    if not kernels:
        return None
    workers = sorted({t for k in kernels for s in k.gil.threads for t in s.workers})
    runnable = report.machine.schedstat
    table = _table(f"GIL: throughput of T threads relative to T x one thread, and threads "
                   f"runnable at once (os.sched_getaffinity: {kernels[0].gil.usable_cores} usable "
                   f"cores" + ("" if report.machine.cpu_quota is None
                               else f"; CPU quota {report.machine.cpu_quota:.3g} cores") + ")",
                   "kernel", "variant", *(f"T={t}" for t in workers), "notes",
                   caption="Each cell: throughput efficiency (wall clock; 100% = perfect scaling, "
                           "1/T = one at a time), then threads runnable at once (summed on-CPU "
                           "and run-queue time over wall time: ~T when the code lets T threads "
                           "run, ~1 when the GIL serialises them, whatever else the machine "
                           "runs). Calls of fast backends are made longer. Processes are "
                           "compared with one python thread in this process; their pool starts "
                           "outside the timed region"
                           if runnable else
                           "Throughput efficiency only (wall clock): this system does not report "
                           "threads' runnable time (no /proc/self/task/<tid>/schedstat), so load "
                           "from other programs cannot be told from the GIL here")
    if report.machine.gil_disabled:
        table.caption += (". This interpreter runs without a GIL (free-threaded): '(GIL held)' "
                          "is release_gil=False, which keeps the calling thread attached to the "
                          "interpreter and does not stop other threads")
    for kernel in kernels:
        rows = [(s.label, s, "" if s.size is None else f"calls of size {count(s.size)}")
                for s in kernel.gil.threads]
        pool = kernel.gil.processes
        if pool:
            note = (f"start {seconds(pool.startup)}; empty task {timed(pool.round_trip)}; "
                    f"with inputs ({count(pool.input_bytes)} B) {timed(pool.shipping)}")
            rows.append(("python, processes", pool.scaling, note))
        for label, scaling, note in rows:
            cells = {}
            for index, t in enumerate(scaling.workers):
                text = fraction(derive.efficiency(scaling, index))
                busy = derive.runnable(scaling, index)
                if busy is not None:
                    text += f"\n{at_once(busy, t)} at once"
                cells[t] = text
            table.add_row(kernel.kernel, label, *(cells.get(t, "") for t in workers), note)
    return table


def cores(report: Report) -> Optional[Table]:
    kernels = [k for k in report.kernels if k.cores]
    if not kernels:
        return None
    counts = sorted({t for k in kernels for t in k.cores.scaling.workers})
    table = _table("One call, all cores: one call split over T threads (threads=T), against "
                   "the same call unsplit", "kernel", *(f"T={t}" for t in counts),
                   "serial fraction (Amdahl)",
                   caption="Each cell: speedup over T=1 and throughput efficiency (wall clock), "
                           "then the call's threads runnable at once (the caller's and the "
                           "team's summed on-CPU and run-queue time over wall time: ~T when all "
                           "T threads work, less where they wait for each other, whatever else "
                           "the machine runs); for sum and dot, the bandwidth read beside T "
                           "threads copying memory (bytes read + written) in the same rounds. "
                           "Serial fraction: Amdahl's law fitted to the speedups of T >= 2.")
    for kernel in kernels:
        found = kernel.cores
        cells = {}
        for index, t in enumerate(found.scaling.workers):
            text = (f"{times(derive.split_speedup(found, index))} "
                    f"{fraction(derive.efficiency(found.scaling, index))}")
            busy = derive.split_runnable(found, index)
            if busy is not None:
                text += f"\n{at_once(busy, t)} at once"
            if found.bytes_read is not None:
                read = derive.bandwidth(found.bytes_read, found.scaling.walls[index])
                copy = derive.bandwidth(found.copy_bytes, found.copies[index])
                text += (f"\n{read.value / 1e9:.3g} GB/s vs copy {copy.value / 1e9:.3g} "
                         f"({times(derive.of_copy_bandwidth(found, index))})")
            cells[t] = text
        table.add_row(f"{call(kernel.kernel, found.size)}\n{found.backend}",
                      *(cells.get(t, "") for t in counts), fraction(derive.serial_fraction(found)))
    return table


def stall(report: Report) -> Table:
    labels: list[str] = []
    for kernel in report.kernels:
        labels += [s.label for s in kernel.stall if s.label not in labels]
    table = _table(f"Event loop stall: lag of a {seconds(report.settings.tick)} asyncio tick "
                   f"while the kernel runs in asyncio.to_thread (worst, then median; p99 in "
                   f"the JSON; wall clock)",
                   "backend", *(call(k.kernel, k.size) for k in report.kernels))
    for label in labels:
        cells = []
        for kernel in report.kernels:
            found = next((s for s in kernel.stall if s.label == label), None)
            cells.append("" if found is None else f"{seconds(found.worst)}\n{seconds(found.median)}")
        table.add_row(label, *cells)
    return table


def shared(report: Report) -> Optional[Table]:
    rows = []
    if report.boundary:
        b = report.boundary
        rows += [("boundary", "float64 buffer -> list of floats", timed(b.to_list, b.elements) + "/element"),
                 ("boundary", "list of floats -> float64 buffer", timed(b.to_buffer, b.elements) + "/element")]
    if report.memory:
        m = report.memory
        rows += [("memory", "list of floats (list + float objects)", f"{m.list_bytes:.3g} B/element"),
                 ("memory", "float64 buffer", f"{m.buffer_bytes:.3g} B/element"),
                 ("memory", f"python sum, floats allocated in order ({count(m.elements)})",
                  timed(m.in_order)),
                 ("memory", "python sum, same floats allocated scattered",
                  f"{timed(m.scattered)} ({times(derive.ratio(m.scattered, m.in_order))})")]
    if report.gc:
        g = report.gc
        rows += [("gc", f"{g.kernel}({g.size}) python, collector on", timed(g.enabled)),
                 ("gc", f"{g.kernel}({g.size}) python, collector off",
                  f"{timed(g.disabled)} ({times(derive.gc_ratio(g))})"),
                 ("gc", "collections per call (gen 0/1/2), paused",
                  f"{'/'.join(f'{c:.3g}' for c in g.collections)}, {seconds(g.pause)} "
                  f"({fraction(derive.gc_pause_share(g))} of the call)")]
    if report.features:
        f = report.features
        rows.append(("python", "empty loop step", timed(f.loop)))
        for pair in f.pairs:
            rows.append(("python", f"{pair.feature} vs {pair.plain}",
                         f"{timed(pair.feature_time)} vs {timed(pair.plain_time)} "
                         f"({times(derive.ratio(pair.feature_time, pair.plain_time))})"))
    if not rows:
        return None
    table = _table("Boundary, memory, garbage collection and language features (thread CPU time)",
                   "section", "what", "measured")
    for row in rows:
        table.add_row(*row)
    return table


def repeats(report: Report) -> Optional[Table]:
    if report.repeat < 2 or not report.spread:
        return None
    table = _table(f"Run to run: each figure in each of {report.repeat} interleaved runs "
                   f"(spread = (largest - smallest) / median, as a ratio)", "figure",
                   *(f"run {i + 1}" for i in range(report.repeat)), "spread")
    for entry in report.spread:
        spread = relative_spread(entry.values)
        table.add_row(entry.key, *("-" if v is None else f"{v:.4g}" for v in entry.values),
                      "-" if spread is None else f"{spread:.2g}")
    return table


def renderables(report: Report) -> list:
    parts = [machine_line(report), Text(CLOCKS, style="dim"), load(report), ladder(report),
             absent(report), decomposition(report), call_costs(report), gil(report),
             cores(report), stall(report),
             shared(report), repeats(report)]
    points = Text("\n".join(f"• {s}" for s in summary.sentences(report)))
    return [part for part in parts if part is not None] + [
        Text("Summary", style="bold"), points, Text(LEGEND, style="dim")]


def render(report: Report, console: Optional[Console] = None) -> None:
    """Print the whole report, fitted to the console's width (see :mod:`.terminal`)."""
    console = console or terminal.console()
    for part in renderables(report):
        for piece in terminal.fitted(part, console):
            console.print(piece)
            console.print()
