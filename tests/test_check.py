"""The report's words agree with its figures: the checker, and each contradiction it found.

Each test of a contradiction builds the figures that produced it (a registered kernel whose
compiled rung is slower than python, an event loop whose worst tick is far from its median,
a collector that never ran, a call that does real work, a quick run whose two threads beat
one thread) and asserts what the report now says of them.
"""

import dataclasses
import sys

import pytest

import fastkern
from fastkern._anatomy import check, derive, findings, ladder, render
from fastkern._anatomy.model import (DispatchCost, GarbageCollection, KernelReport, Load,
                                     Scaling, Stall, summarize)
from fastkern._anatomy.report import Report
from fastkern._anatomy.settings import QUICK
from fastkern._report.estimate import INCONSISTENT, SWAMPED


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy_all(["sum", "fib"], sizes={"sum": 2000, "fib": 15},
                                threads=(1, 2), quick=True)


def test_a_real_report_has_no_problem(report):
    assert check.problems(report) == []
    assert check.problems(Report.from_json(report.to_json())) == []


def test_the_checker_finds_a_number_no_table_shows(report, monkeypatch):
    planted = findings.Finding("memory", "a list of floats takes 12.3 B/element")
    monkeypatch.setattr(findings, "findings", lambda found: [planted])
    assert check.problems(report) == ["finding 'memory': 12.3 B/element is in no table"]


def test_the_checker_finds_a_verdict_its_numbers_contradict(report, monkeypatch):
    planted = findings.Finding("GIL", "of 2 threads, runnable at once: python 1.95 took "
                                      "turns; c 1.02–1.10 ran side by side.")
    monkeypatch.setattr(findings, "findings", lambda found: [planted])
    found = check.problems(report)
    assert any("python 1.95 runnable of 2 does not fit 'took turns'" in p for p in found)
    assert any("c 1.02–1.10 runnable of 2 does not fit 'ran side by side'" in p for p in found)


def test_the_checker_finds_a_lag_that_is_not_a_median(report, monkeypatch):
    worst = max(s.worst for k in report.kernels for s in k.stall)
    text = (f"median lag of a 1 ms tick (idle 1 ns) with the kernel in asyncio.to_thread: "
            f"python held the loop up ({render.seconds(worst)}).")
    monkeypatch.setattr(findings, "findings", lambda found: [findings.Finding("event loop", text)])
    assert any("is not a median lag" in p for p in check.problems(report))


def kernel(**rungs):
    return KernelReport("mine", 8, "element", 8, ladder.rungs(
        {backend: summarize(list(samples)) for backend, samples in rungs.items()}), (), (),
        None, ())


def test_shares_sum_to_100_percent_when_a_lower_rung_is_slower():
    """A registered kernel whose compiled rung is slower than python: its shares once read
    89% + 20%, the negative step hidden as not resolved."""
    found = kernel(python=(10.0, 10.2, 9.8), compiled=(10.9, 11.1, 10.8),
                   annotated=(2.0, 2.1, 1.9))
    parts = derive.parts(found)
    printed = [int(render.part_share(p).rstrip("%~")) for p in parts]
    assert printed[0] < 0 and sum(printed) == 100
    assert check._shares(found) == []
    assert printed[0] == int(render.part_share(parts[0]).rstrip("%~"))


def test_the_event_loop_is_judged_on_median_lags(report):
    """A loop whose worst tick comes with c, released (a scheduling hiccup), but whose median
    lag is far lower than with the GIL held: the finding quotes medians (the old summary
    quoted the worst tick, so releasing the GIL read worst)."""
    def stall(backend, release, median, worst):
        return Stall(backend, release, 1, 100, worst, worst, median)

    stalls = (stall(None, None, 90e-6, 700e-6), stall("python", None, 5e-3, 13.9e-3),
              stall("c", None, 118e-6, 26.9e-3), stall("c", False, 5.33e-3, 15.6e-3))
    one = dataclasses.replace(report, kernels=(dataclasses.replace(
        report.kernels[0], stall=stalls),), load=())
    said = next(f.text for f in findings.findings(one) if f.subject == "event loop")
    assert f"c {findings.LETS_RUN} (118 µs)" in said and "26.9 ms" not in said
    assert check._event_loop(one) == []


def test_the_collector_is_inconsistent_only_beyond_a_real_difference():
    """No collection ran, and the two timings lie 0.5% apart with tight spreads: that is
    noise of ordering, not a contradiction (it was flagged as one)."""
    on = summarize([1.860, 1.861, 1.859, 1.860, 1.862])
    off = summarize([1.869, 1.870, 1.871, 1.869, 1.870])
    assert derive.gc_ratio(GarbageCollection("trees", 6, on, off, (0.0, 0.0, 0.0), 0.0)).resolved
    far = summarize([2.0, 2.01, 1.99, 2.0, 2.0])
    assert derive.gc_ratio(GarbageCollection("trees", 6, on, far, (0.0, 0.0, 0.0), 0.0)).reason \
        == INCONSISTENT


def test_dispatch_is_not_read_off_a_call_that_does_real_work():
    """binary_trees(1) is raised to depth 6, about 1.5 ms of work: the noise of that call
    was printed as 20 µs of dispatch cost."""
    raw = summarize([1.50e-3, 1.51e-3, 1.49e-3, 1.50e-3, 1.50e-3])
    public = summarize([1.52e-3, 1.53e-3, 1.51e-3, 1.52e-3, 1.52e-3])
    assert derive.dispatch_adds(DispatchCost("python", 1, public, raw)).reason == SWAMPED


def scaling(efficiency, runnable):
    one = summarize([1.0] * 5)
    return Scaling("python", None, (1, 2), (10, 20),
                   (one, summarize([2 / (2 * efficiency)] * 5)), one, 10,
                   (one, summarize([runnable * 2 / (2 * efficiency)] * 5)))


def test_threads_that_beat_one_thread_did_not_take_turns():
    """A quick run: python at T=2 read 94% with 1.20 runnable at once, and the summary said
    it took turns."""
    found = scaling(0.94, 1.20)
    assert derive.efficiency(found, 1).value == pytest.approx(0.94)
    assert findings.verdict(found, 1) == findings.UNCLEAR
    assert findings.verdict(found, 1, loaded=True) == findings.TURNS, \
        "under load, throughput cannot overrule runnable threads"
    assert findings.verdict(scaling(0.5, 1.02), 1) == findings.TURNS
    assert findings.verdict(scaling(0.95, 1.98), 1) == findings.SIDE


def test_load_in_one_kernels_threads_does_not_silence_another_kernels_contention(report):
    """On 3.13t, sum's threads section saw load; fib's did not, and fib's threads, all on a
    CPU at once, slowed each other: the GIL finding still says so for fib."""
    fib = report.kernel("fib")
    contended = dataclasses.replace(scaling(0.39, 2.0), on_cpu=(
        summarize([1.0] * 5), summarize([2.0 * 2 / (2 * 0.39)] * 5)))
    machine = dataclasses.replace(report.machine, schedstat=True, gil_disabled=True)
    gil = dataclasses.replace(fib.gil, threads=(contended,), processes=None)
    loads = (Load("sum: threads", 1.0, 0.3), Load("fib: threads", 1.0, 0.0))
    changed = dataclasses.replace(report, machine=machine, load=loads, kernels=(
        dataclasses.replace(report.kernel("sum"), gil=None),
        dataclasses.replace(fib, gil=gil)))
    said = next(f.text for f in findings.findings(changed) if f.subject == "GIL")
    assert findings.SLOWED.format(reached="python reached 39%", workers=2) in said


def test_a_quick_event_loop_watches_long_enough_for_several_gil_switches():
    """With 10 ms the loop got about two ticks while python held the GIL, and its median
    was the first tick's: now it gets several."""
    assert QUICK.stall_time >= 6 * sys.getswitchinterval()


def test_the_default_report_leads_with_its_findings_and_stays_short(report):
    text = report.render(80)
    lines = text.splitlines()
    assert lines[0].startswith("Findings")
    assert sum(1 for line in lines[:24] if line.startswith("• ")) >= 4
    assert len(lines) < len(report.render(80, explain=True).splitlines())
