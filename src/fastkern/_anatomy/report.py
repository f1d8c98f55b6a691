"""The report of one anatomy run: its data, how it shows itself, and its JSON format.

:class:`Report` is what :func:`fastkern.anatomy` returns. Its fields are the data of
:mod:`.model`; printing it renders the tables of :mod:`.render`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Optional, Tuple

from . import check, render
from .._report import saved, terminal
from .._report.figure import Figure, Noise
from .figures import figures, run_noise
from .model import (Boundary, Features, GarbageCollection, KernelReport, Load, Machine, Memory,
                    RunSpread, all_timings)
from .settings import Settings, mode

if TYPE_CHECKING:
    from rich.console import Console

FORMAT = "fastkern-anatomy"
#: Version 2: thread-CPU timings, runnable threads, load, repeats. Version 1 timed by wall clock.
VERSION = 2
#: Versions no longer read, and why.
RETIRED = {1: "report format version 1 timed everything by wall clock, so its figures cannot "
              "be judged as this version's are; measure again"}


@dataclass(frozen=True)
class Report:
    """Everything one anatomy run measured, as returned by :func:`fastkern.anatomy`.

    ``print(report)`` (or ``report.render(width)``) shows it as ``fastkern report`` does;
    in a notebook it displays as HTML, and rich consoles print it directly. The fields are
    plain data: ``machine`` (what ran it), ``settings`` (how long it measured), one
    :class:`KernelReport` per kernel in ``kernels`` (see :meth:`kernel`), the
    kernel-independent sections ``boundary``, ``memory``, ``gc`` and ``features`` (None
    when not measured) and ``elapsed`` seconds. Times are seconds. :meth:`to_json` and
    :meth:`from_json` save and load it. It is a :class:`.saved.SavedReport`.
    """

    FORMAT: ClassVar[str] = FORMAT

    machine: Machine
    settings: Settings
    kernels: Tuple[KernelReport, ...]
    boundary: Optional[Boundary]
    memory: Optional[Memory]
    gc: Optional[GarbageCollection]
    features: Optional[Features]
    elapsed: float
    load: Tuple[Load, ...] = ()
    repeat: int = 1
    """How many times the measurements ran, interleaved; their samples are pooled."""
    spread: Tuple[RunSpread, ...] = ()
    """Each figure across the repeated runs (with ``repeat`` > 1)."""

    def kernel(self, name: str) -> KernelReport:
        """The section of kernel ``name``; KeyError when the report did not measure it."""
        found = next((k for k in self.kernels if k.kernel == name), None)
        if found is None:
            raise KeyError(f"this report measured {', '.join(k.kernel for k in self.kernels)}, "
                           f"not {name!r}")
        return found

    def timings(self) -> list:
        """Every Timing in the report."""
        return list(all_timings(self))

    def render(self, width: Optional[int] = None, explain: bool = False) -> str:
        """The text ``fastkern report`` prints, fitted to ``width`` columns: the findings,
        the tables and how they were measured (``explain=True``: in full, with the notes).

        ``width`` defaults to the terminal's, else the ``COLUMNS`` environment variable,
        else 120. Plain text, without colour.
        """
        console = terminal.capture(width)
        render.render(self, console, explain)
        return console.file.getvalue()

    def show(self, console: Console, explain: bool = False) -> None:
        """Print the report to ``console``, in colour where it has colour."""
        render.render(self, console, explain)

    def __str__(self) -> str:
        return self.render()

    def figures(self) -> list[Figure]:
        """Every figure of the report, keyed by kernel, size, section and backend."""
        return figures(self)

    def noise(self) -> Noise:
        """The run-to-run noise: the spread of the ladder's pass medians."""
        return run_noise(self)

    def sizes(self) -> dict[str, object]:
        """Each kernel's size argument."""
        return {k.kernel: k.size for k in self.kernels}

    def problems(self) -> list[str]:
        """Every disagreement between the report's sentences and its figures (see
        :mod:`.check`); [] where none."""
        return check.problems(self)

    def draw(self, path: str) -> None:
        """Write the report's chart to ``path`` as a PNG (needs ``fastkern[plot]``)."""
        from . import plot

        plot.write(self, path)

    def __repr__(self) -> str:
        kernels = ", ".join(f"{k.kernel}({k.size})" for k in self.kernels)
        return f"<fastkern Report of {kernels}: {mode(self.settings)}, {self.elapsed:.0f} s; print() it to read it>"

    def __rich_console__(self, console, options):
        """Rich's display protocol: the report fitted to the console it is printed on."""
        for part in render.renderables(self):
            for piece in terminal.fitted(part, console, options.max_width):
                yield piece
                yield ""

    def _repr_html_(self) -> str:
        """The report as HTML, for notebooks (Jupyter calls this)."""
        console = terminal.capture(100)
        render.render(self, console)
        return console.export_html(inline_styles=True, code_format=_HTML)

    def to_json(self, indent: Optional[int] = 1) -> str:
        """The report as JSON text (a versioned format that :meth:`from_json` reads back),
        with every figure derived from it listed for other tools (not read back)."""
        data = {"format": FORMAT, "version": VERSION, "report": dataclasses.asdict(self),
                "figures": [dataclasses.asdict(figure) for figure in figures(self)]}
        return json.dumps(data, indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Report:
        """A report from :meth:`to_json`'s text; ValueError when it is not one this
        version of fastkern reads."""
        return saved.decoded(cls, text, VERSION, "anatomy", RETIRED)


#: The frame of :meth:`Report._repr_html_`'s output.
_HTML = '<pre style="font-family: monospace; line-height: 1.25">{code}</pre>'
