"""Checks that a report's text agrees with its tables: the report judged by its own figures.

:func:`problems` renders a report and lists every way its words disagree with its
figures: a number in a finding, or in the lines of how it was measured, that no table cell
shows, a kernel whose shares
of python's time do not sum to 100% within rounding (or whose parts of dynamic typing &
boxing do not sum to it), a verdict ("took turns", "ran side by
side", "held the loop up", ...) that the numbers beside it contradict, an event-loop lag
quoted that is not a median. ``python benchmarks/check_reports.py PATH.json ...`` runs it
over saved reports; the tests run it over every report they make.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._report.check import figures_in, flat, unbacked
from .._report.numbers import FULL_LEGEND, number, seconds, share
from . import derive, findings, render
from .findings import HELD_UP, LETS_RUN, PARTLY, SIDE, SIDE_BY_SIDE, TURNS
from .model import KernelReport

if TYPE_CHECKING:
    from .report import Report

#: A label of the GIL finding with its value or range of runnable threads.
RUNNABLE = re.compile(r"(?P<label>[a-z][a-z ()]*?) (?P<low>\d+\.\d+)(?:–(?P<high>\d+\.\d+))?")
#: A group of the event-loop finding: labels, verdict, range of median lags.
LAGS = re.compile(r"(?P<labels>[^:;]+?) (?P<said>" + re.escape(HELD_UP) + "|"
                  + re.escape(LETS_RUN) + r") \((?P<range>[^)]+)\)")


def problems(report: Report) -> list[str]:
    """Every disagreement between the report's sentences and its figures; [] where none."""
    tables = render.tables_text(report, explain=False) + FULL_LEGEND
    full = flat(render.tables_text(report, explain=True) + FULL_LEGEND)
    found = unbacked([(f.subject, f.text) for f in findings.findings(report)], tables)
    for line in render.method(report).plain.splitlines():
        found += [f"method {line[:40]!r}...: {figure} is in no table"
                  for figure in figures_in(line) if figure not in full]
    for kernel in report.kernels:
        found += _shares(kernel)
    found += _gil(report) + _event_loop(report)
    return found


def _shares(kernel: KernelReport) -> list[str]:
    """The shares of python's time, as printed, sum to 100% within their rounding."""
    parts = derive.parts(kernel)
    if not parts:
        return []
    printed = [float(share(p.share.value).rstrip("%")) for p in parts]
    if abs(sum(printed) - 100) > 0.5 * len(printed):
        return [f"{kernel.kernel}: shares {printed} sum to {sum(printed):g}%, not 100%"]
    whole = derive.bucket(kernel)
    if whole is None:
        return []
    inside = [float(share(p.share.value).rstrip("%")) for p in parts if derive.inside_bucket(p)]
    total = float(share(whole.share.value).rstrip("%"))
    if abs(sum(inside) - total) > 0.5 * (len(inside) + 1):
        return [f"{kernel.kernel}: the parts {inside} of {whole.name} sum to {sum(inside):g}%, "
                f"not its {total:g}%"]
    return []


def _gil(report: Report) -> list[str]:
    said = next((f.text for f in findings.findings(report) if f.subject == "GIL"), None)
    if said is None:
        return []
    workers = max(s.workers[-1] for k in report.kernels if k.gil for s in k.gil.threads)
    found = []
    for group in said.split(": ", 1)[-1].rstrip(".").split("; "):
        verdict = next((v for v in (TURNS, SIDE, PARTLY) if group.endswith(v)), None)
        if verdict is None:
            continue
        for match in RUNNABLE.finditer(group[:-len(verdict)]):
            low = float(match["low"])
            high = float(match["high"] or low)
            wrong = ((verdict == TURNS and high > 1 + SIDE_BY_SIDE)
                     or (verdict == SIDE and low < workers - SIDE_BY_SIDE)
                     or (verdict == PARTLY and (low <= 1 + SIDE_BY_SIDE
                                                or high >= workers - SIDE_BY_SIDE)))
            if wrong:
                found.append(f"GIL: {match['label'].strip()} {match[0].split()[-1]} "
                             f"runnable of {workers} does not fit {verdict!r}")
    return found


def _event_loop(report: Report) -> list[str]:
    said = next((f.text for f in findings.findings(report) if f.subject == "event loop"), None)
    if said is None:
        return []
    medians = {seconds(s.median) for k in report.kernels for s in k.stall}
    found = [f"event loop: {lag} is not a median lag" for lag in figures_in(said)
             if lag.endswith("s") and lag not in medians and lag != seconds(report.settings.tick)]
    tick = report.settings.tick
    for group in LAGS.finditer(said):
        values = [number(v) for v in group["range"].split("–")]
        if (group["said"] == HELD_UP) != (max(values) > tick):
            found.append(f"event loop: {group['labels'].strip()} {group['said']} with median "
                         f"lags {group['range']}")
    return found
