"""The ladder: every backend on pre-converted inputs, and python's time split by rung."""

from __future__ import annotations

from typing import Mapping, Sequence

from .inputs import raw_call
from .report import LADDER, Part, Rung, Timing, worst
from .timing import Timer

#: What the step from one rung down to the next removes.
STEPS = {
    ("python", "compiled"): "interpreter and generic dispatch",
    ("compiled", "typed"): "dynamic typing & boxing",
    ("typed", "c"): "C headroom",
    ("compiled", "annotated"): "dynamic typing & boxing",
    ("annotated", "c"): "C headroom",
}


def ladder_of(times: Mapping[str, object]) -> tuple[str, ...]:
    """The ladder's rungs; a registered kernel's annotated rung stands in for a missing typed."""
    if "annotated" in times and "typed" not in times:
        return tuple("annotated" if rung == "typed" else rung for rung in LADDER)
    return LADDER


def measure(kernel: str, size: int, backends: Sequence[str], timer: Timer) -> dict[str, Timing]:
    """Seconds per call of each backend at ``size``."""
    return timer.time_all({backend: raw_call(kernel, backend, size) for backend in backends})


def rungs(times: Mapping[str, Timing]) -> tuple[Rung, ...]:
    """Each backend's time, with its speedup over python."""
    base = times.get("python")
    return tuple(Rung(backend, timing, base.median / timing.median if base and timing.median > 0
                      else None) for backend, timing in times.items())


def decompose(times: Mapping[str, Timing]) -> tuple[Part, ...]:
    """Python's time as the differences between neighbouring ladder rungs, then the last rung.

    A rung that is missing merges the two steps around it into one part. Shares are
    fractions of python's time and add up to 1; a negative part means the lower rung
    was slower.
    """
    ladder = ladder_of(times)
    present = [backend for backend in ladder if backend in times]
    if not present or present[0] != "python":
        return ()
    total = times["python"].median
    parts = []
    for upper, lower in zip(present, present[1:]):
        names = [STEPS[step] for step in zip(ladder, ladder[1:])
                 if ladder.index(upper) <= ladder.index(step[0]) < ladder.index(lower)]
        seconds = times[upper].median - times[lower].median
        parts.append(Part(" + ".join(names), seconds, seconds / total,
                          worst(times[upper].stability, times[lower].stability)))
    last = times[present[-1]]
    parts.append(Part(f"remainder ({present[-1]} itself)", last.median, last.median / total,
                      last.stability))
    return tuple(parts)
