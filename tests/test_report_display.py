"""Showing a Report: render(width), str(), rich and notebook display, terminal fitting,
COLUMNS, the optional progress bar, and the documentation of the public names."""

import contextlib
import io
import json
import pydoc
import re
import subprocess
import sys

import pytest
from rich.console import Console

import fastkern
from fastkern._anatomy import model, run
from fastkern._report import terminal
from fastkern._anatomy.settings import Settings

BOX = re.compile("[\u2500-\u257f]")


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy_all(["sum", "spectral_norm", "mandelbrot"],
                                sizes={"sum": 2000, "spectral_norm": 8, "mandelbrot": 8},
                                threads=(1, 2), quick=True)


def words(text):
    return set(BOX.sub(" ", text).split())


def assert_fits(text, width):
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, max(lines, key=len)
    assert "…" not in text


@pytest.mark.parametrize("width", [100, 80, 60])
def test_narrow_renderings_keep_every_word_whole(report, width):
    wide = report.render(400)
    narrow = report.render(width)
    assert_fits(narrow, width)
    assert words(narrow) - {"(continued)"} == words(wide)
    for kernel in ("spectral_norm(8)", "mandelbrot(8)"):
        assert kernel in narrow
    assert ("s/element" in narrow) == ("s/element" in wide)  # ns or µs, or ? where unresolved


def test_absurd_widths_fold_rather_than_drop_text(report):
    text = report.render(12)
    assert_fits(text, 12)
    with pytest.raises(ValueError, match="width must be a positive number of columns, got 0"):
        report.render(0)


def test_a_wide_rendering_is_not_split(report):
    for explain, headings in ((False, ("Findings", "The ladder", "Where python's time goes",
                                       "Per call", "GIL, ", "Event loop", "Boundary, memory",
                                       "How this was measured")),
                              (True, ("Fixed cost per call", "Load:", "Clocks:"))):
        text = report.render(400, explain=explain)
        assert "(continued)" not in text
        for heading in headings:
            assert text.count(heading) == 1, heading


def test_str_is_the_rendering_at_the_width_of_COLUMNS(report, monkeypatch):
    monkeypatch.setenv("COLUMNS", "77")
    assert str(report) == report.render(77)
    assert_fits(str(report), 77)


def test_a_file_without_COLUMNS_gets_wide_tables(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal.console(file=io.StringIO()).width == terminal.FILE_WIDTH
    assert terminal.console(file=io.StringIO(), width=50).width == 50


def test_rich_consoles_print_it_fitted(report):
    out = io.StringIO()
    Console(file=out, width=66).print(report)
    assert_fits(out.getvalue(), 66)
    assert out.getvalue().startswith("Findings")


def test_notebooks_get_html(report):
    html = report._repr_html_()
    assert html.startswith("<pre") and html.endswith("</pre>")
    assert "The ladder" in html and "<html" not in html


def test_repr_is_one_line(report):
    assert repr(report).startswith("<fastkern Report of sum(2000), spectral_norm(8), mandelbrot(8): quick pass")
    assert "\n" not in repr(report)


def test_kernel_names_the_choices(report):
    assert report.kernel("sum").size == 2000
    with pytest.raises(KeyError, match="this report measured sum, spectral_norm, mandelbrot, not 'fib'"):
        report.kernel("fib")


def test_report_command_follows_COLUMNS(report, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(report.to_json())
    result = subprocess.run([sys.executable, "-m", "fastkern", "report", str(path)], capture_output=True,
                            text=True, timeout=120, env={"COLUMNS": "64", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert_fits(result.stdout, 64)


def test_progress_is_silent_by_default_and_a_bar_on_request(monkeypatch, capsys):
    steps = []

    @contextlib.contextmanager
    def fake_bar():
        yield lambda label, done, total: steps.append((label, done, total))

    monkeypatch.setattr(run, "progress_bar", fake_bar)
    fastkern.anatomy("fib", 10, threads=(1,), backends=["c"], quick=True, shared=False)
    assert steps == [] and capsys.readouterr().err == ""
    fastkern.anatomy("fib", 10, threads=(1,), backends=["c"], quick=True, shared=False, progress=True)
    later = Settings.for_mode(True).ladder_passes - 1
    total = len(model.KERNEL_STEPS) + later
    assert later >= 1 and steps[0] == ("fib: ladder", 0, total)
    assert steps[-later - 1:] == [(f"fib: {model.LATER_PASS}", total - later + index, total)
                                  for index in range(later)] + [("done", total, total)]


def test_help_lists_the_anatomy_api():
    text = pydoc.render_doc(fastkern, renderer=pydoc.plaintext)
    for listed in (r"\n    anatomy\(\s*kernel", r"\n    anatomy_all\(\s*kernels", r"class Report\b"):
        assert re.search(listed, text), listed  # Python 3.13 puts long signatures on several lines
    assert {"anatomy", "anatomy_all", "Report"} <= set(dir(fastkern))


def test_anatomy_documents_its_errors_and_helpers():
    doc = fastkern.anatomy.__doc__
    for words_ in ("Raises", "ValueError", "BackendError", "Settings", "Clock", "Progress", "progress=True"):
        assert words_ in doc


def test_every_public_name_has_a_docstring():
    for name in fastkern.__all__:
        assert getattr(fastkern, name).__doc__, name
    for name in ("kernel", "render", "to_json", "from_json", "timings"):
        assert getattr(fastkern.Report, name).__doc__, name


def test_json_round_trip_renders_the_same(report):
    again = fastkern.Report.from_json(report.to_json())
    assert again.render(90) == report.render(90)
    assert json.loads(report.to_json())["format"] == "fastkern-anatomy"
