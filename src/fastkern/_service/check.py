"""Checks that a service report's sentences agree with its figures: every number in a
finding is in a table (the anatomy's first rule), and each scenario the victim finding puts
in a group, or the sweep finding credits with a rate, belongs there by its figures."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._report.check import unbacked
from .._report.figure import RATIO
from . import render
from .figures import HURT, RATE, RATIO_LABEL, highest_served, scenario_figures, text
from .findings import findings

if TYPE_CHECKING:
    from .report import ServiceReport

#: One "name value" entry of a finding's list.
ENTRY = re.compile(r"(?P<name>.+?) (?P<value>[\d.]+(?:x|/s))(?:, |$)")


def problems(report: ServiceReport) -> list[str]:
    said = findings(report)
    found = unbacked([(f.subject, f.text) for f in said], render.tables_text(report))
    for finding in said:
        for group in finding.text.rstrip(".").split("; "):
            label, _, entries = group.rpartition(": ")
            for entry in ENTRY.finditer(entries):
                found += _entry(report, finding.subject, label, entry["name"], entry["value"])
    return found


def _entry(report: ServiceReport, subject: str, label: str, name: str, value: str) -> list[str]:
    if subject == "victim" and label.startswith(("at least", "under")):
        figure = scenario_figures(report, name).get(RATIO_LABEL)
        if figure is None:
            return [f"victim: {name!r} has no ratio to its baseline"]
        estimate = figure[2]
        fits = estimate.low >= HURT if label.startswith("at least") else estimate.high < HURT
        if text(RATIO, estimate.value) != value or not fits:
            return [f"victim: {name} {value} does not fit {label!r} (its rounds "
                    f"{text(RATIO, estimate.low)}–{text(RATIO, estimate.high)})"]
    if subject == "sweep":
        best = highest_served(report, name)
        if best is None or text(RATE, best) != value:
            return [f"sweep: {name} {value} is not its highest rate served"]
    return []
