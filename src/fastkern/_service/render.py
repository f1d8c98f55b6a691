"""The service report as text: findings first, then the tables their figures come from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .._report import terminal
from .._report.figure import RATIO
from .figures import (HURT, RATE, RATIO_LABEL, WINDOW_FIGURES, WORST_WORKER, ranks,
                      scenario_figures,
                      sweep_rates, text, verdicts, window_figures)
from .findings import findings

if TYPE_CHECKING:
    from .report import ServiceReport

UNITS = {label: unit for label, unit, _, _ in WINDOW_FIGURES} | {RATIO_LABEL: RATIO}
RANK = "rank"
VICTIM = ("/health p50", "/health p99", "/health max", RATIO_LABEL, RANK, "/health unanswered",
          "loop lag p99", "loop lag max", WORST_WORKER)
WORK = ("offered", "achieved", "completed", "work errors", "work p50", "work p99",
        "work CPU per request", "server CPU per request")
MACHINE = ("generator send lag p99", "generator CPU", "others' CPUs")
BEHIND = "(behind)"


def _cell(report: ServiceReport, scenario: str, label: str) -> str:
    if label == RANK:
        return ranks(report).get(scenario, "-")
    return _shown(scenario_figures(report, scenario), label,
                  brackets=label == RATIO_LABEL and report.rounds > 1)


def _scenario_table(report: ServiceReport, title: str, labels: Sequence[str],
                    marks: bool = False) -> Table:
    grid = Table(title=title, title_justify="left", title_style="bold")
    grid.add_column("scenario")
    for label in labels:
        grid.add_column(label, justify="right")
    for scenario in report.scenarios:
        cells = [_cell(report, scenario.name, label) for label in labels]
        if all(cell == "-" for cell in cells):
            continue
        name = scenario.name
        if marks and any(w.generator.behind for w in report.windows if w.scenario == name):
            name += f" {BEHIND}"
        grid.add_row(name, *cells)
    return grid


def _sweep_table(report: ServiceReport) -> Table:
    rounds = f"median of {report.rounds} rounds" if report.rounds > 1 else "one round"
    if report.sweep_window:
        rounds += f" of {report.sweep_window:g} s windows"
    grid = Table(title=f"Saturation sweep ({rounds}; /health p99's interquartile range in "
                       f"brackets): a rate is served when at least {text('%', report.served)} "
                       f"of the work is answered and /health p99 stays under "
                       f"{text('s', report.bound)}, not resolved where its rounds fall on both "
                       f"sides", title_justify="left", title_style="bold")
    for label in ("scenario", "offered", "achieved", "completed", "work p99", "/health p99",
                  "served"):
        grid.add_column(label, justify="left" if label == "scenario" else "right")
    for scenario in dict.fromkeys(p.scenario for p in report.sweep):
        said = verdicts(report, scenario)
        for rate, points in sweep_rates(report, scenario).items():
            shown = window_figures(points)
            name = scenario + (f" {BEHIND}" if any(p.generator.behind for p in points) else "")
            cells = [_shown(shown, label) for label in ("achieved", "completed", "work p99")]
            grid.add_row(name, text(RATE, rate), *cells,
                         _shown(shown, "/health p99", brackets=len(points) > 1), said[rate])
    return grid


def _shown(shown: dict, label: str, brackets: bool = False) -> str:
    """One figure of :func:`.figures.window_figures` as a cell: its median, and its
    interquartile range in brackets if asked."""
    if label not in shown:
        return "-"
    unit, _, estimate = shown[label]
    cell = text(unit, estimate.value)
    return cell + (f" ({text(unit, estimate.low)}–{text(unit, estimate.high)})" if brackets else "")


def tables(report: ServiceReport) -> list[Table]:
    rounds = f"median of {report.rounds} rounds"
    found = []
    if report.probes:
        found.append(_scenario_table(
            report, f"What the work did to /health ({rounds}; p99 over baseline: the same "
                    f"round's /health alone, interquartile range in brackets; hurt from "
                    f"{text(RATIO, HURT)}; ranked by it, a shared rank marked = where the rounds "
                    f"overlap; loop lag pooled over every worker process's "
                    f"heartbeat, and the worst worker's own where there are several)", VICTIM))
    found.append(_scenario_table(report, f"The work ({rounds}; work CPU per request pooled "
                                         f"over every worker process's requests)", WORK))
    found.append(_scenario_table(report, f"The load generator and the machine ({rounds}; "
                                         f"{BEHIND}: it fell behind in a round)", MACHINE, True))
    if report.sweep:
        found.append(_sweep_table(report))
    return found


def header(report: ServiceReport) -> str:
    sizes = ", ".join(f"{k}({v})" for k, v in report.request_sizes)
    served = f"{report.target}" + (f": {sizes}" if sizes else "")
    victim = f"/health at {text(RATE, report.victim_rate)}, " if report.victim_rate else ""
    return (f"Served {served}; {victim}the work at {text(RATE, report.work_rate)} (half a core "
            f"at the first work route's cost per request); {report.rounds} rounds of "
            f"{report.window:g} s windows; "
            f"{report.elapsed:.0f} s.")


def method(report: ServiceReport) -> str:
    return ("How this was measured: an open-loop generator (aiohttp) sends each stream at a "
            "constant rate and times each request from when it was meant to be sent; the "
            "scenarios run in interleaved rounds, each read against its round's /health alone. "
            "Inside the server a heartbeat measures the event loop's lag and each request's "
            "work is timed by its thread's CPU time. See docs/service.md.")


def tables_text(report: ServiceReport) -> str:
    console = terminal.capture(10_000)
    for table in tables(report):
        console.print(table)
    return console.file.getvalue()


def show(report: ServiceReport, console: Console, explain: bool = False) -> None:
    console.print(Text("Findings", style="bold"))
    for finding in findings(report):
        console.print(Text(f"- {finding.text}"))
    console.print()
    console.print(Text(header(report)))
    for table in tables(report):
        for piece in terminal.fitted(table, console):
            console.print(piece)
        console.print()
    if explain:
        console.print(Text(method(report)))


def render(report: ServiceReport, width: Optional[int] = None, explain: bool = False) -> str:
    console = terminal.capture(width)
    show(report, console, explain)
    return console.file.getvalue()
