"""The ladder: every backend on pre-converted inputs, sampled in interleaved rounds.

Where python's time goes, rung by rung, is derived from it in :mod:`.derive`.
"""

from __future__ import annotations

import dataclasses

from typing import Mapping, Sequence

from .inputs import raw_call
from .report import Rung, Timing
from .timing import Timer


def measure(kernel: str, size: int, backends: Sequence[str], timer: Timer) -> dict[str, Timing]:
    """Seconds per call of each backend at ``size``, by the timer's clock (thread CPU), in
    ``settings.ladder_samples`` rounds."""
    rounds = timer.with_settings(dataclasses.replace(timer.settings,
                                                     samples=timer.settings.ladder_samples))
    return rounds.time_all({backend: raw_call(kernel, backend, size) for backend in backends})


def rungs(times: Mapping[str, Timing]) -> tuple[Rung, ...]:
    return tuple(Rung(backend, timing) for backend, timing in times.items())
