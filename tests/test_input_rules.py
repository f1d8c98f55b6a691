"""The documented input rules: integer and bool data, masked arrays, text, the public
signature in argument errors, and FASTKERN_BACKEND as a process-wide preference."""

import array
import os
import subprocess
import sys

import numpy as np
import pytest

import fastkern

from helpers import call_all


@pytest.mark.parametrize("make", [
    lambda v: list(v),
    lambda v: np.array(v, dtype=np.int64),
    lambda v: np.array(v, dtype=np.uint8),
    lambda v: array.array("q", v),
    lambda v: memoryview(array.array("i", v)),
], ids=["list", "int64", "uint8", "array-q", "memoryview-i"])
def test_integer_data_is_converted_the_same_way_whatever_holds_it(make):
    for backend, value in call_all("sum", make([1, 2, 3, 250])).items():
        assert value == 256.0, backend


def test_integer_arrays_convert_as_float_does():
    big = np.array([2**63 - 1, 1], dtype=np.int64)
    assert fastkern.sum(big, backend="c") == float(2**63 - 1) + 1.0
    assert fastkern.sum(big) == fastkern.sum([2**63 - 1, 1])


def test_bool_arrays_count_as_zero_and_one():
    assert fastkern.dot(np.array([True, False, True]), [2.0, 3.0, 4.0]) == 6.0


def test_integer_matrices_are_converted():
    product = fastkern.matmul(np.eye(2, dtype=np.int32), [[1.5, 2.0], [3.0, 4.0]])
    assert product.tolist() == [[1.5, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize("backend", fastkern.kernel_backends("sum"))
def test_masked_arrays_are_refused_not_read_without_their_mask(backend):
    masked = np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False])
    with pytest.raises(TypeError, match=r"^x is a masked array.*x\.compressed\(\)"):
        fastkern.sum(masked, backend=backend)
    assert fastkern.sum(masked.compressed(), backend=backend) == 4.0


def test_text_in_a_sequence_is_named_as_text():
    with pytest.raises(TypeError, match=r"^x must contain only real numbers, got str 'abc'$"):
        fastkern.sum(["abc", "b"])
    with pytest.raises(TypeError, match=r"got NoneType None$"):
        fastkern.sum([1.0, None])


@pytest.mark.parametrize("values, culprit", [
    ([1.5, 2, "abc"], r"str 'abc'"),        # NumPy would make '1.5' a string too
    ((2, b"z"), r"bytes b'z'"),
    ([[1, 2], [3, "x"]], r"str 'x'"),
])
def test_the_culprit_is_named_not_a_number_numpy_turned_into_text(values, culprit):
    name = "a" if isinstance(values[0], list) else "x"
    call = (lambda: fastkern.matmul(values, [[1.0], [2.0]])) if name == "a" else (lambda: fastkern.sum(values))
    with pytest.raises(TypeError, match=rf"^{name} must contain only real numbers, got {culprit}$"):
        call()


@pytest.mark.parametrize("call, words", [
    (lambda: fastkern.sum([1.0], "c"),
     r"^fastkern\.sum\(x, \*, backend=None, release_gil=None, threads=None\): too many positional arguments; "
     r"backend is keyword-only: fastkern\.sum\(\.\.\., backend='c'\)$"),
    (lambda: fastkern.dot([1.0]), r"^fastkern\.dot\(x, y, .*missing a required argument: 'y'"),
    (lambda: fastkern.mandelbrot(2, 2, 9), r"^fastkern\.mandelbrot\(width, height, \*, max_iter=50"),
    (lambda: fastkern.nbody(steps=1, step=2), r"^fastkern\.nbody\(.*unexpected keyword argument 'step'"),
])
def test_argument_errors_show_the_public_signature(call, words):
    with pytest.raises(TypeError, match=words) as caught:
        call()
    assert "_prepare" not in str(caught.value)


def test_errors_raised_by_the_checks_themselves_are_kept():
    with pytest.raises(TypeError, match="^width must be an integer, got float$"):
        fastkern.mandelbrot(2.0, 2)


def _run(code: str, backend: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "FASTKERN_BACKEND": backend}, timeout=120)


def test_a_bad_environment_variable_is_named_without_a_chained_traceback():
    result = _run("import fastkern; fastkern.sum([1.0])", "bogus")
    assert result.returncode == 1
    assert "FASTKERN_BACKEND='bogus': unknown backend 'bogus'" in result.stderr
    assert "During handling" not in result.stderr and "KeyError" not in result.stderr


def test_the_environment_variable_falls_back_for_kernels_its_backend_lacks():
    code = ("import fastkern\n"
            "print(fastkern.nbody(10) == fastkern.nbody(10, backend='c'))\n"
            "print(fastkern.fib(10))\n"
            "import numpy as np\n"
            "x = np.random.default_rng(1).random(1001)\n"
            "print(fastkern.sum(x) == fastkern.sum(x, backend='numpy'))\n"
            "try:\n"
            "    fastkern.nbody(10, backend='numpy')\n"
            "except fastkern.BackendError as error:\n"
            "    print(error)\n")
    result = _run(code, "numpy")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True", "55", "True",
        "backend 'numpy' has no nbody; it is in python, compiled, bound, floats, typed, c"]
