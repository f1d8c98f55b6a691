"""Memory layout: what a list of floats costs in bytes, and what scattered objects cost in time."""

from __future__ import annotations

import functools
import tracemalloc
from typing import Callable

import numpy as np

from .. import _dispatch
from .model import Memory
from .timing import Timer


def traced_bytes(make: Callable[[], object]) -> int:
    """Bytes allocated (and still held) by ``make()``, as ``tracemalloc`` sees them."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        made = make()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del made
    return held


def in_order(values: list) -> list:
    """New float objects for ``values``, allocated in list order."""
    return [value + 0.0 for value in values]


def scattered(values: list, seed: int = 0) -> list:
    """New float objects for ``values`` in the same list order, allocated in shuffled order."""
    floats = [0.0] * len(values)
    for index in np.random.default_rng(seed).permutation(len(values)).tolist():
        floats[index] = values[index] + 0.0
    return floats


def measure(elements: int, timer: Timer) -> Memory:
    """Bytes per element of both layouts, and python's ``sum`` over both allocation orders."""
    buffer = np.random.default_rng(elements).random(elements)
    list_bytes = traced_bytes(buffer.tolist) / elements
    buffer_bytes = traced_bytes(buffer.copy) / elements
    values = buffer.tolist()
    ordered, shuffled = in_order(values), scattered(values)
    del values
    total = _dispatch.implementation("sum", "python")
    times = timer.time_all({"in_order": functools.partial(total, ordered),
                            "scattered": functools.partial(total, shuffled)})
    return Memory(elements, list_bytes, buffer_bytes, times["in_order"], times["scattered"])
