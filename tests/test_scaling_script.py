"""benchmarks/scaling.py: its Amdahl fit (exact numbers) and the structure of a real run."""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "scaling.py"


def _script():
    spec = importlib.util.spec_from_file_location("scaling", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 1.0])
def test_amdahl_fit_recovers_the_serial_fraction_of_exact_speedups(fraction):
    speedups = {t: 1 / (fraction + (1 - fraction) / t) for t in (1, 2, 4, 8, 16)}
    assert _script().amdahl_serial_fraction(speedups) == pytest.approx(fraction, abs=1e-12)


def test_amdahl_fit_needs_two_threads_or_more():
    assert _script().amdahl_serial_fraction({1: 1.0}) is None


def test_a_quick_run_prints_every_kernel_at_every_thread_count():
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--repeat", "1",
                           "--max-threads", "2"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for kernel in ("mandelbrot", "spectral_norm", "matmul", "sum", "dot", "monte_carlo_pi",
                   "fannkuch", "binary_trees"):
        assert any(line.startswith(kernel) and "Amdahl serial fraction" in line for line in lines)
    rows = [line for line in lines if line.strip().startswith("T=")]
    assert len(rows) == 2 * 8 and sum("GB/s" in row for row in rows) == 4
