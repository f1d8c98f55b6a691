"""Output that fits where it is printed: the console's width, tables that never cut text,
and the progress bar.

A table wider than the console is first drawn compactly (no outer border, less padding),
then, if still too wide, split into several tables of fewer columns, each repeating the
leading key columns (kernel, backend, ...) so every row stays readable. Rich then only
wraps cells at spaces: a kernel name, a number or a unit is never cut, and a word wider
than a whole column (only at absurd widths) is folded onto the next line, not dropped.
A number and its unit ("8.44 µs", "30.6 ns/element", "1.2k pixels") count as one word, so
they stay on one line, while the output shows an ordinary space between them (see
:class:`Joined`). A table's left-aligned title and caption wrap at the console's width,
not the table's, so a narrow table does not stretch its caption over many short lines.
``COLUMNS`` that is not a positive whole number counts as unset.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import sys
from typing import IO, Callable, Iterator, Optional

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.constrain import Constrain
from rich.containers import Lines
from rich.measure import Measurement
from rich.style import Style
from rich.table import Table
from rich.text import Text

#: Columns used when the output is not a terminal and COLUMNS is unset: tables stay whole.
FILE_WIDTH = 120
#: Leading column headers that identify a row, repeated in every part of a split table.
KEY_HEADERS = ("kernel", "backend", "variant", "section")
#: Stands in for the space between a number and its unit while rich measures and wraps
#: text: a private-use character, one cell wide and not whitespace to rich's word finder
#: (``\S``, which a no-break space is not), put back to a space before anything is drawn.
_JOIN = "\ue000"
_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[kMGT]?"
#: A number, or a range of them ("1.2k..4M"), then one space and a word that starts with a
#: letter ("µs", "ns/element", "pixels", "GB/s", "B/element"): its unit.
_NUMBER_UNIT = re.compile(rf"(?<![\w.])({_NUMBER}(?:\.\.{_NUMBER})?) (?=[^\W\d_])")


def _columns_garbled() -> bool:
    """Whether ``COLUMNS`` is set but is no positive whole number: it then counts as unset
    (rich itself would draw ``COLUMNS=0`` zero columns wide, that is print nothing)."""
    if "COLUMNS" not in os.environ:
        return False
    value = os.environ["COLUMNS"].strip()
    return not (value.isascii() and value.isdigit() and int(value) > 0)


def _terminal_size(file: Optional[IO[str]] = None) -> os.terminal_size:
    """The size of the terminal ``file`` or a standard stream is on, else 80 x 25."""
    descriptors = []
    with contextlib.suppress(Exception):
        descriptors.append(file.fileno())
    for descriptor in (*descriptors, 1, 2, 0):
        try:
            size = os.get_terminal_size(descriptor)
        except (OSError, ValueError):
            continue
        if size.columns > 0 and size.lines > 0:
            return size
    return os.terminal_size((80, 25))


def console(file: Optional[IO[str]] = None, width: Optional[int] = None) -> Console:
    """A console for ``file`` (default stdout), ``width`` columns wide.

    Unset, the width is the terminal's; when ``file`` is not a terminal it is the
    ``COLUMNS`` environment variable where set, else :data:`FILE_WIDTH`. ``COLUMNS``
    that is empty, 0, negative or not a number counts as unset.
    """
    if not _columns_garbled():
        out = Console(file=file, width=width)
        if width is None and not out.is_terminal and "COLUMNS" not in os.environ:
            out.width = FILE_WIDTH
        return out
    # An explicit width and height keep rich from reading COLUMNS (and LINES) itself.
    out = Console(file=file, width=width or FILE_WIDTH, height=25)
    if out.is_terminal:
        size = _terminal_size(out.file)
        out.size = (width or size.columns, size.lines)
    return out


def capture(width: Optional[int] = None) -> Console:
    """A console that records into a string (``console.file.getvalue()``), without colour.

    ``width`` defaults as for :func:`console`, measured on stdout; ValueError where it is
    given and not a positive number of columns.
    """
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 1):
        raise ValueError(f"width must be a positive number of columns, got {width!r}")
    width = width or console().width
    return Console(file=io.StringIO(), width=width, height=25, color_system=None, record=True,
                   force_terminal=False, force_jupyter=False)


class Joined(Text):
    """Text in which a number and its unit ("8.44 µs", "30.6 ns/element", "1.2k pixels")
    stay on one line.

    Rich finds words with the regular expression ``\\s*\\S+\\s*`` (``rich._wrap.words``)
    and measures a text's narrowest width from ``str.split()``; Python counts the no-break
    spaces (U+00A0, U+202F) as whitespace there, so no character drawn as a space keeps two
    words together. This text therefore measures and wraps a copy of itself in which each
    such space is :data:`_JOIN`, one cell wide like the space, and puts the space back in
    the lines it returns: what is drawn, recorded, exported as HTML or copied from the
    terminal reads "8.44 µs" with an ordinary space. Where a joined word is wider than the
    whole line (only at absurd widths), it breaks at its spaces again rather than be folded
    in the middle of the number or the unit.
    """

    @classmethod
    def of(cls, text: Text) -> Joined:
        joined = cls(text.plain, style=text.style, justify=text.justify,
                     overflow=text.overflow, no_wrap=text.no_wrap, end=text.end,
                     tab_size=text.tab_size)
        joined._spans[:] = text._spans
        return joined

    def _stand_in(self, width: Optional[int] = None) -> Text:
        """A copy with :data:`_JOIN` for each space between a number and its unit, except
        in words wider than ``width``."""
        stand_in = self.copy()
        if _JOIN in stand_in.plain:
            return stand_in
        plain = _NUMBER_UNIT.sub(lambda found: found.group(1) + _JOIN, stand_in.plain)
        if width is not None:
            plain = re.sub(r"\S+", lambda word: word.group(0) if cell_len(word.group(0)) <= width
                           else word.group(0).replace(_JOIN, " "), plain)
        stand_in.plain = plain
        return stand_in

    def __rich_measure__(self, console: Console, options) -> Measurement:
        return self._stand_in().__rich_measure__(console, options)

    def wrap(self, console: Console, width: int, **options) -> Lines:
        lines = self._stand_in(width).wrap(console, width, **options)
        for line in lines:
            line.plain = line.plain.replace(_JOIN, " ")
        return lines


def joined(renderable: object, out: Console, highlight: bool = False) -> object:
    """``renderable`` with each number kept beside its unit (:class:`Joined`) where it is
    text; a string is read as a table cell is (markup, no highlighting by default)."""
    if isinstance(renderable, str):
        renderable = out.render_str(renderable, highlight=highlight)
    return Joined.of(renderable) if isinstance(renderable, Text) else renderable


#: Cell padding (top, right, bottom, left) of a table too wide to fit with rich's default.
TIGHT = (0, 1, 0, 0)


def fitted(renderable: object, out: Console, width: Optional[int] = None) -> Iterator[object]:
    """``renderable`` as one or more renderables that fit ``width`` (default: ``out``'s),
    numbers kept beside their units (:class:`Joined`). A table's left-aligned title and
    caption are drawn apart from it, wrapped at ``width`` rather than the table's width."""
    if not isinstance(renderable, Table):
        # In a Group: Console.print joins the Text objects it is given into a plain Text.
        yield Group(joined(renderable, out)) if isinstance(renderable, Text) else renderable
        return
    width = width or out.width
    table = copy.copy(renderable)
    table.columns = [copy.copy(column) for column in renderable.columns]
    for column in table.columns:
        column.overflow = "fold"
        column._cells = [joined(cell, out, column.highlight) for cell in column._cells]
    if _widest(table, out) > width:
        table.box, table.show_edge, table.pad_edge = box.SIMPLE_HEAD, False, False
    if _minimum(table, out) > width:
        table.padding = TIGHT  # one space between columns rather than two, before splitting
    parts = [table] if _minimum(table, out) <= width else _split(table, out, width)
    for part in parts:
        _share_width(part, out, width)
        yield _annotated(part, out, width)


def _annotated(table: Table, out: Console, width: int) -> object:
    """``table`` with its left-aligned title above it and caption below it as text
    ``width`` wide; rich would wrap them at the table's own width."""
    above = below = None
    if table.title and table.title_justify in ("left", "default"):
        above = _annotation(table.title, table.title_style, "table.title", out, width)
        table.title = None
    if table.caption and table.caption_justify in ("left", "default"):
        below = _annotation(table.caption, table.caption_style, "table.caption", out, width)
        table.caption = None
    if above is None and below is None:
        return table
    return Group(*(part for part in (above, table, below) if part is not None))


def _annotation(text: object, style: object, default: str, out: Console, width: int) -> object:
    """A title or caption as rich's table draws it (its style, no highlighting), left
    aligned, at most ``width`` wide."""
    if isinstance(text, str):
        text = out.render_str(text, style=Style.pick_first(style, default), highlight=False)
    text = joined(text, out)
    if isinstance(text, Text):
        text.justify = "default"  # left aligned, without padding each line to the width
    return Constrain(text, width)


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

    (Rich's own shrinking narrows the widest columns first, which can cut words.) Where
    even the longest words do not fit (absurd widths), the widest columns give up the
    difference, one column at a time, so that their longest words (most often a number
    and its unit, which then part at their space) break rather than a narrow key column
    vanish.
    """
    ranges = _ranges(table, out)
    room = width - table._extra_width
    if sum(r.maximum for r in ranges) <= room:
        return
    widths = [r.minimum for r in ranges]
    slack = room - sum(widths)
    while slack < 0:
        index = max(range(len(widths)), key=lambda i: widths[i] - table._get_padding_width(i))
        if widths[index] - table._get_padding_width(index) <= 1:
            break
        widths[index] -= 1
        slack += 1
    slack = max(slack, 0)
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
    size = {}
    if _columns_garbled():  # rich would draw the bar COLUMNS=0 columns wide: not at all
        size = dict(zip(("width", "height"), _terminal_size(sys.stderr)))
    with Progress(*columns, console=Console(stderr=True, **size), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield progress
