"""The GIL: a fixed batch of calls shared by T threads, or by T worker processes.

The batch is the same for every T (strong scaling), so a kernel that runs in parallel
finishes it T times sooner and one serialised by the GIL does not. Threads and
processes are started before the clock starts; inputs are converted beforehand.

Both are about concurrency, so they are timed by the wall clock, which other programs
slow down too. Beside it each worker reports its runnable time (:mod:`.sched`): threads
runnable at once is ~T when the code lets T threads run and ~1 when the GIL serialises
them, however busy the machine is.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
import multiprocessing
import os
import pickle
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Sequence

from .. import _dispatch
from .load import processes_ticks, ticks_per_second
from .._boundary import OBJECTS
from .._info import free_threaded
from .._rungs import RUNGS
from .._kernels import KERNELS
from . import sched
from .inputs import prepared, raw_call, size_for_work
from .._report.figure import WALL
from .model import Processes, Scaling
from .timing import Clock, Timer
from .model import summarize

#: sys.setswitchinterval while threads are timed: longer than a batch. A thread waiting for
#: the GIL wakes every interval to ask for it; on a busy machine each wake-up waits for a
#: CPU, which is runnable time, so at Python's default (5 ms) threads that take turns read
#: as partly runnable at once on a busy machine. With no wake-ups during a batch,
#: serialised threads run one after the other and threads that release the GIL are
#: unaffected.
SWITCH_INTERVAL = 1.0
#: Rungs that run Python objects on the calling thread: without a GIL, in parallel too.
OBJECT_RUNGS = tuple(rung.name for rung in RUNGS if rung.form == OBJECTS)

def thread_variants(kernel: str, backends: Sequence[str]) -> list[tuple]:
    """python, and each backend that can release the GIL: released and held where it
    chooses; without a GIL (free-threaded) also compiled, which then runs in parallel too."""
    interpreted = OBJECT_RUNGS if free_threaded() else ("python",)
    variants = []
    for backend in backends:
        if _dispatch.chooses_gil(kernel, backend):
            variants += [(backend, True), (backend, False)]
        elif backend in interpreted or _dispatch.releases_gil(kernel, backend):
            variants.append((backend, None))
    return variants

#: A batch's wall seconds, its workers' summed runnable seconds (None: not reported) and
#: their summed seconds on a CPU (None: not counted).
Result = tuple[float, Optional[float], Optional[float]]
Batch = Callable[[int, int], Result]


def share(total: int, workers: int) -> int:
    """Calls per worker so that ``workers`` of them do at least ``total`` calls."""
    return max(1, math.ceil(total / workers))


@contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Run the block with ``sys.setswitchinterval(seconds)``, restoring the old interval."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def threaded_batch(call: Callable[[], object], threads: int, calls: int, clock: Clock,
                   probe: Optional[sched.Probe] = None,
                   cpu_clock: Optional[Clock] = None) -> Result:
    """``threads`` threads, released together, make ``calls`` calls each.

    Returns the wall seconds from the release to the last thread's last call and, with a
    ``probe``, the threads' summed runnable seconds, with a ``cpu_clock`` (a thread's CPU
    time) their summed seconds on a CPU. All are taken by the workers: the release is when
    the last party reached the start line, and each worker's runnable time counts from
    before it waits there, so the wait for a CPU after the release is counted too; none
    includes this thread's own wake-up after the join.
    """
    start_line = threading.Barrier(threads + 1)
    arrived: list = []
    finished: list = []
    runnable: list = []
    on_cpu: list = []

    def worker() -> None:
        before = probe() if probe else 0.0
        used = cpu_clock() if cpu_clock else 0.0
        arrived.append(clock())
        start_line.wait()
        for _ in range(calls):
            call()
        finished.append(clock())
        if cpu_clock:
            on_cpu.append(cpu_clock() - used)
        if probe:
            runnable.append(probe() - before)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    arrived.append(clock())
    start_line.wait()
    for thread in pool:
        thread.join()
    return (max(finished) - max(arrived), sum(runnable) if probe else None,
            sum(on_cpu) if cpu_clock else None)


def wall_of(result: Result) -> float:
    """A batch's wall seconds: what its rounds stop on (see :meth:`.Timer.rounds`)."""
    return result[0]


def scaling(backend: str, release_gil: Optional[bool], workers: Sequence[int], total: int,
            batch: Batch, timer: Timer, reference: Optional[Batch] = None) -> Scaling:
    """Time ``batch(workers, calls_each)`` for each worker count, in interleaved rounds.

    The one-thread reference is ``reference(1, total)`` (default: this batch with one
    worker), sampled in the same rounds.
    """
    calls = [t * share(total, t) for t in workers]
    batches = {t: functools.partial(batch, t, share(total, t)) for t in workers}
    batches["reference"] = functools.partial(reference or batch, 1, total)
    if reference is None and 1 in workers:
        del batches["reference"]
    results = timer.rounds(batches, wall_of)
    results.setdefault("reference", results.get(1))

    def walls(key) -> object:
        return summarize([wall for wall, _, _ in results[key]], clock=WALL)

    def counted(key, field: int) -> object:
        found = [result[field] for result in results[key]]
        return None if None in found else summarize(found, clock=WALL)

    return Scaling(backend, release_gil, tuple(workers), tuple(calls),
                   tuple(walls(t) for t in workers), walls("reference"), total,
                   tuple(counted(t, 1) for t in workers), on_cpu=tuple(counted(t, 2) for t in workers))


def long_args(kernel: str, backend: str, size: int, per_call: float,
              min_call: float) -> tuple[tuple, Optional[int], float]:
    """Raw arguments for a call lasting at least ``min_call``, where the kernel allows it.

    Returns the arguments, their size if it differs from ``size``, and the estimated
    seconds per call. Short calls would measure the GIL's hand-over at every call, not
    the kernel, and runnable time is exact only to a scheduler tick.
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
    probe = sched.probe()
    for backend, release_gil in variants:
        if backend not in inputs:
            inputs[backend] = long_args(kernel, backend, size, per_call[backend], min_call)
        args, bigger, seconds = inputs[backend]
        call = raw_call(kernel, backend, size, release_gil, args=args)
        total = max(max(workers), math.ceil(thread_time / seconds))

        def batch(t: int, calls: int, call=call) -> Result:
            return threaded_batch(call, t, calls, timer.wall, probe, time.thread_time)

        with switch_interval(SWITCH_INTERVAL):
            result = scaling(backend, release_gil, workers, total, batch, timer)
        results.append(dataclasses.replace(result, size=bigger))
    return tuple(results)


def run_calls(kernel: str, module: Optional[str], args: tuple,
              calls: int) -> tuple[int, float, Optional[float]]:
    """Worker-side: ``calls`` calls of the python backend on inputs shipped once.

    ``module`` is imported first: it registers a kernel defined outside fastkern.
    Returns the worker's pid, its CPU seconds so far, and its runnable seconds in the calls.
    """
    if module is not None:
        importlib.import_module(module)
    impl = _dispatch.implementation(kernel, "python")
    probe = sched.probe()
    before = probe() if probe else 0.0
    for _ in range(calls):
        impl(*args)
    return os.getpid(), time.process_time(), probe() - before if probe else None


def accept(args: tuple) -> tuple[int, float]:
    """Worker-side: receive inputs and do nothing, to time the shipping alone. Returns the
    worker's pid and its CPU seconds so far (unpickling the inputs is the worker's work)."""
    return os.getpid(), time.process_time()


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
    """T worker processes running the python backend; the pool starts outside the timed region.

    One pool of the largest T serves every T (a batch for T workers is T tasks). The
    reference is one thread of this process running the same batch.
    """
    module = KERNELS[kernel].implementations.module
    args = prepared(kernel, "python", size)
    in_process = raw_call(kernel, "python", size, args=args)
    total = max(max(workers), math.ceil(thread_time / per_call))
    wall = timer.wall
    probe = sched.probe()
    cpu: dict = {}
    served = _server_cpu()
    start = wall()
    pool = ProcessPoolExecutor(max(workers), mp_context=_start_method())
    try:
        for future in [pool.submit(_ready) for _ in range(max(workers))]:
            future.result()
        pool.submit(run_calls, kernel, module, args, 1).result()
        startup = wall() - start

        def batch(t: int, calls: int) -> Result:
            start = wall()
            done = [future.result() for future in
                    [pool.submit(run_calls, kernel, module, args, calls) for _ in range(t)]]
            seconds = wall() - start
            for pid, used, _ in done:
                cpu[pid] = max(cpu.get(pid, 0.0), used)
            counted = [busy for _, _, busy in done]
            return seconds, None if None in counted else sum(counted), None

        def one_thread(t: int, calls: int) -> Result:
            return threaded_batch(in_process, t, calls, wall, probe)

        result = scaling("python", None, workers, total, batch, timer, one_thread)
        trips = timer.rounds({"empty": lambda: _trip(pool, (), wall, cpu),
                              "inputs": lambda: _trip(pool, args, wall, cpu)})
    finally:
        pool.shutdown()
    return Processes(result, startup, summarize(trips["empty"], clock=WALL),
                     summarize(trips["inputs"], clock=WALL), len(pickle.dumps(args)),
                     sum(cpu.values()) + _server_cpu() - served)


def _server_cpu() -> float:
    """CPU seconds the forkserver has used itself (importing what it preloads, forking
    workers; not its workers' time), 0 where there is none: it is the pool's work, which
    the first pool of a run would otherwise count as other programs' load."""
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid is None:
        return 0.0
    return processes_ticks([pid]).get(pid, 0) / ticks_per_second()


def _trip(pool: ProcessPoolExecutor, args: tuple, wall: Clock, cpu: dict) -> float:
    """Wall seconds of one round trip shipping ``args``; ``cpu`` keeps each worker's CPU."""
    start = wall()
    pid, used = pool.submit(accept, args).result()
    seconds = wall() - start
    cpu[pid] = max(cpu.get(pid, 0.0), used)
    return seconds
