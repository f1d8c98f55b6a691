"""fib: known values, the 0..92 range on every backend, bad inputs, GIL switch."""

from __future__ import annotations

import numpy as np
import pytest

import fastkern

from helpers import assert_identical, call_all

BACKENDS = fastkern.kernel_backends("fib")


def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 20, 24])
def test_every_backend_gives_the_fibonacci_number(n):
    for backend, value in call_all("fib", n).items():
        assert_identical(value, fibonacci(n), backend)


def test_the_range_ends_at_the_largest_int64_fibonacci_number():
    assert fibonacci(92) < 2**63 <= fibonacci(93)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad, error, words", [
    (-1, ValueError, "in 0..92"), (93, ValueError, "in 0..92"), (2**64, ValueError, "in 0..92"),
    (5.0, TypeError, "integer"), (True, TypeError, "integer"), ("5", TypeError, "integer"),
    (None, TypeError, "integer"),
])
def test_bad_n_is_refused_the_same_way_on_every_backend(backend, bad, error, words):
    with pytest.raises(error, match=f"^n must .*{words}"):
        fastkern.fib(bad, backend=backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_c_backends_refuse_n_that_would_overflow(backend):
    raw = fastkern.implementation("fib", backend)
    for bad in (-1, 93):
        with pytest.raises(ValueError, match="n must be in 0..92"):
            raw(bad)


def test_numpy_integers_are_accepted_and_numpy_is_absent():
    assert fastkern.fib(np.int8(15), backend="c") == 610
    assert "numpy" not in BACKENDS


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_release_gil_does_not_change_the_result(backend):
    assert fastkern.fib(22, backend=backend, release_gil=False) == \
        fastkern.fib(22, backend=backend, release_gil=True) == fibonacci(22)
