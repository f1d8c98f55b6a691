"""fnv1a: published vectors, every bytes-like form, refusals, a reference hash, GIL switch."""

from __future__ import annotations

import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastkern

from helpers import call_all

BACKENDS = fastkern.kernel_backends("fnv1a")


def reference_fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h


@pytest.mark.parametrize("data, expected", [
    (b"", 0xCBF29CE484222325), (b"a", 0xAF63DC4C8601EC8C),
])
def test_published_vectors_on_every_backend(data, expected):
    for backend, value in call_all("fnv1a", data).items():
        assert value == expected and type(value) is int, backend


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_every_backend_equals_the_reference_for_any_bytes(data):
    expected = reference_fnv1a(data)
    for backend, value in call_all("fnv1a", data).items():
        assert value == expected, backend


@pytest.mark.parametrize("make", [
    bytes, bytearray, memoryview,
    lambda d: array.array("B", d),
    lambda d: np.frombuffer(d, dtype=np.uint8),
    lambda d: np.frombuffer(d, dtype=np.int8),
    lambda d: np.frombuffer(d, dtype=np.uint8).reshape(4, -1),
    lambda d: memoryview(d).cast("c"),
], ids=["bytes", "bytearray", "memoryview", "array", "uint8", "int8", "2-D", "char"])
def test_every_bytes_like_form_hashes_its_bytes(make):
    data = bytes(range(256)) * 2
    for backend, value in call_all("fnv1a", make(data)).items():
        assert value == reference_fnv1a(data), backend


def test_non_contiguous_buffers_are_copied_in_c_order():
    data = np.arange(200, dtype=np.uint8)
    for view in (data[::3], memoryview(data)[1::2], data.reshape(10, 20).T):
        expected = reference_fnv1a(np.ascontiguousarray(view).tobytes())
        for backend, value in call_all("fnv1a", view).items():
            assert value == expected, backend


def test_read_only_buffers_are_accepted():
    data = np.arange(64, dtype=np.uint8)
    data.flags.writeable = False
    for backend, value in call_all("fnv1a", data).items():
        assert value == reference_fnv1a(data.tobytes()), backend


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad, words", [
    ("text", "got str; encode it first"),
    ([1, 2, 3], "bytes-like .* got list"),
    (7, "bytes-like .* got int"),
    (None, "bytes-like .* got NoneType"),
    (np.arange(4, dtype=np.int64), "single bytes, got items of format '.'"),
    (array.array("d", [1.0]), "single bytes, got items of format 'd'"),
])
def test_non_bytes_are_refused_naming_the_argument(backend, bad, words):
    with pytest.raises(TypeError, match=f"^data must .*{words}"):
        fastkern.fnv1a(bad, backend=backend)


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_release_gil_does_not_change_the_result(backend):
    data = bytes(range(256)) * 40
    assert fastkern.fnv1a(data, backend=backend, release_gil=False) == \
        fastkern.fnv1a(data, backend=backend, release_gil=True) == reference_fnv1a(data)


def test_numpy_is_absent_and_naming_it_says_where_the_kernel_is():
    assert "numpy" not in fastkern.kernel_backends("fnv1a")
    with pytest.raises(fastkern.BackendError, match="backend 'numpy' has no fnv1a; it is in python, "):
        fastkern.fnv1a(b"abc", backend="numpy")
