"""Invariants of real quick runs that hold whatever the timings, and repeat, grid and compare.

No test here asserts the sign or size of a real timing: a busy machine may make any
figure unresolved, and these checks hold either way.
"""

import dataclasses
import io
import re

import pytest
from rich.console import Console

import fastkern
from fastkern import __main__ as cli
from fastkern._anatomy import check, costs, derive, figures, findings, inputs, render
from fastkern._report.numbers import UNRESOLVED, ratio, share, unresolved
from fastkern._anatomy.merge import pool
from fastkern._anatomy.model import Load
from fastkern._anatomy.report import Report
from fastkern._anatomy.inputs import raw_call
from fastkern._anatomy.settings import Settings
from fastkern._anatomy.timing import Timer
from fastkern._anatomy.model import summarize
from fastkern._report.figure import FRACTION

#: A figure as printed: a number with a unit (%, x, s, ms, µs, ns), or a decimal.
FIGURE = re.compile(r"-?\d+(?:\.\d+)?(?:%|x\b| (?:s|ms|µs|ns)\b)|-?\d+\.\d+")


#: The quick pass's settings with three ladder passes, so that later passes can be told apart.
THREE = dataclasses.replace(Settings.for_mode(True), ladder_passes=3, ladder_min_passes=3)


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy_all(["sum", "nbody"], sizes={"sum": 2000, "nbody": 50},
                                threads=(1, 2), settings=THREE)


@pytest.fixture(scope="module")
def repeated():
    return fastkern.anatomy("sum", 1000, backends=["python", "c"], threads=(2, 1, 2), quick=True,
                            shared=False, repeat=2)


def printed(report):
    out = io.StringIO()
    render.render(report, Console(file=out, width=1000), explain=True)
    return out.getvalue()


def rendered(report):
    """The rendered report, its whitespace (and so the wrapping of captions) normalised."""
    return " ".join(printed(report).split())


def tables(report):
    """The rendered report without its notes (the legend after them stays)."""
    before, _, after = printed(report).partition("\nNotes\n")
    return " ".join((before + after.split("\n\n", 1)[-1]).split())


def test_every_share_printed_as_a_number_lies_in_0_to_100_percent(report, repeated):
    """Except a step of the ladder that adds time: its share is signed, and shown as such."""
    for found in (report, repeated):
        signed = {share(p.share.value) for k in found.kernels for p in derive.parts(k)
                  if p.share.value < 0}
        for percent in re.findall(r"(-?\d+(?:\.\d+)?)%", rendered(found)):
            assert 0 <= float(percent) <= 100 or f"{percent}%" in signed, percent


def test_every_unresolved_figure_is_marked_in_the_tables(report):
    text = tables(report)
    missing = [f.estimate for f in figures.figures(report) if not f.estimate.resolved]
    for estimate in missing:
        assert unresolved(estimate.reason) in text
    assert text.count(f"{UNRESOLVED} (") == len(missing)


def test_each_reason_has_its_own_mark_and_the_legend_spells_it_out(report):
    from fastkern._report.numbers import FULL_LEGEND, LEGEND, REASON_MARKS

    assert len(set(REASON_MARKS.values())) == len(REASON_MARKS)
    for reason, mark in REASON_MARKS.items():
        assert unresolved(reason) == f"{UNRESOLVED} {mark}"
        assert f"{mark} {reason}" in FULL_LEGEND
    assert unresolved("a reason of its own") == f"{UNRESOLVED} (a reason of its own)"
    text = rendered(report)
    assert " ".join(LEGEND.split()) in text
    for reason, mark in REASON_MARKS.items():
        assert (f"{mark} {reason}" in text) == (f"{UNRESOLVED} {mark}" in text), \
            "the legend spells out the marks the tables use, and only those"


def finding(report, subject):
    return next(f.text for f in findings.findings(report) if f.subject == subject)


def gil_finding(report):
    return finding(report, "GIL")


def test_every_number_in_the_findings_appears_in_a_table(report, repeated):
    for found in (report, repeated):
        assert check.problems(found) == []


def test_a_busy_machine_is_said_and_the_gil_is_told_from_runnable_threads(report):
    busy = dataclasses.replace(report, load=tuple(
        Load(entry.section, entry.seconds, 1.5) for entry in report.load))
    said = render.OTHERS_BUSY.format(cpus="1.5", busy=len(report.load), sections=len(report.load))
    assert said in " ".join(render.method(busy).plain.split())
    gil = gil_finding(busy)
    if report.machine.schedstat:
        assert "runnable at once" in gil and "Load" not in gil, "load does not cap runnable"
        assert findings.LOAD_NOTE.format(verb="caps", what="it", where=findings.EVERY_KERNEL) \
            in finding(busy, "processes")
    else:
        assert findings.NO_RUNNABLE in gil
    idle = dataclasses.replace(report, load=tuple(
        Load(entry.section, entry.seconds, 0.0) for entry in report.load))
    assert "Other programs" not in render.method(idle).plain
    assert "Load" not in finding(idle, "processes")


def test_without_schedstat_the_gil_falls_back_to_throughput(report):
    blind = dataclasses.replace(report, machine=dataclasses.replace(report.machine,
                                                                    schedstat=False))
    assert findings.NO_RUNNABLE in gil_finding(blind)
    assert "no /proc/self/task/<tid>/schedstat" in rendered(blind)


def test_every_load_section_is_measured(report):
    sections = [entry.section for entry in report.load]
    assert sections[:6] == [f"sum: {step}" for step in ("ladder", "per-call cost", "dispatch",
                                                       "threads", "processes", "event loop")]
    assert sections[-6:] == ["boundary", "memory", "garbage collection", "language features",
                             "sum: ladder again", "nbody: ladder again"]
    assert all(entry.seconds > 0 for entry in report.load)
    assert all(entry.reference > 0 for entry in report.load)
    assert all(entry.others is None or entry.others >= 0 for entry in report.load)


def test_repeat_pools_samples_and_keeps_each_figure_per_run(repeated):
    assert repeated.repeat == 2
    assert all(s.workers == (1, 2) for s in repeated.kernels[0].gil.threads), "sorted, once each"
    settings = repeated.settings
    ladder = [rung.time for rung in repeated.kernels[0].ladder]
    count = settings.ladder_passes
    assert all(len(rung.time.samples) == sum(len(p.samples) for p in rung.passes)
               for rung in repeated.kernels[0].ladder), "2 runs x the passes"
    passes = [t for rung in repeated.kernels[0].ladder for t in rung.passes]
    assert len(passes) == 2 * count
    assert all(len(t.samples) == 2 * settings.ladder_samples for t in passes)
    others = [t for t in repeated.timings() if t not in ladder and t not in passes]
    assert all(2 * settings.min_samples <= len(t.samples)
               <= 2 * max(settings.samples, settings.ladder_samples) for t in others)
    assert all(len(t.speeds) == len(t.samples) for t in ladder)
    keys = [entry.key for entry in repeated.spread]
    assert "sum(1000) | ladder | python" in keys
    assert all(len(entry.values) == 2 for entry in repeated.spread)
    assert "Run to run" in rendered(repeated)
    assert Report.from_json(repeated.to_json()) == repeated


def test_repeat_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="repeat"):
        fastkern.anatomy("sum", 10, repeat=0)


def test_pooling_concatenates_samples_and_takes_medians_of_other_numbers():
    first = summarize([1.0, 2.0, 3.0], loops=4, wall=[2.0])
    second = summarize([4.0, 5.0, 6.0], loops=8, wall=[4.0])
    pooled = pool([first, second])
    assert pooled.samples == (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert (pooled.median, pooled.loops, pooled.wall) == (3.5, 4, 3.0)
    assert pool([(1, "a", 2.0), (3, "b", 4.0)]) == (1, "a", 3.0)


def test_the_size_grid():
    assert inputs.grid(1, 1000) == [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
    assert inputs.grid(3, 40) == [5, 10, 20]
    assert (inputs.snap(3000), inputs.snap(4000), inputs.snap(0.2)) == (2000, 5000, 1)
    assert inputs.grid_size("sum", 3100) == 2000
    assert inputs.grid_size("mandelbrot", 40000) == 224, "work 50k, the nearest grid point"
    assert inputs.grid_size("fannkuch", 400_000) == 9, "9! = 362,880 is nearer than 10!"
    assert inputs.snap(3000, anchor=1000) == 1000 and inputs.snap(4000, anchor=1000) == 10000
    assert inputs.snap(0.5, anchor=20) == pytest.approx(0.2)
    assert inputs.fit_sizes("sum", 20000, 5) == [1, 10, 200, 5000, 20000]
    assert inputs.fit_sizes("sum", 20000, 5) == inputs.fit_sizes("sum", 20000, 5)
    assert inputs.fit_sizes("sum", 2, 5) == [1, 2]


def test_fit_sizes_reach_100_times_the_per_call_cost_in_work():
    per_unit, fixed = 1e-10, 1e-7
    assert costs.largest_size("sum", 2000, fixed, fixed + 1999 * per_unit) == 100_000
    assert costs.largest_size("sum", 2000, fixed, fixed + 1999 * 1e-8) == 2000
    assert costs.largest_size("sum", 2000, fixed, fixed / 2) == 2000
    # ... but no call much longer than the longest allowed (the size is snapped to the work
    # grid, whose steps are at most 2.5x): 100,000 elements would take 10 us
    capped = costs.largest_size("sum", 2000, fixed, fixed + 1999 * per_unit, longest=4e-6)
    assert 2000 < capped < 100_000 and fixed + (capped - 1) * per_unit <= 2.5 * 4e-6
    assert costs.largest_size("sum", 2000, fixed, fixed + 1999 * per_unit, longest=1e-9) == 2000


def test_a_repeated_run_fits_over_its_first_runs_sizes():
    timer = Timer(dataclasses.replace(Settings.for_mode(True), min_time=1e-4, samples=2))
    at_size = timer.time(raw_call("sum", "python", 2000))
    fitted, = costs.measure("sum", 2000, {"python": at_size}, timer, 3,
                            chosen={"python": (1, 50, 2000)})
    assert fitted.sizes == (1, 50, 2000) and fitted.work == (1, 50, 2000)
    assert fitted.times[2] is at_size, "the ladder's timing at the size is reused"
    assert all(len(t.samples) == 2 for t in fitted.times[:2])


def test_sizes_from_measures_at_a_saved_reports_sizes(report, tmp_path, monkeypatch, capsys):
    from fastkern._anatomy import run

    saved = tmp_path / "a.json"
    saved.write_text(report.to_json())
    asked = {}

    def anatomy_all(kernels, sizes=None, **options):
        asked.update(kernels=kernels, sizes=sizes)
        return report

    monkeypatch.setattr(run, "anatomy_all", anatomy_all)
    assert cli.main(["anatomy", "sum", "fib", "--quick", "--sizes-from", str(saved)]) == 0
    assert asked == {"kernels": ["sum", "fib"], "sizes": {"sum": 2000}}
    capsys.readouterr()
    assert cli.main(["anatomy", "sum", "--size", "5", "--sizes-from", str(saved)]) == 2
    assert "not both" in capsys.readouterr().err
    assert cli.main(["anatomy", "sum", "--sizes-from", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_estimates_never_claim_more_than_their_interval(report):
    for figure in figures.figures(report):
        estimate = figure.estimate
        assert estimate.low <= estimate.high
        if (figure.unit == FRACTION and estimate.resolved and "scaling" not in figure.section
                and "share of python's time" not in figure.section):  # parts: signed
            assert 0 <= estimate.low and estimate.high <= 1
    for kernel in report.kernels:
        for part in derive.parts(kernel):  # signed: a step may add time (see derive.parts)
            assert part.share.resolved == (-1 <= part.share.low and part.share.high <= 1)


@pytest.mark.parametrize("kernel", ["sum", "mandelbrot", "fib", "spectral_norm", "fannkuch"])
def test_chosen_sizes_repeat_within_3x_of_the_reference_speed(kernel, monkeypatch):
    """A fake clock makes a call take the reference time per unit of work times a factor:
    within ~3x of it (10**0.5) the reference size is chosen, 5x faster the decade above."""
    from fastkern._kernels import KERNELS

    entry = KERNELS[kernel]
    per_unit = inputs.REFERENCE_TIME / entry.work(entry.reference_size)
    now = [0.0]

    def fake_call(kernel_name, backend, size, *rest, **options):
        def call():
            now[0] += entry.work(size) * per_unit * speed[0]
        return call

    monkeypatch.setattr(inputs, "raw_call", fake_call)
    chosen = set()
    for factor in (0.4, 0.8, 1.0, 1.25, 2.5):
        speed = [factor]
        chosen.add(inputs.choose_size(kernel, inputs.REFERENCE_TIME, "python", lambda: now[0]))
    assert chosen == {entry.reference_size}
    speed = [0.2]
    faster = inputs.choose_size(kernel, inputs.REFERENCE_TIME, "python", lambda: now[0])
    reference = entry.work(entry.reference_size)
    assert faster == inputs.grid_size(kernel, 10 * reference, anchor=reference) > entry.reference_size


def contended_variant(report, efficiency, running=2.0):
    """``report`` with only c's threads, 2 runnable at once and ``running`` of them on a CPU,
    at ``efficiency``."""
    def scaled(scaling):
        one = (1.0, 1.0, 1.0)
        both = tuple(1.0 / efficiency for _ in one)
        on_cpu = tuple(running * b for b in both)
        return dataclasses.replace(scaling, workers=(1, 2), calls=(1, 2),
                                   walls=(summarize(list(one)), summarize(list(both))),
                                   reference=summarize(list(one)), total=1,
                                   runnable=(summarize(list(one)),
                                             summarize([2 * b for b in both])),
                                   on_cpu=(summarize(list(one)), summarize(list(on_cpu))))
    kernels = tuple(dataclasses.replace(k, gil=dataclasses.replace(
        k.gil, threads=tuple(scaled(s) for s in k.gil.threads if s.label == "c"))) if k.gil else k
        for k in report.kernels)
    idle = tuple(Load(entry.section, entry.seconds, 0.0) for entry in report.load)
    return dataclasses.replace(report, kernels=kernels, load=idle)


@pytest.mark.parametrize("gil_disabled", [False, True])
def test_threads_on_cpus_at_once_that_slowed_each_other_are_said(report, gil_disabled):
    machine = dataclasses.replace(report.machine, gil_disabled=gil_disabled, schedstat=True)
    contended = dataclasses.replace(contended_variant(report, 0.5), machine=machine)
    gil = gil_finding(contended)
    assert findings.SLOWED.format(reached="c reached 50%", workers=2) in gil
    assert ("atomic reference counts" in gil) == gil_disabled
    assert "50%" in tables(contended)
    for scaled in (contended_variant(report, 0.95), contended_variant(report, 0.5, running=1.0)):
        scaled = dataclasses.replace(scaled, machine=machine)
        assert "c reached" not in gil_finding(scaled)


def with_references(report, *readings):
    return dataclasses.replace(report, load=tuple(
        Load(entry.section, entry.seconds, 0.0, readings[i % len(readings)])
        for i, entry in enumerate(report.load)))


def test_a_machine_whose_own_speed_moved_is_said_with_the_figures(report):
    moved = with_references(report, 0.004, 0.0072, 0.005)
    said = [line for line in render.method(moved).plain.splitlines()
            if line.startswith("The machine's own speed moved")]
    moved_by = render.SPEED_RANGE.format(least="4 ms", largest="7.2 ms", ratio="1.8x")
    assert len(said) == 1 and moved_by in " ".join(render.method(moved).plain.split())
    assert moved_by in tables(moved)
    assert check.problems(moved) == []
    steady_run = with_references(report, 0.004, 0.0041)
    assert "own speed moved" not in render.method(steady_run).plain
    assert "took 4 ms to 4.1 ms" in tables(steady_run)
    assert derive.speed_range([None, 0.004]) is None and not derive.unsteady([0.004, None])


def test_the_speed_reading_keeps_the_least_of_its_timings():
    from fastkern._anatomy import steady

    ticks = iter([0.0, 3.0, 3.0, 5.0, 5.0, 9.0])
    assert steady.reading(lambda: next(ticks), work=lambda: None, repeats=3) == 2.0
    assert steady.fixed_work(4) == 0 + 1 + 4 + 9


def test_sections_and_rounds_read_the_speed_with_one_probe_and_say_so(report):
    """The load table's readings come from the timer's own probe, so the load table and the
    summary speak of the same work, in the same words."""
    from fastkern._anatomy.formatting import probe_work
    from fastkern._anatomy.load import Meter
    from fastkern._anatomy.run import _Sections

    readings = iter([0.25, 0.5])
    sections = _Sections(None, 2, Meter(), lambda: next(readings))
    for label in ("ladder", "threads", "done"):
        sections.step(label)
    assert [(entry.section, entry.reference) for entry in sections.loads] == [
        ("ladder", 0.25), ("threads", 0.5)]
    work = probe_work(report.settings.speed_loops)
    assert f"{report.settings.speed_loops // 3:,} loop steps" in work
    moved = with_references(report, 0.004, 0.0072)
    said = render.method(moved, explain=True).plain
    text = " ".join(tables(moved).split())
    assert work in said and f"The machine's own speed: {work}" in text


def test_the_ladder_pools_its_passes_and_says_which_rung_moved(report):
    kernel = report.kernels[0]
    assert report.settings.ladder_passes == 3
    assert all(k.passes.count == 3 and k.passes.apart > 0 for k in report.kernels)
    assert all(len(rung.passes) == 3 for k in report.kernels for rung in k.ladder)
    c = kernel.rung("c")
    second = summarize([max(c.passes[0].samples) * 1.2] * len(c.passes[0].samples))
    moved = dataclasses.replace(c, passes=(c.passes[0], second))
    changed = dataclasses.replace(report, kernels=(dataclasses.replace(kernel, ladder=tuple(
        moved if rung.backend == "c" else rung for rung in kernel.ladder)),
        *report.kernels[1:]))
    change = second.median / c.passes[0].median - 1
    sentence = next(line for line in render.method(changed, explain=True).plain.splitlines()
                    if "moved between passes" in line)
    assert f"c sum {ratio(1 + change)}" in sentence
    brief = render.method(changed).plain
    assert "moved between passes" not in brief and render.MOVED_MARK in brief
    assert f"passes {ratio(1 + change)}" in tables(changed)
    assert check.problems(changed) == []


def test_the_later_passes_run_in_fresh_interpreters_and_say_so(report):
    assert all(k.passes.fresh == 2 and k.passes.why_not_fresh is None for k in report.kernels)
    settings = report.settings
    for rung in report.kernels[0].ladder:
        first, *later = rung.passes
        assert [len(t.samples) for t in rung.passes] == [settings.ladder_samples] * 3
        assert all(len(t.speeds) == settings.ladder_samples for t in later), \
            "each child read its own speed"
    assert f"({render.FRESH})" in " ".join(tables(report).split())


def _quick_sum(**changes):
    changes.setdefault("settings", THREE)
    return fastkern.anatomy("sum", 100, backends=["python", "c"], threads=(1,), shared=False,
                            **changes)


def test_a_later_pass_that_cannot_start_fresh_runs_here_and_says_why(monkeypatch):
    from fastkern._anatomy import fresh

    def failing(*args, **kwargs):
        raise fresh.FreshError("ModuleNotFoundError: No module named 'fastkern'")

    monkeypatch.setattr(fresh.Interpreter, "measure", failing)
    found = _quick_sum()
    kernel = found.kernels[0]
    assert kernel.passes.fresh == 0 and kernel.passes.why_not_fresh == (
        "the fresh interpreter failed: ModuleNotFoundError: No module named 'fastkern'")
    assert all(len(rung.passes) == 3 for rung in kernel.ladder)
    assert render.IN_PROCESS.format(kernels="sum", why="the fresh interpreter failed") in \
        " ".join(tables(found).split())


def test_later_passes_stay_here_when_told_or_given_other_clocks():
    from fastkern._anatomy import timing

    off = _quick_sum(settings=dataclasses.replace(THREE, ladder_fresh=False))
    assert off.kernels[0].passes.why_not_fresh == "settings.ladder_fresh is off"
    own = _quick_sum(clock=lambda: timing.THREAD_CPU())
    assert own.kernels[0].passes.why_not_fresh == "the run was given its own clocks"


def test_a_later_pass_that_fails_alone_is_counted(monkeypatch):
    from fastkern._anatomy import fresh

    measure, calls = fresh.Interpreter.measure, []

    def second_fails(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise fresh.FreshError("killed")
        return measure(self, *args, **kwargs)

    monkeypatch.setattr(fresh.Interpreter, "measure", second_fails)
    kernel = _quick_sum().kernels[0]
    assert len(calls) == 2
    assert kernel.passes.fresh == 1
    assert kernel.passes.why_not_fresh == "the fresh interpreter failed: killed"
    assert all(len(rung.passes) == 3 for rung in kernel.ladder)


@pytest.mark.parametrize("count", [0, -1, 2.0, True, "3"])
@pytest.mark.parametrize("name", ["ladder_passes", "ladder_min_passes"])
def test_ladder_passes_must_be_a_positive_integer(count, name):
    bad = dataclasses.replace(Settings.for_mode(True), **{name: count})
    with pytest.raises(ValueError, match=re.escape(f"{name} must be a positive integer, got {count!r}")):
        _quick_sum(settings=bad)


def test_without_later_passes_the_ladder_is_timed_once():
    quick = dataclasses.replace(Settings.for_mode(True), ladder_passes=1)
    found = fastkern.anatomy("sum", 100, backends=["python", "c"], threads=(1,), quick=True,
                             shared=False, settings=quick)
    assert all(len(rung.passes) == 1 for rung in found.kernels[0].ladder)
    assert found.kernels[0].passes.count == 1
    assert "ladder again" not in [entry.section.split(": ")[-1] for entry in found.load]
    assert not render.passes_timed(found)
    assert "pools" not in tables(found)


@pytest.mark.parametrize("settled, passes", [(True, 2), (False, 4)])
def test_later_passes_go_on_only_while_a_rung_has_not_settled(monkeypatch, settled, passes):
    from fastkern._anatomy import ladder

    monkeypatch.setattr(ladder, "settled", lambda kernel: settled)
    how = dataclasses.replace(Settings.for_mode(True), ladder_passes=4, ladder_min_passes=2,
                              ladder_fresh=False)
    kernel = _quick_sum(settings=how).kernels[0]
    assert kernel.passes.count == passes
    for rung in kernel.ladder:
        assert len(rung.passes) == passes
        assert len({timing.loops for timing in rung.passes}) == 1, "one loop count a rung"


def test_a_rung_is_settled_when_its_pooled_spread_is_tight_and_no_pass_moved():
    from fastkern._anatomy import ladder
    from fastkern._anatomy.model import KernelReport, Rung

    def kernel(*passes):
        timings = [summarize(list(samples)) for samples in passes]
        return KernelReport("sum", 8, "element", 8, (Rung("c", pool(timings), tuple(timings)),),
                            (), (), None, ())

    assert ladder.settled(kernel((1.0, 1.001, 0.999), (1.0, 1.002, 0.998)))
    assert not ladder.settled(kernel((1.0, 1.001, 0.999), (1.2, 1.21, 1.19))), "moved"
    assert not ladder.settled(kernel((1.0, 1.1, 0.9), (1.0, 1.1, 0.9))), "spread out"
