"""The report as rich tables on a terminal, followed by its plain-language summary."""

from __future__ import annotations

from typing import Optional

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import summary, terminal
from .formatting import LEGEND, call, count, mark, ratio, seconds, share, workload
from .report import KernelReport, Report, Timing


def timed(timing: Timing, per: int = 1) -> str:
    """A median with its stability mark, optionally per unit of work."""
    return seconds(timing.median / per) + mark(timing.stability)


def machine_line(report: Report) -> Text:
    m = report.machine
    build = "free-threaded" + (", GIL off" if m.gil_disabled else ", GIL on") \
        if m.free_threaded_build else "with GIL"
    mode = "quick pass" if report.settings.quick else "full run"
    quota = "" if m.cpu_quota is None else f" (CPU quota {m.cpu_quota:.3g} cores)"
    return Text(f"{m.cpu}, {m.usable_cores} usable cores{quota}; {m.implementation} {m.python} "
                f"({build}); {m.compiler} {m.c_flags}; Cython {m.cython}; fastkern {m.fastkern}; "
                f"{m.timestamp}; {mode} in {report.elapsed:.0f} s"
                + ("" if m.load is None else f"; load average {m.load:.2g} at start"), style="dim")


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


def ladder(report: Report) -> Table:
    backends = _backends(report)
    table = _table("The ladder: time per call on pre-converted inputs (speedup over python)",
                   "kernel", *backends)
    for kernel in report.kernels:
        cells = []
        for backend in backends:
            rung = kernel.rung(backend)
            cells.append("" if rung is None else timed(rung.time) + (
                f"\n{ratio(rung.speedup)}" if rung.speedup and backend != "python" else ""))
        table.add_row(_kernel_label(kernel), *cells)
    return table


def decomposition(report: Report) -> Table:
    names: list[str] = []
    for kernel in report.kernels:
        names += [part.name for part in kernel.parts if part.name not in names]
    table = _table("Where python's time goes (share of python's time per call)", "kernel", *names,
                   caption="interpreter and generic dispatch = python - compiled (Cython's generic "
                           "fast paths fall in it too); dynamic typing & boxing = compiled - typed; "
                           "C headroom = typed - c; remainder = c")
    for kernel in report.kernels:
        parts = {part.name: part for part in kernel.parts}
        table.add_row(call(kernel.kernel, kernel.size), *(
            f"{share(parts[n].share)} {seconds(parts[n].seconds)}{mark(parts[n].stability)}"
            if n in parts else "" for n in names))
    return table


def call_costs(report: Report) -> Table:
    table = _table("Fixed cost per call and cost per unit of work (weighted least-squares fit)",
                   "kernel", "backend", "sizes", "per call", "per unit", "R²", "dispatch adds",
                   caption="per call = the fit's intercept; a negative one means the cost per unit "
                           "grows with size (caches, a changing mix of work), not a negative cost. "
                           "dispatch adds = fastkern.<kernel>(..., backend=X) minus the raw "
                           "implementation at the smallest size, checking and converting the "
                           "arguments included")
    for kernel in report.kernels:
        dispatch = {d.backend: d for d in kernel.dispatch}
        for cost in kernel.costs:
            overhead = dispatch.get(cost.backend)
            table.add_row(kernel.kernel, cost.backend, f"{count(cost.sizes[0])}..{count(cost.sizes[-1])}",
                          seconds(cost.fit.intercept) + mark(cost.stability),
                          f"{seconds(cost.fit.slope)}/{kernel.unit}", f"{cost.fit.r2:.4f}",
                          seconds(overhead.overhead) if overhead else "")
    return table


def gil(report: Report) -> Optional[Table]:
    kernels = [k for k in report.kernels if k.gil]
    if not kernels:
        return None
    workers = sorted({t for k in kernels for s in k.gil.threads for t in s.workers})
    table = _table(f"GIL: throughput of T threads relative to T x one thread "
                   f"(os.sched_getaffinity: {kernels[0].gil.usable_cores} usable cores"
                   + ("" if report.machine.cpu_quota is None
                      else f"; CPU quota {report.machine.cpu_quota:.3g} cores") + ")",
                   "kernel", "variant", *(f"T={t}" for t in workers), "notes",
                   caption="100% = perfect scaling; 1/T = one at a time. Calls of fast backends are "
                           "made longer, so that what is measured is the GIL, not its hand-over "
                           "per call. Processes are compared "
                           "with one python thread in this process; their pool starts outside "
                           "the timed region")
    for kernel in kernels:
        rows = [(s.label, s, "" if s.size is None else f"calls of size {count(s.size)}")
                for s in kernel.gil.threads]
        pool = kernel.gil.processes
        if pool:
            note = (f"start {seconds(max(pool.startup))}; empty task {timed(pool.round_trip)}; "
                    f"with inputs ({count(pool.input_bytes)} B) {timed(pool.shipping)}")
            rows.append(("python, processes", pool.scaling, note))
        for label, scaling, note in rows:
            cells = {t: share(e) + mark(w.stability)
                     for t, e, w in zip(scaling.workers, scaling.efficiency, scaling.walls)}
            table.add_row(kernel.kernel, label, *(cells.get(t, "") for t in workers), note)
    return table


def stall(report: Report) -> Table:
    labels: list[str] = []
    for kernel in report.kernels:
        labels += [s.label for s in kernel.stall if s.label not in labels]
    table = _table(f"Event loop stall: lag of a {seconds(report.settings.tick)} asyncio tick "
                   f"while the kernel runs in asyncio.to_thread (worst / p99, ms)",
                   "backend", *(call(k.kernel, k.size) for k in report.kernels))
    for label in labels:
        cells = []
        for kernel in report.kernels:
            found = next((s for s in kernel.stall if s.label == label), None)
            cells.append("" if found is None else f"{found.worst * 1e3:.2g} / {found.p99 * 1e3:.2g}")
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
                  f"{timed(m.scattered)} ({ratio(m.scattered.median / m.in_order.median)})")]
    if report.gc:
        g = report.gc
        rows += [("gc", f"{g.kernel}({g.size}) python, collector on", timed(g.enabled)),
                 ("gc", f"{g.kernel}({g.size}) python, collector off",
                  f"{timed(g.disabled)} ({ratio(g.disabled.median / g.enabled.median)})"),
                 ("gc", "collections per call (gen 0/1/2), paused",
                  f"{'/'.join(map(str, g.collections))}, {seconds(g.pause)}")]
    if report.features:
        f = report.features
        rows.append(("python", "empty loop step", timed(f.loop)))
        for pair in f.pairs:
            rows.append(("python", f"{pair.feature} vs {pair.plain}",
                         f"{timed(pair.feature_time)} vs {timed(pair.plain_time)} "
                         f"({ratio(pair.feature_time.median / pair.plain_time.median)})"))
    if not rows:
        return None
    table = _table("Boundary, memory, garbage collection and language features", "section",
                   "what", "measured")
    for row in rows:
        table.add_row(*row)
    return table


def renderables(report: Report) -> list:
    parts = [machine_line(report), ladder(report), decomposition(report), call_costs(report),
             gil(report), stall(report), shared(report)]
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
