"""Least-squares line through time against work: fixed cost per call and cost per unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class Fit:
    """``time = intercept + slope * work``, least squares weighted by 1/time²."""

    intercept: float
    slope: float
    r2: float


def fit_line(work: Sequence[float], seconds: Sequence[float],
             weights: Optional[Sequence[float]] = None) -> Fit:
    """The weighted least-squares line ``seconds = intercept + slope * work``.

    Weights default to ``1 / seconds**2``, which minimises *relative* error: the small sizes
    then pin down the intercept (the fixed cost of a call) and the large ones the slope,
    instead of the largest time deciding both.
    """
    if len(work) != len(seconds) or len(set(work)) < 2:
        raise ValueError("a fit needs at least two different amounts of work")
    if weights is None:
        weights = [1.0 / (t * t) if t > 0 else 1.0 for t in seconds]
    total = sum(weights)
    mean_x = sum(w * x for w, x in zip(weights, work)) / total
    mean_y = sum(w * y for w, y in zip(weights, seconds)) / total
    sxx = sum(w * (x - mean_x) ** 2 for w, x in zip(weights, work))
    sxy = sum(w * (x - mean_x) * (y - mean_y) for w, x, y in zip(weights, work, seconds))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    residual = sum(w * (y - intercept - slope * x) ** 2 for w, x, y in zip(weights, work, seconds))
    spread = sum(w * (y - mean_y) ** 2 for w, y in zip(weights, seconds))
    return Fit(intercept=intercept, slope=slope, r2=1.0 - residual / spread if spread > 0 else 1.0)
