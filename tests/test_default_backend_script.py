"""benchmarks/default_backend.py: the default matmul against the backend it should match."""

from __future__ import annotations

import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "default_backend.py"


def test_a_run_prints_both_pairs_with_their_ratios():
    done = subprocess.run([sys.executable, str(SCRIPT), "--rounds", "2"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("fastkern ") and "matmul default: c; numpy from " in lines[0]
    assert [line.split(":")[0] for line in lines[1:]] == ["matmul 16x16", "matmul 512x512"]
    assert "default / c = " in lines[1] and "default / numpy = " in lines[2]
