"""benchmarks/instructions.py without valgrind: its variants, point counts and comparison."""

import importlib
import importlib.util
from pathlib import Path

import pytest

import fastkern
from fastkern._dispatch import prepare

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "instructions.py"
spec = importlib.util.spec_from_file_location("instructions", SCRIPT)
instructions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(instructions)


def backend_module(backend):
    return importlib.import_module(f"fastkern.backends._{backend}")


@pytest.mark.parametrize("backend", sorted(set(fastkern.kernel_backends("mandelbrot")) & {"python", "compiled"}))
def test_points_are_the_interrupt_point_calls_of_one_call(backend):
    module = backend_module(backend)
    point = module.interrupt_point
    raw = prepare("mandelbrot", backend, 20, 7)
    assert instructions.interrupt_points(module, fastkern.implementation("mandelbrot", backend), raw) == 7
    assert module.interrupt_point is point


def test_a_module_without_interrupt_points_has_none():
    module = backend_module("c")
    assert instructions.interrupt_points(module, fastkern.implementation("fib", "c"), (10,)) is None


@pytest.mark.parametrize("backend", sorted(set(fastkern.kernel_backends("sum")) & {"typed", "c"}))
def test_one_chunk_sets_and_restores_the_drivers_chunk(backend):
    module = backend_module(backend)
    before = module._set_chunk_ops(1 << 23)
    try:
        with instructions.variant_applied("one-chunk", module):
            assert module._set_chunk_ops(float(1 << 62)) == float(1 << 62)
        assert module._set_chunk_ops(1 << 23) == 1 << 23
    finally:
        module._set_chunk_ops(before)


def test_no_points_replaces_and_restores_interrupt_point():
    module = backend_module("python")
    point = module.interrupt_point
    with instructions.variant_applied("no-points", module):
        assert module.interrupt_point is not point and module.interrupt_point() is None
    assert module.interrupt_point is point


def test_the_comparison_pairs_cases_and_gives_the_change(capsys):
    row = dict(kernel="fib", size=15, backend="c", variant="default")
    instructions.print_comparison([dict(row, instructions=200.0), dict(row, size=32, instructions=9.0)],
                                  [dict(row, instructions=250.0), dict(row, backend="typed", instructions=1.0)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].split()[-3:] == ["200", "250", "+25.00%"]
