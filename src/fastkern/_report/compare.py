"""Reports side by side: the same figure (kernel, size, section, backend) in each report,
and whether it changed from the first report.

A figure *changed* when both hold:

1. **a test says so**: Welch's t-test, two-sided at :data:`ALPHA`, on the figure's
   per-round values (:attr:`.figure.Figure.rounds`: a timing's samples, a derived figure
   computed round by round), on their logarithms (so that a ratio is tested; shares, and
   figures with a round at or below 0, on the values), with each report's *run-to-run
   noise* added to its variance (below);
2. **by at least the minimum effect**: the larger value at least ``1 +``
   :data:`MIN_EFFECT` times the smaller (10%); for shares and efficiencies (figures in %),
   at least :data:`MIN_POINTS` apart (5 percentage points). A smaller difference is no
   change worth a reader's time, however sure the test is of it.

Run-to-run noise. Rounds sampled in one stretch of a run share the machine's state at the
time (its clock, other programs on its cores, a virtual machine's neighbours), so their
spread understates how far a figure moves from one run to the next: on a busy machine two
identical quick runs differ by more than their rounds' spread in most figures, and a test
on the rounds alone flags them. The ladder is timed in passes spread over the run (the
later ones in fresh interpreters); the variance of each rung's pass medians (of their
logarithms), pooled over the report's rungs, is that run's noise (:func:`run_noise`). It
is added to every figure's variance, divided by the number of passes for the figures whose
rounds span them (:attr:`.figure.Figure.passes`), and carried into a figure derived from
several timings as they carry it (:attr:`.figure.Figure.sensitivity`: a difference of two
close timings, a fitted fixed cost, moves by many times their noise). A report timed in one
pass has no such measure: its figures are tested on their rounds alone, and ``compare``
says so.

The machine's own speed. A virtual machine's speed moves within a run (other programs on
the same cores, its host's neighbours), often by more than a change worth finding, and a
stretch timed while it ran slow moves every figure in it. A report that read the machine's
speed in every round (a fixed piece of work timed by the same clock) gives each time and
ratio also relative to it (:attr:`.figure.Figure.relative`); where both reports do, the
figure is judged on those: the test, with the noise of a typical rung taken relative to
the speed (:attr:`.figure.Noise.relative`), the minimum effect and the direction, all on
the ratio *at equal speed* (the medians of the relative rounds), which the table shows
beside the ratio of the values. A figure that moved only because the machine ran slower
is then "no change" or "within noise", and a slower program on a machine that happened
to run faster is still "slower".
Figures with fewer than two rounds in a report (event-loop lag) say "too few rounds";
counted figures (bytes per element) compare by value: changed where they print differently
and lie the minimum effect apart.
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

from rich.console import Console
from rich.table import Table

from .figure import BANDWIDTH, BYTES, FRACTION, RATIO, SECONDS, UNTIMED, Figure, Noise
from .numbers import LEGEND, ratio, seconds, share, unresolved
from . import terminal
from .saved import SavedReport

#: The test's significance level (two-sided).
ALPHA = 0.05
#: The least relative difference called a change: the larger value at least 1.1 times the
#: smaller. The report itself calls a spread above 10% unstable (``model.UNSTABLE``) and a
#: machine whose speed moved 10% unsteady; a smaller change is not worth a reader's time,
#: and a 25% change clears it with room for both runs' noise.
MIN_EFFECT = 0.10
#: The least difference called a change for figures in % (shares, efficiencies): 5 points.
MIN_POINTS = 0.05

#: Verdicts. A change is named by its direction: a time is slower or faster, any other
#: figure larger or smaller.
SLOWER, FASTER, LARGER, SMALLER = "slower", "faster", "larger", "smaller"
#: The verdicts that say the figure changed.
CHANGED = (SLOWER, FASTER, LARGER, SMALLER)
#: Apart by less than the minimum effect.
NO_CHANGE = "no change"
#: Apart by the minimum effect or more, but the test cannot tell it from noise.
WITHIN = "within noise"
#: Fewer than two rounds in a report: nothing to test with.
FEW = "too few rounds"
UNRESOLVED = "not resolved"
MISSING = "missing"
#: Every verdict, in the order counts are given.
VERDICTS = (*CHANGED, NO_CHANGE, WITHIN, FEW, UNRESOLVED, MISSING)

FORMAT = "fastkern-comparison"
VERSION = 1


def student_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t with ``df`` degrees of freedom:
    I_{df/(df+t²)}(df/2, 1/2), the regularized incomplete beta function."""
    return _beta(df / 2, 0.5, df / (df + t * t))


def _beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), by its continued fraction
    (modified Lentz), on the side where it converges fast."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _beta(b, a, 1.0 - x)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x)) / a
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    found = d
    for m in range(1, 300):
        for step in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                     -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + step * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + step / c
            c = c if abs(c) > tiny else tiny
            found *= c * d
        if abs(c * d - 1.0) < 1e-14:
            break
    return front * found


def welch(first: Sequence[float], other: Sequence[float], first_run: float = 0.0,
          other_run: float = 0.0, first_df: float = 0, other_df: float = 0
          ) -> tuple[float, float]:
    """Two-sided p-value and degrees of freedom of Welch's t-test that ``other``'s mean
    equals ``first``'s, each mean's variance being its values' variance over their count
    plus its run's variance (``*_run``, with ``*_df`` degrees of freedom; the
    Welch-Satterthwaite degrees of freedom over all four parts). Two values at least each.
    """
    parts = [(statistics.variance(first) / len(first), len(first) - 1),
             (statistics.variance(other) / len(other), len(other) - 1),
             (first_run, first_df), (other_run, other_df)]
    total = sum(variance for variance, _ in parts)
    difference = statistics.fmean(other) - statistics.fmean(first)
    if total <= 0:
        return (1.0 if difference == 0 else 0.0), math.inf
    df = total ** 2 / sum(v * v / d for v, d in parts if v > 0 and d > 0)
    return student_p(difference / math.sqrt(total), df), df


@dataclass(frozen=True)
class Judgement:
    """One figure of a report against the first report's."""

    verdict: str
    ratio: Optional[float] = None
    """The other's value over the first's (None where either is missing or unresolved, or
    the first is 0)."""
    difference: Optional[float] = None
    """The other's value less the first's."""
    p: Optional[float] = None
    """The test's two-sided p-value (None where no test ran)."""
    df: Optional[float] = None
    scale: Optional[str] = None
    """What was tested: ``"log"`` (the ratio) or ``"value"`` (the difference)."""
    at_speed: Optional[float] = None
    """The ratio at equal speed: with each run's times taken relative to its machine's
    speed (medians of :attr:`.figure.Figure.relative`), what the verdict is drawn from;
    None where either report did not read it."""

    @property
    def changed(self) -> bool:
        return self.verdict in CHANGED


def apart(a: float, b: float, unit: str) -> bool:
    """Whether values ``a`` and ``b`` of a figure in ``unit`` differ by the minimum effect
    (see the module's text)."""
    if unit == FRACTION:
        return abs(b - a) >= MIN_POINTS - 1e-12
    if a > 0 and b > 0:
        return abs(math.log(b / a)) >= math.log1p(MIN_EFFECT) - 1e-12
    return abs(b - a) >= MIN_EFFECT * max(abs(a), abs(b))


def apart_enough(first: Figure, other: Figure) -> bool:
    """Whether the two figures' values differ by the minimum effect."""
    return apart(first.estimate.value, other.estimate.value, first.unit)


def judge(first: Optional[Figure], other: Optional[Figure], first_noise: Noise = Noise(),
          other_noise: Noise = Noise()) -> Judgement:
    """``other`` against ``first`` (see the module's text for the rule)."""
    if first is None or other is None:
        return Judgement(MISSING)
    a, b = first.estimate, other.estimate
    if not (a.resolved and b.resolved):
        return Judgement(UNRESOLVED)
    found = Judgement(NO_CHANGE, b.value / a.value if a.value else None, b.value - a.value)
    if first.clock == UNTIMED or other.clock == UNTIMED:
        if shown(first) == shown(other) or not apart_enough(first, other):
            return found
        return _named(found, first, b.value > a.value)
    if len(first.rounds) < 2 or len(other.rounds) < 2:
        return _with(found, FEW)
    relative = bool(first.relative) and bool(other.relative)
    firsts, others = ((first.relative, other.relative) if relative
                      else (first.rounds, other.rounds))
    noises = [noise.relative if relative and noise.relative is not None else noise
              for noise in (first_noise, other_noise)]
    logs = first.unit != FRACTION and min(firsts + others) > 0
    if logs:
        xs = [math.log(v) for v in firsts]
        ys = [math.log(v) for v in others]
        runs = [noise.variance * figure.sensitivity ** 2 / figure.passes
                for noise, figure in zip(noises, (first, other))]
    else:
        xs, ys = list(firsts), list(others)
        runs = [noise.variance * (figure.sensitivity * statistics.median(values)) ** 2
                / figure.passes
                for noise, values, figure in zip(noises, (firsts, others), (first, other))]
    p, df = welch(xs, ys, runs[0], runs[1], noises[0].df, noises[1].df)
    at_speed = statistics.median(others) / statistics.median(firsts) \
        if relative and statistics.median(firsts) > 0 else None
    found = dataclasses.replace(found, p=p, df=df, scale="log" if logs else "value",
                                at_speed=at_speed)
    before, after = ((statistics.median(firsts), statistics.median(others)) if relative
                     else (a.value, b.value))
    if not apart(before, after, first.unit):
        return found
    if p >= ALPHA:
        return _with(found, WITHIN)
    return _named(found, first, after > before)


def _with(found: Judgement, verdict: str) -> Judgement:
    return dataclasses.replace(found, verdict=verdict)


def _named(found: Judgement, first: Figure, up: bool) -> Judgement:
    """A change, named by its direction (``up``: the other's value is the larger)."""
    if first.unit == SECONDS:
        return _with(found, SLOWER if up else FASTER)
    return _with(found, LARGER if up else SMALLER)


@dataclass(frozen=True)
class Row:
    key: str
    found: tuple[Optional[Figure], ...]
    """The figure in each report (None where that report lacks it)."""
    noise: tuple[Noise, ...] = ()
    """Each report's run-to-run noise (unknown where not given)."""

    def ratio(self, index: int) -> Optional[float]:
        """Report ``index``'s value over the first report's."""
        return self.judged(index).ratio

    def judged(self, index: int) -> Judgement:
        """Report ``index``'s figure against the first report's."""
        noise = self.noise or (Noise(),) * len(self.found)
        return judge(self.found[0], self.found[index], noise[0], noise[index])

    def verdict(self, index: int) -> str:
        return self.judged(index).verdict

    def changed(self, index: int) -> bool:
        return self.judged(index).changed


def rows(reports: Sequence[SavedReport]) -> list[Row]:
    """One row per figure key, in the first report's order, then keys only later ones have."""
    keyed = [{f.key: f for f in report.figures()} for report in reports]
    noise = tuple(report.noise() for report in reports)
    keys = list(dict.fromkeys(key for found in keyed for key in found))
    return [Row(key, tuple(found.get(key) for found in keyed), noise) for key in keys]


def shown(figure: Optional[Figure]) -> str:
    if figure is None:
        return ""
    estimate = figure.estimate
    if not estimate.resolved:
        return unresolved(estimate.reason)
    if figure.unit == SECONDS:
        return seconds(estimate.value)
    if figure.unit == RATIO:
        return ratio(estimate.value)
    if figure.unit == FRACTION:
        return share(min(max(estimate.value, 0.0), 1.0))
    if figure.unit in (BYTES, BANDWIDTH):
        return f"{estimate.value:.3g} {figure.unit}"
    return f"{estimate.value:.2f}"


def rule() -> str:
    """The rule for a change, in words."""
    return (f"changed = a t-test at {ALPHA:.0%} on the figure's rounds (times relative to the "
            f"machine's speed read in the same rounds), with each run's noise (the spread of "
            f"figures measured in separate passes) added, and at least {MIN_EFFECT:.0%} apart, "
            f"or {MIN_POINTS * 100:.0f} points for figures in %")


def _grid(title: str, names: Sequence[str]) -> Table:
    grid = Table(title=title, title_justify="left", title_style="bold")
    grid.add_column("figure", justify="left")
    for name in names:
        grid.add_column(name, justify="right")
    for name in names[1:]:
        grid.add_column(f"{name} / {names[0]}", justify="right")
    return grid


def _add(grid: Table, row: Row) -> None:
    cells = [shown(figure) for figure in row.found]
    for index in range(1, len(row.found)):
        judged = row.judged(index)
        cells.append(("" if judged.ratio is None else f"{judged.ratio:.3g}")
                     + ("" if judged.at_speed is None
                        else f" ({judged.at_speed:.3g} at equal speed)")
                     + f"\n{judged.verdict}")
    grid.add_row(row.key, *cells)


def changes(found: Sequence[Row]) -> list[Row]:
    """The rows whose figure changed in some report."""
    return [row for row in found
            if any(row.changed(index) for index in range(1, len(row.found)))]


def summary_table(found: Sequence[Row], names: Sequence[str]) -> Optional[Table]:
    """What changed, first: None where nothing did."""
    changed = changes(found)
    if not changed:
        return None
    grid = _grid("What changed", names)
    for row in changed:
        _add(grid, row)
    return grid


def table(reports: Sequence[SavedReport], names: Sequence[str],
          found: Optional[Sequence[Row]] = None) -> Table:
    """Every figure, with its ratio to the first report and its verdict."""
    grid = _grid(f"Every figure compared with {names[0]}: ratio to it, and whether it changed",
                 names)
    for row in rows(reports) if found is None else found:
        _add(grid, row)
    return grid


def counts(found: Sequence[Row], index: int) -> Counter:
    """How many figures got each verdict in report ``index``."""
    return Counter(row.verdict(index) for row in found)


def _counted(found: Sequence[Row], index: int) -> str:
    tally = counts(found, index)
    return ", ".join(f"{tally[v]} {v}" for v in VERDICTS if tally[v])


def headline(found: Sequence[Row], names: Sequence[str]) -> list[str]:
    """The opening lines: how many figures changed in each report, and the verdicts' tally."""
    lines = []
    for index in range(1, len(names)):
        changed = sum(row.changed(index) for row in found)
        lines.append(f"{names[index]} against {names[0]}: "
                     + (f"{changed} of {len(found)} figures changed"
                        if changed else f"no figure of {len(found)} changed")
                     + f" ({_counted(found, index)}).")
    return lines


def noise_notes(reports: Sequence[SavedReport], names: Sequence[str]) -> list[str]:
    """Each report's run-to-run noise, and a warning where it is unknown."""
    known = []
    notes = []
    for report, name in zip(reports, names):
        noise = report.noise()
        if noise.known:
            at_speed = noise.relative
            known.append(f"{name} ±{noise.spread:.0%}" + (
                f" (±{at_speed.spread:.0%} relative to the machine's speed)"
                if at_speed is not None and at_speed.known else ""))
        else:
            notes.append(f"{name} was measured in one pass, so its run-to-run noise is "
                         f"unknown: its figures are tested on their rounds alone, which "
                         f"understates how far they move between runs.")
    if known:
        notes.insert(0, "Run-to-run noise (spread of figures measured in separate passes): "
                     + ", ".join(known) + ".")
    return notes


def size_mismatches(reports: Sequence[SavedReport], names: Sequence[str]) -> list[str]:
    """A note for each subject measured at different sizes, whose figures cannot line up."""
    notes = []
    for subject in dict.fromkeys(s for report in reports for s in report.sizes()):
        sizes = [(name, report.sizes()[subject]) for report, name in zip(reports, names)
                 if subject in report.sizes()]
        if len({repr(size) for _, size in sizes}) > 1:
            notes.append(f"{subject} was measured at different sizes ("
                         + ", ".join(f"{size} in {name}" for name, size in sizes)
                         + f"), so its figures are listed apart: measure again with "
                           f"--sizes-from {names[0]} to line them up.")
    return notes


def render(reports: Sequence[SavedReport], names: Sequence[str],
           console: Optional[Console] = None) -> None:
    """Print the comparison, what changed first, fitted to the console's width (see
    :mod:`.terminal`)."""
    console = console or terminal.console()
    found = rows(reports)
    for line in headline(found, names):
        console.print(line, style="bold")
    console.print(rule(), style="dim")
    changed = summary_table(found, names)
    if changed is not None:
        for piece in terminal.fitted(changed, console):
            console.print(piece)
    console.print()
    for piece in terminal.fitted(table(reports, names, found), console):
        console.print(piece)
    for note in size_mismatches(reports, names) + noise_notes(reports, names):
        console.print(note)
    console.print(LEGEND, style="dim")


def _number(value: Optional[float]) -> Optional[float]:
    """A float JSON can hold (None for infinities and NaN)."""
    return value if value is not None and math.isfinite(value) else None


def to_data(reports: Sequence[SavedReport], names: Sequence[str]) -> dict:
    """The comparison as plain data for ``--json``: the rule, each report's noise, the
    verdicts' tally, and each figure's value in each report with, for each report after the
    first, its ratio, difference, p-value and verdict."""
    found = rows(reports)
    noise = [report.noise() for report in reports]
    figures_out = []
    for row in found:
        figure = next(f for f in row.found if f is not None)
        figures_out.append({
            "key": row.key, "subject": figure.subject, "section": figure.section,
            "label": figure.label, "unit": figure.unit, "clock": figure.clock,
            "values": [None if f is None else _number(f.estimate.value) for f in row.found],
            "resolved": [None if f is None else f.estimate.resolved for f in row.found],
            "rounds": [None if f is None else len(f.rounds) for f in row.found],
            "compared": [dict(report=names[index], verdict=judged.verdict,
                              changed=judged.changed, ratio=_number(judged.ratio),
                              difference=_number(judged.difference), p=_number(judged.p),
                              df=_number(judged.df), tested=judged.scale,
                              at_speed=_number(judged.at_speed))
                         for index, judged in ((i, row.judged(i))
                                               for i in range(1, len(row.found)))]})
    return {
        "format": FORMAT, "version": VERSION, "reports": list(names),
        "rule": {"test": "Welch's t-test on per-round values (logarithms, but values for "
                         "figures in % or with a round <= 0; times and ratios relative to the "
                         "machine's speed where both reports read it), each run's noise added",
                 "alpha": ALPHA, "min_effect": MIN_EFFECT, "min_points": MIN_POINTS,
                 "text": rule()},
        "noise": [{"report": name, "spread": _number(n.spread) if n.known else None,
                   "variance": n.variance, "df": n.df,
                   "at_speed": None if n.relative is None else {
                       "spread": _number(n.relative.spread) if n.relative.known else None,
                       "variance": n.relative.variance, "df": n.relative.df}}
                  for name, n in zip(names, noise)],
        "summary": [{"report": names[index], "changed": sum(r.changed(index) for r in found),
                     "figures": len(found), "verdicts": dict(counts(found, index))}
                    for index in range(1, len(names))],
        "notes": size_mismatches(reports, names),
        "figures": figures_out,
    }


def to_json(reports: Sequence[SavedReport], names: Sequence[str]) -> str:
    return json.dumps(to_data(reports, names), indent=1, allow_nan=False)
