"""The report on a terminal: its findings, the tables they come from, and how it was measured.

The default report is short: findings first, condensed tables, a few lines of method.
``explain=True`` (``fastkern report --explain``) adds the load table, the full per-call
and GIL tables, every caption in full and the clocks in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import derive
from .._report import terminal
from .figures import figures, relative_spread
from .findings import findings
from .._report.numbers import (REASON_MARKS, brief, count, duration, fraction, join, legend_of,
                               mark, ratio, seconds, span, times)
from .formatting import at_once, call, cpus, part_share, probe_work, workload
from .._report.figure import UNSTABLE
from .model import BUSY_CPUS, CORES_STEP, KERNEL_STEPS, LATER_PASS, KernelReport, Timing
from .settings import mode
from .._rungs import BY_NAME, STEPS, WRAPPING, position

if TYPE_CHECKING:
    from .report import Report

#: Marks a rung whose passes read apart (see :func:`.derive.moved`); --explain says how far.
MOVED_MARK = "*"

CLOCKS = ("Clocks: the ladder, per-call fit, dispatch, boundary, memory, garbage collection and "
          "language features are timed by the thread's own CPU time (time.thread_time), which "
          "other programs barely disturb, with the cycle collector off as timeit has it (the "
          "garbage collection section times it on and off, ten calls a sample); wall time is "
          "kept beside it in the JSON. Threads, processes, one call on all cores and the event "
          "loop are about concurrency: wall time, with the workers' runnable time beside it.")


def timed(timing: Timing, per: int = 1) -> str:
    """A median with its stability mark, optionally per unit of work."""
    return seconds(timing.median / per) + mark(timing.stability)


def machine_line(report: Report, explain: bool = False) -> Text:
    """What ran the report: the CPU, the interpreter, the build (its flags with
    ``explain``), the settings and when."""
    m = report.machine
    build = "free-threaded" + (", GIL off" if m.gil_disabled else ", GIL on") \
        if m.free_threaded_build else "with GIL"
    repeated = "" if report.repeat == 1 else f" x {report.repeat} runs"
    quota = "" if m.cpu_quota is None else f" (CPU quota {m.cpu_quota:.3g} cores)"
    groups = "; CFS autogroups on" if m.autogroup else ""
    return Text(f"{m.cpu}, {m.usable_cores} usable cores{quota}; {m.implementation} {m.python} "
                f"({build}); " + (f"{m.compiler} {m.c_flags}; Cython {m.cython}; " if explain else "")
                + f"fastkern {m.fastkern}; "
                f"{m.timestamp}; {mode(report.settings)}{repeated} in {report.elapsed:.0f} s"
                + ("" if m.load is None else f"; load average {m.load:.2g} at start") + groups,
                style="dim")


def _table(title: str, *columns: str, caption: Optional[str] = None) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", caption=caption,
                  caption_justify="left", caption_style="dim", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    return table


def _header(name: str) -> str:
    """A long column name broken into two balanced lines, so a narrow terminal needs no third."""
    if len(name) <= 12 or " " not in name:
        return name
    spaces = [index for index, char in enumerate(name) if char == " "]
    cut = min(spaces, key=lambda index: abs(2 * index - len(name)))
    return name[:cut] + "\n" + name[cut + 1:]


def _kernel_label(kernel: KernelReport) -> str:
    return f"{call(kernel.kernel, kernel.size)}\n{workload(kernel.work, kernel.unit)}"


def _backends(report: Report) -> list[str]:
    """The backends on any kernel's ladder, in ladder order."""
    seen: list[str] = []
    for kernel in report.kernels:
        seen += [rung.backend for rung in kernel.ladder if rung.backend not in seen]
    return sorted(seen, key=position)


def load(report: Report) -> Optional[Table]:
    if not report.load:
        return None
    by_label = {entry.section: entry for entry in report.load}
    steps = KERNEL_STEPS + ((CORES_STEP,) if any(k.cores for k in report.kernels) else ()) + (
        (LATER_PASS,) if any(e.section.endswith(LATER_PASS) for e in report.load) else ())
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


#: The machine's speed probe over a run: its least and largest reading, and their ratio.
SPEED_RANGE = "took {least} to {largest} ({ratio} the least)"
#: Where the ladder's later passes ran.
FRESH = "each later one in a fresh interpreter"
IN_PROCESS = "later ones in this process for {kernels}, since {why}"
TRIMMED = "leaving out the fastest and the slowest of a rung's passes where it has {count} or more"
#: Other programs' load during the run.
OTHERS_BUSY = "Other programs kept up to {cpus} CPUs busy during {busy} of {sections} sections"


def _speed_range(least: float, largest: float) -> str:
    return SPEED_RANGE.format(least=seconds(least), largest=seconds(largest),
                              ratio=ratio(largest / least))


def _steadiness(report: Report) -> str:
    found = derive.speed_range([entry.reference for entry in report.load])
    if found is None:
        return ""
    least, largest = found
    return (f" The machine's own speed: {probe_work(report.settings.speed_loops)}, "
            f"timed by thread CPU time after each section, {_speed_range(least, largest)}.")


def apart(seconds_apart: Sequence[float]) -> str:
    """How far apart the ladder's passes were timed, as a range of seconds."""
    return span([seconds(value) for value in seconds_apart])


def passes_timed(report: Report) -> list[KernelReport]:
    """The kernels whose ladder was timed in more than one pass."""
    return [k for k in report.kernels if k.passes is not None and k.passes.count > 1]


def pass_counts(kernels: Sequence[KernelReport]) -> str:
    """How many passes the kernels' ladders pooled: "3", or "3 to 7"."""
    counts = sorted({k.passes.count for k in kernels})
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"


def passes_method(kernels: Sequence[KernelReport]) -> str:
    """How the kernels' ladders were timed, in words."""
    count = max(k.passes.count for k in kernels)
    fresh = [k.kernel for k in kernels if k.passes.fresh == k.passes.count - 1]
    here = {}
    for kernel in kernels:
        if kernel.passes.why_not_fresh:
            here.setdefault(kernel.passes.why_not_fresh, []).append(kernel.kernel)
    where = FRESH if not here else "; ".join(
        ([f"{FRESH} for {join(fresh)}"] if fresh else [])
        + [IN_PROCESS.format(kernels=join(names), why=why) for why, names in here.items()])
    left_out = ", " + TRIMMED.format(count=derive.TRIMMED) if count >= derive.TRIMMED else ""
    return (f"each rung pools {pass_counts(kernels)} passes, the first in the kernel's section and the later "
            f"ones at the end of the run ({where}), the last "
            f"{apart([k.passes.apart for k in kernels])} after the first; a rung is marked "
            f"\"passes\" where two of them read more than {derive.MOVED:.0%} apart, the middle "
            f"halves of their rounds not overlapping{left_out}")


def passes_note(report: Report) -> Optional[str]:
    """How the ladder's passes were timed, as a sentence; None with one pass."""
    spread_over = passes_timed(report)
    method = passes_method(spread_over) if spread_over else None
    return method[0].upper() + method[1:] + "." if method else None


def ladder(report: Report, explain: bool = False) -> Table:
    """Each rung's time and speedup; the steps inside typing & boxing with ``explain`` only
    (their differences are the parts shown inside it)."""
    backends = [b for b in _backends(report) if explain or b not in STEPS]
    table = _table("The ladder: thread CPU time per call (inputs pre-converted); speedup below",
                   "kernel", *backends,
                   caption=passes_note(report) if explain else None)
    for kernel in report.kernels:
        cells = []
        for backend in backends:
            rung = kernel.rung(backend)
            found = derive.speedup(kernel, backend)
            change = None if rung is None else derive.moved(rung)
            moved = "" if change is None else (f"\npasses {ratio(1 + change)}" if explain
                                               else MOVED_MARK)
            shown = "" if found is None or backend == "python" else f"\n{times(found)}"
            cells.append("" if rung is None else (timed(rung.time) + moved + shown
                                                  if not explain else
                                                  timed(rung.time) + shown + moved))
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


def decomposition(report: Report, explain: bool = False) -> Table:
    names: list[str] = []
    found = {kernel.kernel: derive.summary(kernel) for kernel in report.kernels}
    for parts in found.values():
        names += [part.name for part in parts if part.name not in names]
    names.sort(key=derive.part_order)
    caption = ("interpreter and generic dispatch = python - compiled (Cython's generic fast "
               "paths fall in it too); dynamic typing & boxing = compiled - typed (- annotated, "
               "for your own function), split below; C headroom = typed - c; "
               "remainder = c. Each share is "
               "the difference of the two rungs' medians over python's, so a kernel's shares "
               "sum to 100%; below 0, the lower rung is slower; ~ its interval over rounds "
               "reaches 0" if explain else "~ within noise of 0; below 0: the lower rung is slower")
    table = _table("Where python's time goes (share of python's time per call)", "kernel",
                   *map(_header, names), caption=caption)
    for kernel in report.kernels:
        parts = {part.name: part for part in found[kernel.kernel]}
        table.add_row(call(kernel.kernel, kernel.size), *(
            (part_share(parts[n]) + (f" {seconds(parts[n].seconds.value)}" if explain else ""))
            if n in parts else "" for n in names))
    return table


def inside(report: Report, explain: bool = False) -> Optional[Table]:
    """The parts of "dynamic typing & boxing", side by side, for the kernels it splits in."""
    kernels = [k for k in report.kernels if derive.bucket(k) is not None]
    if not kernels:
        return None
    found = {k.kernel: [p for p in derive.parts(k) if derive.inside_bucket(p)] for k in kernels}
    names: list[str] = []
    for parts in found.values():
        names += [_column(part) for part in parts if _column(part) not in names]
    names.sort(key=derive.part_order)
    merged = sorted({cause for parts in found.values() for part in parts
                     for cause in part.name.split(" + ")[:-1]}, key=derive.part_order)
    caption = "the parts sum to the bucket above" + (
        f"; {MERGED_MARK} with {join(merged)}, whose step it lacks" if merged else "")
    if explain:
        caption = ("late binding = compiled - bound (module functions called and module names "
                   "read by C, not looked up), int objects = bound - ints (C integers), float "
                   "objects = ints - floats (C doubles), boxed containers = floats - typed "
                   "(typed memory, no GIL), and where a hash wraps at 2**64 wrapping int "
                   "objects too (checked C integers refuse to wrap); each rung is "
                   "backends/_python.py with one more .pxd of declarations. A cause that does "
                   "not arise in a kernel is absent there; one whose step is not built for it "
                   "goes with the next (marked +), and a step none of whose causes arises "
                   "(typed in fib) with the one above. The parts sum to the bucket above; under "
                   "a part: its objects a call frees per unit of work, rung above → its step "
                   "(a count)")
    table = _table("Inside dynamic typing & boxing (share of python's time per call)",
                   "kernel", *map(_header, names), caption=caption)
    for kernel in kernels:
        parts = {_column(part): part for part in found[kernel.kernel]}
        table.add_row(kernel.kernel, *(_inside_cell(kernel, parts[n], explain) if n in parts else ""
                                       for n in names))
    return table


#: Marks a part that holds two causes (its steps are not built apart for that kernel).
MERGED_MARK = "+"


def _column(part: derive.Part) -> str:
    """The column a part of the bucket is shown in: its last cause's."""
    return part.name.split(" + ")[-1]


def _inside_cell(kernel: KernelReport, part: derive.Part, explain: bool) -> str:
    shown = part_share(part) + (MERGED_MARK if " + " in part.name else "")
    if explain:
        shown += f" {seconds(part.seconds.value)}" + _fall(kernel, part.name)
    return shown


#: The parts a count corroborates: part -> (the step that removes it, the kind counted).
COUNTED = {BY_NAME["ints"].removes: ("ints", "ints"),
           BY_NAME["floats"].removes: ("floats", "floats"),
           WRAPPING: ("typed", "ints")}


def _fall(kernel: KernelReport, name: str) -> str:
    """The objects of the kind part ``name`` removes, per unit: on the rung above its step →
    on the step; "" where not counted."""
    step, kind = COUNTED.get(name, (None, None))
    counted = list(kernel.boxes)
    at = next((index for index, found in enumerate(counted) if found.backend == step), 0)
    if not at:
        return ""
    return (f"\n{_per_unit(getattr(counted[at - 1], kind))}→"
            f"{_per_unit(getattr(counted[at], kind))}")


def _per_unit(count: float) -> str:
    """A count per unit of work: two decimals below 10, whole numbers from there."""
    return f"{count:.0f}" if count >= 10 else f"{count:.2f}"


def boxed(report: Report) -> Optional[Table]:
    """Numbers boxed per unit of work on each counted rung: float objects / int objects."""
    kernels = [k for k in report.kernels if k.boxes]
    if not kernels:
        return None
    backends = sorted({b.backend for k in kernels for b in k.boxes}, key=position)
    table = _table("Numbers boxed per unit of work (float / int objects a call frees)",
                   "kernel", *backends)
    for kernel in kernels:
        found = {b.backend: b for b in kernel.boxes}
        table.add_row(kernel.kernel, *(f"{_per_unit(found[b].floats)} / {_per_unit(found[b].ints)}"
                                       if b in found else "" for b in backends))
    return table


def per_call(report: Report) -> Table:
    """Each backend's fixed cost per call and what fastkern's dispatch adds, condensed."""
    backends = [b for b in _backends(report) if b not in STEPS]
    table = _table("Per call: fixed cost before any work (fit), then + what dispatch adds",
                   "kernel", *backends)
    for kernel in report.kernels:
        fits = {cost.backend: derive.line(cost) for cost in kernel.costs}
        adds = {d.backend: derive.dispatch_adds(d) for d in kernel.dispatch}
        table.add_row(kernel.kernel, *(
            (brief(fits[b].intercept, seconds(fits[b].intercept.value)) if b in fits else "")
            + (f"\n+{brief(adds[b], seconds(adds[b].value))}" if b in adds else "")
            for b in backends))
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


def gil_condensed(report: Report) -> Optional[Table]:
    """Each kernel's thread variants at the most threads: efficiency, then runnable at once."""
    kernels = [k for k in report.kernels if k.gil]
    if not kernels:
        return None
    labels: list[str] = []
    for kernel in kernels:
        labels += [s.label for s in kernel.gil.threads if s.label not in labels]
    if any(k.gil.processes for k in kernels):
        labels.append("processes")
    workers = max(t for k in kernels for s in k.gil.threads for t in s.workers)
    table = _table(f"GIL, {workers} threads at once: throughput vs {workers} x one / "
                   f"runnable at once", "kernel", *labels)
    for kernel in kernels:
        rows = {s.label: s for s in kernel.gil.threads}
        if kernel.gil.processes:
            rows["processes"] = kernel.gil.processes.scaling
        cells = []
        for label in labels:
            scaling = rows.get(label)
            if scaling is None or scaling.workers[-1] != workers:
                cells.append("")
                continue
            last = len(scaling.workers) - 1
            busy = derive.runnable(scaling, last)
            efficiency = derive.efficiency(scaling, last)
            cells.append(brief(efficiency, fraction(efficiency))
                         + ("" if busy is None else f"/{brief(busy, at_once(busy, workers))}"))
        table.add_row(kernel.kernel, *cells)
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


def stall(report: Report, explain: bool = False) -> Table:
    labels: list[str] = []
    for kernel in report.kernels:
        labels += [s.label for s in kernel.stall if s.label not in labels]
    table = _table(f"Event loop: median lag of a {seconds(report.settings.tick)} tick, the "
                   f"kernel in asyncio.to_thread"
                   + (" (then p99; the worst in the JSON; wall clock)" if explain else ""),
                   "backend", *(call(k.kernel, k.size) if explain else k.kernel
                                for k in report.kernels))
    for label in labels:
        cells = []
        for kernel in report.kernels:
            found = next((s for s in kernel.stall if s.label == label), None)
            cells.append("" if found is None else seconds(found.median)
                         + (f"\n{seconds(found.p99)}" if explain else ""))
        table.add_row(label, *cells)
    return table


def shared(report: Report) -> Optional[Table]:
    rows = []
    if report.boundary:
        b = report.boundary
        rows += [("buffer -> list of floats", timed(b.to_list, b.elements) + "/element", ""),
                 ("list of floats -> buffer", timed(b.to_buffer, b.elements) + "/element", "")]
    if report.memory:
        m = report.memory
        rows += [("list of floats (+ objects)", f"{m.list_bytes:.3g} B/element", ""),
                 ("float64 buffer", f"{m.buffer_bytes:.3g} B/element", ""),
                 (f"sum, floats in order ({count(m.elements)})", timed(m.in_order), ""),
                 ("sum, same floats scattered", timed(m.scattered),
                  times(derive.ratio(m.scattered, m.in_order)))]
    if report.gc:
        g = report.gc
        rows += [(f"{g.kernel}({g.size}), collector on", timed(g.enabled), ""),
                 ("collector off", timed(g.disabled), times(derive.gc_ratio(g))),
                 (f"collections/call {'/'.join(f'{c:.3g}' for c in g.collections)}, paused",
                  seconds(g.pause), fraction(derive.gc_pause_share(g)))]
    if report.features:
        f = report.features
        rows.append(("empty loop step", timed(f.loop), ""))
        for pair in f.pairs:
            rows.append((f"{pair.feature} vs {pair.plain}",
                         f"{timed(pair.feature_time)} vs {timed(pair.plain_time)}",
                         times(derive.ratio(pair.feature_time, pair.plain_time))))
    if not rows:
        return None
    table = _table("Boundary, memory, gc, language features (CPU time; ratio: 2nd/1st)",
                   "what", "measured", "ratio")
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


def findings_text(report: Report) -> str:
    """The findings, one a line: the kernels' first, aligned, under what their figures are."""
    found = findings(report)
    kernels = [f for f in found if f.per_kernel]
    width = max((len(f.subject) for f in kernels), default=0)
    lines = [f"  {f.subject:<{width}}  {f.text}" for f in kernels]
    return "\n".join(lines + [f"• {f}" for f in found if f not in kernels])


def method(report: Report, explain: bool = False) -> Text:
    """How this was measured, in a few lines (the clocks in full with ``explain``)."""
    lines = [CLOCKS if explain else
             "Clocks: one thread's work by its CPU time, the cycle collector off; threads, "
             "processes and the event loop by wall time, with runnable threads counted."]
    timed_over = passes_timed(report)
    if timed_over:
        lines.append(f"Each rung pools {pass_counts(timed_over)} passes spread over the run; {MOVED_MARK} marks "
                     f"a rung two of whose passes read more than {derive.MOVED:.0%} apart "
                     f"(--explain: how far, and where the passes ran).")
        moved = [(f"{rung.backend} {kernel.kernel}", ratio(1 + change)) for kernel in timed_over
                 for rung, change in derive.moved_rungs(kernel)]
        if moved and explain:
            which = join([f"{name} {by}" for name, by in moved])
            rungs = sum(len(kernel.ladder) for kernel in timed_over)
            lines.append(f"{len(moved)} of {rungs} rungs moved between passes ({which}, slower "
                         f"pass over faster); their spread carries the move, and speedups and "
                         f"shares, taken round by round, cancel what moved in step.")
    busy = [entry for entry in report.load if entry.busy]
    if busy:
        lines.append(OTHERS_BUSY.format(cpus=cpus(max(e.others for e in busy)), busy=len(busy),
                                        sections=len(report.load))
                     + "; a finding says where that capped its figures.")
    readings = [entry.reference for entry in report.load]
    if derive.unsteady(readings):
        least, largest = derive.speed_range(readings)
        work = probe_work(report.settings.speed_loops) if explain else "a fixed piece of Python work"
        why = (", from what no clock here sees (CPU frequency, other virtual machines)"
               if explain else "")
        lines.append(f"The machine's own speed moved: {work} {_speed_range(least, largest)}{why}; "
                     f"ratios cancel most of it, absolute times do not.")
    timings = report.timings()
    unstable = sum(timing.spread > UNSTABLE for timing in timings)
    missing = sum(not f.estimate.resolved for f in figures(report))
    if unstable or missing:
        lines.append(f"{unstable} of {len(timings)} timings are unstable (!) and {missing} "
                     f"figures not resolved: close other programs or rerun with --repeat 3.")
    lines.append("--explain adds the load table, every fit, the full GIL table and each "
                 "caption in full; the JSON keeps every sample.")
    return Text("\n".join(lines), style="dim")


def table_parts(report: Report, explain: bool = False) -> list:
    """The report's tables (and the note of what was not timed), in order."""
    tables = [ladder(report, explain), absent(report), decomposition(report, explain),
              inside(report, explain), boxed(report) if explain else None]
    if explain:
        tables += [load(report), call_costs(report), gil(report)]
    else:
        tables += [per_call(report), gil_condensed(report)]
    tables += [cores(report), stall(report, explain), shared(report), repeats(report)]
    return [part for part in tables if part is not None]


def tables_text(report: Report, explain: bool = False) -> str:
    """The tables alone as plain text, unwrapped: what every sentence's figures come from."""
    console = terminal.capture(10_000)
    for part in table_parts(report, explain):
        console.print(part)
    return console.file.getvalue()


def renderables(report: Report, explain: bool = False) -> list:
    """The report's parts in order: findings, tables, how it was measured."""
    found = Text(findings_text(report))
    tables = table_parts(report, explain)
    tail = [Text("How this was measured\n", style="bold") + machine_line(report, explain),
            method(report, explain)]
    return [Text("Findings: fastest rung (x faster than python); largest share of its time",
                 style="bold") + Text("\n") + found, *tables, *tail,
            Text(legend(tables), style="dim")]


def legend(tables: list) -> str:
    """The legend of marks, each reason a figure was not resolved listed only where a table
    shows its mark."""
    cells = " ".join(str(cell) for table in tables if isinstance(table, Table)
                     for column in table.columns for cell in column._cells)
    return legend_of([reason for reason, mark in REASON_MARKS.items() if mark in cells])


def render(report: Report, console: Optional[Console] = None, explain: bool = False) -> None:
    """Print the report, fitted to the console's width (see :mod:`fastkern._report.terminal`)."""
    console = console or terminal.console()
    for part in renderables(report, explain):
        for piece in terminal.fitted(part, console):
            console.print(piece)
            console.print()
