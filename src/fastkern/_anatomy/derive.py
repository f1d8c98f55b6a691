"""Every figure derived from measurements, with the uncertainty its measurements allow.

One method throughout: timings compared with each other are sampled in the same rounds
(interleaved), so a derived figure is computed round by round; its value is the median
over rounds and its interval the interquartile range over rounds (see
:mod:`fastkern._report.estimate`). A figure is *resolved* when its interval fits the range
the quantity can take (a share of a time in 0..100%, a cost at or above 0...); otherwise it
carries the reason it is not, and is shown as "not resolved", never as a finding.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .._report.estimate import (INCONSISTENT, NEAR_FULL, NEAR_ZERO, SWAMPED, Estimate,
                               bounded, quartiles, rounds)
from .._report.figure import NOISY
from .._rungs import BUCKET_CAUSES, BY_NAME, CAUSES, LADDER, STEPS, causes, position
from .fit import fit_line
from .model import (CallCost, Cores, DispatchCost, GarbageCollection, KernelReport, Rung, Scaling,
                    Timing)


def per_round(function: Callable[..., float], *timings: Timing) -> Estimate:
    """``function`` of the timings' samples, round by round (rounds zipped in order)."""
    return rounds([function(*sample) for sample in zip(*(t.samples for t in timings))])


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else 0.0


def speedup(kernel: KernelReport, backend: str) -> Optional[Estimate]:
    """Python's time over ``backend``'s, round by round."""
    base, rung = kernel.rung("python"), kernel.rung(backend)
    if base is None or rung is None:
        return None
    return per_round(_ratio, base.time, rung.time)


def ladder_of(kernel: KernelReport) -> tuple[str, ...]:
    """The ladder's rungs; a registered kernel's annotated rung stands in for a missing
    typed (both remove the same cost)."""
    skipped = "annotated" if kernel.rung("typed") or not kernel.rung("annotated") else "typed"
    return tuple(rung for rung in LADDER if rung != skipped)


@dataclass(frozen=True)
class Part:
    """One share of python's time: the difference between neighbouring rungs (or the last)."""

    name: str
    seconds: Estimate
    share: Estimate

    @property
    def near_zero(self) -> bool:
        """Whether the share's interval reaches 0: it may be no cost at all."""
        return self.share.low <= 0 <= self.share.high


def parts(kernel: KernelReport) -> tuple[Part, ...]:
    """Python's time as the differences between neighbouring ladder rungs, then the last rung.

    A rung that is missing merges the two steps around it into one part; a cost that does
    not arise in the kernel (see :func:`fastkern._rungs.causes`; a step built for it arises)
    is no part of it, and a step none of whose costs arises (typed after ints in fib, which
    holds no container) goes with the step above it. Each share is
    the difference of the two rungs' medians over python's median, so the shares sum to
    exactly 100%; its interval is the quartiles of the same share taken round by round. A
    share below 0 means the lower rung is slower: that step adds time.
    """
    ladder = ladder_of(kernel)
    present = [backend for backend in ladder if kernel.rung(backend)]
    if not present or present[0] != "python":
        return ()
    total = kernel.rung("python").time
    steps: list[list] = []
    for upper, lower in zip(present, present[1:]):
        names = [cause for rung in ladder[ladder.index(upper) + 1:ladder.index(lower) + 1]
                 for cause in _causes(kernel, rung)]
        if names or not steps:
            steps.append([upper, lower, names])
        else:
            steps[-1][1] = lower
    found = [_step(kernel, " + ".join(_whole_bucket(names, upper, lower)), upper, lower)
             for upper, lower, names in steps]
    last = kernel.rung(present[-1]).time
    found.append(Part(f"remainder ({present[-1]} itself)", per_round(lambda t: t, last),
                      _at(per_round(_ratio, last, total), _ratio(last.median, total.median))))
    return tuple(found)


def _causes(kernel: KernelReport, rung: str) -> tuple[str, ...]:
    """What ``rung`` removes in ``kernel``; a step built for it (a registered kernel's) removes
    its cost."""
    found = causes(rung, kernel.kernel)
    if not found and rung in STEPS and kernel.rung(rung):
        return (BY_NAME[rung].removes,)
    return found


def _step(kernel: KernelReport, name: str, upper: str, lower: str) -> Part:
    """The difference between rungs ``upper`` and ``lower`` as a part of python's time."""
    total, high, low = (kernel.rung(rung).time for rung in ("python", upper, lower))
    seconds = per_round(lambda t, h, l: h - l, total, high, low)
    fraction = per_round(lambda t, h, l: _ratio(h - l, t), total, high, low)
    return Part(name, _at(seconds, high.median - low.median),
                _at(fraction, _ratio(high.median - low.median, total.median)))


#: What a registered function's ``annotated`` rung removes after its steps: the types
#: Cython infers and those of its other annotations.
REST_NAME = "inferred and other types"
#: The causes inside "dynamic typing & boxing" (compiled to typed), each removed by one step.
BUCKET = BUCKET_CAUSES + (REST_NAME,)
#: The bucket's name, for a part that spans all of it.
BUCKET_NAME = BY_NAME["annotated"].removes


def _whole_bucket(names: list[str], upper: str, lower: str) -> list[str]:
    """``names`` with the bucket's causes named as the bucket where the step from ``upper``
    to ``lower`` spans all of it."""
    if position(upper) > position("compiled"):  # what annotated removes after the steps
        return [REST_NAME if name == BUCKET_NAME else name for name in names]
    if position(lower) < position("annotated"):
        return names
    first = next((index for index, name in enumerate(names) if name in BUCKET), None)
    kept = [name for name in names if name not in BUCKET]
    if first is not None and BUCKET_NAME not in kept:
        kept.insert(first, BUCKET_NAME)
    return kept


def inside_bucket(part: Part) -> bool:
    """Whether ``part`` is one or more, not all, of the causes inside "dynamic typing &
    boxing"."""
    return all(name in BUCKET for name in part.name.split(" + "))


def bucket(kernel: KernelReport) -> Optional[Part]:
    """The whole of "dynamic typing & boxing" (compiled less typed, or annotated) where the
    kernel's parts split it into two or more; None otherwise."""
    inside = [part for part in parts(kernel) if inside_bucket(part)]
    lower = next((rung for rung in ("typed", "annotated") if rung in ladder_of(kernel)), None)
    if len(inside) < 2 or lower is None or not kernel.rung(lower) or not kernel.rung("compiled"):
        return None
    return _step(kernel, BUCKET_NAME, "compiled", lower)


def summary(kernel: KernelReport) -> tuple[Part, ...]:
    """:func:`parts` with the parts inside the bucket replaced by :func:`bucket`, where it
    splits: the shares still sum to 100%."""
    whole = bucket(kernel)
    if whole is None:
        return parts(kernel)
    found = list(parts(kernel))
    first = next(index for index, part in enumerate(found) if inside_bucket(part))
    kept = [part for part in found if not inside_bucket(part)]
    return tuple(kept[:first] + [whole] + kept[first:])


def part_order(name: str) -> int:
    """Where a part's name sits on the ladder: the position of its first cause among the
    costs the rungs remove (a remainder, after every part)."""
    first = name.split(" + ")[0]
    return CAUSES.index(first) if first in CAUSES else len(CAUSES)


def _at(estimate: Estimate, value: float) -> Estimate:
    """``estimate`` with ``value`` in place of its median, its interval widened to hold it."""
    return dataclasses.replace(estimate, value=value, low=min(estimate.low, value),
                               high=max(estimate.high, value))


@dataclass(frozen=True)
class LineFit:
    """The fit of a backend's time against work: fixed cost per call and cost per unit."""

    intercept: Estimate
    slope: Estimate
    r2: float


def line(cost: CallCost) -> LineFit:
    """The fit through the medians, its interval from the same fit made round by round."""
    median = fit_line(cost.work, [t.median for t in cost.times])
    fits = [fit_line(cost.work, list(sample)) for sample in zip(*(t.samples for t in cost.times))]
    intercept = rounds([f.intercept for f in fits])
    slope = rounds([f.slope for f in fits])
    return LineFit(bounded(dataclasses.replace(intercept, value=median.intercept), ceiling=None),
                   bounded(dataclasses.replace(slope, value=median.slope), ceiling=None),
                   median.r2)


#: The relative nudge given to each timing to read how far a figure derived from it moves.
NUDGE = 1e-3
#: The sensitivity of a figure at 0: any relative change in its timings is all of it.
ALL_NOISE = 1e6


def sensitivity(compute: Callable[[Sequence[float]], float], times: Sequence[float]) -> float:
    """How many times a relative change in each of ``times`` moves ``compute(times)``
    relative to itself: the root of the sum of their squares (see
    :attr:`.figure.Figure.sensitivity`); at most :data:`ALL_NOISE`."""
    base = compute(times)
    if base == 0:
        return ALL_NOISE
    total = 0.0
    for index in range(len(times)):
        nudged = [t * (1 + NUDGE) if i == index else t for i, t in enumerate(times)]
        total += ((compute(nudged) - base) / (base * NUDGE)) ** 2
    return min(math.sqrt(total), ALL_NOISE)


def line_sensitivity(cost: CallCost) -> tuple[float, float]:
    """The :func:`sensitivity` of the fitted fixed cost and cost per unit to the medians."""
    medians = [t.median for t in cost.times]
    return (sensitivity(lambda times: fit_line(cost.work, times).intercept, medians),
            sensitivity(lambda times: fit_line(cost.work, times).slope, medians))


def dispatch_sensitivity(cost: DispatchCost) -> float:
    """The :func:`sensitivity` of :func:`dispatch_adds` to the two calls' medians."""
    return sensitivity(lambda times: times[0] - times[1],
                       [cost.dispatched.median, cost.raw.median])


#: A raw call at the smallest size longer than this does too much work to show dispatch.
DISPATCH_WORK = 20e-6


def dispatch_adds(cost: DispatchCost) -> Estimate:
    """The public call's time minus the raw implementation's, round by round; not resolved
    where the raw call lasts over :data:`DISPATCH_WORK`, whose noise would swamp it."""
    found = bounded(per_round(lambda d, r: d - r, cost.dispatched, cost.raw), ceiling=None)
    return found.why(SWAMPED) if cost.raw.median > DISPATCH_WORK else found


def efficiency(scaling: Scaling, index: int) -> Estimate:
    """Throughput of T workers over T times one thread's, round by round.

    Above 100% beyond noise is not resolved (the load changed between the batches); within
    noise of 100% it is: that is what perfect scaling looks like.
    """
    workers, calls = scaling.workers[index], scaling.calls[index]
    one_thread = scaling.total

    def ratio(wall: float, reference: float) -> float:
        return _ratio(calls / wall if wall > 0 else 0.0, workers * one_thread / reference
                      if reference > 0 else 0.0)

    found = per_round(ratio, scaling.walls[index], scaling.reference)
    checked = bounded(found, ceiling=1.0)
    return found if checked.reason == NEAR_FULL else checked


#: Runnable threads beyond T that the edges of a batch's window account for (a worker's
#: runnable time counts from just before the start line, so a few ms of start-up and exit).
RUNNABLE_SLACK = 0.1


def runnable(scaling: Scaling, index: int, spans: Sequence[Timing] = ()) -> Optional[Estimate]:
    """Threads (or processes) runnable at once at the index-th worker count: their runnable
    time over the wall time it was counted in (``spans``, default the batches' walls).

    More than T (plus :data:`RUNNABLE_SLACK`) beyond noise is not resolved.
    """
    return _at_once(scaling, index, scaling.runnable[index],
                    spans[index] if spans else scaling.walls[index])


def on_cpu(scaling: Scaling, index: int) -> Optional[Estimate]:
    """Threads on a CPU at once at the index-th worker count: their summed thread CPU time
    over the wall time (runnable time less the waits for a CPU), or None where not counted.
    """
    counted = scaling.on_cpu[index] if index < len(scaling.on_cpu) else None
    return _at_once(scaling, index, counted, scaling.walls[index])


def _at_once(scaling: Scaling, index: int, counted: Optional[Timing],
             span: Timing) -> Optional[Estimate]:
    """Seconds ``counted`` over ``span``, round by round; more than T beyond noise is not
    resolved."""
    if counted is None:
        return None
    found = per_round(_ratio, counted, span)
    checked = bounded(found, ceiling=scaling.workers[index] + RUNNABLE_SLACK)
    return found if checked.reason in (NEAR_FULL, NEAR_ZERO) else checked


def gc_ratio(gc: GarbageCollection) -> Estimate:
    """Time with the collector off over time with it on; flagged where no collection ran
    yet the two differ by more than :data:`fastkern._report.figure.NOISY` beyond noise."""
    found = per_round(_ratio, gc.disabled, gc.enabled)
    if sum(gc.collections) == 0 and (found.low > 1 + NOISY or found.high < 1 - NOISY):
        return found.why(INCONSISTENT)
    return found


def gc_pause_share(gc: GarbageCollection) -> Estimate:
    """The collector's pause in one call as a share of a call, against each round's call."""
    return bounded(per_round(lambda enabled: _ratio(gc.pause, enabled), gc.enabled))


def ratio(numerator: Timing, denominator: Timing) -> Estimate:
    """One timing over another, round by round."""
    return per_round(_ratio, numerator, denominator)


def fastest(kernel: KernelReport) -> Optional[tuple[str, Estimate]]:
    """The backend with the largest resolved speedup over python, the steps inside dynamic
    typing & boxing aside (they show what each cause costs, not a way to run)."""
    found = [(b, speedup(kernel, b)) for b in (r.backend for r in kernel.ladder)
             if b != "python" and b not in STEPS]
    found = [(b, s) for b, s in found if s is not None and s.resolved]
    return max(found, key=lambda pair: pair[1].value, default=None)


#: Why a serial fraction is not given.
ONE_THREAD_COUNT = "only one thread count: no scaling to fit"


def amdahl_fraction(counts: Sequence[int], speedups: Sequence[float]) -> Optional[float]:
    """Least-squares serial fraction f of Amdahl's law, 1/S(T) = f + (1 - f)/T, over the
    thread counts T >= 2 (None without one): the fit through the origin of
    y = 1/S - 1/T against x = 1 - 1/T."""
    points = [(1 - 1 / t, 1 / s - 1 / t) for t, s in zip(counts, speedups) if t >= 2 and s > 0]
    denominator = sum(x * x for x, _ in points)
    return sum(x * y for x, y in points) / denominator if denominator else None


def split_speedup(cores: Cores, index: int) -> Estimate:
    """The unsplit call's wall time (T=1) over the call's at the index-th T, round by round:
    T times the efficiency, resolved as it is (within noise of T, at most T is shown)."""
    threads = cores.scaling.workers[index]
    found = efficiency(cores.scaling, index)
    return Estimate(min(found.value, 1.0) * threads, found.low * threads, found.high * threads,
                    found.reason, tuple(min(r, 1.0) * threads for r in found.rounds))


def split_runnable(cores: Cores, index: int) -> Optional[Estimate]:
    """The call's threads runnable at once: their runnable time over the span it was
    counted in (until the last worker exited)."""
    return runnable(cores.scaling, index, cores.spans)


def serial_fraction(cores: Cores) -> Estimate:
    """Amdahl's serial fraction of one call, fitted round by round. Resolved when its
    interval fits in 0..100%, or reaches below 0 only by noise (perfect scaling looks so);
    not resolved when it lies beyond either end."""
    scaling = cores.scaling
    if not any(t >= 2 for t in scaling.workers):
        return Estimate(0.0, 0.0, 0.0, ONE_THREAD_COUNT)

    def fitted(reference: float, *walls: float) -> float:
        found = amdahl_fraction(scaling.workers, [_ratio(reference, w) for w in walls])
        return 1.0 if found is None else found

    found = per_round(fitted, scaling.reference, *scaling.walls)
    checked = bounded(found)
    return found if checked.reason == NEAR_ZERO else checked


def bandwidth(moved: int, timing: Timing) -> Estimate:
    """Bytes per second: ``moved`` bytes per call over each round's seconds."""
    return per_round(lambda seconds: _ratio(moved, seconds), timing)


def of_copy_bandwidth(cores: Cores, index: int) -> Optional[Estimate]:
    """The call's read bandwidth over the copy probe's at the same T, round by round (sum
    and dot; None for others)."""
    if cores.bytes_read is None or not cores.copies:
        return None
    return per_round(lambda call, copy: _ratio(cores.bytes_read / call if call > 0 else 0.0,
                                               cores.copy_bytes / copy if copy > 0 else 0.0),
                     cores.scaling.walls[index], cores.copies[index])


#: Two passes of a rung lie apart when their interquartile ranges do not overlap and their
#: medians lie further apart than this.
MOVED = 0.05
#: Of this many passes or more, the fastest and the slowest are left out before judging a
#: move: one pass cannot pull the pooled median of so many far.
TRIMMED = 4


def moved(rung: Rung) -> Optional[float]:
    """How far apart the two passes of ``rung`` furthest apart lie: the slower's median
    over the faster's, less 1, among passes whose interquartile ranges do not overlap and
    whose medians lie more than :data:`MOVED` apart; None where no two do, or with one
    pass. Of :data:`TRIMMED` or more passes, the fastest and the slowest are left out.

    Quartiles, not extremes: one stray round of a pass must not hide that all its other
    rounds lie beyond the other pass's.
    """
    found = sorted((p.median, quartiles(sorted(p.samples))) for p in rung.passes
                   if p.samples and p.median > 0)
    if len(found) >= TRIMMED:
        found = found[1:-1]
    changes = [slow / fast - 1 for fast, (_, _, high) in found for slow, (low, _, _) in found
               if high < low and slow / fast - 1 > MOVED]
    return max(changes, default=None)


def moved_rungs(kernel: KernelReport) -> list[tuple[Rung, float]]:
    """The kernel's rungs that moved between passes, with how far (see :func:`moved`)."""
    found = [(rung, moved(rung)) for rung in kernel.ladder]
    return [(rung, change) for rung, change in found if change is not None]


#: Speed readings further apart than this (largest over least, minus one) mean the
#: machine's own speed moved during the run.
UNSTEADY = 0.10


def speed_range(readings: Sequence[Optional[float]]) -> Optional[tuple[float, float]]:
    """The least and largest speed reading, or None with fewer than two positive ones."""
    found = [r for r in readings if r is not None and r > 0]
    return (min(found), max(found)) if len(found) >= 2 else None


def unsteady(readings: Sequence[Optional[float]]) -> bool:
    """Whether the readings moved beyond :data:`UNSTEADY`."""
    found = speed_range(readings)
    return found is not None and found[1] / found[0] - 1 > UNSTEADY
