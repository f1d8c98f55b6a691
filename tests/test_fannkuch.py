"""fannkuch: published checksums, the whole 1..12 range, bad inputs, GIL switch."""

from __future__ import annotations

import itertools

import pytest

import fastkern

from helpers import assert_identical, call_all

BACKENDS = fastkern.kernel_backends("fannkuch")
#: (checksum, maximum flips): n = 7 is published by the Benchmarks Game, n = 10 and 12 are
#: its well-known outputs, and max_flips is checked independently below.
KNOWN = {1: (0, 0), 2: (-1, 1), 3: (2, 2), 4: (4, 4), 5: (11, 7), 6: (49, 10), 7: (228, 16),
         8: (1616, 22), 9: (8629, 30), 10: (73196, 38)}


def flips(perm):
    perm, count = list(perm), 0
    while perm[0]:
        perm[:perm[0] + 1] = reversed(perm[:perm[0] + 1])
        count += 1
    return count


@pytest.mark.parametrize("n", range(1, 8))
def test_every_backend_gives_the_known_output(n):
    for backend, value in call_all("fannkuch", n).items():
        assert_identical(value, KNOWN[n], backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
@pytest.mark.parametrize("n", [8, 9, 10])
def test_c_backends_give_the_known_output_for_larger_n(backend, n):
    assert fastkern.fannkuch(n, backend=backend) == KNOWN[n]


@pytest.mark.parametrize("n", range(1, 8))
def test_max_flips_is_the_most_over_all_permutations_in_any_order(n):
    assert fastkern.fannkuch(n, backend="c")[1] == max(map(flips, itertools.permutations(range(n))))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad, error, words", [
    (0, ValueError, "in 1..12"), (13, ValueError, "in 1..12"), (-1, ValueError, "in 1..12"),
    (7.0, TypeError, "integer"), (True, TypeError, "integer"), (None, TypeError, "integer"),
])
def test_n_outside_1_to_12_is_refused_naming_the_argument(backend, bad, error, words):
    with pytest.raises(error, match=f"^n must .*{words}"):
        fastkern.fannkuch(bad, backend=backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_c_backends_refuse_n_beyond_their_arrays(backend):
    raw = fastkern.implementation("fannkuch", backend)
    for bad in (0, 13):
        with pytest.raises(ValueError, match="n must be in 1..12"):
            raw(bad)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_release_gil_does_not_change_the_result(backend):
    assert fastkern.fannkuch(8, backend=backend, release_gil=False) == \
        fastkern.fannkuch(8, backend=backend, release_gil=True) == KNOWN[8]


def test_numpy_is_absent_and_naming_it_says_where_the_kernel_is():
    assert "numpy" not in fastkern.kernel_backends("fannkuch")
    with pytest.raises(fastkern.BackendError, match="backend 'numpy' has no fannkuch; it is in python, "):
        fastkern.fannkuch(8, backend="numpy")
