"""The cluster report's chart: each rung's scaling in each layout, with its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import derive
from .findings import entries

if TYPE_CHECKING:
    from .report import ClusterReport


def write(report: ClusterReport, path: str) -> None:
    """Grouped bars, one group per rung, one bar per layout (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = entries(report)
    names = [run.layout.name for run in report.layouts]
    figure, axes = plt.subplots(figsize=(max(6.0, 1.8 * len(rows)), 4.0))
    width = 0.8 / max(1, len(names))
    for index, name in enumerate(names):
        xs, values, errors = [], [], [[], []]
        for position, measured in enumerate(rows.values()):
            for run, row in measured:
                scaling = derive.scaling(row, run.layout.slots)
                if run.layout.name == name and scaling is not None:
                    xs.append(position + index * width)
                    values.append(scaling.value)
                    errors[0].append(max(0.0, scaling.value - scaling.low))
                    errors[1].append(max(0.0, scaling.high - scaling.value))
        axes.bar(xs, values, width, yerr=errors, capsize=3, label=name)
    axes.axhline(1.0, color="grey", linewidth=0.8)
    axes.set_xticks([p + width * (len(names) - 1) / 2 for p in range(len(rows))])
    axes.set_xticklabels(list(rows), fontsize=8)
    axes.set_ylabel("tasks/s over one slot's")
    axes.set_title("Scaling of each rung in each layout")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
