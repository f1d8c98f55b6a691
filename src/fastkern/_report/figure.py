"""A report's figures as one flat list, and its run-to-run noise: what every report type
gives ``fastkern compare`` and the JSON.

A :class:`Figure` is keyed by subject (``nbody(2000)`` or a section's name), section and
label; its :class:`~.estimate.Estimate` keeps the figure in every round, which ``compare``
tests against another run's.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from .estimate import Estimate

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

#: Units of figures: seconds, a ratio, a fraction (shown as %), a number of threads,
#: a bandwidth, bytes.
SECONDS, RATIO, FRACTION, THREADS, BANDWIDTH, BYTES = "s", "x", "%", "threads", "GB/s", "B"


@dataclass(frozen=True)
class Figure:
    subject: str
    """``nbody(2000)``, or the shared section's name."""
    section: str
    label: str
    unit: str
    clock: str
    estimate: Estimate
    passes: int = 1
    """How many separate passes over the run its rounds were sampled in: the ladder's
    passes for its times, speedups and shares; 1 for a figure timed in one stretch."""
    relative: tuple[float, ...] = ()
    """The figure in each round with every time in it taken relative to the machine's own
    speed in that round (a fixed piece of work timed by the same clock around the round):
    what ``compare`` tests, so that a machine that ran slower for a while is not read as a
    slower program. Empty where the report did not read its speed."""
    sensitivity: float = 1.0
    """How many times a relative change in the timings it is computed from moves the figure
    (the root of the sum of squares of each timing's): 1 for a timing itself, more for a
    difference of two timings or a fitted fixed cost. ``compare`` scales the run-to-run
    noise of a timing by it."""

    @property
    def key(self) -> str:
        return f"{self.subject} | {self.section} | {self.label}"

    @property
    def rounds(self) -> tuple[float, ...]:
        """The figure in each round it was computed from (see :attr:`.derive.Estimate.rounds`):
        what ``compare`` tests."""
        return self.estimate.rounds


@dataclass(frozen=True)
class Noise:
    """A report's run-to-run noise: the variance of the logarithm of a figure measured in
    several separate passes about its mean, pooled over figures; ``df`` its degrees of
    freedom (0 where no figure was measured in two passes or more: the noise is unknown).
    ``compare`` adds it to every figure's variance (see :mod:`.compare`)."""

    variance: float = 0.0
    df: int = 0
    relative: Optional[Noise] = None
    """The same noise of the figures taken relative to the machine's speed
    (:attr:`Figure.relative`); None where the report did not read its speed."""

    @property
    def known(self) -> bool:
        return self.df > 0

    @property
    def spread(self) -> float:
        """One standard deviation as a relative change (0.12: about 12%)."""
        return math.exp(math.sqrt(self.variance)) - 1


def pooled_noise(groups: Iterable[Sequence[float]], relative: Optional[Noise] = None,
                 typical: bool = False) -> Noise:
    """The :class:`Noise` of figures each measured once per pass: ``groups`` holds each
    figure's values, one per pass (values at or below 0 are left out); ``relative`` is the
    same taken relative to the machine's speed, where known.

    The variance is the figures' sum of squares about their means over their degrees of
    freedom; with ``typical``, the median over figures of each one's variance (each scaled
    by the median of a chi-square over its degrees of freedom, so that normal noise gives
    the same variance either way): the noise of a typical figure, which a few figures timed
    while the machine ran slow do not inflate for all the others."""
    squares, df, each = 0.0, 0, []
    for values in groups:
        logs = [math.log(value) for value in values if value > 0]
        if len(logs) >= 2:
            mean = statistics.fmean(logs)
            own = sum((x - mean) ** 2 for x in logs)
            squares += own
            df += len(logs) - 1
            each.append(own / (len(logs) - 1) / _chi_square_median(len(logs) - 1))
    if not df:
        return Noise(0.0, 0, relative)
    return Noise(statistics.median(each) if typical else squares / df, df, relative)


def _chi_square_median(df: int) -> float:
    """The median of a chi-square variable over its ``df`` degrees of freedom
    (Wilson-Hilferty)."""
    return (1 - 2 / (9 * df)) ** 3
