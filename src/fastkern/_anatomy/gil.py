"""The GIL: a fixed batch of calls shared by T threads, or by T worker processes.

The batch is the same for every T (strong scaling), so a kernel that runs in parallel
finishes it T times sooner and one serialised by the GIL does not. Threads and
processes are started before the clock starts; inputs are converted beforehand.
"""

from __future__ import annotations

import math
import pickle
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Optional, Sequence

from .. import _dispatch
from .inputs import prepared, raw_call
from .report import Processes, Scaling, Timing
from .timing import Clock, Timer

#: The variants timed under threads: (backend, release_gil).
THREAD_VARIANTS = (("python", None), ("typed", True), ("typed", False), ("c", True), ("c", False))


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


def scaling(backend: str, release_gil: Optional[bool], workers: Sequence[int], total: int,
            batch: Callable[[int, int], float], timer: Timer,
            one_thread: Optional[float] = None) -> Scaling:
    """Time ``batch(workers, calls_each)`` for each worker count and derive the efficiency.

    The reference ``one_thread`` (seconds per call) defaults to this batch with one worker.
    """
    calls = [t * share(total, t) for t in workers]
    walls = [timer.repeat(lambda t=t: batch(t, share(total, t))) for t in workers]
    if one_thread is None:
        one_thread = (walls[workers.index(1)].median / calls[workers.index(1)] if 1 in workers
                      else timer.repeat(lambda: batch(1, total)).median / total)
    return Scaling(backend, release_gil, tuple(workers), tuple(calls), tuple(walls),
                   efficiency(workers, calls, [w.median for w in walls], one_thread))


def threads(kernel: str, size: int, variants: Sequence[tuple], workers: Sequence[int],
            per_call: dict, timer: Timer, thread_time: float) -> tuple[Scaling, ...]:
    """Thread scaling of each (backend, release_gil) variant, one thread as the reference.

    ``per_call`` maps each backend to its seconds per call, which sizes the batch.
    """
    results = []
    for backend, release_gil in variants:
        call = raw_call(kernel, backend, size, release_gil)
        total = max(max(workers), math.ceil(thread_time / per_call[backend]))

        def batch(t: int, calls: int, call=call) -> float:
            return threaded_batch(call, t, calls, timer.clock)

        results.append(scaling(backend, release_gil, list(workers), total, batch, timer))
    return tuple(results)


def run_calls(kernel: str, args: tuple, calls: int) -> None:
    """Worker-side: ``calls`` calls of the python backend on inputs shipped once."""
    impl = _dispatch.implementation(kernel, "python")
    for _ in range(calls):
        impl(*args)


def accept(args: tuple) -> None:
    """Worker-side: receive inputs and do nothing, to time the shipping alone."""


def _ready() -> None:
    time.sleep(0.05)


def processes(kernel: str, size: int, workers: Sequence[int], one_thread: float, timer: Timer,
              thread_time: float) -> Processes:
    """T worker processes running the python backend; pools start outside the timed region."""
    args = prepared(kernel, "python", size)
    total = max(max(workers), math.ceil(thread_time / one_thread))
    clock = timer.clock
    pools, startup = {}, []
    try:
        for t in workers:
            start = clock()
            pool = pools[t] = ProcessPoolExecutor(t)
            for future in [pool.submit(_ready) for _ in range(t)]:
                future.result()
            pool.submit(run_calls, kernel, args, 1).result()
            startup.append(clock() - start)

        def batch(t: int, calls: int) -> float:
            start = clock()
            for future in [pools[t].submit(run_calls, kernel, args, calls) for _ in range(t)]:
                future.result()
            return clock() - start

        result = scaling("python", None, list(workers), total, batch, timer, one_thread)
        first = pools[workers[0]]
        round_trip = timer.time(lambda: first.submit(accept, ()).result())
        shipping = timer.time(lambda: first.submit(accept, args).result())
    finally:
        for pool in pools.values():
            pool.shutdown()
    return Processes(result, tuple(startup), round_trip, shipping, len(pickle.dumps(args)))


def one_thread_time(scalings: Sequence[Scaling], fallback: Timing) -> float:
    """Python's seconds per call on one thread, from its thread scaling when measured."""
    python = next((s for s in scalings if s.backend == "python" and 1 in s.workers), None)
    if python is None:
        return fallback.median
    index = python.workers.index(1)
    return python.walls[index].median / python.calls[index]
