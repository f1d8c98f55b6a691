"""The cluster report's figures, derived round by round from what :mod:`.model` holds.

Each figure is an :class:`~fastkern._report.estimate.Estimate`: the median over rounds,
the interquartile interval, and the per-round values (what ``compare`` tests).
"""

from __future__ import annotations

from typing import Optional, Sequence

from .._report.estimate import NEAR_FULL, NEAR_ZERO, Estimate, bounded, rounds
from .model import LayoutRun, Rounds

#: Slots beyond T that a scaling or parallelism may show from noise before it is not resolved.
SLACK = 0.1


def _zipped(function, *series: Sequence[float]) -> Optional[Estimate]:
    values = [function(*values) for values in zip(*series)]
    return rounds(values) if values else None


def _within(estimate: Optional[Estimate], slots: int) -> Optional[Estimate]:
    """Not resolved where beyond ``slots`` (plus :data:`SLACK`) or below 0 beyond noise."""
    if estimate is None:
        return None
    checked = bounded(estimate, floor=0.0, ceiling=slots + SLACK)
    return estimate if checked.reason in (NEAR_FULL, NEAR_ZERO) else checked


def rate(row: Rounds) -> Optional[Estimate]:
    """Tasks per second over every slot."""
    return _zipped(lambda r: r, row.rate)


def alone(row: Rounds) -> Optional[Estimate]:
    """Tasks per second of one slot kept busy."""
    return _zipped(lambda r: r, row.alone)


def scaling(row: Rounds, slots: int) -> Optional[Estimate]:
    """Every slot's tasks per second over one slot's, round by round."""
    return _within(_zipped(lambda r, a: r / a if a > 0 else 0.0, row.rate, row.alone), slots)


def parallelism(row: Rounds, slots: int) -> Optional[Estimate]:
    """CPUs the tasks kept busy: tasks per second times a task's thread CPU seconds."""
    return _within(_zipped(lambda r, c: r * c, row.rate, row.cpu), slots)


def runnable(row: Rounds, slots: int) -> Optional[Estimate]:
    """Task threads runnable at once: tasks per second times a task's runnable seconds."""
    if not row.runnable:
        return None
    return _within(_zipped(lambda r, c: r * c, row.rate, row.runnable), slots)


def cpu_growth(row: Rounds) -> Optional[Estimate]:
    """A task's thread CPU time in the batch over alone: above 1 where the tasks slow each
    other down on a CPU (memory bandwidth, caches), not by waiting."""
    return _zipped(lambda c, a: c / a if a > 0 else 0.0, row.cpu, row.cpu_alone)


def gil(row: Rounds) -> Optional[Estimate]:
    """distributed's GIL contention during the batches (0..1)."""
    return _zipped(lambda g: g, row.gil) if row.gil else None


def task_seconds(row: Rounds) -> Optional[Estimate]:
    """A task's thread CPU seconds alone."""
    return _zipped(lambda c: c, row.cpu_alone)


def empty(run: LayoutRun) -> Optional[Estimate]:
    """The scheduler's seconds per empty task in a batch."""
    return _zipped(lambda e: e, run.empty)


def overhead(run: LayoutRun, row: Rounds) -> Optional[Estimate]:
    """The scheduler's share of a slot's time per task: per-task cost x slots over the
    task's own seconds, round by round."""
    slots = run.layout.slots
    return _zipped(lambda e, c: e * slots / c if c > 0 else 0.0, run.empty, row.cpu_alone)


def send(seconds: Sequence[float]) -> Optional[Estimate]:
    """Seconds a task carrying the input takes over an empty one's; not resolved within
    noise of 0 (a small input)."""
    found = _zipped(lambda s: s, seconds)
    return None if found is None else bounded(found, floor=0.0, ceiling=None)


def memory(run: LayoutRun) -> int:
    """Resident bytes of every worker process together."""
    return sum(run.memory)
