"""``anatomy()`` and ``anatomy_all()``: plan the measurements, run them, assemble a Report."""

from __future__ import annotations

import time
from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

from .. import _dispatch
from .._info import usable_cores
from . import boundary, costs, features, garbage, gil, ladder, machine, memory, stall
from .inputs import choose_size, spec
from .report import Gil, KernelReport, Report
from .settings import Settings
from .terminal import progress_bar
from .timing import Clock, Timer

#: The default kernels, each telling a different story; those not built are left out.
DEFAULT_KERNELS = ("sum", "nbody", "mandelbrot", "spectral_norm", "fib", "binary_trees")

#: Called before each step with (what is starting, steps done, steps in all).
Progress = Callable[[str, int, int], None]

KERNEL_STEPS = ("ladder", "per-call cost", "dispatch", "threads", "processes", "event loop")
SHARED_STEPS = ("boundary", "memory", "garbage collection", "language features")


def default_kernels() -> list[str]:
    return [kernel for kernel in DEFAULT_KERNELS if kernel in _dispatch.kernels()]


def default_threads() -> tuple[int, ...]:
    """Every thread count from 1 to the usable cores, and at least 2."""
    return tuple(range(1, max(2, usable_cores()) + 1))


def anatomy(kernel: str, size: Optional[int] = None, *, backends: Optional[Sequence[str]] = None,
            threads: Optional[Sequence[int]] = None, quick: bool = False,
            settings: Optional[Settings] = None, shared: bool = True,
            clock: Clock = time.perf_counter,
            progress: Union[Progress, bool, None] = None) -> Report:
    """Measure where the time of ``kernel`` goes at ``size``, on this machine.

    Returns a :class:`fastkern.Report`: ``print(report)`` shows it as ``fastkern report``
    does, ``report.to_json()`` saves it. A full run of one kernel takes 10-30 s (run it on
    an otherwise idle machine: other programs' load shows up as noise); ``quick=True``
    takes a few seconds, less precisely.

    ``size`` is the kernel's size argument (elements, steps, pixels per side...); unset,
    one is chosen so that a python call takes about ``settings.target_time``.
    ``backends`` limits the backends timed; ``threads`` lists the thread counts of the GIL
    section (default 1 up to the usable cores, at least 2). ``quick`` trades precision for
    speed. ``shared`` adds the kernel-independent sections (boundary, memory, garbage
    collection, language features). ``settings`` (a
    :class:`fastkern._anatomy.settings.Settings`, default: the full run's or the quick
    pass's) sets every duration and repetition count. ``clock`` (a ``Clock``: a function
    of no arguments returning seconds, default :func:`time.perf_counter`) is the timer.
    ``progress=True`` shows a progress bar on stderr; a ``Progress`` callable,
    ``progress(step, done, total)``, is called before each step instead; default: silent.

    Raises ``ValueError`` for an unknown kernel, a size the kernel refuses or that is not
    a positive integer, or thread counts that are not positive integers;
    :class:`fastkern.BackendError` for a backend that is unknown, not built, or that no
    chosen kernel implements. Ctrl-C (``KeyboardInterrupt``) stops the run, returning
    nothing.
    """
    return anatomy_all([kernel], sizes={kernel: size}, backends=backends, threads=threads,
                       quick=quick, settings=settings, shared=shared, clock=clock,
                       progress=progress)


def anatomy_all(kernels: Optional[Iterable[str]] = None, *,
                sizes: Optional[Mapping[str, Optional[int]]] = None,
                backends: Optional[Sequence[str]] = None,
                threads: Optional[Sequence[int]] = None, quick: bool = False,
                settings: Optional[Settings] = None, shared: bool = True,
                clock: Clock = time.perf_counter,
                progress: Union[Progress, bool, None] = None) -> Report:
    """:func:`anatomy` for several kernels (default: :data:`DEFAULT_KERNELS` that are built).

    ``sizes`` maps a kernel to its size (missing or None: chosen); the other arguments,
    the result and the errors are :func:`anatomy`'s. The default set takes about a minute
    (``quick=True``: about ten seconds).
    """
    if progress is True:
        with progress_bar() as bar:
            return anatomy_all(kernels, sizes=sizes, backends=backends, threads=threads,
                               quick=quick, settings=settings, shared=shared, clock=clock,
                               progress=bar)
    names = list(default_kernels() if kernels is None else kernels)
    for name in names:
        spec(name)
    sizes = dict(sizes or {})
    for name, size in sizes.items():
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError(f"size for {name} must be a positive integer, got {size!r}")
    workers = tuple(threads) if threads else default_threads()
    if any(isinstance(t, bool) or not isinstance(t, int) or t < 1 for t in workers):
        raise ValueError(f"thread counts must be positive integers, got {workers!r}")
    chosen = _check_backends(backends)
    settings = settings or Settings.for_mode(quick)
    timer = Timer(settings, clock)
    steps = len(names) * len(KERNEL_STEPS) + (len(SHARED_STEPS) if shared else 0)
    tracker = _Tracker(progress, steps)
    described = machine.describe()
    start = clock()
    reports = tuple(_kernel_report(name, sizes.get(name), chosen, workers, timer, tracker)
                    for name in names)
    boundary_report = memory_report = gc_report = features_report = None
    if shared:
        tracker.step("boundary")
        boundary_report = boundary.measure(settings.memory_elements, timer)
        tracker.step("memory")
        memory_report = memory.measure(settings.memory_elements, timer)
        tracker.step("garbage collection")
        gc_report = _garbage(reports, timer)
        tracker.step("language features")
        features_report = features.measure(settings.feature_ops, timer)
    tracker.step("done")
    return Report(described, settings, reports, boundary_report, memory_report,
                  gc_report, features_report, clock() - start)


class _Tracker:
    def __init__(self, progress: Optional[Progress], total: int):
        self.progress, self.total, self.done = progress, total, -1

    def step(self, label: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(label, min(self.done, self.total), self.total)


def _check_backends(backends: Optional[Sequence[str]]) -> Optional[list[str]]:
    if backends is None:
        return None
    for backend in backends:
        _dispatch._check_backend(backend)
    return list(backends)


def _kernel_report(kernel: str, size: Optional[int], chosen: Optional[list[str]],
                   workers: Sequence[int], timer: Timer, tracker: _Tracker) -> KernelReport:
    settings = timer.settings
    available = _dispatch.kernel_backends(kernel)
    names = [b for b in available if chosen is None or b in chosen]
    if not names:
        raise ValueError(f"none of the backends {chosen} implements {kernel}; "
                         f"it is in {', '.join(available)}")
    tracker.step(f"{kernel}: {KERNEL_STEPS[0]}")
    if size is None:
        size = choose_size(kernel, settings.target_time, names[0], timer.clock)
    times = ladder.measure(kernel, size, names, timer)
    per_call = {backend: timing.median for backend, timing in times.items()}
    tracker.step(f"{kernel}: {KERNEL_STEPS[1]}")
    fitted = costs.measure(kernel, size, times, timer, settings.fit_points)
    tracker.step(f"{kernel}: {KERNEL_STEPS[2]}")
    dispatched = costs.dispatch(kernel, names, timer)
    tracker.step(f"{kernel}: {KERNEL_STEPS[3]}")
    thread_variants = [v for v in gil.THREAD_VARIANTS if v[0] in names]
    scalings = gil.threads(kernel, size, thread_variants, workers, per_call, timer,
                           settings.thread_time, settings.gil_call_time)
    tracker.step(f"{kernel}: {KERNEL_STEPS[4]}")
    pool = None
    if "python" in names:
        pool = gil.processes(kernel, size, workers, per_call["python"], timer, settings.thread_time)
    tracker.step(f"{kernel}: {KERNEL_STEPS[5]}")
    stalls = stall.measure(kernel, size, _stall_variants(names), per_call, settings.stall_time,
                           settings.tick, timer.clock)
    return KernelReport(kernel, size, spec(kernel).unit, spec(kernel).work(size),
                        ladder.rungs(times), ladder.decompose(times), fitted, dispatched,
                        Gil(usable_cores(), scalings, pool), stalls)


def _stall_variants(backends: Sequence[str]) -> list[tuple]:
    variants = []
    for backend in backends:
        variants.append((backend, None))
        if backend in _dispatch.GIL_RELEASING:
            variants.append((backend, False))
    return variants


def _garbage(reports: Sequence[KernelReport], timer: Timer):
    if garbage.KERNEL not in _dispatch.kernels() or "python" not in _dispatch.kernel_backends(garbage.KERNEL):
        return None
    size = next((r.size for r in reports if r.kernel == garbage.KERNEL), None)
    if size is None:
        size = choose_size(garbage.KERNEL, timer.settings.target_time, "python", timer.clock)
    return garbage.measure(size, timer)
