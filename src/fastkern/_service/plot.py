"""The service report's chart: latency against offered rate (the median over the sweep's
rounds), one line per scenario of the sweep (matplotlib, the optional extra ``fastkern[plot]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from statistics import median

from .._anatomy.plot import COLOURS
from .figures import sweep_rates

if TYPE_CHECKING:
    from .report import ServiceReport

#: Each mode's line and marker; the colour is the rung's.
MODES = {"async": ("--", "o"), "def": ("-", "s"), "def-held": (":", "^"), "pool": ("-.", "D"),
         "workers": ((0, (1, 1)), "x"), "tokens": ("-", "*")}
PANELS = (("work p99", lambda w: w.work.p99 if w.work else None),
          ("/health p99", lambda w: w.victim.p99 if w.victim else None))


def _style(report: ServiceReport, name: str) -> dict:
    scenario = next(s for s in report.scenarios if s.name == name)
    colour = COLOURS.get(scenario.rung or "", "#17becf")
    line, marker = MODES.get(scenario.mode or "", ("-", "o"))
    return {"color": colour, "linestyle": line, "marker": marker}


def write(report: ServiceReport, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(p.scenario for p in report.sweep))
    figure, axes = plt.subplots(1, len(PANELS), figsize=(12, 5), squeeze=False)
    for panel, (label, read) in zip(axes[0], PANELS):
        for name in names:
            points = [(rate, [read(p) for p in rounds])
                      for rate, rounds in sweep_rates(report, name).items()]
            points = [(x, median(y) * 1e3) for x, y in points if None not in y]
            if points:
                panel.plot(*zip(*points), label=name, **_style(report, name))
        if label.startswith("/health"):
            panel.axhline(report.bound * 1e3, color="#7f7f7f", linewidth=0.8)
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.set_xlabel("offered rate of the work (requests/s)")
        panel.set_ylabel(f"{label} (ms, from intended send time)")
        panel.set_title(label)
        panel.legend(fontsize=7)
    figure.suptitle(f"fastkern service: {report.target}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
