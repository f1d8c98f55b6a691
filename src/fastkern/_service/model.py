"""The service report's data: immutable dataclasses of what was measured, nothing else.

Times are seconds, rates requests per second. One :class:`Window` is one scenario sent
for one stretch of time in one round; the figures of :mod:`.figures` are derived from the
windows, round by round. This module imports nothing that measures or displays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from .._anatomy.model import Load, Machine


@dataclass(frozen=True)
class Latencies:
    """One stream's requests in one window."""

    planned: int
    sent: int
    answered: int
    errors: int
    unanswered: int
    p50: float
    p99: float
    max: float
    """Latency from each request's intended send time; unanswered ones count at the time
    they were waited for."""
    achieved: float
    """Answered requests per second of the window."""

    @property
    def completed(self) -> float:
        """The share of planned requests answered."""
        return self.answered / self.planned if self.planned else 0.0


@dataclass(frozen=True)
class Generator:
    """The load generator's own figures in one window."""

    send_lag_p99: float
    send_lag_max: float
    cpu: float
    """CPU seconds per wall second (1.0: a whole core)."""
    behind: bool
    """Whether it fell behind (send lag above its bound, or requests never sent)."""


@dataclass(frozen=True)
class Scenario:
    """One way of serving the work: ``route`` at ``rate`` on a server of ``workers``
    processes and ``tokens`` thread-pool tokens (None: AnyIO's default, 40)."""

    name: str
    kernel: Optional[str]
    rung: Optional[str]
    mode: Optional[str]
    """"async", "def", "def-held", "pool", "workers", or None for the baseline."""
    route: Optional[str]
    workers: int = 1
    tokens: Optional[int] = None


@dataclass(frozen=True)
class Window:
    """One scenario sent for one window in one round (or at one rate of the sweep)."""

    scenario: str
    round: int
    offered: float
    """The work route's offered rate (0 for the baseline)."""
    work: Optional[Latencies]
    victim: Optional[Latencies]
    lag_p99: Optional[float]
    lag_max: Optional[float]
    """The event loop's lag, over every probed worker's heartbeats pooled."""
    work_cpu: Optional[float]
    """Median thread CPU seconds of one request's work, inside the server (over every
    probed worker's requests pooled)."""
    server_cpu: Optional[float]
    """CPU seconds the server's processes used per answered request (of all routes)."""
    generator: Generator
    load: Optional[Load]
    """What other processes kept busy meanwhile (the server and the generator left out)."""
    probed: int = 1
    """The server's worker processes whose probes were read: the loop lags and work CPU
    times above are all of theirs, pooled (0 where the server has no probes)."""
    worker_lag_p99: Tuple[float, ...] = ()
    """Each probed worker's own loop lag p99, where there are several: a stall in one worker,
    which pooling its heartbeats with the others' dilutes."""


@dataclass(frozen=True)
class ServiceReport:
    """Everything one service run measured; see :mod:`.report` for how it shows itself."""

    machine: Machine
    target: str
    """What was served: "fastkern kernels", a user's "module:app", or a URL."""
    probes: bool
    """Whether the server was wrapped in the probes (victim route, loop lag, CPU)."""
    request_sizes: Tuple[Tuple[str, int], ...]
    """Each kernel and the size its requests call it at."""
    victim_rate: float
    work_rate: float
    window: float
    rounds: int
    bound: float
    """The victim's p99 a rate of the sweep must stay under to count as served."""
    served: float
    """The share of the work's requests a rate of the sweep must answer to count as served."""
    scenarios: Tuple[Scenario, ...]
    windows: Tuple[Window, ...]
    sweep: Tuple[Window, ...]
    elapsed: float
    sweep_window: Optional[float] = None
    """Seconds of each window of the sweep (None in reports that did not record it)."""
