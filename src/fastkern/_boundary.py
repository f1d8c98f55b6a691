"""Input checking and conversion at the API boundary, done once per call.

Every kernel argument passes through one of these functions before any backend sees it.
Errors name the argument and what was expected. Array inputs become a C-contiguous
NumPy array for the buffer backends (non-contiguous buffers are *copied*, never refused)
and a list of Python numbers for the object backends.
"""

from __future__ import annotations

import numbers
import operator
import sys

import numpy as np

#: Backends that take Python objects (lists of floats); the rest take typed buffers.
OBJECTS = "objects"
BUFFERS = "buffers"


def count(value: object, name: str, *, minimum: int = 0, maximum: int = sys.maxsize) -> int:
    """``value`` as a Python int in ``minimum..maximum``; bools and floats are refused."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = operator.index(value)
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be in {minimum}..{maximum}, got {value}")
    return value


def _is_buffer(x: object) -> bool:
    if isinstance(x, np.ndarray):
        return True
    try:
        memoryview(x)
    except TypeError:
        return False
    return True


def float64_array(x: object, name: str, ndim: int) -> np.ndarray:
    """``x`` as a C-contiguous float64 array of ``ndim`` dimensions.

    Buffers (NumPy arrays, ``array.array('d')``, memoryviews) must already hold float64;
    their data is used in place when contiguous and copied once when not. Sequences of
    real numbers (ints, floats, bools) are converted.
    """
    if (type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == ndim
            and x.flags.c_contiguous):
        return x
    if isinstance(x, (str, bytes, bytearray)):
        raise TypeError(f"{name} must be float64 data, got {type(x).__name__}")
    if _is_buffer(x):
        array = np.asarray(x)
        if array.dtype != np.float64:
            raise TypeError(
                f"{name} must hold float64 values, got dtype {array.dtype}; "
                f"convert it with numpy.asarray({name}, dtype=float)")
    else:
        array = _from_sequence(x, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got {array.ndim} dimension(s)")
    return np.ascontiguousarray(array)


def _from_sequence(x: object, name: str) -> np.ndarray:
    if not (hasattr(x, "__len__") and hasattr(x, "__getitem__")):
        raise TypeError(f"{name} must be a buffer or a sequence of numbers, got {type(x).__name__}")
    try:
        try:
            array = np.array(x)
        except OverflowError:
            array = np.array(x, dtype=object)
    except ValueError as error:
        raise ValueError(f"{name} must be a rectangular sequence of numbers: {error}") from None
    if array.dtype.kind == "O":
        if not all(isinstance(v, numbers.Real) for v in array.flat):
            raise TypeError(f"{name} must contain only real numbers")
    elif array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain only real numbers, got element type {array.dtype}")
    try:
        return array.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{name} holds an integer too large for a float64") from None


def float64_vector(x: object, name: str, form: str):
    """A 1-D float argument in the natural form of a backend: buffer or list of floats."""
    array = float64_array(x, name, 1)
    return array if form is BUFFERS else array.tolist()


def float64_matrix(x: object, name: str, form: str):
    """A 2-D float argument: a buffer, or a list of rows of floats."""
    array = float64_array(x, name, 2)
    return array if form is BUFFERS else array.tolist()


def same_length(x, y, names: str) -> None:
    if len(x) != len(y):
        raise ValueError(f"{names} must have the same length, got {len(x)} and {len(y)}")
