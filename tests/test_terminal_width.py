"""Fitting the report to the console's width: a number never leaves its unit on the line
before it, a table's caption and title wrap at the console's width rather than the table's,
and COLUMNS that is no width (0, negative, not a number, empty) counts as unset."""

import io
import os
import re
import subprocess
import sys

import pytest
from rich.table import Table
from rich.text import Text

import fastkern
from fastkern._report import terminal

WIDTHS = (40, 60, 80, 100, 120)
NUMBER = r"[-+]?\d+(?:\.\d+)?[kMG]?"
UNIT = r"(?:[nµm]?s|B|GB/s|elements?|pixels?|calls?|steps?|bodies)(?:/\w+)?"
#: A number and its unit as the report writes them ("8.44 µs~", "1.2k..4M elements").
PAIR = re.compile(rf"(?<![\w.]){NUMBER}(?:\.\.{NUMBER})? {UNIT}(?![\w/])[~!]?")
#: A line that ends with a bare number, and one that starts with a unit.
ENDS_WITH_NUMBER = re.compile(rf"(?<![\w.]){NUMBER}$")
STARTS_WITH_UNIT = re.compile(rf"^{UNIT}(?![\w])")
BOX = re.compile("[\u2500-\u257f]")

CELLS = ("8.44 µs", "8.44 µs~", "8.44 µs!\n2.32x", "30.6 ns/element", "30.6 ns/element~",
         "1.2k pixels", "3.5 GB/s vs copy 4.1 (0.85x)", "45 B/element", "98% 7.25 µs",
         "start 226 ms; empty task 323 µs!; with inputs (900k B) 5.13 ms",
         "232 ns~ vs 16.1 ns~ (14.4x)", "1.2k..4M elements", "57.3k calls")
CAPTION = ("Thread CPU times are scaled to the machine's fastest speed in this run: a fixed "
           "piece of Python work took 8.44 µs at the fastest, 9.1 µs at the slowest, and each "
           "timing is scaled from the readings around it; the JSON keeps every sample as "
           "measured, 30.6 ns/element included.")


def table(*cells, caption=None, title="The ladder: thread CPU time per call"):
    """A table as the report builds them (left-aligned title and caption, cells right-aligned)."""
    built = Table(title=title, title_justify="left", title_style="bold", caption=caption,
                  caption_justify="left", caption_style="dim")
    built.add_column("kernel", justify="left")
    for index in range(len(cells)):
        built.add_column(f"backend {index}", justify="right")
    built.add_row("nbody(2000)\n4.1k bodies", *cells)
    return built


def drawn(renderable, width):
    """``renderable`` fitted to ``width`` columns and printed as plain text."""
    out = terminal.capture(width)
    for piece in terminal.fitted(renderable, out):
        out.print(piece)
    return out.file.getvalue()


def split_pairs(text):
    """Each place where a line ends with a bare number and the next starts with a unit."""
    lines = [BOX.sub(" ", line).strip() for line in text.splitlines()]
    return [(a, b) for a, b in zip(lines, lines[1:])
            if ENDS_WITH_NUMBER.search(a) and STARTS_WITH_UNIT.match(b)]


def assert_pairs_whole(text, source, width):
    assert max(len(line) for line in text.splitlines()) <= width
    assert "\ue000" not in text
    assert not split_pairs(text)
    for pair in set(PAIR.findall(source)):
        assert pair in text, f"{pair!r} is split at {width} columns:\n{text}"


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy("fib", 10, threads=(1,), backends=["python", "c"], quick=True,
                            shared=False)


@pytest.fixture(scope="module")
def saved(report, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "fib.json"
    path.write_text(report.to_json())
    return path


def test_the_test_finds_a_number_split_from_its_unit():
    assert split_pairs("│ nbody(2000) │ 8.44 │\n│             │ µs!  │") == [
        ("nbody(2000)   8.44", "µs!")]
    assert split_pairs("costs 30.6\nns/element in python")
    assert not split_pairs("costs 30.6 ns/element\nin python")
    assert set(PAIR.findall(" ".join(CELLS))) >= {"8.44 µs~", "30.6 ns/element", "1.2k pixels",
                                                  "3.5 GB/s", "45 B/element", "1.2k..4M elements"}


@pytest.mark.parametrize("width", WIDTHS)
def test_cells_keep_each_number_beside_its_unit(width):
    for cells in (CELLS, CELLS[:4], CELLS[4:8], CELLS[8:]):
        text = drawn(table(*cells), width)
        assert_pairs_whole(text, " ".join(cells), width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_cell_narrower_than_its_text_wraps_between_pairs_not_inside_them(width):
    # Many columns of long cells force each cell onto several lines.
    cells = ["3.5 GB/s vs copy 4.1 GB/s (0.85x) in 30.6 ns/element"] * 6
    text = drawn(table(*cells, title=None), width)
    assert_pairs_whole(text, cells[0], width)
    assert "30.6 ns/element" in text and "4.1 GB/s" in text


def test_the_joined_space_is_an_ordinary_space_in_text_and_html():
    out = terminal.capture(30)
    for piece in terminal.fitted(table("8.44 µs~ and 30.6 ns/element", caption=CAPTION), out):
        out.print(piece)
    for exported in (out.export_text(clear=False), out.export_html(clear=False)):
        assert "8.44 µs~" in exported and "30.6 ns/element" in exported
        assert "\ue000" not in exported and "\u00a0" not in exported


def test_text_outside_tables_keeps_numbers_beside_units():
    sentence = Text("• In sum, a python call costs 80.6 ns before any work, each element costs "
                    "17.7 ns in python, and keyword arguments 82.9 ns vs positional arguments "
                    "58.6 ns.")
    for width in range(30, 90):
        assert_pairs_whole(drawn(sentence, width), sentence.plain, width)
    assert drawn(Text("no numbers here"), 40) == "no numbers here\n"


def test_a_table_without_numbers_draws_as_rich_draws_it():
    plain = Table(title="T", caption="c")
    plain.add_column("a")
    plain.add_row("b")
    out = terminal.capture(40)
    out.print(plain)
    assert drawn(plain, 40) == out.file.getvalue()


def alone(text, width, style):
    """``text`` drawn on its own, ``width`` columns wide (numbers beside their units)."""
    out = terminal.capture(width)
    for piece in terminal.fitted(Text(text, style=style), out):
        out.print(piece)
    return [line.rstrip() for line in out.file.getvalue().splitlines()]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_caption_wraps_at_the_console_width_not_the_table_width(width):
    text = drawn(table("8.44 µs~", caption=CAPTION), width)
    lines = [line.rstrip() for line in text.splitlines()]
    widest_row = max(len(line) for line in lines if "nbody(2000)" in line)
    caption = alone(CAPTION, width, "dim")
    assert lines[-len(caption):] == caption, text
    assert max(len(line) for line in caption) > widest_row, "a caption line outgrows the table"
    assert max(len(line) for line in lines) <= width
    assert_pairs_whole(text, CAPTION, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_title_wraps_at_the_console_width(width):
    title = "Where python's time goes (share of python's time per call), " * 2
    text = drawn(table("98% 7.25 µs", title=title.strip()), width)
    lines = [line.rstrip() for line in text.splitlines()]
    heading = alone(title.strip(), width, "bold")
    assert lines[:len(heading)] == heading, text


def test_each_part_of_a_split_table_is_titled_and_only_the_last_has_the_caption():
    text = drawn(table(*CELLS, caption=CAPTION), 60)
    assert text.count("(continued)") >= 1
    assert text.count("Thread CPU times are scaled") == 1
    assert text.rstrip().endswith(alone(CAPTION, 60, "dim")[-1])


@pytest.mark.parametrize("width", WIDTHS)
def test_a_real_report_keeps_numbers_beside_units(report, width):
    wide = report.render(400)
    text = report.render(width)
    assert_pairs_whole(text, wide, width)


@pytest.mark.parametrize("width", [44, 60])
def test_a_real_reports_captions_wrap_at_the_console_width(report, width, monkeypatch):
    captioned = []
    fitted = terminal.fitted

    def recording(renderable, out, *args):
        if isinstance(renderable, Table) and renderable.caption:
            captioned.append(renderable)
        return fitted(renderable, out, *args)

    monkeypatch.setattr(terminal, "fitted", recording)
    report.render(width)
    monkeypatch.undo()
    if not captioned:
        pytest.skip("this rendering has no table with a caption")
    for part in captioned:
        out = terminal.capture(width)
        for piece in terminal.fitted(part, out):
            out.print(piece)
        lines = [line.rstrip() for line in out.file.getvalue().splitlines()]
        caption = alone(part.caption, width, "dim")
        assert lines[-len(caption):] == caption


@pytest.mark.parametrize("columns", ["0", "-5", "abc", "", "00", " ", "²"])
def test_COLUMNS_that_is_no_width_counts_as_unset(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal.console(file=io.StringIO()).width == terminal.FILE_WIDTH
    assert terminal.console(file=io.StringIO(), width=50).width == 50
    monkeypatch.delenv("COLUMNS")
    unset = terminal.console().width
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal.capture().width == terminal.console().width == unset
    assert terminal.capture(70).width == 70


def test_COLUMNS_that_is_a_width_is_followed(monkeypatch):
    monkeypatch.setenv("COLUMNS", "77")
    assert terminal.console(file=io.StringIO()).width == 77
    assert terminal.capture().width == 77


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("columns", ["0", "abc", ""])
def test_on_a_terminal_COLUMNS_that_is_no_width_leaves_the_terminals_width(monkeypatch, columns):
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 93, 0, 0))
        with open(follower, "w", closefd=False) as tty:
            monkeypatch.setenv("COLUMNS", columns)
            out = terminal.console(file=tty)
            assert out.is_terminal and out.width == 93
    finally:
        os.close(leader)
        os.close(follower)


@pytest.fixture(scope="module")
def unset_output(saved):
    result = subprocess.run([sys.executable, "-m", "fastkern", "report", str(saved)],
                            capture_output=True, text=True, timeout=120, env={"PATH": ""})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("columns", ["0", "-5", "abc", ""])
def test_the_report_command_treats_COLUMNS_that_is_no_width_as_unset(saved, unset_output, columns):
    result = subprocess.run([sys.executable, "-m", "fastkern", "report", str(saved)],
                            capture_output=True, text=True, timeout=120,
                            env={"COLUMNS": columns, "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    # The machine's line is longer than any width: it fills the 120 columns of a file.
    assert terminal.FILE_WIDTH - 20 < max(len(line) for line in result.stdout.splitlines()) <= \
        terminal.FILE_WIDTH
    assert result.stdout == unset_output


@pytest.mark.parametrize("width", [30, 34, 38])
def test_too_narrow_for_a_pair_it_parts_at_its_space_and_no_word_is_cut(report, width):
    # Below about 40 columns the cost table's key columns and "0.52 ns/call" no longer fit
    # side by side: the widest column gives way, its number and unit part at their space,
    # and every word (the key column's names included) stays whole.
    wide = report.render(400)
    text = report.render(width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert set(BOX.sub(" ", text).split()) - {"(continued)"} == set(BOX.sub(" ", wide).split())
    assert "\ue000" not in text


def _drawn(table: Table, width: int) -> str:
    out = terminal.capture(width)
    for part in terminal.fitted(table, out):
        out.print(part)
    return out.file.getvalue()


def _narrowest_unsplit(table: Table) -> int:
    for width in range(30, 80):
        text = _drawn(table, width)
        assert max(len(line) for line in text.splitlines()) <= width
        if "(continued)" not in text:
            return width
    raise AssertionError("the table split at every width up to 80")


def test_a_table_a_little_too_wide_closes_its_gaps_before_it_splits(monkeypatch):
    table = Table(title="lags", show_edge=False, pad_edge=False)
    for header in ("backend", "spectral_norm", "binary_trees", "mandelbrot"):
        table.add_column(header)
    table.add_row("c (GIL held)", "5.28 ms", "5.32 ms", "5.47 ms")
    tight = _narrowest_unsplit(table)
    monkeypatch.setattr(terminal, "TIGHT", table.padding)  # gaps kept as rich draws them
    assert _narrowest_unsplit(table) == tight + len(table.columns) - 1
