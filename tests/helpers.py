"""Shared test helpers: exact comparison of kernel results across backends."""

from __future__ import annotations

import math
import signal

import numpy as np

import fastkern
from fastkern._kernels import BUILTIN, KERNELS

#: The registry entries of fastkern's own kernels (registered ones are tested apart).
BUILTIN_KERNELS = {name: spec for name, spec in KERNELS.items() if name in BUILTIN}


def assert_identical(actual, expected, path="result"):
    """Same type, same structure, and bit-identical values (any NaN equals any NaN)."""
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"{path}: {type(actual)} is not an ndarray"
        assert actual.dtype == expected.dtype, f"{path}: dtype {actual.dtype} != {expected.dtype}"
        assert actual.shape == expected.shape, f"{path}: shape {actual.shape} != {expected.shape}"
        assert np.array_equal(actual, expected, equal_nan=True), f"{path}: values differ"
    elif isinstance(expected, (tuple, list)):
        assert type(actual) is type(expected), f"{path}: {type(actual)} != {type(expected)}"
        assert len(actual) == len(expected), f"{path}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_identical(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert type(actual) is float, f"{path}: {type(actual)} is not float"
        if math.isnan(expected):
            assert math.isnan(actual), f"{path}: {actual!r} is not NaN"
        else:
            assert actual == expected and math.copysign(1, actual) == math.copysign(1, expected), \
                f"{path}: {actual!r} != {expected!r}"
    else:
        assert type(actual) is type(expected) and actual == expected, f"{path}: {actual!r} != {expected!r}"


def call_all(kernel: str, *args, **kwargs) -> dict:
    """The kernel's result from every built backend that implements it."""
    function = getattr(fastkern, kernel)
    return {name: function(*args, backend=name, **kwargs) for name in fastkern.kernel_backends(kernel)}


def default_ctrl_c() -> None:
    """For a child's ``preexec_fn``: Python keeps SIGINT ignored when it starts ignored (as
    in a shell's background job), and then Ctrl-C tests of the child would fail."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
