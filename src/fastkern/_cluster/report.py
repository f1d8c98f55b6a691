"""The report of ``fastkern cluster``: its data, how it shows itself, its JSON format.

A display module: it follows the saved-report protocol (:mod:`fastkern._report.saved`),
so ``fastkern report``, ``compare``, the checker and ``--plot`` read it, and it imports
nothing that measures or starts processes.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Optional, Tuple

from rich.table import Table

from .._report import saved, terminal
from .._report.check import unbacked
from .._report.estimate import Estimate
from .._report.figure import BYTES, FRACTION, RATIO, SECONDS, THREADS, Figure, Noise, pooled_noise
from .._report.numbers import LEGEND, fraction, ratio, seconds, unresolved
from .._report.figure import CPU, UNTIMED, WALL
from .._anatomy.model import Machine
from . import derive
from .findings import contradictions, cpus, entries, findings, megabytes
from .model import LayoutRun, Settings

if TYPE_CHECKING:
    from rich.console import Console

#: Tasks per second.
RATE = "tasks/s"


def _rate(estimate: Optional[Estimate]) -> str:
    return "-" if estimate is None else f"{estimate.value:.3g}/s"


def _shown(estimate: Optional[Estimate], show) -> str:
    if estimate is None:
        return "-"
    return show(estimate) if estimate.resolved else unresolved(estimate.reason)


@dataclass(frozen=True)
class ClusterReport:
    """What one ``fastkern cluster`` run measured: each layout (local clusters started and
    torn down, or the user's cluster as it is) with every subject's rounds.

    ``print(report)`` shows it findings first; :meth:`to_json` and :meth:`from_json` save
    and load it.
    """

    machine: Machine
    scheduler: Optional[str]
    """The address of the user's cluster (None: local clusters)."""
    distributed: str
    dask: str
    gilknocker: Optional[str]
    settings: Settings
    layouts: Tuple[LayoutRun, ...]
    notes: Tuple[str, ...]
    """What the run could not compare or say (e.g. a user's cluster of one layout)."""
    elapsed: float

    FORMAT: ClassVar[str] = "fastkern-cluster"
    VERSION: ClassVar[int] = 1

    # -- saved-report protocol ----------------------------------------------------------
    def to_json(self, indent: Optional[int] = 1) -> str:
        """The report as JSON (:meth:`from_json` reads it back), with every figure listed."""
        data = {"format": self.FORMAT, "version": self.VERSION, "report": dataclasses.asdict(self),
                "figures": [dataclasses.asdict(figure) for figure in self.figures()]}
        return json.dumps(data, indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> ClusterReport:
        """A report from :meth:`to_json`'s text; ValueError saying why it is not one."""
        return saved.decoded(cls, text, cls.VERSION, "cluster")

    def render(self, width: Optional[int] = None, explain: bool = False) -> str:
        """The text ``fastkern report`` prints, fitted to ``width`` columns, findings first."""
        console = terminal.capture(width)
        self.show(console, explain)
        return console.file.getvalue()

    def show(self, console: Console, explain: bool = False) -> None:
        """Print the report to ``console``: findings, tables, how it was measured."""
        console.print("[bold]Findings[/]")
        for finding in findings(self):
            console.print(f"- {finding.text}", highlight=False)
        console.print()
        for table in self.tables(explain):
            for piece in terminal.fitted(table, console):
                console.print(piece)
            console.print()
        for line in self.method():
            console.print(line, highlight=False)

    def __str__(self) -> str:
        return self.render()

    def figures(self) -> list[Figure]:
        """Every figure, keyed by subject, layout and name, with its per-round values."""
        found = []
        for run in self.layouts:
            section, slots = run.layout.name, run.layout.slots
            found.append(_figure("scheduler", section, "empty task", derive.empty(run), SECONDS, WALL))
            found.append(_figure("memory", section, "all workers", _once(derive.memory(run)),
                                 BYTES, UNTIMED))
            for row in run.subjects:
                subject = row.subject.label
                for label, estimate, unit, clock in (
                        ("tasks per second", derive.rate(row), RATE, WALL),
                        ("one slot tasks per second", derive.alone(row), RATE, WALL),
                        ("scaling", derive.scaling(row, slots), RATIO, WALL),
                        ("CPUs busy", derive.parallelism(row, slots), THREADS, WALL),
                        ("runnable at once", derive.runnable(row, slots), THREADS, WALL),
                        ("task CPU over alone", derive.cpu_growth(row), RATIO, CPU),
                        ("GIL contention", derive.gil(row), FRACTION, WALL),
                        ("scheduler share", derive.overhead(run, row), FRACTION, WALL)):
                    found.append(_figure(subject, section, label, estimate, unit, clock))
            for sending in run.sending:
                found.append(_figure(sending.subject, section, "send input",
                                     derive.send(sending.seconds), SECONDS, WALL))
        return [f for f in found if f is not None]

    def noise(self) -> Noise:
        """Run-to-run noise: the spread of tasks per second over the rounds, pooled."""
        return pooled_noise([row.rate for run in self.layouts for row in run.subjects]
                            + [row.alone for run in self.layouts for row in run.subjects])

    def sizes(self) -> dict[str, object]:
        """Each rung's size argument, by kernel and backend."""
        return {f"{row.subject.kernel} {row.subject.backend}": row.subject.size
                for run in self.layouts for row in run.subjects}

    def problems(self) -> list[str]:
        """Every number of a finding that no table shows, and every verdict its figures
        contradict (see :func:`.findings.contradictions`); [] where none."""
        tables = "\n".join(terminal_text(table) for table in self.tables(explain=True))
        found = unbacked([(f.subject, f.text) for f in findings(self)], tables + LEGEND)
        return found + contradictions(self)

    def draw(self, path: str) -> None:
        """Write the scaling chart to ``path`` as a PNG (needs ``fastkern[plot]``)."""
        from .plot import write

        write(self, path)

    # -- display ------------------------------------------------------------------------
    def tables(self, explain: bool = False) -> list[Table]:
        return [self._scaling_table(), self._costs_table(), self._layouts_table(),
                *([self._incidents_table()] if any(r.incidents for r in self.layouts) else [])]

    def _scaling_table(self) -> Table:
        table = Table(title="Each rung in each layout (median over rounds)", title_justify="left")
        for column in ("subject", "layout", "tasks/s", "one slot", "scaling", "CPUs busy",
                       "runnable", "task CPU vs alone", "GIL contention"):
            table.add_column(column, justify="left" if column in ("subject", "layout") else "right")
        for label, rows in entries(self).items():
            for run, row in rows:
                slots = run.layout.slots
                table.add_row(label, run.layout.name, _rate(derive.rate(row)),
                              _rate(derive.alone(row)),
                              _shown(derive.scaling(row, slots), lambda e: ratio(e.value)),
                              _shown(derive.parallelism(row, slots), cpus),
                              _shown(derive.runnable(row, slots), cpus),
                              _shown(derive.cpu_growth(row), lambda e: ratio(e.value)),
                              _shown(derive.gil(row), fraction))
        return table

    def _costs_table(self) -> Table:
        table = Table(title="Per task: the work, the scheduler's share, sending the input",
                      title_justify="left")
        for column in ("subject", "layout", "calls a task", "task alone", "scheduler share",
                       "input", "send input"):
            table.add_column(column, justify="left" if column in ("subject", "layout") else "right")
        for run in self.layouts:
            sends = {s.subject: derive.send(s.seconds) for s in run.sending}
            for row in run.subjects:
                subject = row.subject
                table.add_row(subject.label, run.layout.name, str(subject.repeats),
                              _shown(derive.task_seconds(row), lambda e: seconds(e.value)),
                              _shown(derive.overhead(run, row), fraction),
                              megabytes(subject.input_bytes) if subject.input_bytes >= 1e6
                              else f"{subject.input_bytes} B",
                              _shown(sends.get(subject.label), lambda e: seconds(e.value)))
        return table

    def _layouts_table(self) -> Table:
        table = Table(title="The layouts", title_justify="left")
        for column in ("layout", "hosts", "workers", "threads each", "started in",
                       "empty task", "memory per worker", "memory in all", "cluster's CPUs",
                       "others' CPUs"):
            table.add_column(column, justify="left" if column == "layout" else "right")
        for run in self.layouts:
            layout = run.layout
            table.add_row(layout.name, str(layout.hosts), str(layout.workers), str(layout.threads),
                          seconds(run.startup) if run.local else "(yours)",
                          _shown(derive.empty(run), lambda e: seconds(e.value)),
                          " ".join(megabytes(m) for m in run.memory),
                          megabytes(derive.memory(run)), _per_host(run, "cluster"),
                          _per_host(run, "others"))
        return table

    def _incidents_table(self) -> Table:
        table = Table(title="What went wrong, and what it cost", title_justify="left")
        for column in ("layout", "round", "subject", "workers lost", "batch dropped", "what"):
            table.add_column(column)
        for run in self.layouts:
            for incident in run.incidents:
                table.add_row(run.layout.name, str(incident.round), incident.subject,
                              str(incident.workers_lost), seconds(incident.seconds), incident.what)
        return table

    def method(self) -> list[str]:
        s = self.settings
        where = (f"the cluster at {self.scheduler}, as it is" if self.scheduler else
                 f"local clusters of {self.machine.usable_cores} usable cores, each layout "
                 f"started once and torn down")
        lines = [
            "How this was measured",
            f"  {where}; distributed {self.distributed}, dask {self.dask}, "
            f"gilknocker {self.gilknocker or 'not installed (no GIL contention)'}.",
            f"  {s.rounds} interleaved rounds; in each, every rung runs a batch of {s.fills} "
            f"tasks per slot (tasks/s from submission to the last result) and one slot kept "
            f"busy by one task doing {s.fills} tasks' work (one slot).",
            "  scaling = tasks/s over one slot's; CPUs busy = tasks/s x a task's thread CPU "
            "time; runnable = the same with its runnable time (/proc schedstat); inputs are "
            "made on the workers, sending one is timed apart.",
            "  the scheduler's share = an empty task's cost x slots over a task's CPU time; "
            "cluster's CPUs = what its own processes (workers, nannies, scheduler, this "
            "client) used on each host; others' CPUs = what other programs used (load.Meter).",
            f"  {LEGEND}",
        ]
        lines += [f"  Note: {note}" for note in self.notes]
        return lines


def _per_host(run: LayoutRun, field: str) -> str:
    """Each host's CPUs in ``field`` of its load ("-" where not read)."""
    return ", ".join(f"{h.host} {'-' if getattr(h, field) is None else f'{getattr(h, field):.2f}'}"
                     for h in run.load) or "-"


def _figure(subject: str, section: str, label: str, estimate: Optional[Estimate], unit: str,
            clock: str) -> Optional[Figure]:
    return None if estimate is None else Figure(subject, section, label, unit, clock, estimate)


def _once(value: float) -> Estimate:
    return Estimate(value, value, value, rounds=(value,))


def terminal_text(table: Table) -> str:
    """A table as plain text, wide enough that no cell wraps."""
    console = terminal.capture(400)
    console.print(table)
    return console.file.getvalue()
