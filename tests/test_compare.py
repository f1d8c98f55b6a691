"""``fastkern compare``: the test that calls a figure changed, what it prints first, its JSON.

Verdicts are checked on hand-made rounds and on reports whose timings are drawn from a
seeded random distribution; a real quick run only supplies the reports' shape (which
figures exist). No test here asserts the sign or size of a real timing.
"""

import dataclasses
import importlib.util
import io
import json
import math
import random
from pathlib import Path

import pytest
from rich.console import Console

import fastkern
from fastkern import __main__ as cli
from fastkern._anatomy import figures
from fastkern._report import compare, saved
from fastkern._report.compare import (FASTER, FEW, LARGER, MISSING, NO_CHANGE, SLOWER, SMALLER,
                                       UNRESOLVED, WITHIN, Noise, judge)
from fastkern._report.estimate import Estimate
from fastkern._report.figure import FRACTION, RATIO, SECONDS, Figure, pooled_noise
from fastkern._report.figure import CPU, UNTIMED
from fastkern._report.estimate import quartiles
from fastkern._anatomy.model import Timing, map_timings
from fastkern._report.figure import BYTES

#: The machine's speed reading in every round of a synthetic report (seconds of fixed work).
STEADY = 1e-4
RATES = Path(__file__).resolve().parent.parent / "benchmarks" / "compare_rates.py"


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy("sum", 2000, backends=["python", "c"], threads=(1, 2), quick=True)


def figure(rounds, unit=SECONDS, passes=1, clock=CPU, reason=None):
    """A figure whose value and interval are its rounds' median and quartiles."""
    low, value, high = quartiles(sorted(rounds))
    return Figure("k(1)", "section", "label", unit, clock,
                  Estimate(value, low, high, reason, tuple(rounds)), passes)


def jittered(value, count, spread, seed):
    """``count`` rounds about ``value``, each off by a factor within ±``spread``."""
    rng = random.Random(seed)
    return [value * (1 + rng.uniform(-spread, spread)) for _ in range(count)]


def synthetic(report, seed, factor=1.0, spread=0.03):
    """``report`` with every timing's samples drawn anew: its median times ``factor``, each
    sample off by a lognormal factor of sd ``spread`` (seeded: the same each run); the
    ladder's passes all about their rung's median and the machine's speed the same in
    every round, as in a run on a steady machine."""
    rng = random.Random(seed)

    def draw(timing: Timing) -> Timing:
        samples = tuple(timing.median * factor * math.exp(rng.gauss(0, spread))
                        for _ in timing.samples)
        low, median, high = quartiles(sorted(samples))
        return dataclasses.replace(timing, samples=samples, median=median, iqr=high - low,
                                   speeds=(STEADY,) * len(samples) if timing.speeds else ())

    steady = dataclasses.replace(report, kernels=tuple(
        dataclasses.replace(kernel, ladder=tuple(
            dataclasses.replace(rung, passes=tuple(dataclasses.replace(p, median=rung.time.median)
                                                   for p in rung.passes))
            for rung in kernel.ladder))
        for kernel in report.kernels))
    return map_timings(steady, draw)


# The test's arithmetic


def test_student_p_matches_tables():
    for t, df in ((2.447, 6), (2.228, 10), (4.303, 2), (1.960, 1e7)):
        assert compare.student_p(t, df) == pytest.approx(0.05, abs=2e-4)
    assert compare.student_p(0.0, 5) == 1.0
    assert compare.student_p(-2.447, 6) == compare.student_p(2.447, 6)
    assert compare.student_p(50.0, 3) < 1e-4


def test_welch_adds_each_runs_noise_to_its_rounds():
    first, other = [1.0, 1.1, 0.9, 1.05], [1.3, 1.4, 1.2, 1.35]
    p, df = compare.welch(first, other)
    assert p < 0.01 and 3 <= df <= 6
    noisy, more = compare.welch(first, other, 0.05, 0.05, 10, 10)
    assert noisy > p and more > df
    assert compare.welch([1.0, 1.0], [1.0, 1.0]) == (1.0, math.inf)
    assert compare.welch([1.0, 1.0], [2.0, 2.0])[0] == 0.0


def test_identical_rounds_are_no_change():
    rounds = jittered(1e-3, 15, 0.05, 1)
    judged = judge(figure(rounds), figure(rounds))
    assert (judged.verdict, judged.ratio, judged.p) == (NO_CHANGE, 1.0, 1.0)


def test_rounds_25_percent_apart_are_a_change_named_by_its_direction():
    before = figure(jittered(1e-3, 10, 0.03, 1))
    after = figure(jittered(1.25e-3, 10, 0.03, 2))
    judged = judge(before, after)
    assert judged.verdict == SLOWER and judged.changed and judged.p < 0.001
    assert judged.ratio == pytest.approx(1.25, rel=0.05)
    assert judge(after, before).verdict == FASTER
    as_ratio = [figure(f.rounds, unit=RATIO) for f in (before, after)]
    assert judge(*as_ratio).verdict == LARGER and judge(*reversed(as_ratio)).verdict == SMALLER


def test_a_difference_below_the_minimum_effect_is_no_change_however_sure():
    before, after = figure(jittered(1.0, 30, 0.001, 1)), figure(jittered(1.05, 30, 0.001, 2))
    judged = judge(before, after)
    assert judged.p < 1e-6 and judged.verdict == NO_CHANGE
    # the minimum effect is symmetric: 1/1.1 is as far as 1.1
    assert judge(figure([1.0, 1.0, 1.0]), figure([1 / 1.12] * 3)).verdict == FASTER
    assert judge(figure([1.0, 1.0, 1.0]), figure([1 / 1.08] * 3)).verdict == NO_CHANGE


def test_figures_in_percent_change_by_points():
    before = figure(jittered(0.50, 10, 0.01, 1), unit=FRACTION)
    assert judge(before, figure(jittered(0.53, 10, 0.01, 2), unit=FRACTION)).verdict == NO_CHANGE
    judged = judge(before, figure(jittered(0.60, 10, 0.01, 2), unit=FRACTION))
    assert judged.verdict == LARGER and judged.scale == "value"
    assert judged.difference == pytest.approx(0.10, abs=0.02)


def test_too_few_rounds_are_said_not_flagged():
    assert judge(figure([1.0]), figure([2.0])).verdict == FEW
    assert judge(figure([1.0, 1.01]), figure([2.0])).verdict == FEW
    assert not judge(figure([1.0]), figure([2.0])).changed


def test_a_difference_lost_in_the_rounds_spread_is_within_noise():
    before, after = figure([1.0, 0.5, 1.6, 0.8]), figure([1.3, 0.6, 2.0, 1.1])
    judged = judge(before, after)
    assert judged.verdict == WITHIN and not judged.changed and judged.p >= compare.ALPHA


def test_run_to_run_noise_keeps_a_run_s_drift_from_being_called_a_change():
    before, after = figure(jittered(1.0, 5, 0.01, 1)), figure(jittered(1.25, 5, 0.01, 2))
    assert judge(before, after).verdict == SLOWER
    drifting = Noise(math.log(1.3) ** 2, 12)
    assert judge(before, after, drifting, drifting).verdict == WITHIN
    # rounds spread over several passes carry the noise divided among them
    spread = [dataclasses.replace(f, passes=7) for f in (before, after)]
    steady = Noise(math.log(1.08) ** 2, 12)
    assert judge(*spread, steady, steady).verdict == SLOWER


def at_speed(found, speeds):
    """``found`` with its rounds taken relative to the machine's speed in each round."""
    return dataclasses.replace(found, relative=tuple(r / s for r, s in zip(found.rounds, speeds)))


def test_a_machine_that_ran_slower_is_not_a_slower_program():
    speeds = jittered(STEADY, 10, 0.01, 3)
    before = at_speed(figure(jittered(1e-3, 10, 0.01, 1)), speeds)
    slow = [s * 1.5 for s in speeds]
    after = at_speed(figure([r * 1.5 for r in before.rounds]), slow)
    assert judge(dataclasses.replace(before, relative=()),
                 dataclasses.replace(after, relative=())).verdict == SLOWER
    judged = judge(before, after)
    assert judged.verdict == NO_CHANGE and not judged.changed
    assert judged.ratio == pytest.approx(1.5) and judged.at_speed == pytest.approx(1.0)


def test_a_slower_program_on_a_steady_machine_is_slower_at_speed():
    speeds = jittered(STEADY, 10, 0.01, 3)
    before = at_speed(figure(jittered(1e-3, 10, 0.02, 1)), speeds)
    after = at_speed(figure(jittered(1.25e-3, 10, 0.02, 2)), speeds)
    judged = judge(before, after, Noise(0.0, 0, Noise(0.02 ** 2, 20)),
                   Noise(0.0, 0, Noise(0.02 ** 2, 20)))
    assert judged.verdict == SLOWER and judged.at_speed == pytest.approx(1.25, rel=0.05)
    # the speed-relative noise is the one added to speed-relative rounds
    drifting = Noise(0.0, 0, Noise(math.log(1.3) ** 2, 12))
    assert judge(before, after, drifting, drifting).verdict == WITHIN


def test_a_slower_program_on_a_machine_that_ran_faster_is_still_slower():
    before = at_speed(figure(jittered(1e-3, 10, 0.01, 1)), [STEADY] * 10)
    after = at_speed(figure(jittered(1e-3, 10, 0.01, 2)), [STEADY * 0.8] * 10)
    judged = judge(before, after)
    assert judged.verdict == SLOWER and judged.at_speed == pytest.approx(1.25, rel=0.03)
    assert judged.ratio == pytest.approx(1.0, rel=0.03)
    assert judge(after, before).verdict == FASTER


def test_typical_noise_is_not_inflated_by_a_few_slow_figures():
    steady = [[1.0, 1.0 * math.exp(0.02 * (-1) ** i)] for i in range(20)]
    slow = [[1.0, 1.8], [1.0, 0.6]]
    pooled = pooled_noise(steady + slow)
    typical = pooled_noise(steady + slow, typical=True)
    assert pooled.df == typical.df == 22
    assert typical.variance < 0.05 * pooled.variance
    assert typical.spread == pytest.approx(0.02 / math.sqrt(2) / (1 - 2 / 9) ** 1.5, rel=0.05)


def test_exact_figures_compare_by_their_printed_value():
    def counted(value):
        return figure([value], unit=BYTES, clock=UNTIMED)

    assert judge(counted(32.0001), counted(32.0003)).verdict == NO_CHANGE
    assert judge(counted(32.0), counted(31.9)).verdict == NO_CHANGE, "below the minimum effect"
    assert judge(counted(32.0), counted(48.0)).verdict == LARGER
    assert judge(counted(48.0), counted(32.0)).verdict == SMALLER


def test_missing_and_unresolved_figures():
    known = figure([1.0, 1.1, 0.9])
    assert judge(known, None).verdict == MISSING and judge(None, known).verdict == MISSING
    unknown = figure([1.0, 1.1, 0.9], reason="within noise of 0")
    assert judge(known, unknown).verdict == UNRESOLVED
    assert judge(known, unknown).ratio is None


# Reports: run-to-run noise, false alarms and detection on seeded synthetic reports


def test_run_noise_is_the_spread_of_the_ladder_passes(report):
    noise = report.noise()
    passes = [len(rung.passes) for rung in report.kernels[0].ladder]
    assert noise.df == sum(count - 1 for count in passes if count >= 2)
    assert noise.known == (noise.df > 0) and noise.variance >= 0
    one_pass = dataclasses.replace(report, kernels=tuple(
        dataclasses.replace(k, ladder=tuple(dataclasses.replace(r, passes=()) for r in k.ladder))
        for k in report.kernels))
    assert not one_pass.noise().known
    notes = compare.noise_notes([report, one_pass], ["a.json", "b.json"])
    assert any("b.json was measured in one pass" in note for note in notes)


def test_times_carry_rounds_relative_to_the_machine_s_speed(report):
    assert figures.speed_read(report) and report.noise().relative.known
    relative = [f for f in figures.figures(report) if f.relative]
    assert {f.section for f in relative} >= {"ladder", "speedup over python", "per call"}
    for found in relative:
        assert found.clock == CPU and found.unit in (SECONDS, RATIO)
        assert len(found.relative) == len(found.rounds), found.key
    unread = map_timings(report, lambda t: dataclasses.replace(t, speeds=()))
    assert not any(f.relative for f in figures.figures(unread))
    assert unread.noise().relative is None


def test_every_figure_carries_its_rounds(report):
    for found in figures.figures(report):
        assert found.rounds, found.key
        if found.estimate.resolved and found.unit != FRACTION and "share" not in found.section \
                and found.section not in ("per call",) and not found.section.startswith("per "):
            # a figure's rounds are the values its median was taken over
            assert min(found.rounds) - 1e-12 <= found.estimate.value \
                <= max(found.rounds) + 1e-12, found.key
    ladder = [f for f in figures.figures(report) if f.section == "ladder"]
    assert all(f.passes == len(report.kernels[0].rung(f.label).passes) for f in ladder)


def test_two_reports_from_one_distribution_are_rarely_called_changed(report):
    found = compare.rows([synthetic(report, 1), synthetic(report, 2)])
    flagged = [row.key for row in found if row.changed(1)]
    assert len(flagged) <= 0.05 * len(found), flagged


def test_a_25_percent_slowdown_is_called_slower_where_it_moves_a_figure(report):
    before, after = synthetic(report, 1), synthetic(report, 2, factor=1.25)
    # figures the slowdown moves, among those whose rounds are precise (a difference of two
    # close timings, as dispatch adds, spreads far wider than either)
    moved = [row for row in compare.rows([before, after])
             if row.ratio(1) is not None and abs(math.log(row.ratio(1))) >= math.log(1.2)
             and len(row.found[0].rounds) >= 2 and all(_precise(f) for f in row.found)]
    assert len(moved) >= 5
    called = [row for row in moved if row.changed(1)]
    assert len(called) >= 0.95 * len(moved), [(r.key, r.judged(1)) for r in moved
                                              if not r.changed(1)]
    assert all(row.verdict(1) in (SLOWER, SMALLER, LARGER) for row in called)
    assert compare.rows([before, after])[0].verdict(1) == SLOWER  # the python rung


def _precise(found: Figure) -> bool:
    """Whether the figure's rounds spread (interquartile range) less than 10% of its value."""
    low, value, high = quartiles(sorted(found.rounds))
    return value > 0 and high - low < 0.1 * value


def test_the_rates_script_measures_both_rates(report):
    spec = importlib.util.spec_from_file_location("compare_rates", RATES)
    rates = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rates)
    pairs = [(synthetic(report, 2 * i), synthetic(report, 2 * i + 1)) for i in range(2)]
    found = rates.rates(pairs, 1.25)
    assert found["figures"] > 0 and found["alarms"] <= 0.05 * found["figures"]
    hit, total = found["own"]
    assert total > 0 and hit >= 0.8 * total
    threshold, share = found["ceiling"]["ladder"]
    assert 0 <= threshold < 0.2 and share == 1.0, "steady synthetic runs: every scaled row"
    assert rates.ceiling([0.0] * 19 + [0.5], 1.25) == (0.0, 1.0)


# Lining reports up, and the command


def test_compare_lines_figures_up(report):
    slower = dataclasses.replace(report, kernels=tuple(
        dataclasses.replace(kernel, ladder=tuple(
            dataclasses.replace(rung, time=_scaled(rung.time, 3.0)) if rung.backend == "python"
            else rung for rung in kernel.ladder)) for kernel in report.kernels))
    rows = {row.key: row for row in compare.rows([report, slower])}
    assert rows["sum(2000) | ladder | python"].ratio(1) == pytest.approx(3.0)
    listed = rows["memory | bytes per element | list of floats"]
    assert listed.ratio(1) == 1.0 and listed.verdict(1) == NO_CHANGE
    assert compare.shown(listed.found[0]) == f"{report.memory.list_bytes:.3g} B"
    same = rows["sum(2000) | ladder | c"]
    assert (same.ratio(1), same.verdict(1)) == (1.0, NO_CHANGE)


def test_compare_says_which_kernels_were_measured_at_other_sizes(report):
    resized = dataclasses.replace(report, kernels=tuple(
        dataclasses.replace(k, size=k.size * 10) if k.kernel == "sum" else k
        for k in report.kernels))
    notes = compare.size_mismatches([report, resized], ["a.json", "b.json"])
    assert notes == ["sum was measured at different sizes (2000 in a.json, 20000 in b.json), "
                     "so its figures are listed apart: measure again with --sizes-from a.json "
                     "to line them up."]
    assert compare.size_mismatches([report, report], ["a.json", "b.json"]) == []
    out = io.StringIO()
    compare.render([report, resized], ["a.json", "b.json"], Console(file=out, width=300))
    assert "--sizes-from a.json" in out.getvalue()
    assert compare.rows([report, resized])[0].verdict(1) == MISSING


def test_render_opens_with_what_changed(report):
    before, after = synthetic(report, 1), synthetic(report, 2, factor=1.25)
    out = io.StringIO()
    compare.render([before, after], ["a.json", "b.json"], Console(file=out, width=300))
    text = out.getvalue()
    changed = sum(row.changed(1) for row in compare.rows([before, after]))
    assert text.startswith(f"b.json against a.json: {changed} of ")
    assert text.index("What changed") < text.index("Every figure compared with a.json")
    out = io.StringIO()
    compare.render([before, before], ["a.json", "b.json"], Console(file=out, width=300))
    assert out.getvalue().startswith("b.json against a.json: no figure of ")
    assert "What changed" not in out.getvalue()


def _scaled(timing: Timing, factor: float) -> Timing:
    return dataclasses.replace(timing, samples=tuple(s * factor for s in timing.samples),
                               median=timing.median * factor, iqr=timing.iqr * factor)


def test_compare_command(report, tmp_path, capsys):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(synthetic(report, 1).to_json())
    second.write_text(synthetic(report, 2, factor=1.25).to_json())
    assert cli.main(["compare", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("b.json against a.json: ") and " figures changed (" in out
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something else"}))
    for args, message in ((["compare", str(first), str(other)], "not a fastkern report (format"),
                          (["compare", str(first)], "at least two"),
                          (["compare", str(first), str(second), "--json", str(second)],
                           "would overwrite")):
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1


def test_compare_json(report, tmp_path, capsys):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(synthetic(report, 1).to_json())
    second.write_text(synthetic(report, 2, factor=1.25).to_json())
    assert cli.main(["compare", str(first), str(second), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "fastkern-comparison" and data["reports"] == ["a.json", "b.json"]
    assert data["rule"]["min_effect"] == compare.MIN_EFFECT
    assert data["rule"]["alpha"] == compare.ALPHA
    python = next(f for f in data["figures"] if f["key"] == "sum(2000) | ladder | python")
    assert len(python["values"]) == 2 and python["rounds"][0] >= 2
    (against,) = python["compared"]
    assert against["report"] == "b.json" and against["verdict"] == SLOWER and against["changed"]
    assert 0 <= against["p"] < compare.ALPHA and against["ratio"] > 1
    summary, = data["summary"]
    assert summary["changed"] == sum(f["compared"][0]["changed"] for f in data["figures"])
    assert sum(summary["verdicts"].values()) == summary["figures"] == len(data["figures"])
    saved = tmp_path / "comparison.json"
    assert cli.main(["compare", str(first), str(second), "--json", str(saved)]) == 0
    assert "comparison saved to" in capsys.readouterr().out
    assert json.loads(saved.read_text())["figures"] == data["figures"]


def test_compare_plot_writes_a_png_of_the_largest_thread_count(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from fastkern._report import chart as charts

    report = fastkern.anatomy("sum", 1000, backends=["python", "c"], threads=(1, 2), quick=True,
                              shared=False)
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        path.write_text(report.to_json())
    chart = tmp_path / "compared.png"
    assert cli.main(["compare", *map(str, paths), "--plot", str(chart)]) == 0
    assert f"chart written to {chart}" in capsys.readouterr().out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = [row.key.split(" | ")[1] for row in charts._compared(compare.rows([report, report]))]
    assert "ladder" in drawn and "runnable at once T=2" in drawn
    assert not any(section.endswith("T=1") for section in drawn)
    assert not any(section in ("per call", "dispatch adds") for section in drawn)


def test_a_saved_report_is_read_back_by_the_class_its_format_names(report, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(report.to_json())
    assert saved.read(str(path)) == report
    with pytest.raises(ValueError, match="format 'fastkern-other'"):
        saved.loads('{"format": "fastkern-other"}')
    with pytest.raises(ValueError, match="nested too deeply"):
        saved.loads("[" * 100_000 + "]" * 100_000)


def test_a_run_on_a_slower_machine_shows_both_ratios_and_no_change(report):
    def slower(timing: Timing) -> Timing:
        if not timing.speeds:
            return timing
        return dataclasses.replace(_scaled(timing, 1.5),
                                   speeds=tuple(s * 1.5 for s in timing.speeds))

    before = synthetic(report, 1)
    after = map_timings(before, slower)
    row = next(r for r in compare.rows([before, after]) if r.key == "sum(2000) | ladder | python")
    judged = row.judged(1)
    assert judged.ratio == pytest.approx(1.5) and judged.at_speed == pytest.approx(1.0)
    assert judged.verdict == NO_CHANGE
    console = Console(file=io.StringIO(), width=200)
    compare.render([before, after], ["a.json", "b.json"], console)
    assert "1.5 (1 at equal speed)" in console.file.getvalue()
    data = compare.to_data([before, after], ["a.json", "b.json"])
    found = next(f for f in data["figures"] if f["key"] == row.key)["compared"][0]
    assert found["at_speed"] == pytest.approx(1.0) and found["verdict"] == NO_CHANGE
    assert data["noise"][0]["at_speed"]["df"] > 0


def test_the_comparison_chart_draws_the_ratio_the_verdict_is_drawn_from():
    from fastkern._report import chart

    before = at_speed(figure(jittered(1e-3, 10, 0.01, 1)), [STEADY] * 10)
    after = at_speed(figure(jittered(1e-3, 10, 0.01, 2)), [STEADY * 0.8] * 10)
    judged = judge(before, after)
    found, low, high = chart._drawn(before, after, judged)
    assert found == judged.at_speed and found == pytest.approx(1.25, rel=0.03)
    assert low <= found <= high
    raw = [dataclasses.replace(f, relative=()) for f in (before, after)]
    assert chart._drawn(*raw, judge(*raw))[0] == pytest.approx(1.0, rel=0.03)


def test_a_difference_of_close_timings_carries_their_noise_many_times_over():
    from fastkern._anatomy import derive

    assert derive.sensitivity(lambda t: t[0], [2.0]) == pytest.approx(1.0)
    assert derive.sensitivity(lambda t: t[0] - t[1], [1.0, 0.9]) == \
        pytest.approx(math.hypot(1.0, 0.9) / 0.1, rel=0.01)
    assert derive.sensitivity(lambda t: t[0] - t[1], [1.0, 1.0]) == derive.ALL_NOISE
    before, after = figure(jittered(1e-3, 10, 0.01, 1)), figure(jittered(1.3e-3, 10, 0.01, 2))
    noise = Noise(0.05 ** 2, 30)
    assert judge(before, after, noise, noise).verdict == SLOWER
    close = [dataclasses.replace(f, sensitivity=13.5) for f in (before, after)]
    assert judge(*close, noise, noise).verdict == WITHIN


def test_fitted_fixed_costs_and_dispatch_carry_their_sensitivity(report):
    from fastkern._anatomy import derive

    found = {f.key: f for f in report.figures()}
    (kernel,) = report.kernels
    for cost in kernel.costs:
        fixed, slope = derive.line_sensitivity(cost)
        assert found[f"sum(2000) | per call | {cost.backend}"].sensitivity == fixed
        assert found[f"sum(2000) | per element | {cost.backend}"].sensitivity == slope
    for cost in kernel.dispatch:
        d, r = cost.dispatched.median, cost.raw.median
        assert found[f"sum(2000) | dispatch adds | {cost.backend}"].sensitivity == \
            pytest.approx(math.hypot(d, r) / abs(d - r), rel=0.01)
    assert all(f.sensitivity == 1.0 for f in found.values() if f.section == "ladder")
