"""Boundary cost: a float64 buffer to a list of floats and back, through fastkern's own path."""

from __future__ import annotations

import functools

import numpy as np

from .. import _dispatch
from .model import Boundary
from .timing import Timer


def measure(elements: int, timer: Timer) -> Boundary:
    """Seconds per conversion of ``elements`` floats each way, as ``sum``'s backends get them."""
    buffer = np.random.default_rng(elements).random(elements)
    floats = buffer.tolist()
    times = timer.time_all({"to_list": functools.partial(_dispatch.prepare, "sum", "python", buffer),
                            "to_buffer": functools.partial(_dispatch.prepare, "sum", "typed", floats)})
    return Boundary(elements, times["to_list"], times["to_buffer"])
