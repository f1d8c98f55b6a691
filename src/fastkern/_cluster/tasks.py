"""What runs on the workers: inputs made there, the timed tasks, and readings of the
worker process (memory, CPU, GIL contention, the host's load).

Imported by each worker (fastkern must be installed where the workers run). A worker
keeps each subject's prepared input in :data:`_INPUTS`, made once by :func:`prepare`, so
that a task's time is the work, not the transfer.
"""

from __future__ import annotations

import os
import pickle
import socket
import time
from typing import Optional

from .. import _dispatch
from .._anatomy import load, sched
from .._anatomy.inputs import prepared

#: Each subject's prepared input in this worker process, by (kernel, backend, size).
_INPUTS: dict = {}
#: The load meter of this host, started in one worker per host (see :func:`meter_start`).
_METER: list = []


def _inputs(kernel: str, backend: str, size: int) -> tuple:
    """The subject's input in this worker, made on first use."""
    key = (kernel, backend, size)
    if key not in _INPUTS:
        _INPUTS[key] = prepared(kernel, backend, size)
    return _INPUTS[key]


def prepare(kernel: str, backend: str, size: int) -> int:
    """Make the subject's input in this worker; the bytes sending it takes (a buffer's own
    bytes, other values pickled)."""
    return sum(_bytes(value) for value in _inputs(kernel, backend, size))


def _bytes(value: object) -> int:
    size = getattr(value, "nbytes", None)
    return size if isinstance(size, int) else len(pickle.dumps(value, protocol=5))


def calibrate(kernel: str, backend: str, size: int, tries: int = 3) -> float:
    """Thread CPU seconds of one call, the least of ``tries``."""
    call, args = _dispatch.implementation(kernel, backend), _inputs(kernel, backend, size)
    best = float("inf")
    for _ in range(tries):
        start = time.thread_time()
        call(*args)
        best = min(best, time.thread_time() - start)
    return best


def task(kernel: str, backend: str, size: int, repeats: int) -> tuple:
    """One task: ``repeats`` calls on the worker's input. Returns its thread CPU seconds
    and its runnable seconds (None where schedstat cannot be read)."""
    call, args = _dispatch.implementation(kernel, backend), _inputs(kernel, backend, size)
    probe = sched.probe()
    runnable = probe() if probe else None
    start = time.thread_time()
    for _ in range(repeats):
        call(*args)
    cpu = time.thread_time() - start
    return cpu, (probe() - runnable if probe else None)


def alone(kernel: str, backend: str, size: int, repeats: int, tasks: int) -> tuple:
    """One slot kept busy: ``tasks`` tasks' work back to back on this thread. Returns the
    wall seconds and thread CPU seconds it took."""
    call, args = _dispatch.implementation(kernel, backend), _inputs(kernel, backend, size)
    wall, cpu = time.perf_counter(), time.thread_time()
    for _ in range(tasks * repeats):
        call(*args)
    return time.perf_counter() - wall, time.thread_time() - cpu


def empty() -> None:
    """A task with no work: what the scheduler and the workers cost per task."""


def receive(*args: object) -> None:
    """A task that only receives its arguments: with them, what sending them costs."""


def memory() -> int:
    """Resident bytes of this worker process."""
    import psutil

    return psutil.Process().memory_info().rss


def identity() -> tuple:
    """This worker's host name, process id and fastkern version."""
    from .._info import version

    return socket.gethostname(), os.getpid(), version()


class HostMeter:
    """A :class:`load.Meter` of one host that counts the CPU of the cluster's own processes
    there (``cluster``: ids of its workers, nannies, scheduler, client) as the cluster's,
    and only the rest as other programs'. A process of the cluster gone meanwhile counts 0."""

    def __init__(self, cluster: list[int], read: sched.Reader = sched.read_text,
                 proc: str = sched.PROC, wall=time.perf_counter,
                 hertz: Optional[int] = None) -> None:
        self.cluster, self.read, self.proc = cluster, read, proc
        self.meter = load.Meter(read, wall, proc, hertz)
        self.before: dict[int, int] = {}

    def _ticks(self) -> dict[int, int]:
        return load.processes_ticks(self.cluster, self.read, self.proc)

    def start(self) -> None:
        self.before = self._ticks()
        self.meter.start()

    def stop(self) -> tuple[Optional[float], float]:
        """CPUs that other programs, and that the cluster's processes, kept busy on average."""
        after = self._ticks()
        ticks = {pid: after[pid] - self.before[pid] for pid in self.before if pid in after}
        mine = ticks.pop(os.getpid(), 0)  # the meter's own process, which it leaves out itself
        helpers = sum(ticks.values()) / self.meter.hertz
        found = self.meter.stop("cluster", [helpers])
        if found.seconds <= 0:
            return found.others, 0.0
        return found.others, (helpers + mine / self.meter.hertz) / found.seconds


def meter_start(cluster: list[int]) -> None:
    """Start this host's :class:`HostMeter` (in one worker per host)."""
    _METER[:] = [HostMeter(cluster)]
    _METER[0].start()


def meter_stop() -> Optional[tuple[Optional[float], float]]:
    """This host's load since :func:`meter_start`: (others', cluster's) CPUs."""
    return _METER.pop().stop() if _METER else None


def gil_mark(dask_worker) -> Optional[tuple]:
    """distributed's cumulative GIL contention, brought up to date, and when (None
    without gilknocker)."""
    monitor = dask_worker.monitor
    if not getattr(monitor, "monitor_gil_contention", False):
        return None
    monitor.update()
    return monitor.cumulative_gil_contention, time.monotonic()
