"""The dispatch fast path and the raw callables' buffer arguments.

Arrays already in a buffer backend's form go straight to the raw callable; everything
else takes the full path. Both must give the same results and the same errors, and obey
the same backend selection.
"""

from __future__ import annotations

import array
import dataclasses
import inspect
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import fastkern
from fastkern._boundary import BUFFERS
from fastkern._dispatch import LADDER, public_function
from fastkern._kernels import KERNELS, Buffer, Count

from helpers import assert_identical

FAST_KERNELS = [name for name, spec in KERNELS.items()
                if any(isinstance(arg, Buffer) for arg in spec.args)]
COUNT_KERNELS = [name for name, spec in KERNELS.items()
                 if spec.args and all(isinstance(arg, Count) for arg in spec.args)]


def _buffer_backends(kernel):
    return [b for b in fastkern.kernel_backends(kernel) if LADDER[b][1] is BUFFERS]


def _unaligned(values):
    raw = np.zeros(len(values) * 8 + 1, dtype=np.uint8)[1:].view(np.float64)
    raw[:] = values
    return raw


def test_the_vector_kernels_and_matmul_declare_their_buffers():
    assert {"sum", "dot", "fnv1a", "matmul"} <= set(FAST_KERNELS)


def test_the_kernels_with_only_size_arguments_declare_them():
    assert {"nbody", "fib", "spectral_norm", "fannkuch", "binary_trees", "mandelbrot",
            "monte_carlo_pi"} <= set(COUNT_KERNELS)


@pytest.mark.parametrize("kernel", FAST_KERNELS + COUNT_KERNELS)
def test_declared_arguments_are_what_prepare_passes_through_unchanged(kernel):
    spec = KERNELS[kernel]
    params = list(inspect.signature(spec.prepare).parameters.values())[1:]
    keyword_only = [p for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert len(params) - len(keyword_only) == len(spec.args)
    assert [p.name for p in keyword_only] == [name for name, _ in spec.options]
    for parameter, (_, count) in zip(keyword_only, spec.options):
        assert count.minimum <= parameter.default <= count.maximum
    args = spec.sample(spec.sizes[0])
    backends = _buffer_backends(kernel) if kernel in FAST_KERNELS else fastkern.kernel_backends(kernel)
    for backend in backends:
        raw = fastkern._dispatch.prepare(kernel, backend, *args)
        assert all(r is a for r, a in zip(raw, args)), backend


def _declared(kernel):
    """Each declared size of ``kernel`` as (positional index or keyword name, Count)."""
    spec = KERNELS[kernel]
    return list(enumerate(spec.args)) + list(spec.options)


def _call_with(kernel, where, value):
    spec = KERNELS[kernel]
    args = [count.minimum for count in spec.args]
    if isinstance(where, int):
        args[where] = value
        return args, {}
    return args, {where: value}


@pytest.mark.parametrize("kernel", COUNT_KERNELS)
def test_prepare_accepts_every_declared_range_unchanged(kernel):
    for where, count in _declared(kernel):
        for value in (count.minimum, count.maximum):
            args, kwargs = _call_with(kernel, where, value)
            raw = KERNELS[kernel].prepare(BUFFERS, *args, **kwargs)
            assert value in raw, (where, value)


@pytest.mark.parametrize("kernel", ["nbody", "fib", "spectral_norm", "fannkuch", "binary_trees"])
def test_declared_ranges_are_the_ones_prepare_enforces(kernel):
    (count,) = KERNELS[kernel].args
    for outside in (count.minimum - 1, count.maximum + 1):
        with pytest.raises(ValueError, match="must be in"):
            KERNELS[kernel].prepare(BUFFERS, outside)


@pytest.mark.parametrize("kernel", COUNT_KERNELS)
def test_sizes_in_the_fast_form_get_the_full_paths_errors(kernel):
    function = getattr(fastkern, kernel)
    for where, count in _declared(kernel):
        for bad, error in ((True, TypeError), (1.0, TypeError), (count.minimum - 1, ValueError),
                           (2**70, ValueError)):
            args, kwargs = _call_with(kernel, where, bad)
            for backend in fastkern.kernel_backends(kernel):
                with pytest.raises(error, match="must be"):
                    function(*args, backend=backend, **kwargs)
    args, kwargs = _call_with(kernel, 0, KERNELS[kernel].args[0].minimum)
    with pytest.raises(ValueError, match="'python' cannot honour release_gil=True"):
        function(*args, backend="python", release_gil=True)


def test_keyword_options_reach_the_backend():
    assert fastkern.mandelbrot(8, 4, max_iter=300).dtype == np.uint16
    assert fastkern.mandelbrot(8, 4, max_iter=3).max() == 3
    assert fastkern.mandelbrot(8, 4)[2, 2] == 50
    assert fastkern.monte_carlo_pi(1000, seed=7) == fastkern.monte_carlo_pi(1000, seed=7, backend="python")
    assert fastkern.monte_carlo_pi(1000, seed=7) != fastkern.monte_carlo_pi(1000)
    with pytest.raises(TypeError, match="unexpected keyword argument 'seeds'"):
        fastkern.monte_carlo_pi(1000, seeds=7)


@pytest.mark.parametrize("kernel", FAST_KERNELS)
def test_fast_and_full_paths_give_identical_results(kernel):
    args = KERNELS[kernel].sample(KERNELS[kernel].sizes[0])
    full = [a.tolist() if isinstance(a, np.ndarray) else bytearray(a) for a in args]
    for backend in fastkern.kernel_backends(kernel):
        assert_identical(getattr(fastkern, kernel)(*args, backend=backend),
                         getattr(fastkern, kernel)(*full, backend=backend), backend)


def test_fast_path_follows_backend_selection():
    x = np.array([1e16] + [1.0] * 15 + [-1e16])  # only c's accumulators keep the ones
    assert fastkern.sum(x) == 15.0
    assert fastkern.sum(x, backend="typed") == 0.0
    assert fastkern.sum(x, backend=None) == 15.0
    with fastkern.use("typed"):
        assert fastkern.sum(x) == 0.0
        assert fastkern.sum(x, release_gil=False) == 0.0
        assert fastkern.sum(x, backend="c", release_gil=True) == 15.0
    with fastkern.use("python"):
        assert fastkern.sum(x) == 0.0
        with pytest.raises(ValueError, match="'python' cannot honour release_gil=True"):
            fastkern.sum(x, release_gil=True)


@pytest.mark.parametrize("call, error, words", [
    (lambda x: fastkern.sum(x, backend="fortran"), ValueError, "unknown backend 'fortran'"),
    (lambda x: fastkern.sum(x, release_gil=1), TypeError, "release_gil must be True, False or None"),
    (lambda x: fastkern.sum(x, backend="numpy", release_gil=False), ValueError, "'numpy' cannot honour"),
    (lambda x: fastkern.sum(x, x), TypeError, "positional argument"),
    (lambda x: fastkern.sum(x, y=x), TypeError, "unexpected keyword argument 'y'"),
    (lambda x: fastkern.dot(x, x[:2]), ValueError, "x and y must have the same length, got 3 and 2"),
    (lambda x: fastkern.sum(x.reshape(1, 3)), ValueError, "^x must be 1-dimensional"),
    (lambda x: fastkern.matmul(x.reshape(1, 3), x.reshape(3, 1)[:0]), ValueError, "^b must have at least one row"),
    (lambda x: fastkern.matmul(x.reshape(1, 3), x.reshape(1, 3)), ValueError, "a has shape \\(1, 3\\)"),
])
def test_arrays_in_the_fast_form_get_the_full_paths_errors(call, error, words):
    with pytest.raises(error, match=words):
        call(np.ones(3))


@pytest.mark.parametrize("kernel", ["sum", "dot"])
@pytest.mark.parametrize("wrap", [lambda a: a, memoryview], ids=["ndarray", "memoryview"])
def test_unaligned_buffers_are_copied_for_every_backend(kernel, wrap):
    values = np.arange(1.0, 20.0)
    args = (wrap(_unaligned(values)),) * (1 if kernel == "sum" else 2)
    for backend in fastkern.kernel_backends(kernel):
        expected = getattr(fastkern, kernel)(*(values,) * len(args), backend=backend)
        assert_identical(getattr(fastkern, kernel)(*args, backend=backend), expected, backend)


@pytest.mark.parametrize("kernel", FAST_KERNELS)
def test_other_buffers_give_the_arrays_results(kernel):
    args = KERNELS[kernel].sample(KERNELS[kernel].sizes[0])
    exported = [bytearray(a) if isinstance(a, bytes) else memoryview(a) for a in args]
    mixed = [array.array("d", a) if isinstance(a, np.ndarray) and a.ndim == 1 else a for a in args]
    for backend in fastkern.kernel_backends(kernel):
        expected = getattr(fastkern, kernel)(*args, backend=backend)
        for form in (exported, mixed):
            assert_identical(getattr(fastkern, kernel)(*form, backend=backend), expected, backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_array_subclasses_take_the_full_path(backend):
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    with pytest.raises(TypeError, match="masked array"):
        fastkern.sum(masked, backend=backend)


def test_a_registry_entry_without_buffer_declarations_dispatches_through_the_full_path():
    generic = public_function(dataclasses.replace(KERNELS["dot"], args=()))
    x, y = KERNELS["dot"].sample(100)
    for backend in fastkern.kernel_backends("dot"):
        assert_identical(generic(x, y, backend=backend), fastkern.dot(x, y, backend=backend), backend)
    with pytest.raises(ValueError, match="same length"):
        generic(x, y[:3])


def test_public_functions_keep_their_name_and_pickle_by_it():
    assert fastkern.sum.__name__ == "sum" and fastkern.sum.__module__ == "fastkern"
    assert pickle.loads(pickle.dumps(fastkern.matmul)) is fastkern.matmul


def test_without_the_fast_path_extension_the_python_path_serves_every_call():
    code = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "fastkern._fastcall":
            raise ImportError("simulated: not built")
sys.meta_path.insert(0, Block())
import numpy as np, fastkern
print(type(fastkern.sum).__name__, fastkern.sum(np.ones(4)), fastkern.dot(np.ones(2), np.ones(2), backend="typed"))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["function", "4.0", "2.0"]


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_callables_take_any_contiguous_buffer_of_their_type(backend):
    total = fastkern.implementation("sum", backend)
    values = [1.0, 2.0, 4.0]
    for form in (np.array(values), array.array("d", values), memoryview(array.array("d", values))):
        assert total(form) == 7.0
    hash_of = fastkern.implementation("fnv1a", backend)
    expected = fastkern.fnv1a(b"abc", backend="python")
    for form in (b"abc", bytearray(b"abc"), memoryview(b"abc"), np.frombuffer(b"abc", dtype=np.uint8)):
        assert hash_of(form) == expected


@pytest.mark.parametrize("backend", ["typed", "c"])
@pytest.mark.parametrize("bad, error, words", [
    (np.ones(3, dtype=np.float32), TypeError, "^x must be a 1-D float64"),
    (np.ones(3, dtype=">f8"), TypeError, "^x must be a 1-D float64 array in native byte order"),
    (np.ones((2, 2)), TypeError, "^x must be a 1-D float64"),
    (np.ones(6)[::2], ValueError, "^x must be C-contiguous"),
    (memoryview(array.array("d", [1.0] * 6))[::2], TypeError, "^x must be a C-contiguous buffer"),
    (array.array("i", [1, 2]), TypeError, "^x must be a 1-D buffer of format 'd'"),
    ([1.0, 2.0], TypeError, "^x must be a C-contiguous buffer"),
    (_unaligned([1.0, 2.0]), ValueError, "^x must be aligned to 8 bytes"),
])
def test_raw_callables_refuse_other_buffers_naming_the_argument(backend, bad, error, words):
    with pytest.raises(error, match=words):
        fastkern.implementation("sum", backend)(bad)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_callables_release_the_buffer_export_when_done(backend):
    data = bytearray(b"hello")
    fastkern.implementation("fnv1a", backend)(data)
    data.extend(b" world")  # a bytearray still exported could not be resized
    doubles = array.array("d", [1.0])
    with pytest.raises(TypeError, match="format 'B'"):
        fastkern.implementation("fnv1a", backend)(doubles)
    doubles.append(2.0)  # released on the error path too
    assert len(data) == 11 and len(doubles) == 2
