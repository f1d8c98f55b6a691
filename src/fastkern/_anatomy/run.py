"""``anatomy()`` and ``anatomy_all()``: plan the measurements, run them, assemble a Report."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import statistics
import sys
from collections import defaultdict
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

from .. import _dispatch
from .._info import thread_budget, threads_built, usable_cores
from .._rungs import STEPS
from . import cores as cores_
from . import (agreement, boundary, boxes, costs, features, garbage, gil, ladder, machine,
               memory, stall, steady)
from .figures import spreads
from .inputs import choose_size, kernel_name, spec
from .load import Meter
from .merge import pool
from .model import CORES_STEP, KERNEL_STEPS, SHARED_STEPS, Gil, KernelReport, Load
from .report import Report
from .settings import Settings
from .._report.terminal import progress_bar
from .timing import THREAD_CPU, WALL_CLOCK, Clock, Timer

#: The default kernels, each telling a different story; those not built are left out.
DEFAULT_KERNELS = ("sum", "nbody", "mandelbrot", "spectral_norm", "fib", "binary_trees")

#: Called before each step with (what is starting, steps done, steps in all).
Progress = Callable[[str, int, int], None]

#: What a script wraps its anatomy call in, so that worker processes importing it skip it.
MAIN_GUARD = 'if __name__ == "__main__":'


def default_kernels() -> list[str]:
    return [kernel for kernel in DEFAULT_KERNELS if kernel in _dispatch.kernels()]


def default_threads() -> tuple[int, ...]:
    """Every thread count from 1 to the usable cores, and at least 2."""
    return tuple(range(1, max(2, usable_cores()) + 1))


def anatomy(kernel: object, size: Optional[int] = None, *, backends: Optional[Sequence[str]] = None,
            threads: Optional[Sequence[int]] = None, quick: bool = False,
            settings: Optional[Settings] = None, shared: bool = True, repeat: int = 1,
            cores: bool = False, clock: Clock = THREAD_CPU, wall: Clock = WALL_CLOCK,
            progress: Union[Progress, bool, None] = None) -> Report:
    """Measure where the time of ``kernel`` goes at ``size``, on this machine.

    Returns a :class:`fastkern.Report`: ``print(report)`` shows it as ``fastkern report``
    does, ``report.to_json()`` saves it. A full run of one kernel takes 10-30 s (run it on
    an otherwise idle machine: other programs' load shows up as noise); ``quick=True``
    takes a few seconds, less precisely.

    ``kernel`` is a kernel's name or its function: ``fastkern.sum``, or your own function
    decorated by :func:`fastkern.kernel` (its rungs are built first, and each is checked
    against python's result on the sample before it is timed).

    ``size`` is the kernel's size argument (elements, steps, pixels per side...); unset,
    one is chosen from a fixed grid of work so that a python call takes about
    ``settings.target_time``: anchored at the kernel's reference size (see
    :func:`.inputs.snap`), so reruns and machines of similar speed pick the same size.
    ``backends`` limits the backends timed; ``threads`` lists the thread counts of the GIL
    section (default 1 up to the usable cores, at least 2). ``quick`` trades precision for
    speed. ``shared`` adds the kernel-independent sections (boundary, memory, garbage
    collection, language features). ``settings`` (a :class:`fastkern.Settings`, default:
    the full run's or the quick pass's) sets every duration and repetition count.
    ``repeat`` runs every measurement that many times, interleaved, at the first run's
    sizes (the ladder's and each fit's), pools their samples and keeps each figure's
    run-to-run spread. ``cores=True`` adds "one call, all cores" for a kernel whose one call
    splits over threads (``threads=``): the call (c, else typed; at a size where it lasts
    about ``settings.cores_call_time`` unsplit) at T = 1 up to the usable cores (affinity
    mask, capped by the CPU quota), its speedup, efficiency and threads runnable at once at
    each T, Amdahl's serial fraction fitted over them, and for sum and dot the bandwidth
    read against T threads copying memory. ``clock`` (a ``Clock``: a function of no
    arguments returning seconds) times one thread's own work (default :func:`time.thread_time`, that
    thread's CPU time); ``wall`` (default :func:`time.perf_counter`) times concurrency:
    threads, processes, event loop. A fixed piece of Python work timed by ``clock`` before
    and after every round of samples reads the machine's own speed (``Timing.speeds``).
    ``progress=True`` shows a progress bar on stderr; a ``Progress`` callable,
    ``progress(step, done, total)``, is called before each step instead; default: silent.

    Raises ``ValueError`` for an unknown kernel, a size the kernel refuses or that is not
    a positive integer, thread counts that are not positive integers, or a ``repeat`` or
    ``settings.ladder_passes`` that is not a positive integer;
    :class:`fastkern.BackendError` for a backend that is unknown, not built, or that no
    chosen kernel implements; ``RuntimeError`` when called while a worker process imports
    the main module (a script's call outside ``if __name__ == "__main__":``). Ctrl-C
    (``KeyboardInterrupt``) stops the run, returning nothing.
    """
    return anatomy_all([kernel], sizes={kernel_name(kernel): size}, backends=backends, threads=threads,
                       quick=quick, settings=settings, shared=shared, repeat=repeat, cores=cores,
                       clock=clock, wall=wall, progress=progress)


def anatomy_all(kernels: Optional[Iterable[object]] = None, *,
                sizes: Optional[Mapping[str, Optional[int]]] = None,
                backends: Optional[Sequence[str]] = None,
                threads: Optional[Sequence[int]] = None, quick: bool = False,
                settings: Optional[Settings] = None, shared: bool = True, repeat: int = 1,
                cores: bool = False, clock: Clock = THREAD_CPU, wall: Clock = WALL_CLOCK,
                progress: Union[Progress, bool, None] = None) -> Report:
    """:func:`anatomy` for several kernels (default: :data:`DEFAULT_KERNELS` that are built).

    ``sizes`` maps a kernel to its size (missing or None: chosen); the other arguments,
    the result and the errors are :func:`anatomy`'s. The default set takes under two minutes
    (``quick=True``: about ten seconds).
    """
    _check_not_bootstrapping()
    if progress is True:
        with progress_bar() as bar:
            return anatomy_all(kernels, sizes=sizes, backends=backends, threads=threads,
                               quick=quick, settings=settings, shared=shared, repeat=repeat,
                               cores=cores, clock=clock, wall=wall, progress=bar)
    names = [kernel_name(k) for k in (default_kernels() if kernels is None else kernels)]
    for name in names:
        spec(name)
    sizes = {kernel_name(kernel): size for kernel, size in (sizes or {}).items()}
    for name, size in sizes.items():
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError(f"size for {name} must be a positive integer, got {size!r}")
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be a positive integer, got {repeat!r}")
    workers = tuple(threads) if threads else default_threads()
    if any(isinstance(t, bool) or not isinstance(t, int) or t < 1 for t in workers):
        raise ValueError(f"thread counts must be positive integers, got {workers!r}")
    workers = tuple(sorted(set(workers)))
    chosen = _check_backends(backends)
    settings = settings or Settings.for_mode(quick)
    ladder.check(settings)
    timer = Timer(settings, clock, wall, steady.probe(clock, settings.speed_loops))
    split = set(cores_.splitting_kernels()) if cores else set()
    steps = repeat * (len(names) * (len(KERNEL_STEPS) + ladder.later_count(settings))
                      + len(split.intersection(names)) + (len(SHARED_STEPS) if shared else 0))
    sections = _Sections(progress, steps, Meter(wall=wall), timer.speed)
    described = machine.describe()
    start = wall()
    runs: list[list[KernelReport]] = [[] for _ in range(repeat)]
    begun: list[list[float]] = [[] for _ in range(repeat)]
    for name in names:
        size, fits = sizes.get(name), None
        for run, starts in zip(runs, begun):
            starts.append(wall())
            report = _kernel_report(name, size, chosen, workers, timer, sections, fits)
            if name in split:
                report = _with_cores(report, timer, sections)
            size, fits = report.size, {cost.backend: cost.sizes for cost in report.costs}
            run.append(report)
    extras: list[tuple] = [(None, None, None, None)] * repeat
    if shared:
        gc_target = _garbage_target(runs[0], timer)
        extras = [_shared(settings, timer, sections, gc_target) for _ in range(repeat)]
    runs = [ladder.later(run, starts, timer, sections.step, sections.add_helper)
            for run, starts in zip(runs, begun)]
    sections.step("done")
    reports = [Report(described, settings, tuple(run), *extra, 0.0)
               for run, extra in zip(runs, extras)]
    return dataclasses.replace(pool(reports), elapsed=wall() - start,
                               load=_pooled_load(sections.loads), repeat=repeat,
                               spread=spreads(reports) if repeat > 1 else ())


def _check_not_bootstrapping() -> None:
    """Refuse to run while a multiprocessing worker is importing the main module: the
    processes section starts workers, each re-imports the caller's script, and a call made
    there at module level would run the whole anatomy again in every worker."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "fastkern.anatomy() was called while a worker process was importing the main "
            "module (the anatomy's processes section starts workers, and each imports your "
            f"script again); call it under '{MAIN_GUARD}'")


def _broken_pool_hint(error: Exception) -> str:
    """The likely cause of workers that died while the main module is a script of the
    user's: each worker imports it first, and refuses an anatomy call made there."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not isinstance(error, BrokenProcessPool) or not main or \
            os.path.abspath(main).startswith(package + os.sep):
        return ""
    return (f" (each worker first imports {os.path.basename(main)}: where that calls "
            f"fastkern.anatomy() outside '{MAIN_GUARD}', every worker stops there; its error "
            "is on stderr)")


class _Sections:
    """Reports progress before each step, and measures the load while each step runs."""

    def __init__(self, progress: Optional[Progress], total: int, meter: Meter, speed: Clock):
        self.progress, self.total, self.done = progress, total, -1
        self.meter, self.loads, self.label, self.speed = meter, [], None, speed
        self.helpers: list[float] = []

    def step(self, label: str) -> None:
        if self.label is not None:
            load = self.meter.stop(self.label, self.helpers)
            self.loads.append(dataclasses.replace(load, reference=self.speed()))
        self.label, self.helpers = (None if label == "done" else label), []
        self.done += 1
        if self.progress:
            self.progress(label, min(self.done, self.total), self.total)
        self.meter.start()

    def add_helper(self, cpu_seconds: float) -> None:
        """CPU seconds a worker or child of this step used, left out of its load."""
        self.helpers.append(cpu_seconds)


def _pooled_load(loads: Sequence[Load]) -> tuple[Load, ...]:
    """One load per section label: seconds summed, CPUs used by others averaged over them."""
    grouped: dict = defaultdict(list)
    for load in loads:
        grouped[load.section].append(load)
    pooled = []
    for section, found in grouped.items():
        seconds = sum(load.seconds for load in found)
        others = None if any(load.others is None for load in found) or seconds <= 0 else \
            sum(load.others * load.seconds for load in found) / seconds
        references = [load.reference for load in found]
        pooled.append(Load(section, seconds, others,
                           None if None in references else statistics.median(references)))
    return tuple(pooled)


def _check_backends(backends: Optional[Sequence[str]]) -> Optional[list[str]]:
    if backends is None:
        return None
    for backend in backends:
        _dispatch.check_backend(backend)
    return list(backends)


def _kernel_report(kernel: str, size: Optional[int], chosen: Optional[list[str]],
                   workers: Sequence[int], timer: Timer, sections: _Sections,
                   fits: Optional[Mapping[str, Sequence[int]]] = None) -> KernelReport:
    settings = timer.settings
    sections.step(f"{kernel}: {KERNEL_STEPS[0]}")
    own = spec(kernel).implementations
    absent = own.build([b for b in own.names() if chosen is None or b in chosen])
    available = _dispatch.kernel_backends(kernel)
    names = [b for b in available if chosen is None or b in chosen]
    if not names:
        raise ValueError(f"none of the backends {chosen} implements {kernel}; "
                         f"it is in {', '.join(available)}")
    if size is None:
        size = choose_size(kernel, settings.target_time, names[0], timer.clock)
    if own.run_time and "python" in names:
        absent.update(agreement.check(kernel, size, names))
        names = [b for b in names if b not in absent]
    times = ladder.measure(kernel, size, names, timer)
    counted = boxes.measure(kernel, size, names)
    # The steps inside "dynamic typing & boxing" are rungs of the ladder only.
    names = [b for b in names if b not in STEPS]
    per_call = {backend: timing.median for backend, timing in times.items() if backend in names}
    sections.step(f"{kernel}: {KERNEL_STEPS[1]}")
    fitted = costs.measure(kernel, size, {b: times[b] for b in names}, timer,
                           settings.fit_points, fits)
    sections.step(f"{kernel}: {KERNEL_STEPS[2]}")
    dispatched = costs.dispatch(kernel, names, timer)
    sections.step(f"{kernel}: {KERNEL_STEPS[3]}")
    thread_variants = gil.thread_variants(kernel, names)
    scalings = gil.threads(kernel, size, thread_variants, workers, per_call, timer,
                           settings.thread_time, settings.gil_call_time)
    sections.step(f"{kernel}: {KERNEL_STEPS[4]}")
    pool_report = None
    if "python" in names:
        try:
            pool_report = gil.processes(kernel, size, workers, per_call["python"], timer,
                                        settings.thread_time)
            sections.add_helper(pool_report.worker_cpu)
        except Exception as error:  # a worker that cannot import or run the kernel
            absent["processes"] = (f"worker processes failed: {type(error).__name__}: {error}"
                                   + _broken_pool_hint(error))
    sections.step(f"{kernel}: {KERNEL_STEPS[5]}")
    stalls = stall.measure(kernel, size, _stall_variants(kernel, names), per_call,
                           settings.stall_time, settings.tick, timer.wall)
    return KernelReport(kernel, size, spec(kernel).unit, spec(kernel).work(size),
                        ladder.rungs(times), fitted, dispatched,
                        Gil(usable_cores(), scalings, pool_report), stalls, tuple(absent.items()),
                        boxes=counted)


def _with_cores(report: KernelReport, timer: Timer,
                sections: _Sections) -> KernelReport:
    """The report with "one call, all cores" added, or its reason for being absent."""
    sections.step(f"{report.kernel}: {CORES_STEP}")
    backend = cores_.backend_for(report.kernel, [r.backend for r in report.ladder])
    why = None
    if backend is None:
        why = "no typed or c rung timed: only they split one call"
    elif not threads_built():
        why = "this fastkern was built without thread support"
    if why is not None:
        return dataclasses.replace(report, absent=report.absent + ((CORES_STEP, why),))
    found = cores_.measure(report.kernel, backend, report.size, report.rung(backend).time.median,
                           cores_.thread_counts(thread_budget()), timer,
                           timer.settings.cores_call_time)
    return dataclasses.replace(report, cores=found)


def _stall_variants(kernel: str, backends: Sequence[str]) -> list[tuple]:
    variants = []
    for backend in backends:
        variants.append((backend, None))
        if _dispatch.chooses_gil(kernel, backend):
            variants.append((backend, False))
    return variants


def _shared(settings: Settings, timer: Timer, sections: _Sections,
            gc_target: Optional[tuple[str, int]]) -> tuple:
    sections.step("boundary")
    boundary_report = boundary.measure(settings.memory_elements, timer)
    sections.step("memory")
    memory_report = memory.measure(settings.memory_elements, timer)
    sections.step("garbage collection")
    gc_report = None if gc_target is None else garbage.measure(gc_target[1], timer, gc_target[0])
    sections.step("language features")
    return boundary_report, memory_report, gc_report, features.measure(settings.feature_ops, timer)


def _garbage_target(reports: Sequence[KernelReport], timer: Timer) -> Optional[tuple[str, int]]:
    """(kernel, size) for the collector's share: the first registered kernel measured, else
    binary_trees."""
    own = next((r for r in reports if spec(r.kernel).implementations.run_time and r.rung("python")),
               None)
    if own is not None:
        return own.kernel, own.size
    if garbage.KERNEL not in _dispatch.kernels() or "python" not in _dispatch.kernel_backends(garbage.KERNEL):
        return None
    size = next((r.size for r in reports if r.kernel == garbage.KERNEL), None)
    if size is None:
        size = choose_size(garbage.KERNEL, timer.settings.target_time, "python", timer.clock)
    return garbage.KERNEL, size
