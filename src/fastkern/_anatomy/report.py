"""The anatomy's data model: immutable dataclasses and their versioned JSON format.

Times are seconds throughout; every measured time is a :class:`Timing` that keeps its
samples and names the clock that took them, so a saved report can be re-rendered and
re-judged. The model holds measurements only: every figure derived from them (speedups,
shares, fits, scaling, ...) is computed by :mod:`.derive`, with its uncertainty.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from typing import Optional, Tuple

from .settings import Settings

FORMAT = "fastkern-anatomy"
#: The rungs of the ladder, slowest first; numpy is a reference beside it.
LADDER = ("python", "compiled", "typed", "c")
#: Version 2: thread-CPU timings, runnable threads, load, repeats. Version 1 timed by wall clock.
VERSION = 2

#: The clock of figures about one thread's own work: that thread's CPU time.
CPU = "thread CPU"
#: The clock of figures about concurrency (threads, processes, event-loop lag).
WALL = "wall"
#: The "clock" of figures that are counted, not timed (bytes per element).
UNTIMED = "not timed"

#: Spread (interquartile range / median) above which a figure is marked noisy.
NOISY = 0.05
#: Spread above which a figure is marked unstable: "the result may be unstable".
UNSTABLE = 0.10
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
    measured: Tuple[float, ...] = ()
    """The samples as measured, where ``samples`` were scaled to the run's speed (see
    :func:`.steady.at_speed`); empty where they were not."""

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
                      None if self.wall is None else self.wall / operations, self.speeds,
                      tuple(s / operations for s in self.measured))


def variant(backend: str, release_gil: Optional[bool]) -> str:
    """A backend's label, naming the GIL when it is held by a backend that could release it."""
    return f"{backend} (GIL held)" if release_gil is False else backend


@dataclass(frozen=True)
class Rung:
    """One backend on pre-converted inputs."""

    backend: str
    time: Timing
    passes: Tuple[Timing, ...] = ()
    """The ladder's passes, where it was timed again at the end of the run (see
    :mod:`.passes`): ``time`` pools their samples."""


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
    """CPU seconds the worker processes used in all (so load can leave them out)."""


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
    """(rung or section, why) for each backend not timed: not buildable here, or disagreeing
    with python on the sample; and for a section that could not run."""
    cores: Optional[Cores] = None
    """One call on every core (``anatomy(..., cores=True)``, kernels that split)."""
    passes_apart: Optional[float] = None
    """Wall seconds from the start of the ladder's first pass to its last's."""
    passes_where: Optional[str] = None
    """Where the later passes ran: ``"a fresh interpreter"`` (each its own), or ``"this
    process: "`` and why (see :mod:`.passes`)."""

    def rung(self, backend: str) -> Optional[Rung]:
        return next((rung for rung in self.ladder if rung.backend == backend), None)

    @property
    def ladder_bottom(self) -> Optional[str]:
        """The lowest ladder rung timed (c when built): what python's time reduces to."""
        return next((b for b in ("c", "typed", "annotated", "compiled", "python") if self.rung(b)),
                    None)


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


@dataclass(frozen=True)
class RunSpread:
    """One figure's value in each of the repeated runs (None where a run did not resolve it)."""

    key: str
    values: Tuple[Optional[float], ...]


@dataclass(frozen=True)
class Report:
    """Everything one anatomy run measured, as returned by :func:`fastkern.anatomy`.

    ``print(report)`` (or ``report.render(width)``) shows it as ``fastkern report`` does;
    in a notebook it displays as HTML, and rich consoles print it directly. The fields are
    plain data: ``machine`` (what ran it), ``settings`` (how long it measured), one
    :class:`KernelReport` per kernel in ``kernels`` (see :meth:`kernel`), the
    kernel-independent sections ``boundary``, ``memory``, ``gc`` and ``features`` (None
    when not measured) and ``elapsed`` seconds. Times are seconds. :meth:`to_json` and
    :meth:`from_json` save and load it.
    """

    machine: Machine
    settings: Settings
    kernels: Tuple[KernelReport, ...]
    boundary: Optional[Boundary]
    memory: Optional[Memory]
    gc: Optional[GarbageCollection]
    features: Optional[Features]
    elapsed: float
    load: Tuple[Load, ...] = ()
    repeat: int = 1
    """How many times the measurements ran, interleaved; their samples are pooled."""
    spread: Tuple[RunSpread, ...] = ()
    """Each figure across the repeated runs (with ``repeat`` > 1)."""
    speed: Optional[float] = None
    """The machine's speed that thread-CPU timings are scaled to, the fastest the run read
    (a few seconds' readings at a time), as seconds of the fixed work of :mod:`.steady`
    (None where they are as measured, as by default: ``Settings.scale_to_speed``)."""

    def kernel(self, name: str) -> KernelReport:
        """The section of kernel ``name``; KeyError when the report did not measure it."""
        found = next((k for k in self.kernels if k.kernel == name), None)
        if found is None:
            raise KeyError(f"this report measured {', '.join(k.kernel for k in self.kernels)}, "
                           f"not {name!r}")
        return found

    def timings(self) -> list:
        """Every Timing in the report."""
        return list(_timings(self))

    def render(self, width: Optional[int] = None) -> str:
        """The text ``fastkern report`` prints, fitted to ``width`` columns.

        ``width`` defaults to the terminal's, else the ``COLUMNS`` environment variable,
        else 120. Plain text, without colour.
        """
        from . import render, terminal

        if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 1):
            raise ValueError(f"width must be a positive number of columns, got {width!r}")
        console = terminal.capture(width)
        render.render(self, console)
        return console.file.getvalue()

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        kernels = ", ".join(f"{k.kernel}({k.size})" for k in self.kernels)
        mode = "quick pass" if self.settings.quick else "full run"
        return f"<fastkern Report of {kernels}: {mode}, {self.elapsed:.0f} s; print() it to read it>"

    def __rich_console__(self, console, options):
        """Rich's display protocol: the report fitted to the console it is printed on."""
        from . import render, terminal

        for part in render.renderables(self):
            for piece in terminal.fitted(part, console, options.max_width):
                yield piece
                yield ""

    def _repr_html_(self) -> str:
        """The report as HTML, for notebooks (Jupyter calls this)."""
        from . import render, terminal

        console = terminal.capture(100)
        render.render(self, console)
        return console.export_html(inline_styles=True, code_format=_HTML)

    def to_json(self, indent: Optional[int] = 1) -> str:
        """The report as JSON text (a versioned format that :meth:`from_json` reads back),
        with every figure derived from it listed for other tools (not read back)."""
        from .figures import figures

        data = {"format": FORMAT, "version": VERSION, "report": dataclasses.asdict(self),
                "figures": [dataclasses.asdict(figure) for figure in figures(self)]}
        return json.dumps(data, indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Report:
        """A report from :meth:`to_json`'s text; ValueError when it is not one this
        version of fastkern reads."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ValueError(f"not a fastkern anatomy report (not JSON: {error})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a fastkern anatomy report (no format {FORMAT!r})")
        if data.get("version") == 1:
            raise ValueError("report format version 1 timed everything by wall clock, so its "
                             "figures cannot be judged as this version's are; measure again")
        if data.get("version") != VERSION:
            raise ValueError(f"report format version {data.get('version')!r} is not supported; "
                             f"this fastkern reads version {VERSION}")
        return decode(cls, data["report"])


#: The frame of :meth:`Report._repr_html_`'s output.
_HTML = '<pre style="font-family: monospace; line-height: 1.25">{code}</pre>'


def _timings(value):
    if isinstance(value, Timing):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _timings(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _timings(item)


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


def decode(kind, value):
    """``value`` as read from JSON, rebuilt as ``kind`` (a dataclass, tuple, Optional...)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Union:
        if value is None:
            return None
        return decode(next(arg for arg in args if arg is not type(None)), value)
    if origin is tuple:
        item = args[0]
        return tuple(decode(item, v) for v in value)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: decode(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.init and f.name in value})
    if kind is float and isinstance(value, int):
        return float(value)
    return value
