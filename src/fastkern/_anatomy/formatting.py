"""Anatomy figures in words: threads at once, calls, workloads and shares of python's time."""

from __future__ import annotations

from typing import Optional

from .._report.estimate import Estimate
from .._report.numbers import count, share, unresolved
from .derive import Part
from .model import SPEED_REPEATS


def at_once(estimate: Estimate, workers: int) -> str:
    """Threads runnable at once (at most the number of workers), or why not resolved."""
    if not estimate.resolved:
        return unresolved(estimate.reason)
    return f"{min(max(estimate.value, 0.0), workers):.2f}"


def cpus(value: Optional[float]) -> str:
    return "not measured" if value is None else f"{value:.1f}"


def call(kernel: str, size: int) -> str:
    """``nbody(2000)``: the kernel as called with its size argument."""
    return f"{kernel}({size})"


def workload(work: int, unit: str) -> str:
    """``4.1k pixels``: an amount of work in its unit."""
    return f"{count(work)} {unit}{'' if work == 1 else 's'}"


def probe_work(loops: int) -> str:
    """What a speed probe reading of ``loops`` steps times, in words."""
    return (f"a fixed piece of Python work ({loops // SPEED_REPEATS:,} loop steps, the least "
            f"of {SPEED_REPEATS} timings)")


def part_share(part: Part) -> str:
    """A share of python's time as the tables show it: signed, "~" where it may be 0."""
    return share(part.share.value) + ("~" if part.near_zero else "")
