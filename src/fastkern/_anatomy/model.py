"""The anatomy's data: immutable dataclasses that hold what was measured, nothing else.

Times are seconds throughout; every measured time is a :class:`Timing` that keeps its
samples and names the clock that took them, so a saved report can be re-rendered and
re-judged. Every figure derived from them (speedups, shares, fits, scaling, ...) is
computed by :mod:`.derive`, with its uncertainty; :class:`.report.Report` holds one run.
This module imports nothing that measures or displays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

from .._report.estimate import quartiles
from .._report.figure import CPU, NOISY, UNSTABLE

STABLE = "stable"


def stability(spread: float) -> str:
    """The name of the threshold band a spread falls in."""
    if spread > UNSTABLE:
        return "unstable"
    if spread > NOISY:
        return "noisy"
    return STABLE


@dataclass(frozen=True)
class Timing:
    """Seconds per call: one figure per sample, each sample averaging ``loops`` calls."""

    samples: Tuple[float, ...]
    loops: int
    median: float
    iqr: float
    clock: str = CPU
    """The clock the samples were taken with: :data:`CPU` or :data:`WALL`."""
    wall: Optional[float] = None
    """Median wall-clock seconds per call, kept beside a :data:`CPU` timing."""
    speeds: Tuple[float, ...] = ()
    """The machine's own speed in each sample's round: seconds a fixed piece of Python
    work took by the same clock (see :mod:`.steady`); empty where it was not read."""

    @property
    def spread(self) -> float:
        """Interquartile range as a fraction of the median."""
        return self.iqr / self.median if self.median > 0 else 0.0

    @property
    def stability(self) -> str:
        return stability(self.spread)

    def per(self, operations: int) -> Timing:
        """The same timing per operation, when each call performs ``operations`` of them."""
        return Timing(tuple(s / operations for s in self.samples), self.loops * operations,
                      self.median / operations, self.iqr / operations, self.clock,
                      None if self.wall is None else self.wall / operations, self.speeds)


def summarize(per_call: Sequence[float], loops: int = 1, clock: str = CPU,
              wall: Optional[Sequence[float]] = None, speeds: Sequence[float] = ()) -> Timing:
    """A :class:`Timing` from per-call seconds, one figure per sample, by ``clock``.

    ``wall`` holds the same samples' wall-clock seconds, kept beside as their median;
    ``speeds`` the machine's speed reading in each sample's round.
    """
    q1, median, q3 = quartiles(sorted(per_call))
    return Timing(samples=tuple(per_call), loops=loops, median=median, iqr=q3 - q1, clock=clock,
                  wall=quartiles(sorted(wall))[1] if wall else None, speeds=tuple(speeds))



def variant(backend: str, release_gil: Optional[bool]) -> str:
    """A backend's label, naming the GIL when it is held by a backend that could release it."""
    return f"{backend} (GIL held)" if release_gil is False else backend


@dataclass(frozen=True)
class Rung:
    """One backend on pre-converted inputs."""

    backend: str
    time: Timing
    passes: Tuple[Timing, ...] = ()
    """The rung in each of the ladder's passes (see :mod:`.ladder`); ``time`` pools them."""


@dataclass(frozen=True)
class Passes:
    """How a kernel's ladder was timed: in several passes spread over the run (see
    :mod:`.ladder`)."""

    count: int
    apart: float
    """Wall seconds from the start of the first pass to the start of the last."""
    fresh: int
    """Passes that ran each in a fresh interpreter of its own."""
    why_not_fresh: Optional[str] = None
    """Why the other later passes ran in this process (None where none did)."""


@dataclass(frozen=True)
class CallCost:
    """A backend timed at several sizes, and the line through time against work."""

    backend: str
    sizes: Tuple[int, ...]
    work: Tuple[int, ...]
    times: Tuple[Timing, ...]


@dataclass(frozen=True)
class DispatchCost:
    """``fastkern.<kernel>(..., backend=X)`` against the raw callable on prepared inputs."""

    backend: str
    size: int
    dispatched: Timing
    raw: Timing


@dataclass(frozen=True)
class Scaling:
    """T threads (or processes) sharing a fixed batch of calls, for each T."""

    backend: str
    release_gil: Optional[bool]
    workers: Tuple[int, ...]
    calls: Tuple[int, ...]
    """Calls in all at each T."""
    walls: Tuple[Timing, ...]
    """Wall seconds per batch at each T."""
    reference: Timing
    """Wall seconds of one thread making ``total`` calls, sampled in the same rounds."""
    total: int
    runnable: Tuple[Optional[Timing], ...]
    """The workers' summed runnable seconds (on a CPU or in a run queue) per batch, at each
    T; None where the system does not report it."""
    size: Optional[int] = None
    """The kernel's size in these calls, where it differs from the ladder's."""
    on_cpu: Tuple[Optional[Timing], ...] = ()
    """The workers' summed seconds on a CPU (their thread CPU time) per batch, at each T;
    empty, or None at a T, where not counted."""

    @property
    def label(self) -> str:
        return variant(self.backend, self.release_gil)


@dataclass(frozen=True)
class Processes:
    """Worker processes running the python backend; inputs are pickled to each task."""

    scaling: Scaling
    startup: float
    """Seconds to start the pool of the largest T (not in the timed region)."""
    round_trip: Timing
    """An empty task sent to a worker and back."""
    shipping: Timing
    """A task carrying the kernel's inputs, sent and acknowledged."""
    input_bytes: int
    worker_cpu: float = 0.0
    """CPU seconds the pool used in all, its workers and the server that forks them (so
    load can leave them out)."""


@dataclass(frozen=True)
class Gil:
    usable_cores: int
    threads: Tuple[Scaling, ...]
    processes: Optional[Processes]


@dataclass(frozen=True)
class Cores:
    """One call split over T threads (``threads=T``), for T = 1..usable cores."""

    backend: str
    size: int
    scaling: Scaling
    """Wall seconds of the one call at each T (``calls`` all 1; the reference is T=1) and
    its threads' summed runnable seconds."""
    bytes_read: Optional[int] = None
    """Bytes one call reads, for kernels bound by memory (sum, dot); else None."""
    copies: Tuple[Timing, ...] = ()
    """Wall seconds of T threads copying ``copy_bytes`` between them, at each T (sum, dot)."""
    copy_bytes: int = 0
    """Bytes a copy probe moves: read and written."""
    spans: Tuple[Timing, ...] = ()
    """Wall seconds the runnable time was counted in, at each T: from the call's start until
    it returned or its last worker exited, whichever came later."""


@dataclass(frozen=True)
class Stall:
    """Lag of an event loop ticking every ``tick`` seconds while a kernel runs in a thread."""

    backend: Optional[str]
    """None for the idle loop, the reference."""
    release_gil: Optional[bool]
    calls: int
    ticks: int
    worst: float
    p99: float
    median: float

    @property
    def label(self) -> str:
        return "idle loop" if self.backend is None else variant(self.backend, self.release_gil)


@dataclass(frozen=True)
class Boxes:
    """The numbers one call of a compiled rung boxes and drops, per unit of work: float and
    int objects freed during the call (see :mod:`._boxes`). A count, not a timing."""

    backend: str
    floats: float
    ints: float


@dataclass(frozen=True)
class KernelReport:
    kernel: str
    size: int
    unit: str
    work: int
    ladder: Tuple[Rung, ...]
    costs: Tuple[CallCost, ...]
    dispatch: Tuple[DispatchCost, ...]
    gil: Optional[Gil]
    stall: Tuple[Stall, ...]
    absent: Tuple[Tuple[str, str], ...] = ()
    """(rung or section, why) for each backend not timed: not buildable on this machine, or
    disagreeing with python on the sample; and for a section that could not run."""
    cores: Optional[Cores] = None
    """One call on every core (``anatomy(..., cores=True)``, kernels that split)."""
    passes: Optional[Passes] = None
    """How the ladder's passes were timed (None: once, in the kernel's section)."""
    boxes: Tuple[Boxes, ...] = ()
    """Numbers boxed per unit on each compiled rung of the ladder, slowest first."""

    def rung(self, backend: str) -> Optional[Rung]:
        return next((rung for rung in self.ladder if rung.backend == backend), None)


@dataclass(frozen=True)
class Boundary:
    """A float64 buffer converted to a list of floats and back, as fastkern's boundary does."""

    elements: int
    to_list: Timing
    to_buffer: Timing


@dataclass(frozen=True)
class Memory:
    elements: int
    list_bytes: float
    """Bytes per element of a list of floats (the list and its float objects)."""
    buffer_bytes: float
    """Bytes per element of a float64 buffer."""
    in_order: Timing
    """Summing a list whose floats were allocated in list order."""
    scattered: Timing
    """Summing the same values whose floats were allocated in shuffled order."""


@dataclass(frozen=True)
class GarbageCollection:
    kernel: str
    size: int
    enabled: Timing
    disabled: Timing
    collections: Tuple[float, ...]
    """Collections per call, by generation (averaged over as many calls as a sample)."""
    pause: float
    """Seconds per call spent inside the collector (likewise averaged)."""


@dataclass(frozen=True)
class FeaturePair:
    """A language feature against the plainer way to the same effect, per operation."""

    feature: str
    plain: str
    feature_time: Timing
    plain_time: Timing


@dataclass(frozen=True)
class Features:
    loop: Timing
    """One iteration of an empty ``for`` loop, included in every figure below."""
    pairs: Tuple[FeaturePair, ...]


@dataclass(frozen=True)
class Machine:
    cpu: str
    usable_cores: int
    python: str
    implementation: str
    free_threaded_build: bool
    gil_disabled: bool
    compiler: Optional[str]
    c_flags: Optional[str]
    cython: Optional[str]
    fastkern: str
    backends: Tuple[str, ...]
    platform: str
    timestamp: str
    load: Optional[float] = None
    """The 1-minute load average when the run began, where the OS reports one."""
    cpu_quota: Optional[float] = None
    """The cgroup CPU limit in cores, where one is set."""
    autogroup: Optional[str] = None
    """This process's CFS autogroup where autogroups are on (``/proc/self/autogroup``)."""
    schedstat: bool = False
    """Whether threads' runnable time could be read (``/proc/self/task/<tid>/schedstat``)."""


@dataclass(frozen=True)
class Load:
    """What other processes used of the CPUs while one section ran."""

    section: str
    seconds: float
    """Wall seconds the section took."""
    others: Optional[float]
    """CPUs other processes kept busy on average (None where ``/proc/stat`` is absent)."""
    reference: Optional[float] = None
    """Thread CPU seconds a fixed piece of Python work took right after the section: the
    machine's own speed (see :mod:`.steady`)."""

    @property
    def busy(self) -> bool:
        """Whether others kept at least :data:`BUSY_CPUS` busy: enough to cap the section's
        wall-clock figures."""
        return self.others is not None and self.others >= BUSY_CPUS


#: The speed probe times its fixed work (``Settings.speed_loops`` steps in all) in this many
#: parts and keeps the least (see :mod:`.steady`).
SPEED_REPEATS = 3
#: Other processes using at least this many CPUs on average made a section "busy".
BUSY_CPUS = 0.25
#: The sections of each kernel, in the order they run; each is timed for load as
#: "<kernel>: <section>".
KERNEL_STEPS = ("ladder", "per-call cost", "dispatch", "threads", "processes", "event loop")
#: The section of ``cores=True``, for kernels that split one call over threads.
CORES_STEP = "one call, all cores"
#: Each of the ladder's later passes, after every other section.
LATER_PASS = "ladder again"
#: The kernel-independent sections.
SHARED_STEPS = ("boundary", "memory", "garbage collection", "language features")


@dataclass(frozen=True)
class RunSpread:
    """One figure's value in each of the repeated runs (None where a run did not resolve it)."""

    key: str
    values: Tuple[Optional[float], ...]


def all_timings(value):
    """Every Timing in ``value`` (a dataclass, tuple or Timing), depth first."""
    if isinstance(value, Timing):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from all_timings(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from all_timings(item)


def map_timings(value, function):
    """``value`` with every Timing in it replaced by ``function(timing)``."""
    if isinstance(value, Timing):
        return function(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{
            field.name: map_timings(getattr(value, field.name), function)
            for field in dataclasses.fields(value) if field.init})
    if isinstance(value, tuple):
        return tuple(map_timings(item, function) for item in value)
    return value
