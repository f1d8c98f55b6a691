"""Every backend of every kernel agrees with the ``python`` backend, the test oracle.

Registry-driven: a kernel added to the registry is covered here with no edit. Backends
listed in a kernel's ``reorders`` are compared within the bound derived in
``REORDERING_BOUNDS``; all others must be bit-identical.
"""

from __future__ import annotations

import numpy as np
import pytest

import fastkern

from helpers import BUILTIN_KERNELS as KERNELS, assert_identical

EPS = np.finfo(np.float64).eps


def _sum_bound(x):
    return 2 * max(len(x) - 1, 1) * EPS * float(np.sum(np.abs(x)))


def _dot_bound(x, y):
    return 2 * max(len(x), 1) * EPS * float(np.sum(np.abs(np.asarray(x) * np.asarray(y))))


def _matmul_bound(a, b):
    return 2 * max(np.shape(a)[1], 1) * EPS * (np.abs(a) @ np.abs(b))


def _spectral_norm_bound(n):
    # Every term is positive, so each of the 40 matrix-vector products and the two final
    # dot products errs relatively by at most n*eps per element; the square root halves
    # the ratio's error, two orderings double it, and the norm never exceeds 1.275.
    return 2 * (40 + 2) * n * EPS * 1.275


#: The error bound of a reordered result, from the public arguments. Recursive summation
#: of n terms errs by at most (n-1)*eps*sum|terms| (Higham, Accuracy and Stability, 4.2);
#: two differently ordered sums differ by at most twice that.
REORDERING_BOUNDS = {"sum": _sum_bound, "dot": _dot_bound, "matmul": _matmul_bound,
                     "spectral_norm": _spectral_norm_bound}


def _cases():
    for name, spec in KERNELS.items():
        for backend in fastkern.kernel_backends(name):
            if backend != "python":
                yield pytest.param(name, backend, id=f"{name}-{backend}")


@pytest.mark.parametrize("kernel, backend", list(_cases()))
def test_backend_agrees_with_python(kernel, backend):
    spec = KERNELS[kernel]
    args = spec.sample(spec.sizes[0])
    function = getattr(fastkern, kernel)
    expected = function(*args, backend="python")
    actual = function(*args, backend=backend)
    if backend in spec.reorders:
        bound = REORDERING_BOUNDS[kernel](*args)
        assert type(actual) is type(expected)
        assert np.all(np.abs(np.asarray(actual) - np.asarray(expected)) <= bound)
    else:
        assert_identical(actual, expected)


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_every_kernel_is_public_and_documented(kernel):
    function = getattr(fastkern, kernel)
    assert function.__name__ == kernel
    assert function.__doc__ and "backend" in function.__doc__
    assert "python" in fastkern.kernel_backends(kernel)


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_typed_and_c_implement_every_kernel(kernel):
    assert {"typed", "c"} <= set(fastkern.kernel_backends(kernel))


@pytest.mark.parametrize("kernel, backend", [(k, b) for k in KERNELS for b in ("typed", "c")])
def test_release_gil_does_not_change_the_result(kernel, backend):
    spec = KERNELS[kernel]
    function = getattr(fastkern, kernel)
    args = spec.sample(spec.sizes[0])
    assert_identical(function(*args, backend=backend, release_gil=False),
                     function(*args, backend=backend, release_gil=True))
