"""A derived figure with the interval its measurements support, and why it is not resolved.

Every report type derives its figures round by round (timings compared with each other are
sampled in the same rounds): a figure's value is the median over rounds and its interval the
interquartile range. It is *resolved* when the interval fits the range the quantity can
take; otherwise it carries the reason it is not, and is shown as "not resolved".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import statistics
from typing import Optional, Sequence, Tuple

#: Why a figure is not resolved.
NEAR_ZERO = "within noise of 0"
NEAR_FULL = "within noise of 100%"
ABOVE_FULL = "above 100% beyond noise"
NEGATIVE = "below 0 beyond noise"
INCONSISTENT = "inconsistent: no collections ran, yet the times differ beyond noise"
#: Why the dispatch layer's cost is not given where the call itself does real work.
SWAMPED = "the call's own work swamps it"


@dataclass(frozen=True)
class Estimate:
    """A derived figure: its value, the interval its measurements support, and whether it
    is resolved (``reason`` is None) or why not."""

    value: float
    low: float
    high: float
    reason: Optional[str] = None
    rounds: Tuple[float, ...] = field(default=(), repr=False, compare=False)
    """The figure in each round it was computed from, in round order (what ``compare``
    tests); one value for a figure measured once."""

    @property
    def resolved(self) -> bool:
        return self.reason is None

    def why(self, reason: Optional[str]) -> Estimate:
        return dataclasses.replace(self, reason=reason)

    def scaled(self, factor: float) -> Estimate:
        """The same figure in other units: every value times ``factor``."""
        return Estimate(self.value * factor, self.low * factor, self.high * factor,
                        self.reason, tuple(r * factor for r in self.rounds))


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile, interpolated as by ``method="inclusive"``."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def rounds(values: Sequence[float]) -> Estimate:
    """Median and interquartile interval of per-round values."""
    low, value, high = quartiles(sorted(values))
    return Estimate(value, low, high, rounds=tuple(values))


def bounded(estimate: Estimate, floor: Optional[float] = 0.0, ceiling: Optional[float] = 1.0,
            below: str = NEGATIVE) -> Estimate:
    """Resolved only if the interval fits in ``floor``..``ceiling``; else the reason why."""
    if floor is not None and estimate.high < floor:
        return estimate.why(below)
    if ceiling is not None and estimate.low > ceiling:
        return estimate.why(ABOVE_FULL)
    if floor is not None and estimate.low < floor:
        return estimate.why(NEAR_ZERO)
    if ceiling is not None and estimate.high > ceiling:
        return estimate.why(NEAR_FULL)
    return estimate
