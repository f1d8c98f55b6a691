"""One call, all cores: arithmetic with exact numbers and a fake clock, the team's runnable
count, and the structure of a real quick run (never the sign or size of a real timing)."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from rich.console import Console

import fastkern
from fastkern._anatomy import cores, derive, figures, findings, render
from fastkern._report.numbers import UNRESOLVED, unresolved
from fastkern._report.figure import WALL
from fastkern._anatomy.model import Cores, Scaling
from fastkern._anatomy.report import Report
from fastkern._anatomy.model import summarize
from fastkern._info import thread_budget
from fastkern.backends import _c, _typed
from fastkern._report.estimate import ABOVE_FULL

#: A figure as printed: a number with a unit (%, x, s, ms, µs, ns), or a decimal.
FIGURE = re.compile(r"-?\d+(?:\.\d+)?(?:%|x\b| (?:s|ms|µs|ns)\b)|-?\d+\.\d+")


def wall(*samples: float):
    return summarize(list(samples), clock=WALL)


def split(walls: dict, runnable: dict | None = None, bytes_read=None, copies=(),
          spans: dict | None = None) -> Cores:
    """A Cores measured as ``walls`` (T -> per-round seconds) say."""
    counts = tuple(walls)
    timings = tuple(wall(*walls[t]) for t in counts)
    busy = tuple(None if runnable is None else wall(*runnable[t]) for t in counts)
    scaling = Scaling("c", True, counts, (1,) * len(counts), timings, timings[0], 1, busy, 100)
    return Cores("c", 100, scaling, bytes_read, tuple(wall(*c) for c in copies),
                 0 if bytes_read is None else 2 * bytes_read,
                 tuple(wall(*(spans or walls)[t]) for t in counts))


@pytest.mark.parametrize("fraction", [0.0, 0.125, 0.5, 1.0])
def test_amdahl_fit_recovers_the_serial_fraction_of_exact_speedups(fraction):
    counts = (1, 2, 4, 8, 16)
    speedups = [1 / (fraction + (1 - fraction) / t) for t in counts]
    assert derive.amdahl_fraction(counts, speedups) == pytest.approx(fraction, abs=1e-12)


def test_amdahl_fit_needs_two_threads_or_more():
    assert derive.amdahl_fraction((1,), (1.0,)) is None


def test_speedup_efficiency_and_serial_fraction_of_one_call_round_by_round():
    # f = 1/4: T=2 takes 5/8 and T=4 takes 7/16 of T=1's time; round 2 is twice as slow.
    found = split({1: [1.0, 2.0, 1.0], 2: [0.625, 1.25, 0.625], 4: [0.4375, 0.875, 0.4375]})
    assert derive.split_speedup(found, 1).value == 1.6
    assert derive.efficiency(found.scaling, 1).value == 0.8
    assert derive.efficiency(found.scaling, 2).value == pytest.approx(1 / (4 * 0.4375))
    serial = derive.serial_fraction(found)
    assert serial.resolved and serial.value == pytest.approx(0.25)
    assert serial.low == pytest.approx(0.25) and serial.high == pytest.approx(0.25)


def test_a_serial_fraction_beyond_one_or_from_one_thread_count_is_not_resolved():
    slower = derive.serial_fraction(split({1: [1.0] * 3, 2: [1.25] * 3}))
    assert not slower.resolved and slower.reason == ABOVE_FULL
    alone = derive.serial_fraction(split({1: [1.0] * 3}))
    assert not alone.resolved and alone.reason == derive.ONE_THREAD_COUNT


def test_perfect_scaling_within_noise_is_a_resolved_serial_fraction_near_zero():
    found = derive.serial_fraction(split({1: [1.0] * 3, 2: [0.49, 0.5, 0.51]}))
    assert found.resolved and found.low < 0 < found.high


def test_runnable_threads_of_one_call_over_the_span_they_were_counted_in():
    found = split({1: [1.0] * 3, 2: [0.5] * 3}, runnable={1: [1.0] * 3, 2: [1.0] * 3},
                  spans={1: [1.0] * 3, 2: [0.5, 0.5, 0.625]})
    assert derive.split_runnable(found, 0).value == 1.0
    assert derive.split_runnable(found, 1).value == 2.0
    assert derive.split_runnable(found, 1).low == pytest.approx(1.8)


def test_a_speedup_beyond_noise_above_t_is_not_resolved_and_within_noise_is_at_most_t():
    beyond = derive.split_speedup(split({1: [1.0] * 3, 2: [0.25] * 3}), 1)
    assert not beyond.resolved and beyond.reason == ABOVE_FULL
    within = derive.split_speedup(split({1: [1.0] * 3, 2: [0.45, 0.5, 0.55]}), 1)
    assert within.resolved and within.value == 2.0 and within.high > 2.0


def test_read_and_copy_bandwidth_and_their_ratio():
    found = split({1: [0.001] * 3, 2: [0.0005] * 3}, bytes_read=8_000_000,
                  copies=[[0.004] * 3, [0.004] * 3])
    assert derive.bandwidth(found.bytes_read, found.scaling.walls[1]).value == 16e9
    assert derive.bandwidth(found.copy_bytes, found.copies[1]).value == 4e9
    assert derive.of_copy_bandwidth(found, 0).value == 2.0
    assert derive.of_copy_bandwidth(found, 1).value == 4.0
    assert derive.of_copy_bandwidth(split({1: [1.0] * 3}), 0) is None


class FakeTeam:
    """A backend module whose workers exit one per ``team_runnable`` read."""

    def __init__(self, counted, running, last_exit=0.0):
        self.counted, self.running, self.last_exit, self.counting = counted, running, last_exit, []

    def count_team_runnable(self, on):
        self.counting.append(on)

    def team_runnable(self):
        self.running = max(0, self.running - 1)
        return self.counted, self.running, self.last_exit


@pytest.mark.parametrize("last_exit, span", [(0.0, 0.5), (10.25, 0.5), (10.625, 0.625)])
def test_a_split_batch_adds_the_callers_and_the_workers_runnable_time(last_exit, span):
    """The span runs to the last worker's exit when that came after the call returned."""
    now = [0.0]
    caller = [0.0]
    team = FakeTeam(counted=0.75, running=3, last_exit=last_exit)

    def call(threads):
        assert threads == 2 and team.counting == [True]
        now[0] += 0.5
        caller[0] += 0.25

    batch = cores.split_batch(call, 2, team, lambda: now[0], lambda: caller[0], lambda: 10.0)
    assert batch() == (0.5, 1.0, span)
    assert team.counting == [True, False] and team.running == 0


def test_workers_still_running_at_the_timeout_leave_the_runnable_time_unknown(monkeypatch):
    monkeypatch.setattr(cores, "COUNT_TIMEOUT", 0.0)
    assert cores._counted(FakeTeam(counted=1.0, running=5)) == (None, 0.0)
    assert cores._counted(FakeTeam(counted=None, running=1)) == (None, 0.0)


def test_sizes_come_from_the_work_grid_and_streams_stop_at_10m_elements():
    assert cores.call_size("mandelbrot", 100, per_call=1.0, call_time=0.05) == 100
    grown = cores.call_size("mandelbrot", 100, per_call=0.001, call_time=0.05)
    assert grown > 100 and grown == cores.call_size("mandelbrot", 100, 0.00105, 0.05)
    assert cores.call_size("sum", 1000, per_call=1e-9, call_time=1.0) == cores.STREAM_ELEMENTS


@pytest.mark.parametrize("module", [_c, _typed])
def test_the_team_counts_its_workers_runnable_time_only_while_counting(module):
    module.count_team_runnable(True)
    try:
        fastkern.mandelbrot(64, 64, backend=module.__name__.rsplit("_", 1)[-1], threads=3)
        counted, last_exit = cores._counted(module)
    finally:
        module.count_team_runnable(False)
    assert counted is not None and counted > 0  # two workers ran: they used CPU time
    assert 0 < last_exit <= time.monotonic()
    fastkern.mandelbrot(64, 64, backend="c", threads=3)
    fastkern.mandelbrot(64, 64, backend="typed", threads=3)
    assert cores._counted(module) == (counted, last_exit)


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy_all(["sum", "mandelbrot", "nbody"], backends=["python", "c"],
                                threads=(1, 2), quick=True, shared=False, cores=True)


def tables(found: Report) -> str:
    out = io.StringIO()
    render.render(found, Console(file=out, width=1000), explain=True)
    before, _, after = out.getvalue().partition("\nNotes\n")
    return " ".join((before + after.split("\n\n", 1)[-1]).split())


def test_a_real_run_measures_every_usable_thread_count_for_the_kernels_that_split(report):
    counts = cores.thread_counts(thread_budget())
    assert report.kernel("nbody").cores is None
    for name, inputs in (("sum", 1), ("mandelbrot", None)):
        found = report.kernel(name).cores
        assert found.backend == "c" and found.scaling.workers == counts
        assert found.scaling.calls == (1,) * len(counts) and found.scaling.total == 1
        samples = report.settings.samples
        assert all(len(t.samples) == samples for t in found.scaling.walls)
        assert found.scaling.reference == found.scaling.walls[0]
        assert all(len(s.samples) == samples for s in found.spans)
        assert all(s >= w for span, timing in zip(found.spans, found.scaling.walls)
                   for s, w in zip(span.samples, timing.samples))
        if report.machine.schedstat:
            assert all(len(r.samples) == samples for r in found.scaling.runnable)
        if inputs is None:
            assert found.bytes_read is None and found.copies == ()
        else:
            assert found.bytes_read == 8 * found.size and found.copy_bytes == 16 * found.size
            assert len(found.copies) == len(counts)


def test_a_real_run_is_in_the_json_tables_and_summary(report):
    from fastkern._anatomy import check

    assert Report.from_json(report.to_json()) == report
    assert check.problems(report) == []
    keys = [f["section"] for f in json.loads(report.to_json())["figures"]]
    assert "one call scaling, all T" in keys
    text = tables(report)
    assert "One call, all cores" in text and "one call, all cores" in text  # table and load
    said = [f for f in findings.findings(report) if f.subject == "all cores"]
    assert len(said) <= (1 if thread_budget() >= 2 else 0)
    missing = [f.estimate for f in figures.figures(report) if not f.estimate.resolved]
    assert text.count(f"{UNRESOLVED} (") == len(missing)
    for estimate in missing:
        assert unresolved(estimate.reason) in text


def test_without_a_rung_that_splits_the_section_says_why():
    found = fastkern.anatomy("sum", 1000, backends=["python"], threads=(1,), quick=True,
                             shared=False, cores=True)
    assert found.kernel("sum").cores is None
    assert ("one call, all cores", "no typed or c rung timed: only they split one call") in \
        found.kernel("sum").absent


@pytest.mark.parametrize("gil_disabled", [True, False])
def test_the_gil_section_says_when_the_interpreter_has_no_gil(report, gil_disabled):
    """On a free-threaded build '(GIL held)' cannot mean that; the table and findings say so."""
    import dataclasses

    found = dataclasses.replace(report, machine=dataclasses.replace(
        report.machine, free_threaded_build=gil_disabled, gil_disabled=gil_disabled))
    said = "This interpreter runs without a GIL (free-threaded)"
    assert (said in tables(found)) == gil_disabled
    gil = next(f.text for f in findings.findings(found) if f.subject == "GIL")
    assert ('"GIL held" does not stop other threads' in gil) == gil_disabled


@pytest.mark.parametrize("no_gil", [False, True])
def test_compiled_threads_are_timed_where_no_gil_serialises_them(monkeypatch, no_gil):
    from fastkern._anatomy import gil

    monkeypatch.setattr(gil, "free_threaded", lambda: no_gil)
    variants = gil.thread_variants("fib", ["python", "compiled", "typed", "c", "numpy"])
    assert variants[:1] == [("python", None)]
    assert (("compiled", None) in variants) == no_gil
    assert ("typed", True) in variants and ("c", False) in variants
    assert not any(backend == "numpy" for backend, _ in variants)
