"""The service report's figures, each scenario's round by round, and the sweep's.

Every figure of a scenario is computed in each round from that round's window (the victim's
p99 ratio from the same round's baseline window), so its value is the median over rounds
and its interval their quartiles (:func:`fastkern._report.estimate.rounds`), as the anatomy's figures are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, Optional

from .._report.estimate import Estimate, rounds
from .._report.figure import FRACTION, RATIO, SECONDS, Figure, Noise, pooled_noise
from .._report.numbers import ratio, seconds, share
from .._report.figure import CPU, WALL
from .model import Window

if TYPE_CHECKING:
    from .report import ServiceReport

RATE = "req/s"
#: A scenario hurts the victim when its p99 is at least this many times the baseline's.
HURT = 2.0
CPUS = "CPUs"
BASELINE = "/health alone"
#: The loop lag p99 of the worker that lagged most, where the server has several.
WORST_WORKER = "worst worker's lag p99"

#: Each figure of a window: its label, unit, clock, and how it is read (None: not measured).
WINDOW_FIGURES: tuple[tuple[str, str, str, Callable[[Window], Optional[float]]], ...] = (
    ("offered", RATE, WALL, lambda w: w.offered if w.work else None),
    ("achieved", RATE, WALL, lambda w: w.work.achieved if w.work else None),
    ("completed", FRACTION, WALL, lambda w: w.work.completed if w.work else None),
    ("work errors", FRACTION, WALL, lambda w: w.work.errors / w.work.planned if w.work else None),
    ("work p50", SECONDS, WALL, lambda w: w.work.p50 if w.work else None),
    ("work p99", SECONDS, WALL, lambda w: w.work.p99 if w.work else None),
    ("/health p50", SECONDS, WALL, lambda w: w.victim.p50 if w.victim else None),
    ("/health p99", SECONDS, WALL, lambda w: w.victim.p99 if w.victim else None),
    ("/health max", SECONDS, WALL, lambda w: w.victim.max if w.victim else None),
    ("/health unanswered", FRACTION, WALL,
     lambda w: 1 - w.victim.completed if w.victim else None),
    ("loop lag p99", SECONDS, WALL, lambda w: w.lag_p99),
    ("loop lag max", SECONDS, WALL, lambda w: w.lag_max),
    (WORST_WORKER, SECONDS, WALL,
     lambda w: max(w.worker_lag_p99) if len(w.worker_lag_p99) > 1 else None),
    ("work CPU per request", SECONDS, CPU, lambda w: w.work_cpu),
    ("server CPU per request", SECONDS, CPU, lambda w: w.server_cpu),
    ("generator send lag p99", SECONDS, WALL, lambda w: w.generator.send_lag_p99),
    ("generator CPU", CPUS, CPU, lambda w: w.generator.cpu),
    ("others' CPUs", CPUS, WALL, lambda w: w.load.others if w.load else None),
)
RATIO_LABEL = "/health p99 over baseline"


def windows_of(report: ServiceReport, scenario: str) -> list[Window]:
    return [w for w in report.windows if w.scenario == scenario]


def _estimate(values: list[Optional[float]]) -> Optional[Estimate]:
    return rounds(values) if values and None not in values else None


def victim_ratio(report: ServiceReport, scenario: str) -> Optional[Estimate]:
    """The victim's p99 over the same round's baseline p99, round by round."""
    base = {w.round: w.victim.p99 for w in windows_of(report, BASELINE) if w.victim}
    values = [w.victim.p99 / base[w.round] for w in windows_of(report, scenario)
              if w.victim and base.get(w.round)]
    return rounds(values) if values else None


def ratios(report: ServiceReport) -> list[tuple[str, Estimate]]:
    """Every scenario with a victim ratio, most hurt victim (highest median) first."""
    found = [(s.name, victim_ratio(report, s.name)) for s in report.scenarios if s.name != BASELINE]
    return sorted(((name, e) for name, e in found if e is not None), key=lambda pair: -pair[1].value)


Ranked = list[tuple[str, Estimate]]


def spread(estimate: Estimate) -> tuple[float, float]:
    """The lowest and highest of a figure's rounds: what the ranking compares."""
    return min(estimate.rounds), max(estimate.rounds)


def overlap(one: Estimate, other: Estimate) -> bool:
    """Whether two figures' rounds overlap: neither is above the other in every round."""
    return spread(one)[0] <= spread(other)[1] and spread(other)[0] <= spread(one)[1]


def cut(above: Ranked, below: Ranked) -> bool:
    """Whether every round of every scenario ``above`` is above every round of every one
    ``below``: a border between ranks."""
    return min(spread(e)[0] for _, e in above) > max(spread(e)[1] for _, e in below)


def _groups(found: Ranked) -> list[Ranked]:
    """``found`` (highest median first) in groups: a group ends only at a :func:`cut`."""
    groups, start = [], 0
    for end in range(1, len(found) + 1):
        if end == len(found) or cut(found[:end], found[end:]):
            groups.append(found[start:end])
            start = end
    return groups


def ranking(report: ServiceReport) -> tuple[list[Ranked], Ranked]:
    """The scenarios ranked by the victim's p99 over baseline, in groups that share a rank,
    and those left unplaced.

    A scenario ranks above another only where all its rounds are above all of the other's
    (with three rounds the interquartile range is half the range, too narrow to order two
    scenarios from run to run alike), so scenarios in different groups differ in every
    round, and each group holds scenarios its rounds cannot order. One scenario whose
    rounds spread wide (one stray round) can overlap several groups and so join them all
    into one: such a scenario is left unplaced, widest first, while leaving it out splits
    the rest into more groups."""
    placed, unplaced = ratios(report), []
    while True:
        groups = _groups(placed)
        tries = [(len(_groups([p for p in placed if p is not one])),
                  spread(one[1])[1] - spread(one[1])[0], one) for one in placed]
        best = max(tries, key=lambda t: t[:2], default=None)
        if best is None or best[0] <= len(groups):
            return groups, sorted(unplaced, key=lambda pair: -pair[1].value)
        placed = [p for p in placed if p is not best[2]]
        unplaced.append(best[2])


def ranks(report: ServiceReport) -> dict[str, str]:
    """Each scenario's rank as the report prints it: "3", "3=" where tied, and for one left
    unplaced the ranks whose rounds it overlaps, "1-8"."""
    groups, unplaced = ranking(report)
    found, starts, position = {}, [], 1
    for group in groups:
        starts.append(position)
        for name, _ in group:
            found[name] = f"{position}=" if len(group) > 1 else str(position)
        position += len(group)
    for name, estimate in unplaced:
        near = [start for start, group in zip(starts, groups)
                if any(overlap(estimate, e) for _, e in group)]
        found[name] = f"{min(near)}-{max(near)}" if near else "-"
    return found


def window_figures(windows: list[Window]) -> dict[str, tuple[str, str, Estimate]]:
    """Label -> (unit, clock, estimate over the windows, one a round) of every figure the
    windows measured."""
    found = {}
    for label, unit, clock, read in WINDOW_FIGURES:
        estimate = _estimate([read(w) for w in windows])
        if estimate is not None:
            found[label] = (unit, clock, estimate)
    return found


def scenario_figures(report: ServiceReport, scenario: str) -> dict[str, tuple[str, str, Estimate]]:
    """Label -> (unit, clock, estimate) of every figure measured for ``scenario``."""
    found = window_figures(windows_of(report, scenario))
    ratio = victim_ratio(report, scenario) if scenario != BASELINE else None
    if ratio is not None:
        found[RATIO_LABEL] = (RATIO, WALL, ratio)
    return found


def _once(value: float) -> Estimate:
    return Estimate(value, value, value, rounds=(value,))


#: A rate of the sweep's verdict: served, not served, or not resolved (rounds on both sides).
RATE_SERVED, RATE_NOT_SERVED, RATE_UNSURE = "yes", "no", "not resolved"


def sweep_rates(report: ServiceReport, scenario: str) -> dict[float, list[Window]]:
    """Each offered rate the sweep sent ``scenario`` at, in order: its windows, one a round."""
    found: dict[float, list[Window]] = {}
    for point in report.sweep:
        if point.scenario == scenario:
            found.setdefault(point.offered, []).append(point)
    return found


def verdict(points: list[Window], bound: float, share: float) -> str:
    """Whether one rate of the sweep was served over its rounds: :data:`RATE_SERVED` where
    the interquartile ranges show at least ``share`` of the work answered and the victim's
    p99 at most ``bound``, :data:`RATE_NOT_SERVED` where they show either failing, else
    :data:`RATE_UNSURE`."""
    shown = window_figures(points)
    if "completed" not in shown:
        return RATE_NOT_SERVED
    completed, victim = shown["completed"][2], shown.get("/health p99")
    if completed.high < share or (victim is not None and victim[2].low > bound):
        return RATE_NOT_SERVED
    if completed.low >= share and (victim is None or victim[2].high <= bound):
        return RATE_SERVED
    return RATE_UNSURE


def verdicts(report: ServiceReport, scenario: str) -> dict[float, str]:
    """Each rate the sweep sent ``scenario`` at: its verdict."""
    return {rate: verdict(points, report.bound, report.served)
            for rate, points in sweep_rates(report, scenario).items()}


def highest_served(report: ServiceReport, scenario: str) -> Optional[float]:
    """The highest offered rate of the sweep served, below the first one not served (or
    not resolved)."""
    best = None
    for rate, said in verdicts(report, scenario).items():
        if said != RATE_SERVED:
            break
        best = rate
    return best


def figures(report: ServiceReport) -> list[Figure]:
    return list(_figures(report))


def _figures(report: ServiceReport) -> Iterator[Figure]:
    for scenario in report.scenarios:
        for label, (unit, clock, estimate) in scenario_figures(report, scenario.name).items():
            yield Figure(report.target, scenario.name, label, unit, clock, estimate, report.rounds)
    for scenario in {p.scenario: None for p in report.sweep}:
        for rate, points in sweep_rates(report, scenario).items():
            section = f"sweep {scenario} at {rate:.0f} req/s"
            for label, (unit, clock, estimate) in window_figures(points).items():
                yield Figure(report.target, section, label, unit, clock, estimate, len(points))
    for scenario in {p.scenario: None for p in report.sweep}:
        best = highest_served(report, scenario)
        if best is not None:
            yield Figure(report.target, f"sweep {scenario}", "highest rate served", RATE, WALL,
                         _once(best))


def noise(report: ServiceReport) -> Noise:
    """Run-to-run noise: the spread of each scenario's victim p99 over its rounds, pooled."""
    return pooled_noise([w.victim.p99 for w in windows_of(report, s.name) if w.victim]
                        for s in report.scenarios)


def text(unit: str, value: float) -> str:
    """A figure as the report prints it, in its unit."""
    if unit == SECONDS:
        return seconds(value)
    if unit == RATIO:
        return ratio(value)
    if unit == FRACTION:
        return share(value)
    if unit == RATE:
        return f"{value:.0f}/s"
    return f"{value:.2f}"
