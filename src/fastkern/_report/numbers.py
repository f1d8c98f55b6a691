"""Numbers as people read them: durations, ratios, shares, counts, and the marks of a
figure that is noisy, unstable or not resolved."""

from __future__ import annotations

from typing import Optional

from .estimate import (ABOVE_FULL, INCONSISTENT, NEAR_FULL, NEAR_ZERO, NEGATIVE, SWAMPED,
                       Estimate)
from .figure import NOISY, UNSTABLE

MARKS = {"stable": "", "noisy": "~", "unstable": "!"}
UNRESOLVED = "not resolved"
#: Short marks for why a figure is not resolved, so a table cell stays one short line; the
#: legend spells each out once. A reason without a mark is written out in the cell.
REASON_MARKS = {reason: f"({letter})" for letter, reason in
                zip("abcdef", (NEAR_ZERO, NEGATIVE, NEAR_FULL, ABOVE_FULL, SWAMPED, INCONSISTENT))}
#: The legend of the stability marks; each reason's mark follows where it is used.
LEGEND = (f"~ noisy (spread above {NOISY:.0%} of the median); ! unstable (above "
          f"{UNSTABLE:.0%}); {UNRESOLVED} or ?: the figure's interval over rounds does not "
          f"fit the values it can take, so no number is shown")


def legend_of(reasons: list[str]) -> str:
    """:data:`LEGEND` with the mark of each of ``reasons`` spelled out."""
    return LEGEND + "".join(f"; {REASON_MARKS[reason]} {reason}" for reason in reasons)


#: The legend with every reason's mark.
FULL_LEGEND = legend_of(list(REASON_MARKS))


def seconds(value: float) -> str:
    """A duration with a unit that keeps three significant figures."""
    magnitude = abs(value)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if magnitude >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def ratio(value: float) -> str:
    return f"{value:.3g}x"


def share(value: float) -> str:
    """A fraction as a whole percentage; one that rounds to zero prints as 0%, never -0%."""
    return f"{value:.0%}" if round(value * 100) else "0%"


def unresolved(reason: Optional[str]) -> str:
    """``not resolved (b)``: the reason's mark from :data:`REASON_MARKS`, or the reason itself."""
    return f"{UNRESOLVED} {REASON_MARKS.get(reason) or f'({reason})'}"


def fraction(estimate: Estimate) -> str:
    """A resolved fraction as a percentage (at most 100%), or why it is not resolved."""
    if not estimate.resolved:
        return unresolved(estimate.reason)
    return share(min(max(estimate.value, 0.0), 1.0))


def duration(estimate: Estimate) -> str:
    """A resolved derived duration, or why it is not resolved."""
    return seconds(estimate.value) if estimate.resolved else unresolved(estimate.reason)


def times(estimate: Estimate) -> str:
    """A resolved ratio, or why it is not resolved."""
    return ratio(estimate.value) if estimate.resolved else unresolved(estimate.reason)


def count(value: float) -> str:
    """A count to about three significant figures, in thousands (k) or millions (M)."""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def mark(stability: str) -> str:
    return MARKS[stability]


def span(shown: list[str]) -> str:
    """The smallest and largest of already formatted figures, as a range ("1.02–1.15")."""
    ordered = sorted(dict.fromkeys(shown), key=number)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]}–{ordered[-1]}"


def number(text: str) -> float:
    """A figure as printed, back to a number: a duration in seconds ("5.2 ms"), else its
    digits ("1.3x" is 1.3)."""
    digits = "".join(ch for ch in text.split()[0] if ch.isdigit() or ch in ".-")
    scale = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}.get(text.split()[-1], 1.0) \
        if " " in text else 1.0
    return float(digits or 0) * scale


def join(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def brief(estimate: Estimate, shown: str) -> str:
    """``shown`` where ``estimate`` is resolved, else ``?`` and the reason's mark (as
    ``?(a)``), for cells of condensed tables."""
    if estimate.resolved:
        return shown
    return "?" + (REASON_MARKS.get(estimate.reason) or f"({estimate.reason})")
