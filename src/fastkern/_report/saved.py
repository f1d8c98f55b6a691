"""Saved reports of every kind: what a report type provides, and reading one back by its format.

``fastkern report``, ``fastkern compare``, the checker (``benchmarks/check_reports.py``)
and ``--plot`` work on any report type that follows :class:`SavedReport`: the anatomy's
:class:`fastkern._anatomy.report.Report`, and the reports of ``fastkern service`` and ``fastkern cluster``.
A saved report names its type in its ``format`` field; :data:`FORMATS` maps each format to
the class that reads it, imported only when a report of that format is read (they are
display modules: reading a report never imports what measures).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import typing
from typing import TYPE_CHECKING, ClassVar, Mapping, Optional, Protocol, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from .figure import Figure, Noise

#: Each report format, and the class (``module:Class``) that reads it.
FORMATS = {
    "fastkern-anatomy": "fastkern._anatomy.report:Report",
    "fastkern-service": "fastkern._service.report:ServiceReport",
    "fastkern-cluster": "fastkern._cluster.report:ClusterReport",
}


class SavedReport(Protocol):
    """What a report type provides so that it can be saved, shown, compared and checked."""

    FORMAT: ClassVar[str]

    def to_json(self) -> str:
        """JSON text ``{"format": FORMAT, "version": ..., "report": ..., "figures": ...}``."""

    @classmethod
    def from_json(cls, text: str) -> SavedReport:
        """The report from :meth:`to_json`'s text; ValueError naming what is wrong."""

    def render(self, width: Optional[int] = None, explain: bool = False) -> str:
        """Plain text, findings first, fitted to ``width`` columns."""

    def show(self, console: Console, explain: bool = False) -> None:
        """Print the report to a rich console (what ``fastkern report`` does)."""

    def figures(self) -> list[Figure]:
        """Every figure, with its per-round values (what ``compare`` tests)."""

    def noise(self) -> Noise:
        """The run-to-run noise ``compare`` adds to every figure's variance."""

    def sizes(self) -> dict[str, object]:
        """What each subject was measured at: figures of different sizes do not line up."""

    def problems(self) -> list[str]:
        """Every sentence that its figures do not bear out; [] when none."""

    def draw(self, path: str) -> None:
        """Write the report's chart as a PNG (needs matplotlib)."""


Kind = TypeVar("Kind")


def decoded(kind: type[Kind], text: str, version: int, what: str,
            retired: Mapping[int, str] = {}) -> Kind:
    """The report of class ``kind`` saved as ``text`` in format ``kind.FORMAT`` at
    ``version``: what every report type's ``from_json`` does. ValueError saying why not, in
    words naming ``what`` report it is not (``retired`` gives the reason an old version is
    no longer read)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(f"not a fastkern {what} report (its JSON is nested too deeply)") from None
    except ValueError as error:
        raise ValueError(f"not a fastkern {what} report (not JSON: {error})") from None
    if not isinstance(data, dict) or data.get("format") != kind.FORMAT:
        raise ValueError(f"not a fastkern {what} report (no format {kind.FORMAT!r})")
    found = data.get("version")
    if found in retired:
        raise ValueError(retired[found])
    if found != version:
        raise ValueError(f"{what} report format version {found!r} is not supported; "
                         f"this fastkern reads version {version}")
    try:
        return decode(kind, data["report"])
    except KeyError as error:
        raise ValueError(f"not a readable fastkern {what} report: no field {error}") from None
    except TypeError as error:
        raise ValueError(f"not a readable fastkern {what} report: {error}") from None


def loads(text: str) -> SavedReport:
    """The report saved as ``text``, of whichever format it names; ValueError saying why
    it is not one."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("not a fastkern report (its JSON is nested too deeply)") from None
    except ValueError as error:
        raise ValueError(f"not a fastkern report (not JSON: {error})") from None
    found = data.get("format") if isinstance(data, dict) else None
    if found not in FORMATS:
        raise ValueError(f"not a fastkern report (format {found!r}; known: "
                         f"{', '.join(FORMATS)})")
    module, _, name = FORMATS[found].partition(":")
    return getattr(importlib.import_module(module), name).from_json(text)


def read(path: str) -> SavedReport:
    """The report saved at ``path``; OSError when it cannot be read, ValueError when it is
    not a report."""
    with open(path, encoding="utf-8") as saved:
        return loads(saved.read())


def decode(kind, value):
    """``value`` as read from JSON, rebuilt as ``kind`` (a dataclass, tuple, Optional...)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Union:
        if value is None:
            return None
        return decode(next(arg for arg in args if arg is not type(None)), value)
    if origin is tuple:
        item = args[0]
        return tuple(decode(item, v) for v in value)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ValueError(f"{kind.__name__} must be a JSON object, got {type(value).__name__}")
        fields = [f for f in dataclasses.fields(kind) if f.init]
        missing = [f.name for f in fields if f.name not in value
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ValueError(f"{kind.__name__} lacks the field(s) {', '.join(map(repr, missing))}")
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: decode(hints[f.name], value[f.name]) for f in fields if f.name in value})
    if kind is float and isinstance(value, int):
        return float(value)
    return value
