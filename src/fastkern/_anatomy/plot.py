"""The report as one PNG chart, and reports compared as another (matplotlib, the optional
extra ``fastkern[plot]``)."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Sequence

from .. import _rungs
from . import derive
from .._report.chart import legend
from .._report.numbers import UNRESOLVED

if TYPE_CHECKING:
    from .report import Report

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
    legend(axes)


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
    legend(axes)


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

