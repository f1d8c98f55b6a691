"""Event-loop stall: how late an asyncio loop's ticks come while a kernel runs beside it.

The kernel runs through ``asyncio.to_thread``, as a CPU-bound endpoint of an async web
server would; every other request waits for the loop, so its lag is theirs.
"""

from __future__ import annotations

import asyncio
import math
from typing import Callable, Optional, Sequence

from .inputs import raw_call
from .model import Stall
from .timing import Clock
from .._report.estimate import quartiles


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def _watch(work: Callable[[], object], tick: float, clock: Clock) -> list[float]:
    lags = []
    task = asyncio.ensure_future(asyncio.to_thread(work))
    while not task.done():
        start = clock()
        await asyncio.sleep(tick)
        lags.append(max(0.0, clock() - start - tick))
    await task
    return lags


def lags(work: Callable[[], object], tick: float, clock: Clock) -> list[float]:
    """The lag of every tick while ``work`` runs in a worker thread."""
    return asyncio.run(_watch(work, tick, clock))


def stall(backend: Optional[str], release_gil: Optional[bool], calls: int,
          measured: Sequence[float]) -> Stall:
    ticks = list(measured) or [0.0]
    return Stall(backend, release_gil, calls, len(measured), max(ticks), percentile(ticks, 0.99),
                 quartiles(sorted(ticks))[1])


def measure(kernel: str, size: int, variants: Sequence[tuple], per_call: dict, duration: float,
            tick: float, clock: Clock) -> tuple[Stall, ...]:
    """The idle loop, then each (backend, release_gil) variant running for about ``duration``."""
    import time

    results = [stall(None, None, 0, lags(lambda: time.sleep(duration), tick, clock))]
    for backend, release_gil in variants:
        call = raw_call(kernel, backend, size, release_gil)
        calls = max(1, math.ceil(duration / per_call[backend]))

        def work(call=call, calls=calls) -> None:
            for _ in range(calls):
                call()

        results.append(stall(backend, release_gil, calls, lags(work, tick, clock)))
    return tuple(results)
