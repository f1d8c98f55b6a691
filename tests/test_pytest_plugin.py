"""The pytest plugin: one benchmark per rung, in one group, with pytester."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import fastkern

import oscillator  # noqa: F401  (registers the kernel the inner session benchmarks)

pytest_plugins = "pytester"

LADDER_TESTS = """
import pytest
import oscillator

@pytest.mark.fastkern_ladder(oscillator.oscillator, size=300)
def test_oscillator(fastkern_ladder):
    assert fastkern_ladder() == oscillator.oscillator(300, 0.001, backend="python")

@pytest.mark.fastkern_ladder("fib", size=12)
def test_fib(fastkern_ladder):
    assert fastkern_ladder() == 144
"""
QUICK = ("-p", "no:cacheprovider", "--benchmark-min-rounds=1", "--benchmark-max-time=0.0001",
         "--benchmark-warmup=off", "--benchmark-calibration-precision=1")


def test_one_benchmark_per_rung_in_one_group(pytester):
    pytester.makepyfile(test_ladder=LADDER_TESTS)
    result = pytester.runpytest(*QUICK, "--benchmark-json=out.json", "--benchmark-group-by=group")
    rungs = fastkern.kernel_backends("oscillator")
    result.assert_outcomes(passed=len(rungs) + len(fastkern.kernel_backends("fib")))
    benchmarks = json.loads((pytester.path / "out.json").read_text())["benchmarks"]
    ours = [b for b in benchmarks if b["extra_info"]["kernel"] == "oscillator"]
    assert sorted(b["extra_info"]["backend"] for b in ours) == sorted(rungs)
    assert {b["group"] for b in ours} == {"oscillator size=300"}
    assert {b["group"] for b in benchmarks if b["extra_info"]["kernel"] == "fib"} == {"fib size=12"}
    assert [b["name"] for b in ours] == [f"test_oscillator[{r}]" for r in rungs]
    result.stdout.fnmatch_lines(["*benchmark 'oscillator size=300'*"])


def test_benchmark_compare_works_across_runs(pytester):
    pytester.makepyfile(test_ladder=LADDER_TESTS)
    first = pytester.runpytest(*QUICK, "--benchmark-autosave", "-k", "fib")
    first.assert_outcomes(passed=len(fastkern.kernel_backends("fib")))
    second = pytester.runpytest(*QUICK, "--benchmark-compare", "-k", "fib")
    second.assert_outcomes(passed=len(fastkern.kernel_backends("fib")))
    second.stderr.fnmatch_lines(["*Comparing against benchmarks from*0001_*"])
    second.stdout.fnmatch_lines(["*test_fib?python? (0001*"])  # rows are sorted by time,
    second.stdout.fnmatch_lines(["*test_fib?python? (NOW)*"])   # so either may come first


MISUSED = """
import pytest

def test_bare(fastkern_ladder):
    fastkern_ladder()

@pytest.mark.fastkern_ladder("no_such_kernel", size=3)
def test_unknown_kernel(fastkern_ladder):
    fastkern_ladder()

@pytest.mark.fastkern_ladder("fib", size=3, backends=["python", "cee"])
def test_misspelt_backend(fastkern_ladder):
    fastkern_ladder()

def test_beside_them():
    pass
"""


def test_misuse_is_an_error_of_that_test_not_of_the_file(pytester):
    pytester.makepyfile(test_misused=MISUSED)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rE")
    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines([
        "test_misused.py::test_bare: the fastkern_ladder fixture needs "
        "@pytest.mark.fastkern_ladder(kernel, size=...)",
        "test_misused.py::test_unknown_kernel: unknown kernel 'no_such_kernel'; choose one of sum, *",
        "test_misused.py::test_misspelt_backend: unknown backend(s) 'cee' in "
        "@pytest.mark.fastkern_ladder; choose from python, compiled, *",
    ])
    assert "Traceback" not in result.stdout.str() and "INTERNALERROR" not in result.stdout.str()


def test_the_plugin_is_inactive_unless_used(tmp_path):
    (tmp_path / "test_plain.py").write_text(
        "import sys\n\ndef test_plain():\n    assert 'fastkern' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
