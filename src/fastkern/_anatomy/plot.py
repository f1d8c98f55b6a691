"""The report as one PNG chart, and reports compared as another (matplotlib, the optional
extra ``fastkern[plot]``)."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Sequence

from .. import _rungs
from . import derive
from .._report.estimate import quartiles
from .._report.numbers import UNRESOLVED

if TYPE_CHECKING:
    from .report import Report
    from .._report.compare import Judgement, Row
    from .._report.figure import Figure

INSTALL_HINT = "matplotlib is needed for charts: pip install 'fastkern[plot]'"


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


#: One colour per backend in every panel; a held GIL is drawn hatched in its backend's colour.
COLOURS = {**{rung.name: rung.colour for rung in _rungs.RUNGS}, "idle loop": "#7f7f7f"}


def _style(label: str) -> dict:
    backend = label.split(" (")[0]
    style = {"color": COLOURS.get(label, COLOURS.get(backend, "#17becf"))}
    if "GIL held" in label:
        style.update(hatch="//", edgecolor="white")
    return style


def _legend(axes) -> None:
    axes.legend(fontsize="small", ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1))


def _label(kernel) -> str:
    return f"{kernel.kernel}\n({kernel.size})"


def _grouped_bars(axes, groups: Sequence[str], series: dict, log: bool = True) -> None:
    """One cluster of bars per group, one bar per series; missing values leave a gap."""
    width = 0.8 / max(len(series), 1)
    for index, (name, values) in enumerate(series.items()):
        offsets = [g + (index - (len(series) - 1) / 2) * width for g in range(len(groups))]
        present = [(x, v) for x, v in zip(offsets, values) if v is not None and v > 0]
        if present:
            axes.bar(*zip(*present), width=width, label=name, **_style(name))
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels(groups, fontsize="small")
    if log:
        axes.set_yscale("log")
    axes.grid(axis="y", alpha=0.3)
    _legend(axes)


def _speedups(axes, report: Report) -> None:
    backends: dict = {}
    for kernel in report.kernels:
        for rung in kernel.ladder:
            backends.setdefault(rung.backend, [])
    for kernel in report.kernels:
        for backend, values in backends.items():
            found = derive.speedup(kernel, backend)
            values.append(found.value if found and found.resolved else None)
    _grouped_bars(axes, [_label(k) for k in report.kernels], backends)
    axes.set_title("Speedup over python (pre-converted inputs, thread CPU time)")
    axes.set_ylabel("x faster than python")


def _decomposition(axes, report: Report) -> None:
    """Resolved shares as stacked bars; unresolved ones named beside the bar, never drawn."""
    found = [(k, derive.parts(k)) for k in report.kernels]
    found = [(k, parts) for k, parts in found if parts]
    names: list = []
    for _, parts in found:
        names += [p.name for p in parts if p.name not in names]
    left = [0.0] * len(found)
    for name in names:
        shares = [next((p.share.value * 100 for p in parts if p.name == name and p.share.resolved),
                       0.0) for _, parts in found]
        axes.barh(range(len(found)), shares, left=left, label=name)
        left = [a + b for a, b in zip(left, shares)]
    for row, (_, parts) in enumerate(found):
        missing = [f"{p.name}: {UNRESOLVED} ({p.share.reason})" for p in parts
                   if not p.share.resolved]
        if missing:
            axes.text(min(left[row], 100) + 1, row, "\n".join(missing), va="center",
                      fontsize="x-small", color="dimgrey")
    axes.set_xlim(0, 160)
    axes.set_yticks(range(len(found)))
    axes.set_yticklabels([_label(k) for k, _ in found])
    axes.invert_yaxis()
    axes.set_title("Where python's time goes (% of python's time per call; resolved shares only)")
    _legend(axes)


def _gil(axes, report: Report) -> None:
    """Threads runnable at once at the largest T (or throughput, without runnable time)."""
    kernels = [k for k in report.kernels if k.gil]
    runnable = report.machine.schedstat
    series: dict = {}
    missing: list = []
    threads = 1
    for kernel in kernels:
        for scaling in kernel.gil.threads:
            series.setdefault(scaling.label, [None] * len(kernels))
            threads = max(threads, max(scaling.workers))
    for index, kernel in enumerate(kernels):
        for scaling in kernel.gil.threads:
            last = len(scaling.workers) - 1
            found = derive.runnable(scaling, last) if runnable else derive.efficiency(scaling, last)
            if found is None or not found.resolved:
                missing.append(f"{kernel.kernel} {scaling.label}: {UNRESOLVED}")
                continue
            cap = scaling.workers[last] if runnable else 1.0
            series[scaling.label][index] = min(max(found.value, 0.0), cap) * (1 if runnable else 100)
    _grouped_bars(axes, [_label(k) for k in kernels], series, log=False)
    if runnable:
        axes.axhline(threads, color="black", linewidth=0.8)
        axes.axhline(1, color="grey", linewidth=0.8, linestyle="--")
        axes.set_ylim(0, threads * 1.2)
        axes.set_title(f"GIL: threads runnable at once, of {threads} "
                       f"(solid: all; dashed: one at a time)")
        axes.set_ylabel("threads")
    else:
        axes.axhline(100, color="black", linewidth=0.8)
        axes.axhline(100 / threads, color="grey", linewidth=0.8, linestyle="--")
        axes.set_ylim(0, 120)
        axes.set_title(f"GIL: throughput of {threads} threads vs {threads}x one thread "
                       f"(no runnable time on this system; dashed: one at a time)")
        axes.set_ylabel("%")
    if missing:
        axes.text(0.01, 0.98, "\n".join(missing), transform=axes.transAxes, va="top",
                  fontsize="x-small", color="dimgrey")


def _stall(axes, report: Report) -> None:
    series: dict = {}
    for index, kernel in enumerate(report.kernels):
        for stall in kernel.stall:
            series.setdefault(stall.label, [None] * len(report.kernels))[index] = stall.worst * 1e3
    _grouped_bars(axes, [_label(k) for k in report.kernels], series)
    axes.set_title(f"Event loop: worst lag of a {report.settings.tick * 1e3:g} ms tick "
                   f"during asyncio.to_thread")
    axes.set_ylabel("ms")


def write(report: Report, path: str) -> None:
    """Draw the ladder, the decomposition, GIL scaling and event-loop stall into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, grid = plt.subplots(2, 2, figsize=(15, 11))
    _speedups(grid[0][0], report)
    _decomposition(grid[0][1], report)
    _gil(grid[1][0], report)
    _stall(grid[1][1], report)
    m = report.machine
    figure.suptitle(f"fastkern anatomy: {m.cpu}, {m.usable_cores} usable cores, "
                    f"{m.implementation} {m.python}, fastkern {m.fastkern}, {m.timestamp}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


#: The sections a comparison chart draws: one thread's figures, then concurrency at the
#: largest thread count, then the shared sections (per-call fits, dispatch and the event
#: loop stay in the table, where there is room for them).
COMPARED = ("ladder", "speedup over python", "share of python's time", "scaling T=",
            "runnable at once T=", "per element", "scattered over in order", "collector", " vs ")


def _threads(section: str) -> tuple[str, int]:
    """``("scaling ", 4)`` for ``scaling T=4``; ``(section, 0)`` for a section without T."""
    kind, _, workers = section.partition("T=")
    return kind, int(workers) if workers else 0


def _compared(rows: Sequence[Row]) -> list[Row]:
    """The rows of :data:`COMPARED` sections, concurrency only at each figure's largest T."""
    chosen = []
    for row in rows:
        subject, section, label = row.key.split(" | ")
        if any(part in section for part in COMPARED):
            chosen.append((row, (subject, _threads(section)[0], label), _threads(section)[1]))
    largest: dict = {}
    for _, figure, threads in chosen:
        largest[figure] = max(largest.get(figure, 0), threads)
    return [row for row, figure, threads in chosen if threads == largest[figure]]


def _drawn(first: Figure, other: Figure, judged: Judgement) -> tuple[float, float, float]:
    """The ratio ``compare`` judged (at equal machine speed where both reports read it) and
    the interval the two figures' quartiles allow it."""
    if judged.at_speed is not None:
        (low_a, _, high_a), (low_b, _, high_b) = (quartiles(sorted(first.relative)),
                                                  quartiles(sorted(other.relative)))
        found = judged.at_speed
    else:
        low_a, high_a = first.estimate.low, first.estimate.high
        low_b, high_b = other.estimate.low, other.estimate.high
        found = judged.ratio
    return (found, low_b / high_a if high_a > 0 else found,
            high_b / low_a if low_a > 0 else found)


def write_comparison(rows: Sequence[Row], names: Sequence[str], path: str) -> None:
    """Each figure's ratio to the first report, on a log axis, with the interval the two
    runs' quartiles allow; dark where ``compare`` calls it changed, light where not.
    Figures missing or not resolved in a report are counted in the title, not drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt


    shown = _compared(rows)
    others = len(names) - 1
    height = max(4.0, 0.22 * len(shown) * others + 1.5)
    figure, axes = plt.subplots(figsize=(12, height))
    palette = plt.get_cmap("tab10")
    skipped = 0
    for index in range(1, len(names)):
        positions, values, errors, colours = [], [], [[], []], []
        for row_number, row in enumerate(shown):
            judged = row.judged(index)
            if judged.ratio is None:
                skipped += 1
                continue
            found, low, high = _drawn(row.found[0], row.found[index], judged)
            positions.append(row_number * others + index - 1)
            values.append(found)
            errors[0].append(max(found - low, 0.0))
            errors[1].append(max(high - found, 0.0))
            changed = judged.changed
            colours.append(palette(index - 1) if changed else (*palette(index - 1)[:3], 0.3))
        axes.barh(positions, [v - 1 for v in values], left=1, color=colours,
                  xerr=errors, error_kw={"elinewidth": 0.6, "capsize": 1.5},
                  label=f"{names[index]} / {names[0]}")
    axes.set_xscale("log")
    axes.axvline(1, color="black", linewidth=0.8)
    axes.set_yticks([n * others + (others - 1) / 2 for n in range(len(shown))])
    axes.set_yticklabels([row.key for row in shown], fontsize="x-small")
    axes.invert_yaxis()
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlabel(f"ratio to {names[0]}, at equal machine speed where both read it "
                    f"(dark: changed, by compare's test and minimum effect; light: not)")
    axes.set_title(f"Compared with {names[0]}" + (
        f" ({skipped} figures missing or not resolved in a report, not drawn)" if skipped else ""))
    _legend(axes)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
