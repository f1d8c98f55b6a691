"""benchmarks/scaling.py, a thin command line over fastkern._anatomy.cores: a real run's
structure (the arithmetic is tested in test_anatomy_cores.py)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "scaling.py"


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


def test_one_kernel_at_a_size_of_its_own():
    done = subprocess.run([sys.executable, str(SCRIPT), "--kernel", "binary_trees", "--size", "8",
                           "--repeat", "1", "--max-threads", "2"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines() if "Amdahl" in line] == ["binary_trees(8)"]
