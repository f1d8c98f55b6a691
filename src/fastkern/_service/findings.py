"""The service report's findings: sentences generated from the figures its tables show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._report.figure import RATIO, SECONDS
from .figures import (BASELINE, HURT, RATE, RATE_SERVED, RATE_UNSURE, WORST_WORKER,
                      highest_served, ranking,
                      ranks, ratios, scenario_figures, text, verdicts)

if TYPE_CHECKING:
    from .report import ServiceReport


@dataclass(frozen=True)
class Finding:
    subject: str
    text: str


def findings(report: ServiceReport) -> list[Finding]:
    return [f for f in (_victim(report), _ranking(report), _loop(report), _sweep(report), _failed(report),
                        _generator(report), _probes(report)) if f is not None]


def _victim(report: ServiceReport) -> Finding | None:
    found = ratios(report)
    if not found:
        return None
    groups = {f"at least {text(RATIO, HURT)} in most rounds": [r for r in found if r[1].low >= HURT],
              f"under {text(RATIO, HURT)}": [r for r in found if r[1].high < HURT]}
    unsure = [n for n, e in found if e.low < HURT <= e.high]
    (worst, high), (best, low) = found[0], found[-1]
    verb = "hurts /health most" if high.low >= HURT else "has the most effect on /health"
    parts = [f"{worst} {verb}: p99 {text(RATIO, high.value)} its baseline"]
    if len(found) > 1:
        parts[0] += f"; {best} least: {text(RATIO, low.value)}"
        parts += [f"{label}: " + ", ".join(f"{n} {text(RATIO, e.value)}" for n, e in members)
                  for label, members in groups.items() if members]
    if unsure:
        parts.append("not resolved (rounds on both sides): " + ", ".join(unsure))
    return Finding("victim", "; ".join(parts) + ".")


#: The ranking finding's opening words, and the words before the scenarios it leaves
#: unplaced (:func:`.figures.ranking`).
RANKING = "ranked by /health p99 over baseline"
UNPLACED = "not placed (its rounds overlap scenarios ranked apart)"


def _ranking(report: ServiceReport) -> Finding | None:
    """The ranking the rounds support: scenarios whose rounds overlap share a rank."""
    groups, unplaced = ranking(report)
    if sum(map(len, groups)) + len(unplaced) < 2:
        return None
    found = ranks(report)
    said = [f"{found[group[0][0]]} " + ", ".join(name for name, _ in group) for group in groups]
    if unplaced:
        said.append(f"{UNPLACED}: " + ", ".join(name for name, _ in unplaced))
    return Finding("ranking", f"{RANKING}, scenarios whose rounds overlap sharing a rank "
                              f"(marked =): " + "; ".join(said) + ".")


def _loop(report: ServiceReport) -> Finding | None:
    shown = {s.name: scenario_figures(report, s.name) for s in report.scenarios}
    lags = [(name, found["loop lag p99"][2]) for name, found in shown.items()
            if "loop lag p99" in found]
    if not lags:
        return None
    name, worst = max(lags, key=lambda pair: pair[1].value)
    base = dict(lags).get(BASELINE)
    said = f"the event loop lagged most under {name}: p99 {text(SECONDS, worst.value)}"
    if base is not None:
        said += f" (alone: {text(SECONDS, base.value)})"
    for scenario, found in shown.items():
        pooled, one = found.get("loop lag p99"), found.get(WORST_WORKER)
        if pooled is not None and one is not None and one[2].value >= HURT * pooled[2].value:
            said += (f"; under {scenario} one worker's loop lagged more: p99 "
                     f"{text(SECONDS, one[2].value)}, all pooled {text(SECONDS, pooled[2].value)}")
    return Finding("event loop", said + ".")


def _sweep(report: ServiceReport) -> Finding | None:
    tried = list(dict.fromkeys(p.scenario for p in report.sweep))
    if not tried:
        return None
    best = {name: highest_served(report, name) for name in tried}
    stop = {name: next((v for v in verdicts(report, name).values() if v != RATE_SERVED), None)
            for name in tried}
    served = sorted((n for n in tried if best[n] is not None), key=lambda n: -best[n])
    said = "highest rate served of those tried: " + (", ".join(
        f"{n} {text(RATE, best[n])}" for n in served) or "none")
    failed = [n for n in tried if best[n] is None and stop[n] != RATE_UNSURE]
    if failed:
        said += "; not even the first: " + ", ".join(failed)
    unsure = [n for n in tried if stop[n] == RATE_UNSURE]
    if unsure:
        said += ("; the next rate not resolved (its rounds on both sides of the bounds): "
                 + ", ".join(unsure))
    return Finding("sweep", said + ".")


def _failed(report: ServiceReport) -> Finding | None:
    """The scenarios where a request failed or went unanswered in some round."""
    failed = list(dict.fromkeys(
        w.scenario for w in report.windows
        if any(s and s.errors + s.unanswered for s in (w.work, w.victim))))
    if not failed:
        return None
    return Finding("errors", "requests failed or went unanswered (see 'work errors', "
                             "'completed' and '/health unanswered') in: " + ", ".join(failed) + ".")


def _generator(report: ServiceReport) -> Finding:
    every = [*report.windows, *report.sweep]
    behind = sum(w.generator.behind for w in every)
    if not behind:
        return Finding("generator", f"the load generator kept up in all {len(every)} windows.")
    return Finding("generator", f"the load generator fell behind in {behind} of {len(every)} "
                                "windows (marked in the tables): there it sent late, so its "
                                "latencies under-count the server's.")


def _probes(report: ServiceReport) -> Finding | None:
    if not report.probes:
        return Finding("probes", "no probes inside the server (it was given by URL): no "
                                 "victim, event-loop lag or server CPU figures.")
    workers = {s.name: s.workers for s in report.scenarios}
    short = list(dict.fromkeys(w.scenario for w in (*report.windows, *report.sweep)
                               if w.probed < workers.get(w.scenario, 1)))
    if not short:
        return None
    return Finding("probes", "some worker processes did not answer their probe in time, so "
                             "the loop lag and work CPU figures leave them out, in: "
                             + ", ".join(short) + ".")
