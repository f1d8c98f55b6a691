"""The cluster report's findings: one sentence per rung, generated from its figures.

Each says the scaling in every layout measured and the layout the rung should run in:
threads where they do as well as processes (they share memory), processes where the GIL
holds threads back, neither where the tasks keep the CPUs busy without going faster
(memory bandwidth); not resolved where the tasks were runnable side by side but waited for
CPUs (other programs' load). Every number in a sentence is a cell of a table of the same
report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .._report.estimate import Estimate
from .._report.numbers import join, ratio, seconds
from .._anatomy.model import BUSY_CPUS
from . import derive
from .model import LayoutRun, Rounds

if TYPE_CHECKING:
    from .report import ClusterReport

#: Scaling at or below 1 + this x (slots - 1) is "does not scale".
FLAT = 0.3
#: CPUs busy at or above 1 + this x (slots - 1) is "the slots kept the CPUs busy".
BUSY = 0.5
#: A task's CPU time grown by at least this, beside the others, is slowed on the CPU.
GROWN = 1.3

MEMORY_BOUND = "bound by memory bandwidth"
GIL_BOUND = "the GIL holds threads back"
THREADS_DO = "threads do as well as processes"
THREADS_BETTER = "threads do better than processes"
WAITED = "not resolved: the tasks waited for CPUs (other programs' load)"
LOADED = "not resolved: other programs kept CPUs busy"


@dataclass(frozen=True)
class Finding:
    subject: str
    text: str


def megabytes(count: int) -> str:
    return f"{count / 1e6:.0f} MB"


def cpus(estimate: Estimate) -> str:
    return f"{estimate.value:.2f}"


def entries(report: ClusterReport) -> dict[str, list[tuple[LayoutRun, Rounds]]]:
    """Each subject's rows, layout by layout, in the order measured."""
    found: dict[str, list[tuple[LayoutRun, Rounds]]] = {}
    for run in report.layouts:
        for row in run.subjects:
            if row.rate:
                found.setdefault(row.subject.label, []).append((run, row))
    return found


def findings(report: ClusterReport) -> list[Finding]:
    found = [_subject(label, rows) for label, rows in entries(report).items()]
    found += [_incident(run, incident) for run in report.layouts for incident in run.incidents]
    found += [Finding("load", f"other programs kept {load.others:.2f} CPUs busy on {load.host} "
                              f"while {run.layout.name} ran: its figures may be capped")
              for run in report.layouts for load in run.load if _busy(load)]
    found += [Finding(run.layout.name, f"{run.layout.name} stopped early: {run.stopped}")
              for run in report.layouts if run.stopped]
    return found


def _incident(run: LayoutRun, incident) -> Finding:
    return Finding("worker lost", f"{incident.workers_lost} worker(s) lost in {run.layout.name}, "
                   f"round {incident.round} ({incident.subject}, {incident.what}): that batch "
                   f"({seconds(incident.seconds)}) was dropped and the round's figures come from "
                   f"the other rounds")


def _subject(label: str, rows: list[tuple[LayoutRun, Rounds]]) -> Finding:
    measured = [(run, row, derive.scaling(row, run.layout.slots)) for run, row in rows]
    resolved = [(run, row, s) for run, row, s in measured if s is not None and s.resolved]
    if not resolved:
        return Finding(label, f"{label}: scaling not resolved in any layout (its rounds spread "
                              f"too far): measure again on a quieter machine")
    evidence = join([f"{ratio(s.value)} on {run.layout.short}" for run, _row, s in resolved])
    verdict = _verdict(resolved)
    return Finding(label, f"{label}: {evidence}: {verdict}")


def _flat(run: LayoutRun, scaling: Estimate) -> bool:
    return scaling.value <= 1 + FLAT * (run.layout.slots - 1)


def _verdict(resolved: list) -> str:
    if all(_flat(run, s) for run, _row, s in resolved):
        return _not_scaling(resolved)
    best = max(resolved, key=lambda item: item[2].value)
    as_good = [item for item in resolved if item[2].high >= best[2].low]
    chosen = min(as_good, key=lambda item: (item[0].layout.workers, -item[2].value))
    run, row, _s = chosen
    flags = run.layout.flags
    if len(resolved) == 1:
        return f"scales; only this layout was measured (dask worker {flags})"
    if run.layout.threads > 1:
        most = max(resolved, key=lambda item: item[0].layout.workers)[0]
        said = THREADS_DO if len(as_good) > 1 else THREADS_BETTER
        return (f"{said}, in {megabytes(derive.memory(run))} against "
                f"{megabytes(derive.memory(most))}: run it with {flags}")
    threaded = [item for item in resolved if item[0].layout.threads > 1]
    why = f"{GIL_BOUND}; " if threaded and all(_flat(r, s) for r, _w, s in threaded) else ""
    return f"{why}run it with {flags}"


def _not_scaling(resolved: list) -> str:
    busiest: Optional[tuple] = None
    for run, row, _s in resolved:
        busy = derive.parallelism(row, run.layout.slots)
        if busy is not None and busy.resolved and (busiest is None or busy.value > busiest[0].value):
            busiest = (busy, run, row)
    if busiest is None:
        return "does not scale in any layout"
    busy, run, row = busiest
    if all(r.layout.threads > 1 for r, _row, _s in resolved) and busy.value < 1 + BUSY * (run.layout.slots - 1):
        return (f"{GIL_BOUND} ({cpus(busy)} CPUs busy on {run.layout.short}): run it with "
                f"--nthreads 1 and more workers")
    grown = derive.cpu_growth(row)
    if busy.value >= 1 + BUSY * (run.layout.slots - 1) and grown is not None and grown.value >= GROWN:
        return (f"{MEMORY_BOUND}: {cpus(busy)} CPUs busy on {run.layout.short}, each task's CPU "
                f"time {ratio(grown.value)} its time alone; more slots on one machine do not help")
    for other, other_row, _s in resolved:
        slots = other.layout.slots
        waiting = derive.runnable(other_row, slots)
        working = derive.parallelism(other_row, slots)
        if (waiting is not None and waiting.resolved and working is not None
                and waiting.value >= 1 + BUSY * (slots - 1) > working.value):
            return (f"{WAITED}: {cpus(waiting)} tasks runnable at once on {other.layout.short} "
                    f"but {cpus(working)} CPUs busy; measure again on a quieter machine")
    loaded = [r.layout.short for r, _row, _s in resolved if _loaded(r)]
    if loaded:
        return (f"{LOADED} while it ran on {join(loaded)} (the load findings): measure again "
                f"on a quieter machine")
    return (f"does not scale in any layout, with {cpus(busy)} CPUs busy on {run.layout.short}: "
            f"something serialises the tasks (a lock, a queue)")


def _busy(load) -> bool:
    """Whether other programs kept at least :data:`BUSY_CPUS` busy on a host."""
    return load.others is not None and load.others >= BUSY_CPUS


def _loaded(run: LayoutRun) -> bool:
    """Whether other programs loaded a host while ``run`` ran."""
    return any(_busy(load) for load in run.load)


def contradictions(report: ClusterReport) -> list[str]:
    """Each verdict of a finding that its subject's scaling figures do not bear out."""
    found = []
    rows = entries(report)
    for finding in findings(report):
        measured = [(run, derive.scaling(row, run.layout.slots)) for run, row in rows.get(finding.subject, ())]
        measured = [(run, s) for run, s in measured if s is not None and s.resolved]
        threaded = [(run, s) for run, s in measured if run.layout.threads > 1]
        single = [(run, s) for run, s in measured if run.layout.threads == 1]
        if GIL_BOUND in finding.text and not all(_flat(run, s) for run, s in threaded):
            found.append(f"finding {finding.subject!r}: says the GIL holds threads back, "
                         f"yet threads scale")
        if MEMORY_BOUND in finding.text and not all(_flat(run, s) for run, s in measured):
            found.append(f"finding {finding.subject!r}: says memory-bound, yet a layout scales")
        if THREADS_BETTER in finding.text and any(
                t.low <= s.high for _r, t in threaded for _p, s in single):
            found.append(f"finding {finding.subject!r}: says threads do better, yet processes "
                         f"reach them within noise")
    return found
