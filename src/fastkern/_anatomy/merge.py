"""Pooling repeated runs: the same measurements taken N times become one report.

Timings pool their samples (so every derived figure is computed over all rounds); other
numbers take their median over the runs; labels and settings come from the first run.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Sequence, TypeVar

from .model import Timing
from .model import summarize

T = TypeVar("T")


def pool(runs: Sequence[T]) -> T:
    """One value standing for the same value measured in each of ``runs``."""
    first = runs[0]
    if len(runs) == 1 or first is None or isinstance(first, (str, bool)):
        return first
    if isinstance(first, Timing):
        walls = [t.wall for t in runs if t.wall is not None]
        return summarize(_joined(runs, "samples"), first.loops, first.clock, wall=walls or None,
                         speeds=_joined(runs, "speeds"))
    if dataclasses.is_dataclass(first):
        return dataclasses.replace(first, **{
            f.name: pool([getattr(run, f.name) for run in runs])
            for f in dataclasses.fields(first) if f.init})
    if isinstance(first, tuple):
        if any(not isinstance(run, tuple) or len(run) != len(first) for run in runs):
            return first
        return tuple(pool(items) for items in zip(*runs))
    if isinstance(first, int):
        return statistics.median_low(runs)
    if isinstance(first, float):
        return statistics.median(runs)
    return first


def _joined(runs: Sequence[Timing], field: str) -> list[float]:
    """The runs' per-sample values of ``field`` one after another; empty unless every run
    has one per sample."""
    found = [getattr(t, field) for t in runs]
    if any(len(values) != len(t.samples) for values, t in zip(found, runs)):
        return []
    return [value for values in found for value in values]
