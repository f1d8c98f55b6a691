"""The report of one service run (what :func:`fastkern.service` returns): how it shows
itself, its figures, and its JSON format. A display module: it imports nothing that
measures or starts processes."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Optional

from .._report import saved
from . import check, figures, render
from .model import ServiceReport as _Data

if TYPE_CHECKING:
    from rich.console import Console

    from .._report.figure import Figure, Noise

FORMAT = "fastkern-service"
VERSION = 1


@dataclasses.dataclass(frozen=True)
class ServiceReport(_Data):
    """Everything one service run measured. ``print(report)`` shows it findings first;
    :meth:`to_json` and :meth:`from_json` save and load it; the fields are plain data
    (:mod:`fastkern._service.model`)."""

    FORMAT = FORMAT

    def render(self, width: Optional[int] = None, explain: bool = False) -> str:
        return render.render(self, width, explain)

    def show(self, console: Console, explain: bool = False) -> None:
        render.show(self, console, explain)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return (f"<fastkern ServiceReport of {self.target}: {len(self.scenarios)} scenarios, "
                f"{self.rounds} rounds, {self.elapsed:.0f} s; print() it to read it>")

    def figures(self) -> list[Figure]:
        return figures.figures(self)

    def noise(self) -> Noise:
        return figures.noise(self)

    def sizes(self) -> dict[str, object]:
        return {"kernels": dict(self.request_sizes), "work rate": round(self.work_rate),
                "victim rate": round(self.victim_rate)}

    def problems(self) -> list[str]:
        """Every sentence that its figures do not bear out (see :mod:`.check`); [] when none."""
        return check.problems(self)

    def draw(self, path: str) -> None:
        from . import plot

        plot.write(self, path)

    def to_json(self, indent: Optional[int] = 1) -> str:
        data = {"format": FORMAT, "version": VERSION, "report": dataclasses.asdict(self),
                "figures": [dataclasses.asdict(f) for f in self.figures()]}
        return json.dumps(data, indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> ServiceReport:
        return saved.decoded(cls, text, VERSION, "service")
