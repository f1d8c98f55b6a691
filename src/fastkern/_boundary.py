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
_FLOAT64 = np.dtype(np.float64)


def count(value: object, name: str, *, minimum: int = 0, maximum: int = sys.maxsize) -> int:
    """``value`` as a Python int in ``minimum..maximum``; bools and floats are refused."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = operator.index(value)
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be in {minimum}..{maximum}, got {value}")
    return value


def _buffer(x: object, name: str) -> memoryview | None:
    """``x``'s buffer, or None when it exports none; a released memoryview is refused."""
    try:
        return memoryview(x)
    except TypeError:
        return None
    except ValueError as error:
        if isinstance(x, memoryview):
            raise ValueError(f"{name} is a released memoryview: {error}") from None
        raise TypeError(f"{name} exports a buffer Python cannot describe: {error}") from None


def _is_buffer(x: object, name: str) -> bool:
    return isinstance(x, np.ndarray) or _buffer(x, name) is not None


def float64_array(x: object, name: str, ndim: int) -> np.ndarray:
    """``x`` as a C-contiguous float64 array of ``ndim`` dimensions.

    The rule, the same for buffers and sequences: float64 data (either byte order) is used
    in place when contiguous, aligned and native, and copied once otherwise; integer and bool data
    (NumPy int/uint/bool arrays, ``array.array('q')``, lists of ints) is converted as
    ``float()`` converts each value; other float widths, complex, text and objects are
    refused. Masked arrays are refused rather than read without their mask.
    """
    if (type(x) is np.ndarray and x.dtype is _FLOAT64 and x.ndim == ndim
            and x.flags.c_contiguous and x.flags.aligned):
        return x
    if isinstance(x, (str, bytes, bytearray)):
        raise TypeError(f"{name} must be float64 data, got {type(x).__name__}")
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array, whose mask fastkern would ignore; pass "
                        f"{name}.compressed() (the unmasked values) or {name}.filled(value)")
    if _is_buffer(x, name):
        array = np.asarray(x)
        if (array.dtype.kind == "f" and array.dtype.itemsize == 8) or array.dtype.kind in "biu":
            array = array.astype(np.float64, copy=False)
        else:
            raise TypeError(
                f"{name} must hold float64 values (or integers or bools), got dtype {array.dtype}; "
                f"convert it with numpy.asarray({name}, dtype=float)")
    else:
        array = _from_sequence(x, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got {array.ndim} dimension(s)")
    return np.require(array, requirements="CA")


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
    if array.dtype.kind not in "biuf":
        # NumPy turns [1.5, 'abc'] into strings ('1.5' too): find the culprit among the objects.
        objects = array if array.dtype.kind == "O" else np.array(x, dtype=object)
        bad = [v for v in objects.flat if not isinstance(v, numbers.Real)]
        if bad:
            raise TypeError(f"{name} must contain only real numbers, got {_describe(bad[0])}")
    try:
        return array.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{name} holds an integer too large for a float64") from None


def _describe(value: object) -> str:
    """``str '1.0'``: a value's type and a short repr, for error messages."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def float64_vector(x: object, name: str, form: str):
    """A 1-D float argument in the natural form of a backend: buffer or list of floats."""
    array = float64_array(x, name, 1)
    return array if form is BUFFERS else array.tolist()


def same_length(x, y, names: str) -> None:
    if len(x) != len(y):
        raise ValueError(f"{names} must have the same length, got {len(x)} and {len(y)}")


def matmul_operands(a: object, b: object, form: str) -> tuple:
    """``a`` (n, k) and ``b`` (k, m), every dimension at least 1, as float64 matrices."""
    a_array = float64_array(a, "a", 2)
    b_array = float64_array(b, "b", 2)
    for name, array in (("a", a_array), ("b", b_array)):
        if 0 in array.shape:
            raise ValueError(f"{name} must have at least one row and one column, got shape {array.shape}")
    if a_array.shape[1] != b_array.shape[0]:
        raise ValueError(f"a's columns must match b's rows: a has shape {a_array.shape}, "
                         f"b has shape {b_array.shape}")
    if form is BUFFERS:
        return a_array, b_array
    return a_array.tolist(), b_array.tolist()


_BYTE_FORMATS = ("B", "b", "c")


def byte_data(x: object, name: str, form: str):
    """A bytes-like argument: ``bytes`` for the object backends; for the rest, ``bytes``
    as given, anything else as a 1-D uint8 array.

    Anything exporting a buffer of single bytes is accepted (bytes, bytearray, memoryview,
    ``array.array('B')``, NumPy uint8/int8 arrays of any shape, read in C order);
    non-contiguous buffers are copied. ``str`` is refused: text has no bytes until encoded.
    """
    if isinstance(x, str):
        raise TypeError(f"{name} must be bytes-like, got str; encode it first, "
                        f"e.g. {name}.encode('utf-8')")
    view = _buffer(x, name)
    if view is None:
        raise TypeError(f"{name} must be bytes-like (bytes, bytearray, memoryview, uint8 array), "
                        f"got {type(x).__name__}")
    if view.format not in _BYTE_FORMATS:
        raise TypeError(f"{name} must hold single bytes, got items of format {view.format!r}; "
                        f"view them as bytes first, e.g. memoryview({name}).cast('B')")
    if type(x) is bytes:
        return x
    if form is not BUFFERS:
        return view.tobytes()
    return np.ascontiguousarray(np.asarray(view)).view(np.uint8).reshape(-1)
