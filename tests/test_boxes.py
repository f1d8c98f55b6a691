"""Numbers boxed per unit of work fall at the ladder's steps that unbox them: counts, not
timings, so they corroborate the timed split of "dynamic typing & boxing" exactly."""

from __future__ import annotations

import functools
import math

import pytest

import fastkern
from fastkern._anatomy import boxes
from fastkern._anatomy._boxes import freed
from fastkern._kernels import KERNELS
from fastkern._rungs import BY_NAME, builds

#: The float kernels whose float work is all on locals: the float step leaves no float object
#: per unit of work, or (ONE_PER_ROW) one per element of a result row stored into a list.
ALL_ON_LOCALS = {"sum", "dot", "mandelbrot", "spectral_norm", "monte_carlo_pi", "matmul"}
#: Their result is a list of n floats per n * n units of work (n the size): 1/n a unit.
ONE_PER_ROW = {"spectral_norm", "matmul"}
#: At most this many objects per unit of work counts as none.
NONE = 0.01
#: nbody's bodies live in lists, so its float step still makes the objects it stores: per
#: step, three velocity components of both bodies of each of the 10 pairs, and three
#: position components of each of the 5 bodies.
NBODY_STORED = 3 * 2 * 10 + 3 * 5


def _counts(kernel: str) -> dict:
    size = KERNELS[kernel].reference_size
    return {b.backend: b for b in boxes.measure(kernel, size, fastkern.kernel_backends(kernel))}


def test_the_counter_sees_numbers_that_free_lists_recycle():
    floats, ints = freed(functools.partial(list, map(float, range(1000, 1100))))
    assert (floats, ints) == (100, 100)


@pytest.mark.parametrize("kernel", sorted(BY_NAME["floats"].arises))
def test_float_objects_fall_at_the_float_step_and_not_before(kernel):
    found = _counts(kernel)
    above = [b for b in ("compiled", "bound", "ints") if b in found]
    assert all(found[b].floats >= 0.9 for b in above), found
    if builds("floats", kernel):
        assert found["floats"].floats < found[above[-1]].floats
        if kernel in ALL_ON_LOCALS:
            rows = KERNELS[kernel].reference_size if kernel in ONE_PER_ROW else math.inf
            assert found["floats"].floats <= NONE + 1.01 / rows
        else:
            assert kernel == "nbody"
            assert NBODY_STORED <= found["floats"].floats <= NBODY_STORED + 1
    assert found["typed"].floats <= NONE


def test_int_objects_fall_at_the_int_step_and_not_before():
    found = _counts("spectral_norm")
    assert found["compiled"].ints >= 0.5 and found["bound"].ints >= 0.5
    assert found["ints"].ints <= NONE and found["typed"].ints <= NONE


def test_a_count_inside_a_count_is_refused_and_the_first_still_counts():
    refused = []

    def inner():
        try:
            freed(lambda: None)
        except RuntimeError as error:
            refused.append(str(error))
        return [float(i) + 0.5 for i in range(100)]

    floats, _ = freed(inner)
    assert refused and "one call at a time" in refused[0]
    assert floats >= 100
    assert freed(lambda: [float(i) + 0.5 for i in range(10)])[0] >= 10, "counting works again"
