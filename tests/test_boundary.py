"""The input boundary: what every kernel accepts, converts, and refuses (and how)."""

from __future__ import annotations

import array
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastkern

from helpers import assert_identical, call_all
from test_agreement import REORDERING_BOUNDS

VECTOR_KERNELS = ["sum", "dot"]
#: Magnitudes for which no product or partial sum of up to 60 terms can overflow.
moderate = st.floats(min_value=-1e150, max_value=1e150, allow_nan=False, allow_infinity=False)


def _vector_args(kernel, x):
    return (x,) if kernel == "sum" else (x, list(reversed(x)))


@settings(max_examples=150, deadline=None)
@given(x=st.lists(moderate, max_size=60), kernel=st.sampled_from(VECTOR_KERNELS))
def test_reordering_backends_stay_within_the_derived_bound(x, kernel):
    args = _vector_args(kernel, x)
    results = call_all(kernel, *args)
    expected = results.pop("python")
    bound = REORDERING_BOUNDS[kernel](*map(np.asarray, args))
    for backend, value in results.items():
        assert abs(value - expected) <= bound, backend


@settings(max_examples=150, deadline=None)
@given(x=st.lists(st.floats(width=64), max_size=40))
def test_same_order_backends_are_bit_identical_even_with_nan_and_inf(x):
    results = call_all("sum", x)
    for backend in ("compiled", "typed"):
        assert_identical(results[backend], results["python"])


@settings(max_examples=100, deadline=None)
@given(x=st.lists(st.floats(width=64), min_size=1, max_size=40), kernel=st.sampled_from(VECTOR_KERNELS))
def test_nan_anywhere_gives_nan_everywhere(x, kernel):
    x[len(x) // 2] = math.nan
    for backend, value in call_all(kernel, *_vector_args(kernel, x)).items():
        assert math.isnan(value), backend


@pytest.mark.parametrize("kernel", VECTOR_KERNELS)
def test_infinities_propagate(kernel):
    x = [1.0, math.inf, 2.0] * 9
    for backend, value in call_all(kernel, *_vector_args(kernel, x)).items():
        assert value == math.inf, backend
    x[5] = -math.inf
    for backend, value in call_all(kernel, *_vector_args(kernel, x)).items():
        assert math.isnan(value), backend


@pytest.mark.parametrize("kernel", VECTOR_KERNELS)
def test_empty_input_gives_zero(kernel):
    for backend, value in call_all(kernel, *_vector_args(kernel, [])).items():
        assert value == 0.0 and type(value) is float, backend


@pytest.mark.parametrize("make", [
    lambda v: v,
    lambda v: np.array(v),
    lambda v: array.array("d", v),
    lambda v: memoryview(array.array("d", v)),
    lambda v: tuple(v),
    lambda v: [int(i) for i in v],
    lambda v: np.array(v, dtype=np.float64)[::-1][::-1],
], ids=["list", "ndarray", "array.array", "memoryview", "tuple", "ints", "view"])
def test_every_accepted_input_form_gives_the_same_sum(make):
    values = [float(i) for i in range(1, 40)]
    for backend, value in call_all("sum", make(values)).items():
        assert value == 780.0, backend


def test_non_contiguous_buffers_are_copied_and_give_the_contiguous_result():
    x = np.arange(40, dtype=np.float64)
    for backend, value in call_all("sum", x[::2]).items():
        assert value == float(np.sum(np.arange(0, 40, 2))), backend
    strided = memoryview(x)[1::3]
    assert fastkern.sum(strided, backend="c") == float(np.sum(x[1::3]))


def test_big_endian_float64_is_converted():
    x = np.arange(5, dtype=">f8")
    for backend, value in call_all("sum", x).items():
        assert value == 10.0, backend


def test_read_only_buffers_are_accepted():
    x = np.arange(10, dtype=np.float64)
    x.flags.writeable = False
    for backend, value in call_all("dot", x, x).items():
        assert value == 285.0, backend
    assert fastkern.sum(memoryview(bytes(np.ones(4).tobytes())).cast("d")) == 4.0


@pytest.mark.parametrize("backend", fastkern.kernel_backends("sum"))
@pytest.mark.parametrize("bad, error, words", [
    (np.arange(4, dtype=np.float32), TypeError, "float64"),
    (np.arange(4, dtype=np.complex128), TypeError, "float64"),
    (b"abcd", TypeError, "float64"),
    ("1.0", TypeError, "float64"),
    (["1.0", "2.0"], TypeError, "real numbers"),
    ([1.0, None], TypeError, "real numbers"),
    ([1 + 2j], TypeError, "real numbers"),
    (np.ones((2, 2)), ValueError, "1-dimensional"),
    (np.float64(3.0), ValueError, "1-dimensional"),
    (5, TypeError, "sequence"),
    ([[1.0], [2.0, 3.0]], ValueError, "rectangular"),
    ([10**400], ValueError, "too large"),
    (iter([1.0]), TypeError, "sequence"),
])
def test_bad_vectors_are_refused_naming_the_argument(backend, bad, error, words):
    with pytest.raises(error, match=rf"^x .*{words}"):
        fastkern.sum(bad, backend=backend)


@pytest.mark.parametrize("backend", fastkern.kernel_backends("dot"))
def test_dot_refuses_mismatched_lengths(backend):
    with pytest.raises(ValueError, match="x and y must have the same length, got 3 and 2"):
        fastkern.dot([1.0, 2.0, 3.0], [1.0, 2.0], backend=backend)
    with pytest.raises(TypeError, match="^y "):
        fastkern.dot([1.0], np.ones(1, dtype=np.float32), backend=backend)


def test_huge_integers_that_fit_a_float_are_converted():
    assert fastkern.sum([2**70, -(2**70), 1], backend="c") == 1.0
    assert fastkern.sum([2**64 - 1, 1], backend="python") == 2.0**64


SCALAR_CALLS = [
    ("nbody", lambda v: ((v,), {})),
    ("mandelbrot", lambda v: ((v, 4), {})),
    ("mandelbrot", lambda v: ((4, v), {})),
    ("mandelbrot", lambda v: ((4, 4), {"max_iter": v})),
    ("monte_carlo_pi", lambda v: ((v,), {})),
    ("monte_carlo_pi", lambda v: ((10,), {"seed": v})),
]
SCALAR_NAMES = ["steps", "width", "height", "max_iter", "samples", "seed"]


@pytest.mark.parametrize("call, name", [(c, n) for c, n in zip(SCALAR_CALLS, SCALAR_NAMES)], ids=SCALAR_NAMES)
@pytest.mark.parametrize("bad, error", [
    (-1, ValueError), (2**64, ValueError), (-(2**70), ValueError),
    (1.5, TypeError), (4.0, TypeError), (True, TypeError), ("4", TypeError), (None, TypeError),
])
def test_bad_sizes_are_refused_naming_the_argument(call, name, bad, error):
    kernel, make = call
    args, kwargs = make(bad)
    for backend in fastkern.kernel_backends(kernel):
        with pytest.raises(error, match=f"^{name} must be"):
            getattr(fastkern, kernel)(*args, backend=backend, **kwargs)


def test_monte_carlo_pi_needs_at_least_one_sample():
    for backend in fastkern.kernel_backends("monte_carlo_pi"):
        with pytest.raises(ValueError, match="samples must be in 1.."):
            fastkern.monte_carlo_pi(0, backend=backend)


def test_mandelbrot_refuses_absurd_images_and_max_iter():
    with pytest.raises(ValueError, match="width\\*height"):
        fastkern.mandelbrot(sys.maxsize // 2, 4)
    with pytest.raises(ValueError, match="max_iter must be in 0..65535"):
        fastkern.mandelbrot(4, 4, max_iter=65536)


def test_numpy_integer_sizes_are_accepted():
    assert_identical(fastkern.nbody(np.int64(10), backend="c"), fastkern.nbody(10, backend="python"))


@pytest.mark.parametrize("width, height", [(0, 0), (0, 5), (5, 0)])
def test_empty_images_have_the_requested_shape(width, height):
    for backend, counts in call_all("mandelbrot", width, height).items():
        assert counts.shape == (height, width) and counts.dtype == np.uint8, backend


@settings(max_examples=40, deadline=None)
@given(width=st.integers(0, 24), height=st.integers(0, 24), max_iter=st.integers(0, 300))
def test_mandelbrot_agrees_everywhere_for_any_small_image(width, height, max_iter):
    results = call_all("mandelbrot", width, height, max_iter=max_iter)
    expected = results.pop("python")
    for backend, counts in results.items():
        assert_identical(counts, expected, backend)


@settings(max_examples=30, deadline=None)
@given(samples=st.integers(1, 300), seed=st.integers(0, 2**64 - 1))
def test_monte_carlo_pi_agrees_everywhere_for_any_seed(samples, seed):
    assert len(set(call_all("monte_carlo_pi", samples, seed=seed).values())) == 1
