"""The GIL: a fixed batch of calls shared by T threads, or by T worker processes.

The batch is the same for every T (strong scaling), so a kernel that runs in parallel
finishes it T times sooner and one serialised by the GIL does not. Threads and
processes are started before the clock starts; inputs are converted beforehand.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
import multiprocessing
import pickle
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Optional, Sequence

from .. import _dispatch
from .._kernels import KERNELS
from .inputs import prepared, raw_call, size_for_work
from .report import Processes, Scaling
from .timing import Clock, Timer

#: The variants timed under threads for the built-in kernels: (backend, release_gil).
THREAD_VARIANTS = (("python", None), ("typed", True), ("typed", False), ("c", True), ("c", False))


def thread_variants(kernel: str, backends: Sequence[str]) -> list[tuple]:
    """python, and each backend that can release the GIL: released and held where it chooses."""
    variants = []
    for backend in backends:
        if _dispatch.chooses_gil(kernel, backend):
            variants += [(backend, True), (backend, False)]
        elif backend == "python" or _dispatch.releases_gil(kernel, backend):
            variants.append((backend, None))
    return variants


def efficiency(workers: Sequence[int], calls: Sequence[int], walls: Sequence[float],
               one_thread: float) -> tuple[float, ...]:
    """Throughput with T workers over T times one thread's (``one_thread`` seconds per call)."""
    return tuple((n / wall) / (t / one_thread) for t, n, wall in zip(workers, calls, walls))


def share(total: int, workers: int) -> int:
    """Calls per worker so that ``workers`` of them do at least ``total`` calls."""
    return max(1, math.ceil(total / workers))


def threaded_batch(call: Callable[[], object], threads: int, calls: int, clock: Clock) -> float:
    """Seconds for ``threads`` threads, released together, to make ``calls`` calls each."""
    start_line = threading.Barrier(threads + 1)

    def worker() -> None:
        start_line.wait()
        for _ in range(calls):
            call()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    start_line.wait()
    start = clock()
    for thread in pool:
        thread.join()
    return clock() - start


Batch = Callable[[int, int], float]


def scaling(backend: str, release_gil: Optional[bool], workers: Sequence[int], total: int,
            batch: Batch, timer: Timer, reference: Optional[Batch] = None) -> Scaling:
    """Time ``batch(workers, calls_each)`` for each worker count and derive the efficiency.

    The one-thread reference is ``reference(1, total)`` (default: this batch with one
    worker); its samples are interleaved with the others'.
    """
    calls = [t * share(total, t) for t in workers]
    batches = {t: functools.partial(batch, t, share(total, t)) for t in workers}
    if reference is not None or 1 not in workers:
        batches["reference"] = functools.partial(reference or batch, 1, total)
    walls = timer.repeat_all(batches)
    one_thread = walls.get("reference", walls.get(1)).median / total
    return Scaling(backend, release_gil, tuple(workers), tuple(calls),
                   tuple(walls[t] for t in workers),
                   efficiency(workers, calls, [walls[t].median for t in workers], one_thread))


def long_args(kernel: str, backend: str, size: int, per_call: float,
              min_call: float) -> tuple[tuple, Optional[int], float]:
    """Raw arguments for a call lasting at least ``min_call``, where the kernel allows it.

    Returns the arguments, their size if it differs from ``size``, and the estimated
    seconds per call. Short calls would measure the GIL's hand-over at every call, not
    the kernel.
    """
    if per_call < min_call:
        work = KERNELS[kernel].work
        bigger = size_for_work(kernel, work(size) * min_call / per_call, lowest=size)
        try:
            return prepared(kernel, backend, bigger), bigger, per_call * work(bigger) / work(size)
        except (TypeError, ValueError, MemoryError):
            pass
    return prepared(kernel, backend, size), None, per_call


def threads(kernel: str, size: int, variants: Sequence[tuple], workers: Sequence[int],
            per_call: dict, timer: Timer, thread_time: float,
            min_call: float = 0.0) -> tuple[Scaling, ...]:
    """Thread scaling of each (backend, release_gil) variant, one thread as the reference.

    ``per_call`` maps each backend to its seconds per call at ``size``; faster backends
    are called at a larger size so that each call lasts at least ``min_call``. A
    backend's inputs are prepared once for all its variants.
    """
    inputs: dict = {}
    results = []
    for backend, release_gil in variants:
        if backend not in inputs:
            inputs[backend] = long_args(kernel, backend, size, per_call[backend], min_call)
        args, bigger, seconds = inputs[backend]
        call = raw_call(kernel, backend, size, release_gil, args=args)
        total = max(max(workers), math.ceil(thread_time / seconds))

        def batch(t: int, calls: int, call=call) -> float:
            return threaded_batch(call, t, calls, timer.clock)

        result = scaling(backend, release_gil, workers, total, batch, timer)
        results.append(dataclasses.replace(result, size=bigger))
    return tuple(results)


def run_calls(kernel: str, module: Optional[str], args: tuple, calls: int) -> None:
    """Worker-side: ``calls`` calls of the python backend on inputs shipped once.

    ``module`` is imported first: it registers a kernel defined outside fastkern.
    """
    if module is not None:
        importlib.import_module(module)
    impl = _dispatch.implementation(kernel, "python")
    for _ in range(calls):
        impl(*args)


def accept(args: tuple) -> None:
    """Worker-side: receive inputs and do nothing, to time the shipping alone."""


def _start_method() -> multiprocessing.context.BaseContext:
    """A clean way to start workers: forking a process that runs threads can deadlock."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["fastkern"])
        return context
    return multiprocessing.get_context("spawn")


def _ready() -> None:
    time.sleep(0.05)


def processes(kernel: str, size: int, workers: Sequence[int], per_call: float, timer: Timer,
              thread_time: float) -> Processes:
    """T worker processes running the python backend; pools start outside the timed region.

    The reference is one thread of this process running the same batch.
    """
    own = KERNELS[kernel].own
    module = None if own is None else own.module
    args = prepared(kernel, "python", size)
    in_process = raw_call(kernel, "python", size, args=args)
    total = max(max(workers), math.ceil(thread_time / per_call))
    clock = timer.clock
    pools, startup = {}, []
    try:
        for t in workers:
            start = clock()
            pool = pools[t] = ProcessPoolExecutor(t, mp_context=_start_method())
            for future in [pool.submit(_ready) for _ in range(t)]:
                future.result()
            pool.submit(run_calls, kernel, module, args, 1).result()
            startup.append(clock() - start)

        def batch(t: int, calls: int) -> float:
            start = clock()
            for future in [pools[t].submit(run_calls, kernel, module, args, calls) for _ in range(t)]:
                future.result()
            return clock() - start

        def one_thread(t: int, calls: int) -> float:
            return threaded_batch(in_process, t, calls, clock)

        result = scaling("python", None, workers, total, batch, timer, one_thread)
        first = pools[workers[0]]
        trips = timer.time_all({"empty": lambda: first.submit(accept, ()).result(),
                                "inputs": lambda: first.submit(accept, args).result()})
    finally:
        for pool in pools.values():
            pool.shutdown()
    return Processes(result, tuple(startup), trips["empty"], trips["inputs"], len(pickle.dumps(args)))
