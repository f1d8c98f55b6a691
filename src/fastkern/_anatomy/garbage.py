"""Garbage collection: an allocating kernel with the cycle collector on and off.

An allocating call triggers a collection every few calls, not in every call: each sample
spans about :data:`CALLS_PER_SAMPLE` calls, and the census counts over as many, so the
collector's cost is averaged in rather than caught or missed by one call.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from typing import Callable

from .inputs import raw_call
from .model import GarbageCollection
from .timing import Clock, Timer, collector

#: The built-in kernel that allocates container objects, and so triggers the collector.
KERNEL = "binary_trees"

#: Calls of the kernel (at the size chosen for the settings' target time) per sample.
CALLS_PER_SAMPLE = 10


def census(call: Callable[[], object], clock: Clock,
           calls: int = 1) -> tuple[tuple[float, ...], float]:
    """Collections by generation, and seconds paused in them, per call over ``calls`` calls."""
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
            for _ in range(calls):
                call()
    finally:
        gc.callbacks.remove(watch)
    return tuple(count / calls for count in counts), paused[0] / calls


def measure(size: int, timer: Timer, kernel: str = KERNEL) -> GarbageCollection:
    """The python backend of ``kernel`` at ``size``, collector on vs off."""
    call = raw_call(kernel, "python", size)
    gc.collect()
    settings = timer.settings
    spanning = timer.with_settings(dataclasses.replace(settings, min_time=max(
        settings.min_time, settings.target_time * CALLS_PER_SAMPLE)))
    times = spanning.time_all({enabled: functools.partial(_run_with_collector, enabled, call)
                               for enabled in (True, False)})
    collections, pause = census(call, timer.clock, times[True].loops)
    return GarbageCollection(kernel, size, times[True], times[False], collections, pause)


def _run_with_collector(enabled: bool, call: Callable[[], object]) -> None:
    with collector(enabled):
        call()
