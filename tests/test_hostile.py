"""Hostile inputs: each reproducer of issue 8 gives a clear exception or the right answer.

Raw callables (``fastkern.implementation``) do no conversion, but none of them may crash:
sizes are multiplied without overflow, recursion is bounded, misaligned buffers refused.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import fastkern

BUFFER_BACKENDS = ["typed", "c"]


def _misaligned(count: int = 100) -> np.ndarray:
    x = np.frombuffer(bytearray(8 * count + 1), dtype=np.float64, offset=1, count=count)
    assert not x.flags.aligned
    return x


def test_spectral_norm_size_products_cannot_overflow_in_raw_callables():
    for backend in BUFFER_BACKENDS:
        raw = fastkern.implementation("spectral_norm", backend)
        for n in ((2**64 + 2) // 3, (2**63 - 1) // 3 + 1, 2**62):
            with pytest.raises((ValueError, MemoryError)):
                raw(n)


@pytest.mark.parametrize("backend", BUFFER_BACKENDS + ["numpy"])
def test_mandelbrot_raw_sizes_cannot_overflow(backend):
    raw = fastkern.implementation("mandelbrot", backend)
    for width, height in ((2**62, 4), (4, 2**62), (2**40, 2**40), (-1, 4)):
        with pytest.raises((ValueError, MemoryError)):
            raw(width, height, 50)


@pytest.mark.parametrize("backend", ["python", "compiled"])
@pytest.mark.parametrize("kernel, bad, error", [
    ("fib", 60000, ValueError), ("fib", -1, ValueError), ("fib", float("nan"), TypeError),
    ("fib", 5.0, TypeError), ("binary_trees", float("inf"), TypeError),
    ("binary_trees", 100000, ValueError), ("binary_trees", -5, ValueError),
])
def test_raw_recursive_kernels_refuse_depths_that_would_overflow_the_stack(backend, kernel, bad, error):
    with pytest.raises(error):
        fastkern.implementation(kernel, backend)(bad)


def test_raw_recursive_kernels_still_compute_in_range():
    for backend in ("python", "compiled"):
        assert fastkern.implementation("fib", backend)(24) == 46368
        assert fastkern.implementation("binary_trees", backend)(4)[-1] == (6, 1, 127)


@pytest.mark.parametrize("backend", fastkern.kernel_backends("sum"))
def test_misaligned_float64_buffers_are_copied_at_the_boundary(backend):
    x_values = np.arange(100, dtype=np.float64)
    data = bytearray(801)
    data[1:] = x_values.tobytes()
    x = np.frombuffer(data, dtype=np.float64, offset=1, count=100)
    assert fastkern.sum(x, backend=backend) == 4950.0
    assert fastkern.dot(x, x, backend=backend) == float(x_values @ x_values)
    matrix = np.frombuffer(data, dtype=np.float64, offset=1, count=100).reshape(10, 10)
    if backend in fastkern.kernel_backends("matmul"):
        np.testing.assert_allclose(fastkern.matmul(matrix, matrix, backend=backend),
                                   x_values.reshape(10, 10) @ x_values.reshape(10, 10))


@pytest.mark.parametrize("backend", BUFFER_BACKENDS)
def test_raw_wrappers_refuse_misaligned_buffers(backend):
    x = _misaligned()
    good = np.ones(100)
    with pytest.raises(ValueError, match="^x must be aligned to 8 bytes"):
        fastkern.implementation("sum", backend)(x)
    with pytest.raises(ValueError, match="^y must be aligned"):
        fastkern.implementation("dot", backend)(good, x)
    with pytest.raises(ValueError, match="^a must be aligned"):
        fastkern.implementation("matmul", backend)(x.reshape(10, 10), good.reshape(10, 10))


@pytest.mark.parametrize("bad", [["c"], ("c",), 0, 1.5, b"c"])
def test_a_backend_that_is_not_a_string_is_a_type_error_naming_backend(bad):
    with pytest.raises(TypeError, match="^backend must be a backend name"):
        fastkern.sum([1.0], backend=bad)
    with pytest.raises(TypeError, match="^backend must be a backend name"):
        fastkern.implementation("sum", bad)
    with pytest.raises(TypeError, match="^backend must be a backend name"):
        with fastkern.use(bad):
            pass


@pytest.mark.parametrize("falsy", ["", 0, [], False])
def test_a_falsy_backend_is_refused_not_replaced_by_the_default(falsy):
    error = fastkern.BackendError if falsy == "" and isinstance(falsy, str) else TypeError
    with pytest.raises(error, match="backend"):
        fastkern.nbody(1, backend=falsy)


def test_a_released_memoryview_is_refused_naming_the_argument():
    view = memoryview(np.ones(4))
    view.release()
    with pytest.raises(ValueError, match="^x is a released memoryview"):
        fastkern.sum(view)
    with pytest.raises(ValueError, match="^a is a released memoryview"):
        fastkern.matmul(view, np.ones((1, 1)))
    data = memoryview(b"abc")
    data.release()
    with pytest.raises(ValueError, match="^data is a released memoryview"):
        fastkern.fnv1a(data)


@pytest.mark.parametrize("dtype", ["M8[s]", "m8[ms]"])
def test_buffers_python_cannot_describe_are_type_errors_naming_data(dtype):
    with pytest.raises(TypeError, match="^data "):
        fastkern.fnv1a(np.zeros(3, dtype))
    with pytest.raises(TypeError, match="^x "):
        fastkern.sum(np.zeros(3, dtype))


def test_an_empty_numpy_mandelbrot_allocates_nothing():
    # Under AddressSanitizer its max_allocation_size_mb (set by .ci/run) stands in for the limit.
    limit = "" if "asan" in os.environ.get("LD_PRELOAD", "") else \
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))"
    code = limit + """
import fastkern
for width, height in ((2**31 - 1, 0), (0, 2**31 - 1)):
    print(fastkern.mandelbrot(width, height, backend="numpy").shape)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["(0, 2147483647)", "(2147483647, 0)"], done.stderr


def test_results_are_unchanged_by_cutting_the_work_into_the_smallest_chunks():
    from fastkern.backends import _c, _typed

    cases = {
        "sum": (np.random.default_rng(1).random(1001),),
        "dot": (np.random.default_rng(2).random(333), np.random.default_rng(3).random(333)),
        "mandelbrot": (37, 11, 300),
        "nbody": (500,),
        "monte_carlo_pi": (999, 3),
        "binary_trees": (8,),
        "fib": (30,),
        "fnv1a": (np.arange(999, dtype=np.uint8),),
        "spectral_norm": (23,),
        "fannkuch": (8,),
        "matmul": (np.random.default_rng(4).random((19, 300)), np.random.default_rng(5).random((300, 530))),
    }
    for module in (_c, _typed):
        whole = {k: getattr(module, k)(*args) for k, args in cases.items()}
        whole["deep trees"] = module.binary_trees(19)  # trees of depth 19 and 20 go in pieces
        old = module._set_chunk_ops(1)
        try:
            for kernel, args in cases.items():
                result = getattr(module, kernel)(*args)
                if isinstance(result, np.ndarray):
                    assert np.array_equal(result, whole[kernel]), kernel
                else:
                    assert result == whole[kernel] or (isinstance(result, float) and math.isnan(result)), kernel
            module._set_chunk_ops(1 << 17)  # chunks of 2**14 nodes: cuts inside every piece
            assert module.binary_trees(19) == whole["deep trees"]
        finally:
            module._set_chunk_ops(old)
    assert _c.binary_trees(19) == _typed.binary_trees(19)


def test_chunk_ops_must_be_at_least_one():
    from fastkern.backends import _c

    with pytest.raises(ValueError, match="at least 1"):
        _c._set_chunk_ops(0)
