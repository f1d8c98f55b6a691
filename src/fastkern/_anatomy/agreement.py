"""Correctness first: each rung of a registered kernel against python's result on the sample."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Sequence

import numpy as np

from .inputs import raw_call


def agrees(result: object, reference: object) -> bool:
    """The same value: numbers equal (NaN equals NaN; int, float and NumPy scalars alike),
    sequences of the same length and mappings of the same keys holding agreeing items (so a
    numba typed dict agrees with a dict), anything else ``==``."""
    if isinstance(reference, numbers.Number) and isinstance(result, numbers.Number):
        if isinstance(reference, numbers.Real) and isinstance(result, numbers.Real) \
                and math.isnan(reference) and math.isnan(result):
            return True
        return bool(result == reference)
    if isinstance(reference, np.ndarray) or isinstance(result, np.ndarray):
        try:
            return bool(np.array_equal(result, reference, equal_nan=True))
        except TypeError:
            return bool(np.array_equal(result, reference))
    if isinstance(reference, (list, tuple)):
        return (isinstance(result, (list, tuple)) and len(result) == len(reference)
                and all(agrees(a, b) for a, b in zip(result, reference)))
    if isinstance(reference, Mapping):
        return (isinstance(result, Mapping) and set(result) == set(reference)
                and all(agrees(result[key], value) for key, value in reference.items()))
    try:
        return bool(result == reference)
    except Exception:
        return False


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check(kernel: str, size: int, backends: Sequence[str]) -> dict[str, str]:
    """Each backend other than python that fails on the sample, or disagrees with python: why."""
    reference = raw_call(kernel, "python", size)()
    reasons = {}
    for backend in backends:
        if backend == "python":
            continue
        try:
            result = raw_call(kernel, backend, size)()
        except Exception as error:
            reasons[backend] = f"fails on the sample: {type(error).__name__}: {error}"
            continue
        if not agrees(result, reference):
            reasons[backend] = (f"disagrees with python on the sample (got {_short(result)}, "
                                f"python {_short(reference)}); not timed")
    return reasons
