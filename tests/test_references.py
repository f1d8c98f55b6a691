"""Published reference outputs (Benchmarks Game, FNV, splitmix64) on every backend."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import fastkern

from helpers import call_all


def test_nbody_1000_steps_matches_the_published_energies():
    for backend, (before, after) in call_all("nbody", 1000).items():
        assert f"{before:.9f}" == "-0.169075164", backend
        assert f"{after:.9f}" == "-0.169087605", backend


def test_nbody_zero_steps_leaves_the_energy_unchanged():
    for backend, (before, after) in call_all("nbody", 0).items():
        assert before == after, backend


def _pbm(counts: np.ndarray, max_iter: int) -> bytes:
    height, width = counts.shape
    return f"P4\n{width} {height}\n".encode() + np.packbits(counts == max_iter, axis=1).tobytes()


def test_mandelbrot_200_bitmap_matches_the_published_md5():
    for backend, counts in call_all("mandelbrot", 200, 200).items():
        pbm = _pbm(counts, 50)
        assert len(pbm) == 5011, backend
        assert hashlib.md5(pbm).hexdigest() == "cc65e64bd553ed18896de1dfe7fae3e5", backend


@pytest.mark.parametrize("width, height", [(201, 199), (17, 3), (1, 1)])
def test_mandelbrot_odd_shapes_agree_with_the_scalar_reference(width, height):
    results = call_all("mandelbrot", width, height, max_iter=80)
    expected = results.pop("python")
    assert expected.shape == (height, width)
    for backend, counts in results.items():
        np.testing.assert_array_equal(counts, expected, err_msg=backend)


def test_mandelbrot_counts_reach_max_iter_only_inside_the_set():
    counts = fastkern.mandelbrot(64, 64, max_iter=1000)
    assert counts.dtype == np.uint16
    assert counts.max() == 1000 and counts[0, 0] < 5 and counts[32, 0] == 1000


def test_splitmix64_first_output_from_state_zero():
    from fastkern.backends import _python

    assert _python.splitmix64_at(0, 1) == 0xE220A8397B1DCDAF


def test_monte_carlo_pi_is_bit_identical_and_close_to_pi():
    results = call_all("monte_carlo_pi", 200_000, seed=12345)
    assert len(set(results.values())) == 1, results
    assert abs(results["python"] - np.pi) < 0.02


def test_monte_carlo_pi_depends_on_the_seed_and_counts_exactly():
    estimates = {fastkern.monte_carlo_pi(1000, seed=s, backend="c") for s in range(5)}
    assert len(estimates) > 1
    for estimate in estimates:
        hits = estimate * 1000 / 4
        assert hits == int(hits)


def test_monte_carlo_pi_draws_the_same_numbers_whatever_the_split():
    from fastkern.backends import _python

    whole = [(_python.splitmix64_at(9, 2 * i + 1), _python.splitmix64_at(9, 2 * i + 2)) for i in range(8)]
    halves = [(_python.splitmix64_at(9, 2 * i + 1), _python.splitmix64_at(9, 2 * i + 2))
              for start in (0, 4) for i in range(start, start + 4)]
    assert whole == halves
    assert fastkern.monte_carlo_pi(1, seed=2**64 - 1, backend="c") == \
        fastkern.monte_carlo_pi(1, seed=2**64 - 1, backend="python")
