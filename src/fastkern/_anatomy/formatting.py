"""Numbers as people read them: durations, ratios, shares, sizes and stability marks."""

from __future__ import annotations

from .report import NOISY, UNSTABLE

MARKS = {"stable": "", "noisy": "~", "unstable": "!"}
LEGEND = (f"~ noisy (spread above {NOISY:.0%} of the median); "
          f"! unstable (spread above {UNSTABLE:.0%}): the result may be unstable")


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


def count(value: float) -> str:
    """A count to about three significant figures, in thousands (k) or millions (M)."""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def call(kernel: str, size: int) -> str:
    """``nbody(2000)``: the kernel as called with its size argument."""
    return f"{kernel}({size})"


def mark(stability: str) -> str:
    return MARKS[stability]


def workload(work: int, unit: str) -> str:
    """``4.1k pixels``: an amount of work in its unit."""
    return f"{count(work)} {unit}{'' if work == 1 else 's'}"
