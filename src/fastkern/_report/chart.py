"""Reports compared as one PNG chart (matplotlib, the optional extra ``fastkern[plot]``):
each figure's ratio to the first report, as ``compare`` judged it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .estimate import quartiles

if TYPE_CHECKING:
    from .compare import Judgement, Row
    from .figure import Figure


def legend(axes) -> None:
    """The legend every fastkern chart puts under its axes."""
    axes.legend(fontsize="small", ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1))


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
    legend(axes)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
