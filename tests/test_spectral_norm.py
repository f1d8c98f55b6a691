"""spectral_norm: the published value, small n, bad inputs, agreement, GIL switch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastkern

from helpers import assert_identical, call_all

BACKENDS = fastkern.kernel_backends("spectral_norm")
EXACT = [b for b in BACKENDS if b != "numpy"]


def test_n_100_matches_the_published_value_on_every_backend():
    for backend, value in call_all("spectral_norm", 100).items():
        assert f"{value:.9f}" == "1.274219991", backend


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 17, 33])
def test_same_order_backends_agree_bit_for_bit_and_numpy_closely(n):
    results = call_all("spectral_norm", n)
    expected = results["python"]
    for backend in EXACT:
        assert_identical(results[backend], expected, backend)
    assert results["numpy"] == pytest.approx(expected, rel=1e-13, abs=0)


def test_n_1_is_the_single_entry_of_a():
    assert fastkern.spectral_norm(1, backend="c") == 1.0


def test_the_norm_converges_towards_the_known_limit():
    limit = 1.2742241528
    assert abs(fastkern.spectral_norm(1000, backend="c") - limit) < 1e-6
    assert math.isclose(fastkern.spectral_norm(400, backend="numpy"),
                        fastkern.spectral_norm(400, backend="c"), rel_tol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad, error, words", [
    (0, ValueError, "in 1..100000"), (-5, ValueError, "in 1..100000"),
    (100_001, ValueError, "in 1..100000"), (10.0, TypeError, "integer"),
    (True, TypeError, "integer"), ("10", TypeError, "integer"),
])
def test_bad_n_is_refused_naming_the_argument(backend, bad, error, words):
    with pytest.raises(error, match=f"^n must .*{words}"):
        fastkern.spectral_norm(bad, backend=backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_c_backends_refuse_an_empty_matrix(backend):
    with pytest.raises(ValueError, match="n must be at least 1"):
        fastkern.implementation("spectral_norm", backend)(0)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_release_gil_does_not_change_the_result(backend):
    assert_identical(fastkern.spectral_norm(61, backend=backend, release_gil=False),
                     fastkern.spectral_norm(61, backend=backend, release_gil=True))


def test_numpy_integers_are_accepted():
    assert fastkern.spectral_norm(np.int32(12), backend="c") == fastkern.spectral_norm(12, backend="python")
