"""How long and how often the anatomy measures: the full run and the ``--quick`` pass.

:class:`Settings` is public as ``fastkern.Settings``: pass one to :func:`fastkern.anatomy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._report.figure import NOISY


@dataclass(frozen=True)
class Settings:
    """Every knob that trades measurement time for precision (all times in seconds)."""

    min_time: float = 0.01
    """Each sample repeats its call until it has run at least this long."""
    samples: int = 5
    """The most samples per figure; the median is reported, the interquartile range is the
    spread."""
    min_samples: int = 3
    """Samples every figure outside the ladder gets: later rounds are taken only while a
    figure sampled in them spreads more than ``settled_spread`` (see :mod:`.timing`)."""
    settled_spread: float = NOISY
    """Figures sampled in the same rounds stop once each one's spread (interquartile range
    over median) is at most this: the report calls a figure noisy above it."""
    ladder_samples: int = 5
    """Samples per rung in each of the ladder's first ``ladder_min_passes`` passes, the
    figures most compared between runs (one pass takes a few seconds); a later pass takes
    ``min_samples`` (see :mod:`.ladder`)."""
    ladder_passes: int = 7
    """The most times the ladder is timed: once in each kernel's section, then each later
    pass at the end of the run (see :mod:`.ladder`). 1 times it once."""
    ladder_min_passes: int = 3
    """Passes every kernel's ladder gets; later ones only while a rung has not settled."""
    ladder_fresh: bool = True
    """Time each later pass in a fresh interpreter of its own (see :mod:`.ladder`)."""
    warmup: int = 1
    """Untimed calls before auto-ranging."""
    target_time: float = 0.02
    """Chosen sizes make one call of the slowest backend take about this long."""
    fit_points: int = 3
    """Sizes in the time-against-work fit, each a quarter of the work of the next."""
    thread_time: float = 0.02
    """Single-thread duration of the work the GIL section splits over threads or processes."""
    gil_call_time: float = 0.005
    """The GIL section makes each call of a faster backend last at least this long."""
    cores_call_time: float = 0.05
    """One call of "one call, all cores" lasts at least this long unsplit (sum and dot:
    at most 10M elements)."""
    stall_time: float = 0.05
    """How long the event loop is watched while a kernel runs beside it."""
    tick: float = 0.001
    """The event loop's tick."""
    memory_elements: int = 1_000_000
    """List length for the memory layout section (and the boundary section)."""
    feature_ops: int = 1_000
    """Operations per call in the language-feature loops."""
    speed_loops: int = 100_000
    """Steps of the fixed piece of Python work that reads the machine's own speed before
    and after each round of samples and after each section (see :mod:`.steady`)."""

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        return QUICK if quick else DEFAULT


DEFAULT = Settings()
QUICK = Settings(min_time=0.002, samples=3, ladder_samples=4, ladder_passes=3, ladder_min_passes=3,
                 target_time=0.002, fit_points=3,
                 thread_time=0.01, gil_call_time=0.002, cores_call_time=0.005,
                 stall_time=0.03, memory_elements=20_000, feature_ops=200, speed_loops=10_000)


def mode(settings: Settings) -> str:
    """The settings in words: "full run", "quick pass" or "custom settings"."""
    return {DEFAULT: "full run", QUICK: "quick pass"}.get(settings, "custom settings")
