"""Reports side by side: the same figure (kernel, size, section, backend) in each report.

A difference is *beyond noise* when both figures are resolved and their intervals do not
overlap; otherwise the reports cannot tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from rich.console import Console
from rich.table import Table

from .derive import Estimate
from .figures import BANDWIDTH, BYTES, FRACTION, RATIO, SECONDS, Figure, figures
from .formatting import LEGEND, ratio, seconds, share, unresolved
from . import terminal
from .report import Report

BEYOND = "beyond noise"
WITHIN = "within noise"


@dataclass(frozen=True)
class Row:
    key: str
    found: tuple[Optional[Figure], ...]
    """The figure in each report (None where that report lacks it)."""

    def ratio(self, index: int) -> Optional[float]:
        """Report ``index``'s value over the first report's."""
        first, other = self._estimates(index)
        if first is None or other is None or not (first.resolved and other.resolved) \
                or first.value == 0:
            return None
        return other.value / first.value

    def _estimates(self, index: int) -> tuple[Optional[Estimate], Optional[Estimate]]:
        first, other = self.found[0], self.found[index]
        return (None if first is None else first.estimate,
                None if other is None else other.estimate)

    def verdict(self, index: int) -> str:
        """Beyond noise only if the intervals are apart and the figures print differently
        (exact figures, as bytes per element, have intervals of zero width)."""
        first, other = self._estimates(index)
        if first is None or other is None:
            return "missing"
        if not (first.resolved and other.resolved):
            return "not resolved"
        apart = other.low > first.high or other.high < first.low
        return BEYOND if apart and shown(self.found[0]) != shown(self.found[index]) else WITHIN


def rows(reports: Sequence[Report]) -> list[Row]:
    """One row per figure key, in the first report's order, then keys only later ones have."""
    keyed = [{f.key: f for f in figures(report)} for report in reports]
    keys = list(dict.fromkeys(key for found in keyed for key in found))
    return [Row(key, tuple(found.get(key) for found in keyed)) for key in keys]


def shown(figure: Optional[Figure]) -> str:
    if figure is None:
        return ""
    estimate = figure.estimate
    if not estimate.resolved:
        return unresolved(estimate.reason)
    if figure.unit == SECONDS:
        return seconds(estimate.value)
    if figure.unit == RATIO:
        return ratio(estimate.value)
    if figure.unit == FRACTION:
        return share(min(max(estimate.value, 0.0), 1.0))
    if figure.unit in (BYTES, BANDWIDTH):
        return f"{estimate.value:.3g} {figure.unit}"
    return f"{estimate.value:.2f}"


def table(reports: Sequence[Report], names: Sequence[str]) -> Table:
    grid = Table(title=f"Compared with {names[0]}: ratio to it, and whether the difference is "
                       f"beyond both runs' noise (interquartile intervals apart)",
                 title_justify="left", title_style="bold")
    grid.add_column("figure", justify="left")
    for name in names:
        grid.add_column(name, justify="right")
    for name in names[1:]:
        grid.add_column(f"{name} / {names[0]}", justify="right")
    for row in rows(reports):
        cells = [shown(figure) for figure in row.found]
        for index in range(1, len(reports)):
            found = row.ratio(index)
            cells.append(("" if found is None else f"{found:.3g}") + f"\n{row.verdict(index)}")
        grid.add_row(row.key, *cells)
    return grid


def read(path: str) -> Report:
    """The report saved at ``path``, or ValueError saying why it is not one."""
    with open(path, encoding="utf-8") as saved:
        return Report.from_json(saved.read())


def size_mismatches(reports: Sequence[Report], names: Sequence[str]) -> list[str]:
    """A note for each kernel measured at different sizes, whose figures cannot line up."""
    notes = []
    for kernel in dict.fromkeys(k.kernel for report in reports for k in report.kernels):
        sizes = [(name, k.size) for report, name in zip(reports, names)
                 for k in report.kernels if k.kernel == kernel]
        if len({size for _, size in sizes}) > 1:
            notes.append(f"{kernel} was measured at different sizes ("
                         + ", ".join(f"{size} in {name}" for name, size in sizes)
                         + f"), so its figures are listed apart: measure again with "
                           f"--sizes-from {names[0]} to line them up.")
    return notes


def render(reports: Sequence[Report], names: Sequence[str],
           console: Optional[Console] = None) -> None:
    """Print the comparison, fitted to the console's width (see :mod:`.terminal`)."""
    console = console or terminal.console()
    for piece in terminal.fitted(table(reports, names), console):
        console.print(piece)
    for note in size_mismatches(reports, names):
        if note:
            console.print(note)
    console.print(LEGEND, style="dim")
