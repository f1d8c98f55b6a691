"""Registering your own function: dispatch like a built-in kernel, refusals, threads."""

from __future__ import annotations

import importlib
import inspect
import pickle
import sys
import threading

import pytest

import fastkern
from fastkern import _dispatch

import own_kernels
from own_kernels import fib, sum_of_squares


def test_registered_function_dispatches_like_a_built_in():
    x = [1.0, 2.0, 3.0]
    assert sum_of_squares(x) == 14.0
    assert sum_of_squares(x, 2.0) == sum_of_squares(x, scale=2.0) == 28.0
    assert sum_of_squares(x, backend="python") == 14.0
    assert "sum_of_squares" in fastkern.kernels()
    assert fastkern.kernel_backends("sum_of_squares")[0] == "python"
    assert fastkern.implementation("sum_of_squares", "python")(x, 1.0) == 14.0
    with fastkern.use("python"):
        assert sum_of_squares(x) == 14.0


def test_the_kernel_functions_are_accepted_where_their_names_are():
    assert fastkern.kernel_backends(sum_of_squares) == fastkern.kernel_backends("sum_of_squares")
    assert fastkern.kernel_backends(fib) == fastkern.kernel_backends("own_fib")
    assert fastkern.kernel_backends(fastkern.sum) == fastkern.kernel_backends("sum")
    assert fastkern.implementation(sum_of_squares, "python")([2.0], 1.0) == 4.0
    assert fastkern.implementation(fastkern.dot, "c") is fastkern.implementation("dot", "c")
    with pytest.raises(ValueError, match=r"^unknown kernel <built-in function print>; choose one of sum, "):
        fastkern.kernel_backends(print)


def test_signature_name_and_documentation_are_the_functions():
    params = list(inspect.signature(sum_of_squares).parameters)
    assert params == ["x", "scale", "backend", "release_gil"]
    assert sum_of_squares.__name__ == "sum_of_squares"
    assert sum_of_squares.__module__ == "own_kernels"
    assert sum_of_squares.__doc__ == "Sum of ``scale * v * v`` over ``x``."
    assert sum_of_squares.__fastkern_kernel__ == "sum_of_squares"
    assert fib.__fastkern_kernel__ == "own_fib"


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match=r"^sum_of_squares\(x, scale=1.0, \*, backend=None, "
                                        r"release_gil=None\): missing a required argument: 'x'"):
        sum_of_squares()
    with pytest.raises(ValueError, match="unknown backend 'fortran'"):
        sum_of_squares([1.0], backend="fortran")
    with pytest.raises(fastkern.BackendError, match="backend 'c' has no sum_of_squares"):
        sum_of_squares([1.0], backend="c")


def test_the_python_rung_recurses_into_itself_not_into_dispatch():
    python = fastkern.implementation("own_fib", "python")
    assert python is not own_kernels.fib.__wrapped__
    assert python.__globals__["fib"] is python
    assert python(15) == 610
    with fastkern.use("python"):
        assert fib(15) == 610


def test_add_puts_an_existing_implementation_on_the_ladder():
    calls = []

    def fast(x, scale):
        calls.append(scale)
        return sum(scale * v * v for v in x)

    sum_of_squares.add("mine", fast, releases_gil=True)
    assert "mine" in fastkern.kernel_backends("sum_of_squares")
    assert sum_of_squares([2.0], backend="mine") == 4.0
    assert sum_of_squares([2.0], backend="mine", release_gil=True) == 4.0
    assert calls == [1.0, 1.0]
    assert fastkern.implementation("sum_of_squares", "mine") is fast
    assert _dispatch.releases_gil("sum_of_squares", "mine")
    with pytest.raises(ValueError, match="'mine' always releases the GIL"):
        sum_of_squares([2.0], backend="mine", release_gil=False)
    with pytest.raises(ValueError, match="'python' cannot honour release_gil=True"):
        sum_of_squares([2.0], backend="python", release_gil=True)
    assert sum_of_squares([2.0], backend="python", release_gil=False) == 4.0
    with fastkern.use("mine"):
        assert sum_of_squares([3.0]) == 9.0
    with pytest.raises(ValueError, match="already has a backend 'mine'"):
        sum_of_squares.add("mine", fast)
    with pytest.raises(ValueError, match="backend must be a name"):
        sum_of_squares.add("my backend", fast)
    with pytest.raises(TypeError, match="implementation must be callable"):
        sum_of_squares.add("other", 3)


def test_threads_is_refused_with_the_reason():
    """A registered kernel's rungs are the user's code, run on the calling thread: no split."""
    for threads in (1, 2, 0):
        with pytest.raises(ValueError, match="sum_of_squares does not split over threads "
                                             r"\(a registered kernel runs on the calling thread\)"):
            sum_of_squares([2.0], threads=threads)
    with pytest.raises(TypeError, match="threads must be None or an int"):
        sum_of_squares([2.0], threads="2")
    assert sum_of_squares([2.0], threads=None) == 4.0


def test_the_registered_function_pickles_by_reference():
    assert pickle.loads(pickle.dumps(sum_of_squares)) is sum_of_squares


@pytest.mark.parametrize("function, message", [
    (lambda x: x, "a lambda"),
    (own_kernels.generator, "generator"),
    (own_kernels.keyword_only, "keyword-only or variadic"),
    (len, "registers a Python function"),
])
def test_refuses_what_it_cannot_put_on_the_ladder(function, message):
    with pytest.raises((TypeError, ValueError), match=message):
        fastkern.kernel(sample=lambda n: (n,))(function)


def test_refuses_closures_nested_functions_and_functions_without_source():
    scale = 2.0

    def closure(x):
        return x * scale

    def nested(x):
        return x

    namespace = {}
    exec("def typed_in(x):\n    return x\n", namespace)
    register = fastkern.kernel(sample=lambda n: (n,))
    with pytest.raises(ValueError, match="closure over scale"):
        register(closure)
    with pytest.raises(ValueError, match="defined inside another function"):
        register(nested)
    with pytest.raises(ValueError, match="source cannot be found"):
        register(namespace["typed_in"])
    with pytest.raises(TypeError, match="sample must be a function"):
        fastkern.kernel(sample=3)


def test_refuses_the_names_of_built_in_and_other_registered_kernels():
    with pytest.raises(ValueError, match="'sum' is taken by a built-in fastkern kernel"):
        fastkern.kernel(sample=lambda n: (n,), name="sum")(own_kernels.not_registered)
    with pytest.raises(ValueError, match="'own_fib' is already registered"):
        fastkern.kernel(sample=lambda n: (n,), name="own_fib")(own_kernels.not_registered)
    assert "not_registered" not in fastkern.kernels()


def test_reloading_the_module_registers_the_same_functions_again():
    reloaded = importlib.reload(own_kernels)
    try:
        assert reloaded.sum_of_squares([2.0]) == 4.0
        assert fastkern.implementation("sum_of_squares", "python")([2.0], 1.0) == 4.0
    finally:
        sys.modules["own_kernels"] = reloaded


def _module_of_functions(tmp_path, count):
    source = "\n".join(f"def square_{i}(x):\n    return x * x + {i}\n" for i in range(count))
    (tmp_path / "threaded_kernels.py").write_text(source)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module("threaded_kernels")
    finally:
        sys.path.remove(str(tmp_path))


def test_registering_and_calling_from_eight_threads_at_once(tmp_path):
    threads = 8
    module = _module_of_functions(tmp_path, threads)
    start = threading.Barrier(threads)
    results, errors = {}, []

    def worker(i):
        try:
            start.wait()
            registered = fastkern.kernel(sample=lambda n: (n,))(getattr(module, f"square_{i}"))
            values = [registered(v) for v in range(200)]
            values += [sum_of_squares([float(i)]) for _ in range(50)]
            assert fastkern.kernel_backends(f"square_{i}")[0] == "python"
            fastkern.kernel_backends("sum_of_squares")
            assert f"square_{i}" in fastkern.kernels()
            with fastkern.use("python"):
                values.append(fib(10))
            results[i] = values
        except BaseException as error:  # reported below, with its thread
            errors.append((i, error))

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    for i in range(threads):
        assert results[i][:200] == [v * v + i for v in range(200)]
        assert results[i][200:250] == [float(i * i)] * 50
        assert results[i][250] == 55
    assert {f"square_{i}" for i in range(threads)} <= set(fastkern.kernels())


def test_default_names_the_backend_used_when_none_is_chosen():
    own_kernels.COUNTED.clear()
    assert own_kernels.half(4) == 2.0
    assert own_kernels.half(6, backend="python") == 3.0
    with fastkern.use("python"):
        assert own_kernels.half(8) == 4.0
    assert own_kernels.COUNTED == [4]
    with pytest.raises(TypeError, match="default must be a backend name"):
        fastkern.kernel(sample=lambda n: (n,), default=None)
