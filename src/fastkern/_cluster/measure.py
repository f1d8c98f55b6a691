"""One layout measured: inputs made on the workers, the scheduler's cost per task, what
sending an input costs, then interleaved rounds of every subject's batch.

In each round, each subject runs twice: a batch of ``fills x slots`` equal tasks over
every slot (tasks per second from submission to the last result), and one slot kept busy
(one task doing ``fills`` tasks' work back to back, timed inside it: no scheduler round
trip between tasks inflates the one-slot figure). The order of the two alternates from
round to round. A round in which a worker is lost is dropped and recorded as an
:class:`~.model.Incident`; the layout goes on once the workers are back.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .._anatomy.inputs import prepared
from . import tasks
from .model import HostLoad, Incident, Layout, LayoutRun, Rounds, Sending, Settings, Subject

Progress = Callable[[str], None]
#: Seconds to wait for lost workers to come back (a nanny restarts a local one).
RECOVER_TIMEOUT = 30.0
#: What each round records of a subject.
_FIELDS = ("alone", "rate", "cpu", "cpu_alone", "runnable", "gil")


@dataclass(frozen=True)
class Spec:
    """A subject before calibration."""

    kernel: str
    backend: str
    size: int

    @property
    def label(self) -> str:
        return f"{self.kernel}({self.size}) {self.backend}"


class WorkerLost(Exception):
    def __init__(self, lost: int, seconds: float, what: str):
        super().__init__(what)
        self.lost, self.seconds, self.what = lost, seconds, what


def _guarded(client, expected: set, work: Callable[[], object]) -> object:
    """``work()``, or :class:`WorkerLost` if the cluster's workers changed meanwhile."""
    start = time.perf_counter()
    try:
        result = work()
    except Exception as error:  # KilledWorker, CommClosedError, ...: judged by the workers
        now = set(client.nthreads())
        if now == expected:
            raise
        raise WorkerLost(len(expected - now) or 1, time.perf_counter() - start,
                         f"{type(error).__name__}") from None
    now = set(client.nthreads())
    if now != expected:
        raise WorkerLost(len(expected - now), time.perf_counter() - start,
                         "a worker was replaced")
    return result


def _prepare(client, specs: Sequence[Spec]) -> dict[Spec, int]:
    """Make every subject's input on every worker; the pickled bytes of each."""
    return {spec: max(client.run(tasks.prepare, spec.kernel, spec.backend, spec.size).values())
            for spec in specs}


def _calibrate(client, spec: Spec, input_bytes: int, settings: Settings) -> Subject:
    call = client.submit(tasks.calibrate, spec.kernel, spec.backend, spec.size,
                         pure=False).result()
    repeats = max(1, round(settings.task_time / call)) if call > 0 else 1
    return Subject(spec.kernel, spec.backend, spec.size, repeats, call, input_bytes)


def _round_trip(client, function, *args) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():  # "Sending large graph": that is what is measured
        warnings.simplefilter("ignore", UserWarning)
        client.submit(function, *args, pure=False).result()
    return time.perf_counter() - start


def _sending(client, subject: Subject, settings: Settings) -> Sending:
    args = prepared(subject.kernel, subject.backend, subject.size)
    seconds = []
    for _ in range(settings.sends):
        empty = _round_trip(client, tasks.empty)
        seconds.append(_round_trip(client, tasks.receive, *args) - empty)
    return Sending(subject.label, subject.input_bytes, tuple(seconds))


def _empty(client, layout: Layout, settings: Settings) -> float:
    count = settings.empty_tasks * layout.slots
    start = time.perf_counter()
    client.gather(client.map(tasks.receive, range(count), pure=False))
    return (time.perf_counter() - start) / count


def _gil(client) -> dict:
    return client.run(tasks.gil_mark)


def _contention(before: dict, after: dict) -> Optional[float]:
    """Mean GIL contention over the workers between two marks (None if any lacks one)."""
    shares = []
    for address, mark in after.items():
        first = before.get(address)
        if mark is None or first is None or mark[1] <= first[1]:
            return None
        shares.append((mark[0] - first[0]) / (mark[1] - first[1]))
    return statistics.fmean(shares) if shares else None


def _batch(client, subject: Subject, count: int) -> tuple:
    """Tasks per second over every slot, mean CPU and runnable seconds of a task, GIL."""
    marks = _gil(client)
    start = time.perf_counter()
    futures = client.map(tasks.task, [subject.kernel] * count, [subject.backend] * count,
                         [subject.size] * count, [subject.repeats] * count, pure=False)
    results = client.gather(futures)
    wall = time.perf_counter() - start
    gil = _contention(marks, _gil(client))
    runnable = [r for _, r in results]
    return (count / wall, statistics.fmean(c for c, _ in results),
            None if None in runnable else statistics.fmean(runnable), gil)


def _alone(client, subject: Subject, fills: int) -> tuple:
    """Tasks per second of one slot kept busy, and CPU seconds of one task's work."""
    wall, cpu = client.submit(tasks.alone, subject.kernel, subject.backend, subject.size,
                              subject.repeats, fills, pure=False).result()
    return fills / wall, cpu / fills


def _cluster_processes(client, found: dict[str, tuple], own_host: str) -> dict[str, list[int]]:
    """The ids of the cluster's own processes on each host: its workers, their nannies, the
    scheduler and this client (the nannies and the scheduler are asked with builtins, so
    they need not have fastkern; one that does not answer is left out)."""
    hosts: dict[str, set[int]] = {}
    for host, pid, *_rest in found.values():
        hosts.setdefault(host, set()).add(pid)
    hosts.setdefault(own_host, set()).add(os.getpid())
    with contextlib.suppress(Exception):  # a worker without a nanny, one lost meanwhile
        for address, pid in client.run(os.getpid, nanny=True, on_error="ignore").items():
            if address in found and isinstance(pid, int):
                hosts[found[address][0]].add(pid)
    with contextlib.suppress(Exception):  # a scheduler that cannot run the call
        scheduler = client.run_on_scheduler(socket.gethostname), client.run_on_scheduler(os.getpid)
        if scheduler[0] in hosts:
            hosts[scheduler[0]].add(scheduler[1])
    return {host: sorted(pids) for host, pids in hosts.items()}


class _Meters:
    """The load on each host over the layout's run: a :class:`load.Meter` in one worker per
    host, which counts the CPU of the cluster's own processes there (workers, nannies,
    scheduler, this client) as the cluster's and only the rest as other programs'."""

    def __init__(self, client, found: dict[str, tuple], own_host: str):
        self.client, self.found = client, found
        self.hosts: dict[str, list[str]] = {}
        for address, (host, *_rest) in found.items():
            self.hosts.setdefault(host, []).append(address)
        processes = _cluster_processes(client, found, own_host)
        for host, addresses in self.hosts.items():
            client.run(tasks.meter_start, processes[host], workers=[addresses[0]])

    def stop(self) -> tuple[HostLoad, ...]:
        """Each host's load; None where the worker holding its meter, or another of its
        workers, was lost meanwhile (their CPU seconds are gone with them)."""
        now = set(self.client.nthreads())
        found = []
        for host, addresses in self.hosts.items():
            if any(address not in now for address in addresses):
                found.append(HostLoad(host, None))
                continue
            read = self.client.run(tasks.meter_stop, workers=[addresses[0]]).get(addresses[0])
            found.append(HostLoad(host, *read) if read else HostLoad(host, None))
        return tuple(found)


def run_layout(client, layout: Layout, local: bool, specs: Sequence[Spec], settings: Settings,
               found: dict[str, tuple], own_host: str, startup: float,
               progress: Progress = lambda step: None) -> LayoutRun:
    """Measure every subject in one layout of a running cluster."""
    progress(f"{layout.name}: inputs")
    sizes = _prepare(client, specs)
    subjects = [_calibrate(client, spec, sizes[spec], settings) for spec in specs]
    memory = tuple(client.run(tasks.memory).values())
    progress(f"{layout.name}: sending inputs")
    sending = tuple(_sending(client, subject, settings) for subject in subjects)
    meters = _Meters(client, found, own_host)
    count = settings.fills * layout.slots
    rows: dict[str, dict[str, list]] = {subject.label: {key: [] for key in _FIELDS}
                                        for subject in subjects}
    empty: list[float] = []
    incidents: list[Incident] = []
    stopped = None
    expected = set(client.nthreads())
    for index in range(settings.rounds):
        if stopped:
            break
        progress(f"{layout.name}: round {index + 1}")
        try:
            empty.append(_guarded(client, expected, lambda: _empty(client, layout, settings)))
        except WorkerLost as lost:
            incidents.append(Incident("empty tasks", index + 1, lost.lost, lost.seconds, lost.what))
            expected, stopped = _recover(client, layout, specs)
        turn = index % len(subjects)
        for subject in subjects[turn:] + subjects[:turn]:
            if stopped:
                break
            try:
                values = _subject_round(client, expected, subject, settings.fills, count,
                                        flip=index % 2 == 1)
            except WorkerLost as lost:
                incidents.append(Incident(subject.label, index + 1, lost.lost, lost.seconds, lost.what))
                expected, stopped = _recover(client, layout, specs)
                continue
            for key, value in values.items():
                rows[subject.label][key].append(value)
    load = meters.stop() if not stopped else ()
    rounds = tuple(_rounds(subject, count, rows[subject.label]) for subject in subjects)
    return LayoutRun(layout, local, startup, tuple(empty), rounds, sending, memory, load,
                     tuple(incidents), stopped)


def _subject_round(client, expected: set, subject: Subject, fills: int, count: int,
                   flip: bool) -> dict[str, Optional[float]]:
    """One subject's round: one slot kept busy and the batch over every slot (the batch
    first where ``flip``); each of :data:`_FIELDS`. :class:`WorkerLost` if a worker was."""
    runs = {"alone": lambda: _alone(client, subject, fills),
            "batch": lambda: _batch(client, subject, count)}
    results = {name: _guarded(client, expected, runs[name])
               for name in (("batch", "alone") if flip else ("alone", "batch"))}
    alone_rate, cpu_alone = results["alone"]
    rate, cpu, runnable, gil = results["batch"]
    return {"alone": alone_rate, "cpu_alone": cpu_alone, "rate": rate, "cpu": cpu,
            "runnable": runnable, "gil": gil}


def _rounds(subject: Subject, count: int, row: dict[str, list]) -> Rounds:
    optional = {key: () if None in row[key] else tuple(row[key]) for key in ("runnable", "gil")}
    return Rounds(subject, count, tuple(row["alone"]), tuple(row["rate"]), tuple(row["cpu"]),
                  tuple(row["cpu_alone"]), **optional)


def _recover(client, layout: Layout, specs: Sequence[Spec]) -> tuple[set, Optional[str]]:
    """Wait for the layout's workers to be back and make their inputs again; the workers
    now, and why the layout stops where they do not come back."""
    try:
        client.wait_for_workers(layout.workers, timeout=RECOVER_TIMEOUT)
        _prepare(client, specs)
    except (TimeoutError, OSError) as error:
        return set(client.nthreads()), (f"{layout.workers - len(client.nthreads())} worker(s) "
                                        f"did not come back within {RECOVER_TIMEOUT:g} s "
                                        f"({type(error).__name__})")
    return set(client.nthreads()), None
