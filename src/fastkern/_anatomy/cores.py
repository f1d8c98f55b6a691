"""One call, all cores: one call of a kernel split over T threads (``threads=T``).

Strong scaling: the same call at every T from 1 to the usable cores, the T values taking
turns round after round, so a change in the machine's load hits every T alike. It is
about concurrency, so it is timed by the wall clock; beside it, the call's threads'
summed runnable time (on a CPU or waiting in a run queue) over the wall time says how many
of them ran at once, whatever else the machine runs (:mod:`.sched`). The caller is read by
the :mod:`.sched` probe; the team's workers are pthreads started per call, gone before
``/proc/self/task`` could be read after it, so each reads its own schedstat as it exits
(``count_team_runnable`` in the backend module).

For sum and dot, a copy probe runs at the same T in the same rounds: T threads each
copying a slice of an array as long as the kernel's input (numpy, GIL released). Its
bandwidth is the memory system's at T threads: the roof a memory-bound call meets.
"""

from __future__ import annotations

import importlib
import threading
import time
from typing import Callable, Optional, Sequence

import numpy as np

from .. import _backends, _dispatch
from .._kernels import KERNELS
from . import sched
from .inputs import grid_size, prepared
from .._report.figure import WALL
from .model import Cores, Scaling
from .timing import Clock, Timer
from .model import summarize

#: Kernels whose one call is bound by reading memory: how many float64 inputs it reads.
STREAMING = {"sum": 1, "dot": 2}
#: Seconds to wait for a call's workers to exit and count their runnable time.
COUNT_TIMEOUT = 1.0
#: The longest input of a streaming kernel: 80 MB per input, far beyond any cache, and one
#: call lasts a few ms at the memory's bandwidth.
STREAM_ELEMENTS = 10_000_000


def splitting_kernels() -> list[str]:
    """The kernels whose one call splits over threads (``threads=``)."""
    return [name for name, spec in KERNELS.items() if spec.splits]


def backend_for(kernel: str, backends: Sequence[str]) -> Optional[str]:
    """The lowest rung among ``backends`` that splits calls: c, else typed."""
    return next((b for b in ("c", "typed") if b in backends
                 and b in _dispatch.kernel_backends(kernel)), None)


def thread_counts(usable: int) -> tuple[int, ...]:
    """T = 1 up to the usable cores."""
    return tuple(range(1, max(1, usable) + 1))


def call_size(kernel: str, size: int, per_call: float, call_time: float) -> int:
    """A size from the work grid at which one unsplit call lasts about ``call_time``
    (``size`` if it already does), so reruns on one machine pick the same."""
    if per_call >= call_time:
        return size
    work = KERNELS[kernel].work
    bigger = grid_size(kernel, work(size) * call_time / per_call, lowest=size)
    return min(bigger, max(size, STREAM_ELEMENTS)) if kernel in STREAMING else bigger


def bytes_read(kernel: str, args: tuple) -> Optional[int]:
    """Bytes one call of a streaming kernel reads (None for the others)."""
    inputs = STREAMING.get(kernel)
    return None if inputs is None else 8 * len(args[0]) * inputs


def copy_batch(elements: int, threads: int, wall: Clock) -> Callable[[], float]:
    """A batch: ``threads`` threads, released together, copy one slice each of an
    ``elements``-long float64 array; returns the wall seconds from the first thread's
    start to the last one's end (the wake-up of this thread is not in it)."""
    source, target = np.ones(elements), np.ones(elements)  # both written: no page faults timed
    bounds = np.linspace(0, elements, threads + 1).astype(int)

    def batch() -> float:
        start_line = threading.Barrier(threads + 1)
        started: list = []
        finished: list = []

        def copy(lo: int, hi: int) -> None:
            start_line.wait()
            started.append(wall())
            np.copyto(target[lo:hi], source[lo:hi])
            finished.append(wall())

        pool = [threading.Thread(target=copy, args=(lo, hi)) for lo, hi in zip(bounds, bounds[1:])]
        for thread in pool:
            thread.start()
        start_line.wait()
        for thread in pool:
            thread.join()
        return max(finished) - min(started)

    return batch


def split_batch(call: Callable[[int], object], threads: int, module, wall: Clock,
                probe: Optional[sched.Probe],
                monotonic: Callable[[], float] = time.monotonic) -> Callable[[], tuple]:
    """A batch: one call split over ``threads`` threads. Returns its wall seconds, its
    threads' summed runnable seconds (None where they cannot be read) and the span those
    were counted in: from the call's start until it returned or its last worker exited
    (a worker started late may still wait for a CPU after the call returns)."""

    def batch() -> tuple:
        module.count_team_runnable(True)
        try:
            before = probe() if probe else 0.0
            began, start = monotonic(), wall()
            call(threads)
            seconds = wall() - start
            caller = probe() - before if probe else None
            workers, last_exit = _counted(module)
        finally:
            module.count_team_runnable(False)
        span = max(seconds, last_exit - began) if last_exit else seconds
        return seconds, None if caller is None or workers is None else caller + workers, span

    return batch


def _counted(module, sleep: Callable[[float], None] = time.sleep) -> tuple:
    """The workers' counted runnable seconds once every one has exited (None if unread or
    some are still running), and when the last one exited."""
    deadline = time.monotonic() + COUNT_TIMEOUT
    seconds, running, last_exit = module.team_runnable()
    while running and time.monotonic() < deadline:
        sleep(0.0005)
        seconds, running, last_exit = module.team_runnable()
    return (None if running else seconds), last_exit


def measure(kernel: str, backend: str, size: int, per_call: float, counts: Sequence[int],
            timer: Timer, call_time: float) -> Cores:
    """Strong scaling of one call at ``counts`` threads, at a size where the unsplit call
    lasts at least ``call_time`` (``per_call``: its seconds at ``size``)."""
    size = call_size(kernel, size, per_call, call_time)
    args = prepared(kernel, backend, size)
    impl = _dispatch.implementation(kernel, backend)
    module = importlib.import_module(_backends.LADDER[backend][0])
    probe = sched.probe()
    read = bytes_read(kernel, args)

    def call(threads: int) -> object:
        return impl(*args, True, threads)

    batches: dict = {t: split_batch(call, t, module, timer.wall, probe) for t in counts}
    if read is not None:
        batches.update({("copy", t): copy_batch(len(args[0]), t, timer.wall) for t in counts})
    for _ in range(timer.settings.warmup):  # first touches, thread stacks: not in a round
        for batch in batches.values():
            batch()
    results = timer.rounds(batches)
    walls = tuple(summarize([w for w, _, _ in results[t]], clock=WALL) for t in counts)
    runnable = tuple(None if any(r is None for _, r, _ in results[t])
                     else summarize([r for _, r, _ in results[t]], clock=WALL) for t in counts)
    spans = tuple(summarize([s for _, _, s in results[t]], clock=WALL) for t in counts)
    scaling = Scaling(backend, True, tuple(counts), (1,) * len(counts), walls, walls[0], 1,
                      runnable, size)
    copies = () if read is None else tuple(summarize(results[("copy", t)], clock=WALL)
                                           for t in counts)
    return Cores(backend, size, scaling, read, copies,
                 0 if read is None else 16 * len(args[0]), spans)

