"""The steps inside dynamic typing & boxing for a registered function: built from its own
annotations where they give them, absent with the reason where they do not."""

from __future__ import annotations

import fastkern
from fastkern import _build
from fastkern._anatomy import boxes

SOURCE = '''def f(n: cython.Py_ssize_t, dt: float, xs: list) -> float:
    x: float = 1.0
    y: list = []
    for i in range(n):
        x += dt
    return x
'''


def test_each_step_keeps_only_the_annotations_of_its_kinds():
    ints = _build.annotations_kept(SOURCE, "ints")
    assert "n: cython.Py_ssize_t, dt, xs)" in ints and "x = 1.0" in ints and "-> float" not in ints
    floats = _build.annotations_kept(SOURCE, "floats")
    assert "dt: float, xs) -> float" in floats and "x: float = 1.0" in floats
    assert "y = []" in floats
    assert _build.annotations_kept(SOURCE, "compiled") == SOURCE
    assert _build.annotation_kinds(SOURCE) == {"int", "float", "other"}


def test_steps_the_annotations_do_not_give_are_absent_with_why():
    import own_kernels

    absent = own_kernels.fib.build()
    assert "an int annotation stays a Python int" in absent["ints"]
    assert absent["floats"] == "no float annotation (float, cython.double)"
    assert "fastkern compiles the function alone" in absent["bound"]
    assert "ints" not in fastkern.kernel_backends("own_fib")


def test_steps_built_from_annotations_agree_and_unbox_in_turn():
    import own_steps

    assert fastkern.kernel_backends("spring")[:5] == ["python", "compiled", "ints", "floats",
                                                      "annotated"]
    expected = own_steps.spring(1000, 0.001, backend="python")
    for backend in ("compiled", "ints", "floats", "annotated"):
        assert own_steps.spring(1000, 0.001, backend=backend) == expected
    counted = {b.backend: b for b in boxes.measure("spring", 1000, fastkern.kernel_backends("spring"))}
    assert counted["compiled"].ints >= 0.5 and counted["ints"].ints <= 0.01  # ints above 256
    assert counted["ints"].floats >= 0.9 and counted["floats"].floats <= 0.01
