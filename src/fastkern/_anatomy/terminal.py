"""Output that fits where it is printed: the console's width, tables that never cut text,
and the progress bar.

A table wider than the console is first drawn compactly (no outer border, less padding),
then, if still too wide, split into several tables of fewer columns, each repeating the
leading key columns (kernel, backend, ...) so every row stays readable. Rich then only
wraps cells at spaces: a kernel name, a number or a unit is never cut, and a word wider
than a whole column (only at absurd widths) is folded onto the next line, not dropped.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
from typing import IO, Callable, Iterator, Optional

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

#: Columns used when the output is not a terminal and COLUMNS is unset: tables stay whole.
FILE_WIDTH = 120
#: Leading column headers that identify a row, repeated in every part of a split table.
KEY_HEADERS = ("kernel", "backend", "variant", "section")


def console(file: Optional[IO[str]] = None, width: Optional[int] = None) -> Console:
    """A console for ``file`` (default stdout), ``width`` columns wide.

    Unset, the width is the terminal's; when ``file`` is not a terminal it is the
    ``COLUMNS`` environment variable where set, else :data:`FILE_WIDTH`.
    """
    out = Console(file=file, width=width)
    if width is None and not out.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        out.width = FILE_WIDTH
    return out


def capture(width: Optional[int] = None) -> Console:
    """A console that records into a string (``console.file.getvalue()``), without colour.

    ``width`` defaults as for :func:`console`, measured on stdout.
    """
    width = width or console().width
    return Console(file=io.StringIO(), width=width, color_system=None, record=True,
                   force_terminal=False, force_jupyter=False)


def fitted(renderable: object, out: Console, width: Optional[int] = None) -> Iterator[object]:
    """``renderable`` as one or more renderables that fit ``width`` (default: ``out``'s)."""
    if not isinstance(renderable, Table):
        yield renderable
        return
    width = width or out.width
    table = copy.copy(renderable)
    table.columns = [copy.copy(column) for column in renderable.columns]
    for column in table.columns:
        column.overflow = "fold"
    if _widest(table, out) > width:
        table.box, table.show_edge, table.pad_edge = box.SIMPLE_HEAD, False, False
    parts = [table] if _minimum(table, out) <= width else _split(table, out, width)
    for part in parts:
        _share_width(part, out, width)
        yield part


def _ranges(table: Table, out: Console) -> list:
    """Each column's (narrowest without breaking a word, widest) width, padding included."""
    options = out.options.update_width(10_000)
    return [table._measure_column(out, options, column) for column in table.columns]


def _minimum(table: Table, out: Console) -> int:
    """The narrowest ``table`` can be drawn without breaking a word."""
    return sum(r.minimum for r in _ranges(table, out)) + table._extra_width


def _widest(table: Table, out: Console) -> int:
    """The width of ``table`` with no cell wrapped."""
    return sum(r.maximum for r in _ranges(table, out)) + table._extra_width


def _comfortable(table: Table, out: Console) -> int:
    """The width of ``table`` with no data cell wrapped (headers may wrap at spaces)."""
    options = out.options.update_width(10_000)
    total = table._extra_width
    for index, column in enumerate(table.columns):
        cells = [Measurement.get(out, options, cell).maximum for cell in column._cells]
        header = Measurement.get(out, options, column.header).minimum
        total += max([header, *cells]) + table._get_padding_width(index)
    return total


def _share_width(table: Table, out: Console, width: int) -> None:
    """Fix column widths so that the table fits ``width`` and no column is narrower than
    its longest word; the room beyond that goes first to the columns that need the least
    to show every cell on one line, so most cells keep a number beside its unit.

    (Rich's own shrinking narrows the widest columns first, which can cut words.)
    """
    ranges = _ranges(table, out)
    room = width - table._extra_width
    if sum(r.maximum for r in ranges) <= room:
        return
    widths = [r.minimum for r in ranges]
    slack = room - sum(widths)
    for index in sorted(range(len(ranges)), key=lambda i: ranges[i].maximum - ranges[i].minimum):
        extra = min(slack, ranges[index].maximum - ranges[index].minimum)
        widths[index] += extra
        slack -= extra
    for index, (column, column_width) in enumerate(zip(table.columns, widths)):
        column.width = column_width - table._get_padding_width(index)


def _keys(table: Table) -> int:
    keys = 1
    while keys < len(table.columns) - 1 and str(table.columns[keys].header) in KEY_HEADERS:
        keys += 1
    return keys


def _split(table: Table, out: Console, width: int) -> list[Table]:
    keys = _keys(table)
    key_columns, rest = table.columns[:keys], table.columns[keys:]
    groups: list[list] = [[]]
    for column in rest:
        trial = _part(table, key_columns + groups[-1] + [column])
        if groups[-1] and _comfortable(trial, out) > width:
            groups.append([])
        groups[-1].append(column)
    parts = [_part(table, key_columns + group) for group in groups]
    for part in parts[1:]:
        part.title = f"{table.title} (continued)" if table.title else None
    for part in parts[:-1]:
        part.caption = None
    return parts


def _part(table: Table, columns: list) -> Table:
    part = copy.copy(table)
    part.columns = [copy.copy(column) for column in columns]
    for index, column in enumerate(part.columns):
        column._index = index
    return part


@contextlib.contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr while the block runs, removed after it; yields the
    ``progress(step, done, total)`` callback that moves it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield progress
