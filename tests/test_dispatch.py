"""Backend selection: per call, per block (contextvars), per process (environment), default."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import fastkern
from fastkern import _backends, _dispatch
from fastkern._backends import LADDER
from fastkern._kernels import BUILTIN, KERNELS, MATMUL_BLAS_WORK


def test_every_backend_is_built_here():
    assert fastkern.backends() == ["python", "compiled", "bound", "ints", "floats", "typed", "c",
                                   "numpy"]


def test_kernels_lists_every_public_kernel():
    assert {"sum", "dot", "mandelbrot", "nbody", "monte_carlo_pi"} <= set(fastkern.kernels())


def test_numpy_is_absent_where_it_cannot_express_the_kernel():
    assert "numpy" not in fastkern.kernel_backends("nbody")
    with pytest.raises(fastkern.BackendError, match="backend 'numpy' has no nbody"):
        fastkern.nbody(1, backend="numpy")
    with pytest.raises(fastkern.BackendError, match="has no nbody"):
        fastkern.implementation("nbody", "numpy")


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="unknown backend 'fortran'; choose one of python, compiled"):
        fastkern.sum([1.0], backend="fortran")
    with pytest.raises(ValueError, match="unknown backend"):
        with fastkern.use("fortran"):
            pass
    with pytest.raises(ValueError, match="unknown kernel 'sort'; choose one of sum, dot"):
        fastkern.implementation("sort", "c")
    with pytest.raises(ValueError, match="unknown backend"):
        fastkern.implementation("sum", "C")


def test_default_is_the_fastest_backend_built():
    # c's sixteen accumulators keep the ones that left-to-right addition rounds away,
    # so this input tells c apart from every other backend.
    x = np.array([1e16] + [1.0] * 15 + [-1e16])
    assert fastkern.sum(x, backend="typed") == 0.0
    assert fastkern.sum(x) == fastkern.sum(x, backend="c") == 15.0
    assert fastkern.nbody.__doc__.count("c, typed, compiled, python") == 1


def test_use_sets_the_backend_for_a_block_and_nests():
    assert fastkern.sum([1.0, 2.0]) == 3.0
    with fastkern.use("python"):
        with fastkern.use("typed"):
            assert fastkern.sum([1.0, 2.0], release_gil=False) == 3.0
        with pytest.raises(ValueError, match="'python' cannot honour release_gil=True"):
            fastkern.sum([1.0], release_gil=True)
        assert fastkern.sum([1.0], release_gil=False) == 1.0
        assert fastkern.sum([1.0], backend="c", release_gil=True) == 1.0


def test_use_does_not_leak_into_other_threads_or_tasks():
    seen = {}

    def worker():
        seen["thread"] = fastkern._dispatch._chosen.get()

    async def task(name, backend):
        with fastkern.use(backend):
            await asyncio.sleep(0.01)
            seen[name] = fastkern._dispatch._chosen.get()

    async def both():
        await asyncio.gather(task("a", "python"), task("b", "typed"))

    with fastkern.use("python"):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    asyncio.run(both())
    assert seen == {"thread": None, "a": "python", "b": "typed"}


def test_release_gil_is_checked():
    with pytest.raises(TypeError, match="release_gil must be True, False or None"):
        fastkern.nbody(1, backend="c", release_gil=1)
    with pytest.raises(ValueError, match="'numpy' cannot honour release_gil=False"):
        fastkern.sum([1.0], backend="numpy", release_gil=False)
    with pytest.raises(ValueError, match="'compiled' cannot honour release_gil=True"):
        fastkern.nbody(1, backend="compiled", release_gil=True)


@pytest.mark.parametrize("kernel", sorted(BUILTIN))
def test_public_signature_is_the_kernels_plus_backend_release_gil_and_threads_where_it_splits(kernel):
    params = inspect.signature(getattr(fastkern, kernel)).parameters
    added = ["backend", "release_gil"] + (["threads"] if KERNELS[kernel].splits else [])
    assert list(params)[-len(added):] == added
    assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in added)


def test_implementation_is_the_raw_module_function():
    from fastkern.backends import _c, _python

    assert fastkern.implementation("sum", "c") is _c.sum
    assert fastkern.implementation("sum", "python") is _python.sum
    assert fastkern.implementation("sum", "compiled").__module__ == "fastkern.backends._compiled"


def test_compiled_is_really_compiled_from_the_python_source():
    from fastkern.backends import _compiled, _python

    assert _compiled.__file__.endswith((".so", ".pyd"))
    assert type(_compiled.nbody).__name__ in ("cython_function_or_method", "builtin_function_or_method")
    # An installed (not editable) fastkern ships the pytest11 plugin, so pytest rewrites the
    # distribution's modules and adds its "@py_builtins"/"@pytest_ar" names to _python.
    assert sorted(n for n in dir(_python) if not n.startswith(("__", "@"))) == \
        sorted(n for n in dir(_compiled) if not n.startswith("__"))


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_environment_variable_sets_the_process_default():
    done = _run("import fastkern\n"
                "print(fastkern.sum([1.0, 2.0]))\n"
                "fastkern.sum([1.0], release_gil=True)", FASTKERN_BACKEND="compiled")
    assert done.stdout.split() == ["3.0"]
    assert "backend 'compiled' cannot honour release_gil=True" in done.stderr
    bad = _run("import fastkern; fastkern.sum([1.0])", FASTKERN_BACKEND="rust")
    assert "unknown backend 'rust'" in bad.stderr


def test_a_missing_extension_leaves_the_rest_working():
    code = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "fastkern.backends._c":
            raise ImportError("simulated: no compiler at install")
sys.meta_path.insert(0, Block())
import fastkern
print(fastkern.backends())
print(fastkern.sum([1.0, 2.0]))
try:
    fastkern.sum([1.0], backend="c")
except fastkern.BackendError as error:
    print(error)
print(fastkern.info()["missing_backends"])
"""
    done = _run(code)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert lines[0] == "['python', 'compiled', 'bound', 'ints', 'floats', 'typed', 'numpy']"
    assert lines[1] == "3.0"
    assert "backend 'c' is not available" in lines[2] and "simulated: no compiler" in lines[2]
    assert "'c'" in lines[3]


def test_ladder_is_ordered_slowest_first():
    assert list(LADDER)[:7] == ["python", "compiled", "bound", "ints", "floats", "typed", "c"]


def test_a_step_is_offered_only_where_it_is_built():
    assert fastkern.kernel_backends("sum")[:4] == ["python", "compiled", "floats", "typed"]
    assert "floats" not in fastkern.kernel_backends("fib")
    with pytest.raises(fastkern.BackendError, match="backend 'ints' has no sum"):
        fastkern.sum([1.0], backend="ints")
    with pytest.raises(fastkern.BackendError, match="backend 'floats' has no fib"):
        fastkern.implementation("fib", "floats")
    assert fastkern.fib(30, backend="ints") == fastkern.fib(30, backend="python") == 832040


def test_the_steps_are_compiled_from_the_python_source():
    from fastkern.backends import _bound, _floats, _ints, _python

    for step in (_bound, _ints, _floats):
        assert step.__file__.endswith((".so", ".pyd"))
        assert step.fib.__module__ == step.__name__
        assert {n for n in dir(step) if not n.startswith("_")} <= set(dir(_python))


def test_type_stub_matches_every_public_kernel_signature():
    import ast
    from pathlib import Path

    stub = Path(fastkern.__file__).with_suffix(".pyi")
    functions = {node.name: node for node in ast.parse(stub.read_text()).body
                 if isinstance(node, ast.FunctionDef)}
    for kernel in sorted(BUILTIN):
        node = functions[kernel]
        stubbed = [a.arg for a in node.args.args] + [a.arg for a in node.args.kwonlyargs]
        assert stubbed == list(inspect.signature(getattr(fastkern, kernel)).parameters), kernel
    assert set(fastkern.__all__) <= set(functions) | {"BackendError", "Report", "Settings"}


class _Recorder:
    """A backend module whose every kernel records that it ran and returns its first argument."""

    def __init__(self, name, ran):
        self.name, self.ran = name, ran

    def __getattr__(self, kernel):
        def run(*args):
            self.ran.append(self.name)
            return args[0]
        return run


@pytest.fixture
def recorded(monkeypatch):
    """A fresh dispatching ``matmul`` over recording backends, and the list of what ran."""
    ran = []
    monkeypatch.setattr(_backends, "MODULES", {name: _Recorder(name, ran) for name in LADDER})
    monkeypatch.setattr(_dispatch, "_ENV_BACKEND", None)
    recording = dataclasses.replace(KERNELS["matmul"], implementations=None)
    return _dispatch.public_function(recording), ran


def _square(n):
    return np.ones((n, n))


@pytest.mark.parametrize("n, backend", [(1, "c"), (16, "c"), (23, "c"), (24, "numpy"), (64, "numpy")])
def test_the_default_of_a_call_depends_on_its_size(recorded, n, backend):
    matmul, ran = recorded
    assert n ** 3 >= MATMUL_BLAS_WORK or backend == "c"
    matmul(_square(n), _square(n))                        # the fast path
    matmul(_square(n).tolist(), _square(n).tolist())      # the full path
    assert ran == [backend, backend]


def test_the_work_counts_every_named_dimension_once(recorded):
    matmul, ran = recorded
    matmul(np.ones((MATMUL_BLAS_WORK, 1)), np.ones((1, 1)))
    matmul(np.ones((MATMUL_BLAS_WORK - 1, 1)), np.ones((1, 1)))
    assert ran == ["numpy", "c"]


def test_threads_or_release_gil_pick_a_backend_that_takes_them(recorded):
    matmul, ran = recorded
    large = _square(64)
    matmul(large, large, threads=2)
    matmul(large, large, release_gil=False)
    matmul(large, large, release_gil=None)
    assert ran == ["c", "c", "numpy"]


def test_a_chosen_backend_is_never_replaced(recorded):
    matmul, ran = recorded
    small, large = _square(2), _square(64)
    matmul(small, small, backend="numpy")
    matmul(large, large, backend="c")
    with fastkern.use("typed"):
        matmul(large, large)
    assert ran == ["numpy", "c", "typed"]
    with pytest.raises(ValueError, match="backend 'numpy' runs one thread per call"):
        matmul(large, large, backend="numpy", threads=2)


@pytest.mark.parametrize("kernel", [name for name, spec in KERNELS.items() if spec.splits])
def test_threads_without_a_backend_works_on_every_kernel_that_splits(kernel):
    args = KERNELS[kernel].sample(KERNELS[kernel].sizes[0])
    function = getattr(fastkern, kernel)
    assert_same = np.testing.assert_array_equal
    assert_same(function(*args, threads=2), function(*args, backend="c", threads=2))


def test_info_says_each_kernels_default():
    defaults = fastkern.info()["defaults"]
    assert set(defaults) == set(BUILTIN)
    assert defaults["sum"] == "c"
    assert defaults["matmul"] == (f"c; numpy from {MATMUL_BLAS_WORK} multiply-adds; "
                                  f"c when threads or release_gil is given")


def test_the_environment_variable_is_a_choice_whatever_the_size():
    done = _run("import fastkern, numpy as np\n"
                "print(fastkern.info()['defaults']['matmul'])\n"
                "fastkern.matmul(np.ones((2, 2)), np.ones((2, 2)), threads=2)", FASTKERN_BACKEND="numpy")
    assert done.stdout.splitlines() == ["numpy (FASTKERN_BACKEND)"]
    assert "backend 'numpy' runs one thread per call" in done.stderr


@pytest.mark.parametrize("size", [1000, 1 << 21])
def test_a_kernel_s_sample_is_the_same_each_time_and_the_caller_s_own(size):
    first = KERNELS["dot"].sample(size)
    for array in first:
        array[:] = -1.0
    again = KERNELS["dot"].sample(size)
    assert all(array.min() >= 0.0 for array in again), "a changed sample is not handed out again"
    assert not np.array_equal(again[0], again[1]), "each stream differs"
    np.testing.assert_array_equal(again[0], KERNELS["dot"].sample(size)[0])
