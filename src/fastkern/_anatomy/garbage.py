"""Garbage collection: an allocating kernel with the cycle collector on and off."""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from typing import Callable, Iterator

from .inputs import raw_call
from .report import GarbageCollection
from .timing import Clock, Timer

#: The built-in kernel that allocates container objects, and so triggers the collector.
KERNEL = "binary_trees"


def _switch(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


@contextmanager
def collector(enabled: bool) -> Iterator[None]:
    """Run the block with the cycle collector on or off, restoring its state after."""
    was = gc.isenabled()
    _switch(enabled)
    try:
        yield
    finally:
        _switch(was)


def census(call: Callable[[], object], clock: Clock) -> tuple[tuple[int, ...], float]:
    """Collections by generation, and seconds paused in them, during one call."""
    counts = [0, 0, 0]
    paused = [0.0]
    started = [0.0]

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            counts[min(info["generation"], 2)] += 1
            started[0] = clock()
        else:
            paused[0] += clock() - started[0]

    gc.callbacks.append(watch)
    try:
        with collector(True):
            call()
    finally:
        gc.callbacks.remove(watch)
    return tuple(counts), paused[0]


def measure(size: int, timer: Timer, kernel: str = KERNEL) -> GarbageCollection:
    """The python backend of ``kernel`` at ``size``, collector on vs off."""
    call = raw_call(kernel, "python", size)
    gc.collect()
    times = timer.time_all({enabled: functools.partial(_run_with_collector, enabled, call)
                            for enabled in (True, False)})
    collections, pause = census(call, timer.clock)
    return GarbageCollection(kernel, size, times[True], times[False], collections, pause)


def _run_with_collector(enabled: bool, call: Callable[[], object]) -> None:
    with collector(enabled):
        call()
