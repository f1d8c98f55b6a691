"""The cluster report's data: plain dataclasses of what was measured, nothing else.

Every timed quantity is kept round by round (the rounds of :mod:`.measure` interleave the
subjects of one layout), so a figure derived from it carries its per-round values and
their spread. This module imports nothing that measures, starts processes or displays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Layout:
    """How a cluster's workers are laid out: ``workers`` processes in all over ``hosts``
    machines, each running ``threads`` task threads."""

    hosts: int
    workers: int
    threads: int

    @property
    def slots(self) -> int:
        """Tasks the cluster runs at once."""
        return self.workers * self.threads

    @property
    def name(self) -> str:
        """``2 threads x 1 process`` (with the hosts where there are several)."""
        threads = f"{self.threads} thread{'s' if self.threads > 1 else ''}"
        processes = f"{self.workers} process{'es' if self.workers > 1 else ''}"
        hosts = f" on {self.hosts} hosts" if self.hosts > 1 else ""
        return f"{threads} x {processes}{hosts}"

    @property
    def short(self) -> str:
        """What a finding calls it: ``2 threads``, ``2 processes``, ``2 processes x 2 threads``."""
        if self.workers == self.hosts and self.threads > 1:
            return f"{self.threads} threads" + (f" on each of {self.hosts} hosts" if self.hosts > 1 else "")
        if self.threads == 1:
            return f"{self.workers} processes" if self.workers > 1 else "1 thread"
        return f"{self.workers} processes x {self.threads} threads"

    @property
    def flags(self) -> str:
        """The ``dask worker`` options that start this layout on each host."""
        return f"--nworkers {max(1, self.workers // self.hosts)} --nthreads {self.threads}"


@dataclass(frozen=True)
class Subject:
    """One rung of one kernel as a task: ``repeats`` calls at ``size``."""

    kernel: str
    backend: str
    size: int
    repeats: int
    """Calls in one task, so that a task lasts about the settings' task time."""
    call: float
    """Thread CPU seconds of one call, alone on a worker (the calibration)."""
    input_bytes: int
    """Bytes of the call's prepared input: what sending it with a task carries."""

    @property
    def label(self) -> str:
        return f"{self.kernel}({self.size}) {self.backend}"


@dataclass(frozen=True)
class Rounds:
    """One subject in one layout, one value per round in each field."""

    subject: Subject
    tasks: int
    """Tasks in each batch that fills every slot."""
    alone: Tuple[float, ...]
    """Tasks per second of one slot kept busy: one task running ``tasks / slots`` tasks'
    work back to back on one worker thread, timed inside it."""
    rate: Tuple[float, ...]
    """Tasks per second of the batch over every slot, from submission to the last result."""
    cpu: Tuple[float, ...]
    """Mean thread CPU seconds of a task in the batch."""
    cpu_alone: Tuple[float, ...]
    """Thread CPU seconds of a task's work in the one-slot run."""
    runnable: Tuple[float, ...] = ()
    """Mean runnable seconds (on a CPU or waiting for one) of a task in the batch; empty
    where the workers cannot read schedstat."""
    gil: Tuple[float, ...] = ()
    """distributed's GIL contention over each batch, averaged over the workers; empty
    without gilknocker."""


@dataclass(frozen=True)
class Sending:
    """What sending one subject's input with a task costs, measured apart from the work."""

    subject: str
    input_bytes: int
    seconds: Tuple[float, ...]
    """A task carrying the input, round trip, less an empty task's, per try."""


@dataclass(frozen=True)
class HostLoad:
    host: str
    others: Optional[float]
    """CPUs that programs other than the cluster kept busy on average (None: not read)."""
    cluster: Optional[float] = None
    """CPUs the cluster's own processes on the host (workers, nannies, scheduler, the
    client) kept busy on average (None: not read)."""


@dataclass(frozen=True)
class Incident:
    """Something that cost the measurement: a worker lost, a round dropped."""

    subject: str
    round: int
    workers_lost: int
    seconds: float
    """Wall seconds of the batch that was dropped (its work was done again or not at all)."""
    what: str


@dataclass(frozen=True)
class LayoutRun:
    """One layout: the cluster's costs and every subject's rounds."""

    layout: Layout
    local: bool
    """Started by fastkern (and torn down), or the user's cluster as it is."""
    startup: float
    """Seconds from asking for the cluster to every worker ready (0 for the user's)."""
    empty: Tuple[float, ...]
    """The scheduler's cost per task: a batch of empty tasks' wall seconds over their
    number, per round."""
    subjects: Tuple[Rounds, ...]
    sending: Tuple[Sending, ...]
    memory: Tuple[int, ...]
    """Resident bytes of each worker process once every subject's inputs were made."""
    load: Tuple[HostLoad, ...]
    incidents: Tuple[Incident, ...] = ()
    stopped: Optional[str] = None
    """Why the layout's rounds stopped early (None: all ran)."""


@dataclass(frozen=True)
class Settings:
    """How long and how often a layout is measured."""

    rounds: int = 5
    """Interleaved rounds: every subject's batch and one-slot run once in each."""
    fills: int = 3
    """Times a batch fills every slot (tasks per batch = fills x slots)."""
    task_time: float = 0.2
    """Thread CPU seconds a task lasts alone (its calls are repeated to reach it). Where the
    tasks fill every core, each task's start waits for the worker's event loop to get a CPU
    back from them, which an empty task's cost does not show: longer tasks dilute it."""
    empty_tasks: int = 20
    """Empty tasks per slot in the batch that measures the scheduler's cost per task."""
    sends: int = 3
    """Tries at sending each subject's input."""


#: ``--quick``: fewer, shorter rounds.
QUICK = Settings(rounds=3, fills=3, task_time=0.04, empty_tasks=10, sends=2)
