"""matmul: exact small products, shapes, every bad input, random shapes vs NumPy, GIL switch."""

from __future__ import annotations

import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastkern

from helpers import assert_identical, call_all

BACKENDS = fastkern.kernel_backends("matmul")
SAME_ORDER = [b for b in BACKENDS if b != "numpy"]
EPS = np.finfo(np.float64).eps


def naive(a, b):
    """The product adding each element's terms in order of k, as the same-order backends do."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for p in range(a.shape[1]):
        out += a[:, p:p + 1] * b[p:p + 1, :]
    return out


def test_small_integer_product_is_exact_everywhere():
    a = [[1, 2], [3, 4], [5, 6]]
    b = [[7, 8, 9], [10, 11, 12]]
    for backend, product in call_all("matmul", a, b).items():
        assert_identical(product, np.array(a, dtype=float) @ np.array(b, dtype=float), backend)


@pytest.mark.parametrize("n, k, m", [(1, 1, 1), (1, 7, 1), (7, 1, 5), (9, 3, 13), (17, 33, 5),
                                     (32, 32, 32), (33, 32, 32), (8, 256, 4), (3, 300, 600)])
def test_same_order_backends_are_bit_identical_across_tile_and_block_edges(n, k, m):
    rng = np.random.default_rng([n, k, m])
    a, b = rng.standard_normal((n, k)), rng.standard_normal((k, m))
    expected = naive(a, b)
    for backend in SAME_ORDER if n * k * m < 100_000 else ["typed", "c"]:
        assert_identical(fastkern.matmul(a, b, backend=backend), expected, backend)


dimension = st.integers(1, 12)
element = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=dimension, k=dimension, m=dimension)
def test_random_shapes_agree_with_numpy_within_the_reordering_bound(data, n, k, m):
    a = np.array(data.draw(st.lists(st.lists(element, min_size=k, max_size=k), min_size=n, max_size=n)))
    b = np.array(data.draw(st.lists(st.lists(element, min_size=m, max_size=m), min_size=k, max_size=k)))
    bound = 2 * k * EPS * (np.abs(a) @ np.abs(b))
    results = call_all("matmul", a, b)
    for backend in SAME_ORDER:
        assert_identical(results[backend], results["python"], backend)
    assert np.all(np.abs(results["numpy"] - results["python"]) <= bound)


def test_accepted_forms_give_the_same_product():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    b = np.arange(12, dtype=np.float64).reshape(3, 4)
    expected = a @ b
    read_only = a.copy()
    read_only.flags.writeable = False
    as_memoryview = memoryview(array.array("d", a.ravel())).cast("B").cast("d", (2, 3))
    forms = [a.tolist(), a.astype(int).tolist(), read_only, np.asfortranarray(a),
             np.arange(6.0).repeat(2).reshape(2, 6)[:, ::2], as_memoryview]
    for form in forms:
        for backend, product in call_all("matmul", form, b).items():
            assert_identical(product, expected, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mismatched_shapes_name_both(backend):
    with pytest.raises(ValueError, match=r"a has shape \(2, 3\), b has shape \(4, 5\)"):
        fastkern.matmul(np.ones((2, 3)), np.ones((4, 5)), backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("a, b, error, words", [
    (np.ones((2, 2), dtype=np.float32), np.ones((2, 2)), TypeError, "^a must hold float64"),
    (np.ones((2, 2)), np.ones((2, 2), dtype=np.complex64), TypeError, "^b must hold float64"),
    (np.ones(4), np.ones((4, 1)), ValueError, "^a must be 2-dimensional"),
    (np.ones((1, 4)), np.ones((4, 1, 1)), ValueError, "^b must be 2-dimensional"),
    ([[1.0], [2.0, 3.0]], np.ones((2, 2)), ValueError, "^a must be a rectangular"),
    ("ab", np.ones((2, 2)), TypeError, "^a must be float64"),
    (np.ones((2, 2)), [["x", "y"], ["z", "w"]], TypeError, "^b must contain only real numbers"),
    (np.ones((0, 3)), np.ones((3, 2)), ValueError, r"^a must have at least one row and one column, got shape \(0, 3\)"),
    (np.ones((2, 3)), np.ones((3, 0)), ValueError, "^b must have at least one row"),
    (np.ones((2, 0)), np.ones((0, 2)), ValueError, "^a must have at least one row"),
])
def test_bad_matrices_are_refused_naming_the_argument(backend, a, b, error, words):
    with pytest.raises(error, match=words):
        fastkern.matmul(a, b, backend=backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_c_backends_check_shapes_themselves(backend):
    raw = fastkern.implementation("matmul", backend)
    with pytest.raises(ValueError, match="a has shape"):
        raw(np.ones((2, 3)), np.ones((2, 3)))


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_release_gil_does_not_change_the_result(backend):
    a, b = np.random.default_rng(5).random((2, 40, 40))
    assert_identical(fastkern.matmul(a, b, backend=backend, release_gil=False),
                     fastkern.matmul(a, b, backend=backend, release_gil=True))


def test_default_backend_is_c_then_blas_from_a_size():
    assert "first built of: c, typed, numpy" in fastkern.matmul.__doc__
    assert "(numpy for a call of at least" in fastkern.matmul.__doc__
    assert fastkern.matmul.__doc__.count("bit for bit") == 1
