"""The service report as data: findings from its tables, JSON, compare, checker, chart."""

import dataclasses
import json
import subprocess
import sys

import pytest
from service_helpers import latencies, made_report, window

from fastkern._report import compare
from fastkern._service import check
from fastkern._service import findings as service_findings
from fastkern._service.figures import highest_served, ranking, ranks, verdicts
from fastkern._service.model import Scenario
from fastkern._service.report import FORMAT, ServiceReport


def test_findings_come_first_and_say_which_scenario_hurts_the_victim():
    text = made_report().render(120)
    assert text.startswith("Findings")
    first = text.splitlines()[1]
    assert "python as async def hurts /health most: p99 22.5x its baseline" in first
    assert "c as def least: 1.15x" in first
    assert text.index("Findings") < text.index("What the work did to /health")


def test_every_number_in_a_finding_is_in_a_table():
    assert made_report().problems() == []


def test_the_checker_names_a_number_no_table_shows(monkeypatch):
    made = made_report()
    wrong = [service_findings.Finding("victim", "python hurts /health: p99 99.9x its baseline")]
    monkeypatch.setattr(check, "findings", lambda report: wrong)
    assert made.problems() == ["finding 'victim': 99.9x is in no table"]


def test_the_checker_names_a_scenario_put_in_the_wrong_group(monkeypatch):
    made = made_report()
    wrong = [service_findings.Finding("victim", "x hurts: p99 1.15x its baseline; "
                                                "at least 2x in most rounds: c as def 1.15x"),
             service_findings.Finding("sweep", "highest rate served of those tried: c as def 50/s")]
    monkeypatch.setattr(check, "findings", lambda report: wrong)
    assert made.problems() == [
        "victim: c as def 1.15x does not fit 'at least 2x in most rounds' (its rounds 1.12x–1.18x)",
        "sweep: c as def 50/s is not its highest rate served"]


def test_a_ratio_whose_rounds_straddle_the_bound_is_not_resolved():
    text = made_report(blocked=(0.002, 0.004, 0.010, 0.001)).render(200)
    assert "not resolved (rounds on both sides): python as async def" in text


def test_the_sweep_stops_at_the_first_rate_not_served():
    made = made_report()
    assert highest_served(made, "c as def") == 100.0
    assert highest_served(made, "python as async def") is None


def test_a_rate_of_the_sweep_whose_rounds_straddle_the_bound_is_not_resolved():
    made = made_report(last=(0.020, 0.090, 0.060))
    assert verdicts(made, "c as def") == {50.0: "yes", 100.0: "yes", 200.0: "not resolved"}
    assert highest_served(made, "c as def") == 100.0
    text = made.render(250)
    assert ("the next rate not resolved (its rounds on both sides of the bounds): c as def."
            in text)
    assert "60 ms (40 ms–75 ms) │ not resolved" in text
    assert made.problems() == []
    sweep_figures = [f for f in made.figures() if f.section == "sweep c as def at 200 req/s"
                     and f.label == "/health p99"]
    assert [f.estimate.rounds for f in sweep_figures] == [(0.020, 0.090, 0.060)]


def test_a_generator_that_fell_behind_is_said_and_marked():
    text = made_report(behind=True).render(200)
    assert "the load generator fell behind in 3 of 21 windows" in text
    assert "python as async def (behind)" in text


def test_requests_that_failed_are_said(monkeypatch):
    made = made_report()
    broken = dataclasses.replace(made.windows[1], work=latencies(0.1, 50.0, answered=90))
    made = dataclasses.replace(made, windows=(made.windows[0], broken, *made.windows[2:]))
    text = made.render(200)
    assert ("requests failed or went unanswered (see 'work errors', 'completed' and '/health "
            "unanswered') in: python as async def.") in text
    assert made.problems() == []


def test_json_round_trip_and_figures():
    made = made_report()
    data = json.loads(made.to_json())
    assert data["format"] == FORMAT == ServiceReport.FORMAT and data["version"] == 1
    assert ServiceReport.from_json(made.to_json()) == made
    keys = [f.key for f in made.figures()]
    assert len(keys) == len(set(keys))
    ratio = next(f for f in made.figures()
                 if f.key == "fastkern kernels | python as async def | /health p99 over baseline")
    assert ratio.rounds == pytest.approx((20.0, 25.0, 22.5))
    assert made.noise().df == 6
    assert made.sizes()["kernels"] == {"mandelbrot": 50}


@pytest.mark.parametrize("text, why", [
    ("{", "not JSON"), ('{"format": "fastkern-anatomy"}', "no format 'fastkern-service'"),
    ('{"format": "fastkern-service", "version": 9}', "version 9"),
    ('{"format": "fastkern-service", "version": 1, "report": {}}', "lacks the field")])
def test_from_json_refuses_what_is_not_a_service_report(text, why):
    with pytest.raises(ValueError, match=why):
        ServiceReport.from_json(text)


def test_compare_lines_up_two_service_reports():
    rows = compare.rows([made_report(), made_report(blocked=(0.2, 0.25, 0.22))])
    row = next(r for r in rows if r.key.endswith("python as async def | /health p99 over baseline"))
    assert row.changed(1)


def test_draw_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "service.png"
    made_report().draw(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rendering_a_saved_service_report_loads_nothing_that_measures(tmp_path):
    saved = tmp_path / "service.json"
    saved.write_text(made_report().to_json())
    script = ("import sys\nfrom fastkern._service.report import ServiceReport\n"
              f"text = ServiceReport.from_json(open({str(saved)!r}).read()).render(100)\n"
              "assert text.startswith('Findings')\n"
              "print('MODULES', *sorted(sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    loaded = set(result.stdout.split("MODULES", 1)[1].split())
    measuring = {f"fastkern._service.{name}" for name in
                 ("run", "server", "generator", "app", "probes", "work", "procs")}
    assert not measuring & loaded
    assert not {"multiprocessing", "fastapi", "aiohttp", "uvicorn", "asyncio"} & loaded


def test_report_compare_and_plot_read_saved_service_reports(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from fastkern import __main__ as cli

    first, other = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(made_report().to_json())
    other.write_text(made_report(blocked=(0.2, 0.25, 0.22)).to_json())
    assert cli.main(["report", str(first), "--plot", str(tmp_path / "a.png")]) == 0
    assert capsys.readouterr().out.startswith("Findings\n- python as async def hurts /health")
    assert (tmp_path / "a.png").exists()
    assert cli.main(["compare", str(first), str(other)]) == 0
    assert "/health p99 over baseline" in capsys.readouterr().out


def test_a_worker_whose_probe_went_unanswered_is_said():
    """c as def on two workers, whose probes answered from both but in its first round."""
    made = made_report()
    two = dataclasses.replace(made.scenarios[2], workers=2)

    def probed(window):
        if window.scenario != two.name:
            return window
        return dataclasses.replace(window, probed=1 if window in made.windows[:3] else 2)

    made = dataclasses.replace(made, scenarios=(*made.scenarios[:2], two),
                               windows=tuple(map(probed, made.windows)),
                               sweep=tuple(map(probed, made.sweep)))
    text = made.render(250)
    assert ("some worker processes did not answer their probe in time, so the loop lag and "
            "work CPU figures leave them out, in: c as def.") in text
    assert "pooled over every worker process's heartbeat" in " ".join(text.split())


def test_a_stall_in_one_worker_is_shown_beside_the_pooled_lag():
    """c as def on two workers: one worker's loop lagged 40 ms at p99 while the pooled
    heartbeats read about 1 ms; the table shows the worst worker, and the finding says it."""
    made = made_report()
    two = dataclasses.replace(made.scenarios[2], workers=2)

    def stalled(window):
        if window.scenario != two.name:
            return window
        return dataclasses.replace(window, probed=2, worker_lag_p99=(0.001, 0.040))

    made = dataclasses.replace(made, scenarios=(*made.scenarios[:2], two),
                               windows=tuple(map(stalled, made.windows)))
    text = " ".join(made.render(250).split())
    assert "under c as def one worker's loop lagged more: p99 40 ms" in text
    assert "worst worker's lag p99" in text
    assert made.problems() == []
    shown = [f for f in made.figures() if f.label == "worst worker's lag p99"]
    assert [f.section for f in shown] == ["c as def"]
    assert shown[0].estimate.value == 0.040


def _ranked_report(**stray):
    """python as async def far above the rest; typed and c as def with overlapping rounds;
    c as def, GIL held between them; and ``stray`` scenarios: name -> victim p99 per round."""
    made = made_report()
    names = {"typed as def": (0.0022, 0.0026, 0.0024), "c as def, GIL held": (0.0030, 0.0034, 0.0032),
             **{name.replace("_", " "): values for name, values in stray.items()}}
    extra = tuple(Scenario(name, "mandelbrot", name.split()[0], "def", "/" + name[:5])
                  for name in names)
    windows = made.windows + tuple(window(name, index, p99, 0.003)
                                   for name, values in names.items()
                                   for index, p99 in enumerate(values))
    return dataclasses.replace(made, scenarios=made.scenarios + extra, windows=windows)


def test_scenarios_within_noise_of_each_other_share_a_rank():
    made = _ranked_report()
    groups, unplaced = ranking(made)
    assert [[name for name, _ in group] for group in groups] == [
        ["python as async def"], ["c as def, GIL held"], ["typed as def", "c as def"]]
    assert unplaced == []
    assert ranks(made) == {"python as async def": "1", "c as def, GIL held": "2",
                           "typed as def": "3=", "c as def": "3="}
    text = made.render(300)
    assert ("ranked by /health p99 over baseline, scenarios whose rounds overlap sharing a "
            "rank (marked =): 1 python as async def; 2 c as def, GIL held; 3= typed as def, "
            "c as def.") in text
    assert made.problems() == []


def test_a_scenario_whose_stray_round_spans_several_ranks_is_not_placed():
    made = _ranked_report(typed_as_async_def=(0.0023, 0.0025, 0.060))
    groups, unplaced = ranking(made)
    assert [[name for name, _ in group] for group in groups] == [
        ["python as async def"], ["c as def, GIL held"], ["typed as def", "c as def"]]
    assert [name for name, _ in unplaced] == ["typed as async def"]
    assert ranks(made)["typed as async def"] == "1-3"
    assert ("; 3= typed as def, c as def; not placed (its rounds overlap scenarios ranked "
            "apart): typed as async def.") in made.render(300)
    assert made.problems() == []


@pytest.mark.parametrize("said, problem", [
    ("1 python as async def; 2 c as def, GIL held; 3 typed as def; 4 c as def.",
     "ranking: typed as def and c as def are within noise of each other but ranked apart"),
    ("1 python as async def; 2= c as def, GIL held, typed as def, c as def.",
     "ranking: c as def, GIL held and typed as def differ beyond noise but share a rank"),
    ("1 python as async def; 2 c as def, GIL held; 3= c as def, typed as def.",
     "ranking: its order is not that of the medians"),
    ("1 python as async def; 3 c as def, GIL held; 3= typed as def, c as def.",
     "ranking: c as def, GIL held is ranked 3, not 2"),
    ("1 python as async def; 2 c as def, GIL held; 3 typed as def; not placed (its rounds "
     "overlap scenarios ranked apart): c as def.",
     "ranking: c as def is left unplaced but within noise of one rank at most"),
    ("1 python as async def; 2 c as def, GIL held.",
     "ranking: it does not list each scenario with a ratio to its baseline once"),
])
def test_the_checker_names_a_ranking_its_figures_do_not_allow(monkeypatch, said, problem):
    made = _ranked_report()
    wrong = [service_findings.Finding("ranking", f"{service_findings.RANKING}: {said}")]
    monkeypatch.setattr(check, "findings", lambda report: wrong)
    assert made.problems() == [problem]
