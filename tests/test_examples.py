"""The examples/ functions through the whole anatomy (quick settings), as a new user runs them."""

from __future__ import annotations

import importlib.util
import io
import os
import pathlib
import subprocess
import sys

import pytest
from rich.console import Console

import fastkern
from fastkern import __main__ as cli
from fastkern._anatomy import derive, render
from fastkern._rungs import STEPS

import oscillator
import trees
import words

SECTIONS = ("The ladder", "Where python's time goes", "Fixed cost per call", "GIL:",
            "python, processes", "Event loop", "Boundary, memory, gc")
HAS_NUMBA = importlib.util.find_spec("numba") is not None


def rendered(report) -> str:
    out = io.StringIO()
    render.render(report, Console(file=out, width=200), explain=True)
    return out.getvalue()


@pytest.fixture(scope="module")
def oscillator_report():
    return fastkern.anatomy(oscillator.oscillator, 2000, threads=(1, 2), quick=True)


def test_the_decorator_alone_gives_compiled_annotated_and_numba_rungs(oscillator_report):
    """And the float step its float annotation gives; its int annotation is no C integer."""
    (kernel,) = oscillator_report.kernels
    expected = ["python", "compiled", "floats", "annotated"] + (["numba"] if HAS_NUMBA else [])
    assert [rung.backend for rung in kernel.ladder] == expected
    assert [backend for backend, _ in kernel.absent] == ["bound", "ints"] + (
        [] if HAS_NUMBA else ["numba"])
    assert all(reason for _, reason in kernel.absent)
    assert (kernel.kernel, kernel.size, kernel.unit, kernel.work) == ("oscillator", 2000, "step", 2000)
    parts = derive.parts(kernel)
    assert [part.name for part in parts] == [
        "interpreter and generic dispatch", "float objects", "inferred and other types",
        "remainder (annotated itself)"]
    # Each share is a median over rounds, so they need not add up to exactly 1.
    assert all(part.share.low <= part.share.value <= part.share.high for part in parts)


def test_every_section_of_the_report_is_there(oscillator_report):
    from fastkern._anatomy import check

    assert check.problems(oscillator_report) == []
    (kernel,) = oscillator_report.kernels
    assert {cost.backend for cost in kernel.costs} == {rung.backend for rung in kernel.ladder} - STEPS
    assert {d.backend for d in kernel.dispatch} == {rung.backend for rung in kernel.ladder} - STEPS
    no_gil = ["compiled", "annotated"] if fastkern.info()["gil_disabled"] else []
    assert [s.label for s in kernel.gil.threads] == \
        ["python", *no_gil] + (["numba"] if HAS_NUMBA else [])
    assert kernel.gil.processes.input_bytes > 0
    assert {s.label for s in kernel.stall} >= {"idle loop", "python", "compiled", "annotated"}
    assert oscillator_report.gc.kernel == "oscillator"
    assert kernel.passes.why_not_fresh == "a registered kernel's rungs are built in this process"
    text = rendered(oscillator_report)
    for title in SECTIONS:
        assert title in text
    assert fastkern.Report.from_json(oscillator_report.to_json()) == oscillator_report


@pytest.mark.parametrize("function, size", [(words.word_counts, 300), (trees.tree_sum, 300)])
def test_string_and_recursive_examples_run_through_the_anatomy(function, size):
    # numba is left out: failing to compile word_counts takes it half a minute.
    report = fastkern.anatomy(function, size, backends=["python", "compiled", "annotated"],
                              threads=(1, 2), quick=True, shared=False)
    (kernel,) = report.kernels
    assert [rung.backend for rung in kernel.ladder] == ["python", "compiled", "annotated"]
    assert kernel.absent == ()
    assert kernel.gil.processes is not None
    text = rendered(report)
    for title in SECTIONS[:-1]:
        assert title in text


def test_a_disagreeing_rung_is_reported_and_not_timed():
    def wrong(text):
        return {"the": -1}

    words.word_counts.add("wrong", wrong)
    report = fastkern.anatomy(words.word_counts, 50, backends=["python", "wrong"], threads=(1,),
                              quick=True, shared=False)
    (kernel,) = report.kernels
    assert [rung.backend for rung in kernel.ladder] == ["python"]
    (absent,) = kernel.absent
    assert absent[0] == "wrong" and absent[1].startswith("disagrees with python on the sample")
    assert "wrong not timed: disagrees with python" in rendered(report)


def test_the_command_line_takes_module_and_function(monkeypatch, capsys):
    monkeypatch.chdir(oscillator.__file__.rsplit("/", 1)[0])
    status = cli.main(["oscillator:oscillator", "--size", "500", "--threads", "1",
                       "--backends", "python,compiled", "--quick"])
    out = capsys.readouterr().out
    assert status == 0
    assert "oscillator(500)" in out and "The ladder" in out


def test_the_command_line_refuses_what_is_not_a_registered_kernel(capsys):
    assert cli.main(["anatomy", "words:sample_text"]) == 2
    assert "words:sample_text is not a fastkern kernel" in capsys.readouterr().err
    assert cli.main(["anatomy", "no_such_module:f"]) == 2
    assert "cannot import 'no_such_module'" in capsys.readouterr().err


EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script, kernel", [("oscillator.py", "oscillator"), ("trees.py", "tree_sum"),
                                            ("words.py", "word_counts")])
def test_each_example_runs_as_a_file_and_prints_its_anatomy(script, kernel):
    done = subprocess.run([sys.executable, str(EXAMPLES / script), "200"], capture_output=True,
                          text=True, timeout=300, cwd=EXAMPLES.parent)
    assert done.returncode == 0, done.stderr
    assert f"{kernel}(200)" in done.stdout and "The ladder" in done.stdout


def test_the_documented_command_runs_an_example_from_the_repository_root():
    done = subprocess.run([sys.executable, "-m", "fastkern", "anatomy", "oscillator:oscillator",
                           "--size", "300", "--threads", "1", "--backends", "python,compiled", "--quick"],
                          capture_output=True, text=True, timeout=300, cwd=EXAMPLES.parent,
                          env={**os.environ, "PYTHONPATH": "examples"})
    assert done.returncode == 0, done.stderr
    assert "oscillator(300)" in done.stdout
    guide = (EXAMPLES.parent / "docs" / "own-kernels.md").read_text()
    assert "PYTHONPATH=examples python -m fastkern anatomy oscillator:oscillator" in guide
    assert "python examples/oscillator.py" in guide
