"""Checks that a service report's sentences agree with its figures: every number in a
finding is in a table (the anatomy's first rule), each scenario the victim finding puts
in a group, or the sweep finding credits with a rate, belongs there by its figures, and
the ranking's shared ranks are the ones the ratios' interquartile ranges allow."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from .._report.check import unbacked
from .._report.figure import RATIO
from . import render
from .figures import (HURT, RATE, RATIO_LABEL, cut, highest_served, overlap, ratios,
                      scenario_figures, text)
from .findings import UNPLACED, findings

if TYPE_CHECKING:
    from .report import ServiceReport

#: One "name value" entry of a finding's list.
ENTRY = re.compile(r"(?P<name>.+?) (?P<value>[\d.]+(?:x|/s))(?:, |$)")


def problems(report: ServiceReport) -> list[str]:
    said = findings(report)
    found = unbacked([(f.subject, f.text) for f in said], render.tables_text(report))
    for finding in said:
        if finding.subject == "ranking":
            found += _ranking(report, finding.text)
            continue
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


def _names(text: str, known: list[str]) -> list[str]:
    """The scenario names ``text`` lists, joined by ", " (a name may hold a comma: the
    longest known name that fits is taken)."""
    found = []
    while text:
        name = max((n for n in known if text == n or text.startswith(n + ", ")), key=len,
                   default=None)
        if name is None:
            return found + [text]
        found.append(name)
        text = text[len(name) + 2:]
    return found


def _ranking(report: ServiceReport, said: str) -> list[str]:
    """Each shared rank of the ranking finding must be a group that no cut of the ratios'
    rounds splits (:func:`.figures.cut`), each border between ranks such a cut, and each
    scenario left unplaced overlap the rounds of scenarios in two ranks or more."""
    ratio = {name: estimate for name, estimate in ratios(report)}
    groups, unplaced, position = [], [], 1
    for entry in said.rstrip(".").split(": ", 1)[1].split("; "):
        if entry.startswith(UNPLACED + ": "):
            unplaced = _names(entry[len(UNPLACED) + 2:], list(ratio))
            continue
        rank, _, listed = entry.partition(" ")
        names = _names(listed, list(ratio))
        if rank != (f"{position}=" if len(names) > 1 else str(position)):
            return [f"ranking: {listed} is ranked {rank}, not {position}"]
        groups.append(names)
        position += len(names)
    order = [name for group in groups for name in group]
    if sorted(order + unplaced) != sorted(ratio):
        return ["ranking: it does not list each scenario with a ratio to its baseline once"]
    if order != sorted(order, key=lambda n: -ratio[n].value):
        return ["ranking: its order is not that of the medians"]
    borders = set(itertools.accumulate(len(group) for group in groups[:-1]))
    found = []
    for index in range(1, len(order)):
        border = cut([(n, ratio[n]) for n in order[:index]], [(n, ratio[n]) for n in order[index:]])
        if border != (index in borders):
            found.append(f"ranking: {order[index - 1]} and {order[index]} "
                         + ("differ beyond noise but share a rank" if border else
                            "are within noise of each other but ranked apart"))
    for name in unplaced:
        near = [group for group in groups if any(overlap(ratio[name], ratio[n]) for n in group)]
        if len(near) < 2:
            found.append(f"ranking: {name} is left unplaced but within noise of one rank at most")
    return found
